#pragma once
// One band of one light curve, cleaned so that every algorithm downstream can assume the same things:
// finite values, positive errors, strictly increasing times. The cleaning rules are the documented answer
// to bad inputs (NaN, inf, zero or negative errors, unsorted or duplicate times).
// @locality any thread: plain data and pure functions.

#include <cstddef>
#include <limits>
#include <span>
#include <vector>

#include "common/result.hpp"

namespace rivulet::lightcurve {

//! Times (days), magnitudes and 1-sigma magnitude errors of one band. After CleanSeries: same length,
//! t strictly increasing, every value finite, every err > 0.
struct Series {
    std::vector<double> t, mag, err;
    std::size_t size() const { return t.size(); }
    bool empty() const { return t.empty(); }
    double Baseline() const { return t.empty() ? 0.0 : t.back() - t.front(); }
};

struct CleanOptions {
    //! Rows with err above this are dropped (surveys write sentinels such as 99.999); +inf keeps all.
    double max_err = std::numeric_limits<double>::infinity();
    //! Fewer points than this after cleaning is an error ("too_few_points").
    std::size_t min_points = 3;
};

//! What CleanSeries did, so a caller can report it.
struct CleanReport {
    std::size_t input_points = 0;
    std::size_t dropped_nonfinite = 0;   //!< t, mag or err NaN or inf
    std::size_t dropped_bad_error = 0;   //!< err <= 0 or err > max_err
    std::size_t merged_duplicates = 0;   //!< points merged into an earlier point with the same t
    bool was_unsorted = false;
};

//! Cleans one band. Rows with a non-finite value or err <= 0 (or > max_err) are dropped; the rest are
//! sorted by time; points at exactly equal times are merged into one inverse-variance weighted point
//! (err = 1/sqrt(sum of weights)) because a period search cannot use two values at one instant.
//! Errors: "length_mismatch" when the spans differ in length, "too_few_points" when fewer than
//! min_points remain. A constant light curve is valid here (each consumer documents what it does).
Result<Series> CleanSeries(std::span<const double> t, std::span<const double> mag, std::span<const double> err,
                           const CleanOptions &options = {}, CleanReport *report = nullptr);

//! True when every magnitude is identical (no variability at all: periods are undefined).
bool IsConstant(const Series &s);

}  // namespace rivulet::lightcurve
