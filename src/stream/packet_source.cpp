#include "stream/packet_source.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <deque>
#include <system_error>

#include "alert/avro_alert_decoder.hpp"

namespace rivulet {

namespace {

bool EndsWith(const std::string &s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Largest archive member we accept as one alert packet. Real ZTF packets are ~50–100 KB; a member
// claiming more is not an alert and must not make us allocate without bound.
constexpr int64_t kMaxMemberBytes = int64_t{256} << 20;

// Streams the `.avro` members of one tar archive (gzip or not, detected by libarchive).
class ArchiveReader {
public:
    explicit ArchiveReader(std::filesystem::path path) : path_(std::move(path)) {
        a_ = archive_read_new();
        archive_read_support_filter_all(a_);
        archive_read_support_format_tar(a_);
        archive_read_support_format_gnutar(a_);
        if (archive_read_open_filename(a_, path_.c_str(), 1 << 16) != ARCHIVE_OK) {
            open_error_ = archive_error_string(a_) ? archive_error_string(a_) : "cannot open";
        }
    }
    ~ArchiveReader() { archive_read_free(a_); }
    ArchiveReader(const ArchiveReader &) = delete;
    ArchiveReader &operator=(const ArchiveReader &) = delete;

    // False at the end of the archive. After an error the archive is abandoned (its stream can no
    // longer be trusted), but everything read before it was already handed out.
    bool Next(RawPacket &packet) {
        if (done_) return false;
        if (!open_error_.empty()) {
            done_ = true;
            packet = RawPacket{path_.string(), {}, MakeError("archive", path_.string() + ": " + open_error_)};
            return true;
        }
        for (;;) {
            archive_entry *entry = nullptr;
            int rc = archive_read_next_header(a_, &entry);
            if (rc == ARCHIVE_EOF) {
                done_ = true;
                return false;
            }
            if (rc < ARCHIVE_WARN) {
                done_ = true;
                packet = RawPacket{path_.string(), {}, MakeError("archive", path_.string() + ": " + ErrorText())};
                return true;
            }
            if (archive_entry_filetype(entry) != AE_IFREG) continue;
            std::string member = archive_entry_pathname(entry) ? archive_entry_pathname(entry) : "";
            if (!EndsWith(member, ".avro")) continue;
            packet = RawPacket{path_.string() + ":" + member, {}, std::nullopt};
            int64_t size = archive_entry_size_is_set(entry) ? archive_entry_size(entry) : -1;
            if (size > kMaxMemberBytes) {
                packet.error = MakeError("archive", packet.name + ": member of " + std::to_string(size) +
                                                        " bytes is too large for an alert packet");
                return true;
            }
            if (size > 0) packet.bytes.reserve(static_cast<size_t>(size));
            char buf[1 << 16];
            for (;;) {
                la_ssize_t n = archive_read_data(a_, buf, sizeof buf);
                if (n == 0) break;
                if (n < 0) {
                    done_ = true;
                    packet.bytes.clear();
                    packet.error = MakeError("archive", packet.name + ": " + ErrorText());
                    return true;
                }
                if (packet.bytes.size() + static_cast<size_t>(n) > static_cast<size_t>(kMaxMemberBytes)) {
                    done_ = true;
                    packet.bytes.clear();
                    packet.error = MakeError("archive", packet.name + ": member too large for an alert packet");
                    return true;
                }
                packet.bytes.insert(packet.bytes.end(), buf, buf + n);
            }
            return true;
        }
    }

private:
    std::string ErrorText() const {
        const char *s = archive_error_string(a_);
        return s ? s : "corrupt archive";
    }

    std::filesystem::path path_;
    archive *a_ = nullptr;
    std::string open_error_;
    bool done_ = false;
};

class InputsSource final : public PacketSource {
public:
    explicit InputsSource(const std::vector<std::filesystem::path> &inputs) : pending_(inputs.begin(), inputs.end()) {}

    bool Next(RawPacket &packet) override {
        for (;;) {
            if (archive_) {
                if (archive_->Next(packet)) return true;
                archive_.reset();
            }
            if (pending_.empty()) return false;
            std::filesystem::path p = std::move(pending_.front());
            pending_.pop_front();
            std::error_code ec;
            auto status = std::filesystem::status(p, ec);
            if (ec || !std::filesystem::exists(status)) {
                packet = RawPacket{p.string(), {}, MakeError("io", p.string() + ": no such file or directory")};
                return true;
            }
            if (std::filesystem::is_directory(status)) {
                ExpandDirectory(p);
                continue;
            }
            if (IsArchivePath(p)) {
                archive_ = std::make_unique<ArchiveReader>(p);
                continue;
            }
            auto bytes = ReadFileBytes(p);
            packet = RawPacket{p.string(), {}, std::nullopt};
            if (bytes) packet.bytes = std::move(*bytes);
            else packet.error = bytes.error();
            return true;
        }
    }

private:
    // Folder contents go to the front, sorted, so a folder is read in a reproducible order.
    void ExpandDirectory(const std::filesystem::path &dir) {
        std::vector<std::filesystem::path> found;
        std::error_code ec;
        for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
             !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
            if (!it->is_regular_file(ec)) continue;
            const auto &p = it->path();
            if (p.extension() == ".avro" || IsArchivePath(p)) found.push_back(p);
        }
        std::sort(found.begin(), found.end());
        pending_.insert(pending_.begin(), found.begin(), found.end());
    }

    std::deque<std::filesystem::path> pending_;
    std::unique_ptr<ArchiveReader> archive_;
};

}  // namespace

bool IsArchivePath(const std::filesystem::path &path) {
    std::string s = path.filename().string();
    return EndsWith(s, ".tar.gz") || EndsWith(s, ".tgz") || EndsWith(s, ".tar");
}

std::unique_ptr<PacketSource> OpenInputs(const std::vector<std::filesystem::path> &inputs) {
    return std::make_unique<InputsSource>(inputs);
}

}  // namespace rivulet
