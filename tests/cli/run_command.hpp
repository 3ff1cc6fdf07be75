#pragma once
// Runs the rivulet binary of this build as a user would and captures what it prints.

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

#include "support/shared_data.hpp"

namespace rivulet::testing {

struct CommandResult {
    int exit_code = -1;
    std::string out;  //!< stdout
};

//! `args` is appended to the binary path as is (quote paths yourself); stderr goes to `stderr_file`
//! when given, else is discarded.
inline CommandResult RunRivulet(const std::string &args, const std::string &stderr_file = "") {
    std::string cmd = RivuletBinary().string() + " " + args + " 2>" + (stderr_file.empty() ? "/dev/null" : stderr_file);
    CommandResult r;
    FILE *p = popen(cmd.c_str(), "r");
    if (!p) return r;
    std::array<char, 1 << 16> buf;
    size_t n;
    while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
    int status = pclose(p);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

inline std::string Quote(const std::filesystem::path &p) { return "'" + p.string() + "'"; }

}  // namespace rivulet::testing
