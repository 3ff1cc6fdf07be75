#pragma once
// The embedded store's cutout stamps, kept beside the SQLite file in one append-only file
// (`<store>.cutouts`), while the database holds where each stamp is (offset, length, CRC-32).
//
// Why not inside SQLite: stamps are ~45 kB per alert, ~90% of what a night writes. In a WAL database each
// byte goes to disk twice (into the WAL at commit, into the database file at checkpoint) through 16 kB
// overflow pages; bench/stream measured ~100 kB written and ~190 µs of the single writer's time per alert
// there, the largest cost of ingest after decoding. Appended here they are written once, with one pwrite
// per batch, and only the small location rows go through the WAL.
//
// Consistency: a batch's stamps are written before the transaction that records their locations commits,
// and the offset of a batch is taken while that transaction holds SQLite's write lock (BEGIN IMMEDIATE), so
// writers in several processes append one after the other. A crash between the write and the commit leaves
// unreferenced bytes at the end of the file; the next batch appends after them (or truncates them when it
// rolls back itself). The store runs with synchronous=NORMAL: a power cut may lose the last commits, and
// could keep a committed location whose bytes never reached the disk; the file is fdatasync'ed before every
// WAL checkpoint copies locations into the database file, and every stamp is checked against its CRC-32 when
// read, so such a stamp reads back as an error naming it, never as other bytes.
// @locality one thread at a time per object; several objects (processes) may share the file.

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <span>
#include <string>
#include <vector>

namespace rivulet {

//! Where one stamp lies in the cutout file.
struct CutoutLocation {
    int64_t offset = 0;
    int64_t length = 0;
    uint32_t crc32 = 0;
};

class CutoutFile {
public:
    //! The file that belongs to the database file `db_path`.
    static std::filesystem::path PathFor(const std::filesystem::path &db_path);

    //! Nothing is opened until the first batch or read; a store only read never creates the file.
    explicit CutoutFile(std::filesystem::path path);
    ~CutoutFile();
    CutoutFile(const CutoutFile &) = delete;
    CutoutFile &operator=(const CutoutFile &) = delete;

    //! Starts a batch at the current end of the file (created, with its header, when absent). Call while
    //! holding the database's write lock, before any Stage.
    void BeginBatch();
    //! Queues `stamp` for the batch (copied) and returns where it will lie once WriteBatch has run.
    CutoutLocation Stage(std::span<const uint8_t> stamp);
    //! Writes the stamps queued so far; call before committing the transaction that records their locations.
    void WriteBatch();
    //! Ends the batch whose transaction rolled back: drops what it queued and cuts off what it wrote.
    void AbandonBatch() noexcept;

    //! The stamp at `where`; throws RivuletError(kStore) naming the file and offset when the bytes are
    //! missing or differ from the recorded CRC-32.
    std::vector<uint8_t> Read(const CutoutLocation &where);
    //! Forces written stamps to the disk (fdatasync). Safe to call from another thread than the writer's.
    void Sync() noexcept;

    const std::filesystem::path &path() const { return path_; }

private:
    void OpenForWriting();
    void OpenForReading();
    [[noreturn]] void Fail(const std::string &what, int err) const;

    std::filesystem::path path_;
    std::mutex fd_mu_;  //!< guards fd_ against Sync from another thread while the writer (re)opens it
    int fd_ = -1;
    bool writable_ = false;
    // The batch opened by the last BeginBatch (kept after WriteBatch, for AbandonBatch): where it starts,
    // where its next stamp goes; -1 before the first batch and after an abandoned one.
    int64_t batch_start_ = -1, batch_end_ = -1;
    bool batch_written_ = false;
    std::vector<uint8_t> pending_;
};

}  // namespace rivulet
