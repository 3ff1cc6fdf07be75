#include "xmatch/cross_match.hpp"

#include <algorithm>
#include <exception>
#include <thread>

namespace rivulet::xmatch {

namespace {

// Runs work(begin, end, out) on contiguous blocks of [0, n) and concatenates the blocks' results in order.
template <class Work>
std::vector<MatchPair> InBlocks(size_t n, unsigned threads, Work work) {
    if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
    threads = static_cast<unsigned>(std::min<size_t>(threads, std::max<size_t>(1, n / 64)));
    if (threads <= 1) {
        std::vector<MatchPair> out;
        work(0, n, out);
        return out;
    }
    std::vector<std::vector<MatchPair>> parts(threads);
    std::vector<std::exception_ptr> errors(threads);
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; ++t)
        pool.emplace_back([&, t] {
            try {
                work(n * t / threads, n * (t + 1) / threads, parts[t]);
            } catch (...) {
                errors[t] = std::current_exception();
            }
        });
    for (auto &th : pool) th.join();
    for (auto &e : errors)
        if (e) std::rethrow_exception(e);
    std::vector<MatchPair> out;
    size_t total = 0;
    for (auto &p : parts) total += p.size();
    out.reserve(total);
    for (auto &p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

}  // namespace

std::vector<MatchPair> ConeSearchBatch(const Catalog &catalog, std::span<const SkyCone> cones, unsigned threads) {
    return InBlocks(cones.size(), threads, [&](size_t begin, size_t end, std::vector<MatchPair> &out) {
        std::vector<ConeMatch> found;
        for (size_t i = begin; i < end; ++i) {
            catalog.Cone(cones[i].ra_deg, cones[i].dec_deg, cones[i].radius_arcsec, found);
            for (const auto &m : found) out.push_back({i, m.row, m.cat_row, m.sep_arcsec});
        }
    });
}

std::vector<MatchPair> CrossMatch(const Catalog &catalog, std::span<const SkyPosition> positions, double radius_arcsec,
                                  MatchMode mode, unsigned threads) {
    return InBlocks(positions.size(), threads, [&](size_t begin, size_t end, std::vector<MatchPair> &out) {
        std::vector<ConeMatch> found;
        for (size_t i = begin; i < end; ++i) {
            const auto &p = positions[i];
            if (mode == MatchMode::kNearest) {
                if (auto m = catalog.Nearest(p.ra_deg, p.dec_deg, radius_arcsec))
                    out.push_back({i, m->row, m->cat_row, m->sep_arcsec});
            } else {
                catalog.Cone(p.ra_deg, p.dec_deg, radius_arcsec, found);
                for (const auto &m : found) out.push_back({i, m.row, m.cat_row, m.sep_arcsec});
            }
        }
    });
}

}  // namespace rivulet::xmatch
