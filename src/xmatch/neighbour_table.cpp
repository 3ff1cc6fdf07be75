#include "xmatch/neighbour_table.hpp"

#include <algorithm>
#include <boost/sort/spreadsort/integer_sort.hpp>
#include <limits>
#include <numbers>
#include <utility>

#include "xmatch/sky_pixels.hpp"

namespace rivulet::xmatch {

std::optional<NeighbourTable> NeighbourTable::Build(const Catalog &catalog, int order, size_t max_bitmap_bytes) {
    const uint64_t n = catalog.size();
    // A row is listed at most 9 times (once per pixel of its neighbourhood): row numbers and offsets fit uint32.
    if (n >= std::numeric_limits<uint32_t>::max() / 9 || order < 0 || order > kMaxPixelOrder) return std::nullopt;
    const int top_order = NeighbourTableTopOrder(order);
    const int cell_shift = 2 * (order - top_order);
    const uint64_t pixels_per_block = uint64_t{1} << cell_shift;
    const size_t words_per_block = static_cast<size_t>(std::max<uint64_t>(1, pixels_per_block / 64));
    const size_t block_bytes = words_per_block * sizeof(Word);
    if (block_bytes > max_bitmap_bytes) return std::nullopt;

    // Cheap refusal first, from the file's pixels where they are at least as fine as the blocks: every
    // occupied block is in the bitmap, so their number bounds it from below.
    if (top_order <= catalog.order()) {
        const int shift = 2 * (catalog.order() - top_order);
        size_t blocks = 0;
        for (uint64_t r = 0; r < n; ++r)
            if (r == 0 || (catalog.pixel(r) >> shift) != (catalog.pixel(r - 1) >> shift)) ++blocks;
        if (blocks > max_bitmap_bytes / block_bytes) return std::nullopt;
    }

    // 1. Every row's own pixel at `order`: the file's, coarsened, where the file is at least as fine;
    // else computed from its unit vector, as for positions. (Which of two pixels a point on a shared boundary gets
    // does not matter: NeighbourhoodOrder leaves room for rounding.)
    std::vector<std::pair<int64_t, uint32_t>> own(n);
    for (uint64_t r = 0; r < n; ++r) {
        const int64_t p = order <= catalog.order()
                              ? catalog.pixel(r) >> (2 * (catalog.order() - order))
                              : NestedPixel(order, catalog.vector(r), catalog.ra(r) * (std::numbers::pi / 180.0));
        own[r] = {p, static_cast<uint32_t>(r)};
    }
    std::sort(own.begin(), own.end());
    // A lower bound of the bitmap before the neighbours are computed: every occupied pixel's block.
    {
        size_t blocks = 0;
        for (size_t i = 0; i < own.size(); ++i)
            if (i == 0 || (own[i].first >> cell_shift) != (own[i - 1].first >> cell_shift)) ++blocks;
        if (blocks > max_bitmap_bytes / block_bytes) return std::nullopt;
    }

    // 2. (neighbourhood pixel, occupied pixel) pairs: pixel p's candidates are the rows of every occupied
    // pixel q whose neighbourhood holds p. That is the rows of p's own neighbourhood because being
    // neighbours is symmetric (two pixels touch or they do not; pixel_test.cpp checks healpix_cxx's
    // neighbour lists for it).
    std::vector<std::pair<uint64_t, uint64_t>> occupied;  // [begin, end) in `own` per occupied pixel
    for (size_t i = 0; i < own.size();) {
        size_t j = i;
        while (j < own.size() && own[j].first == own[i].first) ++j;
        occupied.emplace_back(i, j);
        i = j;
    }
    std::vector<std::pair<int64_t, uint32_t>> near;  // (p, index into occupied)
    near.reserve(occupied.size() * 9);
    for (size_t k = 0; k < occupied.size(); ++k) {
        const PixelRanges ranges = Neighbourhood(order, own[occupied[k].first].first, order);
        for (size_t r = 0; r < ranges.size; ++r)
            for (int64_t p = ranges.ranges[r].first; p <= ranges.ranges[r].second; ++p)
                near.emplace_back(p, static_cast<uint32_t>(k));
    }
    // By pixel only (a radix sort: ~9 pairs per occupied pixel); the order of a pixel's candidates is free,
    // callers order what they find.
    boost::sort::spreadsort::integer_sort(
        near.begin(), near.end(), [](const auto &a, unsigned shift) { return a.first >> shift; },
        [](const auto &a, const auto &b) { return a.first < b.first; });

    NeighbourTable t;
    t.order_ = order;
    t.cell_shift_ = cell_shift;
    t.local_mask_ = pixels_per_block - 1;
    t.words_per_block_ = words_per_block;
    // 3. Blocks, in ascending order of their cells, so that ranks ascend with pixel numbers.
    size_t blocks = 0;
    for (size_t i = 0; i < near.size(); ++i)
        if (i == 0 || (near[i].first >> cell_shift) != (near[i - 1].first >> cell_shift)) ++blocks;
    if (blocks > max_bitmap_bytes / block_bytes) return std::nullopt;
    t.top_.assign(static_cast<size_t>(PixelCount(top_order)), 0);
    t.words_.assign(blocks * words_per_block, Word{0, 0, 0});
    t.offsets_.push_back(0);
    uint32_t block = 0;
    for (size_t i = 0; i < near.size();) {
        const int64_t p = near[i].first;
        const uint64_t cell = static_cast<uint64_t>(p) >> cell_shift;
        if (t.top_[cell] == 0) t.top_[cell] = ++block;
        const uint64_t local = static_cast<uint64_t>(p) & t.local_mask_;
        t.words_[(t.top_[cell] - 1) * words_per_block + (local >> 6)].bits |= uint64_t{1} << (local & 63);
        for (; i < near.size() && near[i].first == p; ++i) {
            const auto [begin, end] = occupied[near[i].second];
            for (uint64_t k = begin; k < end; ++k) {
                const uint32_t row = own[k].second;
                const Vec3 v = catalog.vector(row);
                t.entries_.push_back({v[0], v[1], v[2], row});
            }
        }
        t.offsets_.push_back(static_cast<uint32_t>(t.entries_.size()));
    }
    // Ranks: set bits before each word, words in block order (= pixel order).
    uint32_t rank = 0;
    for (auto &w : t.words_) {
        w.rank = rank;
        rank += static_cast<uint32_t>(__builtin_popcountll(w.bits));
    }
    return t;
}

}  // namespace rivulet::xmatch
