#pragma once
// A minimal parallel loop: training trees and scoring row blocks are independent tasks, so a shared
// atomic counter handing out task indices is all the scheduling they need (no pool kept alive between
// calls: each call costs one thread start per worker, negligible next to growing a tree).
//
// The caller works too and returns once every task has finished, without joining the helper threads: on
// a loaded machine a helper may start only after the caller has run every task itself (a 662-row
// prediction takes a few milliseconds, a scheduler wait as long), and it then finds no task and exits.
// Helpers are detached and hold the counters by shared_ptr; they call `fn` only for a task they claimed,
// and the caller waits for every claimed task, so `fn` and what it refers to outlive every call.

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>

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
    struct Shared {
        std::atomic<size_t> next{0};
        std::atomic<size_t> done{0};  //!< tasks finished (or skipped after an error)
        std::exception_ptr error;
        std::mutex error_mutex;
    };
    auto shared = std::make_shared<Shared>();
    const size_t n = n_tasks;
    auto *body = &fn;
    auto work = [shared, n, body] {
        for (size_t t; (t = shared->next.fetch_add(1)) < n;) {
            size_t finished = 1;
            try {
                (*body)(t);
            } catch (...) {
                std::lock_guard lock(shared->error_mutex);
                if (!shared->error) shared->error = std::current_exception();
                // Stop handing out work; the tasks never handed out count as finished.
                size_t unclaimed = shared->next.exchange(n);
                if (unclaimed < n) finished += n - unclaimed;
            }
            if (shared->done.fetch_add(finished) + finished == n) shared->done.notify_all();
        }
    };
    for (size_t i = 1; i < workers; ++i) std::thread(work).detach();
    work();
    for (size_t d; (d = shared->done.load()) != n;) shared->done.wait(d);
    if (shared->error) std::rethrow_exception(shared->error);
}

}  // namespace rivulet::ml
