// Kafka → store throughput and latency: the real ZTF alerts of ../shared, replayed through librdkafka's
// mock cluster (a real Kafka-protocol broker on loopback) into the embedded store (and PostgreSQL with
// --pg URI), with 1 and 2 consumers in one group. Prints figures; asserts nothing.
//
// Usage: stream [--alerts N] [--pg URI]
//   throughput: N alerts produced first, then consumed to the end; alerts/s from the first commit to the last.
//   latency: alerts produced at a steady 500/s while one consumer runs; produce → commit p50/p99.

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <thread>

#include "pipeline/consume.hpp"
#include "store/pg_store.hpp"
#include "store/sqlite_store.hpp"
#include "stream/kafka_producer.hpp"
#include "support/kafka_mock_cluster.hpp"
#include "support/replayed_alerts.hpp"

namespace fs = std::filesystem;
using namespace rivulet;
using Clock = std::chrono::steady_clock;

namespace {

int64_t NowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

ConsumeOptions Options(const std::string &brokers, const std::string &topic, const fs::path &dlq) {
    ConsumeOptions o;
    o.kafka.brokers = brokers;
    o.kafka.topics = {topic};
    o.kafka.group = "bench";
    o.kafka.properties = {{"session.timeout.ms", "6000"}, {"heartbeat.interval.ms", "500"}};
    o.batch_size = 500;
    o.batch_timeout = std::chrono::milliseconds(200);
    o.exit_at_end = true;
    o.dead_letter_dir = dlq;
    return o;
}

using StoreFactory = std::function<std::unique_ptr<Store>(int run)>;

void Throughput(const std::vector<rivulet::testing::ReplayedAlert> &packets, size_t n, int consumers, const StoreFactory &open,
                const std::string &label, const fs::path &tmp, int run) {
    rivulet::testing::KafkaMockCluster kafka(3);
    // The mock keeps ~5 MB per partition.
    const int partitions = static_cast<int>(std::max<size_t>(8, n * 70000 / (3 << 20)));
    kafka.CreateTopic("bench", partitions);
    {
        KafkaProducer producer(kafka.bootstraps(), {});
        for (size_t i = 0; i < n; ++i) producer.Produce("bench", packets[i % packets.size()].packet, std::to_string(i));
        producer.Flush();
    }
    std::atomic<int64_t> first_ms{0}, last_ms{0};
    std::atomic<uint64_t> decoded{0};
    std::vector<std::thread> threads;
    for (int c = 0; c < consumers; ++c) {
        threads.emplace_back([&, c] {
            auto store = open(run);
            auto o = Options(kafka.bootstraps(), "bench", tmp / fmt::format("dlq{}", c));
            o.on_commit = [&](const std::vector<KafkaMessage> &batch) {
                if (std::getenv("RIVULET_BENCH_DEBUG")) fmt::print(stderr, "[{}] batch {} at {}\n", c, batch.size(), NowMs() % 100000);
                int64_t now = NowMs(), zero = 0;
                first_ms.compare_exchange_strong(zero, now);
                last_ms = std::max<int64_t>(last_ms, now);
            };
            auto ledger = Consume(*store, PipelineConfig{}, o).Run();
            decoded += ledger.decoded;
        });
    }
    for (auto &t : threads) t.join();
    // The first commit ends the group join; measure from the first batch's commit to the last one.
    double secs = std::max<double>(1e-3, static_cast<double>(last_ms - first_ms) / 1e3);
    fmt::print("{:<34} {:>2} consumer(s) {:>8} alerts {:>10.0f} alerts/s\n", label, consumers, decoded.load(),
               static_cast<double>(decoded.load()) / secs);
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
    size_t n = 5000;
    std::string pg;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string a = argv[i];
        if (a == "--alerts") n = std::stoul(argv[i + 1]);
        else if (a == "--pg") pg = argv[i + 1];
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
    Throughput(packets, n, 1, sqlite, "embedded (SQLite)", tmp, 1);
    Throughput(packets, n, 2, sqlite, "embedded (SQLite)", tmp, 2);
    Latency(packets, sqlite, "embedded (SQLite)", tmp, 3);
    if (!pg.empty()) {
        StoreFactory postgres = [&](int) { return OpenPostgresStore(pg); };
        Throughput(packets, n, 1, postgres, "PostgreSQL + Q3C", tmp, 0);
        Throughput(packets, n, 2, postgres, "PostgreSQL + Q3C", tmp, 0);
        Latency(packets, postgres, "PostgreSQL + Q3C", tmp, 0);
    }
    fs::remove_all(tmp);
    fmt::print("\ntarget: >= 2,000 alerts/s into the embedded store on 2 cores\n");
    return 0;
}
