#pragma once
// A minimal parallel loop: training trees and scoring row blocks are independent tasks, so a shared
// atomic counter handing out task indices is all the scheduling they need (no pool kept alive between
// calls: each call costs one thread start per worker, negligible next to growing a tree).

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace rivulet::ml {

//! Threads to use when the caller says 0: all hardware threads (at least 1).
inline int ResolveThreads(int threads) {
    if (threads > 0) return threads;
    return std::max(1u, std::thread::hardware_concurrency());
}

//! Calls fn(task) for every task in [0, n_tasks) on up to `threads` threads; rethrows the first exception.
//! @locality fn runs on worker threads; it must only write state owned by its task.
template <class Fn>
void ParallelFor(size_t n_tasks, int threads, Fn &&fn) {
    size_t workers = std::min<size_t>(static_cast<size_t>(ResolveThreads(threads)), n_tasks);
    if (workers <= 1) {
        for (size_t t = 0; t < n_tasks; ++t) fn(t);
        return;
    }
    std::atomic<size_t> next{0};
    std::exception_ptr error;
    std::mutex error_mutex;
    auto work = [&] {
        for (size_t t; (t = next.fetch_add(1)) < n_tasks;) {
            try {
                fn(t);
            } catch (...) {
                std::lock_guard lock(error_mutex);
                if (!error) error = std::current_exception();
                next = n_tasks;  // stop handing out work
            }
        }
    };
    std::vector<std::thread> pool;
    for (size_t i = 1; i < workers; ++i) pool.emplace_back(work);
    work();
    for (auto &th : pool) th.join();
    if (error) std::rethrow_exception(error);
}

}  // namespace rivulet::ml
