// The commands a user runs after `make demo`: ingest (with bad inputs mixed in), stats, lightcurve,
// cone and cutout, on real alerts.

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "cli/run_command.hpp"
#include "support/bad_inputs.hpp"
#include "support/temp_dir.hpp"

namespace rivulet {
namespace {

using testing::Quote;
using testing::RunRivulet;

const char *kObjectDir = "ztf-alerts/alerts/pitt-google/ZTF21abiuvdk_2021";

class IngestCli : public ::testing::Test {
protected:
    void SetUp() override {
        RIVULET_REQUIRE_SHARED(kObjectDir);
        db_ = tmp_ / "rivulet.db";
        bad_ = tmp_ / "bad";
        std::filesystem::create_directories(bad_);
        auto dir = testing::SharedDataDir() / kObjectDir;
        std::vector<std::filesystem::path> files;
        for (auto &e : std::filesystem::directory_iterator(dir)) files.push_back(e.path());
        std::sort(files.begin(), files.end());
        n_good_ = files.size();
        testing::MakeBadInputs(files[0], bad_);
        inputs_ = Quote(dir) + " " + Quote(bad_);
    }
    nlohmann::json Ingest() {
        auto r = RunRivulet("ingest --json " + inputs_ + " --db " + Quote(db_));
        EXPECT_EQ(r.exit_code, 2) << "some inputs failed: exit status must say so";
        return nlohmann::json::parse(r.out);
    }
    nlohmann::json Stats() {
        auto r = RunRivulet("stats --json --db " + Quote(db_));
        EXPECT_EQ(r.exit_code, 0);
        return nlohmann::json::parse(r.out);
    }
    testing::TempDir tmp_;
    std::filesystem::path db_, bad_;
    std::string inputs_;
    size_t n_good_ = 0;
};

TEST_F(IngestCli, SummaryReconcilesAndReingestChangesNothing) {
    auto s = Ingest();
    EXPECT_TRUE(s["reconciles"].get<bool>());
    uint64_t decoded = s["decoded"], stored = s["stored"], dup = s["duplicates"], rej = s["rejected_total"],
             failed = s["failed"];
    EXPECT_EQ(decoded, stored + dup + rej + failed);
    EXPECT_EQ(decoded, n_good_ + 2);  // the good alerts + 2 copies with corrupt cutouts
    EXPECT_EQ(failed, 2u);
    EXPECT_EQ(s["failures"].size(), 5u);
    auto stats = Stats();
    EXPECT_EQ(stats["alerts"].get<uint64_t>(), stored);
    EXPECT_EQ(stats["objects"].get<uint64_t>(), stored > 0 ? 1u : 0u);
    ASSERT_TRUE(stats["rejected"].is_object());
    uint64_t rejected = 0;
    for (auto &[k, v] : stats["rejected"].items()) rejected += v.get<uint64_t>();
    EXPECT_EQ(rejected, rej);

    auto again = Ingest();
    EXPECT_EQ(again["stored"].get<uint64_t>(), 0u);
    EXPECT_EQ(again["duplicates"].get<uint64_t>(), stored);
    EXPECT_EQ(Stats(), stats);
}

TEST_F(IngestCli, LightcurveConeAndCutout) {
    Ingest();
    auto lc = RunRivulet("lightcurve ZTF21abiuvdk --format json --db " + Quote(db_));
    ASSERT_EQ(lc.exit_code, 0);
    auto j = nlohmann::json::parse(lc.out);
    ASSERT_GT(j["detections"].size(), 10u);
    std::set<std::pair<double, int>> seen;
    double last = 0;
    for (auto &p : j["detections"]) {
        EXPECT_TRUE(seen.insert({p["jd"].get<double>(), p["fid"].get<int>()}).second) << "duplicate (jd, fid)";
        EXPECT_GE(p["jd"].get<double>(), last);
        last = p["jd"];
        EXPECT_FALSE(p["magpsf"].is_null());
    }
    for (auto &u : j["upper_limits"]) EXPECT_FALSE(seen.count({u["jd"].get<double>(), u["fid"].get<int>()}));

    auto csv = RunRivulet("lightcurve ZTF21abiuvdk --db " + Quote(db_));
    ASSERT_EQ(csv.exit_code, 0);
    EXPECT_EQ(csv.out.rfind("kind,jd,fid,candid,magpsf", 0), 0u);

    double ra = j["detections"][0]["ra"], dec = j["detections"][0]["dec"];
    auto cone = RunRivulet("cone " + std::to_string(ra) + " " + std::to_string(dec) + " 5 --json --db " + Quote(db_));
    ASSERT_EQ(cone.exit_code, 0);
    auto c = nlohmann::json::parse(cone.out);
    ASSERT_EQ(c.size(), 1u);
    EXPECT_EQ(c[0]["objectId"], "ZTF21abiuvdk");
    EXPECT_LT(c[0]["sep_arcsec"].get<double>(), 5.0);
    auto far = RunRivulet("cone " + std::to_string(ra + 1.0) + " " + std::to_string(dec) + " 5 --json --db " + Quote(db_));
    EXPECT_EQ(nlohmann::json::parse(far.out).size(), 0u);

    int64_t candid = 0;
    for (auto &p : j["detections"])
        if (!p["candid"].is_null()) candid = p["candid"];
    auto out = tmp_ / "png";
    auto cut = RunRivulet("cutout " + std::to_string(candid) + " --db " + Quote(db_) + " --out " + Quote(out));
    ASSERT_EQ(cut.exit_code, 0);
    auto triplet = out / (std::to_string(candid) + "_triplet.png");
    std::ifstream png(triplet, std::ios::binary);
    char magic[8] = {};
    png.read(magic, 8);
    EXPECT_EQ(std::string(magic + 1, 3), "PNG");
}

TEST_F(IngestCli, QueriesOnAMissingStoreFail) {
    EXPECT_EQ(RunRivulet("stats --db " + Quote(tmp_ / "nope.db")).exit_code, 1);
    EXPECT_FALSE(std::filesystem::exists(tmp_ / "nope.db"));
    Ingest();
    EXPECT_EQ(RunRivulet("lightcurve ZTF99zzzzzzz --db " + Quote(db_)).exit_code, 1);
    EXPECT_EQ(RunRivulet("cutout 1 --db " + Quote(db_) + " --out " + Quote(tmp_ / "x")).exit_code, 1);
}

}  // namespace
}  // namespace rivulet
