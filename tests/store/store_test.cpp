// What only the SQLite store has: its schema version in PRAGMA user_version, and the append-only cutout
// file beside it (cutout_file.hpp). The behaviours it shares with the PostgreSQL store are tested on both
// in store_backends_test.cpp.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "store/cutout_file.hpp"
#include "store/sqlite_store.hpp"
#include "support/synthetic_alert.hpp"
#include "support/temp_dir.hpp"

namespace rivulet {
namespace {

TEST(StoreTest, SchemaVersionIsRecordedAndNewerVersionsAreRefused) {
    testing::TempDir dir;
    const auto path = dir / "alerts.sqlite";
    OpenSqliteStore(path);
    sqlite3 *raw = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
    sqlite3_stmt *st = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(raw, "PRAGMA user_version", -1, &st, nullptr), SQLITE_OK);
    ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
    EXPECT_EQ(sqlite3_column_int(st, 0), kSqliteStoreSchemaVersion);
    sqlite3_finalize(st);
    ASSERT_EQ(sqlite3_exec(raw, "PRAGMA user_version = 99", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(raw);
    try {
        OpenSqliteStore(path);
        FAIL() << "expected a throw";
    } catch (const RivuletError &e) {
        EXPECT_EQ(e.kind(), ErrorKind::kStore);
        EXPECT_NE(std::string(e.what()).find("newer"), std::string::npos) << e.what();
    }
    EXPECT_THROW(OpenSqliteStore(dir / "no_such_dir" / "x.sqlite"), RivuletError);
}

namespace fs = std::filesystem;

// An alert with three stamps of random bytes (sizes differ per kind, so offsets cannot line up by luck).
Alert AlertWithStamps(int64_t candid, std::mt19937 &rng) {
    Alert a = testing::SyntheticAlert("ZTF24stamp" + std::to_string(candid % 7), candid, 10.0 + candid * 1e-3, 5.0);
    for (int k = 0; k < 3; ++k) {
        std::vector<uint8_t> bytes(1000 + 977 * k + candid % 13);
        for (auto &b : bytes) b = static_cast<uint8_t>(rng());
        a.cutouts[k] = Cutout{"candid" + std::to_string(candid) + "_" + std::to_string(k) + ".fits.gz", bytes};
    }
    return a;
}

void ExpectSameStamps(Store &store, const Alert &a) {
    auto got = store.GetAlert(a.candid);
    ASSERT_TRUE(got.has_value()) << a.candid;
    for (int k = 0; k < 3; ++k) {
        ASSERT_TRUE(got->cutouts[k].has_value()) << a.candid << " kind " << k;
        EXPECT_EQ(got->cutouts[k]->file_name, a.cutouts[k]->file_name);
        EXPECT_TRUE(got->cutouts[k]->stamp_data == a.cutouts[k]->stamp_data) << a.candid << " kind " << k;
    }
}

int64_t StampBytes(const std::vector<Alert> &alerts) {
    int64_t n = 0;
    for (const auto &a : alerts)
        for (const auto &c : a.cutouts) n += static_cast<int64_t>(c->stamp_data.size());
    return n;
}

int64_t QueryInt(const fs::path &db, const std::string &sql) {
    sqlite3 *raw = nullptr;
    EXPECT_EQ(sqlite3_open(db.c_str(), &raw), SQLITE_OK);
    sqlite3_stmt *st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(raw, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sqlite3_errmsg(raw);
    const int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    sqlite3_close(raw);
    return v;
}

void Exec(const fs::path &db, const std::string &sql) {
    sqlite3 *raw = nullptr;
    ASSERT_EQ(sqlite3_open(db.c_str(), &raw), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(raw);
    sqlite3_close(raw);
}

constexpr int64_t kHeaderBytes = 16;

TEST(StoreTest, StampsAreAppendedOnceToTheFileBesideTheStore) {
    testing::TempDir dir;
    const fs::path db = dir / "alerts.db";
    const fs::path file = CutoutFile::PathFor(db);
    EXPECT_EQ(file, dir / "alerts.db.cutouts");
    std::mt19937 rng(7);
    std::vector<Alert> first, second;
    for (int64_t c = 1; c <= 5; ++c) first.push_back(AlertWithStamps(c, rng));
    for (int64_t c = 6; c <= 9; ++c) second.push_back(AlertWithStamps(c, rng));
    {
        auto store = OpenSqliteStore(db);
        EXPECT_FALSE(fs::exists(file)) << "a store that has not written creates no cutout file";
        EXPECT_EQ(store->Write(first, {}).stored, 5u);
        EXPECT_EQ(static_cast<int64_t>(fs::file_size(file)), kHeaderBytes + StampBytes(first));
        // A batch of duplicates writes no stamp.
        EXPECT_EQ(store->Write(first, {}).duplicates, 5u);
        EXPECT_EQ(static_cast<int64_t>(fs::file_size(file)), kHeaderBytes + StampBytes(first));
        EXPECT_EQ(store->Write(second, {}).stored, 4u);
        EXPECT_EQ(store->Stats().cutouts, 27);
    }
    EXPECT_EQ(static_cast<int64_t>(fs::file_size(file)), kHeaderBytes + StampBytes(first) + StampBytes(second));
    EXPECT_EQ(QueryInt(db, "SELECT count(*) FROM cutouts"), 0) << "no stamp inside the database";
    EXPECT_EQ(QueryInt(db, "SELECT count(*) FROM cutout_locations"), 27);
    auto store = OpenSqliteStore(db);
    for (const auto &a : first) ExpectSameStamps(*store, a);
    for (const auto &a : second) ExpectSameStamps(*store, a);
}

TEST(StoreTest, StoresSharingOneFileAppendAfterEachOtherAndAfterACrashedWriter) {
    testing::TempDir dir;
    const fs::path db = dir / "alerts.db";
    std::mt19937 rng(11);
    auto one = OpenSqliteStore(db);
    auto two = OpenSqliteStore(db);  // another writer, as a second consumer process would be
    std::vector<Alert> all;
    for (int64_t c = 1; c <= 12; ++c) {
        all.push_back(AlertWithStamps(c, rng));
        if (c == 7) {
            // A writer killed between writing its stamps and committing leaves bytes nothing points to.
            std::ofstream(CutoutFile::PathFor(db), std::ios::app | std::ios::binary) << std::string(333, 'x');
        }
        Store &writer = (c % 3 == 0) ? *two : *one;
        EXPECT_EQ(writer.Write(std::vector<Alert>{all.back()}, {}).stored, 1u);
    }
    for (const auto &a : all) {
        ExpectSameStamps(*one, a);
        ExpectSameStamps(*two, a);
    }
}

TEST(StoreTest, FailedBatchLeavesNoStampBehindAndTheStoreGoesOn) {
    testing::TempDir dir;
    const fs::path db = dir / "alerts.db";
    std::mt19937 rng(3);
    std::vector<Alert> batch;
    for (int64_t c = 1; c <= 4; ++c) batch.push_back(AlertWithStamps(c, rng));
    auto store = OpenSqliteStore(db);
    store->Write(std::vector<Alert>{batch[0]}, {});
    const auto size_before = fs::file_size(CutoutFile::PathFor(db));
    Exec(db, "CREATE TRIGGER fail_once BEFORE INSERT ON cutout_locations WHEN NEW.candid = 3 "
             "BEGIN SELECT RAISE(ABORT, 'injected failure'); END;");
    EXPECT_THROW(store->Write(batch, {}), RivuletError);
    EXPECT_EQ(fs::file_size(CutoutFile::PathFor(db)), size_before);
    EXPECT_EQ(store->Stats().cutouts, 3);
    Exec(db, "DROP TRIGGER fail_once");
    // A failure after the batch's stamps were written (rejections go last): they are cut off again.
    Exec(db, "CREATE TRIGGER fail_rejection BEFORE INSERT ON rejections "
             "BEGIN SELECT RAISE(ABORT, 'injected failure'); END;");
    const std::vector<Rejection> rejected = {{77, "ZTF24rejected", 2460000.5, "some_cut"}};
    EXPECT_THROW(store->Write(batch, rejected), RivuletError);
    EXPECT_EQ(fs::file_size(CutoutFile::PathFor(db)), size_before);
    Exec(db, "DROP TRIGGER fail_rejection");
    EXPECT_EQ(store->Write(batch, {}).stored, 3u);
    for (const auto &a : batch) ExpectSameStamps(*store, a);
}

TEST(StoreTest, DamagedTruncatedOrMissingCutoutFileIsAnErrorNamingTheStamp) {
    testing::TempDir dir;
    const fs::path db = dir / "alerts.db";
    const fs::path file = CutoutFile::PathFor(db);
    std::mt19937 rng(5);
    const std::vector<Alert> alerts = {AlertWithStamps(1, rng), AlertWithStamps(2, rng)};
    OpenSqliteStore(db)->Write(alerts, {});
    const auto expect_error = [&](int64_t candid, const std::string &reason) {
        auto store = OpenSqliteStore(db);
        try {
            store->GetAlert(candid);
            ADD_FAILURE() << "expected a throw for " << reason;
        } catch (const RivuletError &e) {
            const std::string what = e.what();
            EXPECT_EQ(e.kind(), ErrorKind::kStore);
            EXPECT_EQ(what.rfind(file.string() + ": ", 0), 0u) << what;
            EXPECT_NE(what.find(reason), std::string::npos) << what;
            if (reason != "missing") {
                EXPECT_NE(what.find("candid " + std::to_string(candid)), std::string::npos) << what;
            }
        }
        // The rest of the store stays readable.
        EXPECT_EQ(store->Stats().alerts, 2);
    };
    // One flipped byte inside the first alert's template stamp.
    {
        std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(kHeaderBytes + static_cast<int64_t>(alerts[0].cutouts[0]->stamp_data.size()) + 10);
        f.put(static_cast<char>(alerts[0].cutouts[1]->stamp_data[10] ^ 0x40));
    }
    expect_error(1, "CRC-32");
    ExpectSameStamps(*OpenSqliteStore(db), alerts[1]);
    fs::resize_file(file, fs::file_size(file) - 100);
    expect_error(2, "past the end");
    fs::remove(file);
    expect_error(2, "missing");
}

TEST(StoreTest, VersionTwoStoreKeepsItsStampsAndWritesNewOnesToTheFile) {
    testing::TempDir dir;
    const fs::path db = dir / "alerts.db";
    std::mt19937 rng(9);
    const Alert old_alert = AlertWithStamps(1, rng), new_alert = AlertWithStamps(2, rng);
    // A schema version 2 store: stamps as blobs in `cutouts`, no cutout_locations table, no cutout file.
    OpenSqliteStore(db)->Write(std::vector<Alert>{old_alert}, {});
    {
        sqlite3 *raw = nullptr;
        ASSERT_EQ(sqlite3_open(db.c_str(), &raw), SQLITE_OK);
        for (int k = 0; k < 3; ++k) {
            sqlite3_stmt *st = nullptr;
            ASSERT_EQ(sqlite3_prepare_v2(raw, "INSERT INTO cutouts SELECT candid, kind, file_name, ?1 FROM cutout_locations "
                                              "WHERE candid = 1 AND kind = ?2", -1, &st, nullptr), SQLITE_OK);
            const auto &bytes = old_alert.cutouts[k]->stamp_data;
            sqlite3_bind_blob(st, 1, bytes.data(), static_cast<int>(bytes.size()), SQLITE_STATIC);
            const char *kinds[] = {"cutoutScience", "cutoutTemplate", "cutoutDifference"};
            sqlite3_bind_text(st, 2, kinds[k], -1, SQLITE_STATIC);
            ASSERT_EQ(sqlite3_step(st), SQLITE_DONE) << sqlite3_errmsg(raw);
            sqlite3_finalize(st);
        }
        ASSERT_EQ(sqlite3_exec(raw, "DROP TABLE cutout_locations; PRAGMA user_version = 2", nullptr, nullptr, nullptr),
                  SQLITE_OK);
        sqlite3_close(raw);
    }
    fs::remove(CutoutFile::PathFor(db));
    ASSERT_EQ(QueryInt(db, "SELECT count(*) FROM cutouts"), 3);
    auto store = OpenSqliteStore(db);  // migrates to version 3
    EXPECT_EQ(QueryInt(db, "PRAGMA user_version"), kSqliteStoreSchemaVersion);
    ExpectSameStamps(*store, old_alert);
    EXPECT_EQ(store->Write(std::vector<Alert>{new_alert}, {}).stored, 1u);
    ExpectSameStamps(*store, new_alert);
    EXPECT_EQ(store->Stats().cutouts, 6);
    EXPECT_EQ(QueryInt(db, "SELECT count(*) FROM cutouts"), 3);
}

TEST(StoreTest, InMemoryStoreKeepsStampsInTheDatabase) {
    std::mt19937 rng(1);
    const Alert a = AlertWithStamps(4, rng);
    auto store = OpenSqliteStore(":memory:");
    EXPECT_EQ(store->Write(std::vector<Alert>{a}, {}).stored, 1u);
    ExpectSameStamps(*store, a);
    EXPECT_EQ(store->Stats().cutouts, 3);
    EXPECT_FALSE(fs::exists(":memory:.cutouts"));
}

}  // namespace
}  // namespace rivulet
