#include "lightcurve/phase_periodograms.hpp"

#include <algorithm>
#include <cmath>

namespace rivulet::lightcurve {
namespace {

//! Phase in [0, 1) of time t (relative to the first point) at frequency f.
inline double Phase(double t, double f) {
    const double x = t * f;
    return x - std::floor(x);
}

inline int Bin(double phase, int nbins) { return std::min(nbins - 1, static_cast<int>(phase * nbins)); }

}  // namespace

std::vector<double> AovPeriodogram(const Series &s, const FrequencyGrid &grid, int r) {
    std::vector<double> out(grid.n, 0.0);
    const std::size_t n = s.size();
    if (r < 2 || n <= static_cast<std::size_t>(r)) return out;
    double mean = 0;
    for (double m : s.mag) mean += m;
    mean /= static_cast<double>(n);
    double total = 0;
    for (double m : s.mag) total += (m - mean) * (m - mean);
    if (!(total > 0)) return out;
    std::vector<double> sum(r), cnt(r);
    for (std::size_t k = 0; k < grid.n; ++k) {
        const double f = grid.At(k);
        std::fill(sum.begin(), sum.end(), 0.0);
        std::fill(cnt.begin(), cnt.end(), 0.0);
        for (std::size_t i = 0; i < n; ++i) {
            const int b = Bin(Phase(s.t[i] - s.t[0], f), r);
            sum[b] += s.mag[i] - mean;
            cnt[b] += 1;
        }
        double between = 0;
        int used = 0;
        for (int b = 0; b < r; ++b) {
            if (cnt[b] > 0) {
                between += sum[b] * sum[b] / cnt[b];
                ++used;
            }
        }
        const double within = total - between;
        if (used < 2 || !(within > 0)) continue;
        out[k] = (between / (used - 1)) / (within / (static_cast<double>(n) - used));
    }
    return out;
}

std::vector<double> ConditionalEntropyPeriodogram(const Series &s, const FrequencyGrid &grid, int pb, int mb) {
    std::vector<double> out(grid.n, 0.0);
    const std::size_t n = s.size();
    const auto [lo, hi] = std::minmax_element(s.mag.begin(), s.mag.end());
    const double range = *hi - *lo;
    if (!(range > 0) || pb < 1 || mb < 1) return out;
    std::vector<int> mbin(n);
    for (std::size_t i = 0; i < n; ++i) mbin[i] = Bin((s.mag[i] - *lo) / range, mb);
    std::vector<double> joint(static_cast<std::size_t>(pb * mb)), marg(pb);
    const double inv_n = 1.0 / static_cast<double>(n);
    for (std::size_t k = 0; k < grid.n; ++k) {
        const double f = grid.At(k);
        std::fill(joint.begin(), joint.end(), 0.0);
        std::fill(marg.begin(), marg.end(), 0.0);
        for (std::size_t i = 0; i < n; ++i) {
            const int b = Bin(Phase(s.t[i] - s.t[0], f), pb);
            joint[static_cast<std::size_t>(b * mb + mbin[i])] += inv_n;
            marg[b] += inv_n;
        }
        double h = 0;
        for (int b = 0; b < pb; ++b) {
            if (marg[b] <= 0) continue;
            for (int m = 0; m < mb; ++m) {
                const double p = joint[static_cast<std::size_t>(b * mb + m)];
                if (p > 0) h += p * std::log(marg[b] / p);
            }
        }
        out[k] = -h;
    }
    return out;
}

std::vector<double> BlsPeriodogram(const Series &s, const FrequencyGrid &grid, const BlsOptions &o) {
    std::vector<double> out(grid.n, 0.0);
    const std::size_t n = s.size();
    const int nb = std::max(2, o.phase_bins);
    std::vector<double> w(n);
    double sw = 0, mean = 0;
    for (std::size_t i = 0; i < n; ++i) sw += w[i] = 1.0 / (s.err[i] * s.err[i]);
    for (std::size_t i = 0; i < n; ++i) mean += w[i] / sw * s.mag[i];
    const int qmin = std::max(1, static_cast<int>(std::floor(o.qmin * nb)));
    const int qmax = std::max(qmin, static_cast<int>(std::ceil(o.qmax * nb)));
    // Binned weights and weighted (centred) values, doubled so boxes can wrap around phase 1.
    std::vector<double> bw(2 * nb), by(2 * nb);
    for (std::size_t k = 0; k < grid.n; ++k) {
        const double f = grid.At(k);
        std::fill(bw.begin(), bw.end(), 0.0);
        std::fill(by.begin(), by.end(), 0.0);
        for (std::size_t i = 0; i < n; ++i) {
            const int b = Bin(Phase(s.t[i] - s.t[0], f), nb);
            bw[b] += w[i] / sw;
            by[b] += w[i] / sw * (s.mag[i] - mean);
        }
        for (int b = 0; b < nb; ++b) {
            bw[nb + b] = bw[b];
            by[nb + b] = by[b];
        }
        double best = 0;
        for (int start = 0; start < nb; ++start) {
            double r = 0, sy = 0;
            for (int q = 1; q <= qmax; ++q) {
                r += bw[start + q - 1];
                sy += by[start + q - 1];
                if (q < qmin || r <= 0 || r >= 1) continue;
                // Only dips (fainter: larger magnitude) count, as transits and eclipses do.
                if (sy <= 0) continue;
                best = std::max(best, sy * sy / (r * (1 - r)));
            }
        }
        out[k] = best;
    }
    return out;
}

}  // namespace rivulet::lightcurve
