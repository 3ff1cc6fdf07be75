// The geometric fact the cross-match join and the small-radius cone search rest on: a disc of radius
// NeighbourhoodOrder's limit around any point of a HEALPix pixel stays inside the pixel and its
// neighbours. Checked on the pixel boundaries (the closest points of two disjoint regions lie on them):
// every pixel at orders 0-3, and pixels at the poles, the base-pixel corners and random places at fine
// orders.

#include <gtest/gtest.h>
#include <healpix_base.h>
#include <vec3.h>

#include <cmath>
#include <numbers>
#include <random>
#include <set>
#include <vector>

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
                for (int64 k = 0; k < 3; ++k) pixels.insert(pixels.end(), {f * per_face + k, (f + 1) * per_face - 1 - k});
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
    EXPECT_EQ(count % 16, 0);                // whole order-1 pixels at order 3
    EXPECT_TRUE(count == 8 * 16 || count == 9 * 16);
    EXPECT_EQ(near.ranges[0].first, 0);      // the pixel itself
    EXPECT_EQ(xmatch::NeighbourhoodOrder(10, 0), 10);
    EXPECT_EQ(xmatch::NeighbourhoodOrder(10, 4.0), -1);
}

}  // namespace
}  // namespace rivulet::testing
