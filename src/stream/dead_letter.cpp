#include "stream/dead_letter.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <vector>

#include "common/error.hpp"
#include "stream/kafka_producer.hpp"

namespace rivulet {

namespace {

// A file name for any source text: path separators and unusual characters become '_'.
std::string SafeName(const std::string &source) {
    std::string out;
    for (char c : source) out.push_back(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '@' || c == '[' || c == ']' ? c : '_');
    if (out.size() > 200) out = out.substr(out.size() - 200);
    return out;
}

class FolderSink final : public DeadLetterSink {
public:
    explicit FolderSink(std::filesystem::path dir) : dir_(std::move(dir)) {
        std::error_code ec;
        std::filesystem::create_directories(dir_, ec);
        if (ec) throw RivuletError(ErrorKind::kIo, dir_.string() + ": cannot create dead-letter folder: " + ec.message());
    }
    ~FolderSink() override {
        for (int fd : pending_) ::close(fd);
    }
    void Put(const DeadLetter &letter) override {
        std::string base = SafeName(letter.source);
        // Two letters from one source (an archive member re-read) must not overwrite each other.
        std::string stem = base;
        for (int i = 1; std::filesystem::exists(dir_ / (stem + ".reason.json")); ++i) stem = base + "." + std::to_string(i);
        WriteFile(dir_ / (stem + ".avro"), letter.payload);
        nlohmann::json j = {{"source", letter.source}, {"reason", letter.error.reason}, {"message", letter.error.message},
                            {"bytes", letter.payload.size()}};
        std::string text = j.dump(2) + "\n";
        WriteFile(dir_ / (stem + ".reason.json"),
                  std::span<const uint8_t>(reinterpret_cast<const uint8_t *>(text.data()), text.size()));
        ++count_;
    }
    void Flush() override {
        for (int fd : pending_) {
            if (::fsync(fd) != 0) throw RivuletError(ErrorKind::kIo, dir_.string() + ": fsync: " + std::strerror(errno));
            ::close(fd);
        }
        pending_.clear();
        int dfd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY);
        if (dfd >= 0) {
            ::fsync(dfd);
            ::close(dfd);
        }
    }
    uint64_t count() const override { return count_; }

private:
    void WriteFile(const std::filesystem::path &p, std::span<const uint8_t> bytes) {
        int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0) throw RivuletError(ErrorKind::kIo, p.string() + ": " + std::strerror(errno));
        size_t done = 0;
        while (done < bytes.size()) {
            ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                ::close(fd);
                throw RivuletError(ErrorKind::kIo, p.string() + ": write: " + std::strerror(errno));
            }
            done += static_cast<size_t>(n);
        }
        pending_.push_back(fd);
    }

    std::filesystem::path dir_;
    std::vector<int> pending_;
    uint64_t count_ = 0;
};

class TopicSink final : public DeadLetterSink {
public:
    TopicSink(KafkaProducer &producer, std::string topic) : producer_(producer), topic_(std::move(topic)) {}
    void Put(const DeadLetter &letter) override {
        producer_.Produce(topic_, letter.payload, letter.source,
                          {{"rivulet.reason", letter.error.reason}, {"rivulet.error", letter.error.message}});
        ++count_;
    }
    void Flush() override { producer_.Flush(); }
    uint64_t count() const override { return count_; }

private:
    KafkaProducer &producer_;
    std::string topic_;
    uint64_t count_ = 0;
};

}  // namespace

std::unique_ptr<DeadLetterSink> OpenDeadLetterFolder(const std::filesystem::path &dir) {
    return std::make_unique<FolderSink>(dir);
}

std::unique_ptr<DeadLetterSink> OpenDeadLetterTopic(KafkaProducer &producer, const std::string &topic) {
    return std::make_unique<TopicSink>(producer, topic);
}

}  // namespace rivulet
