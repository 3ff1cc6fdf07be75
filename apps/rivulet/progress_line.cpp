#include "apps/rivulet/progress_line.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace rivulet::cli {

ProgressLine::ProgressLine(uint64_t total_bytes)
    : enabled_(isatty(STDERR_FILENO) == 1), total_(total_bytes), start_(std::chrono::steady_clock::now()), last_(start_) {}

void ProgressLine::Update(uint64_t bytes_done, uint64_t alerts, uint64_t stored, uint64_t rejected, uint64_t failed) {
    if (!enabled_) return;
    auto now = std::chrono::steady_clock::now();
    if (drawn_ && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    drawn_ = true;
    double secs = std::max(1e-3, std::chrono::duration<double>(now - start_).count());
    std::string bar;
    if (total_ > 0) {
        double f = std::min(1.0, static_cast<double>(bytes_done) / static_cast<double>(total_));
        int width = 30, full = static_cast<int>(f * width);
        bar = "[" + std::string(static_cast<size_t>(full), '#') + std::string(static_cast<size_t>(width - full), '.') + "] " +
              std::to_string(static_cast<int>(f * 100)) + "% ";
    }
    std::fprintf(stderr, "\r%s%llu alerts (%.0f/s), %llu stored, %llu rejected, %llu failed   ", bar.c_str(),
                 static_cast<unsigned long long>(alerts), static_cast<double>(alerts) / secs,
                 static_cast<unsigned long long>(stored), static_cast<unsigned long long>(rejected),
                 static_cast<unsigned long long>(failed));
    std::fflush(stderr);
}

void ProgressLine::Finish() {
    if (enabled_ && drawn_) std::fprintf(stderr, "\r\033[K");
}

}  // namespace rivulet::cli
