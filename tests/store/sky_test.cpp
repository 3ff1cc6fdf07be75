// The sky helpers on their own: exact distances and the completeness of the HEALPix range query, which
// the store's cone search relies on (a pixel range that misses a point loses a match silently).

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "store/sky_distance.hpp"
#include "store/sky_index.hpp"

namespace rivulet {
namespace {

// Haversine, written independently of the library's vector form.
double HaversineArcsec(double ra1, double dec1, double ra2, double dec2) {
    const double d = M_PI / 180.0;
    const double s1 = std::sin((dec2 - dec1) * d / 2), s2 = std::sin((ra2 - ra1) * d / 2);
    const double h = s1 * s1 + std::cos(dec1 * d) * std::cos(dec2 * d) * s2 * s2;
    return 2 * std::asin(std::min(1.0, std::sqrt(h))) / d * 3600.0;
}

TEST(SkyDistance, KnownSeparations) {
    EXPECT_NEAR(AngularSeparationDeg(10, 20, 10, 20), 0.0, 1e-15);
    EXPECT_NEAR(AngularSeparationDeg(0, 0, 90, 0), 90.0, 1e-12);
    EXPECT_NEAR(AngularSeparationDeg(0, 90, 0, -90), 180.0, 1e-12);
    EXPECT_NEAR(AngularSeparationDeg(0, 0, 180, 0), 180.0, 1e-12);
    // Across RA 0/360: 0.0002° of RA on the equator.
    EXPECT_NEAR(AngularSeparationArcsec(359.9999, 0, 0.0001, 0), 0.72, 1e-9);
    // Near the pole, RA differences shrink by cos(dec): two points at dec 89.9999 on opposite sides.
    EXPECT_NEAR(AngularSeparationArcsec(0, 89.9999, 180, 89.9999), 0.72, 1e-7);
    // Sub-milliarcsecond separations keep their precision (arccos of a dot product would give 0).
    EXPECT_NEAR(AngularSeparationArcsec(150, 0, 150, 1e-9), 3.6e-6, 1e-15);
    // (30 + 1e-9 itself is only representable to ~1e-11″.)
    EXPECT_NEAR(AngularSeparationArcsec(150, 30, 150, 30 + 1e-9), 3.6e-6, 1e-10);
}

TEST(SkyDistance, AgreesWithHaversine) {
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> ra(0, 360), z(-1, 1), off(-0.01, 0.01);
    for (int i = 0; i < 10000; ++i) {
        const double r1 = ra(rng), d1 = std::asin(z(rng)) * 180 / M_PI;
        const double r2 = std::fmod(r1 + off(rng) + 360, 360), d2 = std::clamp(d1 + off(rng), -90.0, 90.0);
        EXPECT_NEAR(AngularSeparationArcsec(r1, d1, r2, d2), HaversineArcsec(r1, d1, r2, d2), 1e-6);
    }
}

TEST(SkyDistance, VectorRoundTrip) {
    for (double ra : {0.0, 0.0001, 123.456, 359.9999})
        for (double dec : {-90.0, -89.9999, -12.5, 0.0, 45.0, 89.9999, 90.0}) {
            double r = 0, d = 0;
            VectorToRaDec(UnitVector(ra, dec), r, d);
            EXPECT_NEAR(d, dec, 1e-12);
            if (std::abs(dec) < 90) { EXPECT_NEAR(AngularSeparationArcsec(ra, dec, r, d), 0.0, 1e-7); }
            EXPECT_GE(r, 0.0);
            EXPECT_LT(r, 360.0);
        }
}

// Every point within the radius lies in one of the returned ranges, wherever the disc is.
TEST(SkyIndex, RangesCoverTheDisc) {
    std::mt19937_64 rng(11);
    std::uniform_real_distribution<double> u(0, 1);
    const std::vector<std::pair<double, double>> centres = {
        {0, 90}, {0, -90}, {123, 89.999}, {300, -89.9999}, {359.9999, 0}, {0.0001, 10}, {0, 0}, {45, 41.8103}};
    for (double radius_arcsec : {0.5, 2.0, 13.0, 60.0, 600.0, 7200.0}) {
        for (const auto &[ra, dec] : centres) {
            const auto ranges = SkyPixelRanges(ra, dec, radius_arcsec / 3600.0);
            ASSERT_FALSE(ranges.empty());
            EXPECT_LT(ranges.size(), 200u) << "radius " << radius_arcsec;
            for (int i = 0; i < 2000; ++i) {
                // A random point in the disc: random bearing, random distance (uniform in area is not needed).
                const double rho = radius_arcsec / 3600.0 * std::sqrt(u(rng)) * M_PI / 180.0;
                const double bearing = 2 * M_PI * u(rng);
                const double d0 = dec * M_PI / 180.0, r0 = ra * M_PI / 180.0;
                const double d = std::asin(std::clamp(
                    std::sin(d0) * std::cos(rho) + std::cos(d0) * std::sin(rho) * std::cos(bearing), -1.0, 1.0));
                const double r = r0 + std::atan2(std::sin(bearing) * std::sin(rho) * std::cos(d0),
                                                 std::cos(rho) - std::sin(d0) * std::sin(d));
                double pra = std::fmod(r * 180.0 / M_PI + 360.0, 360.0), pdec = d * 180.0 / M_PI;
                const int64_t pix = SkyPixel(pra, pdec);
                const bool inside = std::any_of(ranges.begin(), ranges.end(),
                                                [&](const auto &rg) { return pix >= rg.first && pix <= rg.second; });
                ASSERT_TRUE(inside) << "point " << pra << "," << pdec << " of disc " << ra << "," << dec << " r="
                                    << radius_arcsec;
            }
        }
    }
}

}  // namespace
}  // namespace rivulet
