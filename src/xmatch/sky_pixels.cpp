#include "xmatch/sky_pixels.hpp"

#include <healpix_base.h>
#include <pointing.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <utility>

namespace rivulet::xmatch {

namespace {

pointing PointingOf(double ra_deg, double dec_deg) {
    constexpr double kDegToRad = std::numbers::pi / 180.0;
    // HEALPix wants colatitude theta in [0, π] and longitude phi.
    const double theta = std::clamp((90.0 - dec_deg) * kDegToRad, 0.0, std::numbers::pi);
    return pointing(theta, ra_deg * kDegToRad);
}

// One base per order and scheme, built once: constructing one computes tables. Read-only afterwards, so
// safe to share between threads.
const T_Healpix_Base<int64> &Base(int order, Healpix_Ordering_Scheme scheme) {
    static const auto bases = [] {
        std::array<std::vector<T_Healpix_Base<int64>>, 2> v;
        for (int o = 0; o <= kMaxPixelOrder; ++o) {
            v[0].emplace_back(o, NEST);
            v[1].emplace_back(o, RING);
        }
        return v;
    }();
    return bases[scheme == NEST ? 0 : 1][static_cast<size_t>(order)];
}

}  // namespace

int64_t NestedPixel(int order, double ra_deg, double dec_deg) {
    return Base(order, NEST).ang2pix(PointingOf(ra_deg, dec_deg));
}

int64_t NestedPixel(int order, const Vec3 &v, double phi_rad) {
    // healpix_cxx: zphi2pix is "inaccurate near the poles at high resolutions"; vec2pix then uses
    // sin(theta) from x and y, as ang2pix does.
    if (std::abs(v[2]) > 0.99) return Base(order, NEST).vec2pix(vec3(v[0], v[1], v[2]));
    return NestedPixelZPhi(order, v[2], phi_rad);  // = Base(order, NEST).zphi2pix(v[2], phi_rad), inline
}

int NeighbourhoodOrder(int max_order, double radius_rad) {
    // Half the pixel scale sqrt(π/3)/2^o (see the header for why half is safe).
    const double scale = 0.5 * std::sqrt(std::numbers::pi / 3.0);
    for (int o = max_order; o >= 0; --o)
        if (radius_rad <= std::ldexp(scale, -o)) return o;
    return -1;
}

PixelRanges Neighbourhood(int order, int64_t pixel, int fine_order) {
    std::array<int64_t, 9> pixels;
    size_t n = 0;
    // Inside a base pixel (x and y both 1 … nside - 2) the neighbours are the 3×3 block of (x, y) around
    // the pixel in the same base pixel, which is healpix_cxx's answer written out: its `neighbors`, an
    // out-of-line call that handles base-pixel edges, was a fifth of the sorted join's time (one call
    // per occupied pixel). Pixels on a base pixel's edge (a few per thousand at order 10) ask healpix_cxx.
    // tests/xmatch/pixel_test.cpp checks both ways against healpix_cxx.
    const int64_t nside = int64_t{1} << order;
    const uint64_t local = static_cast<uint64_t>(pixel) & ((uint64_t{1} << (2 * order)) - 1);
    const int64_t x = static_cast<int64_t>(pixel_detail::Compress(local));
    const int64_t y = static_cast<int64_t>(pixel_detail::Compress(local >> 1));
    if (x > 0 && y > 0 && x < nside - 1 && y < nside - 1) {
        const int64_t face_first = pixel - static_cast<int64_t>(local);
        std::array<uint64_t, 3> sx, sy;
        for (size_t d = 0; d < 3; ++d) {
            sx[d] = pixel_detail::Spread(static_cast<uint64_t>(x - 1) + d);
            sy[d] = pixel_detail::Spread(static_cast<uint64_t>(y - 1) + d) << 1;
        }
        for (size_t j = 0; j < 3; ++j)
            for (size_t i = 0; i < 3; ++i) pixels[n++] = face_first + static_cast<int64_t>(sx[i] + sy[j]);
        // NESTED numbers grow with x for a fixed y and with y for a fixed x, so the 3×3 block, row by row,
        // has ascending rows and columns; the last 7 comparators of the 25-comparator network for 9 (whose
        // first 18 sort rows, then columns) sort any such block. Written out and branch-free (min/max):
        // an insertion sort here mispredicted and took most of this function's time.
        auto order_pair = [&pixels](size_t i, size_t j) {
            const int64_t lo = std::min(pixels[i], pixels[j]), hi = std::max(pixels[i], pixels[j]);
            pixels[i] = lo;
            pixels[j] = hi;
        };
        order_pair(1, 3);
        order_pair(5, 7);
        order_pair(2, 6);
        order_pair(4, 6);
        order_pair(2, 4);
        order_pair(2, 3);
        order_pair(5, 6);
    } else {
        fix_arr<int64, 8> around;
        Base(order, NEST).neighbors(pixel, around);
        pixels[n++] = pixel;
        for (size_t i = 0; i < 8; ++i)
            if (around[i] >= 0) pixels[n++] = around[i];
        std::sort(pixels.begin(), pixels.begin() + static_cast<std::ptrdiff_t>(n));
    }
    // Consecutive pixels (sorted here; a repeat would change nothing) join one range. Branch-free for the
    // same reason: each pixel rewrites the current range, which a gap first moves on to a new one.
    const int shift = 2 * (fine_order - order);
    PixelRanges out;
    size_t k = 0;
    int64_t run_first = pixels[0] << shift;
    out.ranges[0] = {run_first, ((pixels[0] + 1) << shift) - 1};
    for (size_t i = 1; i < n; ++i) {
        const bool gap = pixels[i] > pixels[i - 1] + 1;
        k += gap;
        run_first = gap ? pixels[i] << shift : run_first;
        out.ranges[k] = {run_first, ((pixels[i] + 1) << shift) - 1};
    }
    out.size = k + 1;
    return out;
}

std::vector<std::pair<int64_t, int64_t>> CoverDisc(int order, double ra_deg, double dec_deg, double radius_rad) {
    // Widen by a hair so that a point exactly on the rim, or a pixel boundary rounded the other way,
    // is never lost; the exact distance test afterwards removes the extras.
    const double radius = std::min(radius_rad + 1e-9, std::numbers::pi);
    // Pixel side at order o is ~sqrt(π/3) / 2^o rad: the finest order whose pixels are still about as
    // large as the radius keeps the cover to a few pixels at any radius.
    int query_order = order;
    const double o = std::floor(std::log2(std::sqrt(std::numbers::pi / 3.0) / radius));
    query_order = static_cast<int>(std::clamp(o, 0.0, static_cast<double>(order)));
    const auto &ring = Base(query_order, RING);
    rangeset<int64> set;
    // Inclusive at fact=1 in RING keeps every pixel whose centre lies within radius + max pixel radius:
    // a superset of the pixels touching the disc.
    ring.query_disc_inclusive(PointingOf(ra_deg, dec_deg), radius, set, 1);
    std::vector<int64_t> nested;
    for (tsize i = 0; i < set.nranges(); ++i)
        for (int64 p = set.ivbegin(i); p < set.ivend(i); ++p) nested.push_back(ring.ring2nest(p));
    std::sort(nested.begin(), nested.end());
    const int shift = 2 * (order - query_order);
    std::vector<std::pair<int64_t, int64_t>> out;
    for (int64_t p : nested) {
        const int64_t first = p << shift, last = ((p + 1) << shift) - 1;
        if (!out.empty() && out.back().second + 1 == first)
            out.back().second = last;
        else
            out.emplace_back(first, last);
    }
    return out;
}

}  // namespace rivulet::xmatch
