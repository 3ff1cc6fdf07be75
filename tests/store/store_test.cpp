// What only the SQLite store has: its schema version in PRAGMA user_version. The behaviours it shares
// with the PostgreSQL store are tested on both in store_backends_test.cpp.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>

#include "common/error.hpp"
#include "store/sqlite_store.hpp"
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

}  // namespace
}  // namespace rivulet
