#include "ml/cutout_moments.hpp"

#include <algorithm>
#include <cmath>

namespace rivulet::ml {

namespace {
constexpr double kZtfPixelArcsec = 1.01;  // ZTF plate scale
}

std::vector<std::string> CutoutMoments::Names() {
    return {"peak_over_flux", "fwhm", "ellipticity", "concentration", "fwhm_over_seeing", "flux"};
}

std::vector<double> CutoutMoments::Values() const {
    return {peak_over_flux, fwhm, ellipticity, concentration, fwhm_over_seeing, flux};
}

CutoutMoments MeasureCutout(std::span<const float> pixels, size_t height, size_t width, double seeing_arcsec) {
    std::vector<float> border;
    for (size_t y = 0; y < height; ++y)
        for (size_t x = 0; x < width; ++x)
            if ((y == 0 || x == 0 || y + 1 == height || x + 1 == width) && !std::isnan(pixels[y * width + x]))
                border.push_back(pixels[y * width + x]);
    double bg = 0;
    if (!border.empty()) {
        std::nth_element(border.begin(), border.begin() + static_cast<ptrdiff_t>(border.size() / 2), border.end());
        bg = border[border.size() / 2];
    }
    auto pix = [&](size_t y, size_t x) {
        float v = pixels[y * width + x];
        return std::isnan(v) ? 0.0 : v - bg;
    };
    // Centroid inside r <= 5 of the geometric centre, then all sums around it.
    double cy0 = (static_cast<double>(height) - 1) / 2, cx0 = (static_cast<double>(width) - 1) / 2;
    double sw = 0, sy = 0, sx = 0;
    for (size_t y = 0; y < height; ++y)
        for (size_t x = 0; x < width; ++x) {
            double dy = static_cast<double>(y) - cy0, dx = static_cast<double>(x) - cx0;
            double v = pix(y, x);
            if (dy * dy + dx * dx <= 25 && v > 0) sw += v, sy += v * static_cast<double>(y), sx += v * static_cast<double>(x);
        }
    double cy = sw > 0 ? sy / sw : cy0, cx = sw > 0 ? sx / sw : cx0;
    double flux5 = 0, flux4 = 0, flux15 = 0, peak = -INFINITY, ixx = 0, iyy = 0, ixy = 0, wsum = 0;
    for (size_t y = 0; y < height; ++y)
        for (size_t x = 0; x < width; ++x) {
            double dy = static_cast<double>(y) - cy, dx = static_cast<double>(x) - cx, r2 = dy * dy + dx * dx;
            double v = pix(y, x);
            if (r2 <= 25) {
                flux5 += v;
                peak = std::max(peak, v);
                if (v > 0) ixx += v * dx * dx, iyy += v * dy * dy, ixy += v * dx * dy, wsum += v;
            }
            if (r2 <= 16) flux4 += v;
            if (r2 <= 2.25) flux15 += v;
        }
    CutoutMoments m{};
    m.flux = flux5;
    m.peak_over_flux = flux5 > 0 ? peak / flux5 : NAN;
    m.concentration = flux4 > 0 ? flux15 / flux4 : NAN;
    if (wsum > 0) {
        ixx /= wsum, iyy /= wsum, ixy /= wsum;
        double tr = ixx + iyy, det = ixx * iyy - ixy * ixy;
        double disc = std::sqrt(std::max(0.0, tr * tr / 4 - det));
        double l1 = tr / 2 + disc, l2 = std::max(0.0, tr / 2 - disc);
        m.fwhm = 2.3548 * std::sqrt(tr / 2);
        m.ellipticity = l1 > 0 ? 1.0 - std::sqrt(l2 / l1) : NAN;
    } else {
        m.fwhm = m.ellipticity = NAN;
    }
    m.fwhm_over_seeing = seeing_arcsec > 0 ? m.fwhm * kZtfPixelArcsec / seeing_arcsec : NAN;
    return m;
}

}  // namespace rivulet::ml
