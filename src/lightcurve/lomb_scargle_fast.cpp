// Press & Rybicki's fast Lomb-Scargle: the weighted trig sums at a regular frequency grid are the
// discrete Fourier transform of the data "extirpolated" onto a regular time grid, so one FFT gives them
// all. Structure follows astropy's lombscargle_fast/trig_sum so the two are comparable.

#include <fftw3.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <map>
#include <memory>
#include <mutex>
#include <numbers>

#include "lightcurve/lomb_scargle.hpp"

namespace rivulet::lightcurve {
namespace {

constexpr double kTwoPi = 2.0 * std::numbers::pi;

//! FFTW planning is not thread-safe, executing a plan on new arrays is: plans are made once per size
//! under a lock, then shared (fftw_execute_dft with fftw_malloc'ed arrays of the same alignment). The
//! cache lives for the process and frees its plans at exit, so leak checkers stay quiet.
class PlanCache {
public:
    ~PlanCache() {
        for (auto &[n, plan] : plans_) fftw_destroy_plan(plan);
        fftw_cleanup();
    }
    fftw_plan Get(int n) {
        std::lock_guard<std::mutex> lock(mu_);
        auto it = plans_.find(n);
        if (it != plans_.end()) return it->second;
        fftw_complex *buf = fftw_alloc_complex(static_cast<std::size_t>(n));
        fftw_plan plan = fftw_plan_dft_1d(n, buf, buf, FFTW_BACKWARD, FFTW_ESTIMATE);
        fftw_free(buf);
        plans_.emplace(n, plan);
        return plan;
    }

private:
    std::mutex mu_;
    std::map<int, fftw_plan> plans_;
};

fftw_plan PlanFor(int n) {
    static PlanCache cache;
    return cache.Get(n);
}

struct FftwDeleter {
    void operator()(fftw_complex *p) const { fftw_free(p); }
};
using FftwBuffer = std::unique_ptr<fftw_complex[], FftwDeleter>;

//! Adds value h at fractional position x (0 <= x < n) of a periodic grid of length n, spread over the
//! m nearest grid points with Lagrange weights, so that sums of h*exp(i k x 2pi/n) are kept to O(x^m).
void Extirpolate(fftw_complex *grid, int n, double x, std::complex<double> h, int m) {
    const double xi = std::floor(x);
    if (x == xi) {
        const int j = static_cast<int>(xi) % n;
        grid[j][0] += h.real();
        grid[j][1] += h.imag();
        return;
    }
    const int lo = static_cast<int>(std::floor(x - 0.5 * m)) + 1;
    // Lagrange weight of node j: prod_{k != j} (x - k) / (j - k).
    double numerator = 1;
    for (int k = 0; k < m; ++k) numerator *= x - (lo + k);
    for (int j = 0; j < m; ++j) {
        double denom = 1;
        for (int k = 0; k < m; ++k)
            if (k != j) denom *= static_cast<double>(j - k);
        const double wgt = numerator / ((x - (lo + j)) * denom);
        const int idx = ((lo + j) % n + n) % n;
        grid[idx][0] += wgt * h.real();
        grid[idx][1] += wgt * h.imag();
    }
}

//! C_k + i S_k = sum_j h_j exp(2 pi i f_k t_j) for f_k = factor*(f0 + k df), k < nf.
void TrigSum(const std::vector<double> &t, const std::vector<double> &h, double f0, double df, std::size_t nf,
             int nfft, int order, fftw_complex *buf, std::vector<std::complex<double>> &out) {
    std::fill(reinterpret_cast<double *>(buf), reinterpret_cast<double *>(buf) + 2 * static_cast<std::size_t>(nfft), 0.0);
    for (std::size_t j = 0; j < t.size(); ++j) {
        // t is relative to the first point (t[0] = 0), so no final phase correction is needed.
        const double ph = kTwoPi * std::fmod(f0 * t[j], 1.0);
        const std::complex<double> hj = h[j] * std::complex<double>(std::cos(ph), std::sin(ph));
        const double pos = std::fmod(t[j] * df, 1.0) * nfft;
        Extirpolate(buf, nfft, pos, hj, order);
    }
    fftw_execute_dft(PlanFor(nfft), buf, buf);
    out.resize(nf);
    for (std::size_t k = 0; k < nf; ++k) out[k] = {buf[k][0], buf[k][1]};
}

}  // namespace

std::vector<double> LombScargleFast(const Series &s, const FrequencyGrid &grid, const FastLsOptions &options) {
    std::vector<double> power(grid.n, 0.0);
    const std::size_t n = s.size();
    if (n == 0 || grid.n == 0 || IsConstant(s)) return power;
    std::vector<double> w(n), y(n), t(n), wy(n);
    double sw = 0;
    for (std::size_t i = 0; i < n; ++i) sw += w[i] = 1.0 / (s.err[i] * s.err[i]);
    double mean = 0;
    for (std::size_t i = 0; i < n; ++i) {
        w[i] /= sw;
        mean += w[i] * s.mag[i];
    }
    double yy = 0;
    for (std::size_t i = 0; i < n; ++i) {
        y[i] = s.mag[i] - mean;
        t[i] = s.t[i] - s.t.front();
        wy[i] = w[i] * y[i];
        yy += w[i] * y[i] * y[i];
    }
    if (!(yy > 0)) return power;

    int nfft = 1;
    const double want = static_cast<double>(grid.n) * std::max(1, options.oversampling);
    while (nfft < want) nfft *= 2;
    nfft = std::max(nfft, 4 * options.extirpolation);
    FftwBuffer buf(fftw_alloc_complex(static_cast<std::size_t>(nfft)));
    std::vector<std::complex<double>> sh, s1, s2;
    TrigSum(t, wy, grid.f0, grid.df, grid.n, nfft, options.extirpolation, buf.get(), sh);
    TrigSum(t, w, grid.f0, grid.df, grid.n, nfft, options.extirpolation, buf.get(), s1);
    TrigSum(t, w, 2 * grid.f0, 2 * grid.df, grid.n, nfft, options.extirpolation, buf.get(), s2);

    for (std::size_t k = 0; k < grid.n; ++k) {
        const double Ch = sh[k].real(), Sh = sh[k].imag();
        const double C = s1[k].real(), S = s1[k].imag();
        const double C2 = s2[k].real(), S2 = s2[k].imag();
        const double num = S2 - 2 * S * C, den = C2 - (C * C - S * S);
        const double hyp = std::hypot(num, den);
        if (!(hyp > 0)) continue;
        const double C2w = den / hyp, S2w = num / hyp;  // cos, sin of 2 omega tau
        const double Cw = std::sqrt(0.5 * (1 + C2w));
        const double Sw = std::copysign(std::sqrt(std::max(0.0, 0.5 * (1 - C2w))), S2w);
        const double YC = Ch * Cw + Sh * Sw, YS = Sh * Cw - Ch * Sw;
        double CC = 0.5 * (1 + C2 * C2w + S2 * S2w), SS = 0.5 * (1 - C2 * C2w - S2 * S2w);
        CC -= (C * Cw + S * Sw) * (C * Cw + S * Sw);
        SS -= (S * Cw - C * Sw) * (S * Cw - C * Sw);
        double p = 0;
        if (CC > 0) p += YC * YC / CC;
        if (SS > 0) p += YS * YS / SS;
        power[k] = std::clamp(p / yy, 0.0, 1.0);
    }
    return power;
}

}  // namespace rivulet::lightcurve
