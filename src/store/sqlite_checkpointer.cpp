#include "store/sqlite_checkpointer.hpp"

namespace rivulet {

SqliteCheckpointer::SqliteCheckpointer(sqlite3 *writer, std::string path, int background_pages, int inline_pages,
                                       std::function<void()> before_checkpoint)
    : writer_(writer),
      path_(std::move(path)),
      background_pages_(background_pages),
      inline_pages_(inline_pages),
      before_checkpoint_(std::move(before_checkpoint)) {
    sqlite3_wal_hook(writer_, &SqliteCheckpointer::OnCommit, this);
}

SqliteCheckpointer::~SqliteCheckpointer() {
    sqlite3_wal_hook(writer_, nullptr, nullptr);
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
    }
    wake_.notify_one();
    if (thread_.joinable()) thread_.join();
}

int SqliteCheckpointer::OnCommit(void *self_ptr, sqlite3 *db, const char *schema, int frames) {
    auto *self = static_cast<SqliteCheckpointer *>(self_ptr);
    if (frames >= self->inline_pages_) {
        // The background thread is not keeping up: bound the WAL here. Errors are ignored as SQLite's own
        // autocheckpoint hook ignores them (the commit itself has succeeded; a later checkpoint retries).
        if (self->before_checkpoint_) self->before_checkpoint_();
        sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
        return SQLITE_OK;
    }
    if (frames >= self->background_pages_) {
        std::lock_guard lock(self->mu_);
        self->wanted_ = true;
        if (!self->thread_.joinable()) self->thread_ = std::thread(&SqliteCheckpointer::Run, self);
        self->wake_.notify_one();
    }
    return SQLITE_OK;
}

void SqliteCheckpointer::Run() {
    sqlite3 *db = nullptr;
    // Its own connection: a connection is used by one thread at a time (opened without SQLite's mutex).
    if (sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
        sqlite3_close(db);
        // Without a connection of its own, the writer's hook still bounds the WAL at inline_pages.
        return;
    }
    sqlite3_busy_timeout(db, 1000);
    // A connection only learns the file is in WAL mode (and opens the WAL) at its first read; until then a
    // checkpoint does nothing.
    sqlite3_exec(db, "SELECT count(*) FROM sqlite_schema", nullptr, nullptr, nullptr);
    std::unique_lock lock(mu_);
    for (;;) {
        wake_.wait(lock, [&] { return wanted_ || stopping_; });
        if (stopping_) break;
        wanted_ = false;
        lock.unlock();
        // PASSIVE: copies what it can without waiting on the writer or readers; a busy or partial result
        // is retried at the next commit past the threshold.
        if (before_checkpoint_) before_checkpoint_();
        sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
        lock.lock();
    }
    lock.unlock();
    sqlite3_close(db);
}

}  // namespace rivulet
