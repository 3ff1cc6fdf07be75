// Press & Rybicki's fast Lomb-Scargle: the weighted trig sums at a regular frequency grid are the
// discrete Fourier transform of the data "extirpolated" onto a regular time grid, so one FFT gives them
// all. Structure follows astropy's lombscargle_fast/trig_sum so the two are comparable, with two savings:
//  - when f0 is a whole number of steps (q * df, as in the default grid 1/T .. 1/pmin step 1/(5T)), the
//    sums are bins q .. q+n-1 of the plain DFT, so the extirpolated data stay real and their transform
//    costs half of astropy's complex one; other grids keep the complex path with the exp(2 pi i f0 t)
//    heterodyne;
//  - the FFT buffer and the stored sums live in one per-thread scratch block reused across calls, backed
//    by transparent huge pages where the kernel offers them: on a cold call, first-touch page faults of
//    a 10+ MB working set cost more than the FFTs themselves.

#include <fftw3.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdlib>
#include <map>
#include <mutex>
#include <new>
#include <numbers>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "lightcurve/lomb_scargle.hpp"

namespace rivulet::lightcurve {
namespace {

constexpr double kTwoPi = 2.0 * std::numbers::pi;

//! FFTW planning is not thread-safe, executing a plan on new arrays is: in-place backward complex plans
//! are made once per size under a lock, then shared via fftw_execute_dft. Every array passed to it is
//! 64-byte aligned, as the fftw_malloc'ed one it was planned with, so the SIMD codelets stay valid. The
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

//! One growable block of doubles per thread: FFT buffer plus stored sums. Kept between calls up to
//! kKeepBytes so batches of light curves neither reallocate nor re-fault; larger grids free it after use.
class Scratch {
public:
    static constexpr std::size_t kHugePage = std::size_t{2} << 20;
    static constexpr std::size_t kKeepBytes = std::size_t{64} << 20;
    Scratch() = default;
    Scratch(const Scratch &) = delete;
    Scratch &operator=(const Scratch &) = delete;
    ~Scratch() { std::free(data_); }

    double *Get(std::size_t doubles) {
        const std::size_t bytes = (doubles * sizeof(double) + kHugePage - 1) / kHugePage * kHugePage;
        if (bytes > bytes_) {
            std::free(data_);
            // Huge-page alignment lets the kernel back the block with 2 MB pages (512x fewer faults).
            data_ = static_cast<double *>(std::aligned_alloc(kHugePage, bytes));
            if (!data_) throw std::bad_alloc();
            bytes_ = bytes;
#if defined(__linux__) && defined(MADV_HUGEPAGE)
            ::madvise(data_, bytes, MADV_HUGEPAGE);  // advice only: failure just means small pages
#endif
        }
        return data_;
    }
    void Release() {
        if (bytes_ > kKeepBytes) {
            std::free(data_);
            data_ = nullptr;
            bytes_ = 0;
        }
    }

private:
    double *data_ = nullptr;
    std::size_t bytes_ = 0;
};

//! Lagrange weights for extirpolation of order m: adding h at fractional position x spreads it over the
//! m nearest grid points so that sums of h*exp(i k x 2pi/n) are kept to O(x^m).
class Extirpolator {
public:
    explicit Extirpolator(int m) : m_(m), inv_denom_(static_cast<std::size_t>(m)) {
        for (int j = 0; j < m; ++j) {
            double d = 1;  // prod_{k != j} (j - k)
            for (int k = 0; k < m; ++k)
                if (k != j) d *= static_cast<double>(j - k);
            inv_denom_[static_cast<std::size_t>(j)] = 1.0 / d;
        }
    }

    //! Adds value h (T = double or std::complex<double>) at 0 <= x < n of a periodic grid of length n.
    template <typename T>
    void Add(T *grid, int n, double x, T h) const {
        const double xi = std::floor(x);
        if (x == xi) {
            grid[static_cast<int>(xi) % n] += h;
            return;
        }
        const int lo = static_cast<int>(std::floor(x - 0.5 * m_)) + 1;
        double numerator = 1;
        for (int k = 0; k < m_; ++k) numerator *= x - (lo + k);
        for (int j = 0; j < m_; ++j) {
            const double wgt = numerator * inv_denom_[static_cast<std::size_t>(j)] / (x - (lo + j));
            int idx = lo + j;
            if (idx < 0) idx += n;
            if (idx >= n) idx -= n;
            grid[idx] += wgt * h;
        }
    }

private:
    int m_;
    std::vector<double> inv_denom_;
};

//! Power-of-two FFT length >= want and >= floor, as astropy's, so both have the same extirpolation error.
int FftLength(double want, int floor) {
    int len = 1;
    while (len < want || len < floor) len *= 2;
    return len;
}

//! Real path: calls emit(k, X) for k = 0 .. nf-1 with X = sum_j h_j exp(2 pi i (offset + k) df t_j).
//! h is extirpolated onto a real grid x of length nfft (even) at frac(df t_j) * nfft; its DFT comes from
//! one complex FFT of half the length on z_m = x_2m + i x_2m+1 (the usual split into even and odd
//! samples), which costs as much as FFTW's real transform but plans in a fraction of its time (FFTW_ESTIMATE
//! of a 2^19 real transform alone took longer than this whole periodogram).
template <typename Emit>
void RealTrigSums(const std::vector<double> &t, const std::vector<double> &h, double df, int nfft, std::size_t offset,
                  std::size_t nf, const Extirpolator &ex, double *buf, Emit &&emit) {
    std::fill(buf, buf + nfft, 0.0);
    for (std::size_t j = 0; j < t.size(); ++j) ex.Add(buf, nfft, std::fmod(t[j] * df, 1.0) * nfft, h[j]);
    const int half = nfft / 2;
    auto *spec = reinterpret_cast<fftw_complex *>(buf);
    fftw_execute_dft(PlanFor(half), spec, spec);
    const auto *z = reinterpret_cast<const std::complex<double> *>(buf);
    // E_m and O_m, the transforms of the even and odd samples, are Hermitian, so Z_m = E_m + i O_m and
    // conj(Z_{half-m}) = E_m - i O_m separate them; X_m = E_m + exp(2 pi i m / nfft) O_m. The twiddle
    // advances by rotation and is re-seeded every 256 bins, so rounding does not accumulate.
    const double step = kTwoPi / nfft;
    const std::complex<double> rot(std::cos(step), std::sin(step));
    std::complex<double> tw;
    for (std::size_t k = 0; k < nf; ++k) {
        const std::size_t m = offset + k;  // < nfft / 2 (nfft >= 2 * (offset + nf))
        if (k % 256 == 0) {
            const double a = step * static_cast<double>(m);
            tw = {std::cos(a), std::sin(a)};
        }
        const std::complex<double> zm = z[m], zc = std::conj(z[m == 0 ? 0 : half - m]);
        const std::complex<double> even = 0.5 * (zm + zc), odd_times_i = 0.5 * (zm - zc);
        // O_m = odd_times_i / i = -i * odd_times_i.
        emit(k, even + tw * std::complex<double>(odd_times_i.imag(), -odd_times_i.real()));
        tw *= rot;
    }
}

//! sum_j h_j exp(2 pi i (f0 + k df) t_j) for k < nfft (complex path): h times the exp(2 pi i f0 t)
//! heterodyne extirpolated at frac(df t_j) * nfft, one in-place backward complex FFT.
const std::complex<double> *ComplexTrigSums(const std::vector<double> &t, const std::vector<double> &h, double f0,
                                            double df, int nfft, const Extirpolator &ex, double *buf) {
    std::fill(buf, buf + 2 * static_cast<std::size_t>(nfft), 0.0);
    auto *grid = reinterpret_cast<std::complex<double> *>(buf);
    for (std::size_t j = 0; j < t.size(); ++j) {
        // t is relative to the first point (t[0] = 0), so no final phase correction is needed.
        const double ph = kTwoPi * std::fmod(f0 * t[j], 1.0);
        ex.Add(grid, nfft, std::fmod(t[j] * df, 1.0) * nfft, h[j] * std::complex<double>(std::cos(ph), std::sin(ph)));
    }
    auto *spec = reinterpret_cast<fftw_complex *>(buf);
    fftw_execute_dft(PlanFor(nfft), spec, spec);
    return grid;
}

//! Standard power from the sums of w*y (sh), w (s1) at f and w at 2f (s2), astropy's formula.
double PowerFromSums(std::complex<double> sh, std::complex<double> s1, std::complex<double> s2, double yy) {
    const double Ch = sh.real(), Sh = sh.imag();
    const double C = s1.real(), S = s1.imag();
    const double C2 = s2.real(), S2 = s2.imag();
    const double num = S2 - 2 * S * C, den = C2 - (C * C - S * S);
    const double hyp2 = num * num + den * den;  // both terms are sums of normalised weights: no overflow
    if (!(hyp2 > 0)) return 0.0;
    const double inv = 1.0 / std::sqrt(hyp2);
    const double C2w = den * inv, S2w = num * inv;  // cos, sin of 2 omega tau
    const double Cw = std::sqrt(0.5 * (1 + C2w));
    const double Sw = std::copysign(std::sqrt(std::max(0.0, 0.5 * (1 - C2w))), S2w);
    const double YC = Ch * Cw + Sh * Sw, YS = Sh * Cw - Ch * Sw;
    const double Cc = C * Cw + S * Sw, Sc = S * Cw - C * Sw;
    const double CC = 0.5 * (1 + C2 * C2w + S2 * S2w) - Cc * Cc;
    const double SS = 0.5 * (1 - C2 * C2w - S2 * S2w) - Sc * Sc;
    double p = 0;
    if (CC > 0) p += YC * YC / CC;
    if (SS > 0) p += YS * YS / SS;
    return std::clamp(p / yy, 0.0, 1.0);
}

}  // namespace

std::vector<double> LombScargleFast(const Series &s, const FrequencyGrid &grid, const FastLsOptions &options) {
    std::vector<double> power(grid.n, 0.0);
    const std::size_t n = s.size();
    if (n == 0 || grid.n == 0 || IsConstant(s)) return power;
    std::vector<double> w(n), t(n), wy(n);
    double sw = 0;
    for (std::size_t i = 0; i < n; ++i) sw += w[i] = 1.0 / (s.err[i] * s.err[i]);
    double mean = 0;
    for (std::size_t i = 0; i < n; ++i) {
        w[i] /= sw;
        mean += w[i] * s.mag[i];
    }
    double yy = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double y = s.mag[i] - mean;
        t[i] = s.t[i] - s.t.front();
        wy[i] = w[i] * y;
        yy += w[i] * y * y;
    }
    if (!(yy > 0)) return power;

    const std::size_t nf = grid.n;
    const int order = std::max(1, options.extirpolation);
    const double ovs = std::max(1, options.oversampling);
    const Extirpolator ex(order);
    // The largest bin used sets the extirpolation error (it grows with bin/nfft), so the FFT length keeps
    // bin/nfft <= 1/oversampling on both paths, as astropy's nfft >= oversampling * nf does for bins < nf.
    const double q = std::round(grid.f0 / grid.df);
    // Treating f0 as q*df shifts every phase by at most 2 pi |f0 - q df| t_max: below 1e-9 cycles it is far
    // under the extirpolation error. Beyond about as many offset bins as grid bins the real FFT would be
    // longer than the complex one saves.
    const bool lattice = q >= 0 && q <= static_cast<double>(nf) &&
                         std::abs(grid.f0 - q * grid.df) * *std::max_element(t.begin(), t.end()) < 1e-9;
    const std::size_t offset = lattice ? static_cast<std::size_t>(q) : 0;
    // The real path reads bins up to offset + nf from a transform of real data, so they must stay below nfft/2.
    const int nfft = FftLength((lattice ? std::max(2.0, ovs) : ovs) * static_cast<double>(offset + nf), 4 * order);

    thread_local Scratch scratch;
    const std::size_t fft_doubles = (lattice ? 1 : 2) * static_cast<std::size_t>(nfft);
    double *buf = scratch.Get(fft_doubles + 4 * nf);
    auto *sh = reinterpret_cast<std::complex<double> *>(buf + fft_doubles);
    auto *s1 = sh + nf;
    if (lattice) {
        // f_k is bin q + k of the step-df transform; 2 f_k is bin q + k of the transform on step 2 df.
        RealTrigSums(t, wy, grid.df, nfft, offset, nf, ex, buf, [&](std::size_t k, std::complex<double> x) { sh[k] = x; });
        RealTrigSums(t, w, grid.df, nfft, offset, nf, ex, buf, [&](std::size_t k, std::complex<double> x) { s1[k] = x; });
        RealTrigSums(t, w, 2 * grid.df, nfft, offset, nf, ex, buf,
                     [&](std::size_t k, std::complex<double> x) { power[k] = PowerFromSums(sh[k], s1[k], x, yy); });
    } else {
        const auto *spec = ComplexTrigSums(t, wy, grid.f0, grid.df, nfft, ex, buf);
        std::copy(spec, spec + nf, sh);
        spec = ComplexTrigSums(t, w, grid.f0, grid.df, nfft, ex, buf);
        std::copy(spec, spec + nf, s1);
        spec = ComplexTrigSums(t, w, 2 * grid.f0, 2 * grid.df, nfft, ex, buf);
        for (std::size_t k = 0; k < nf; ++k) power[k] = PowerFromSums(sh[k], s1[k], spec[k], yy);
    }
    scratch.Release();
    return power;
}

}  // namespace rivulet::lightcurve
