#include "xmatch/cross_match.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <exception>
#include <limits>
#include <memory>
#include <numbers>
#include <optional>
#include <string>
#include <thread>

#include "common/error.hpp"
#include "xmatch/neighbour_table.hpp"
#include "xmatch/sky_pixels.hpp"

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

constexpr double kDegToRad = std::numbers::pi / 180.0;

[[noreturn, gnu::noinline]] void NotASkyPosition(const SkyPosition &p) {
    throw RivuletError(ErrorKind::kInvalidInput, "cone centre (" + std::to_string(p.ra_deg) + ", " +
                                                     std::to_string(p.dec_deg) + ") is not a sky position");
}

inline void CheckPosition(const SkyPosition &p) {
    if (!std::isfinite(p.ra_deg) || !std::isfinite(p.dec_deg) || p.dec_deg < -90 || p.dec_deg > 90) [[unlikely]]
        NotASkyPosition(p);
}

// Nearest first, ties by cat_row: the order of Catalog::Cone.
bool NearerFirst(const MatchPair &a, const MatchPair &b) {
    return a.sep_arcsec != b.sep_arcsec ? a.sep_arcsec < b.sep_arcsec : a.cat_row < b.cat_row;
}

// Adds a pair of the position whose pairs begin at out[first]: every pair (kAll), or for kNearest only the
// nearest so far (ties by cat_row), as Catalog::Cone and Catalog::Nearest would give.
inline void KeepPair(std::vector<MatchPair> &out, size_t first, MatchMode mode, const MatchPair &pair) {
    if (mode == MatchMode::kAll || out.size() == first)
        out.push_back(pair);
    else if (NearerFirst(pair, out.back()))
        out.back() = pair;
}

// The neighbour-table path (JoinMethod::kPixelTable) is chosen automatically when the table's bitmap fits
// in this many bytes at an order at least as fine as the sorted join's (so no position scans more
// candidates than it would there), and either the catalog has at most 1/kTableRowsPerPosition as many rows
// as there are positions (building the table costs about as much per catalog row as matching a position)
// or an earlier call built it.
// 512 KiB (an L2's worth) measured best on the Gaia slice: 13, 14, 15, 16 gave 7.5, 12, 15, 15.5 M rows per
// CPU-second (bitmaps of 25 KiB … 1.4 MiB): a finer order means fewer positions with candidates.
constexpr size_t kTableBitmapBytes = size_t{512} << 10;
constexpr uint64_t kTableRowsPerPosition = 8;
// Forced (tests): any order down to 0, and a bitmap of up to this many bytes.
constexpr size_t kForcedTableBitmapBytes = size_t{16} << 20;

// The cross-match of one block of positions through a NeighbourTable, in input order: per position its
// pixel at the table's order, one lookup, and a scan of the candidates (if any) with the same
// dot-product pre-filter and SeparationArcsec as Catalog::Cone. Only z = sin(Dec) is needed for the
// pixel (away from the poles), and almost always a polynomial sine decides it (NestedPixelOfApproxZ),
// so the unit vector (two exact sincos) is computed only for positions that have candidates: on a
// catalog that covers its field sparsely, a few in a hundred. Positions go through in batches, one step
// at a time for the whole batch (pixels; bitmap words; offsets; lists), each step prefetching what the
// next reads, so that the batch's cache misses overlap (profiled without: the misses of the ~3 reads
// per position with candidates, the table being larger than L2, were half the time).
void TableJoin(const Catalog &catalog, const NeighbourTable &table, std::span<const SkyPosition> block,
               size_t first_index, double radius_arcsec, MatchMode mode, std::vector<MatchPair> &out) {
    const int order = table.order();
    const double min_dot = std::cos(radius_arcsec / kArcsecPerRadian) - 1e-14;
    constexpr size_t kBatch = 64;
    std::array<int64_t, kBatch> found;  // pixel, then candidate list (-1: none)
    std::array<double, kBatch> z;
    for (size_t b = 0; b < block.size(); b += kBatch) {
        const size_t m = std::min(kBatch, block.size() - b);
        for (size_t j = 0; j < m; ++j) CheckPosition(block[b + j]);
        // A loop of its own without branches, so that the positions' polynomials overlap.
        for (size_t j = 0; j < m; ++j) z[j] = pixel_detail::Sin(block[b + j].dec_deg * kDegToRad);
        for (size_t j = 0; j < m; ++j) {
            const SkyPosition &p = block[b + j];
            // NestedPixel of the position's unit vector, from the polynomial sine where that decides it.
            found[j] = NestedPixelOfApproxZ(order, p.ra_deg, z[j]);
            if (found[j] < 0) found[j] = NestedPixel(order, UnitVector(p.ra_deg, p.dec_deg), p.ra_deg * kDegToRad);
            table.PrefetchWord(found[j]);
        }
        for (size_t j = 0; j < m; ++j) {
            found[j] = table.Find(found[j]);
            if (found[j] >= 0) table.PrefetchOffsets(found[j]);
        }
        for (size_t j = 0; j < m; ++j)
            if (found[j] >= 0) table.PrefetchList(found[j]);
        for (size_t j = 0; j < m; ++j) {
            if (found[j] < 0) continue;
            const SkyPosition &p = block[b + j];
            const auto list = table.List(found[j]);
            // Most positions with candidates have none within the radius (at 2″ on the Gaia slice, 1 in
            // 30): an approximate vector from the polynomial sine rules them out without the exact
            // vector's two sincos (profiled: 8% of the time), with room for its error.
            if (const auto a = ApproxUnitVector(p.ra_deg, p.dec_deg, z[j])) {
                bool near = false;
                for (const auto &v : list)
                    near |= v.x * (*a)[0] + v.y * (*a)[1] + v.z * (*a)[2] >= min_dot - 2 * kApproxVectorBound;
                if (!near) continue;
            }
            const Vec3 c = UnitVector(p.ra_deg, p.dec_deg);
            const uint64_t in_row = first_index + b + j;
            const size_t first_found = out.size();
            for (const auto &v : list) {
                if (v.x * c[0] + v.y * c[1] + v.z * c[2] < min_dot) continue;
                const double sep = SeparationArcsec(c, {v.x, v.y, v.z});
                if (sep > radius_arcsec) continue;
                KeepPair(out, first_found, mode, MatchPair{in_row, v.row, catalog.cat_row(v.row), sep});
            }
            if (out.size() - first_found > 1)
                std::sort(out.begin() + static_cast<std::ptrdiff_t>(first_found), out.end(), NearerFirst);
        }
    }
}

// A position, its unit vector and its pixel at the join order, to be sorted by pixel. The vector travels
// with the key: looking it up by index after the sort would be a cache miss per position. It is the
// approximate vector (ApproxUnitVector) where there is one, `exact` says which: candidates are pre-filtered
// with it and the exact vector is computed only for a position with a candidate that passes.
struct Keyed {
    int64_t pixel;
    uint64_t index : 62;  // into the block
    uint64_t exact : 1;
    uint64_t interior : 1;  // every point within the radius is in `pixel` (NestedPixelOfApproxZ)
    Vec3 v;
};

// SortByPixel's scratch: bucket counts and the scattered keys, kept from chunk to chunk.
struct SortBuffers {
    std::vector<uint32_t> counts;
    std::vector<Keyed> sorted;
};

// Sorts `keyed` by pixel (pixels in [0, PixelCount(order))), exactly. The sorted join's positions are
// spread over the sky (uniformly, in the all-sky case this is for) so that a counting sort on the pixel's
// high bits, with about one bucket per position, leaves a position or two per bucket; an insertion sort
// of each bucket then finishes the job, O(n) in all. Two passes over the keys instead of the radix
// sort's recursion of in-place passes (measured: boost's integer_sort, with its pdqsort on small bins,
// was a fifth of the synthetic join). A crowded bucket (positions concentrated in a small field) costs
// its size squared in the insertion sort, so a bucket larger than kMaxBucket is sorted by std::sort.
void SortByPixel(std::vector<Keyed> &keyed, int order, SortBuffers &buffers) {
    const size_t n = keyed.size();
    const auto by_pixel = [](const Keyed &a, const Keyed &b) { return a.pixel < b.pixel; };
    if (n > std::numeric_limits<uint32_t>::max()) {  // not from CrossMatch (chunks of 2^18), but exact anyway
        std::sort(keyed.begin(), keyed.end(), by_pixel);
        return;
    }
    if (n < 2) return;
    // The finest order with at most as many pixels as positions (about one position per bucket), at most
    // `order`: a finer one would cost more in zeroing and summing counts than it saves.
    int bucket_order = 0;
    while (bucket_order < order && PixelCount(bucket_order + 1) <= static_cast<int64_t>(n)) ++bucket_order;
    const int shift = 2 * (order - bucket_order);
    auto &counts = buffers.counts;
    counts.assign(static_cast<size_t>(PixelCount(bucket_order)) + 1, 0);
    for (const auto &k : keyed) ++counts[static_cast<size_t>(k.pixel >> shift) + 1];
    for (size_t b = 1; b < counts.size(); ++b) counts[b] += counts[b - 1];  // counts[b]: bucket b's start
    auto &sorted = buffers.sorted;
    sorted.resize(n);
    for (const auto &k : keyed) sorted[counts[static_cast<size_t>(k.pixel >> shift)]++] = k;
    // counts[b] is now bucket b's end. Sort each bucket: insertion sort when small, else std::sort.
    constexpr uint32_t kMaxBucket = 32;
    uint32_t begin = 0;
    for (const uint32_t end : counts) {
        if (end - begin > kMaxBucket) {
            std::sort(sorted.begin() + begin, sorted.begin() + end, by_pixel);
        } else {
            for (uint32_t i = begin + 1; i < end; ++i) {
                if (sorted[i].pixel >= sorted[i - 1].pixel) continue;
                const Keyed k = sorted[i];
                uint32_t j = i;
                for (; j > begin && sorted[j - 1].pixel > k.pixel; --j) sorted[j] = sorted[j - 1];
                sorted[j] = k;
            }
        }
        begin = end;
    }
    keyed.swap(sorted);
}

// The cross-match of one block of positions as a sorted join (why not one cone per position: each cone
// pays a disc cover and, on a catalog larger than the caches, a few cache and TLB misses at a random
// place of the file; profiled, those were ~70% of the time):
//   1. unit vector and NESTED pixel at `order` of every position (order: the finest at which the
//      pixel and its neighbours hold every source within the radius, see NeighbourhoodOrder);
//   2. positions sorted by pixel (SortByPixel: one counting-sort pass on the pixel's high bits, then an
//      insertion sort that only ever moves a position within its bucket of about one);
//   3. one walk: per occupied pixel, its neighbourhood's row ranges (only its own rows where every
//      position's disc is inside the pixel) are looked up once, and every position of that pixel scans
//      those rows. The walk moves forward through the catalog file, so
//      the pages and lines it reads are mostly already in cache.
// Candidates pass the same dot-product pre-filter and the same SeparationArcsec as Catalog::Cone, so
// the answers are identical to a cone per position (and to a brute-force scan). No allocation per
// position: `keyed` and `buffers` are the caller's, reused from chunk to chunk.
void SortedJoin(const Catalog &catalog, std::span<const SkyPosition> block, size_t first_index, double radius_arcsec,
                int order, MatchMode mode, std::vector<Keyed> &keyed, SortBuffers &buffers,
                std::vector<MatchPair> &out) {
    const size_t n = block.size();
    const double radius_rad = radius_arcsec / kArcsecPerRadian;
    keyed.clear();
    for (size_t i = 0; i < n; ++i) {
        const auto &p = block[i];
        CheckPosition(p);
        // The pixel and an approximate vector from the polynomial sine, as in TableJoin: almost no position
        // has a source within a small radius, so the exact vector's two sincos (profiled: a tenth of the
        // time, as much again for the pixel from it) are spent only where a candidate passes the pre-filter.
        const double z = pixel_detail::Sin(p.dec_deg * kDegToRad);
        bool interior;
        int64_t pixel = NestedPixelOfApproxZ(order, p.ra_deg, z, radius_rad, interior);
        const auto approx = ApproxUnitVector(p.ra_deg, p.dec_deg, z);
        if (pixel >= 0 && approx) {
            keyed.push_back({pixel, i, 0, interior, *approx});
        } else {
            const Vec3 v = UnitVector(p.ra_deg, p.dec_deg);
            if (pixel < 0) pixel = NestedPixel(order, v, p.ra_deg * kDegToRad);
            keyed.push_back({pixel, i, 1, 0, v});
        }
    }
    SortByPixel(keyed, order, buffers);

    const double min_dot = std::cos(radius_rad) - 1e-14;  // radius_rad < 1 here (NeighbourhoodOrder ≥ 0)
    const double *xyz = catalog.vectors();
    // Pairs come out in pixel order and are put back in input order at the end (few: only matches).
    std::vector<MatchPair> found;
    // Where the range index is about as fine as the pixels (cells of at most 4 pixels, so a few rows),
    // reading whole cells is cheaper than narrowing each range by a binary search in another array.
    const bool whole_cells = catalog.order() - catalog.index_order() <= 1;
    const int cell_shift = 2 * (order - catalog.index_order()), pixel_shift = 2 * (catalog.order() - order);
    const int index_shift = 2 * (catalog.order() - catalog.index_order());
    // The walk is a three-stage pipeline over occupied pixels, so that the catalog's memory is already
    // being fetched when it is needed (on a catalog larger than the caches, waiting for index and
    // vector reads one pixel at a time was most of the time): an occupied pixel's neighbourhood is
    // computed and its index entries prefetched kAhead pixels before its rows are looked up and
    // their vectors prefetched, which is kAhead pixels before its positions are scanned.
    constexpr size_t kAhead = 8, kRing = 32;
    static_assert(kRing >= 2 * kAhead + 1 && (kRing & (kRing - 1)) == 0);
    struct Pending {
        size_t begin, end;                                // its positions in keyed
        std::array<std::pair<int64_t, int64_t>, 9> keys;  // index cells (whole_cells) or catalog pixels
        size_t n_keys;
        std::array<std::pair<uint64_t, uint64_t>, 9> rows;
        size_t n_rows;
    };
    std::array<Pending, kRing> ring;
    size_t next = 0, entered = 0, looked_up = 0, scanned = 0;
    auto enter = [&](Pending &p) {
        p.begin = next;
        const int64_t pixel = keyed[next].pixel;
        bool interior = true;
        for (; next < n && keyed[next].pixel == pixel; ++next) interior &= keyed[next].interior;
        p.end = next;
        // Where every position's disc stays inside the pixel (most, at small radii), its own rows are all
        // the candidates: one index lookup and one row range instead of up to nine.
        PixelRanges near;
        if (interior) {
            near.ranges[0] = {pixel, pixel};
            near.size = 1;
        } else {
            near = Neighbourhood(order, pixel, order);
        }
        p.n_keys = near.size;
        for (size_t r = 0; r < near.size; ++r) {
            const auto [first, last] = near.ranges[r];
            auto &key = p.keys[r];
            if (!whole_cells)
                key = {first << pixel_shift, ((last + 1) << pixel_shift) - 1};
            else if (cell_shift >= 0)
                key = {first >> cell_shift, last >> cell_shift};
            else
                key = {first << -cell_shift, ((last + 1) << -cell_shift) - 1};
            const int shift = whole_cells ? 0 : index_shift;
            catalog.PrefetchIndexCell(key.first >> shift);
            catalog.PrefetchIndexCell((key.second >> shift) + 1);
        }
    };
    auto look_up = [&](Pending &p) {
        size_t n_rows = 0;
        for (size_t r = 0; r < p.n_keys; ++r) {
            const auto range = whole_cells ? catalog.IndexRows(p.keys[r].first, p.keys[r].second)
                                           : catalog.PixelRows(p.keys[r].first, p.keys[r].second);
            if (range.first < range.second) p.rows[n_rows++] = range;
        }
        // Two ranges may share an index cell: merge, so that no row is visited twice.
        std::sort(p.rows.begin(), p.rows.begin() + static_cast<std::ptrdiff_t>(n_rows));
        size_t merged = 0;
        for (size_t r = 0; r < n_rows; ++r) {
            if (merged > 0 && p.rows[r].first <= p.rows[merged - 1].second)
                p.rows[merged - 1].second = std::max(p.rows[merged - 1].second, p.rows[r].second);
            else
                p.rows[merged++] = p.rows[r];
        }
        p.n_rows = merged;
        for (size_t r = 0; r < merged; ++r) {  // the first few cache lines of each range
            const char *at = reinterpret_cast<const char *>(xyz + 3 * p.rows[r].first);
            const char *end = reinterpret_cast<const char *>(xyz + 3 * p.rows[r].second);
            for (int line = 0; line < 8 && at < end; ++line, at += 64) __builtin_prefetch(at);
        }
    };
    while (true) {
        while (next < n && entered < scanned + 2 * kAhead) enter(ring[entered++ % kRing]);
        while (looked_up < entered && looked_up < scanned + kAhead) look_up(ring[looked_up++ % kRing]);
        if (scanned == entered) break;
        const Pending &p = ring[scanned++ % kRing];
        const auto &rows = p.rows;
        const size_t n_rows = p.n_rows;
        for (size_t k = p.begin; k < p.end; ++k) {
            const uint64_t in_row = first_index + keyed[k].index;
            const Vec3 &a = keyed[k].v;
            // The exact vector: keyed's where that is exact, else computed at the first candidate that the
            // approximate one cannot rule out (its dot product is within 2·kApproxVectorBound of the exact).
            std::optional<Vec3> c;
            if (keyed[k].exact) c = a;
            const double loose_min_dot = keyed[k].exact ? min_dot : min_dot - 2 * kApproxVectorBound;
            const size_t first_found = found.size();
            for (size_t r = 0; r < n_rows; ++r)
                for (uint64_t row = rows[r].first; row < rows[r].second; ++row) {
                    const double *v = xyz + 3 * row;
                    if (v[0] * a[0] + v[1] * a[1] + v[2] * a[2] < loose_min_dot) continue;
                    if (!c) {
                        const SkyPosition &q = block[keyed[k].index];
                        c = UnitVector(q.ra_deg, q.dec_deg);
                    }
                    if (v[0] * (*c)[0] + v[1] * (*c)[1] + v[2] * (*c)[2] < min_dot) continue;
                    const double sep = SeparationArcsec(*c, {v[0], v[1], v[2]});
                    if (sep > radius_arcsec) continue;
                    KeepPair(found, first_found, mode, MatchPair{in_row, row, catalog.cat_row(row), sep});
                }
        }
    }
    // Input order, then nearest first, ties by cat_row: the order of Catalog::Cone.
    std::sort(found.begin(), found.end(), [](const MatchPair &a, const MatchPair &b) {
        return a.in_row != b.in_row ? a.in_row < b.in_row : NearerFirst(a, b);
    });
    out.insert(out.end(), found.begin(), found.end());
}

// The neighbour table CrossMatch uses, or nullptr for the sorted join: where it fits, at the finest order
// that fits (fewest candidates per position). join_order: the sorted join's order (≥ 0). Tables are the
// catalog's, built once (Catalog::NeighbourTableAt): kAuto builds one only for enough positions to pay for
// it, and otherwise takes one an earlier call built (same pairs either way, only the speed differs).
std::shared_ptr<const NeighbourTable> TableFor(const Catalog &catalog, size_t n_positions, double radius_rad,
                                               int join_order, JoinMethod method) {
    if (method == JoinMethod::kSortedJoin) return nullptr;
    const bool forced = method == JoinMethod::kPixelTable;
    const size_t budget = forced ? kForcedTableBitmapBytes : kTableBitmapBytes;
    const bool build = forced || catalog.size() * kTableRowsPerPosition <= n_positions;
    for (int o = NeighbourhoodOrder(kMaxPixelOrder, radius_rad); o >= (forced ? 0 : join_order); --o) {
        std::shared_ptr<const NeighbourTable> table;
        if (build)
            table = catalog.NeighbourTableAt(o, budget);
        else if (auto cached = catalog.CachedNeighbourTable(o, budget))
            table = *cached;
        if (table) return table;
    }
    return nullptr;
}

}  // namespace

JoinMethod ChooseJoinMethod(const Catalog &catalog, size_t n_positions, double radius_arcsec) {
    const double radius_rad = radius_arcsec / kArcsecPerRadian;
    const int order = NeighbourhoodOrder(catalog.order(), radius_rad);
    if (order < 0 || catalog.size() == 0) return JoinMethod::kSortedJoin;
    return TableFor(catalog, n_positions, radius_rad, order, JoinMethod::kAuto) ? JoinMethod::kPixelTable
                                                                                : JoinMethod::kSortedJoin;
}

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
                                  MatchMode mode, unsigned threads, JoinMethod method) {
    if (!(radius_arcsec >= 0) || std::isinf(radius_arcsec))
        throw RivuletError(ErrorKind::kInvalidInput,
                           "cone radius " + std::to_string(radius_arcsec) + "″ is not a non-negative number");
    const double radius_rad = radius_arcsec / kArcsecPerRadian;
    const int order = NeighbourhoodOrder(catalog.order(), radius_rad);
    if (order < 0 || catalog.size() == 0)  // radius beyond a base pixel's neighbours, or nothing to find
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
    const std::shared_ptr<const NeighbourTable> table = TableFor(catalog, positions.size(), radius_rad, order, method);
    if (table)
        return InBlocks(positions.size(), threads, [&](size_t begin, size_t end, std::vector<MatchPair> &out) {
            TableJoin(catalog, *table, positions.subspan(begin, end - begin), begin, radius_arcsec, mode, out);
        });
    return InBlocks(positions.size(), threads, [&](size_t begin, size_t end, std::vector<MatchPair> &out) {
        // In chunks, so that the sort buffer is allocated (and its pages faulted in) once per block and
        // stays in cache; profiled, first touches of a buffer for the whole block cost more than the join.
        constexpr size_t kChunk = size_t{1} << 18;
        std::vector<Keyed> keyed;
        SortBuffers buffers;
        keyed.reserve(std::min(kChunk, end - begin));
        for (size_t at = begin; at < end; at += kChunk) {
            const size_t stop = std::min(end, at + kChunk);
            SortedJoin(catalog, positions.subspan(at, stop - at), at, radius_arcsec, order, mode, keyed, buffers, out);
        }
    });
}

}  // namespace rivulet::xmatch
