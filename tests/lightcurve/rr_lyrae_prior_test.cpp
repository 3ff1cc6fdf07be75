// The RR Lyrae prior: the shape ratio and its error, and the penalty's preferences and bound.

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "lightcurve/rr_lyrae_prior.hpp"

namespace rivulet::lightcurve {
namespace {

TEST(RrLyraePrior, ShapeRatioAndItsErrorMatchMonteCarlo) {
    // A1 = 0.5, A2 = 0.1 (and a third harmonic that must not matter).
    const std::vector<double> c{0.3, 0.4, 0.06, -0.08, 0.02, 0.01};
    std::vector<double> cov(36, 0.0);
    const double sigma[] = {0.01, 0.02, 0.015, 0.01, 0.5, 0.5};
    for (int i = 0; i < 6; ++i) cov[i * 6 + i] = sigma[i] * sigma[i];
    cov[0 * 6 + 2] = cov[2 * 6 + 0] = 0.5 * sigma[0] * sigma[2];  // a correlation the propagation must carry
    const ShapeRatio r = FourierShapeRatio(c, cov);
    EXPECT_NEAR(r.r21, 0.2, 1e-12);
    std::mt19937_64 rng(5);
    std::normal_distribution<double> n01(0, 1);
    double s = 0, ss = 0;
    const int n = 200000;
    for (int k = 0; k < n; ++k) {
        const double z0 = n01(rng), z2 = n01(rng);
        const double c1 = c[0] + sigma[0] * z0, s1 = c[1] + sigma[1] * n01(rng);
        const double c2 = c[2] + sigma[2] * (0.5 * z0 + std::sqrt(0.75) * z2), s2 = c[3] + sigma[3] * n01(rng);
        const double v = std::hypot(c2, s2) / std::hypot(c1, s1);
        s += v;
        ss += v * v;
    }
    const double sd = std::sqrt(ss / n - (s / n) * (s / n));
    EXPECT_NEAR(r.err, sd, 0.03 * sd);
}

TEST(RrLyraePrior, ShapeRatioNeedsTwoHarmonicsAndAFundamental) {
    EXPECT_TRUE(std::isnan(FourierShapeRatio(std::vector<double>{0.3, 0.4}, std::vector<double>(4, 0.0)).r21));
    EXPECT_TRUE(std::isnan(FourierShapeRatio(std::vector<double>{0, 0, 0.1, 0}, std::vector<double>(16, 0.0)).r21));
    EXPECT_TRUE(std::isnan(FourierShapeRatio(std::vector<double>{0.3, 0.4, 0.1, 0}, std::vector<double>(4, 0.0)).r21));
}

TEST(RrLyraePrior, PenaltyFollowsTheStarsKindAndIsBounded) {
    const ShapeRatio sawtooth{0.5, 0.03}, sinusoid{0.1, 0.03}, unknown{std::nan(""), 0};
    // An RRab shape belongs at 0.57 d, not at its daily alias 0.363 d (clearly, but within the bound).
    EXPECT_LT(RrLyraePriorPenalty(0.57, sawtooth) + 6, RrLyraePriorPenalty(0.363, sawtooth));
    // An RRc shape belongs at 0.32 d, not at its aliases 0.471 d or 0.893 d.
    EXPECT_LT(RrLyraePriorPenalty(0.32, sinusoid) + 3, RrLyraePriorPenalty(0.471, sinusoid));
    EXPECT_LT(RrLyraePriorPenalty(0.32, sinusoid) + 3, RrLyraePriorPenalty(0.893, sinusoid));
    // A shape measured badly says little: the penalties draw together.
    const ShapeRatio vague{0.5, 0.5};
    EXPECT_LT(RrLyraePriorPenalty(0.363, vague) - RrLyraePriorPenalty(0.57, vague),
              RrLyraePriorPenalty(0.363, sawtooth) - RrLyraePriorPenalty(0.57, sawtooth));
    // Unknown shape: the period alone (RRab are the commoner kind).
    EXPECT_TRUE(std::isfinite(RrLyraePriorPenalty(0.57, unknown)));
    EXPECT_LT(RrLyraePriorPenalty(0.57, unknown), RrLyraePriorPenalty(0.32, unknown));
    // The "anything else" term bounds every penalty: -2 ln(0.05 / ln 6).
    const double bound = -2 * std::log(0.05 / std::log(6.0));
    for (double p : {0.01, 0.2, 0.4, 1.0, 5.0, 100.0})
        for (double r : {0.0, 0.3, 0.9, 3.0}) EXPECT_LE(RrLyraePriorPenalty(p, {r, 0.01}), bound + 1e-12) << p << " " << r;
}

}  // namespace
}  // namespace rivulet::lightcurve
