// SqliteCheckpointer: WAL frames reach the database file without the writer checkpointing, and the WAL
// restarts from its start once a background checkpoint has copied everything.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "store/sqlite_checkpointer.hpp"

namespace fs = std::filesystem;

namespace {

struct Db {
    explicit Db(const fs::path &path) {
        EXPECT_EQ(sqlite3_open(path.c_str(), &handle), SQLITE_OK);
        Exec("PRAGMA journal_mode = WAL");
        Exec("PRAGMA wal_autocheckpoint = 0");  // only the checkpointer may copy frames
    }
    ~Db() { sqlite3_close(handle); }
    void Exec(const std::string &sql) {
        char *err = nullptr;
        EXPECT_EQ(sqlite3_exec(handle, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
        sqlite3_free(err);
    }
    // 50 rows of 4 kB: ~50 WAL frames of 4 kB pages in one commit.
    void WriteBatch(int batch) {
        Exec("BEGIN");
        for (int i = 0; i < 50; ++i)
            Exec("INSERT INTO t VALUES (" + std::to_string(batch * 50 + i) + ", randomblob(4000))");
        Exec("COMMIT");
    }
    sqlite3 *handle = nullptr;
};

class Checkpointer : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("rivulet_ckpt_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }
    fs::path dir_;
};

// Waits up to 10 s for `done`.
template <class F>
bool Eventually(F done) {
    for (int i = 0; i < 1000; ++i) {
        if (done()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return done();
}

TEST_F(Checkpointer, BackgroundThreadCopiesTheWalIntoTheDatabase) {
    const fs::path path = dir_ / "a.db";
    Db db(path);
    db.Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, b BLOB)");
    const auto before = fs::file_size(path);
    rivulet::SqliteCheckpointer checkpointer(db.handle, path.string(), 20, 1 << 20);
    db.WriteBatch(0);
    // Only a checkpoint writes table pages into the database file itself.
    EXPECT_TRUE(Eventually([&] { return fs::file_size(path) > before + 100 * 1000; }))
        << "database file stayed at " << fs::file_size(path) << " bytes";
}

TEST_F(Checkpointer, WalRestartsInsteadOfGrowing) {
    const fs::path path = dir_ / "b.db";
    Db db(path);
    db.Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, b BLOB)");
    rivulet::SqliteCheckpointer checkpointer(db.handle, path.string(), 20, 1 << 20);
    const fs::path wal = path.string() + "-wal";
    for (int batch = 0; batch < 40; ++batch) {
        db.WriteBatch(batch);
        // Let the checkpoint of this batch finish before the next, as the pipeline's pauses between
        // batches do; then the next write starts the WAL from its beginning again.
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    // 40 batches of ~200 kB: without checkpoints the WAL would hold ~8 MB.
    EXPECT_LT(fs::file_size(wal), 3u << 20) << "WAL grew to " << fs::file_size(wal) << " bytes";
    sqlite3_stmt *count = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db.handle, "SELECT count(*) FROM t", -1, &count, nullptr), SQLITE_OK);
    ASSERT_EQ(sqlite3_step(count), SQLITE_ROW);
    EXPECT_EQ(sqlite3_column_int(count, 0), 2000);
    sqlite3_finalize(count);
}

TEST_F(Checkpointer, WriterCheckpointsItselfAtTheInlineLimit) {
    const fs::path path = dir_ / "c.db";
    Db db(path);
    db.Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, b BLOB)");
    const auto before = fs::file_size(path);
    // Background threshold out of reach: only the inline limit can checkpoint, inside the COMMIT.
    rivulet::SqliteCheckpointer checkpointer(db.handle, path.string(), 1 << 20, 20);
    db.WriteBatch(0);
    EXPECT_GT(fs::file_size(path), before + 100 * 1000);
}

}  // namespace
