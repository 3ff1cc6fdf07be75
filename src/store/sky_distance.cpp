#include "store/sky_distance.hpp"

#include <cmath>
#include <numbers>

namespace rivulet {

namespace {
constexpr double kDegToRad = std::numbers::pi / 180.0;
constexpr double kRadToDeg = 180.0 / std::numbers::pi;
}  // namespace

std::array<double, 3> UnitVector(double ra_deg, double dec_deg) {
    const double ra = ra_deg * kDegToRad, dec = dec_deg * kDegToRad;
    const double cd = std::cos(dec);
    return {cd * std::cos(ra), cd * std::sin(ra), std::sin(dec)};
}

void VectorToRaDec(const std::array<double, 3> &v, double &ra_deg, double &dec_deg) {
    const double rho = std::hypot(v[0], v[1]);
    dec_deg = std::atan2(v[2], rho) * kRadToDeg;
    // At a pole RA is undefined; atan2(0, 0) = 0 gives a well-defined 0.
    double ra = std::atan2(v[1], v[0]) * kRadToDeg;
    if (ra < 0) ra += 360.0;
    if (ra >= 360.0) ra -= 360.0;  // -tiny + 360 can round up to exactly 360
    ra_deg = ra;
}

double AngularSeparationDeg(double ra1_deg, double dec1_deg, double ra2_deg, double dec2_deg) {
    const auto a = UnitVector(ra1_deg, dec1_deg);
    const auto b = UnitVector(ra2_deg, dec2_deg);
    const double cx = a[1] * b[2] - a[2] * b[1];
    const double cy = a[2] * b[0] - a[0] * b[2];
    const double cz = a[0] * b[1] - a[1] * b[0];
    const double cross = std::sqrt(cx * cx + cy * cy + cz * cz);
    const double dot = a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
    return std::atan2(cross, dot) * kRadToDeg;
}

}  // namespace rivulet
