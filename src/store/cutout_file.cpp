#include "store/cutout_file.hpp"

#include <fcntl.h>
#include <libdeflate.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>

#include "common/error.hpp"

namespace rivulet {

namespace {

// Identifies the file and its layout (version 1: header, then stamps back to back, no framing: the
// database rows say where each one is).
constexpr std::string_view kHeader = "RIVULET CUTOUTS1";

}  // namespace

std::filesystem::path CutoutFile::PathFor(const std::filesystem::path &db_path) {
    std::filesystem::path p = db_path;
    p += ".cutouts";
    return p;
}

CutoutFile::CutoutFile(std::filesystem::path path) : path_(std::move(path)) {}

CutoutFile::~CutoutFile() {
    if (fd_ >= 0) ::close(fd_);
}

void CutoutFile::Fail(const std::string &what, int err) const {
    std::string message = path_.string() + ": " + what;
    if (err != 0) message += ": " + std::string(std::strerror(err));
    throw RivuletError(ErrorKind::kStore, message);
}

void CutoutFile::OpenForWriting() {
    if (writable_) return;
    const int fd = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) Fail("cannot open the cutout file for writing", errno);
    std::lock_guard lock(fd_mu_);
    if (fd_ >= 0) ::close(fd_);  // a read-only descriptor from an earlier read
    fd_ = fd;
    writable_ = true;
}

void CutoutFile::OpenForReading() {
    if (fd_ >= 0) return;
    const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        const int err = errno;
        if (err == ENOENT) Fail("the cutout file is missing (it belongs beside the database file)", 0);
        Fail("cannot open the cutout file", err);
    }
    char header[kHeader.size()];
    const ssize_t got = ::pread(fd, header, sizeof header, 0);
    if (got != static_cast<ssize_t>(sizeof header) || std::string_view(header, sizeof header) != kHeader) {
        ::close(fd);
        Fail("not a Rivulet cutout file (header)", 0);
    }
    std::lock_guard lock(fd_mu_);
    fd_ = fd;
}

void CutoutFile::BeginBatch() {
    OpenForWriting();
    struct stat st {};
    if (::fstat(fd_, &st) != 0) Fail("cannot stat the cutout file", errno);
    const auto header_size = static_cast<int64_t>(kHeader.size());
    if (st.st_size < header_size) {
        // New (or a creation cut short by a crash: nothing can be referenced yet).
        if (::pwrite(fd_, kHeader.data(), kHeader.size(), 0) != static_cast<ssize_t>(kHeader.size()))
            Fail("cannot write the cutout file header", errno);
        batch_start_ = header_size;
    } else {
        char header[kHeader.size()];
        if (::pread(fd_, header, sizeof header, 0) != static_cast<ssize_t>(sizeof header) ||
            std::string_view(header, sizeof header) != kHeader)
            Fail("not a Rivulet cutout file (header)", 0);
        batch_start_ = st.st_size;
    }
    batch_end_ = batch_start_;
    batch_written_ = false;
    pending_.clear();
}

CutoutLocation CutoutFile::Stage(std::span<const uint8_t> stamp) {
    if (batch_start_ < 0) throw RivuletError(ErrorKind::kInternal, path_.string() + ": Stage outside a batch");
    CutoutLocation where;
    where.offset = batch_end_;
    where.length = static_cast<int64_t>(stamp.size());
    where.crc32 = libdeflate_crc32(0, stamp.data(), stamp.size());
    pending_.insert(pending_.end(), stamp.begin(), stamp.end());
    batch_end_ += where.length;
    return where;
}

void CutoutFile::WriteBatch() {
    if (batch_start_ < 0) throw RivuletError(ErrorKind::kInternal, path_.string() + ": WriteBatch outside a batch");
    batch_written_ = true;  // from here a failure may have left bytes behind for AbandonBatch to cut off
    const int64_t at = batch_end_ - static_cast<int64_t>(pending_.size());
    size_t done = 0;
    while (done < pending_.size()) {
        const ssize_t n = ::pwrite(fd_, pending_.data() + done, pending_.size() - done,
                                   static_cast<off_t>(at + static_cast<int64_t>(done)));
        if (n < 0) {
            if (errno == EINTR) continue;
            Fail("cannot write " + std::to_string(pending_.size()) + " bytes of cutouts at offset " + std::to_string(at),
                 errno);
        }
        done += static_cast<size_t>(n);
    }
    pending_.clear();
}

void CutoutFile::AbandonBatch() noexcept {
    // Still under the write lock of the rolled-back transaction: nobody else has appended after us.
    if (batch_written_ && batch_start_ >= 0 && fd_ >= 0) (void)::ftruncate(fd_, static_cast<off_t>(batch_start_));
    pending_.clear();
    batch_start_ = batch_end_ = -1;
    batch_written_ = false;
}

std::vector<uint8_t> CutoutFile::Read(const CutoutLocation &where) {
    OpenForReading();
    const std::string at = "stamp at offset " + std::to_string(where.offset) + " (" + std::to_string(where.length) +
                           " bytes)";
    if (where.offset < static_cast<int64_t>(kHeader.size()) || where.length < 0) Fail(at + ": bad location", 0);
    std::vector<uint8_t> out(static_cast<size_t>(where.length));
    size_t done = 0;
    while (done < out.size()) {
        const ssize_t n = ::pread(fd_, out.data() + done, out.size() - done,
                                  static_cast<off_t>(where.offset + static_cast<int64_t>(done)));
        if (n < 0) {
            if (errno == EINTR) continue;
            Fail("cannot read " + at, errno);
        }
        if (n == 0) Fail(at + " lies past the end of the file (truncated, or lost in a power cut)", 0);
        done += static_cast<size_t>(n);
    }
    if (libdeflate_crc32(0, out.data(), out.size()) != where.crc32)
        Fail(at + " does not match its CRC-32 (the bytes were lost or damaged on disk)", 0);
    return out;
}

void CutoutFile::Sync() noexcept {
    std::lock_guard lock(fd_mu_);
    if (fd_ >= 0 && writable_) (void)::fdatasync(fd_);
}

}  // namespace rivulet
