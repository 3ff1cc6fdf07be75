#include "xmatch/sky_geometry.hpp"

#include <cmath>
#include <numbers>

namespace rivulet::xmatch {

Vec3 UnitVector(double ra_deg, double dec_deg) {
    constexpr double kDegToRad = std::numbers::pi / 180.0;
    // cos(90°) is 6e-17 in doubles, which would make the pole a different point at each RA.
    if (dec_deg == 90.0) return {0.0, 0.0, 1.0};
    if (dec_deg == -90.0) return {0.0, 0.0, -1.0};
    const double ra = ra_deg * kDegToRad, dec = dec_deg * kDegToRad;
    const double cd = std::cos(dec);
    return {cd * std::cos(ra), cd * std::sin(ra), std::sin(dec)};
}

double SeparationRad(const Vec3 &a, const Vec3 &b) {
    const double cx = a[1] * b[2] - a[2] * b[1];
    const double cy = a[2] * b[0] - a[0] * b[2];
    const double cz = a[0] * b[1] - a[1] * b[0];
    const double cross = std::sqrt(cx * cx + cy * cy + cz * cz);
    const double dot = a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
    return std::atan2(cross, dot);
}

}  // namespace rivulet::xmatch
