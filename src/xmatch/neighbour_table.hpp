#pragma once
// For a catalog that covers a small part of the sky, or little of it densely: a table from a HEALPix
// NESTED pixel at one order to the catalog rows in that pixel and its neighbours, so that the cross-match
// finds a position's candidates with one pixel computation and one lookup, in input order, without
// sorting the positions (see cross_match.cpp for when it is used).
//
// Layout, small enough at fine orders to stay in cache:
//   top     uint32 per pixel at a coarse order T (12·4^T of them): 0 where no pixel below it has a
//           source in its neighbourhood, else 1 + the number of its block;
//   words   per block, one bit per pixel at the table's order (set: its neighbourhood holds a source),
//           with, every 64 pixels, the number of set bits before them (a rank), 16 bytes per 64 pixels;
//   offsets the rank k of a set pixel indexes [offsets[k], offsets[k+1]) in `entries`, its candidates
//           (row and unit vector of every source in its neighbourhood; a source is listed once per pixel
//           of its neighbourhood, so 9 times at fine orders: the price of one lookup per position).
// Does not test distances: callers do, as for any other candidate.
// @locality any thread once built (read-only).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "xmatch/catalog.hpp"

namespace rivulet::xmatch {

class NeighbourTable {
public:
    //! The table of `catalog` at `order` (0 … kMaxPixelOrder), or nullopt when its bitmap would need more
    //! than `max_bitmap_bytes` or the catalog has 2^32/9 rows or more. Cost: a few neighbour computations
    //! per occupied pixel, O(n log n) in the catalog's rows.
    static std::optional<NeighbourTable> Build(const Catalog &catalog, int order, size_t max_bitmap_bytes);

    int order() const { return order_; }
    //! Bytes of the bitmap (the part every lookup touches).
    size_t bitmap_bytes() const { return words_.size() * sizeof(Word); }
    //! Bytes of the whole table.
    size_t bytes() const {
        return bitmap_bytes() + (top_.size() + offsets_.size()) * sizeof(uint32_t) +
               entries_.size() * sizeof(Candidate);
    }

    //! A candidate: a catalog row and its unit vector, copied here so that a lookup reads one place.
    struct Candidate {
        double x, y, z;
        uint64_t row;
    };

    //! Index of the candidate list of `pixel` (at order()), or -1 where its neighbourhood is empty.
    int64_t Find(int64_t pixel) const {
        const uint32_t block = top_[static_cast<uint64_t>(pixel) >> cell_shift_];
        if (block == 0) return -1;
        const uint64_t local = static_cast<uint64_t>(pixel) & local_mask_;
        const Word &w = words_[(block - 1) * words_per_block_ + (local >> 6)];
        const uint64_t bit = uint64_t{1} << (local & 63);
        if ((w.bits & bit) == 0) return -1;
        return w.rank + __builtin_popcountll(w.bits & (bit - 1));
    }
    //! Candidate list `k` (from Find).
    std::span<const Candidate> List(int64_t k) const {
        return {entries_.data() + offsets_[static_cast<size_t>(k)],
                entries_.data() + offsets_[static_cast<size_t>(k) + 1]};
    }
    //! Catalog rows of `pixel` and its neighbours, with their vectors; empty where there are none.
    std::span<const Candidate> Candidates(int64_t pixel) const {
        const int64_t k = Find(pixel);
        return k < 0 ? std::span<const Candidate>() : List(k);
    }

    // Prefetches, for callers that look up many pixels in a pipeline: each asks for what the next step
    // reads (the bitmap word of a pixel; the offsets of list k; the first entries of list k).
    void PrefetchWord(int64_t pixel) const {
        const uint32_t block = top_[static_cast<uint64_t>(pixel) >> cell_shift_];
        if (block != 0)
            __builtin_prefetch(
                &words_[(block - 1) * words_per_block_ + ((static_cast<uint64_t>(pixel) & local_mask_) >> 6)]);
    }
    void PrefetchOffsets(int64_t k) const { __builtin_prefetch(offsets_.data() + k); }
    void PrefetchList(int64_t k) const { __builtin_prefetch(entries_.data() + offsets_[static_cast<size_t>(k)]); }

private:
    struct Word {
        uint64_t bits;
        uint32_t rank;
        uint32_t unused;
    };
    int order_ = 0;
    int cell_shift_ = 0;  // 2·(order - T)
    uint64_t local_mask_ = 0;
    size_t words_per_block_ = 1;
    std::vector<uint32_t> top_;
    std::vector<Word> words_;
    std::vector<uint32_t> offsets_;
    std::vector<Candidate> entries_;
};

//! The coarse order of a NeighbourTable's top level at `order`: blocks of at least 4^5 pixels, and a top
//! level of at most 12·4^7 cells.
inline int NeighbourTableTopOrder(int order) { return order <= 5 ? 0 : (order - 5 < 7 ? order - 5 : 7); }

}  // namespace rivulet::xmatch
