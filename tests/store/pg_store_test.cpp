// The PostgreSQL store against a throwaway PostgreSQL 15 + Q3C cluster (tests/support/postgres_server.hpp):
// the behaviours of store_test.cpp (idempotent writes of the real alert corpus, merged light curves, cone
// search at the poles and across RA 0/360, rejections, rollback, byte-exact cutouts), parity with the
// SQLite store on the same alerts, schema versioning, and riding out a lost connection.

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <set>
#include <thread>

#include "alert/avro_alert_decoder.hpp"
#include "common/error.hpp"
#include "store/pg_connection.hpp"
#include "store/pg_store.hpp"
#include "store/sky_distance.hpp"
#include "store/sqlite_store.hpp"
#include "support/postgres_server.hpp"
#include "support/shared_data.hpp"
#include "support/synthetic_alert.hpp"
#include "support/temp_dir.hpp"

namespace rivulet {
namespace {

namespace fs = std::filesystem;
using testing::SharedPostgresServer;

fs::path AlertsDir() { return testing::SharedDataDir() / "ztf-alerts" / "alerts"; }

//! Every decodable alert of the corpus, decoded once per test binary, in path order.
const std::vector<Alert> &CorpusAlerts() {
    static const std::vector<Alert> alerts = [] {
        std::vector<fs::path> paths;
        for (const auto &e : fs::recursive_directory_iterator(AlertsDir()))
            if (e.path().extension() == ".avro") paths.push_back(e.path());
        std::sort(paths.begin(), paths.end());
        std::vector<Alert> out;
        AvroAlertDecoder decoder;
        for (const auto &p : paths) {
            auto packet = decoder.DecodeFile(p);
            for (auto &a : packet.alerts) out.push_back(std::move(a));
        }
        return out;
    }();
    return alerts;
}

std::vector<Alert> AlertsOf(const std::string &objectId) {
    std::vector<Alert> out;
    for (const auto &a : CorpusAlerts())
        if (a.objectId == objectId) out.push_back(a);
    return out;
}

using testing::SyntheticAlert;

bool SameStats(const StoreStats &a, const StoreStats &b) {
    return a.alerts == b.alerts && a.objects == b.objects && a.detections == b.detections &&
           a.upper_limits == b.upper_limits && a.forced_photometry == b.forced_photometry &&
           a.cutouts == b.cutouts && a.rejected == b.rejected;
}

std::string Describe(const StoreStats &s) {
    std::string out = "alerts " + std::to_string(s.alerts) + ", objects " + std::to_string(s.objects) +
                      ", detections " + std::to_string(s.detections) + ", upper_limits " +
                      std::to_string(s.upper_limits) + ", forced " + std::to_string(s.forced_photometry) +
                      ", cutouts " + std::to_string(s.cutouts);
    for (const auto &[k, v] : s.rejected) out += ", " + k + " " + std::to_string(v);
    return out;
}

//! Retries fast, so that the connection-loss tests do not wait long.
PostgresStoreOptions FastRetry() {
    PostgresStoreOptions o;
    o.max_attempts = 8;
    o.initial_backoff = std::chrono::milliseconds(20);
    o.max_backoff = std::chrono::milliseconds(500);
    o.max_retry_time = std::chrono::milliseconds(20000);
    return o;
}

//! Runs SQL on a second connection (the "other client" of the tests); returns the first value or "".
std::string OtherClient(const std::string &uri, const std::string &sql) {
    PGconn *c = PQconnectdb(uri.c_str());
    EXPECT_EQ(PQstatus(c), CONNECTION_OK) << PQerrorMessage(c);
    PGresult *r = PQexec(c, sql.c_str());
    const auto st = PQresultStatus(r);
    EXPECT_TRUE(st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) << sql << ": " << PQerrorMessage(c);
    std::string v = st == PGRES_TUPLES_OK && PQntuples(r) > 0 ? PQgetvalue(r, 0, 0) : "";
    PQclear(r);
    PQfinish(c);
    return v;
}

//! A fresh database of the shared cluster per test, and a store on it.
class PgStoreTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto &server = SharedPostgresServer();
        RIVULET_REQUIRE_POSTGRES(server);
        uri_ = NewDatabase();
        ASSERT_FALSE(uri_.empty());
        store_ = OpenPostgresStore(uri_, FastRetry());
    }
    void TearDown() override { store_.reset(); }

    //! Another empty database of the cluster, named after the test.
    std::string NewDatabase() {
        static int counter = 0;
        std::string name = std::string("t_") + ::testing::UnitTest::GetInstance()->current_test_info()->name() + "_" +
                           std::to_string(counter++);
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
        return SharedPostgresServer().CreateDatabase(name);
    }

    static WriteSummary WriteAll(Store &store, std::span<const Alert> alerts, size_t batch = 100) {
        WriteSummary total;
        for (size_t i = 0; i < alerts.size(); i += batch) {
            auto s = store.Write(alerts.subspan(i, std::min(batch, alerts.size() - i)), {});
            total.stored += s.stored;
            total.duplicates += s.duplicates;
        }
        return total;
    }

    std::string uri_;
    std::unique_ptr<Store> store_;
};

TEST_F(PgStoreTest, WritesEveryRealAlertOnceAndRewritesNothing) {
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
    auto first = WriteAll(*store_, alerts);
    EXPECT_EQ(first.stored, candids.size());
    EXPECT_EQ(first.stored + first.duplicates, alerts.size());
    const StoreStats s1 = store_->Stats();
    EXPECT_EQ(s1.alerts, static_cast<int64_t>(candids.size()));
    EXPECT_EQ(s1.objects, static_cast<int64_t>(objects.size()));
    EXPECT_GE(s1.detections, s1.alerts - 10);
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
    store_ = OpenPostgresStore(uri_);
    EXPECT_TRUE(SameStats(store_->Stats(), s1)) << Describe(store_->Stats());
}

TEST_F(PgStoreTest, DuplicateInsideOneBatchIsCountedOnce) {
    std::vector<Alert> batch = {SyntheticAlert("ZTFsyn0001", 1, 10, 10), SyntheticAlert("ZTFsyn0001", 1, 10, 10)};
    auto s = store_->Write(batch, {});
    EXPECT_EQ(s.stored, 1u);
    EXPECT_EQ(s.duplicates, 1u);
    EXPECT_EQ(s.is_new, (std::vector<bool>{true, false}));
    EXPECT_EQ(store_->Stats().alerts, 1);
}

// Checks the invariants of a merged light curve against the alerts it came from.
void CheckLightCurve(const LightCurve &lc, const std::vector<Alert> &alerts) {
    std::set<std::pair<double, int>> det_keys, ul_keys, fp_keys;
    for (size_t i = 0; i < lc.detections.size(); ++i) {
        const auto &p = lc.detections[i];
        EXPECT_TRUE(det_keys.emplace(p.jd, p.fid).second) << "duplicate detection at jd " << p.jd;
        if (i) { EXPECT_LE(lc.detections[i - 1].jd, p.jd); }
        EXPECT_TRUE(p.magpsf.has_value());
    }
    std::set<int64_t> det_candids;
    for (const auto &p : lc.detections)
        if (p.candid) { EXPECT_TRUE(det_candids.insert(*p.candid).second) << "candid twice: " << *p.candid; }
    for (size_t i = 0; i < lc.upper_limits.size(); ++i) {
        const auto &u = lc.upper_limits[i];
        EXPECT_TRUE(ul_keys.emplace(u.jd, u.fid).second) << "duplicate upper limit at jd " << u.jd;
        EXPECT_FALSE(det_keys.count({u.jd, u.fid})) << "upper limit at a detection epoch";
        if (i) { EXPECT_LE(lc.upper_limits[i - 1].jd, u.jd); }
    }
    for (size_t i = 0; i < lc.forced_photometry.size(); ++i) {
        const auto &f = lc.forced_photometry[i];
        EXPECT_TRUE(fp_keys.emplace(f.jd, f.fid).second);
        if (i) { EXPECT_LE(lc.forced_photometry[i - 1].jd, f.jd); }
    }
    std::set<std::pair<double, int>> want_det, want_ul, want_fp;
    for (const auto &a : alerts) {
        want_det.emplace(*a.candidate.jd, *a.candidate.fid);
        if (a.prv_candidates)
            for (const auto &p : *a.prv_candidates) {
                if (p.forcediffimflux) want_fp.emplace(*p.jd, *p.fid);
                else if (p.magpsf) want_det.emplace(*p.jd, *p.fid);
                else want_ul.emplace(*p.jd, *p.fid);
            }
        if (a.fp_hists)
            for (const auto &f : *a.fp_hists) want_fp.emplace(*f.jd, *f.fid);
    }
    for (const auto &k : want_det) want_ul.erase(k);
    EXPECT_EQ(det_keys, want_det);
    EXPECT_EQ(ul_keys, want_ul);
    EXPECT_EQ(fp_keys, want_fp);
    for (const auto &a : alerts) {
        auto it = std::find_if(lc.detections.begin(), lc.detections.end(), [&](const LightCurvePoint &p) {
            return p.jd == *a.candidate.jd && p.fid == *a.candidate.fid;
        });
        ASSERT_NE(it, lc.detections.end());
        EXPECT_TRUE(it->from_candidate);
        EXPECT_EQ(it->source_candid, a.candid);
        EXPECT_EQ(it->magpsf, a.candidate.magpsf);
    }
}

TEST_F(PgStoreTest, LightCurvesAreMergedAndDeduplicated) {
    RIVULET_REQUIRE_SHARED("ztf-alerts/index.csv");
    WriteAll(*store_, CorpusAlerts());
    for (const std::string id : {"ZTF21abiuvdk", "ZTF19abegmle"}) {
        SCOPED_TRACE(id);
        const auto alerts = AlertsOf(id);
        ASSERT_FALSE(alerts.empty());
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

TEST_F(PgStoreTest, LightCurveDoesNotDependOnArrivalOrder) {
    RIVULET_REQUIRE_SHARED("ztf-alerts/index.csv");
    auto alerts = AlertsOf("ZTF21abiuvdk");
    std::sort(alerts.begin(), alerts.end(), [](const Alert &a, const Alert &b) { return *a.candidate.jd < *b.candidate.jd; });
    WriteAll(*store_, alerts, 5);
    const std::string other = NewDatabase();
    auto reversed_store = OpenPostgresStore(other);
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

TEST_F(PgStoreTest, SchemaThreeFivePrvCandidatesAreForcedPhotometry) {
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

TEST_F(PgStoreTest, ConeSearchFindsStoredObjectsWithinRadius) {
    RIVULET_REQUIRE_SHARED("ztf-alerts/index.csv");
    WriteAll(*store_, CorpusAlerts());
    const auto alerts = AlertsOf("ZTF21abiuvdk");
    const double ra = *alerts.front().candidate.ra, dec = *alerts.front().candidate.dec;
    auto near = store_->ConeSearchObjects(ra, dec, 2.0);
    ASSERT_FALSE(near.empty());
    EXPECT_EQ(near.front().objectId, "ZTF21abiuvdk");
    EXPECT_LT(near.front().sep_arcsec, 1.0);
    EXPECT_EQ(near.front().ndet, static_cast<int64_t>(store_->GetLightCurve("ZTF21abiuvdk")->detections.size()));
    EXPECT_LE(near.front().first_jd, near.front().last_jd);
    auto self = store_->ConeSearchObjects(near.front().ra, near.front().dec, 0.01);
    ASSERT_EQ(self.size(), 1u);
    EXPECT_NEAR(self.front().sep_arcsec, 0.0, 1e-6);
    EXPECT_TRUE(store_->ConeSearchObjects(near.front().ra + 0.01, near.front().dec, 1.0).empty());

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

TEST_F(PgStoreTest, ConeSearchAtPolesAndAcrossRaWrap) {
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
        add(360.0 * u(rng), 90.0 - 0.01 * u(rng));
        add(360.0 * u(rng), -90.0 + 0.01 * u(rng));
        double ra = std::fmod(360.0 + 0.01 * (u(rng) - 0.5), 360.0);
        add(ra, 0.01 * (u(rng) - 0.5));
    }
    auto s = store_->Write(alerts, {});
    ASSERT_EQ(s.stored, alerts.size());

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

TEST_F(PgStoreTest, ObjectPositionIsTheMeanAcrossRaWrap) {
    std::vector<Alert> alerts = {SyntheticAlert("ZTFwrap", 1, 359.9998, 10.0, 2460000.5),
                                 SyntheticAlert("ZTFwrap", 2, 0.0002, 10.0, 2460001.5)};
    store_->Write(alerts, {});
    auto m = store_->ConeSearchObjects(0.0, 10.0, 1.0);
    ASSERT_EQ(m.size(), 1u);
    EXPECT_NEAR(m[0].sep_arcsec, 0.0, 1e-6);
    EXPECT_EQ(m[0].ndet, 2);
    EXPECT_EQ(m[0].first_jd, 2460000.5);
    EXPECT_EQ(m[0].last_jd, 2460001.5);
}

TEST_F(PgStoreTest, RejectsBadConeArguments) {
    EXPECT_THROW(store_->ConeSearchObjects(10, 10, -1), RivuletError);
    EXPECT_THROW(store_->ConeSearchObjects(NAN, 10, 1), RivuletError);
    EXPECT_THROW(store_->ConeSearchObjects(10, 91, 1), RivuletError);
}

TEST_F(PgStoreTest, RejectionsAreCountedByReasonAndIdempotent) {
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

TEST_F(PgStoreTest, InvalidAlertMidBatchRollsBackEverything) {
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
    batch.pop_back();
    EXPECT_EQ(store_->Write(batch, rej).stored, 2u);
    EXPECT_EQ(store_->Stats().alerts, 2);
}

TEST_F(PgStoreTest, DatabaseFailureMidBatchRollsBackEverything) {
    RIVULET_REQUIRE_SHARED("ztf-alerts/index.csv");
    const auto &corpus = CorpusAlerts();
    std::vector<Alert> first(corpus.begin(), corpus.begin() + 10);
    store_->Write(first, {});
    const StoreStats before = store_->Stats();

    // Another client plants a trigger that fails the cutout insert of one alert in the middle of the next
    // batch, after that batch's alert rows were written. Not retriable: the Write throws at once.
    std::vector<Alert> second(corpus.begin() + 10, corpus.begin() + 40);
    int64_t victim = 0;
    for (size_t i = 20; i < second.size() && !victim; ++i)
        if (second[i].cutouts[0]) victim = second[i].candid;
    ASSERT_NE(victim, 0);
    OtherClient(uri_, "CREATE FUNCTION fail_once() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                      "IF NEW.candid = " + std::to_string(victim) +
                      " THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$; "
                      "CREATE TRIGGER fail_once BEFORE INSERT ON cutouts FOR EACH ROW EXECUTE FUNCTION fail_once()");
    const auto t0 = std::chrono::steady_clock::now();
    try {
        std::vector<Rejection> rej = {{999, "ZTFx", 1.0, "cut"}};
        store_->Write(second, rej);
        FAIL() << "expected a throw";
    } catch (const RivuletError &e) {
        EXPECT_EQ(e.kind(), ErrorKind::kStore);
        const std::string what = e.what();
        EXPECT_EQ(what.rfind(uri_ + ": ", 0), 0u) << what;
        EXPECT_NE(what.find("injected failure"), std::string::npos) << what;
        EXPECT_EQ(what.find("gave up"), std::string::npos) << "not retriable: " << what;
    }
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
    EXPECT_TRUE(SameStats(store_->Stats(), before));
    EXPECT_FALSE(store_->GetAlert(second.front().candid).has_value());
    EXPECT_FALSE(store_->RejectionReason(999).has_value());

    OtherClient(uri_, "DROP TRIGGER fail_once ON cutouts");
    auto s = store_->Write(second, {});
    EXPECT_EQ(s.stored + s.duplicates, second.size());
    EXPECT_GT(store_->Stats().alerts, before.alerts);
}

TEST_F(PgStoreTest, GetAlertReturnsCutoutsByteIdenticalAndTheFullCandidate) {
    RIVULET_REQUIRE_SHARED("ztf-alerts/index.csv");
    const auto &alerts = CorpusAlerts();
    WriteAll(*store_, alerts);
    std::set<int64_t> seen;
    for (const auto &a : alerts) {
        if (!seen.insert(a.candid).second) continue;
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
        auto j = nlohmann::json::parse(got->candidate_json);
        EXPECT_EQ(j.size(), a.candidate.present.count());
        EXPECT_EQ(j["jd"].get<double>(), *a.candidate.jd);
        EXPECT_EQ(j["candid"].get<int64_t>(), a.candid);
        if (a.candidate.magpsf) { EXPECT_EQ(j["magpsf"].get<float>(), *a.candidate.magpsf); }
    }
    EXPECT_FALSE(store_->GetAlert(42).has_value());
}

TEST_F(PgStoreTest, SchemaVersionIsRecordedAndNewerVersionsAreRefused) {
    store_.reset();
    EXPECT_EQ(OtherClient(uri_, "SELECT version FROM schema_version"), std::to_string(kPostgresStoreSchemaVersion));
    EXPECT_EQ(OtherClient(uri_, "SELECT count(*) FROM pg_indexes WHERE indexdef LIKE '%q3c_ang2ipix%'"), "2");
    OtherClient(uri_, "UPDATE schema_version SET version = 99");
    try {
        OpenPostgresStore(uri_);
        FAIL() << "expected a throw";
    } catch (const RivuletError &e) {
        EXPECT_EQ(e.kind(), ErrorKind::kStore);
        EXPECT_NE(std::string(e.what()).find("newer"), std::string::npos) << e.what();
    }
    // Somebody else's table under one of our names, and no schema_version: not ours to write.
    const std::string foreign = NewDatabase();
    OtherClient(foreign, "CREATE TABLE alerts (x int)");
    try {
        OpenPostgresStore(foreign);
        FAIL() << "expected a throw";
    } catch (const RivuletError &e) {
        EXPECT_NE(std::string(e.what()).find("not a Rivulet store"), std::string::npos) << e.what();
    }
    // A server that is not there: kStore at open, the message names the URI without its password.
    try {
        OpenPostgresStore("postgresql://rivulet:s3cret@127.0.0.1:1/nowhere?connect_timeout=2");
        FAIL() << "expected a throw";
    } catch (const RivuletError &e) {
        const std::string what = e.what();
        EXPECT_EQ(e.kind(), ErrorKind::kStore);
        EXPECT_EQ(what.find("s3cret"), std::string::npos) << what;
        EXPECT_NE(what.find("postgresql://rivulet@127.0.0.1:1/nowhere"), std::string::npos) << what;
    }
}

TEST(PgConnectionStringTest, PasswordsAreRedacted) {
    EXPECT_EQ(RedactConnectionString("postgresql://u:pw@h:5432/db"), "postgresql://u@h:5432/db");
    EXPECT_EQ(RedactConnectionString("postgres://u@h/db?password=pw&sslmode=require"),
              "postgres://u@h/db?sslmode=require");
    EXPECT_EQ(RedactConnectionString("postgresql://u@h/db?sslmode=require&password=pw"),
              "postgresql://u@h/db?sslmode=require");
    EXPECT_EQ(RedactConnectionString("host=h password=pw dbname=db"), "host=h dbname=db");
    EXPECT_EQ(RedactConnectionString("host=h password = 'p w\\'x' dbname=db"), "host=h dbname=db");
    EXPECT_EQ(RedactConnectionString("postgresql://h/db"), "postgresql://h/db");
    EXPECT_TRUE(IsRetriableSqlState("08006"));
    EXPECT_TRUE(IsRetriableSqlState("57P01"));
    EXPECT_TRUE(IsRetriableSqlState("40P01"));
    EXPECT_FALSE(IsRetriableSqlState("23505"));
    EXPECT_FALSE(IsRetriableSqlState("P0001"));
}

// Field-by-field equality of the light-curve records (they have no operator==).
#define RIVULET_EXPECT_FIELDS_EQ(a, b, ...)                                                       \
    do {                                                                                          \
        const auto &x_ = (a);                                                                     \
        const auto &y_ = (b);                                                                     \
        auto tie_ = [](const auto &r) {                                                           \
            const auto &[__VA_ARGS__] = r;                                                        \
            return std::tie(__VA_ARGS__);                                                         \
        };                                                                                        \
        EXPECT_TRUE(tie_(x_) == tie_(y_));                                                        \
    } while (0)

void ExpectSameLightCurve(const LightCurve &a, const LightCurve &b) {
    ASSERT_EQ(a.detections.size(), b.detections.size());
    ASSERT_EQ(a.upper_limits.size(), b.upper_limits.size());
    ASSERT_EQ(a.forced_photometry.size(), b.forced_photometry.size());
    for (size_t i = 0; i < a.detections.size(); ++i) {
        SCOPED_TRACE(::testing::Message() << "detection " << i);
        RIVULET_EXPECT_FIELDS_EQ(a.detections[i], b.detections[i], f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11,
                                 f12, f13, f14, f15, f16, f17, f18, f19);
    }
    for (size_t i = 0; i < a.upper_limits.size(); ++i) {
        SCOPED_TRACE(::testing::Message() << "upper limit " << i);
        RIVULET_EXPECT_FIELDS_EQ(a.upper_limits[i], b.upper_limits[i], f0, f1, f2, f3, f4, f5, f6, f7);
    }
    for (size_t i = 0; i < a.forced_photometry.size(); ++i) {
        SCOPED_TRACE(::testing::Message() << "forced photometry " << i);
        RIVULET_EXPECT_FIELDS_EQ(a.forced_photometry[i], b.forced_photometry[i], f0, f1, f2, f3, f4, f5, f6, f7, f8,
                                 f9, f10, f11, f12, f13, f14, f15, f16, f17);
    }
}

void ExpectSameCone(const std::vector<ConeMatch> &a, const std::vector<ConeMatch> &b) {
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) {
        EXPECT_EQ(a[i].objectId, b[i].objectId);
        EXPECT_EQ(a[i].ra, b[i].ra);  // exact: both fold the same unit vectors in the same order
        EXPECT_EQ(a[i].dec, b[i].dec);
        EXPECT_EQ(a[i].sep_arcsec, b[i].sep_arcsec);
        EXPECT_EQ(a[i].ndet, b[i].ndet);
        EXPECT_EQ(a[i].first_jd, b[i].first_jd);
        EXPECT_EQ(a[i].last_jd, b[i].last_jd);
    }
}

TEST_F(PgStoreTest, SameResultsAsTheSqliteStore) {
    RIVULET_REQUIRE_SHARED("ztf-alerts/index.csv");
    testing::TempDir dir;
    auto sqlite = OpenSqliteStore(dir / "alerts.sqlite");
    const auto &alerts = CorpusAlerts();
    std::vector<Rejection> rej;
    for (size_t i = 0; i < alerts.size(); i += 7)
        rej.push_back({alerts[i].candid + 1, alerts[i].objectId, *alerts[i].candidate.jd, i % 2 ? "rb" : "bogus"});
    // The same batches, each with some rejections; then everything again (all duplicates).
    for (int round = 0; round < 2; ++round)
        for (size_t i = 0, r = 0; i < alerts.size(); i += 64, r += 10) {
            const auto batch = std::span(alerts).subspan(i, std::min<size_t>(64, alerts.size() - i));
            const auto rbatch = std::span(rej).subspan(std::min(r, rej.size()), std::min<size_t>(10, rej.size() - std::min(r, rej.size())));
            const auto s = sqlite->Write(batch, rbatch);
            const auto p = store_->Write(batch, rbatch);
            EXPECT_EQ(s.stored, p.stored);
            EXPECT_EQ(s.duplicates, p.duplicates);
            EXPECT_EQ(s.is_new, p.is_new);
            EXPECT_EQ(s.rejections_recorded, p.rejections_recorded);
            EXPECT_EQ(s.rejection_duplicates, p.rejection_duplicates);
        }
    const StoreStats ss = sqlite->Stats(), ps = store_->Stats();
    EXPECT_TRUE(SameStats(ss, ps)) << "sqlite: " << Describe(ss) << "\npostgres: " << Describe(ps);

    std::set<std::string> objects;
    for (const auto &a : alerts) objects.insert(a.objectId);
    for (const auto &id : objects) {
        SCOPED_TRACE(id);
        auto a = sqlite->GetLightCurve(id), b = store_->GetLightCurve(id);
        ASSERT_TRUE(a && b);
        ExpectSameLightCurve(*a, *b);
        EXPECT_EQ(sqlite->AlertCandids(id), store_->AlertCandids(id));
    }
    // Cone searches: every object at its own position, a few radii around it, and the whole sky.
    ExpectSameCone(sqlite->ConeSearchObjects(0, 90, 180 * 3600.0), store_->ConeSearchObjects(0, 90, 180 * 3600.0));
    for (const auto &m : sqlite->ConeSearchObjects(0, -90, 180 * 3600.0))
        for (double radius : {0.5, 30.0, 3600.0 * 3})
            ExpectSameCone(sqlite->ConeSearchObjects(m.ra, m.dec, radius), store_->ConeSearchObjects(m.ra, m.dec, radius));

    std::set<int64_t> seen;
    for (const auto &al : alerts) {
        if (!seen.insert(al.candid).second) continue;
        auto a = sqlite->GetAlert(al.candid), b = store_->GetAlert(al.candid);
        ASSERT_TRUE(a && b);
        EXPECT_EQ(a->objectId, b->objectId);
        EXPECT_EQ(a->jd, b->jd);
        EXPECT_EQ(a->fid, b->fid);
        EXPECT_EQ(a->ra, b->ra);
        EXPECT_EQ(a->dec, b->dec);
        EXPECT_EQ(a->magpsf, b->magpsf);
        EXPECT_EQ(a->sigmapsf, b->sigmapsf);
        EXPECT_EQ(a->rb, b->rb);
        EXPECT_EQ(a->drb, b->drb);
        EXPECT_EQ(a->isdiffpos, b->isdiffpos);
        EXPECT_EQ(a->programid, b->programid);
        EXPECT_EQ(a->schemavsn, b->schemavsn);
        EXPECT_EQ(a->candidate_json, b->candidate_json);
        for (int k = 0; k < 3; ++k) {
            ASSERT_EQ(a->cutouts[k].has_value(), b->cutouts[k].has_value());
            if (a->cutouts[k]) {
                EXPECT_EQ(a->cutouts[k]->file_name, b->cutouts[k]->file_name);
                EXPECT_TRUE(a->cutouts[k]->stamp_data == b->cutouts[k]->stamp_data);
            }
        }
    }
    for (const auto &r : rej) EXPECT_EQ(sqlite->RejectionReason(r.candid), store_->RejectionReason(r.candid));
}

TEST_F(PgStoreTest, ReconnectsAfterTheBackendIsTerminatedBetweenWrites) {
    RIVULET_REQUIRE_SHARED("ztf-alerts/index.csv");
    const auto &corpus = CorpusAlerts();
    const std::span<const Alert> first(corpus.data(), 50), second(corpus.data() + 50, 50);
    store_->Write(first, {});
    const auto pid_before = OtherClient(uri_, "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                                              "AND application_name = 'rivulet'");
    ASSERT_FALSE(pid_before.empty());
    EXPECT_EQ(OtherClient(uri_, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                "WHERE datname = current_database() AND pid <> pg_backend_pid()"),
              "1");
    // The next Write finds the connection gone, reconnects and stores the batch: nothing lost.
    const auto s = store_->Write(second, {});
    EXPECT_EQ(s.stored + s.duplicates, second.size());
    EXPECT_GT(s.stored, 0u);
    const auto pid_after = OtherClient(uri_, "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                                             "AND application_name = 'rivulet'");
    EXPECT_NE(pid_after, pid_before);
    std::set<int64_t> candids;
    for (const auto &a : std::span(corpus).subspan(0, 100)) candids.insert(a.candid);
    EXPECT_EQ(store_->Stats().alerts, static_cast<int64_t>(candids.size()));
    // Reads reconnect too.
    OtherClient(uri_, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
                      "AND pid <> pg_backend_pid()");
    EXPECT_TRUE(store_->GetAlert(corpus[60].candid).has_value());
}

TEST_F(PgStoreTest, RetriesTheWholeTransactionWhenTheBackendDiesMidWrite) {
    RIVULET_REQUIRE_SHARED("ztf-alerts/index.csv");
    const auto &corpus = CorpusAlerts();
    std::vector<Alert> batch;
    std::set<int64_t> candids;
    for (const auto &a : corpus)
        if (batch.size() < 60 && candids.insert(a.candid).second) batch.push_back(a);
    // The first cutout row of the transaction kills its own backend (a sequence is not rolled back, so
    // only once): the transaction dies half-written, after its alert rows.
    OtherClient(uri_, "CREATE SEQUENCE kill_seq; "
                      "CREATE FUNCTION kill_once() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                      "IF nextval('kill_seq') = 1 THEN PERFORM pg_terminate_backend(pg_backend_pid()); "
                      "PERFORM pg_sleep(5); END IF; RETURN NEW; END $$; "
                      "CREATE TRIGGER kill_once BEFORE INSERT ON cutouts FOR EACH ROW EXECUTE FUNCTION kill_once()");
    const auto s = store_->Write(batch, {});
    // The first attempt rolled back, so the retry stored every alert (none counted as a duplicate).
    EXPECT_EQ(s.stored, batch.size());
    EXPECT_EQ(s.duplicates, 0u);
    EXPECT_GT(std::stoll(OtherClient(uri_, "SELECT last_value FROM kill_seq")), 1);
    EXPECT_EQ(store_->Stats().alerts, static_cast<int64_t>(batch.size()));
    for (const auto &a : batch) EXPECT_TRUE(store_->GetAlert(a.candid).has_value());
}

TEST_F(PgStoreTest, GivesUpAfterBoundedRetriesAndRecoversWhenTheServerReturns) {
    auto &server = SharedPostgresServer();
    PostgresStoreOptions opts;
    opts.max_attempts = 3;
    opts.initial_backoff = std::chrono::milliseconds(10);
    opts.max_backoff = std::chrono::milliseconds(50);
    store_ = OpenPostgresStore(uri_, opts);
    store_->Write(std::vector<Alert>{SyntheticAlert("ZTFout1", 1, 10, 10)}, {});
    server.Stop();
    try {
        store_->Write(std::vector<Alert>{SyntheticAlert("ZTFout2", 2, 11, 11)}, {});
        ADD_FAILURE() << "expected a throw";
    } catch (const RivuletError &e) {
        EXPECT_EQ(e.kind(), ErrorKind::kStore);
        EXPECT_NE(std::string(e.what()).find("gave up after 3 attempts"), std::string::npos) << e.what();
    }
    // An outage shorter than the retry budget: the server comes back while the Write backs off.
    store_ = nullptr;
    ASSERT_TRUE(server.Restart()) << "restart failed";
    PostgresStoreOptions patient_opts = FastRetry();
    patient_opts.max_attempts = 100;
    patient_opts.max_backoff = std::chrono::milliseconds(200);
    auto patient = OpenPostgresStore(uri_, patient_opts);
    server.Stop();
    bool restarted = false;
    std::thread restarter([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(1500));
        restarted = server.Restart();
    });
    std::optional<WriteSummary> s;
    std::string error;
    const auto t0 = std::chrono::steady_clock::now();
    try {
        s = patient->Write(std::vector<Alert>{SyntheticAlert("ZTFout2", 2, 11, 11)}, {});
    } catch (const std::exception &e) {
        error = e.what();
    }
    restarter.join();
    ASSERT_TRUE(restarted) << "restart failed";
    ASSERT_TRUE(s.has_value()) << error;
    EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(1500));  // it waited for the server
    EXPECT_EQ(s->stored, 1u);
    EXPECT_EQ(patient->Stats().alerts, 2);
}

TEST_F(PgStoreTest, ConcurrentWritersStoreEveryAlertOnce) {
    RIVULET_REQUIRE_SHARED("ztf-alerts/index.csv");
    const auto &alerts = CorpusAlerts();
    // Two processes' worth of writers (two connections) on overlapping, differently ordered batches.
    std::vector<Alert> reversed(alerts.rbegin(), alerts.rend());
    std::atomic<size_t> stored{0};
    auto writer = [&](const std::vector<Alert> &order) {
        auto store = OpenPostgresStore(uri_, FastRetry());
        for (size_t i = 0; i < order.size(); i += 50)
            stored += store->Write(std::span(order).subspan(i, std::min<size_t>(50, order.size() - i)), {}).stored;
    };
    std::thread a(writer, std::cref(alerts)), b(writer, std::cref(reversed));
    a.join();
    b.join();
    std::set<int64_t> candids;
    std::set<std::string> objects;
    for (const auto &al : alerts) {
        candids.insert(al.candid);
        objects.insert(al.objectId);
    }
    EXPECT_EQ(stored.load(), candids.size());
    testing::TempDir dir;
    auto sqlite = OpenSqliteStore(dir / "alerts.sqlite");
    WriteAll(*sqlite, alerts);
    // Copies of one candid (re-encodings) may differ in which cutouts they carry, and the first copy
    // stored wins: the cutout count lies between the fewest and the most per candid.
    StoreStats want = sqlite->Stats(), got = store_->Stats();
    std::map<int64_t, std::pair<int64_t, int64_t>> cut_range;
    for (const auto &al : alerts) {
        int64_t n = 0;
        for (const auto &c : al.cutouts) n += c.has_value();
        auto [it, fresh] = cut_range.emplace(al.candid, std::pair(n, n));
        if (!fresh) it->second = {std::min(it->second.first, n), std::max(it->second.second, n)};
    }
    int64_t fewest = 0, most = 0;
    for (const auto &[_, r] : cut_range) {
        fewest += r.first;
        most += r.second;
    }
    EXPECT_GE(got.cutouts, fewest);
    EXPECT_LE(got.cutouts, most);
    want.cutouts = got.cutouts;
    EXPECT_TRUE(SameStats(want, got)) << "sqlite: " << Describe(want) << "\npostgres: " << Describe(got);
    // The same epochs as one writer would store. (Which record an epoch keeps may differ: the corpus has
    // alerts with different candids at one (jd, fid), and then the first stored wins in either backend.)
    auto epochs = [](const auto &points) {
        std::vector<std::pair<double, int>> out;
        for (const auto &p : points) out.emplace_back(p.jd, p.fid);
        return out;
    };
    for (const auto &id : objects) {
        SCOPED_TRACE(id);
        auto got = store_->GetLightCurve(id), want = sqlite->GetLightCurve(id);
        ASSERT_TRUE(got && want);
        EXPECT_EQ(epochs(got->detections), epochs(want->detections));
        EXPECT_EQ(epochs(got->upper_limits), epochs(want->upper_limits));
        EXPECT_EQ(epochs(got->forced_photometry), epochs(want->forced_photometry));
        for (const auto &p : got->detections) EXPECT_TRUE(p.magpsf.has_value());
        EXPECT_EQ(store_->AlertCandids(id), sqlite->AlertCandids(id));
    }
}

TEST_F(PgStoreTest, WriteThroughputOfFiveHundredRealAlerts) {
    RIVULET_REQUIRE_SHARED("ztf-alerts/index.csv");
    std::vector<Alert> batch;
    std::set<int64_t> candids;
    size_t bytes = 0;
    for (const auto &a : CorpusAlerts()) {
        if (batch.size() == 500 || !a.cutouts[0] || !candids.insert(a.candid).second) continue;
        batch.push_back(a);
        for (const auto &c : a.cutouts) bytes += c ? c->stamp_data.size() : 0;
    }
    ASSERT_EQ(batch.size(), 500u);
    auto time_write = [&](Store &store, size_t per_write) {
        const auto t0 = std::chrono::steady_clock::now();
        const auto s = WriteAll(store, batch, per_write);
        const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        EXPECT_EQ(s.stored, batch.size());
        return batch.size() / sec;
    };
    for (size_t per_write : {500u, 100u}) {
        double best_pg = 0, best_sqlite = 0;
        for (int run = 0; run < 3; ++run) {
            auto pg = OpenPostgresStore(NewDatabase());
            best_pg = std::max(best_pg, time_write(*pg, per_write));
            testing::TempDir dir;
            auto sqlite = OpenSqliteStore(dir / "alerts.sqlite");
            best_sqlite = std::max(best_sqlite, time_write(*sqlite, per_write));
        }
        std::cout << "[ figures  ] 500 real alerts (" << bytes / 1024 << " KiB of cutouts), " << per_write
                  << " per Write: PostgreSQL " << static_cast<int>(best_pg) << " alerts/s, SQLite "
                  << static_cast<int>(best_sqlite) << " alerts/s (best of 3)\n";
        RecordProperty("pg_alerts_per_s_" + std::to_string(per_write), static_cast<int>(best_pg));
        RecordProperty("sqlite_alerts_per_s_" + std::to_string(per_write), static_cast<int>(best_sqlite));
    }
}

}  // namespace
}  // namespace rivulet
