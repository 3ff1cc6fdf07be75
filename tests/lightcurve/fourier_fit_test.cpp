#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "lightcurve/fourier_fit.hpp"

namespace rivulet::lightcurve {
namespace {

TEST(FourierFit, RecoversAmplitudesPhasesAndShapeParameters) {
    Series s;
    const double p = 0.8;
    for (int i = 0; i < 300; ++i) {
        const double t = 100 + i * 0.173;
        const double x = 2 * std::numbers::pi * (t - 100) / p;
        s.t.push_back(t);
        s.mag.push_back(16 + 0.5 * std::sin(x + 1.0) + 0.2 * std::sin(2 * x + 2.5) + 0.1 * std::sin(3 * x + 0.3));
        s.err.push_back(0.01);
    }
    auto fit = FitFourier(s, p, 4);
    ASSERT_TRUE(fit.ok()) << fit.error().message;
    EXPECT_NEAR(fit->a0, 16, 1e-9);
    EXPECT_NEAR(fit->amplitude[0], 0.5, 1e-9);
    EXPECT_NEAR(fit->amplitude[1], 0.2, 1e-9);
    EXPECT_NEAR(fit->amplitude[3], 0.0, 1e-9);
    EXPECT_NEAR(fit->phase[0], 1.0, 1e-9);
    EXPECT_NEAR(fit->r_k1[0], 0.4, 1e-9);
    EXPECT_NEAR(fit->phi_k1[0], std::fmod(2.5 - 2.0 + 2 * std::numbers::pi, 2 * std::numbers::pi), 1e-9);
    EXPECT_GT(fit->amplitude_err[0], 0);
    EXPECT_NEAR(EvaluateFourier(*fit, s.t[7]), s.mag[7], 1e-9);
}

TEST(FourierFit, ErrorsForBadInputs) {
    Series s{{1, 2, 3, 4}, {1, 2, 1, 2}, {0.1, 0.1, 0.1, 0.1}};
    EXPECT_EQ(FitFourier(s, 1.0, 5).error().reason, "bad_order");
    EXPECT_EQ(FitFourier(s, -1.0, 1).error().reason, "bad_period");
    EXPECT_EQ(FitFourier(s, 1.0, 2).error().reason, "too_few_points");
    // Integer times folded at period 1 all land on phase 0: nothing constrains the sine terms.
    Series same{{1, 2, 3, 4, 5, 6}, {1, 2, 1, 2, 1, 2}, {0.1, 0.1, 0.1, 0.1, 0.1, 0.1}};
    EXPECT_EQ(FitFourier(same, 1.0, 1).error().reason, "degenerate_fit");
}

}  // namespace
}  // namespace rivulet::lightcurve
