#include "sim/cutout_renderer.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

namespace rivulet {

namespace {

// Adds a circular Gaussian of total `flux` at (cx, cy). Separable, so one source costs w + h + w·h.
void AddGaussian(Image &img, double cx, double cy, double sigma, double flux, std::vector<double> &gx,
                 std::vector<double> &gy) {
    if (flux == 0.0 || sigma <= 0.0) return;
    gx.assign(static_cast<size_t>(img.width), 0.0);
    gy.assign(static_cast<size_t>(img.height), 0.0);
    const double norm = 1.0 / (2 * std::numbers::pi * sigma * sigma);
    const double inv = 1.0 / (2 * sigma * sigma);
    for (int x = 0; x < img.width; ++x) gx[static_cast<size_t>(x)] = std::exp(-(x - cx) * (x - cx) * inv);
    for (int y = 0; y < img.height; ++y) gy[static_cast<size_t>(y)] = flux * norm * std::exp(-(y - cy) * (y - cy) * inv);
    for (int y = 0; y < img.height; ++y) {
        const double fy = gy[static_cast<size_t>(y)];
        if (fy < 1e-6) continue;
        float *row = &img.pixels[static_cast<size_t>(y) * static_cast<size_t>(img.width)];
        for (int x = 0; x < img.width; ++x) row[x] += static_cast<float>(fy * gx[static_cast<size_t>(x)]);
    }
}

void AddNoise(Image &img, double level, double sigma, SimRandom &rng) {
    for (float &p : img.pixels) p += static_cast<float>(level + sigma * rng.Normal());
}

Image Blank(const StampScene &s) {
    Image img;
    img.width = s.width;
    img.height = s.height;
    img.pixels.assign(static_cast<size_t>(s.width) * static_cast<size_t>(s.height), 0.0f);
    return img;
}

void AddPixel(Image &img, int x, int y, double v) {
    if (x >= 0 && x < img.width && y >= 0 && y < img.height)
        img.pixels[static_cast<size_t>(y) * static_cast<size_t>(img.width) + static_cast<size_t>(x)] += static_cast<float>(v);
}

}  // namespace

StampTriplet RenderStamps(const StampScene &s, SimRandom &rng) {
    constexpr double kFwhmToSigma = 1.0 / 2.354820045;
    const double sig_sci = s.fwhm_sci * kFwhmToSigma, sig_ref = s.fwhm_ref * kFwhmToSigma;
    std::vector<double> gx, gy;
    StampTriplet t{Blank(s), Blank(s), Blank(s)};

    // The static sky: in both images, each with its own PSF.
    for (const StampSource &src : s.sources) {
        const double cx = s.x0 + src.dx, cy = s.y0 + src.dy;
        AddGaussian(t.science, cx, cy, std::hypot(sig_sci, src.extent_px), src.flux_dn, gx, gy);
        AddGaussian(t.reference, cx, cy, std::hypot(sig_ref, src.extent_px), src.flux_dn * s.ref_scale, gx, gy);
    }
    // What changed since the reference: identical in science and difference.
    Image signal = Blank(s);
    switch (s.artefact) {
        case BogusKind::kNone:
            AddGaussian(signal, s.x0, s.y0, sig_sci, s.difference_flux_dn, gx, gy);
            break;
        case BogusKind::kDipole: {
            // A misregistered bright star: a positive and a negative lobe, nearly cancelling in total.
            const double d = 0.6 + 0.4 * rng.Uniform();
            const double ddx = d * std::cos(s.angle), ddy = d * std::sin(s.angle);
            AddGaussian(t.difference, s.x0 + ddx, s.y0 + ddy, sig_sci, s.artefact_flux_dn, gx, gy);
            AddGaussian(t.difference, s.x0 - ddx, s.y0 - ddy, sig_sci * 1.1, -s.artefact_flux_dn * 0.95, gx, gy);
            break;
        }
        case BogusKind::kCosmicRay: {
            // A short sharp track: a few pixels, no PSF, science only.
            const int len = rng.Int(1, 6);
            for (int i = 0; i < len; ++i) {
                const int x = static_cast<int>(std::lround(s.x0 + i * std::cos(s.angle)));
                const int y = static_cast<int>(std::lround(s.y0 + i * std::sin(s.angle)));
                AddPixel(signal, x, y, s.artefact_flux_dn / len * rng.Uniform(0.6, 1.4));
            }
            break;
        }
        case BogusKind::kHotPixel: {
            const int x = static_cast<int>(std::lround(s.x0)), y = static_cast<int>(std::lround(s.y0));
            AddPixel(signal, x, y, s.artefact_flux_dn);
            AddPixel(signal, x + 1, y, s.artefact_flux_dn * 0.05);
            break;
        }
        case BogusKind::kChipEdge: {
            // Bad subtraction along the readout edge: a ramp over the last columns plus a blob.
            AddGaussian(signal, s.x0, s.y0, sig_sci * 1.8, s.artefact_flux_dn, gx, gy);
            for (int y = 0; y < s.height; ++y)
                for (int x = 0; x < std::min(4, s.width); ++x) AddPixel(signal, x, y, s.artefact_flux_dn * 0.01 * (4 - x));
            break;
        }
        case BogusKind::kGhost: {
            // Internal reflection of a bright star: a wide, faint ring.
            const double radius = rng.Uniform(6.0, 14.0), width = rng.Uniform(1.5, 3.0);
            const double norm = s.artefact_flux_dn / (2 * std::numbers::pi * radius * width * std::sqrt(2 * std::numbers::pi));
            for (int y = 0; y < s.height; ++y)
                for (int x = 0; x < s.width; ++x) {
                    const double r = std::hypot(x - s.x0, y - s.y0);
                    AddPixel(signal, x, y, norm * std::exp(-0.5 * (r - radius) * (r - radius) / (width * width)));
                }
            break;
        }
    }
    for (size_t i = 0; i < signal.pixels.size(); ++i) {
        t.science.pixels[i] += signal.pixels[i];
        t.difference.pixels[i] += signal.pixels[i];
    }
    // The difference carries the science noise plus the (scaled-back) reference noise.
    const double sigma_diff = std::hypot(s.sigma_sci, s.sigma_ref / std::max(s.ref_scale, 1e-3));
    AddNoise(t.science, s.sky_sci, s.sigma_sci, rng);
    AddNoise(t.reference, s.sky_ref, s.sigma_ref, rng);
    AddNoise(t.difference, 0.0, sigma_diff, rng);

    const size_t n = t.science.pixels.size();
    for (int i = 0; i < s.nan_pixels && n > 0; ++i) {
        const size_t at = static_cast<size_t>(rng.Below(n));
        for (Image *img : {&t.science, &t.reference, &t.difference}) img->pixels[at] = std::numeric_limits<float>::quiet_NaN();
    }
    return t;
}

}  // namespace rivulet
