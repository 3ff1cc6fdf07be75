#pragma once
// HEALPix NESTED pixels for catalog files: the pixel of a position at any order, and the pixel ranges
// that cover a disc. NESTED numbering keeps a pixel's descendants contiguous, so a catalog sorted by its
// pixel at the finest order is also sorted at every coarser order, and a cover at a coarse order is a
// handful of row ranges.

#include <array>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "xmatch/sky_geometry.hpp"

namespace rivulet::xmatch {

//! Finest order used (nside = 2^29, pixels of ~0.4 mas; 12·4^29 pixels still fit int64).
inline constexpr int kMaxPixelOrder = 29;

//! NESTED pixel of a position (degrees) at `order` (0 … kMaxPixelOrder).
int64_t NestedPixel(int order, double ra_deg, double dec_deg);

//! NESTED pixel at `order` of the unit vector `v`, whose longitude is `phi_rad` (given, to save an atan2).
//! Near the poles, where z alone is too coarse, the pixel comes from the vector's x and y.
int64_t NestedPixel(int order, const Vec3 &v, double phi_rad);

//! Number of pixels at `order`: 12·4^order.
inline int64_t PixelCount(int order) { return int64_t{12} << (2 * order); }

//! Inclusive ranges [first, last] of NESTED pixels at `order` that together contain every point within
//! `radius_rad` of `center` (more may come back: callers test the exact distance), sorted and disjoint.
//! The disc is covered at a coarser order chosen from the radius (a few pixels, whatever the radius),
//! with HEALPix's RING-scheme disc query, which is an order of magnitude faster than the NESTED one.
//! @locality any thread
std::vector<std::pair<int64_t, int64_t>> CoverDisc(int order, double ra_deg, double dec_deg, double radius_rad);

//! The finest order ≤ `max_order` whose pixels are wide enough that a disc of `radius_rad` around any point
//! of a pixel stays inside that pixel and its neighbours; -1 when even order 0 is too fine.
//! Why this holds: the smallest distance from a pixel to anything outside its 3×3 neighbourhood is
//! 0.675·sqrt(π/3)/2^order at every order (0.82 at order 0; measured exhaustively on the pixel boundaries
//! for orders 0–6 and on 20,000 pixels per order up to 12, and checked by tests/xmatch/pixel_test.cpp);
//! the bound used is 0.5·sqrt(π/3)/2^order, which leaves a quarter of that as slack for rounding.
int NeighbourhoodOrder(int max_order, double radius_rad);

//! At most 9 inclusive, sorted, disjoint ranges of NESTED pixels.
struct PixelRanges {
    std::array<std::pair<int64_t, int64_t>, 9> ranges;
    size_t size = 0;
};

//! `pixel` at `order` and its 7 or 8 neighbours, as ranges of NESTED pixels at `fine_order` (≥ order).
//! No allocation: the cross-match asks this once per occupied pixel and the cone search once per query.
//! @locality any thread
PixelRanges Neighbourhood(int order, int64_t pixel, int fine_order);

}  // namespace rivulet::xmatch
