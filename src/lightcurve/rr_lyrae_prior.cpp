#include "lightcurve/rr_lyrae_prior.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

namespace rivulet::lightcurve {
namespace {

double Normal(double x, double mean, double sigma) {
    const double z = (x - mean) / sigma;
    return std::exp(-0.5 * z * z) / (sigma * std::sqrt(2 * std::numbers::pi));
}

struct PulsationMode {
    double weight, period, ln_period_sigma, r21, r21_sigma;
};
constexpr PulsationMode kRrab{0.70, 0.57, 0.13, 0.47, 0.08};
constexpr PulsationMode kRrc{0.25, 0.32, 0.14, 0.13, 0.08};
constexpr double kOtherWeight = 0.05;
constexpr double kOtherPeriodMin = 0.2, kOtherPeriodMax = 1.2;  // days; uniform in ln P between them

}  // namespace

ShapeRatio FourierShapeRatio(std::span<const double> c, std::span<const double> cov) {
    const std::size_t n = c.size();
    if (n < 4 || cov.size() != n * n) return {std::numeric_limits<double>::quiet_NaN(), 0};
    const double a1 = std::hypot(c[0], c[1]), a2 = std::hypot(c[2], c[3]);
    if (!(a1 > 0)) return {std::numeric_limits<double>::quiet_NaN(), 0};
    const double r = a2 / a1;
    // Gradient of A2 / A1 in (c1, s1, c2, s2); at A2 = 0 the derivative in c2, s2 is undefined, use 1/A1.
    double g[4] = {-r * c[0] / (a1 * a1), -r * c[1] / (a1 * a1), 0, 0};
    if (a2 > 0) g[2] = c[2] / (a2 * a1), g[3] = c[3] / (a2 * a1);
    else g[2] = g[3] = 1 / a1;
    double var = 0;
    for (std::size_t i = 0; i < 4; ++i)
        for (std::size_t j = 0; j < 4; ++j) var += g[i] * cov[i * n + j] * g[j];
    return {r, std::sqrt(std::max(var, 0.0))};
}

double RrLyraePriorPenalty(double period, ShapeRatio shape) {
    const double lnp = std::log(period);
    const bool known = std::isfinite(shape.r21);
    double density = 0;
    for (const PulsationMode &m : {kRrab, kRrc}) {
        double d = m.weight * Normal(lnp, std::log(m.period), m.ln_period_sigma);
        if (known) d *= Normal(shape.r21, m.r21, std::hypot(m.r21_sigma, shape.err));
        density += d;
    }
    // Uniform in R21 over [0, 1] has density 1.
    density += kOtherWeight / std::log(kOtherPeriodMax / kOtherPeriodMin);
    return -2 * std::log(density);
}

}  // namespace rivulet::lightcurve
