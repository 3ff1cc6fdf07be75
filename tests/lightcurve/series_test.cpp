// The cleaning rules are the documented answer to bad inputs; each rule has a case here.

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "lightcurve/series.hpp"

namespace rivulet::lightcurve {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(CleanSeries, DropsNonFiniteAndBadErrorsSortsAndMergesDuplicates) {
    const std::vector<double> t{5, 1, 3, kNaN, 3, 2, 4, 6};
    const std::vector<double> m{15, 11, 13, 10, 14, kInf, 12, 16};
    const std::vector<double> e{0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.0, -1};
    CleanReport rep;
    auto s = CleanSeries(t, m, e, {}, &rep);
    ASSERT_TRUE(s.ok()) << s.error().message;
    EXPECT_EQ(rep.dropped_nonfinite, 2u);
    EXPECT_EQ(rep.dropped_bad_error, 2u);
    EXPECT_EQ(rep.merged_duplicates, 1u);
    EXPECT_TRUE(rep.was_unsorted);
    EXPECT_EQ(s->t, (std::vector<double>{1, 3, 5}));
    EXPECT_DOUBLE_EQ(s->mag[1], 13.5);                    // equal weights: plain mean
    EXPECT_DOUBLE_EQ(s->err[1], 0.1 / std::sqrt(2.0));    // combined error
}

TEST(CleanSeries, TooFewPointsAndLengthMismatchAreErrors) {
    const std::vector<double> t{1, 2}, m{1, 2}, e{0.1, 0.1};
    auto s = CleanSeries(t, m, e);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().reason, "too_few_points");
    const std::vector<double> e3{0.1, 0.1, 0.1};
    auto bad = CleanSeries(t, m, e3);
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().reason, "length_mismatch");
}

TEST(CleanSeries, MaxErrDropsSentinels) {
    const std::vector<double> t{1, 2, 3, 4}, m{15, 100, 15.1, 15.2}, e{0.1, 99.999, 0.1, 0.1};
    CleanOptions o;
    o.max_err = 9;
    auto s = CleanSeries(t, m, e, o);
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(s->size(), 3u);
}

}  // namespace
}  // namespace rivulet::lightcurve
