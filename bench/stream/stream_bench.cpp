// Kafka → store throughput and latency: the real ZTF alerts of ../shared, replayed through librdkafka's
// mock cluster (a real Kafka-protocol broker on loopback) into the embedded store and into PostgreSQL + Q3C
// (a throwaway local server, when postgresql-15 is installed), with 1 and 2 consumers in one group.
// Prints figures; asserts nothing.
//
// Usage: stream [--alerts N] [--only fetch|embedded|embedded2] [-X librdkafka.property=value]...
//   broker alone: one consumer that only fetches and commits, the ceiling the in-process mock sets.
//   throughput: N alerts produced first, then consumed to the end; alerts/s from the first commit to the
//     last, and process CPU per alert, from which the broker's share (the line above) is subtracted.
//   latency: alerts produced at a steady 500/s while one consumer runs; produce → commit p50/p99.

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "common/heap_tuning.hpp"
#include "pipeline/consume.hpp"
#include "store/pg_store.hpp"
#include "store/sqlite_store.hpp"
#include "stream/kafka_producer.hpp"
#include "support/kafka_mock_cluster.hpp"
#include "support/postgres_server.hpp"
#include "support/replayed_alerts.hpp"

namespace fs = std::filesystem;
using namespace rivulet;
using Clock = std::chrono::steady_clock;

namespace {

// CPU time of the whole process (every thread, the in-process mock broker's included).
double ProcessCpuSeconds() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

int64_t NowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// -X key=value on the command line: librdkafka consumer properties added to every consumer (to compare
// fetch sizes and the like), as `rivulet consume -X` does.
KafkaProperties g_extra_properties;

ConsumeOptions Options(const std::string &brokers, const std::string &topic, const fs::path &dlq) {
    ConsumeOptions o;
    o.kafka.brokers = brokers;
    o.kafka.topics = {topic};
    o.kafka.group = "bench";
    o.kafka.properties = {{"session.timeout.ms", "6000"}, {"heartbeat.interval.ms", "500"}};
    o.kafka.properties.insert(o.kafka.properties.end(), g_extra_properties.begin(), g_extra_properties.end());
    o.batch_size = 500;
    o.batch_timeout = std::chrono::milliseconds(200);
    o.exit_at_end = true;
    o.dead_letter_dir = dlq;
    return o;
}

// Profiling aid: with RIVULET_PERF_CTL=FIFO (perf record --control=fifo:FIFO -D -1 ...), perf samples only
// the timed window of the throughput runs (first commit to the end), not the production before it.
void PerfControl(const char *command) {
    static const char *fifo = std::getenv("RIVULET_PERF_CTL");
    if (!fifo) return;
    if (FILE *f = std::fopen(fifo, "w")) {
        std::fprintf(f, "%s\n", command);
        std::fclose(f);
    }
}

using StoreFactory = std::function<std::unique_ptr<Store>(int run)>;

// A topic holding the first n packets, produced before anyone consumes.
std::unique_ptr<rivulet::testing::KafkaMockCluster> FilledCluster(const std::vector<rivulet::testing::ReplayedAlert> &packets,
                                                                   size_t n) {
    auto kafka = std::make_unique<rivulet::testing::KafkaMockCluster>(3);
    // The mock keeps ~5 MB per partition.
    const int partitions = static_cast<int>(std::max<size_t>(8, n * 70000 / (3 << 20)));
    kafka->CreateTopic("bench", partitions);
    // The mock broker answers a Fetch with one stored message set per partition, so produce full
    // batches (as a busy real producer would) rather than one message per set.
    KafkaProducer producer(kafka->bootstraps(), {{"linger.ms", "500"}, {"batch.num.messages", "100000"}});
    for (size_t i = 0; i < n; ++i) producer.Produce("bench", packets[i % packets.size()].packet, std::to_string(i));
    producer.Flush();
    return kafka;
}

// The broker side's ceiling on this machine: one consumer that only fetches and commits, no decode, no
// store. The mock broker runs in this process, so it takes its share of the same two cores.
double FetchOnly(const std::vector<rivulet::testing::ReplayedAlert> &packets, size_t n) {
    auto kafka = FilledCluster(packets, n);
    KafkaConsumerOptions o;
    o.brokers = kafka->bootstraps();
    o.topics = {"bench"};
    o.group = "bench";
    o.properties = {{"session.timeout.ms", "6000"}, {"heartbeat.interval.ms", "500"}};
    o.properties.insert(o.properties.end(), g_extra_properties.begin(), g_extra_properties.end());
    KafkaAlertConsumer consumer(o);
    size_t got = 0, timed = 0;  // timed: alerts after the first batch, which only starts the clock
    Clock::time_point first{};
    double cpu_first = 0;
    while (got < n) {
        auto batch = consumer.Poll(500, std::chrono::milliseconds(200));
        if (batch.empty()) continue;
        consumer.Commit(batch);
        if (got == 0) first = Clock::now(), cpu_first = ProcessCpuSeconds();
        else timed += batch.size();
        got += batch.size();
    }
    const double cpu_ms = (ProcessCpuSeconds() - cpu_first) * 1e3 / static_cast<double>(std::max<size_t>(timed, 1));
    double secs = std::chrono::duration<double>(Clock::now() - first).count();
    fmt::print("{:<34} {:>2} consumer(s) {:>8} alerts {:>10.0f} alerts/s {:>6.3f} CPU ms/alert\n",
               "mock broker alone (fetch+commit)", 1, got, static_cast<double>(timed) / secs, cpu_ms);
    consumer.Close();
    return cpu_ms;
}

void Throughput(const std::vector<rivulet::testing::ReplayedAlert> &packets, size_t n, int consumers, const StoreFactory &open,
                const std::string &label, const fs::path &tmp, int run, double broker_cpu_ms,
                bool in_process) {
    auto kafka = FilledCluster(packets, n);
    // The first commit ends the group join; measure from it to the last commit, counting the alerts
    // committed after it.
    std::mutex mu;
    int64_t first_ms = 0, last_ms = 0;
    double cpu_first = 0, cpu_last = 0;
    uint64_t timed = 0;
    std::atomic<uint64_t> decoded{0};
    // Stores first (opening one may wait on another's schema transaction), so the members join the group
    // together: a member that joins after the first assignment makes the coordinator rebalance.
    std::vector<std::unique_ptr<Store>> stores;
    for (int c = 0; c < consumers; ++c) stores.push_back(open(run));
    std::vector<std::thread> threads;
    for (int c = 0; c < consumers; ++c) {
        threads.emplace_back([&, c] {
            Store &store = *stores[c];
            auto o = Options(kafka->bootstraps(), "bench", tmp / fmt::format("dlq{}", c));
            // Static members (KIP-345), as a fixed set of consumer processes would be deployed: the member
            // that reaches the end first closes without a LeaveGroup, so the other is not pulled into a
            // rebalance. Without it, that rebalance cost the run 5-10 s here: the mock coordinator always
            // waits session.timeout.ms - 1 s for members to rejoin (a real one stops waiting once they all
            // have), and the commits in flight meanwhile fail and their batches are delivered again.
            if (consumers > 1) o.kafka.properties.push_back({"group.instance.id", fmt::format("bench-{}-{}", run, c)});
            o.on_commit = [&](const std::vector<KafkaMessage> &batch) {
                std::lock_guard lock(mu);
                last_ms = NowMs();
                cpu_last = ProcessCpuSeconds();
                if (first_ms == 0) first_ms = last_ms, cpu_first = cpu_last, PerfControl("enable");
                else timed += batch.size();
            };
            auto ledger = Consume(store, PipelineConfig{}, o).Run();
            decoded += ledger.decoded;
        });
    }
    for (auto &t : threads) t.join();
    PerfControl("disable");
    double secs = std::max<double>(1e-3, static_cast<double>(last_ms - first_ms) / 1e3);
    // decoded > n means a rebalance re-delivered uncommitted messages (stored once: the store is idempotent).
    const double cpu_ms = (cpu_last - cpu_first) * 1e3 / static_cast<double>(std::max<uint64_t>(timed, 1));
    fmt::print("{:<34} {:>2} consumer(s) {:>8} alerts {:>10.0f} alerts/s {:>6.3f} CPU ms/alert", label, consumers,
               decoded.load(), static_cast<double>(timed) / secs, cpu_ms);
    // With the broker on its own machine, as in production, Rivulet's share of the CPU is what is left
    // after the broker side measured alone; two cores then carry at most 2 / that alerts per millisecond.
    // Only for the embedded store: a PostgreSQL server's CPU is in other processes, not counted here.
    if (in_process && broker_cpu_ms > 0 && cpu_ms > broker_cpu_ms)
        fmt::print("  -> without the broker {:.3f} CPU ms/alert, at most {:.0f} alerts/s on 2 cores", cpu_ms - broker_cpu_ms,
                   2e3 / (cpu_ms - broker_cpu_ms));
    if (decoded.load() > n) fmt::print("  ({} re-delivered by a rebalance, stored once)", decoded.load() - n);
    fmt::print("\n");
}

void Latency(const std::vector<rivulet::testing::ReplayedAlert> &packets, const StoreFactory &open, const std::string &label,
             const fs::path &tmp, int run) {
    rivulet::testing::KafkaMockCluster kafka(3);
    kafka.CreateTopic("live", 64);
    std::vector<int64_t> latencies;
    std::mutex mu;
    std::atomic<bool> stop{false};
    std::thread consumer([&] {
        auto store = open(run);
        auto o = Options(kafka.bootstraps(), "live", tmp / "dlq_live");
        o.exit_at_end = false;
        o.stop = &stop;
        o.batch_timeout = std::chrono::milliseconds(50);
        o.on_commit = [&](const std::vector<KafkaMessage> &batch) {
            int64_t now = NowMs();
            std::lock_guard lock(mu);
            for (const auto &m : batch)
                if (m.timestamp_ms > 0) latencies.push_back(now - m.timestamp_ms);
        };
        Consume(*store, PipelineConfig{}, o).Run();
    });
    std::this_thread::sleep_for(std::chrono::seconds(8));  // group join
    {
        KafkaProducer producer(kafka.bootstraps(), {{"linger.ms", "0"}});
        auto start = Clock::now();
        const size_t n = 3000;  // 6 s at 500 alerts/s
        for (size_t i = 0; i < n; ++i) {
            std::this_thread::sleep_until(start + std::chrono::microseconds(2000 * i));
            producer.Produce("live", packets[i % packets.size()].packet, std::to_string(i));
        }
        producer.Flush();
    }
    std::this_thread::sleep_for(std::chrono::seconds(3));
    stop = true;
    consumer.join();
    std::sort(latencies.begin(), latencies.end());
    if (latencies.empty()) {
        fmt::print("{:<34} latency: no messages measured\n", label);
        return;
    }
    auto q = [&](double p) { return latencies[std::min(latencies.size() - 1, static_cast<size_t>(p * static_cast<double>(latencies.size())))]; };
    fmt::print("{:<34} latency at 500 alerts/s, produce -> commit: p50 {} ms, p99 {} ms ({} alerts)\n", label, q(0.5),
               q(0.99), latencies.size());
}

}  // namespace

int main(int argc, char **argv) {
    rivulet::KeepLargeBuffersOnTheHeap();  // as the rivulet program does
    size_t n = 5000;
    std::string only;  // --only fetch|embedded|embedded2: the broker alone, then 1, then also 2 embedded consumers
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string arg = argv[i], value = argv[i + 1];
        if (arg == "--alerts") n = std::stoul(value);
        else if (arg == "--only") only = value;
        else if (arg == "-X" && value.find('=') != std::string::npos)
            g_extra_properties.emplace_back(value.substr(0, value.find('=')), value.substr(value.find('=') + 1));
        else {
            fmt::print(stderr, "usage: stream [--alerts N] [--only fetch|embedded|embedded2] [-X key=value]...\n");
            return 2;
        }
    }
    // Distinct candids, so the store really writes every alert (a repeat would be a cheap duplicate).
    auto packets = rivulet::testing::ReplayRealAlerts(n);
    if (packets.size() < n) {
        fmt::print(stderr, "stream bench: could not build {} alerts from ../shared/data/ztf-alerts\n", n);
        return 1;
    }
    fs::path tmp = fs::temp_directory_path() / fmt::format("rivulet_stream_bench_{}", ::getpid());
    fs::create_directories(tmp);
    fmt::print("{} real ZTF alerts re-encoded under distinct candids\n\n", packets.size());
    StoreFactory sqlite = [&](int run) { return OpenSqliteStore(tmp / fmt::format("run{}.db", run)); };
    const double broker_cpu_ms = FetchOnly(packets, n);
    if (only != "fetch") Throughput(packets, n, 1, sqlite, "embedded (SQLite)", tmp, 1, broker_cpu_ms, true);
    if (only.empty() || only == "embedded2")
        Throughput(packets, n, 2, sqlite, "embedded (SQLite)", tmp, 2, broker_cpu_ms, true);
    if (!only.empty()) {
        fs::remove_all(tmp);
        return 0;
    }
    Latency(packets, sqlite, "embedded (SQLite)", tmp, 3);
    // PostgreSQL: a throwaway local server (fsync off, as in the tests), one fresh database per run.
    rivulet::testing::PostgresServer server;
    if (server.available()) {
        std::map<int, std::string> databases;
        for (int run : {1, 2, 3}) databases[run] = server.CreateDatabase(fmt::format("bench{}", run));
        StoreFactory postgres = [&](int run) { return OpenPostgresStore(databases.at(run)); };
        Throughput(packets, n, 1, postgres, "PostgreSQL + Q3C (local, fsync off)", tmp, 1, broker_cpu_ms, false);
        Throughput(packets, n, 2, postgres, "PostgreSQL + Q3C (local, fsync off)", tmp, 2, broker_cpu_ms, false);
        Latency(packets, postgres, "PostgreSQL + Q3C (local, fsync off)", tmp, 3);
    } else {
        fmt::print("PostgreSQL: not measured ({})\n", server.unavailable_reason());
    }
    fs::remove_all(tmp);
    fmt::print("\ntarget: >= 2,000 alerts/s into the embedded store on 2 cores\n");
    return 0;
}
