#pragma once
// Angular distances on the sphere. Uses the vector form atan2(|a×b|, a·b), which is accurate at every
// separation (the arccos of a dot product loses all precision below ~1″, the haversine near 180°) and
// needs no special case at the poles or across RA = 0/360.

#include <array>

namespace rivulet {

//! Unit vector of a position given in degrees (x towards RA 0, z towards the north pole).
std::array<double, 3> UnitVector(double ra_deg, double dec_deg);

//! RA in [0, 360) and Dec in [-90, 90] (degrees) of a non-zero vector; it need not be normalised.
void VectorToRaDec(const std::array<double, 3> &v, double &ra_deg, double &dec_deg);

//! Great-circle separation of two positions, in degrees.
double AngularSeparationDeg(double ra1_deg, double dec1_deg, double ra2_deg, double dec2_deg);

//! Great-circle separation of two positions, in arcseconds.
inline double AngularSeparationArcsec(double ra1_deg, double dec1_deg, double ra2_deg, double dec2_deg) {
    return AngularSeparationDeg(ra1_deg, dec1_deg, ra2_deg, dec2_deg) * 3600.0;
}

}  // namespace rivulet
