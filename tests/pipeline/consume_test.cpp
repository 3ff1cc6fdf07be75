// Kafka → store through a real Kafka-protocol broker (librdkafka's mock cluster, 3 brokers, 4 partitions)
// with the real consumer-group code: every alert stored once, poison messages dead-lettered without
// blocking the good ones, offsets committed, two consumers of a group sharing a store (embedded or
// PostgreSQL), the annotated stream readable by python3-avro.

#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <memory>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "alert/avro_alert_decoder.hpp"
#include "pipeline/consume.hpp"
#include "store/pg_store.hpp"
#include "store/sqlite_store.hpp"
#include "stream/annotated_alert.hpp"
#include "stream/kafka_producer.hpp"
#include "stream/packet_source.hpp"
#include "support/bad_inputs.hpp"
#include "support/kafka_mock_cluster.hpp"
#include "support/postgres_server.hpp"
#include "support/shared_data.hpp"
#include "support/temp_dir.hpp"
#include "support/topic_to_files.hpp"

namespace rivulet {
namespace {

std::vector<RawPacket> RealPackets(const std::string &rel) {
    std::vector<RawPacket> out;
    auto src = OpenInputs({testing::SharedDataDir() / rel});
    RawPacket p;
    while (src->Next(p))
        if (!p.error) out.push_back(std::move(p));
    return out;
}

std::set<int64_t> CandidsOf(const std::vector<RawPacket> &packets) {
    std::set<int64_t> out;
    AvroAlertDecoder d;
    for (const auto &p : packets)
        for (const auto &a : d.Decode(p.bytes, p.name).alerts) out.insert(a.candid);
    return out;
}

ConsumeOptions Options(const testing::KafkaMockCluster &kafka, const std::string &topic, const std::string &group,
                       const std::filesystem::path &dead_letters) {
    ConsumeOptions o;
    o.kafka.brokers = kafka.bootstraps();
    o.kafka.topics = {topic};
    o.kafka.group = group;
    // A short session: the mock coordinator waits out a departed member's session before rebalancing.
    o.kafka.properties = {{"session.timeout.ms", "6000"}, {"heartbeat.interval.ms", "500"}};
    o.batch_size = 100;
    o.batch_timeout = std::chrono::milliseconds(500);
    o.exit_at_end = true;
    o.dead_letter_dir = dead_letters;
    o.rivulet_version = "test";
    return o;
}

// Every stored alert is counted once whatever the cuts said: stored + rejected distinct candids.
size_t DistinctKept(Store &store) {
    StoreStats s = store.Stats();
    size_t n = static_cast<size_t>(s.alerts);
    for (auto &[k, v] : s.rejected) n += static_cast<size_t>(v);
    return n;
}

TEST(Consume, EveryAlertOnceAndPoisonDeadLettered) {
    RIVULET_REQUIRE_SHARED("ztf-alerts/alerts/pitt-google");
    testing::TempDir tmp;
    testing::KafkaMockCluster kafka(3);
    // The mock cluster keeps about 5 MB per partition, so a few dozen ~60 kB packets each.
    kafka.CreateTopic("ztf_20210901_programid1", 8);
    auto packets = RealPackets("ztf-alerts/alerts/pitt-google");
    ASSERT_GT(packets.size(), 20u);
    auto bad = tmp / "bad";
    std::filesystem::create_directories(bad);
    testing::MakeBadInputs(testing::SharedDataDir() / "ztf-alerts/alerts/alerce/ZTF19abegmle/ZTF19abegmle_1003273655515010011.avro", bad);
    {
        KafkaProducer producer(kafka.bootstraps(), {});
        size_t i = 0;
        for (const auto &p : packets) {
            // Keyed, so packets spread over the partitions (the mock keeps ~5 MB per partition).
            producer.Produce("ztf_20210901_programid1", p.bytes, std::to_string(i));
            if (++i % 10 == 0)  // poison between good alerts
                for (auto name : {"truncated.avro", "random.avro", "other_schema.avro"})
                    if (i / 10 == 1 || std::string(name) == "random.avro")
                        producer.Produce("ztf_20210901_programid1", testing::ReadBytes(bad / name));
        }
        producer.Flush();
    }
    auto store = OpenSqliteStore(tmp / "kafka.db");
    IngestLedger l = Consume(*store, PipelineConfig{}, Options(kafka, "ztf_20210901_programid1", "g1", tmp / "dlq")).Run();
    auto expected = CandidsOf(packets);
    EXPECT_EQ(DistinctKept(*store), expected.size());
    EXPECT_TRUE(l.Reconciles());
    EXPECT_GE(l.failures.size(), 3u);
    // Each poison message is in the dead-letter folder with its reason.
    size_t letters = 0;
    for (auto &e : std::filesystem::directory_iterator(tmp / "dlq"))
        if (e.path().string().ends_with(".reason.json")) ++letters;
    EXPECT_EQ(letters, l.failures.size());

    // Offsets were committed: the same group gets nothing again.
    IngestLedger again = Consume(*store, PipelineConfig{}, Options(kafka, "ztf_20210901_programid1", "g1", tmp / "dlq2")).Run();
    EXPECT_EQ(again.packets, 0u);
    // Another group replays everything; the store absorbs it.
    IngestLedger replay = Consume(*store, PipelineConfig{}, Options(kafka, "ztf_20210901_programid1", "g2", tmp / "dlq3")).Run();
    EXPECT_EQ(replay.stored, 0u);
    EXPECT_EQ(replay.duplicates + replay.RejectedTotal(), l.stored + l.duplicates + l.RejectedTotal());
    EXPECT_EQ(DistinctKept(*store), expected.size());
}

// Two consumers of one group, each with its own connection to one shared store, split a night's topic:
// together they store every alert once.
void TwoConsumersStoreTheUnionOnce(const std::function<std::unique_ptr<Store>()> &open_store) {
    testing::TempDir tmp;
    testing::KafkaMockCluster kafka(3);
    kafka.CreateTopic("ztf_night", 16);
    auto packets = RealPackets("ztf-alerts/alerts/fink-alert-simulator");
    {
        KafkaProducer producer(kafka.bootstraps(), {});
        for (size_t i = 0; i < packets.size(); ++i) producer.Produce("ztf_night", packets[i].bytes, std::to_string(i));
        producer.Flush();
    }
    open_store();  // create the schema once, before two writers race to
    IngestLedger a, b;
    std::thread ta([&] {
        auto store = open_store();
        a = Consume(*store, PipelineConfig{}, Options(kafka, "ztf_night", "pair", tmp / "dlq_a")).Run();
    });
    std::thread tb([&] {
        auto store = open_store();
        b = Consume(*store, PipelineConfig{}, Options(kafka, "ztf_night", "pair", tmp / "dlq_b")).Run();
    });
    ta.join();
    tb.join();
    auto store = open_store();
    EXPECT_EQ(DistinctKept(*store), CandidsOf(packets).size());
    EXPECT_EQ(a.failures.size() + b.failures.size(), 0u);
    EXPECT_GE(a.packets + b.packets, packets.size());  // a partition moved mid-way may be read twice
    // Both joined within the coordinator's initial-join window, so both got partitions.
    EXPECT_GT(a.packets, 0u);
    EXPECT_GT(b.packets, 0u);
}

TEST(Consume, TwoConsumersInOneGroupStoreTheUnionOnce) {
    RIVULET_REQUIRE_SHARED("ztf-alerts/alerts/fink-alert-simulator");
    testing::TempDir tmp;
    auto db = tmp / "shared.db";
    TwoConsumersStoreTheUnionOnce([&] { return OpenSqliteStore(db); });
}

TEST(Consume, TwoConsumersInOneGroupStoreTheUnionOncePostgres) {
    RIVULET_REQUIRE_SHARED("ztf-alerts/alerts/fink-alert-simulator");
    auto &server = testing::SharedPostgresServer();
    RIVULET_REQUIRE_POSTGRES(server);
    const std::string uri = server.CreateDatabase("two_consumers");
    ASSERT_FALSE(uri.empty());
    TwoConsumersStoreTheUnionOnce([&] { return OpenPostgresStore(uri); });
}

TEST(Consume, AnnotatedStreamIsReadableByPythonAvro) {
    RIVULET_REQUIRE_SHARED("ztf-alerts/alerts/alerce");
    testing::TempDir tmp;
    testing::KafkaMockCluster kafka(3);
    kafka.CreateTopic("in", 4);  // 38 packets: well under the mock's ~5 MB per partition
    kafka.CreateTopic("annotated", 2);
    auto packets = RealPackets("ztf-alerts/alerts/alerce");
    {
        KafkaProducer producer(kafka.bootstraps(), {});
        for (size_t i = 0; i < packets.size(); ++i) producer.Produce("in", packets[i].bytes, std::to_string(i));
        producer.Flush();
    }
    auto store = OpenSqliteStore(tmp / "a.db");
    auto opts = Options(kafka, "in", "ann", tmp / "dlq");
    opts.produce_topic = "annotated";
    IngestLedger l = Consume(*store, PipelineConfig{}, opts).Run();
    ASSERT_GT(l.stored, 0u);

    // Read the annotated topic back with a plain consumer (another group) and decode with python3-avro.
    auto dir = tmp / "annotated";
    ASSERT_EQ(testing::TopicToFiles(kafka.bootstraps(), "annotated", l.stored, dir), l.stored);
    auto script = tmp / "read.py";
    {
        std::ofstream py(script);
        py << "import sys, glob, io, avro.datafile, avro.io\n"
              "for f in sorted(glob.glob(sys.argv[1] + '/*.avro')):\n"
              "    r = avro.datafile.DataFileReader(open(f, 'rb'), avro.io.DatumReader())\n"
              "    for rec in r:\n"
              "        inner = avro.datafile.DataFileReader(io.BytesIO(rec['packet']), avro.io.DatumReader())\n"
              "        alert = next(iter(inner))\n"
              "        assert alert['candid'] == rec['candid'], (alert['candid'], rec['candid'])\n"
              "        print(rec['candid'], rec['annotations']['cut'], rec['schemavsn'])\n";
    }
    std::string cmd = "/usr/bin/python3 '" + script.string() + "' '" + dir.string() + "' > '" + (tmp / "out.txt").string() + "'";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << "python3-avro could not read the annotated stream";
    std::ifstream out(tmp / "out.txt");
    std::set<int64_t> candids;
    int64_t candid;
    std::string cut, vsn;
    while (out >> candid >> cut >> vsn) {
        EXPECT_EQ(cut, "pass");
        EXPECT_EQ(vsn, "1");
        candids.insert(candid);
    }
    EXPECT_EQ(candids.size(), l.stored);
}

}  // namespace
}  // namespace rivulet
