#include "lightcurve/fourier_fit.hpp"

#include <cmath>
#include <numbers>
#include <string>

#include "lightcurve/linear_solve.hpp"

namespace rivulet::lightcurve {
namespace {

constexpr double kTwoPi = 2.0 * std::numbers::pi;

double Wrap(double x) {
    x = std::fmod(x, kTwoPi);
    return x < 0 ? x + kTwoPi : x;
}

}  // namespace

Result<FourierFit> FitFourier(const Series &s, double period, int order) {
    if (order < 1 || order > 4) return MakeError("bad_order", "Fourier order must be 1..4, got " + std::to_string(order));
    if (!(period > 0) || !std::isfinite(period)) return MakeError("bad_period", "period must be positive, got " + std::to_string(period));
    const std::size_t m = 1 + 2 * static_cast<std::size_t>(order);
    if (s.size() <= m) {
        return MakeError("too_few_points", "a Fourier fit of order " + std::to_string(order) + " needs more than " +
                                               std::to_string(m) + " points, got " + std::to_string(s.size()));
    }
    FourierFit fit;
    fit.period = period;
    fit.order = order;
    fit.t0 = s.t.front();
    // Model: a0 + sum a_k cos(k w t) + b_k sin(k w t); A sin(x + phi) = A sin(phi) cos x + A cos(phi) sin x.
    std::vector<double> a(m * m, 0.0), b(m, 0.0), basis(m);
    auto fill_basis = [&](double t) {
        const double ph = kTwoPi * (t - fit.t0) / period;
        basis[0] = 1;
        for (int k = 1; k <= order; ++k) {
            basis[2 * k - 1] = std::cos(k * ph);
            basis[2 * k] = std::sin(k * ph);
        }
    };
    for (std::size_t i = 0; i < s.size(); ++i) {
        fill_basis(s.t[i]);
        const double w = 1.0 / (s.err[i] * s.err[i]);
        for (std::size_t r = 0; r < m; ++r) {
            b[r] += w * basis[r] * s.mag[i];
            for (std::size_t q = 0; q < m; ++q) a[r * m + q] += w * basis[r] * basis[q];
        }
    }
    std::vector<double> x = b;
    if (!SolveSpd(a, x, m, /*want_inverse=*/true)) {
        return MakeError("degenerate_fit", "folded phases at period " + std::to_string(period) +
                                               " cannot constrain a Fourier series of order " + std::to_string(order));
    }
    for (std::size_t i = 0; i < s.size(); ++i) {
        fill_basis(s.t[i]);
        double model = 0;
        for (std::size_t r = 0; r < m; ++r) model += x[r] * basis[r];
        fit.chi2 += (s.mag[i] - model) * (s.mag[i] - model) / (s.err[i] * s.err[i]);
    }
    fit.reduced_chi2 = fit.chi2 / static_cast<double>(s.size() - m);
    const double scale = std::max(1.0, fit.reduced_chi2);
    auto cov = [&](std::size_t r, std::size_t q) { return a[r * m + q] * scale; };
    fit.a0 = x[0];
    fit.a0_err = std::sqrt(cov(0, 0));
    for (int k = 1; k <= order; ++k) {
        const std::size_t ic = 2 * k - 1, is = 2 * k;
        const double ac = x[ic], bs = x[is];
        const double amp = std::hypot(ac, bs);
        fit.amplitude.push_back(amp);
        fit.phase.push_back(Wrap(std::atan2(ac, bs)));
        if (amp > 0) {
            // Linear error propagation: dA = (ac dac + bs dbs)/A; dphi = (bs dac - ac dbs)/A^2.
            const double va = (ac * ac * cov(ic, ic) + bs * bs * cov(is, is) + 2 * ac * bs * cov(ic, is)) / (amp * amp);
            const double vp = (bs * bs * cov(ic, ic) + ac * ac * cov(is, is) - 2 * ac * bs * cov(ic, is)) / (amp * amp * amp * amp);
            fit.amplitude_err.push_back(std::sqrt(std::max(0.0, va)));
            fit.phase_err.push_back(std::sqrt(std::max(0.0, vp)));
        } else {
            fit.amplitude_err.push_back(std::sqrt(cov(ic, ic)));
            fit.phase_err.push_back(std::numbers::pi);  // phase of a zero amplitude is unconstrained
        }
    }
    for (int k = 2; k <= order; ++k) {
        const double a1 = fit.amplitude[0], ak = fit.amplitude[k - 1];
        if (a1 > 0) {
            fit.r_k1.push_back(ak / a1);
            // Errors of A_k and A_1 treated as independent (their covariance is small for good phase coverage).
            fit.r_k1_err.push_back(ak / a1 * std::hypot(fit.amplitude_err[k - 1] / std::max(ak, 1e-300), fit.amplitude_err[0] / a1));
            fit.phi_k1.push_back(Wrap(fit.phase[k - 1] - k * fit.phase[0]));
            fit.phi_k1_err.push_back(std::hypot(fit.phase_err[k - 1], k * fit.phase_err[0]));
        } else {
            fit.r_k1.push_back(0);
            fit.r_k1_err.push_back(0);
            fit.phi_k1.push_back(0);
            fit.phi_k1_err.push_back(std::numbers::pi);
        }
    }
    return fit;
}

double EvaluateFourier(const FourierFit &fit, double t) {
    const double ph = kTwoPi * (t - fit.t0) / fit.period;
    double m = fit.a0;
    for (int k = 1; k <= fit.order; ++k) m += fit.amplitude[k - 1] * std::sin(k * ph + fit.phase[k - 1]);
    return m;
}

}  // namespace rivulet::lightcurve
