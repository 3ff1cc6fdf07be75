// The delivery guarantee under crashes: >= 5,000 real alerts (replayed under distinct candids) go through
// Kafka into the store while `rivulet consume` is killed with SIGKILL at random moments and restarted;
// at the end the store holds every candid exactly once.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <set>
#include <thread>

#include "cli/run_command.hpp"
#include "store/pg_store.hpp"
#include "store/sqlite_store.hpp"
#include "stream/kafka_producer.hpp"
#include "support/kafka_mock_cluster.hpp"
#include "support/postgres_server.hpp"
#include "support/replayed_alerts.hpp"
#include "support/shared_data.hpp"
#include "support/temp_dir.hpp"

namespace rivulet {
namespace {

constexpr size_t kAlerts = 5000;

// Real alerts re-encoded under distinct candids, produced keyed by candid. Returns the candids.
std::set<int64_t> ProduceReplayedAlerts(const std::string &brokers, const std::string &topic) {
    KafkaProducer producer(brokers, {});
    std::set<int64_t> candids;
    for (const auto &r : testing::ReplayRealAlerts(kAlerts)) {
        producer.Produce(topic, r.packet, std::to_string(r.candid));
        candids.insert(r.candid);
    }
    producer.Flush();
    return candids;
}

pid_t StartConsumer(const std::vector<std::string> &args, const std::filesystem::path &log) {
    pid_t pid = fork();
    if (pid == 0) {
        FILE *f = std::freopen(log.c_str(), "a", stderr);
        (void)f;
        std::freopen("/dev/null", "w", stdout);
        std::vector<char *> argv;
        std::string bin = testing::RivuletBinary().string();
        argv.push_back(bin.data());
        for (const auto &a : args) argv.push_back(const_cast<char *>(a.c_str()));
        argv.push_back(nullptr);
        execv(bin.c_str(), argv.data());
        _exit(127);
    }
    return pid;
}

void CrashAndRecover(const std::string &store_flag, const std::string &store_value, Store &check) {
    testing::TempDir tmp;
    testing::KafkaMockCluster kafka(3);
    // The mock keeps ~5 MB per partition: enough partitions for 5,000 ~60 kB packets.
    kafka.CreateTopic("ztf_replay", 256);
    std::set<int64_t> produced = ProduceReplayedAlerts(kafka.bootstraps(), "ztf_replay");
    ASSERT_EQ(produced.size(), kAlerts);

    std::vector<std::string> args = {"consume",  "--brokers",          kafka.bootstraps(), "--topic", "ztf_replay",
                                     "--group",  "crash",              store_flag,         store_value,
                                     "--batch",  "200",                "--exit-at-end",    "--dead-letter-dir",
                                     (tmp / "dlq").string(), "-X", "session.timeout.ms=6000", "-X",
                                     "heartbeat.interval.ms=500"};
    std::mt19937 rng(20261129);
    int kills = 0;
    for (; kills < 6; ++kills) {
        pid_t pid = StartConsumer(args, tmp / "consume.log");
        // Let it join the group and work for a while, then kill it without warning.
        std::this_thread::sleep_for(std::chrono::milliseconds(3000 + rng() % 5000));
        int status = 0;
        if (waitpid(pid, &status, WNOHANG) == pid) break;  // finished everything already
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
    }
    EXPECT_GE(kills, 5) << "the consumer finished before it could be killed 5 times";
    // A last run to the end.
    pid_t pid = StartConsumer(args, tmp / "consume.log");
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFEXITED(status)) << "final consumer did not exit normally";
    EXPECT_EQ(WEXITSTATUS(status), 0);

    StoreStats s = check.Stats();
    int64_t rejected = 0;
    for (auto &[k, v] : s.rejected) rejected += v;
    EXPECT_EQ(static_cast<size_t>(s.alerts + rejected), kAlerts) << "every candid exactly once";
    size_t missing = 0;
    for (int64_t c : produced)
        if (!check.GetAlert(c) && !check.RejectionReason(c)) ++missing;
    size_t dead = 0;
    if (std::filesystem::exists(tmp / "dlq"))
        for (auto &e : std::filesystem::directory_iterator(tmp / "dlq")) dead += e.path().string().ends_with(".json");
    EXPECT_EQ(missing, 0u) << dead << " dead letters";
}

TEST(ConsumeCrash, SigkillAtRandomMomentsLosesAndDuplicatesNothingSqlite) {
    RIVULET_REQUIRE_SHARED("ztf-alerts/alerts");
    testing::TempDir tmp;
    auto db = tmp / "crash.db";
    auto store = OpenSqliteStore(db);
    CrashAndRecover("--db", db.string(), *store);
}

TEST(ConsumeCrash, SigkillAtRandomMomentsLosesAndDuplicatesNothingPostgres) {
    RIVULET_REQUIRE_SHARED("ztf-alerts/alerts");
    auto &server = testing::SharedPostgresServer();
    RIVULET_REQUIRE_POSTGRES(server);
    const std::string uri = server.CreateDatabase("crash");
    auto store = OpenPostgresStore(uri);
    CrashAndRecover("--pg", uri, *store);
}

}  // namespace
}  // namespace rivulet
