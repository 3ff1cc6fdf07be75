#pragma once
// Moves SQLite's WAL checkpoints off the thread that writes alerts.
//
// SQLite's own autocheckpoint runs inside the COMMIT that crosses its threshold: when the stamps still went
// through the WAL (~60 kB per alert; they have their own file now, cutout_file.hpp), the writer stopped for
// 0.3–0.4 s every 64 MB to copy the WAL into the database file, stalling the whole ingest pipeline behind it
// (bench/stream saw a third of the writer's time there); the light-curve rows alone still fill a WAL. Here a background thread with its own connection runs PASSIVE checkpoints, which
// copy committed frames without blocking the writer; SQLite restarts the WAL from its start at the next
// write once a checkpoint has copied everything, so checkpoints are started often (about once a batch) to
// let one finish between two batches.
// @locality the hook runs on the writing connection's thread; the checkpoints on this object's own thread.

#include <sqlite3.h>

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace rivulet {

class SqliteCheckpointer {
public:
    //! Takes over checkpointing of `writer`, a WAL-mode connection to the database file `path` (it replaces
    //! the connection's wal_autocheckpoint). After a commit leaves at least `background_pages` frames in the
    //! WAL, the background thread checkpoints; should the WAL still reach `inline_pages` (checkpoints starved
    //! by long readers, or slower than the writes), the committing thread checkpoints itself, as
    //! autocheckpoint would. The thread starts at the first checkpoint, so a store only read never starts one.
    //! `before_checkpoint`, when set, runs just before every checkpoint on the thread that runs it (the
    //! store syncs its cutout file there, so rows reach the database file only after what they point to).
    SqliteCheckpointer(sqlite3 *writer, std::string path, int background_pages, int inline_pages,
                       std::function<void()> before_checkpoint = {});
    //! Stops the thread after its current checkpoint. Destroy before closing `writer`.
    ~SqliteCheckpointer();
    SqliteCheckpointer(const SqliteCheckpointer &) = delete;
    SqliteCheckpointer &operator=(const SqliteCheckpointer &) = delete;

private:
    static int OnCommit(void *self, sqlite3 *db, const char *schema, int frames);
    void Run();

    sqlite3 *writer_;
    std::string path_;
    int background_pages_;
    int inline_pages_;
    std::function<void()> before_checkpoint_;
    std::mutex mu_;
    std::condition_variable wake_;
    bool wanted_ = false;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace rivulet
