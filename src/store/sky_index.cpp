#include "store/sky_index.hpp"

#include <healpix_base.h>
#include <pointing.h>

#include <algorithm>
#include <cmath>
#include <numbers>

namespace rivulet {

namespace {

constexpr double kDegToRad = std::numbers::pi / 180.0;

pointing PointingOf(double ra_deg, double dec_deg) {
    // HEALPix wants colatitude theta in [0, π] and longitude phi.
    double theta = (90.0 - dec_deg) * kDegToRad;
    theta = std::clamp(theta, 0.0, std::numbers::pi);
    return pointing(theta, ra_deg * kDegToRad);
}

const T_Healpix_Base<int64> &BaseAt(int order) {
    // One base per order, built once: constructing one computes tables.
    static const auto bases = [] {
        std::vector<T_Healpix_Base<int64>> v;
        for (int o = 0; o <= kSkyIndexOrder; ++o) v.emplace_back(o, NEST);
        return v;
    }();
    return bases[static_cast<size_t>(order)];
}

}  // namespace

int64_t SkyPixel(double ra_deg, double dec_deg) {
    return BaseAt(kSkyIndexOrder).ang2pix(PointingOf(ra_deg, dec_deg));
}

std::vector<std::pair<int64_t, int64_t>> SkyPixelRanges(double ra_deg, double dec_deg, double radius_deg) {
    const double radius = std::min(radius_deg, 180.0) * kDegToRad;
    // Pixel side at order o is ~sqrt(π/3) / 2^o rad; pick the finest order whose pixels are still about
    // as large as the radius, so the disc touches only a few of them (and a few ranges).
    int order = kSkyIndexOrder;
    if (radius > 0) {
        const double o = std::floor(std::log2(std::sqrt(std::numbers::pi / 3.0) / radius));
        order = static_cast<int>(std::clamp(o, 0.0, static_cast<double>(kSkyIndexOrder)));
    }
    rangeset<int64> set;
    // fact=4 (a power of two, as NESTED requires) trims pixels that only touch the disc's bounding box.
    BaseAt(order).query_disc_inclusive(PointingOf(ra_deg, dec_deg), radius, set, 4);
    const int shift = 2 * (kSkyIndexOrder - order);
    std::vector<std::pair<int64_t, int64_t>> out;
    out.reserve(set.nranges());
    for (tsize i = 0; i < set.nranges(); ++i)
        out.emplace_back(static_cast<int64_t>(set.ivbegin(i)) << shift,
                         (static_cast<int64_t>(set.ivend(i)) << shift) - 1);
    return out;
}

}  // namespace rivulet
