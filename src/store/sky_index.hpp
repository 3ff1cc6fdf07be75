#pragma once
// The spatial index of the store: every object position is filed under its HEALPix NESTED pixel at one
// fixed order, and a cone search turns into a few pixel ranges (NESTED numbering keeps neighbouring
// pixels in contiguous runs) followed by an exact distance test. Backend-neutral: any table with an
// indexed integer pixel column can use it.

#include <cstdint>
#include <utility>
#include <vector>

namespace rivulet {

//! HEALPix order of the stored pixel: nside = 2^14, pixels of ~12.9″, 3.2·10^9 of them (fits int64).
inline constexpr int kSkyIndexOrder = 14;

//! NESTED pixel at kSkyIndexOrder of a position in degrees.
int64_t SkyPixel(double ra_deg, double dec_deg);

//! Inclusive ranges [first, last] of kSkyIndexOrder pixels that together contain every point within
//! `radius_deg` of the position (they may contain more: callers must test the exact distance).
//! The disc is queried at a coarser order chosen from the radius, so a large radius yields a handful
//! of wide ranges instead of millions of pixels.
std::vector<std::pair<int64_t, int64_t>> SkyPixelRanges(double ra_deg, double dec_deg, double radius_deg);

}  // namespace rivulet
