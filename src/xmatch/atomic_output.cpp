#include "xmatch/atomic_output.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>

#include "common/error.hpp"

namespace rivulet::xmatch {

AtomicOutput::AtomicOutput(std::filesystem::path target) : target_(std::move(target)) {
    static std::atomic<int> counter{0};
    temp_ = target_;
    temp_ += ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
}

AtomicOutput::~AtomicOutput() {
    if (!committed_) {
        std::error_code ec;
        std::filesystem::remove(temp_, ec);
    }
}

void AtomicOutput::Commit() {
    const int fd = ::open(temp_.c_str(), O_RDONLY);
    if (fd < 0 || ::fsync(fd) != 0) {
        const std::string why = std::strerror(errno);
        if (fd >= 0) ::close(fd);
        throw RivuletError(ErrorKind::kIo, temp_.string() + ": cannot flush: " + why);
    }
    ::close(fd);
    if (std::rename(temp_.c_str(), target_.c_str()) != 0)
        throw RivuletError(ErrorKind::kIo,
                           target_.string() + ": cannot rename the finished file into place: " + std::strerror(errno));
    committed_ = true;
}

}  // namespace rivulet::xmatch
