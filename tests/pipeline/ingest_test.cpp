// decode → cut → store on real alerts mixed with bad inputs: every good alert is stored, every bad input
// is reported with its name and reason, counts reconcile, and a second run changes nothing.

#include <gtest/gtest.h>

#include <cmath>

#include "pipeline/ingest.hpp"
#include "sim/alert_simulator.hpp"
#include "sim/avro_alert_writer.hpp"
#include "sim/embedded_schema.hpp"
#include "store/sqlite_store.hpp"
#include "stream/packet_source.hpp"
#include "support/bad_inputs.hpp"
#include "support/shared_data.hpp"
#include "support/temp_dir.hpp"

namespace rivulet {
namespace {

const char *kGood = "ztf-alerts/alerts/pitt-google/ZTF21abiuvdk_2021";

bool AnyFailureMentions(const IngestLedger &l, const std::string &needle) {
    for (const auto &f : l.failures)
        if (f.message.find(needle) != std::string::npos) return true;
    return false;
}

TEST(Ingest, BadInputsAreReportedAndGoodAlertsKept) {
    RIVULET_REQUIRE_SHARED(kGood);
    testing::TempDir tmp;
    auto good_dir = testing::SharedDataDir() / kGood;
    std::vector<std::filesystem::path> good;
    for (auto &e : std::filesystem::directory_iterator(good_dir)) good.push_back(e.path());
    std::sort(good.begin(), good.end());
    ASSERT_GE(good.size(), 10u);
    const size_t n = good.size();

    auto bad = tmp / "bad";
    std::filesystem::create_directories(bad);
    testing::MakeBadInputs(good[0], bad);
    // A nightly archive of the last 4 good alerts and one truncated member.
    auto night = tmp / "night";
    std::filesystem::create_directories(night);
    for (size_t i = n - 4; i < n; ++i) std::filesystem::copy_file(good[i], night / good[i].filename());
    std::filesystem::copy_file(bad / "truncated.avro", night / "zz_truncated.avro");
    ASSERT_EQ(std::system(("tar czf " + (tmp / "night.tar.gz").string() + " -C " + night.string() + " .").c_str()), 0);

    std::vector<std::filesystem::path> inputs(good.begin(), good.end() - 4);
    inputs.push_back(bad);
    inputs.push_back(tmp / "night.tar.gz");
    inputs.push_back(tmp / "does_not_exist.avro");

    auto store = OpenSqliteStore(tmp / "rivulet.db");
    PipelineConfig config;
    config.ingest.batch_size = 7;  // several batches
    Ingest ingest(*store, config);
    auto source = OpenInputs(inputs);
    IngestLedger l = ingest.Run(*source);

    EXPECT_TRUE(l.Reconciles());
    // The good alerts + the two alerts with bad cutouts decode; the bad-cutout ones fail whole.
    EXPECT_EQ(l.decoded, n + 2);
    EXPECT_EQ(l.failed, 2u);
    EXPECT_EQ(l.stored + l.RejectedTotal(), n);
    EXPECT_GT(l.stored, 0u);
    EXPECT_TRUE(AnyFailureMentions(l, "truncated.avro"));
    EXPECT_TRUE(AnyFailureMentions(l, "random.avro"));
    EXPECT_TRUE(AnyFailureMentions(l, "other_schema.avro"));
    EXPECT_TRUE(AnyFailureMentions(l, "corrupt_gzip_cutout.avro"));
    EXPECT_TRUE(AnyFailureMentions(l, "corrupt_fits_cutout.avro"));
    EXPECT_TRUE(AnyFailureMentions(l, "night.tar.gz:./zz_truncated.avro"));
    EXPECT_TRUE(AnyFailureMentions(l, "does_not_exist.avro"));
    EXPECT_EQ(l.failures.size(), 7u);
    for (const auto &f : l.failures) EXPECT_FALSE(f.reason.empty()) << f.message;

    StoreStats first = store->Stats();
    EXPECT_EQ(static_cast<uint64_t>(first.alerts), l.stored);
    int64_t rejected = 0;
    for (auto &[k, v] : first.rejected) rejected += v;
    EXPECT_EQ(static_cast<uint64_t>(rejected), l.RejectedTotal());
    // A second run over the same inputs changes nothing in the store.
    auto source2 = OpenInputs(inputs);
    IngestLedger again = ingest.Run(*source2);
    EXPECT_TRUE(again.Reconciles());
    EXPECT_EQ(again.stored, 0u);
    EXPECT_EQ(again.duplicates, l.stored);
    EXPECT_EQ(again.rejected, l.rejected);
    StoreStats second = store->Stats();
    EXPECT_EQ(second.alerts, first.alerts);
    EXPECT_EQ(second.objects, first.objects);
    EXPECT_EQ(second.detections, first.detections);
    EXPECT_EQ(second.upper_limits, first.upper_limits);
    EXPECT_EQ(second.cutouts, first.cutouts);
    EXPECT_EQ(second.rejected, first.rejected);
}

TEST(Ingest, EveryRealAlertTwiceGivesIdenticalCounts) {
    RIVULET_REQUIRE_SHARED("ztf-alerts/alerts");
    testing::TempDir tmp;
    auto store = OpenSqliteStore(tmp / "all.db");
    Ingest ingest(*store, PipelineConfig{});
    auto s1 = OpenInputs({testing::SharedDataDir() / "ztf-alerts/alerts"});
    IngestLedger l1 = ingest.Run(*s1);
    EXPECT_EQ(l1.failures.size(), 0u) << (l1.failures.empty() ? "" : l1.failures[0].message);
    EXPECT_EQ(l1.decoded, 873u);
    EXPECT_TRUE(l1.Reconciles());
    StoreStats a = store->Stats();
    auto s2 = OpenInputs({testing::SharedDataDir() / "ztf-alerts/alerts"});
    IngestLedger l2 = ingest.Run(*s2);
    EXPECT_EQ(l2.stored, 0u);
    EXPECT_TRUE(l2.Reconciles());
    StoreStats b = store->Stats();
    EXPECT_EQ(a.alerts, b.alerts);
    EXPECT_EQ(a.objects, b.objects);
    EXPECT_EQ(a.detections, b.detections);
    EXPECT_EQ(a.upper_limits, b.upper_limits);
    EXPECT_EQ(a.forced_photometry, b.forced_photometry);
    EXPECT_EQ(a.rejected, b.rejected);
    // The corpus holds the same candid in several schema versions on purpose: one alert each.
    EXPECT_GT(l1.duplicates, 0u);
}

}  // namespace
}  // namespace rivulet

namespace rivulet {
namespace {

// Packets held in memory, as a Kafka consumer would hand them over.
class VectorSource final : public PacketSource {
public:
    explicit VectorSource(std::vector<RawPacket> packets) : packets_(std::move(packets)) {}
    bool Next(RawPacket &p) override {
        if (i_ == packets_.size()) return false;
        p = packets_[i_++];
        return true;
    }

private:
    std::vector<RawPacket> packets_;
    size_t i_ = 0;
};

// An alert without a usable position is refused alone; the rest of its batch is stored.
TEST(Ingest, AlertWithoutPositionFailsAloneNotItsBatch) {
    SimulationOptions o;
    o.n_alerts = 12;
    o.bogus_fraction = 0;
    o.threads = 1;
    auto night = SimulateNight(o);
    night[5].alert.candidate.ra = std::nan("");
    night[8].alert.candidate.dec = 95.0;
    AvroAlertWriter writer(ZtfAlertSchemaJson());
    std::vector<RawPacket> packets;
    for (auto &s : night)
        packets.push_back(RawPacket{std::to_string(s.alert.candid) + ".avro", writer.Encode(s.alert, 1), std::nullopt});
    testing::TempDir tmp;
    auto store = OpenSqliteStore(tmp / "x.db");
    PipelineConfig config;
    config.cuts.prefilter = config.cuts.realbogus = false;
    VectorSource src(packets);
    IngestLedger l = Ingest(*store, config).Run(src);
    EXPECT_EQ(l.decoded, 12u);
    EXPECT_EQ(l.failed, 2u);
    EXPECT_EQ(l.stored, 10u);
    ASSERT_EQ(l.failures.size(), 2u);
    EXPECT_EQ(l.failures[0].reason, "missing_field");
    EXPECT_NE(l.failures[0].message.find(std::to_string(night[5].alert.candid)), std::string::npos);
    EXPECT_TRUE(l.Reconciles());
    EXPECT_EQ(store->Stats().alerts, 10);
}

}  // namespace
}  // namespace rivulet
