// Period search on synthetic curves with known periods and on a few real Stripe 82 RR Lyrae (the full
// recovery study is bench/period/period_recovery; see docs/lightcurves.md).

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <span>

#include "lightcurve/light_curve_table.hpp"
#include "lightcurve/period_search.hpp"
#include "lightcurve/test_curves.hpp"
#include "support/shared_data.hpp"

namespace rivulet::lightcurve {
namespace {

TEST(PeriodSearch, EveryMethodFindsASinusoidPeriod) {
    const Series s = testing::MakeCurve(150, 0.7317, 150, 0.4, 0.03, 3);
    for (auto m : {PeriodMethod::kLs, PeriodMethod::kLsFast, PeriodMethod::kMultiHarmonic, PeriodMethod::kAov,
                   PeriodMethod::kCe}) {
        PeriodOptions o;
        o.method = m;
        o.grid.pmin = 0.2;
        auto r = FindPeriod(s, o);
        ASSERT_TRUE(r.ok()) << r.error().message;
        ASSERT_FALSE(r->peaks.empty());
        EXPECT_NEAR(r->peaks[0].period, 0.7317, 0.7317 * 1e-3) << PeriodMethodName(m);
        EXPECT_LE(r->peaks.size(), 4u);
    }
}

TEST(PeriodSearch, BlsFindsABoxEclipse) {
    testing::MakeCurve(1, 1.0);  // keep the helper's RNG style; build the eclipse by hand below
    Series s;
    const double period = 2.4321;
    for (int i = 0; i < 400; ++i) {
        const double t = 58000 + i * 0.37 + 0.05 * std::sin(i * 1.7);
        const double ph = std::fmod(t - 58000, period) / period;
        s.t.push_back(t);
        s.mag.push_back(15 + (ph < 0.05 ? 0.5 : 0.0) + 0.01 * std::sin(i * 12.9898));
        s.err.push_back(0.01);
    }
    PeriodOptions o;
    o.method = PeriodMethod::kBls;
    o.grid.pmin = 0.5;
    o.grid.pmax = 10;
    auto r = FindPeriod(s, o);
    ASSERT_TRUE(r.ok());
    EXPECT_NEAR(r->peaks[0].period, period, period * 1e-3);
}

TEST(PeriodSearch, AlternativesAreMarkedAndFapIsSmallForAStrongSignal) {
    const Series s = testing::MakeCurve(120, 0.4137, 200, 0.5, 0.02, 9, 0.2);
    PeriodOptions o;
    o.method = PeriodMethod::kLsFast;
    auto r = FindPeriod(s, o);
    ASSERT_TRUE(r.ok());
    EXPECT_NEAR(r->peaks[0].period, 0.4137, 4e-4);
    EXPECT_LT(r->peaks[0].fap, 1e-10);
    bool any_related = false;
    for (std::size_t i = 1; i < r->peaks.size(); ++i) any_related |= !r->peaks[i].relation.empty();
    EXPECT_TRUE(any_related);  // harmonics and daily aliases of a nightly-sampled curve
}

TEST(PeriodSearch, BadInputsGiveErrors) {
    Series s = testing::MakeCurve(20, 1.0);
    for (double &m : s.mag) m = 14;
    auto r = FindPeriod(s);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().reason, "constant_magnitudes");
    Series two;
    two.t = {1, 2};
    two.mag = {1, 2};
    two.err = {0.1, 0.1};
    EXPECT_EQ(FindPeriod(two).error().reason, "too_few_points");
    EXPECT_EQ(ParsePeriodMethod("fourier").error().reason, "unknown_method");
}

TEST(PeriodSearch, BatchEqualsOneByOne) {
    std::vector<BandSet> objects;
    for (unsigned k = 0; k < 6; ++k) objects.push_back({testing::MakeCurve(60, 0.3 + 0.1 * k, 100, 0.3, 0.05, k)});
    PeriodOptions o;
    o.method = PeriodMethod::kLsFast;
    o.grid.pmin = 0.2;
    std::size_t calls = 0;
    auto batch = FindPeriodsBatch(objects, o, 2, [&](std::size_t) { ++calls; });
    EXPECT_EQ(calls, objects.size());
    for (std::size_t k = 0; k < objects.size(); ++k) {
        auto one = FindPeriodMultiBand(objects[k], o);
        ASSERT_TRUE(batch[k].ok() && one.ok());
        EXPECT_EQ(batch[k]->peaks[0].frequency, one->peaks[0].frequency);
    }
}

TEST(PeriodSearch, MultiBandAliasChoiceKeepsTheTruePeriod) {
    // One point per night in each of three bands, same non-sinusoidal shape at falling amplitudes (an RR
    // Lyrae in g, r, i): the default search, with its alias-aware final choice, stays on the true period
    // and reports the final model's power for it.
    const double period = 0.5873;
    std::vector<Series> bands;
    const double amps[] = {1.0, 0.7, 0.5};
    for (int b = 0; b < 3; ++b) {
        Series s = testing::MakeCurve(70, period, 400, 0.4, 0.03, 20 + b, 0.15);
        for (double &m : s.mag) m = 17 + amps[b] * (m - 17);
        bands.push_back(std::move(s));
    }
    PeriodOptions o;
    o.grid.pmin = 0.2;
    o.grid.pmax = 1.2;
    auto r = FindPeriodMultiBand(bands, o);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_NEAR(r->peaks[0].period, period, period * 1e-3);
    EXPECT_GT(r->peaks[0].power, 0.9);
    o.rescore = false;
    auto plain = FindPeriodMultiBand(bands, o);
    ASSERT_TRUE(plain.ok());
    EXPECT_NEAR(plain->peaks[0].period, period, period * 1e-3);
    EXPECT_GE(r->peaks[0].power, plain->peaks[0].power - 1e-9);  // richer model, never a worse fit
}

TEST(PeriodSearch, ErrorFloorOptionEqualsInflatedErrors) {
    // A floor in quadrature inside the search equals inflating the errors by hand, and keeps the period.
    const double period = 0.5873;
    std::vector<Series> bands;
    for (int b = 0; b < 3; ++b) {
        Series s = testing::MakeCurve(70, period, 400, 0.4, 0.03, 30 + b, 0.15);
        bands.push_back(std::move(s));
    }
    PeriodOptions o;
    o.grid.pmin = 0.2;
    o.grid.pmax = 1.2;
    o.err_floor = 0.02;
    auto floored = FindPeriodMultiBand(bands, o);
    std::vector<Series> by_hand = bands;
    for (Series &s : by_hand)
        for (double &e : s.err) e = std::sqrt(e * e + 0.02 * 0.02);
    o.err_floor = 0;
    auto manual = FindPeriodMultiBand(by_hand, o);
    ASSERT_TRUE(floored.ok() && manual.ok());
    EXPECT_EQ(floored->peaks[0].frequency, manual->peaks[0].frequency);
    EXPECT_EQ(floored->peaks[0].power, manual->peaks[0].power);
    EXPECT_NEAR(floored->peaks[0].period, period, period * 1e-3);
    PeriodOptions by_default;  // the documented default floor is 0.02 mag (docs/lightcurves.md)
    by_default.grid = o.grid;
    auto plain = FindPeriodMultiBand(bands, by_default);
    ASSERT_TRUE(plain.ok());
    EXPECT_EQ(plain->peaks[0].power, floored->peaks[0].power);
    for (double bad : {-0.01, std::nan(""), static_cast<double>(INFINITY)}) {
        o.err_floor = bad;
        auto refused = FindPeriodMultiBand(bands, o);
        ASSERT_FALSE(refused.ok()) << bad;
        EXPECT_EQ(refused.error().reason, "bad_option");
    }
}

TEST(PeriodSearch, FitBandJitterMeasuresMissingNoisePerBand) {
    // Band g quotes 0.01 mag but scatters with an extra 0.05 mag; band r quotes its noise correctly. The
    // fitted jitter finds the missing 0.05 in g and nothing (at most a small fraction of its errors) in r.
    const double period = 0.5521;
    Series g = testing::MakeCurve(200, period, 400, 0.4, 0.01, 41, 0.15);
    std::mt19937_64 rng(7);
    std::normal_distribution<double> extra(0, 0.05);
    for (double &m : g.mag) m += extra(rng);
    Series r = testing::MakeCurve(180, period, 400, 0.4, 0.03, 42, 0.15);
    for (double &m : r.mag) m = 16.8 + 0.7 * (m - 17);
    for (double &e : r.err) e *= 0.7;
    const Series *bands[] = {&g, &r};
    const auto jitter = FitBandJitter(bands, 1.0 / period, 4);
    ASSERT_EQ(jitter.size(), 2u);
    EXPECT_NEAR(jitter[0], 0.05, 0.01);
    EXPECT_LT(jitter[1], 0.01);
    // At a wrong frequency the model explains little, so the jitter absorbs the signal too.
    EXPECT_GT(FitBandJitter(bands, 1.0 / period + 0.31, 4)[0], 0.15);

    PeriodOptions o;
    o.grid.pmin = 0.2;
    o.grid.pmax = 1.2;
    o.fit_jitter = true;
    auto found = FindPeriodMultiBand(std::vector<Series>{g, r}, o);
    ASSERT_TRUE(found.ok()) << found.error().message;
    EXPECT_NEAR(found->peaks[0].period, period, period * 1e-3);
}

//! Two bands (g, r = 0.7 g) of a pulsator observed once a night at exactly the same sidereal time, so every
//! daily alias f + n / (sidereal day) folds the points identically: the data cannot tell them apart.
std::vector<Series> SiderealNightly(double period, std::span<const double> amplitudes, uint64_t seed) {
    constexpr double kSidereal = 1 / 1.0027379;
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<int> night(0, 1500);
    std::normal_distribution<double> noise(0, 0.02);
    std::vector<int> nights;
    while (nights.size() < 150) {
        const int n = night(rng);
        if (std::find(nights.begin(), nights.end(), n) == nights.end()) nights.push_back(n);
    }
    std::sort(nights.begin(), nights.end());
    std::vector<Series> bands(2);
    for (int n : nights) {
        const double t = 53000.3 + n * kSidereal;
        double shape = 0;  // a Fourier series with aligned phases: a saw-tooth for A_k = A / k
        for (std::size_t k = 0; k < amplitudes.size(); ++k)
            shape -= amplitudes[k] * std::sin(2 * M_PI * static_cast<double>(k + 1) * (t - 53000) / period);
        for (std::size_t b = 0; b < 2; ++b) {
            bands[b].t.push_back(t + 0.001 * static_cast<double>(b));
            bands[b].mag.push_back((b ? 16.8 : 17.0) + (b ? 0.7 : 1.0) * shape + noise(rng));
            bands[b].err.push_back(0.02);
        }
    }
    return bands;
}

TEST(PeriodSearch, RrLyraePriorSettlesExactDailyAliasesByTheStarsKind) {
    // RRab: saw-tooth (R21 = 0.5) at 0.57 d; its daily alias 0.363 d fits exactly as well.
    const double rrab[] = {0.35, 0.175, 0.117, 0.0875};
    // RRc: near-sinusoidal (R21 = 0.1) at 0.32 d; its aliases 0.471 d and 0.893 d fit exactly as well.
    const double rrc[] = {0.25, 0.025};
    struct Case {
        double period;
        std::span<const double> amplitudes;
        double pmin, pmax;
    };
    for (const Case &c : {Case{0.57, rrab, 0.3, 1.0}, Case{0.32, rrc, 0.25, 1.0}}) {
        const auto bands = SiderealNightly(c.period, c.amplitudes, 11);
        PeriodOptions o;
        o.grid.pmin = c.pmin;
        o.grid.pmax = c.pmax;
        o.fit_jitter = true;
        auto plain = FindPeriodMultiBand(bands, o);
        o.prior = PeriodPrior::kRrLyrae;
        auto informed = FindPeriodMultiBand(bands, o);
        ASSERT_TRUE(plain.ok() && informed.ok());
        // Without the prior the winner is one of the tied aliases (the truth or not); with it, the truth.
        const double df = std::abs(1 / plain->peaks[0].period - 1 / c.period);
        EXPECT_NEAR(df - 1.0027379 * std::round(df / 1.0027379), 0, 1e-4) << c.period;
        EXPECT_NEAR(informed->peaks[0].period, c.period, c.period * 1e-3);
        ASSERT_GE(informed->peaks.size(), 2u);
        EXPECT_EQ(informed->peaks[1].relation, "alias 1/d") << c.period;
    }
}

TEST(PeriodSearch, RecoversStripe82RrLyraePeriodsMultiBand) {
    RIVULET_REQUIRE_SHARED("variable_stars/sdss_stripe82_rrlyrae/lightcurves.csv");
    const auto dir = testing::SharedDataDir() / "variable_stars/sdss_stripe82_rrlyrae";
    auto raw = ReadLightCurveTable(dir / "lightcurves.csv", TableColumns{"id", "mjd", "mag", "magerr", "band"});
    ASSERT_EQ(raw.size(), 386u);  // the README says 483; the table holds 386 stars
    std::map<std::string, double> catalogue{{"4099", 0.641754351271}, {"13350", 0.547987422171},
                                            {"15927", 0.612262983773}, {"20406", 0.631853138777}};
    CleanOptions clean;
    clean.max_err = 9;
    PeriodOptions o;  // the default method
    o.grid.pmin = 0.2;
    o.grid.pmax = 1.2;
    int found = 0;
    for (const auto &r : raw) {
        auto it = catalogue.find(r.id);
        if (it == catalogue.end()) continue;
        auto res = FindPeriodMultiBand(CleanBands(r, clean), o);
        ASSERT_TRUE(res.ok()) << r.id;
        found += std::abs(res->peaks[0].period - it->second) / it->second < 1e-3;
    }
    EXPECT_EQ(found, 4);
}

}  // namespace
}  // namespace rivulet::lightcurve
