// The behaviours every store backend shares, run on the SQLite store and on the PostgreSQL store (a
// throwaway PostgreSQL 15 + Q3C cluster, tests/support/postgres_server.hpp; that half is skipped without
// one): idempotent writes of the real alert corpus (../shared/data/ztf-alerts), merged light curves,
// cone search across the poles and RA 0/360, rejections, rollback and byte-exact cutouts.
// What only one backend has (schema versioning, parity, lost connections) is in store_test.cpp and
// pg_store_test.cpp.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "store/pg_store.hpp"
#include "store/sky_distance.hpp"
#include "store/sqlite_store.hpp"
#include "support/postgres_server.hpp"
#include "support/shared_data.hpp"
#include "support/synthetic_alert.hpp"
#include "support/temp_dir.hpp"
#include "store_test_support.hpp"

namespace rivulet {
namespace {

namespace fs = std::filesystem;
using testing::AlertsDir;
using testing::AlertsOf;
using testing::CheckLightCurve;
using testing::CorpusAlerts;
using testing::Describe;
using testing::SameStats;
using testing::SyntheticAlert;
using testing::WriteAll;

//! One backend: its stores, and a second client that can make the store's next cutout insert fail.
struct Backend {
    std::function<std::unique_ptr<Store>()> open;          //!< the test's store (again, after a reset)
    std::function<std::unique_ptr<Store>()> open_another;  //!< another, empty store
    std::function<void(int64_t candid)> fail_cutout_of;    //!< plants a trigger failing that cutout insert
    std::function<void()> stop_failing;                    //!< removes it
    std::string location;                                  //!< what store errors start with (path or URI)
};

class StoreBackendTest : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        if (GetParam() == "sqlite") {
            const fs::path db = tmp_ / "alerts.sqlite";
            const fs::path dir = tmp_.path();
            backend_.open = [db] { return OpenSqliteStore(db); };
            backend_.open_another = [dir] {
                static int counter = 0;
                return OpenSqliteStore(dir / ("other_" + std::to_string(counter++) + ".sqlite"));
            };
            // Another connection; the store's statements were prepared before the trigger existed, and
            // SQLite re-prepares them.
            backend_.fail_cutout_of = [db](int64_t candid) {
                SqliteExec(db, "CREATE TRIGGER fail_once BEFORE INSERT ON cutout_locations WHEN NEW.candid = " +
                                   std::to_string(candid) + " BEGIN SELECT RAISE(ABORT, 'injected failure'); END;");
            };
            backend_.stop_failing = [db] { SqliteExec(db, "DROP TRIGGER fail_once"); };
            backend_.location = db.string();
        } else {
            auto &server = testing::SharedPostgresServer();
            RIVULET_REQUIRE_POSTGRES(server);
            const std::string db_name = NewDatabase(server);
            ASSERT_FALSE(db_name.empty());
            const std::string uri = server.Uri(db_name);
            backend_.open = [uri] { return OpenPostgresStore(uri); };
            backend_.open_another = [&server] { return OpenPostgresStore(server.Uri(NewDatabase(server))); };
            // Not retriable: the Write throws at once.
            backend_.fail_cutout_of = [&server, db_name](int64_t candid) {
                ASSERT_TRUE(server.Psql(db_name, "CREATE FUNCTION fail_once() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                                                 "IF NEW.candid = " + std::to_string(candid) +
                                                     " THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$; "
                                                     "CREATE TRIGGER fail_once BEFORE INSERT ON cutouts FOR EACH ROW "
                                                     "EXECUTE FUNCTION fail_once()"));
            };
            backend_.stop_failing = [&server, db_name] {
                ASSERT_TRUE(server.Psql(db_name, "DROP TRIGGER fail_once ON cutouts"));
            };
            backend_.location = uri;
        }
        store_ = backend_.open();
    }
    void TearDown() override { store_.reset(); }

    static void SqliteExec(const fs::path &db, const std::string &sql) {
        sqlite3 *h = nullptr;
        ASSERT_EQ(sqlite3_open(db.c_str(), &h), SQLITE_OK);
        EXPECT_EQ(sqlite3_exec(h, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(h);
        sqlite3_close(h);
    }

    //! Another empty database of the cluster, named after the test; returns its name ("" on error).
    static std::string NewDatabase(testing::PostgresServer &server) {
        static int counter = 0;
        std::string name;
        for (char c : std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()).substr(0, 50))
            name += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c)) : '_';
        name = "t_" + name + "_" + std::to_string(counter++);
        return server.CreateDatabase(name).empty() ? "" : name;
    }

    testing::TempDir tmp_;
    Backend backend_;
    std::unique_ptr<Store> store_;
};

TEST_P(StoreBackendTest, WritesEveryRealAlertOnceAndRewritesNothing) {
    RIVULET_REQUIRE_SHARED("ztf-alerts/index.csv");
    const auto &alerts = CorpusAlerts();
    ASSERT_GT(alerts.size(), 800u);
    std::set<int64_t> candids;
    std::set<std::string> objects;
    size_t cutouts = 0;
    for (const auto &a : alerts) {
        candids.insert(a.candid);
        objects.insert(a.objectId);
        for (const auto &c : a.cutouts) cutouts += c.has_value();
    }
    // Some corpus files are the same alert re-encoded under another schema version (same candid).
    auto first = WriteAll(*store_, alerts);
    EXPECT_EQ(first.stored, candids.size());
    EXPECT_EQ(first.stored + first.duplicates, alerts.size());
    const StoreStats s1 = store_->Stats();
    EXPECT_EQ(s1.alerts, static_cast<int64_t>(candids.size()));
    EXPECT_EQ(s1.objects, static_cast<int64_t>(objects.size()));
    EXPECT_GE(s1.detections, s1.alerts - 10);  // each alert's candidate is a detection (same-epoch re-encodings merge)
    EXPECT_GT(s1.upper_limits, 0);
    EXPECT_GT(s1.forced_photometry, 0);
    EXPECT_LE(s1.cutouts, static_cast<int64_t>(cutouts));
    EXPECT_GT(s1.cutouts, 0);

    auto again = WriteAll(*store_, alerts, 37);
    EXPECT_EQ(again.stored, 0u);
    EXPECT_EQ(again.duplicates, alerts.size());
    EXPECT_TRUE(SameStats(store_->Stats(), s1));

    // Reopening (schema already there) finds the same content.
    store_.reset();
    store_ = backend_.open();
    EXPECT_TRUE(SameStats(store_->Stats(), s1)) << Describe(store_->Stats());
}

TEST_P(StoreBackendTest, DuplicateInsideOneBatchIsCountedOnce) {
    std::vector<Alert> batch = {SyntheticAlert("ZTFsyn0001", 1, 10, 10), SyntheticAlert("ZTFsyn0001", 1, 10, 10)};
    auto s = store_->Write(batch, {});
    EXPECT_EQ(s.stored, 1u);
    EXPECT_EQ(s.duplicates, 1u);
    EXPECT_EQ(s.is_new, (std::vector<bool>{true, false}));
    EXPECT_EQ(store_->Stats().alerts, 1);
}

TEST_P(StoreBackendTest, LightCurvesAreMergedAndDeduplicated) {
    RIVULET_REQUIRE_SHARED("ztf-alerts/index.csv");
    WriteAll(*store_, CorpusAlerts());
    for (const std::string id : {"ZTF21abiuvdk", "ZTF19abegmle"}) {
        SCOPED_TRACE(id);
        const auto alerts = AlertsOf(id);
        ASSERT_FALSE(alerts.empty());
        // The corpus README says 34 for ZTF21abiuvdk, but its folder holds 27 packets (byte-identical
        // copies were dropped, see sources.csv): compare with the folder.
        if (id == "ZTF21abiuvdk") {
            size_t files = 0;
            for (const auto &e : fs::directory_iterator(AlertsDir() / "pitt-google" / "ZTF21abiuvdk_2021"))
                files += e.path().extension() == ".avro";
            EXPECT_EQ(alerts.size(), files);
        }
        auto lc = store_->GetLightCurve(id);
        ASSERT_TRUE(lc.has_value());
        EXPECT_EQ(lc->objectId, id);
        EXPECT_GE(lc->detections.size(), alerts.size());
        EXPECT_FALSE(lc->upper_limits.empty());
        CheckLightCurve(*lc, alerts);
        EXPECT_EQ(store_->AlertCandids(id).size(), alerts.size());
    }
    EXPECT_FALSE(store_->GetLightCurve("ZTF00nothing").has_value());
}

TEST_P(StoreBackendTest, LightCurveDoesNotDependOnArrivalOrder) {
    RIVULET_REQUIRE_SHARED("ztf-alerts/index.csv");
    auto alerts = AlertsOf("ZTF21abiuvdk");
    std::sort(alerts.begin(), alerts.end(), [](const Alert &a, const Alert &b) { return *a.candidate.jd < *b.candidate.jd; });
    WriteAll(*store_, alerts, 5);
    auto reversed_store = backend_.open_another();
    std::reverse(alerts.begin(), alerts.end());
    WriteAll(*reversed_store, alerts, 1);
    auto a = store_->GetLightCurve("ZTF21abiuvdk");
    auto b = reversed_store->GetLightCurve("ZTF21abiuvdk");
    ASSERT_TRUE(a && b);
    ASSERT_EQ(a->detections.size(), b->detections.size());
    for (size_t i = 0; i < a->detections.size(); ++i) {
        EXPECT_EQ(a->detections[i].jd, b->detections[i].jd);
        EXPECT_EQ(a->detections[i].candid, b->detections[i].candid);
        EXPECT_EQ(a->detections[i].magpsf, b->detections[i].magpsf);
        EXPECT_EQ(a->detections[i].from_candidate, b->detections[i].from_candidate);
    }
    EXPECT_EQ(a->upper_limits.size(), b->upper_limits.size());
    CheckLightCurve(*a, alerts);
}

TEST_P(StoreBackendTest, SchemaThreeFivePrvCandidatesAreForcedPhotometry) {
    RIVULET_REQUIRE_SHARED("ztf-alerts/index.csv");
    std::vector<Alert> v35;
    for (const auto &a : CorpusAlerts())
        if (a.SchemaVersion() == "3.5" && a.prv_candidates && !a.prv_candidates->empty()) v35.push_back(a);
    ASSERT_FALSE(v35.empty());
    WriteAll(*store_, v35);
    const auto &a = v35.front();
    auto lc = store_->GetLightCurve(a.objectId);
    ASSERT_TRUE(lc);
    EXPECT_FALSE(lc->forced_photometry.empty());
    EXPECT_TRUE(lc->upper_limits.empty());
    for (const auto &f : lc->forced_photometry) EXPECT_TRUE(f.forcediffimflux.has_value());
    CheckLightCurve(*lc, AlertsOf(a.objectId));
}

TEST_P(StoreBackendTest, ConeSearchFindsStoredObjectsWithinRadius) {
    RIVULET_REQUIRE_SHARED("ztf-alerts/index.csv");
    WriteAll(*store_, CorpusAlerts());
    const auto alerts = AlertsOf("ZTF21abiuvdk");
    const double ra = *alerts.front().candidate.ra, dec = *alerts.front().candidate.dec;
    auto near = store_->ConeSearchObjects(ra, dec, 2.0);
    ASSERT_FALSE(near.empty());
    EXPECT_EQ(near.front().objectId, "ZTF21abiuvdk");
    EXPECT_LT(near.front().sep_arcsec, 1.0);  // the object position is the mean of its alerts
    EXPECT_EQ(near.front().ndet, static_cast<int64_t>(store_->GetLightCurve("ZTF21abiuvdk")->detections.size()));
    EXPECT_LE(near.front().first_jd, near.front().last_jd);
    // At the object's own stored position the separation is zero.
    auto self = store_->ConeSearchObjects(near.front().ra, near.front().dec, 0.01);
    ASSERT_EQ(self.size(), 1u);
    EXPECT_NEAR(self.front().sep_arcsec, 0.0, 1e-6);
    // A radius smaller than the distance to the object finds nothing (no other object is that close).
    EXPECT_TRUE(store_->ConeSearchObjects(near.front().ra + 0.01, near.front().dec, 1.0).empty());

    // Against a brute-force scan of every object (a whole-sky cone lists them all).
    auto all = store_->ConeSearchObjects(0, 90, 180 * 3600.0);
    EXPECT_EQ(static_cast<int64_t>(all.size()), store_->Stats().objects);
    for (double radius : {10.0, 600.0, 3600.0 * 5, 3600.0 * 40, 3600.0 * 100, 3600.0 * 179.9}) {
        auto got = store_->ConeSearchObjects(ra, dec, radius);
        std::set<std::string> want, have;
        for (const auto &m : all)
            if (AngularSeparationArcsec(ra, dec, m.ra, m.dec) <= radius) want.insert(m.objectId);
        for (size_t i = 0; i < got.size(); ++i) {
            have.insert(got[i].objectId);
            EXPECT_LE(got[i].sep_arcsec, radius);
            if (i) { EXPECT_LE(got[i - 1].sep_arcsec, got[i].sep_arcsec); }
        }
        EXPECT_EQ(have, want) << "radius " << radius;
    }
}

TEST_P(StoreBackendTest, ConeSearchAtPolesAndAcrossRaWrap) {
    // Synthetic objects clustered where spherical geometry bites: both poles and both sides of RA 0/360.
    std::vector<Alert> alerts;
    std::mt19937_64 rng(3);
    std::uniform_real_distribution<double> u(0, 1);
    int64_t candid = 1000;
    auto add = [&](double ra, double dec) {
        const std::string id = "ZTFsyn" + std::to_string(candid);
        alerts.push_back(SyntheticAlert(id, candid++, ra, dec));
    };
    add(359.9999, 0.0);
    add(0.0001, 0.0);
    add(359.99999, 45.0);
    add(0.00001, 45.0);
    add(0.0, 90.0);
    add(0.0, -90.0);
    for (int i = 0; i < 400; ++i) {
        add(360.0 * u(rng), 90.0 - 0.01 * u(rng));   // within 36″ of the north pole
        add(360.0 * u(rng), -90.0 + 0.01 * u(rng));  // and of the south pole
        double ra = std::fmod(360.0 + 0.01 * (u(rng) - 0.5), 360.0);
        add(ra, 0.01 * (u(rng) - 0.5));              // around RA 0 on the equator
    }
    auto s = store_->Write(alerts, {});
    ASSERT_EQ(s.stored, alerts.size());

    // The wrap pair: 0.72″ apart, each found from the other's side.
    auto wrap = store_->ConeSearchObjects(359.9999, 0.0, 1.0);
    std::set<std::string> wrap_ids;
    for (const auto &m : wrap) wrap_ids.insert(m.objectId);
    EXPECT_TRUE(wrap_ids.count("ZTFsyn1000") && wrap_ids.count("ZTFsyn1001"));
    for (const auto &m : wrap)
        if (m.objectId == "ZTFsyn1001") { EXPECT_NEAR(m.sep_arcsec, 0.72, 1e-6); }
    EXPECT_EQ(store_->ConeSearchObjects(0.0, 45.0, 0.1).size(), 2u);

    const std::vector<std::array<double, 3>> queries = {
        {0, 90, 5},         {180, 90, 20},     {77, 89.999, 10},  {0, -90, 36},   {359.99, -89.995, 3},
        {359.9999, 0, 1},   {0.0001, 0, 10},   {0, 0, 18},        {359.995, 0.002, 4}, {0.003, -0.004, 7},
        {0, 90, 0.5},       {123, -90, 100},   {-0.002, 0.001, 6}, {720.001, 0, 5},
    };
    for (const auto &[qra, qdec, radius] : queries) {
        SCOPED_TRACE(::testing::Message() << "cone " << qra << "," << qdec << " r=" << radius);
        std::set<std::string> want, have;
        for (const auto &a : alerts)
            if (AngularSeparationArcsec(qra, qdec, *a.candidate.ra, *a.candidate.dec) <= radius) want.insert(a.objectId);
        auto got = store_->ConeSearchObjects(qra, qdec, radius);
        for (size_t i = 0; i < got.size(); ++i) {
            have.insert(got[i].objectId);
            if (i) { EXPECT_LE(got[i - 1].sep_arcsec, got[i].sep_arcsec); }
        }
        EXPECT_EQ(have, want);
        EXPECT_FALSE(want.empty());
    }
}

TEST_P(StoreBackendTest, ObjectPositionIsTheMeanAcrossRaWrap) {
    std::vector<Alert> alerts = {SyntheticAlert("ZTFwrap", 1, 359.9998, 10.0, 2460000.5),
                                 SyntheticAlert("ZTFwrap", 2, 0.0002, 10.0, 2460001.5)};
    store_->Write(alerts, {});
    auto m = store_->ConeSearchObjects(0.0, 10.0, 1.0);
    ASSERT_EQ(m.size(), 1u);
    EXPECT_NEAR(m[0].sep_arcsec, 0.0, 1e-6);  // a naive RA mean would put it at 180°
    EXPECT_EQ(m[0].ndet, 2);
    EXPECT_EQ(m[0].first_jd, 2460000.5);
    EXPECT_EQ(m[0].last_jd, 2460001.5);
}

TEST_P(StoreBackendTest, RejectsBadConeArguments) {
    EXPECT_THROW(store_->ConeSearchObjects(10, 10, -1), RivuletError);
    EXPECT_THROW(store_->ConeSearchObjects(NAN, 10, 1), RivuletError);
    EXPECT_THROW(store_->ConeSearchObjects(10, 91, 1), RivuletError);
}

TEST_P(StoreBackendTest, RejectionsAreCountedByReasonAndIdempotent) {
    std::vector<Rejection> rej = {{11, "ZTFa", 2460000.1, "rb_below_threshold"},
                                  {12, "ZTFb", 2460000.2, "rb_below_threshold"},
                                  {13, "ZTFc", 2460000.3, "bad_avro"},
                                  {13, "ZTFc", 2460000.3, "bad_avro"}};
    auto s = store_->Write({}, rej);
    EXPECT_EQ(s.rejections_recorded, 3u);
    EXPECT_EQ(s.rejection_duplicates, 1u);
    auto again = store_->Write({}, rej);
    EXPECT_EQ(again.rejections_recorded, 0u);
    EXPECT_EQ(again.rejection_duplicates, 4u);
    auto stats = store_->Stats();
    EXPECT_EQ(stats.rejected, (std::map<std::string, int64_t>{{"bad_avro", 1}, {"rb_below_threshold", 2}}));
    EXPECT_EQ(stats.alerts, 0);
    EXPECT_EQ(store_->RejectionReason(12), "rb_below_threshold");
    EXPECT_FALSE(store_->RejectionReason(99).has_value());
}

TEST_P(StoreBackendTest, InvalidAlertMidBatchRollsBackEverything) {
    std::vector<Alert> batch = {SyntheticAlert("ZTFok1", 1, 10, 10), SyntheticAlert("ZTFok2", 2, 11, 11),
                                SyntheticAlert("ZTFbad", 3, 12, 12)};
    batch[2].candidate.ra.reset();
    std::vector<Rejection> rej = {{50, "ZTFr", 2460000.0, "some_cut"}};
    try {
        store_->Write(batch, rej);
        FAIL() << "expected a throw";
    } catch (const RivuletError &e) {
        EXPECT_EQ(e.kind(), ErrorKind::kInvalidInput);
        EXPECT_NE(std::string(e.what()).find("candid 3"), std::string::npos) << e.what();
    }
    EXPECT_TRUE(SameStats(store_->Stats(), StoreStats{}));
    EXPECT_FALSE(store_->GetAlert(1).has_value());
    // The store stays usable after the rollback.
    batch.pop_back();
    EXPECT_EQ(store_->Write(batch, rej).stored, 2u);
    EXPECT_EQ(store_->Stats().alerts, 2);
}

TEST_P(StoreBackendTest, DatabaseFailureMidBatchRollsBackEverything) {
    RIVULET_REQUIRE_SHARED("ztf-alerts/index.csv");
    const auto &corpus = CorpusAlerts();
    std::vector<Alert> first(corpus.begin(), corpus.begin() + 10);
    store_->Write(first, {});
    const StoreStats before = store_->Stats();

    // Another client plants a trigger that fails the cutout insert of one alert in the middle of the
    // next batch, after that batch's earlier alerts (rows, cutouts, light curves) were written.
    std::vector<Alert> second(corpus.begin() + 10, corpus.begin() + 40);
    int64_t victim = 0;
    for (size_t i = 20; i < second.size() && !victim; ++i)
        if (second[i].cutouts[0]) victim = second[i].candid;
    ASSERT_NE(victim, 0);
    backend_.fail_cutout_of(victim);
    const auto t0 = std::chrono::steady_clock::now();
    try {
        std::vector<Rejection> rej = {{999, "ZTFx", 1.0, "cut"}};
        store_->Write(second, rej);
        FAIL() << "expected a throw";
    } catch (const RivuletError &e) {
        EXPECT_EQ(e.kind(), ErrorKind::kStore);
        const std::string what = e.what();
        EXPECT_EQ(what.rfind(backend_.location + ": ", 0), 0u) << what;
        EXPECT_NE(what.find("injected failure"), std::string::npos) << what;
        EXPECT_EQ(what.find("gave up"), std::string::npos) << "not retriable: " << what;
    }
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
    EXPECT_TRUE(SameStats(store_->Stats(), before));
    EXPECT_FALSE(store_->GetAlert(second.front().candid).has_value());
    EXPECT_FALSE(store_->RejectionReason(999).has_value());

    backend_.stop_failing();
    auto s = store_->Write(second, {});
    EXPECT_EQ(s.stored + s.duplicates, second.size());
    EXPECT_GT(store_->Stats().alerts, before.alerts);
}

TEST_P(StoreBackendTest, GetAlertReturnsCutoutsByteIdenticalAndTheFullCandidate) {
    RIVULET_REQUIRE_SHARED("ztf-alerts/index.csv");
    const auto &alerts = CorpusAlerts();
    WriteAll(*store_, alerts);
    std::set<int64_t> seen;
    for (const auto &a : alerts) {
        if (!seen.insert(a.candid).second) continue;  // a re-encoded copy: the first one was stored
        auto got = store_->GetAlert(a.candid);
        ASSERT_TRUE(got.has_value()) << a.candid;
        EXPECT_EQ(got->objectId, a.objectId);
        EXPECT_EQ(got->jd, *a.candidate.jd);
        EXPECT_EQ(got->fid, *a.candidate.fid);
        EXPECT_EQ(got->ra, *a.candidate.ra);
        EXPECT_EQ(got->dec, *a.candidate.dec);
        EXPECT_EQ(got->magpsf, a.candidate.magpsf);
        EXPECT_EQ(got->sigmapsf, a.candidate.sigmapsf);
        EXPECT_EQ(got->isdiffpos, a.candidate.isdiffpos);
        EXPECT_EQ(got->schemavsn, a.SchemaVersion());
        EXPECT_GT(got->ingested_at, 1.6e9);
        for (int k = 0; k < 3; ++k) {
            ASSERT_EQ(got->cutouts[k].has_value(), a.cutouts[k].has_value());
            if (!a.cutouts[k]) continue;
            EXPECT_EQ(got->cutouts[k]->file_name, a.cutouts[k]->file_name);
            EXPECT_TRUE(got->cutouts[k]->stamp_data == a.cutouts[k]->stamp_data) << a.candid << " cutout " << k;
        }
        // The candidate JSON holds every field of the writer schema, with exact values.
        auto j = nlohmann::json::parse(got->candidate_json);
        EXPECT_EQ(j.size(), a.candidate.present.count());
        EXPECT_EQ(j["jd"].get<double>(), *a.candidate.jd);
        EXPECT_EQ(j["candid"].get<int64_t>(), a.candid);
        if (a.candidate.magpsf) { EXPECT_EQ(j["magpsf"].get<float>(), *a.candidate.magpsf); }
    }
    EXPECT_FALSE(store_->GetAlert(42).has_value());
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreBackendTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto &info) { return info.param; });

}  // namespace
}  // namespace rivulet
