#include "sso/rotation_period.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <numbers>
#include <sstream>

#include "common/error.hpp"
#include "lightcurve/linear_solve.hpp"

namespace rivulet::sso {
namespace {

constexpr double kTwoPi = 2.0 * std::numbers::pi;

struct Fit {
    double chi2 = 0;
    std::vector<double> x;
    bool ok = false;
};

//! Weighted linear fit of reduced magnitudes: H per band, optional phase slope, `order` Fourier terms.
//! The per-band H columns are eliminated analytically (their block of the normal matrix is diagonal), so
//! a fit costs O(N p^2) with p = slope + 2*order whatever the number of bands (DAMIT has 37).
Fit FitAt(const std::vector<SsoPoint> &pts, const std::vector<int> &band_index, std::size_t nbands, bool slope,
          double freq, int order) {
    const std::size_t p = (slope ? 1 : 0) + 2 * static_cast<std::size_t>(order);
    std::vector<double> a(p * p, 0.0), b(p, 0.0), basis(p), sb(nbands * p, 0.0), wb(nbands, 0.0), yb(nbands, 0.0);
    double yy = 0;
    const double t0 = pts.front().jd;
    for (std::size_t i = 0; i < pts.size(); ++i) {
        std::size_t c = 0;
        if (slope) basis[c++] = pts[i].phase_deg;
        for (int k = 1; k <= order; ++k) {
            const double ph = kTwoPi * k * freq * (pts[i].jd - t0);
            basis[c++] = std::cos(ph);
            basis[c++] = std::sin(ph);
        }
        const double w = 1 / (pts[i].err * pts[i].err), y = ReducedMagnitude(pts[i]);
        const auto band = static_cast<std::size_t>(band_index[i]);
        yy += w * y * y;
        wb[band] += w;
        yb[band] += w * y;
        for (std::size_t r = 0; r < p; ++r) {
            b[r] += w * basis[r] * y;
            sb[band * p + r] += w * basis[r];
            for (std::size_t q = 0; q < p; ++q) a[r * p + q] += w * basis[r] * basis[q];
        }
    }
    Fit f;
    f.chi2 = yy;
    f.x.assign(nbands + p, 0.0);
    for (std::size_t band = 0; band < nbands; ++band) {
        if (!(wb[band] > 0)) continue;
        f.chi2 -= yb[band] * yb[band] / wb[band];
        for (std::size_t r = 0; r < p; ++r) {
            b[r] -= sb[band * p + r] * yb[band] / wb[band];
            for (std::size_t q = 0; q < p; ++q) a[r * p + q] -= sb[band * p + r] * sb[band * p + q] / wb[band];
        }
    }
    std::vector<double> x = b;
    if (p > 0) {
        if (!lightcurve::SolveSpd(a, x, p)) return f;
        for (std::size_t r = 0; r < p; ++r) f.chi2 -= b[r] * x[r];
    }
    f.ok = true;
    for (std::size_t band = 0; band < nbands; ++band) {
        if (!(wb[band] > 0)) continue;
        double h = yb[band];
        for (std::size_t r = 0; r < p; ++r) h -= sb[band * p + r] * x[r];
        f.x[band] = h / wb[band];
    }
    for (std::size_t r = 0; r < p; ++r) f.x[nbands + r] = x[r];
    f.chi2 = std::max(0.0, f.chi2);
    return f;
}

}  // namespace

double ReducedMagnitude(const SsoPoint &p) { return p.mag - 5 * std::log10(p.r_au * p.delta_au); }

double HgPhaseOffset(double phase_deg, double g) {
    const double t = std::tan(0.5 * phase_deg * std::numbers::pi / 180);
    const double phi1 = std::exp(-3.33 * std::pow(t, 0.63)), phi2 = std::exp(-1.87 * std::pow(t, 1.22));
    return -2.5 * std::log10((1 - g) * phi1 + g * phi2);
}

Result<RotationResult> FindRotationPeriod(const std::vector<SsoPoint> &input, const RotationOptions &o) {
    std::vector<SsoPoint> pts;
    for (const auto &p : input)
        if (std::isfinite(p.jd) && std::isfinite(p.mag) && std::isfinite(p.err) && p.err > 0 && p.r_au > 0 && p.delta_au > 0)
            pts.push_back(p);
    if (pts.size() < 8) return MakeError("too_few_points", "rotation fit needs at least 8 usable points, got " + std::to_string(pts.size()));
    std::sort(pts.begin(), pts.end(), [](const SsoPoint &a, const SsoPoint &b) { return a.jd < b.jd; });
    std::map<int, int> bands;
    std::vector<int> band_index;
    for (const auto &p : pts) band_index.push_back(bands.try_emplace(p.band, static_cast<int>(bands.size())).first->second);
    const std::size_t nb = bands.size();
    double amin = 1e9, amax = -1e9;
    for (const auto &p : pts) {
        amin = std::min(amin, p.phase_deg);
        amax = std::max(amax, p.phase_deg);
    }
    const bool slope = o.fit_phase_slope && amax - amin > 1.0;  // < 1 deg of phase: nothing to fit
    const double baseline = pts.back().jd - pts.front().jd;
    const double fmin = 24.0 / o.pmax_hours, fmax = 24.0 / o.pmin_hours;
    if (!(baseline > 0) || !(fmax > fmin)) return MakeError("bad_grid", "need a positive baseline and pmin < pmax");
    // Dense data spanning decades (DAMIT) would need millions of trial periods at 1/baseline spacing:
    // scan with the spacing of a coherent stretch (at most max_coherent_days), then zoom in on the best.
    const double coherent = std::min(baseline, o.max_coherent_days);
    const double df = 1.0 / (coherent * o.samples_per_peak);
    const auto nf = static_cast<std::size_t>((fmax - fmin) / df) + 1;
    if (nf > o.max_frequencies) return MakeError("bad_grid", "rotation grid would have " + std::to_string(nf) + " frequencies");

    const Fit flat = FitAt(pts, band_index, nb, slope, 1.0, 0);
    std::vector<double> dchi2(nf, 0.0);
    for (std::size_t k = 0; k < nf; ++k) {
        const Fit f = FitAt(pts, band_index, nb, slope, fmin + df * static_cast<double>(k), 2);
        if (f.ok) dchi2[k] = flat.chi2 - f.chi2;
    }
    const std::size_t best = static_cast<std::size_t>(std::max_element(dchi2.begin(), dchi2.end()) - dchi2.begin());
    double bf = fmin + df * static_cast<double>(best), bd = dchi2[best];
    const double final_step = 1.0 / (baseline * o.samples_per_peak);
    for (double step = df; step > final_step; step /= 10) {
        const double centre = bf;
        for (int i = -20; i <= 20; ++i) {
            const double f = centre + step * i / 10.0;
            const Fit fit = FitAt(pts, band_index, nb, slope, f, 2);
            if (fit.ok && flat.chi2 - fit.chi2 > bd) {
                bd = flat.chi2 - fit.chi2;
                bf = f;
            }
        }
    }
    // Best distinct other peak (more than one coherent peak width away) for the peak ratio feature.
    double other = 0;
    const double width = 1.0 / coherent;
    for (std::size_t k = 0; k < nf; ++k)
        if (std::abs(fmin + df * static_cast<double>(k) - bf) > width) other = std::max(other, dchi2[k]);

    const Fit fit = FitAt(pts, band_index, nb, slope, bf, 2);
    RotationResult r;
    r.photometric_period_hours = 24.0 / bf;
    for (std::size_t b = 0; b < nb; ++b) r.h.push_back(fit.x[b]);
    r.phase_slope = slope ? fit.x[nb] : 0.0;
    // Count maxima of the fitted curve over one cycle (brightness maxima = magnitude minima).
    const std::size_t c = nb + (slope ? 1 : 0);
    auto curve = [&](double phase) {
        return fit.x[c] * std::cos(kTwoPi * phase) + fit.x[c + 1] * std::sin(kTwoPi * phase) +
               fit.x[c + 2] * std::cos(2 * kTwoPi * phase) + fit.x[c + 3] * std::sin(2 * kTwoPi * phase);
    };
    constexpr int kSamples = 720;
    double lo = 1e9, hi = -1e9;
    int minima = 0;
    for (int i = 0; i < kSamples; ++i) {
        const double prev = curve((i - 1.0) / kSamples), cur = curve(static_cast<double>(i) / kSamples),
                     next = curve((i + 1.0) / kSamples);
        minima += cur < prev && cur <= next;
        lo = std::min(lo, cur);
        hi = std::max(hi, cur);
    }
    r.maxima_per_cycle = minima;
    r.rotation_period_hours = (minima >= 2 ? 1.0 : 2.0) * r.photometric_period_hours;
    double rss = 0;
    for (std::size_t i = 0; i < pts.size(); ++i) {
        double model = fit.x[static_cast<std::size_t>(band_index[i])] + (slope ? fit.x[nb] * pts[i].phase_deg : 0.0);
        model += curve(bf * (pts[i].jd - pts.front().jd) - std::floor(bf * (pts[i].jd - pts.front().jd)));
        rss += (ReducedMagnitude(pts[i]) - model) * (ReducedMagnitude(pts[i]) - model);
    }
    const double n = static_cast<double>(pts.size());
    r.features = RotationFeatures{r.photometric_period_hours, hi - lo, bd,
                                  fit.chi2 / std::max(1.0, n - static_cast<double>(c + 4)), other > 0 ? bd / other : 0.0,
                                  n, std::sqrt(rss / n)};
    return r;
}

std::vector<SsoPoint> ReadDamitLightCurves(const std::string &path) {
    std::ifstream in(path);
    if (!in) throw RivuletError(ErrorKind::kIo, path + ": cannot open DAMIT light-curve file");
    std::size_t ncurves = 0;
    in >> ncurves;
    std::vector<SsoPoint> out;
    for (std::size_t c = 0; c < ncurves; ++c) {
        std::size_t n = 0;
        int flag = 0;
        if (!(in >> n >> flag)) throw RivuletError(ErrorKind::kInvalidInput, path + ": truncated header of light curve " + std::to_string(c + 1));
        for (std::size_t i = 0; i < n; ++i) {
            double jd, intensity, sx, sy, sz, ex, ey, ez;
            if (!(in >> jd >> intensity >> sx >> sy >> sz >> ex >> ey >> ez) || !(intensity > 0)) {
                throw RivuletError(ErrorKind::kInvalidInput, path + ": bad point " + std::to_string(i + 1) + " of light curve " + std::to_string(c + 1));
            }
            SsoPoint p;
            p.jd = jd;
            p.mag = -2.5 * std::log10(intensity);
            p.err = 0.01;
            p.r_au = std::sqrt(sx * sx + sy * sy + sz * sz);
            p.delta_au = std::sqrt(ex * ex + ey * ey + ez * ez);
            const double cosa = (sx * ex + sy * ey + sz * ez) / (p.r_au * p.delta_au);
            p.phase_deg = std::acos(std::clamp(cosa, -1.0, 1.0)) * 180 / std::numbers::pi;
            p.band = static_cast<int>(c);  // relative photometry: every light curve has its own zero point
            out.push_back(p);
        }
    }
    return out;
}

}  // namespace rivulet::sso
