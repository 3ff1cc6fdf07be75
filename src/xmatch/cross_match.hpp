#pragma once
// Many positions against one catalog at once: batches of cones and the cross-match of a list of
// positions, split over threads in contiguous blocks. Results come back in input order (then by
// separation, ties by cat_row), identical for any number of threads.

#include <cstdint>
#include <span>
#include <vector>

#include "xmatch/catalog.hpp"

namespace rivulet::xmatch {

struct SkyPosition {
    double ra_deg;
    double dec_deg;
};

struct SkyCone {
    double ra_deg;
    double dec_deg;
    double radius_arcsec;
};

//! One (input, catalog source) pair.
struct MatchPair {
    uint64_t in_row;   //!< index of the input position (or cone)
    uint64_t row;      //!< position in the catalog file, for column access
    uint64_t cat_row;  //!< 0-based data row of the catalog's source CSV
    double sep_arcsec;
};

enum class MatchMode {
    kNearest,  //!< the closest source within the radius, per input
    kAll,      //!< every source within the radius
};

//! How CrossMatch finds each position's candidates. kAuto chooses (see cross_match.cpp); the others force
//! one way, for tests and benchmarks. Every way gives the same pairs.
enum class JoinMethod {
    kAuto,
    kSortedJoin,  //!< positions sorted by pixel, one forward walk through the catalog (any catalog)
    kPixelTable,  //!< a NeighbourTable of the catalog, positions in input order (catalogs that fit in cache)
};

//! The method CrossMatch(kAuto) takes for `n_positions` positions against `catalog` within `radius_arcsec`
//! (kPixelTable or kSortedJoin; kSortedJoin also where radii too large for either fall back to cones).
//! Where that is the table, it is built here and kept by the catalog, for the CrossMatch that follows.
JoinMethod ChooseJoinMethod(const Catalog &catalog, size_t n_positions, double radius_arcsec);

//! Every source in each cone. `threads` 0 means one per hardware thread.
//! Throws RivuletError(kInvalidInput) naming the first bad cone (non-finite, |Dec| > 90, radius < 0).
std::vector<MatchPair> ConeSearchBatch(const Catalog &catalog, std::span<const SkyCone> cones, unsigned threads = 1);

//! Cross-match of `positions` with the catalog within `radius_arcsec`: a lookup per position in a table of
//! the catalog's pixel neighbourhoods where that table is small enough to stay in cache (built on first
//! use and kept by the catalog, Catalog::NeighbourTableAt), else a sorted
//! join (positions sorted by HEALPix pixel, one forward walk through the catalog); either way with the
//! same pairs, separations and order as one Catalog::Cone (kAll) or Catalog::Nearest (kNearest) per
//! position. Throws RivuletError(kInvalidInput) naming the first bad position, or for a negative radius.
std::vector<MatchPair> CrossMatch(const Catalog &catalog, std::span<const SkyPosition> positions, double radius_arcsec,
                                  MatchMode mode, unsigned threads = 1, JoinMethod method = JoinMethod::kAuto);

}  // namespace rivulet::xmatch
