#pragma once
// HEALPix NESTED pixels for catalog files: the pixel of a position at any order, and the pixel ranges
// that cover a disc. NESTED numbering keeps a pixel's descendants contiguous, so a catalog sorted by its
// pixel at the finest order is also sorted at every coarser order, and a cover at a coarse order is a
// handful of row ranges.

#include <cstdint>
#include <utility>
#include <vector>

#include "xmatch/sky_geometry.hpp"

namespace rivulet::xmatch {

//! Finest order used (nside = 2^29, pixels of ~0.4 mas; 12·4^29 pixels still fit int64).
inline constexpr int kMaxPixelOrder = 29;

//! NESTED pixel of a position (degrees) at `order` (0 … kMaxPixelOrder).
int64_t NestedPixel(int order, double ra_deg, double dec_deg);

//! Number of pixels at `order`: 12·4^order.
inline int64_t PixelCount(int order) { return int64_t{12} << (2 * order); }

//! Inclusive ranges [first, last] of NESTED pixels at `order` that together contain every point within
//! `radius_rad` of `center` (more may come back: callers test the exact distance), sorted and disjoint.
//! The disc is covered at a coarser order chosen from the radius (a few pixels, whatever the radius),
//! with HEALPix's RING-scheme disc query, which is an order of magnitude faster than the NESTED one.
//! @locality any thread
std::vector<std::pair<int64_t, int64_t>> CoverDisc(int order, double ra_deg, double dec_deg, double radius_rad);

}  // namespace rivulet::xmatch
