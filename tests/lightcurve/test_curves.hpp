#pragma once
// Small synthetic light curves shared by the light-curve tests: irregular, ZTF-like sampling with
// nightly gaps, a known period and Gaussian noise from a fixed seed.

#include <cmath>
#include <numbers>
#include <random>

#include "lightcurve/series.hpp"

namespace rivulet::testing {

//! n points over `baseline` days (one point per night at a random hour), mag = 17 + amp*sin-shaped
//! signal of `period` (with a second harmonic when `harmonic` > 0), noise sigma `noise`.
inline lightcurve::Series MakeCurve(std::size_t n, double period, double baseline = 200, double amp = 0.4,
                                    double noise = 0.05, unsigned seed = 1, double harmonic = 0.0,
                                    double t0 = 58000.0) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> night(0, baseline), hour(-0.15, 0.15), errs(0.5, 1.5);
    std::normal_distribution<double> gauss(0, 1);
    lightcurve::Series s;
    for (std::size_t i = 0; i < n; ++i) s.t.push_back(t0 + std::floor(night(rng)) + hour(rng));
    std::sort(s.t.begin(), s.t.end());
    s.t.erase(std::unique(s.t.begin(), s.t.end()), s.t.end());
    for (double t : s.t) {
        const double ph = 2 * std::numbers::pi * (t - t0) / period;
        const double e = noise * errs(rng);
        s.mag.push_back(17 + amp * std::sin(ph) + harmonic * std::sin(2 * ph + 0.7) + e * gauss(rng));
        s.err.push_back(e);
    }
    return s;
}

}  // namespace rivulet::testing
