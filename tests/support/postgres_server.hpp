#pragma once
// A throwaway PostgreSQL 15 cluster for tests: `initdb` in a fresh temporary folder, `pg_ctl start` on a
// free loopback port (unix socket in that folder too, fsync off), removed with everything in it at the
// end — by the destructor, also after failed tests, and by a watchdog process if the test process dies
// without running destructors (a crash, SIGKILL).
// As root, initdb and postgres refuse to run: they run as the `postgres` system user (runuser), which
// then owns the folder. Binaries: $RIVULET_PG_BIN, else /usr/lib/postgresql/15/bin (Debian postgresql-15;
// cone search also needs postgresql-15-q3c). Without them tests skip visibly, under CI=true they fail
// (RIVULET_REQUIRE_POSTGRES).

#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "support/shared_data.hpp"

namespace rivulet::testing {

class PostgresServer {
public:
    //! Starts a cluster; when that is impossible, available() is false and unavailable_reason() says why.
    PostgresServer() { Start(); }
    ~PostgresServer() { Destroy(); }
    PostgresServer(const PostgresServer &) = delete;
    PostgresServer &operator=(const PostgresServer &) = delete;

    static std::filesystem::path BinDir() {
        if (const char *env = std::getenv("RIVULET_PG_BIN"); env && *env) return env;
        return "/usr/lib/postgresql/15/bin";
    }

    bool available() const { return running_; }
    const std::string &unavailable_reason() const { return reason_; }
    int port() const { return port_; }
    const std::filesystem::path &dir() const { return dir_; }

    //! libpq URI of a database of this cluster, as the superuser `postgres` over TCP on 127.0.0.1.
    std::string Uri(const std::string &database = "postgres") const {
        return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + database;
    }

    //! Creates an empty database and returns its URI (ADD_FAILURE and "" on error).
    std::string CreateDatabase(const std::string &name) {
        if (!Psql("postgres", "CREATE DATABASE " + name)) return "";
        return Uri(name);
    }

    //! Runs SQL with psql in `database`; false (and a test failure naming the log) when it fails.
    bool Psql(const std::string &database, const std::string &sql) {
        const auto log = dir_ / "psql.log";
        const int rc = Run({(BinDir() / "psql").string(), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", Uri(database),
                            "-c", sql},
                           log, /*as_postgres=*/false);
        if (rc != 0) ADD_FAILURE() << "psql failed (" << rc << "): " << sql << "\n" << ReadFile(log);
        return rc == 0;
    }

    //! Stops the server (immediate shutdown: every connection drops) and starts it again on the same port.
    void Stop() {
        if (!running_) return;
        Run({(BinDir() / "pg_ctl").string(), "-D", (dir_ / "data").string(), "-w", "-m", "immediate", "stop"},
            dir_ / "pg_ctl_stop.log", true);
        running_ = false;
    }
    bool Restart() {
        running_ = StartServer();
        return running_;
    }

private:
    static bool IsRoot() { return ::geteuid() == 0; }

    static std::string ReadFile(const std::filesystem::path &p) {
        std::ifstream in(p);
        std::stringstream ss;
        ss << in.rdbuf();
        return ss.str();
    }

    static int FreePort() {
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = 0;
        socklen_t len = sizeof addr;
        int port = 0;
        if (::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0 &&
            ::getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len) == 0)
            port = ntohs(addr.sin_port);
        ::close(fd);
        return port;
    }

    //! Runs argv (as the postgres user when we are root and `as_postgres`), stdout+stderr to `log`,
    //! stdin from /dev/null; returns the exit status (or -1).
    int Run(std::vector<std::string> argv, const std::filesystem::path &log, bool as_postgres) const {
        if (as_postgres && IsRoot()) argv.insert(argv.begin(), {"runuser", "-u", "postgres", "--"});
        std::vector<char *> args;
        for (auto &a : argv) args.push_back(a.data());
        args.push_back(nullptr);
        const pid_t pid = ::fork();
        if (pid < 0) return -1;
        if (pid == 0) {
            // Only async-signal-safe calls between fork and exec.
            const int in = ::open("/dev/null", O_RDONLY);
            const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (in >= 0) ::dup2(in, 0);
            if (out >= 0) {
                ::dup2(out, 1);
                ::dup2(out, 2);
            }
            ::execvp(args[0], args.data());
            ::_exit(127);
        }
        int status = 0;
        if (::waitpid(pid, &status, 0) < 0) return -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }

    void Start() {
        const auto bin = BinDir();
        for (const char *tool : {"initdb", "pg_ctl", "postgres", "psql"})
            if (!std::filesystem::exists(bin / tool)) {
                reason_ = "PostgreSQL binaries missing: " + (bin / tool).string() + " (Debian postgresql-15)";
                return;
            }
        if (!std::filesystem::exists(bin / ".." / "lib" / "q3c.so")) {
            reason_ = "Q3C extension missing: " + (bin / ".." / "lib" / "q3c.so").string() + " (Debian postgresql-15-q3c)";
            return;
        }
        struct passwd *pw = IsRoot() ? ::getpwnam("postgres") : nullptr;
        if (IsRoot() && !pw) {
            reason_ = "running as root, and there is no 'postgres' user to run the server as";
            return;
        }
        std::string tmpl = (std::filesystem::temp_directory_path() / "rivulet_pg_XXXXXX").string();
        if (!::mkdtemp(tmpl.data())) {
            reason_ = "mkdtemp failed";
            return;
        }
        dir_ = tmpl;
        if (pw && ::chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
            reason_ = "chown " + dir_.string() + " failed";
            return;
        }
        StartWatchdog();  // from here on, a killed test process leaves nothing behind
        const int rc = Run({(bin / "initdb").string(), "-D", (dir_ / "data").string(), "-U", "postgres", "-A", "trust",
                            "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"},
                           dir_ / "initdb.log", true);
        if (rc != 0) {
            reason_ = "initdb failed (" + std::to_string(rc) + "): " + ReadFile(dir_ / "initdb.log");
            return;
        }
        // The port is free when chosen but may be taken before the server binds it: try a few.
        for (int attempt = 0; attempt < 5 && !running_; ++attempt) {
            port_ = FreePort();
            running_ = StartServer();
        }
        if (!running_) reason_ = "pg_ctl start failed: " + ReadFile(dir_ / "server.log");
    }

    bool StartServer() {
        const std::string options = "-p " + std::to_string(port_) + " -k " + dir_.string() +
                                    " -c listen_addresses=127.0.0.1 -c fsync=off"
                                    " -c full_page_writes=off -c max_connections=50";
        return Run({(BinDir() / "pg_ctl").string(), "-D", (dir_ / "data").string(), "-l", (dir_ / "server.log").string(),
                    "-w", "-t", "60", "-o", options, "start"},
                   dir_ / "pg_ctl.log", true) == 0;
    }

    //! A detached shell that waits for this process to end and then stops the server and removes the
    //! folder: the clean-up for a test process that dies without running destructors.
    void StartWatchdog() {
        const std::string script = "while kill -0 " + std::to_string(::getpid()) + " 2>/dev/null; do sleep 1; done; " +
                                   (IsRoot() ? "runuser -u postgres -- " : "") + (BinDir() / "pg_ctl").string() +
                                   " -D " + (dir_ / "data").string() + " -m immediate stop; rm -rf " + dir_.string();
        const pid_t child = ::fork();
        if (child < 0) return;
        if (child == 0) {
            ::setsid();
            if (::fork() == 0) {
                const int null = ::open("/dev/null", O_RDWR);
                if (null >= 0) {
                    ::dup2(null, 0);
                    ::dup2(null, 1);
                    ::dup2(null, 2);
                }
                ::execl("/bin/sh", "sh", "-c", script.c_str(), static_cast<char *>(nullptr));
            }
            ::_exit(0);
        }
        int status = 0;
        ::waitpid(child, &status, 0);
    }

    void Destroy() {
        // Also when a restart failed half-way: pg_ctl stop is harmless on a stopped cluster.
        if (!dir_.empty() && std::filesystem::exists(dir_ / "data" / "postmaster.pid")) running_ = true;
        Stop();
        if (!dir_.empty()) {
            std::error_code ec;
            std::filesystem::remove_all(dir_, ec);
        }
    }

    std::filesystem::path dir_;
    int port_ = 0;
    bool running_ = false;
    std::string reason_;
};

//! One cluster per test binary, started on first use and removed at exit. (ctest runs each test case in
//! its own process, so each gets a fresh cluster; running the binary directly shares one.)
inline PostgresServer &SharedPostgresServer() {
    static PostgresServer server;
    return server;
}

}  // namespace rivulet::testing

//! Skips (or, under CI=true, fails) the current test when `server` could not start.
#define RIVULET_REQUIRE_POSTGRES(server)                                                                    \
    do {                                                                                                    \
        if (!(server).available()) {                                                                        \
            if (::rivulet::testing::UnderCi()) FAIL() << "PostgreSQL unavailable under CI: " << (server).unavailable_reason(); \
            GTEST_SKIP() << "PostgreSQL unavailable: " << (server).unavailable_reason();                   \
        }                                                                                                   \
    } while (0)
