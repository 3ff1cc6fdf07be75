// The geometric fact the cross-match join and the small-radius cone search rest on: a disc of radius
// NeighbourhoodOrder's limit around any point of a HEALPix pixel stays inside the pixel and its
// neighbours. Checked on the pixel boundaries (the closest points of two disjoint regions lie on them):
// every pixel at orders 0-3, and pixels at the poles, the base-pixel corners and random places at fine
// orders. Also: the inline NESTED pixel equals healpix_cxx's, and healpix_cxx's neighbour lists are
// symmetric (NeighbourTable relies on it).

#include <gtest/gtest.h>
#include <healpix_base.h>
#include <vec3.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <random>
#include <set>
#include <utility>
#include <vector>

#include "xmatch/sky_geometry.hpp"
#include "xmatch/sky_pixels.hpp"

namespace rivulet::testing {
namespace {

double Angle(const vec3 &a, const vec3 &b) { return std::atan2(crossprod(a, b).Length(), dotprod(a, b)); }

// Smallest distance from pixel p to a pixel outside p and its neighbours (sampled on the boundaries).
double Margin(const T_Healpix_Base<int64> &base, int64 p) {
    fix_arr<int64, 8> nb;
    base.neighbors(p, nb);
    std::set<int64> inner{p};
    for (size_t i = 0; i < 8; ++i)
        if (nb[i] >= 0) inner.insert(nb[i]);
    std::vector<vec3> mine, outside;
    base.boundaries(p, 12, mine);
    for (int64 q : inner) {
        fix_arr<int64, 8> n2;
        base.neighbors(q, n2);
        for (size_t i = 0; i < 8; ++i)
            if (n2[i] >= 0 && !inner.count(n2[i])) {
                std::vector<vec3> b;
                base.boundaries(n2[i], 12, b);
                outside.insert(outside.end(), b.begin(), b.end());
            }
    }
    double m = 10;
    for (const auto &a : mine)
        for (const auto &b : outside) m = std::min(m, Angle(a, b));
    return m;
}

TEST(Neighbourhood, HoldsEveryDiscOfTheAllowedRadius) {
    std::mt19937_64 rng(5);
    for (int order : {0, 1, 2, 3, 10, 20}) {
        const T_Healpix_Base<int64> base(order, NEST);
        const int64 npix = base.Npix(), per_face = npix / 12;
        std::vector<int64> pixels;
        if (npix <= 768) {
            for (int64 p = 0; p < npix; ++p) pixels.push_back(p);
        } else {
            // The first and last pixels of every base pixel are its corners (poles, and where three base
            // pixels meet, which have 7 neighbours); then random ones.
            for (int64 f = 0; f < 12; ++f)
                for (int64 k = 0; k < 3; ++k)
                    pixels.insert(pixels.end(), {f * per_face + k, (f + 1) * per_face - 1 - k});
            for (int i = 0; i < 150; ++i) pixels.push_back(static_cast<int64>(rng() % static_cast<uint64_t>(npix)));
        }
        // The largest radius NeighbourhoodOrder allows at this order.
        double allowed = 0;
        for (double r = 1e-12; xmatch::NeighbourhoodOrder(order, r) == order; r *= 1.001) allowed = r;
        ASSERT_GT(allowed, 0);
        for (int64 p : pixels) {
            ASSERT_GT(Margin(base, p), allowed * 1.2) << "order " << order << " pixel " << p;
        }
    }
}

TEST(Neighbourhood, RangesAreThePixelAndItsNeighbours) {
    const auto near = xmatch::Neighbourhood(1, 0, 3);  // a corner pixel of base pixel 0
    int64_t count = 0;
    for (size_t i = 0; i < near.size; ++i) {
        if (i > 0) {
            EXPECT_GT(near.ranges[i].first, near.ranges[i - 1].second + 1);  // sorted, disjoint, merged
        }
        count += near.ranges[i].second - near.ranges[i].first + 1;
    }
    EXPECT_EQ(count % 16, 0);  // whole order-1 pixels at order 3
    EXPECT_TRUE(count == 8 * 16 || count == 9 * 16);
    EXPECT_EQ(near.ranges[0].first, 0);  // the pixel itself
    EXPECT_EQ(xmatch::NeighbourhoodOrder(10, 0), 10);
    EXPECT_EQ(xmatch::NeighbourhoodOrder(10, 4.0), -1);
}

// ApproxUnitVector (the table join's pre-filter) must stay within the bound it declares of UnitVector, for
// every RA it accepts (|RA| ≤ 720) and every Dec, including the poles, RA = 0, ±180, ±360 and ±720.
TEST(ApproxUnitVector, WithinItsBoundOfTheExactVector) {
    constexpr double kDegToRad = std::numbers::pi / 180.0;
    std::mt19937_64 rng(31);
    std::uniform_real_distribution<double> u(0, 1);
    double worst = 0;
    auto check = [&](double ra, double dec) {
        const auto a = xmatch::ApproxUnitVector(ra, dec, xmatch::pixel_detail::Sin(dec * kDegToRad));
        ASSERT_TRUE(a.has_value()) << ra << " " << dec;
        const auto c = xmatch::UnitVector(ra, dec);
        for (size_t k = 0; k < 3; ++k) worst = std::max(worst, std::abs((*a)[k] - c[k]));
    };
    for (int i = 0; i < 1000000; ++i) check(1440 * u(rng) - 720, 180 * u(rng) - 90);
    for (double ra : {0.0, -0.0, 90.0, 180.0, -180.0, 270.0, 360.0, -360.0, 720.0, -720.0, std::nextafter(180.0, 0.0),
                      1e-300, 359.99999999999994})
        for (double dec : {90.0, -90.0, 0.0, 89.999999, -45.0}) check(ra, dec);
    EXPECT_LT(worst, xmatch::kApproxVectorBound / 10);
    EXPECT_FALSE(xmatch::ApproxUnitVector(720.5, 0, 0).has_value());
    EXPECT_FALSE(xmatch::ApproxUnitVector(-1e300, 0, 0).has_value());
}

// Neighbourhood computes the neighbours of pixels inside a base pixel itself: it must give the ranges of
// healpix_cxx's neighbour list, for interior pixels and for those on (and next to) base-pixel edges and
// corners, at every order and at finer range orders.
TEST(Neighbourhood, EqualsHealpixCxxNeighbours) {
    std::mt19937_64 rng(29);
    for (int order = 0; order <= xmatch::kMaxPixelOrder; ++order) {
        const T_Healpix_Base<int64> base(order, NEST);
        const int64 nside = int64{1} << order;
        std::vector<int64> pixels;
        for (int f = 0; f < 12; ++f)
            for (int k = 0; k < 300; ++k) {
                // x and y drawn from 0, 1, 2, nside-3 … nside-1 (edges and the pixels next to them) and random.
                auto coord = [&] {
                    const uint64_t pick = rng() % 8;
                    const int64 c = pick < 3   ? static_cast<int64>(pick)
                                    : pick < 6 ? nside - 1 - static_cast<int64>(pick - 3)
                                               : static_cast<int64>(rng() % static_cast<uint64_t>(nside));
                    return std::clamp<int64>(c, 0, nside - 1);
                };
                pixels.push_back(base.xyf2pix(static_cast<int>(coord()), static_cast<int>(coord()), f));
            }
        for (int64 p : pixels) {
            fix_arr<int64, 8> nb;
            base.neighbors(p, nb);
            std::vector<int64> all{p};
            for (size_t i = 0; i < 8; ++i)
                if (nb[i] >= 0) all.push_back(nb[i]);
            std::sort(all.begin(), all.end());
            for (int fine : {order, std::min(order + 3, xmatch::kMaxPixelOrder)}) {
                const int shift = 2 * (fine - order);
                std::vector<std::pair<int64_t, int64_t>> expected;
                for (int64 q : all) {
                    const int64_t first = q << shift, last = ((q + 1) << shift) - 1;
                    if (!expected.empty() && expected.back().second + 1 >= first)
                        expected.back().second = last;
                    else
                        expected.emplace_back(first, last);
                }
                const auto near = xmatch::Neighbourhood(order, p, fine);
                ASSERT_EQ(near.size, expected.size()) << "order " << order << " pixel " << p;
                for (size_t i = 0; i < near.size; ++i)
                    ASSERT_EQ(std::make_pair(near.ranges[i].first, near.ranges[i].second), expected[i])
                        << "order " << order << " pixel " << p << " range " << i;
            }
        }
    }
}

// NestedPixelZPhi is healpix_cxx's zphi2pix written out by hand: it must give the same pixel for every
// input. Random points, points exactly on the pixel and face boundaries of each order (and the doubles
// next to them), |z| = 2/3 and 0.99, RA outside [0, 360), positions as the cross-match makes them.
TEST(NestedPixel, InlineEqualsHealpixCxx) {
    std::mt19937_64 rng(17);
    std::uniform_real_distribution<double> u(0, 1);
    constexpr double kDegToRad = std::numbers::pi / 180.0;
    size_t checked = 0;
    for (int order = 0; order <= xmatch::kMaxPixelOrder; ++order) {
        const T_Healpix_Base<int64> base(order, NEST);
        const double nside = std::ldexp(1.0, order);
        auto check = [&](double z, double phi) {
            if (!(std::abs(z) <= 0.99)) return;
            ASSERT_EQ(xmatch::NestedPixelZPhi(order, z, phi), base.zphi2pix(z, phi))
                << "order " << order << " z " << z << " phi " << phi;
            // The public form, from a unit vector, agrees with healpix_cxx's vector form too.
            const double s = std::sqrt((1 - z) * (1 + z));
            const xmatch::Vec3 v{s * std::cos(phi), s * std::sin(phi), z};
            ASSERT_EQ(xmatch::NestedPixel(order, v, phi), base.zphi2pix(z, phi));
            ++checked;
        };
        auto with_neighbours = [&](double z, double phi) {
            for (double dz : {-1.0, 0.0, 1.0})
                for (double dp : {-1.0, 0.0, 1.0}) {
                    const double zz = dz == 0 ? z : std::nextafter(z, dz * 2);
                    const double pp = dp == 0 ? phi : std::nextafter(phi, dp * 100);
                    check(zz, pp);
                }
        };
        for (int i = 0; i < 20000; ++i) {
            check(2 * u(rng) - 1, 2 * std::numbers::pi * u(rng));      // anywhere
            check(2 * u(rng) - 1, (1440 * u(rng) - 720) * kDegToRad);  // RA outside [0, 360)
            const double ra = 360 * u(rng), dec = 180 * u(rng) - 90;   // as the cross-match does
            check(std::sin(dec * kDegToRad), ra * kDegToRad);
        }
        // Equatorial boundaries: the lines nside·(0.5 + tt) ∓ nside·0.75·z = integer, and their crossings.
        for (int i = 0; i < 3000; ++i) {
            const double jp = std::floor(u(rng) * 5 * nside), jm = jp + std::floor((u(rng) * 2 - 1) * 1.4 * nside);
            const double tt = (jp + jm) / (2 * nside) - 0.5, z = (jm - jp) / (1.5 * nside);
            with_neighbours(z, tt * std::numbers::pi / 2);
            with_neighbours(z, (tt + 2 * u(rng) / nside) * std::numbers::pi / 2);  // on one line only
        }
        // Polar caps: tp·nside·sqrt(3(1-|z|)) = integer.
        for (int i = 0; i < 3000; ++i) {
            const double tmp = std::ceil(u(rng) * nside * std::sqrt(3 * (1 - 2.0 / 3)));
            const double tp = std::floor(u(rng) * tmp) / tmp;
            const double za = 1 - tmp * tmp / (3 * nside * nside);
            const double z = u(rng) < 0.5 ? za : -za;
            with_neighbours(z, (std::floor(4 * u(rng)) + tp) * std::numbers::pi / 2);
        }
        for (double z : {2.0 / 3, -2.0 / 3, 0.99, -0.99, 0.0})
            for (double phi : {0.0, std::numbers::pi / 4, std::numbers::pi / 2, std::numbers::pi, 2 * std::numbers::pi,
                               -std::numbers::pi / 2, 360 * kDegToRad, 90 * kDegToRad})
                with_neighbours(z, phi);
    }
    EXPECT_GT(checked, 30u * 80000u);
}

// NestedPixelOfDec decides from a polynomial sine: that sine must stay within the bound it assumes of
// std::sin (all Dec a position can have), and the pixel must be NestedPixel's of the exact unit vector
// wherever it does not hand back -1: random positions, and Dec exactly on (and a few doubles either side
// of) the z of pixel boundaries, |z| = 2/3 and 0.99, at every order.
TEST(NestedPixel, OfDecEqualsTheExactVectorsPixel) {
    constexpr double kDegToRad = std::numbers::pi / 180.0;
    std::mt19937_64 rng(29);
    std::uniform_real_distribution<double> u(0, 1);
    double worst = 0;
    for (int i = 0; i < 2000000; ++i) {
        const double dec = i < 1000000 ? 180 * u(rng) - 90 : std::ldexp(u(rng), -static_cast<int>(rng() % 60));
        const double x = dec * kDegToRad;
        worst = std::max(worst, std::abs(xmatch::pixel_detail::Sin(x) - std::sin(x)));
    }
    for (double dec : {90.0, -90.0, 0.0, 45.0, std::nextafter(90.0, 0.0)}) {
        worst = std::max(worst, std::abs(xmatch::pixel_detail::Sin(dec * kDegToRad) - std::sin(dec * kDegToRad)));
    }
    EXPECT_LT(worst, xmatch::pixel_detail::kSinBound / 4);
    size_t decided = 0, total = 0, random_decided = 0, random_total = 0;
    for (int order = 0; order <= xmatch::kMaxPixelOrder; ++order) {
        const double nside = std::ldexp(1.0, order);
        auto check = [&](double ra, double dec) {
            if (!(dec >= -90 && dec <= 90)) return;
            const int64_t got = xmatch::NestedPixelOfDec(order, ra, dec);
            ++total;
            if (got < 0) return;
            ++decided;
            ASSERT_EQ(got, xmatch::NestedPixel(order, xmatch::UnitVector(ra, dec), ra * kDegToRad))
                << "order " << order << " ra " << ra << " dec " << dec;
        };
        auto near = [&](double ra, double z) {
            double dec = std::asin(z) / kDegToRad;
            for (int k = 0; k < 6; ++k) dec = std::nextafter(dec, -100.0);
            for (int k = 0; k < 13; ++k, dec = std::nextafter(dec, 100.0)) check(ra, dec);
        };
        for (int i = 0; i < 30000; ++i) {
            const double ra = 360 * u(rng), dec = 180 * u(rng) - 90;
            random_decided += xmatch::NestedPixelOfDec(order, ra, dec) >= 0;
            ++random_total;
            check(ra, dec);
        }
        for (int i = 0; i < 2000; ++i) {
            const double ra = 360 * u(rng), tt = ra / 90;
            // z of an equatorial edge line through this RA: nside·(0.5 + tt) ∓ 0.75·nside·z = integer.
            const double line = std::floor(nside * (0.5 + tt)) + std::floor((2 * u(rng) - 1) * 0.5 * nside);
            near(ra, (nside * (0.5 + tt) - line) / (0.75 * nside));
            near(ra, (line - nside * (0.5 + tt)) / (0.75 * nside));
            // z of a polar edge: tp·nside·sqrt(3(1 - |z|)) = integer.
            const double tp = tt - std::floor(tt), j = std::ceil(u(rng) * nside);
            if (tp > 0) {
                const double tmp = j / tp, za = 1 - tmp * tmp / (3 * nside * nside);
                if (za > 0) near(ra, u(rng) < 0.5 ? za : -za);
            }
        }
        for (double z : {2.0 / 3, -2.0 / 3, 0.99, -0.99, 0.0}) near(360 * u(rng), z);
    }
    // Almost every position away from the poles is decided without the exact sine (else there is no point);
    // the boundary cases are mostly not (they are there to catch a wrong decision).
    EXPECT_GT(static_cast<double>(random_decided), 0.85 * static_cast<double>(random_total));
    EXPECT_GT(decided, 0u);
    EXPECT_LT(decided, total);
}

// NestedPixelOfApproxZ's `interior` claim: every point within the radius is in the position's pixel. Per
// position, the largest radius for which it is claimed (binary search), then points on that rim and halfway
// checked against healpix_cxx; positions at random, next to edge lines, at |z| = 2/3 and next to RA = 0. And
// the claim is not so cautious that it is useless: at order 10 and 2″, most random positions are interior.
TEST(NestedPixel, InteriorDiscsStayInTheirPixel) {
    constexpr double kDegToRad = std::numbers::pi / 180.0;
    std::mt19937_64 rng(31);
    std::uniform_real_distribution<double> u(0, 1);
    size_t checked = 0;
    for (int order : {0, 1, 2, 3, 6, 10, 16, 20, 29}) {
        const T_Healpix_Base<int64> base(order, NEST);
        const double nside = std::ldexp(1.0, order);
        auto interior_at = [&](double ra, double dec, double r) {
            bool interior = false;
            xmatch::NestedPixelOfApproxZ(order, ra, xmatch::pixel_detail::Sin(dec * kDegToRad), r, interior);
            return interior;
        };
        auto check = [&](double ra, double dec) {
            if (!(dec > -90 && dec < 90)) return;
            bool interior = false;
            const int64_t pixel = xmatch::NestedPixelOfApproxZ(order, ra, xmatch::pixel_detail::Sin(dec * kDegToRad),
                                                               1e-14, interior);
            ASSERT_EQ(pixel, xmatch::NestedPixelOfApproxZ(order, ra, xmatch::pixel_detail::Sin(dec * kDegToRad)));
            if (!interior) return;
            double lo = 1e-14, hi = 0.02;  // interior at lo, not at hi (nothing is interior above 0.01)
            for (int it = 0; it < 60; ++it) {
                const double mid = std::sqrt(lo * hi);
                (interior_at(ra, dec, mid) ? lo : hi) = mid;
            }
            const xmatch::Vec3 c = xmatch::UnitVector(ra, dec);
            // An orthonormal pair perpendicular to c: east and north.
            const double a = ra * kDegToRad, d = dec * kDegToRad;
            const xmatch::Vec3 e{-std::sin(a), std::cos(a), 0}, n{-std::sin(d) * std::cos(a), -std::sin(d) * std::sin(a), std::cos(d)};
            for (const double r : {lo, 0.5 * lo}) {
                for (int k = 0; k < 48; ++k) {
                    const double alpha = 2 * std::numbers::pi * (k + u(rng)) / 48;
                    const double s = std::sin(r), co = std::cos(r);
                    const vec3 q(c[0] * co + (e[0] * std::cos(alpha) + n[0] * std::sin(alpha)) * s,
                                 c[1] * co + (e[1] * std::cos(alpha) + n[1] * std::sin(alpha)) * s,
                                 c[2] * co + (e[2] * std::cos(alpha) + n[2] * std::sin(alpha)) * s);
                    ASSERT_EQ(base.vec2pix(q), pixel) << "order " << order << " ra " << ra << " dec " << dec << " r " << r;
                    ++checked;
                }
            }
        };
        for (int i = 0; i < 300; ++i) {
            const double ra = 360 * u(rng), tt = ra / 90;
            check(ra, 180 * u(rng) - 90);
            // Just off an equatorial edge line and a polar one (the construction of OfDecEqualsTheExactVectorsPixel),
            // by a random fraction of a pixel.
            const double off = std::ldexp(u(rng), -static_cast<int>(rng() % 20)) / nside;
            const double line = std::floor(nside * (0.5 + tt)) + std::floor((2 * u(rng) - 1) * 0.5 * nside);
            for (double z : {(nside * (0.5 + tt) - line) / (0.75 * nside) + off, (line - nside * (0.5 + tt)) / (0.75 * nside) - off})
                if (std::abs(z) <= 2.0 / 3) check(ra, std::asin(z) / kDegToRad);
            const double tp = tt - std::floor(tt), j = std::ceil(u(rng) * nside);
            if (tp > 0) {
                const double tmp = j / tp, za = 1 - tmp * tmp / (3 * nside * nside) + off;
                if (za > 2.0 / 3 && za < 1) check(ra, (u(rng) < 0.5 ? 1 : -1) * std::asin(za) / kDegToRad);
            }
            const double side = u(rng) < 0.5 ? 1 : -1;
            check(ra, side * (std::asin(2.0 / 3) / kDegToRad + (2 * u(rng) - 1) * std::ldexp(1.0, -static_cast<int>(rng() % 30))));
            check(std::ldexp(u(rng), -static_cast<int>(rng() % 30)) * (u(rng) < 0.5 ? 1 : -1) + (u(rng) < 0.5 ? 0 : 360),
                  180 * u(rng) - 90);
        }
    }
    EXPECT_GT(checked, 100000u);
    // At the cross-match's usual join (2″ at order 10: margins of 2% of a pixel) nearly all are interior.
    size_t interior = 0, total = 20000;
    for (size_t i = 0; i < total; ++i) {
        const double ra = 360 * u(rng), dec = std::asin(2 * u(rng) - 1) / kDegToRad;
        bool in = false;
        const double z = xmatch::pixel_detail::Sin(dec * kDegToRad);
        ASSERT_EQ(xmatch::NestedPixelOfApproxZ(10, ra, z, 2.0 / 206264.806, in), xmatch::NestedPixelOfApproxZ(10, ra, z));
        interior += in;
    }
    EXPECT_GT(static_cast<double>(interior), 0.85 * static_cast<double>(total));
}

// A pixel is among the neighbours of each of its neighbours (NeighbourTable finds a pixel's candidates
// through the neighbour lists of the occupied pixels). Every pixel at orders 0-4; face corners, edges and
// random pixels at finer orders.
TEST(Neighbourhood, NeighboursAreSymmetric) {
    std::mt19937_64 rng(23);
    for (int order : {0, 1, 2, 3, 4, 9, 15, 22, 29}) {
        const T_Healpix_Base<int64> base(order, NEST);
        const int64 npix = base.Npix(), per_face = npix / 12, nside = int64{1} << order;
        std::vector<int64> pixels;
        if (npix <= 12 * 256) {
            for (int64 p = 0; p < npix; ++p) pixels.push_back(p);
        } else {
            for (int64 f = 0; f < 12; ++f) {
                for (int64 k = 0; k < 4; ++k)
                    pixels.insert(pixels.end(), {f * per_face + k, (f + 1) * per_face - 1 - k});
                for (int i = 0; i < 40; ++i) {  // along the face's edges: x or y at 0 or nside - 1
                    const int64 a = static_cast<int64>(rng() % static_cast<uint64_t>(nside));
                    const int64 b = (i % 2) ? 0 : nside - 1;
                    pixels.push_back(base.xyf2pix(static_cast<int>(i % 4 < 2 ? a : b),
                                                  static_cast<int>(i % 4 < 2 ? b : a), static_cast<int>(f)));
                }
            }
            for (int i = 0; i < 2000; ++i) pixels.push_back(static_cast<int64>(rng() % static_cast<uint64_t>(npix)));
        }
        for (int64 p : pixels) {
            fix_arr<int64, 8> nb;
            base.neighbors(p, nb);
            for (size_t i = 0; i < 8; ++i) {
                if (nb[i] < 0) continue;
                fix_arr<int64, 8> back;
                base.neighbors(nb[i], back);
                bool found = false;
                for (size_t j = 0; j < 8; ++j) found |= back[j] == p;
                ASSERT_TRUE(found) << "order " << order << ": " << p << " → " << nb[i] << " but not back";
            }
        }
    }
}

}  // namespace
}  // namespace rivulet::testing
