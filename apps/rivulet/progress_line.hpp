#pragma once
// A one-line progress display on stderr, shown only when stderr is a terminal (never in logs or pipes).

#include <chrono>
#include <cstdint>
#include <string>

namespace rivulet::cli {

class ProgressLine {
public:
    //! `total_bytes` 0 = unknown (no bar, counts only).
    explicit ProgressLine(uint64_t total_bytes);
    //! Redraws at most ~10 times a second.
    void Update(uint64_t bytes_done, uint64_t alerts, uint64_t stored, uint64_t rejected, uint64_t failed);
    //! Clears the line.
    void Finish();

private:
    bool enabled_;
    uint64_t total_;
    std::chrono::steady_clock::time_point start_, last_;
    bool drawn_ = false;
};

}  // namespace rivulet::cli
