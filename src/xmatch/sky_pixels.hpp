#pragma once
// HEALPix NESTED pixels for catalog files: the pixel of a position at any order, and the pixel ranges
// that cover a disc. NESTED numbering keeps a pixel's descendants contiguous, so a catalog sorted by its
// pixel at the finest order is also sorted at every coarser order, and a cover at a coarse order is a
// handful of row ranges.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numbers>
#include <optional>
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

namespace pixel_detail {

// healpix_cxx's inv_halfpi and twothird (lsconstants.h).
inline constexpr double kInvHalfPi = 0.6366197723675813430755350534900574, kTwoThird = 2.0 / 3.0;

// healpix_cxx's fmodulo(phi * inv_halfpi, 4.0): in [0, 4).
inline double Tt(double phi_rad) {
    const double tt = phi_rad * kInvHalfPi;
    if (tt >= 0) return tt < 4.0 ? tt : std::fmod(tt, 4.0);
    const double t = std::fmod(tt, 4.0) + 4.0;
    return t == 4.0 ? 0.0 : t;
}

// The two edge-line values loc2pix computes from z and tt before truncating them, in the region |z| says
// (equatorial for |z| ≤ 2/3, else a polar cap without sin(theta)); both ≥ 0 (up to rounding), the cap's
// below nside.
inline std::pair<double, double> LineValues(int order, double z, double tt) {
    const double nside = static_cast<double>(int64_t{1} << order);
    const double za = std::abs(z);
    if (za <= kTwoThird) {
        const double temp1 = nside * (0.5 + tt), temp2 = nside * (z * 0.75);
        return {temp1 - temp2, temp1 + temp2};
    }
    const int ntt = std::min(3, static_cast<int>(tt));
    const double tp = tt - ntt;
    const double tmp = nside * std::sqrt(3 * (1 - za));
    return {tp * tmp, (1.0 - tp) * tmp};
}

// The two edge-line indices (jp, jm) loc2pix computes from z and tt: LineValues truncated (and, in a cap,
// clamped to nside - 1 as loc2pix does). Within a region each is a monotone function of z: every
// operation on the way is (correctly rounded IEEE arithmetic, sqrt, truncation, min).
inline std::pair<int64_t, int64_t> Lines(int order, double z, double tt) {
    const auto [jp, jm] = LineValues(order, z, tt);
    if (std::abs(z) <= kTwoThird) return {static_cast<int64_t>(jp), static_cast<int64_t>(jm)};
    const int64_t nside = int64_t{1} << order;
    return {std::min(static_cast<int64_t>(jp), nside - 1), std::min(static_cast<int64_t>(jm), nside - 1)};
}

// Bit i of v (< 2^32) to bit 2i: healpix_cxx's spread_bits, the NESTED index of (x, y) being
// Spread(x) + 2·Spread(y).
inline uint64_t Spread(uint64_t v) {
    v = (v | (v << 16)) & 0x0000FFFF0000FFFFull;
    v = (v | (v << 8)) & 0x00FF00FF00FF00FFull;
    v = (v | (v << 4)) & 0x0F0F0F0F0F0F0F0Full;
    v = (v | (v << 2)) & 0x3333333333333333ull;
    return (v | (v << 1)) & 0x5555555555555555ull;
}

// Bit 2i of v to bit i (the even bits; Spread's inverse): healpix_cxx's compress_bits.
inline uint64_t Compress(uint64_t v) {
    v &= 0x5555555555555555ull;
    v = (v | (v >> 1)) & 0x3333333333333333ull;
    v = (v | (v >> 2)) & 0x0F0F0F0F0F0F0F0Full;
    v = (v | (v >> 4)) & 0x00FF00FF00FF00FFull;
    v = (v | (v >> 8)) & 0x0000FFFF0000FFFFull;
    return (v | (v >> 16)) & 0x00000000FFFFFFFFull;
}

// The pixel from the edge lines: z only says the region and the hemisphere.
inline int64_t FromLines(int order, double z, double tt, int64_t jp, int64_t jm) {
    auto xyf2nest = [&](int64_t ix, int64_t iy, int64_t face) {
        return (face << (2 * order)) +
               static_cast<int64_t>(Spread(static_cast<uint64_t>(ix)) + (Spread(static_cast<uint64_t>(iy)) << 1));
    };
    const int64_t nside = int64_t{1} << order;
    if (std::abs(z) <= kTwoThird) {
        const int64_t ifp = jp >> order, ifm = jm >> order;
        const int64_t face = ifp == ifm ? (ifp | 4) : (ifp < ifm ? ifp : ifm + 8);
        return xyf2nest(jm & (nside - 1), nside - (jp & (nside - 1)) - 1, face);
    }
    const int ntt = std::min(3, static_cast<int>(tt));
    return z >= 0 ? xyf2nest(nside - jm - 1, nside - jp - 1, ntt) : xyf2nest(jp, jm, ntt + 8);
}

// sin(x) for |x| ≤ π/2 by its Taylor series to x^23 (truncation below 1e-20): within kSinBound of std::sin
// (tests/xmatch/pixel_test.cpp measures it). Branch-free and evaluated by Estrin's scheme (short
// dependency chains), so that in a loop over many x the evaluations overlap: a few ns where std::sin
// took ~20 in the cross-match's profile (Horner's scheme, one long chain, was slower than std::sin).
inline constexpr double kSinBound = 4e-15;
inline constexpr std::array<double, 12> kSinTaylor = [] {
    std::array<double, 12> k{};  // (-1)^i / (2i+1)!
    double f = 1;
    for (size_t i = 0; i < k.size(); ++i) {
        k[i] = (i % 2 ? -1.0 : 1.0) / f;
        f *= static_cast<double>((2 * i + 2) * (2 * i + 3));
    }
    return k;
}();
inline double Sin(double x) {
    const auto &c = kSinTaylor;
    const double x2 = x * x, x4 = x2 * x2, x8 = x4 * x4;
    // c1 + c2·x2 + … + c11·x2^10
    const double a = c[1] + c[2] * x2, b = c[3] + c[4] * x2, d = c[5] + c[6] * x2, e = c[7] + c[8] * x2,
                 f = c[9] + c[10] * x2;
    const double ab = a + b * x4, de = d + e * x4, fg = f + c[11] * x4;
    const double p = ab + (de + fg * x8) * x8;
    return x + x * x2 * p;
}

// Whether z ± kSinBound (z from Sin) lie on the same side of |z| = 0.99, of |z| = 2/3 and of 0, so that the
// pixel can be decided from the approximate z (NestedPixelOfApproxZ).
inline bool ApproxZDecidable(double z) {
    const double lo = z - kSinBound, hi = z + kSinBound;
    return std::abs(lo) <= 0.99 && std::abs(hi) <= 0.99 && (std::abs(lo) <= kTwoThird) == (std::abs(hi) <= kTwoThird) &&
           (lo < 0) == (hi < 0);
}

// The pixel from the approximate z where the edge lines at z ± kSinBound agree, else -1 (z decidable).
inline int64_t PixelOfApproxZ(int order, double z, double tt) {
    const auto lines = Lines(order, z - kSinBound, tt);
    if (lines != Lines(order, z + kSinBound, tt)) return -1;
    return FromLines(order, z, tt, lines.first, lines.second);
}

}  // namespace pixel_detail

//! NESTED pixel at `order` of a position with z = sin(Dec) and longitude `phi_rad`, for |z| ≤ 0.99 (callers
//! use the vector form nearer the poles, as NestedPixel(order, v, phi) does): healpix_cxx's
//! zphi2pix, i.e. T_Healpix_Base<int64>::loc2pix(z, phi, 0, false) of healpix_cxx 3.80, written out here
//! with the same floating-point operations in the same order, so that it gives the same pixel for every
//! input. Why by hand: called through the library it is an out-of-line call with the scheme and order
//! tests of a general base; inline, it costs a few ns, and (below) it can decide from an approximate z.
//! tests/xmatch/pixel_test.cpp checks it against healpix_cxx on millions of points: random, on and next to
//! pixel and face boundaries, |z| = 2/3 and 0.99, RA outside [0, 360).
//! @locality any thread
inline int64_t NestedPixelZPhi(int order, double z, double phi_rad) {
    const double tt = pixel_detail::Tt(phi_rad);
    const auto [jp, jm] = pixel_detail::Lines(order, z, tt);
    return pixel_detail::FromLines(order, z, tt, jp, jm);
}

//! NestedPixel(order, UnitVector(ra_deg, dec_deg), ra_deg·π/180), the same pixel for every input, without
//! the exact sine where it cannot matter; -1 where it might (the caller then computes the exact way):
//! near the poles (|z| near or above 0.99), and within ~1e-15 of a pixel boundary in z.
//! Why this is exact: z = sin(Dec) is taken from a polynomial within kSinBound of std::sin; loc2pix's edge
//! lines (jp, jm) are monotone in z within a region, so where they are the same at z ± kSinBound (both in
//! the same region) they are the same at the exact z, and so is the pixel.
//! @locality any thread
inline int64_t NestedPixelOfDec(int order, double ra_deg, double dec_deg);

//! NestedPixelOfDec with z = pixel_detail::Sin(dec_deg·π/180) given (callers computing it for many positions
//! in one loop, which vectorises).
inline int64_t NestedPixelOfApproxZ(int order, double ra_deg, double z) {
    constexpr double kDegToRad = std::numbers::pi / 180.0;  // as UnitVector
    if (!pixel_detail::ApproxZDecidable(z)) return -1;
    return pixel_detail::PixelOfApproxZ(order, z, pixel_detail::Tt(ra_deg * kDegToRad));
}

//! NestedPixelOfApproxZ, and whether every point within `radius_rad` of the position is in that same pixel
//! (`interior`; false where unsure, and always with pixel -1). A join can then read only the position's own
//! pixel instead of its 3×3 neighbourhood: at 2″ on order-10 pixels (3.4′) that is ~96% of positions.
//! Why this is exact: within a region (|z| ≤ 2/3, or one polar cap) a pixel is the cell between consecutive
//! integers of both edge-line values jp, jm (Lines before truncation; in a cap also between faces, whose
//! boundaries are jp = 0 or jm = 0). Their gradients on the sphere are at most 1.02·nside (equatorial:
//! nside·sqrt((2/π / cos δ)² + (0.75 cos δ)²) with cos δ ≥ 0.745) and 1.50·nside (caps: nside·sqrt(0.854² +
//! 1.225²)) per radian of arc, so a point within r moves each line by less than 2·nside·r. Where both lines
//! are farther than that (plus rounding slack) from an integer, and the disc crosses neither the region
//! boundary |z| = 2/3 (|Δz| ≤ r) nor, in the equatorial region, RA = 0 (|ΔRA| ≤ 1.35·r/0.745 for r ≤ 0.01;
//! the caps' RA = 0 is a face boundary, covered by the lines), every point of it has the same truncated lines,
//! region, hemisphere and face, hence the same pixel. tests/xmatch/pixel_test.cpp checks the claim on random
//! discs against healpix_cxx.
//! @locality any thread
inline int64_t NestedPixelOfApproxZ(int order, double ra_deg, double z, double radius_rad, bool &interior) {
    constexpr double kDegToRad = std::numbers::pi / 180.0;
    using pixel_detail::kTwoThird;
    interior = false;
    if (!pixel_detail::ApproxZDecidable(z)) return -1;
    const double tt = pixel_detail::Tt(ra_deg * kDegToRad);  // once for both answers
    const double za = std::abs(z);
    // The disc clear of |z| = 2/3 and, in the equatorial region, of RA = 0, where tt wraps (2r of longitude
    // > 1.35·r / cos δ, cos δ ≥ 0.745).
    const bool clear = radius_rad <= 0.01 && std::abs(za - kTwoThird) > radius_rad + 1e-12 &&
                       (za > kTwoThird || std::min(tt, 4.0 - tt) / pixel_detail::kInvHalfPi > 2.0 * radius_rad / 0.745);
    if (clear) {
        const double nside = static_cast<double>(int64_t{1} << order);
        // Rounding of the line values (a few ulps of numbers < 5·nside) and of z (kSinBound, times at most
        // 9·nside per unit of z near |z| = 0.99) stay far below 1e-12·nside.
        const double margin = 2.0 * nside * radius_rad + 1e-12 * nside;
        const auto [jp, jm] = pixel_detail::LineValues(order, z, tt);
        // Truncation is the floor for these non-negative values (and, unlike std::floor on a baseline
        // x86-64 build, an instruction rather than a call); the cap's values are below nside, so Lines'
        // clamp is idle and these are Lines(order, z, tt).
        const int64_t ip = static_cast<int64_t>(jp), im = static_cast<int64_t>(jm);
        const double fp = jp - static_cast<double>(ip), fm = jm - static_cast<double>(im);
        if (fp > margin && 1.0 - fp > margin && fm > margin && 1.0 - fm > margin) {
            // Lines at z ± kSinBound truncate to these same integers (the margin is far wider than z's
            // error moves them), so this is the pixel PixelOfApproxZ would give.
            interior = true;
            return pixel_detail::FromLines(order, z, tt, ip, im);
        }
    }
    return pixel_detail::PixelOfApproxZ(order, z, tt);
}

inline int64_t NestedPixelOfDec(int order, double ra_deg, double dec_deg) {
    return NestedPixelOfApproxZ(order, ra_deg, pixel_detail::Sin(dec_deg * (std::numbers::pi / 180.0)));
}

//! UnitVector(ra_deg, dec_deg) from the polynomial sine, each component within kApproxVectorBound of it,
//! given z = pixel_detail::Sin(dec_deg·π/180) (the cross-match has it); nullopt for |ra_deg| > 720, where
//! reducing RA would lose that bound. For pre-filters only: a dot product with a unit vector taken
//! from it is within 2·kApproxVectorBound of the exact one, so a candidate whose approximate dot product is
//! below a threshold by more than that is below it exactly, without the exact vector's two sincos.
//! Why the bound holds: every sine and cosine here is the polynomial (within kSinBound of std::sin on
//! |x| ≤ π/2) at an argument within a few ulps of π of the exact one, and products of numbers ≤ 1 add
//! their errors; tests/xmatch/pixel_test.cpp measures the components against UnitVector.
//! @locality any thread
inline constexpr double kApproxVectorBound = 1e-13;
inline std::optional<Vec3> ApproxUnitVector(double ra_deg, double dec_deg, double z) {
    constexpr double kDegToRad = std::numbers::pi / 180.0, kHalfPi = std::numbers::pi / 2;
    if (!(std::abs(ra_deg) <= 720)) return std::nullopt;
    const double dec = dec_deg * kDegToRad;
    const double ra_full = ra_deg * kDegToRad;
    const double ra = ra_full - 2 * std::numbers::pi * std::nearbyint(ra_full * (0.5 / std::numbers::pi));  // [-π, π]
    const double ra_abs = std::abs(ra);
    const double sin_ra_abs = pixel_detail::Sin(ra_abs <= kHalfPi ? ra_abs : std::numbers::pi - ra_abs);
    const double cos_ra = pixel_detail::Sin(kHalfPi - ra_abs);
    const double cos_dec = pixel_detail::Sin(kHalfPi - std::abs(dec));
    return Vec3{cos_dec * cos_ra, cos_dec * std::copysign(sin_ra_abs, ra), z};
}

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

//! An inclusive range [first, second] of NESTED pixels. A plain struct rather than std::pair so that
//! PixelRanges is not zero-filled on every construction (profiled: a `rep stos` per neighbourhood).
struct PixelRange {
    int64_t first, second;
};

//! At most 9 inclusive, sorted, disjoint ranges of NESTED pixels (ranges[size…] are unset).
struct PixelRanges {
    std::array<PixelRange, 9> ranges;
    size_t size = 0;
};

//! `pixel` at `order` and its 7 or 8 neighbours, as ranges of NESTED pixels at `fine_order` (≥ order).
//! No allocation: the cross-match asks this once per occupied pixel and the cone search once per query.
//! @locality any thread
PixelRanges Neighbourhood(int order, int64_t pixel, int fine_order);

}  // namespace rivulet::xmatch
