// The PostgreSQL store against a throwaway PostgreSQL 15 + Q3C cluster (tests/support/postgres_server.hpp):
// parity with the SQLite store on the same alerts, schema versioning, riding out a lost connection,
// concurrent writers and write throughput. The behaviours it shares with the SQLite store (idempotent
// writes of the real alert corpus, merged light curves, cone search at the poles and across RA 0/360,
// rejections, rollback, byte-exact cutouts) are tested on both in store_backends_test.cpp.

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <thread>

#include "common/error.hpp"
#include "store/pg_connection.hpp"
#include "store/pg_store.hpp"
#include "store/sqlite_store.hpp"
#include "support/postgres_server.hpp"
#include "support/shared_data.hpp"
#include "support/synthetic_alert.hpp"
#include "support/temp_dir.hpp"
#include "store_test_support.hpp"

namespace rivulet {
namespace {

using testing::CorpusAlerts;
using testing::Describe;
using testing::SameStats;
using testing::SharedPostgresServer;
using testing::SyntheticAlert;
using testing::WriteAll;

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

    std::string uri_;
    std::unique_ptr<Store> store_;
};

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
