#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <numbers>
#include <sstream>

#include "sso/rotation_period.hpp"
#include "support/shared_data.hpp"

namespace rivulet::sso {
namespace {

TEST(Rotation, ReducedMagnitudeAndPhaseFunction) {
    SsoPoint p;
    p.mag = 15;
    p.r_au = 2;
    p.delta_au = 1.5;
    EXPECT_NEAR(ReducedMagnitude(p), 15 - 5 * std::log10(3.0), 1e-12);
    EXPECT_NEAR(HgPhaseOffset(0), 0, 1e-12);
    EXPECT_GT(HgPhaseOffset(20), 0.5);  // fainter at larger phase angle
}

TEST(Rotation, SyntheticDoublePeakedCurve) {
    std::vector<SsoPoint> pts;
    const double prot_h = 7.3;
    for (int i = 0; i < 120; ++i) {
        SsoPoint p;
        p.jd = 2459000 + (i / 4) * 1.0 + (i % 4) * 0.05;
        const double ph = 2 * std::numbers::pi * (p.jd - 2459000) * 24 / prot_h;
        p.mag = 17 + 0.3 * std::cos(2 * ph) + 0.05 * std::cos(ph) + 0.01 * std::sin(i * 7.7);
        p.err = 0.02;
        pts.push_back(p);
    }
    RotationOptions o;
    o.pmax_hours = 30;
    auto r = FindRotationPeriod(pts, o);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_NEAR(r->rotation_period_hours, prot_h, prot_h * 1e-3);
    EXPECT_EQ(r->features.n_observations, 120);
    EXPECT_NEAR(r->features.amplitude, 0.65, 0.02);  // 0.35 - (-0.30)
}

TEST(Rotation, DamitExampleIsAriadnesPeriod) {
    RIVULET_REQUIRE_SHARED("asteroids/damit_example_lightcurves/test_lcs_rel.txt");
    const auto pts = ReadDamitLightCurves(
        (testing::SharedDataDir() / "asteroids/damit_example_lightcurves/test_lcs_rel.txt").string());
    ASSERT_EQ(pts.size(), 1541u);
    RotationOptions o;
    o.pmin_hours = 2;
    o.pmax_hours = 12;
    auto r = FindRotationPeriod(pts, o);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_NEAR(r->rotation_period_hours, 5.762, 0.005) << "photometric " << r->photometric_period_hours;
    RecordProperty("rotation_period_hours", std::to_string(r->rotation_period_hours));
    std::printf("DAMIT: photometric %.6f h, rotation %.6f h, maxima/cycle %d\n", r->photometric_period_hours,
                r->rotation_period_hours, r->maxima_per_cycle);
}

TEST(Rotation, RunsOnZtfSsoLightCurves) {
    RIVULET_REQUIRE_SHARED("asteroids/fink_ztf_sso_lightcurves/lightcurves.csv");
    std::ifstream in(testing::SharedDataDir() / "asteroids/fink_ztf_sso_lightcurves/lightcurves.csv");
    std::string line;
    std::getline(in, line);
    std::map<std::string, std::vector<SsoPoint>> objects;
    while (std::getline(in, line)) {
        std::vector<std::string> f;
        std::stringstream ss(line);
        for (std::string x; std::getline(ss, x, ',');) f.push_back(x);
        if (f.size() < 10 || f[7].empty()) continue;  // 2005 XM12 has no geometry columns
        SsoPoint p;
        p.jd = std::stod(f[1]);
        p.mag = std::stod(f[4]);
        p.err = std::stod(f[5]);
        p.band = std::stoi(f[6]);
        p.delta_au = std::stod(f[7]);
        p.r_au = std::stod(f[8]);
        p.phase_deg = std::stod(f[9]);
        objects[f[0]].push_back(p);
    }
    ASSERT_EQ(objects.size(), 2u);
    for (const auto &[name, pts] : objects) {
        auto r = FindRotationPeriod(pts);
        ASSERT_TRUE(r.ok()) << name << ": " << r.error().message;
        EXPECT_GT(r->rotation_period_hours, 2.0);
        EXPECT_EQ(r->features.n_observations, static_cast<double>(pts.size()));
        EXPECT_LT(r->phase_slope, 0.1);  // fainter at larger phase: a positive slope of a few 0.01 mag/deg
        std::printf("ZTF SSO %s: %zu points, rotation %.4f h (photometric %.4f h), beta %.4f mag/deg, peak ratio %.2f\n",
                    name.c_str(), pts.size(), r->rotation_period_hours, r->photometric_period_hours, r->phase_slope,
                    r->features.peak_ratio);
    }
}

TEST(Rotation, TooFewPoints) {
    std::vector<SsoPoint> pts(3);
    EXPECT_EQ(FindRotationPeriod(pts).error().reason, "too_few_points");
}

}  // namespace
}  // namespace rivulet::sso
