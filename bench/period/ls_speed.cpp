// Lomb-Scargle speed against astropy in the same run (figures, never assertions):
//  1. one light curve of N = 1,000 points on Nf = 10^5 frequencies: exact and fast, astropy 'cython' and
//     'fast' (via /usr/bin/python3 astropy_ls_reference.py), time ratio and best-peak agreement;
//  2. many ZTF-like light curves (N = 50-300, 1 year, pmin 0.1 d): our fast LS on all of them, astropy
//     'fast' on a subset, per-curve time ratio;
//  3. statistics features (no period) per 100-point light curve.
// Usage: ls_speed [--curves 10000] [--astropy-curves 200] [--threads 2]

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <unistd.h>
#include <algorithm>
#include <fstream>
#include <numbers>
#include <random>
#include <string>

#include "lightcurve/features.hpp"
#include "lightcurve/lomb_scargle.hpp"

using namespace rivulet::lightcurve;
using Clock = std::chrono::steady_clock;

namespace {

Series Curve(std::size_t n, double baseline, unsigned seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(0, baseline), per(0.2, 20);
    std::normal_distribution<double> g(0, 1);
    const double p = per(rng);
    Series s;
    for (std::size_t i = 0; i < n; ++i) s.t.push_back(58000 + u(rng));
    std::sort(s.t.begin(), s.t.end());
    for (double t : s.t) {
        s.mag.push_back(17 + 0.3 * std::sin(2 * std::numbers::pi * t / p) + 0.05 * g(rng));
        s.err.push_back(0.05);
    }
    return s;
}

double Seconds(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

//! Runs astropy on `s`, returns its seconds (stderr of the script) and fills `power`.
double Astropy(const Series &s, const FrequencyGrid &g, const std::string &method, std::vector<double> &power) {
    const std::string dir = "/tmp/rivulet_ls_speed_" + std::to_string(::getpid());
    std::system(("mkdir -p " + dir).c_str());
    {
        std::ofstream out(dir + "/lc.csv");
        out.precision(17);
        out << "t,mag,err\n";
        for (std::size_t i = 0; i < s.size(); ++i) out << s.t[i] << "," << s.mag[i] << "," << s.err[i] << "\n";
    }
    char cmd[1024];
    std::snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s/bench/period/astropy_ls_reference.py %s/lc.csv %.17g %.17g %zu %s > %s/p.txt 2> %s/t.txt",
                  RIVULET_SOURCE_DIR, dir.c_str(), g.f0, g.df, g.n, method.c_str(), dir.c_str(), dir.c_str());
    if (std::system(cmd) != 0) return -1;
    std::ifstream pin(dir + "/p.txt"), tin(dir + "/t.txt");
    power.clear();
    for (double v; pin >> v;) power.push_back(v);
    double sec = -1;
    tin >> sec;
    return sec;
}

std::size_t Argmax(const std::vector<double> &v) { return static_cast<std::size_t>(std::max_element(v.begin(), v.end()) - v.begin()); }

}  // namespace

int main(int argc, char **argv) {
    std::size_t curves = 10000, astropy_curves = 200;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--curves")) curves = std::stoul(argv[i + 1]);
        if (!std::strcmp(argv[i], "--astropy-curves")) astropy_curves = std::stoul(argv[i + 1]);
    }
    // 1. N = 1000, Nf = 1e5.
    const Series big = Curve(1000, 1000, 1);
    const FrequencyGrid grid{0.001, 1e-4, 100000};
    auto t0 = Clock::now();
    const auto exact = LombScargleExact(big, grid);
    const double t_exact = Seconds(t0);
    t0 = Clock::now();
    const auto fast = LombScargleFast(big, grid);
    const double t_fast = Seconds(t0);
    std::vector<double> ap_fast, ap_cython;
    const double a_fast = Astropy(big, grid, "fast", ap_fast);
    const double a_cython = Astropy(big, grid, "cython", ap_cython);
    double worst = 0;
    for (std::size_t k = 0; k < exact.size() && k < ap_cython.size(); ++k) worst = std::max(worst, std::abs(exact[k] - ap_cython[k]));
    std::printf("N=1000 Nf=1e5: exact %.4f s, fast %.4f s | astropy cython %.4f s, fast %.4f s\n", t_exact, t_fast, a_cython, a_fast);
    std::printf("  speed-up: exact vs astropy cython %.1fx, fast vs astropy fast %.1fx\n", a_cython / t_exact, a_fast / t_fast);
    std::printf("  best frequency: exact %.6f fast %.6f astropy-fast %.6f astropy-cython %.6f; max |exact - cython| %.2e\n",
                grid.At(Argmax(exact)), grid.At(Argmax(fast)), ap_fast.empty() ? 0 : grid.At(Argmax(ap_fast)),
                ap_cython.empty() ? 0 : grid.At(Argmax(ap_cython)), worst);

    // 2. ZTF-like batch.
    std::mt19937_64 rng(7);
    std::uniform_int_distribution<std::size_t> npts(50, 300);
    std::vector<Series> lcs;
    for (std::size_t i = 0; i < curves; ++i) lcs.push_back(Curve(npts(rng), 365, static_cast<unsigned>(i + 10)));
    GridOptions go;
    go.pmin = 0.1;
    t0 = Clock::now();
    std::size_t nf_total = 0;
    for (const auto &s : lcs) {
        const auto g = *MakeFrequencyGrid(s.Baseline(), go);
        nf_total += g.n;
        volatile double sink = LombScargleFast(s, g)[0];
        (void)sink;
    }
    const double t_batch = Seconds(t0);
    double a_total = 0;
    std::size_t agree = 0, done = 0;
    for (std::size_t i = 0; i < std::min(astropy_curves, lcs.size()); ++i) {
        const auto g = *MakeFrequencyGrid(lcs[i].Baseline(), go);
        std::vector<double> p;
        const double sec = Astropy(lcs[i], g, "fast", p);
        if (sec < 0) break;
        a_total += sec;
        ++done;
        agree += Argmax(p) == Argmax(LombScargleFast(lcs[i], g));
    }
    std::printf("%zu ZTF-like curves (N 50-300, 1 yr, pmin 0.1 d, mean Nf %.0f): fast LS %.2f s (%.0f us/curve, 1 thread)\n",
                curves, static_cast<double>(nf_total) / curves, t_batch, 1e6 * t_batch / curves);
    if (done) {
        std::printf("  astropy fast on %zu of them: %.0f us/curve (compute only) -> %.1fx; same best peak %zu/%zu\n", done,
                    1e6 * a_total / done, (a_total / done) / (t_batch / curves), agree, done);
    }
    // 3. Features.
    FeatureOptions fo;
    fo.period = false;
    const Series s100 = Curve(100, 365, 3);
    t0 = Clock::now();
    for (int i = 0; i < 20000; ++i) {
        volatile double sink = ExtractFeatures(s100, fo)->values[0];
        (void)sink;
    }
    std::printf("statistics features (%zu values, no period): %.2f us per 100-point curve\n", FeatureNames(fo).size(),
                1e6 * Seconds(t0) / 20000);
    return 0;
}
