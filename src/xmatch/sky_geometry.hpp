#pragma once
// Positions and exact angular distances on the sphere for the catalog code. Distances use the vector form
// atan2(|a×b|, a·b): accurate at every separation (arccos of a dot product loses everything below ~1″,
// the haversine near 180°) and free of special cases at the poles and across RA = 0/360.
// (The store has the same helpers in store/sky_distance.hpp; xmatch keeps its own so that it does not
// depend on the store.)

#include <array>

namespace rivulet::xmatch {

using Vec3 = std::array<double, 3>;

inline constexpr double kArcsecPerRadian = 206264.80624709636;

//! Unit vector of a position in degrees (x towards RA 0, z towards the north pole).
Vec3 UnitVector(double ra_deg, double dec_deg);

//! Great-circle separation of two unit vectors, in radians.
double SeparationRad(const Vec3 &a, const Vec3 &b);

//! Great-circle separation of two positions in degrees, in arcseconds: the one definition every cone
//! search, cross-match and brute-force check uses, so their answers agree to the last bit.
inline double SeparationArcsec(const Vec3 &a, const Vec3 &b) { return SeparationRad(a, b) * kArcsecPerRadian; }

inline double SeparationArcsec(double ra1_deg, double dec1_deg, double ra2_deg, double dec2_deg) {
    return SeparationArcsec(UnitVector(ra1_deg, dec1_deg), UnitVector(ra2_deg, dec2_deg));
}

}  // namespace rivulet::xmatch
