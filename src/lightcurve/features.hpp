#pragma once
// Light-curve features for classification: the statistics of Richards et al. (2011) and the common
// modern set, named as in the `light-curve` package (Malanchev et al. 2021) where it has the feature,
// plus the period, its significance and the Fourier shape parameters of the folded curve.
// One pass per band: the cleaned series is sorted by time once (CleanSeries) and the magnitudes once
// (for every percentile feature); the sums feed all moment features.
// @locality any thread.

#include <map>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "lightcurve/period_search.hpp"
#include "lightcurve/series.hpp"

namespace rivulet::lightcurve {

struct FeatureOptions {
    bool period = true;         //!< compute period_* and fourier_* (the slow part)
    PeriodOptions period_options;
    int fourier_order = 4;
};

//! Values in the order of FeatureNames. A value is NaN only when the feature is undefined for this
//! light curve; `reasons` then maps its name to why (e.g. "constant_magnitudes", "too_few_points").
struct Features {
    std::vector<double> values;
    std::map<std::string, std::string> reasons;
};

//! Names of the single-band features, in output order.
std::vector<std::string> FeatureNames(const FeatureOptions &options = {});

//! Features of one cleaned band. Error "too_few_points" below 3 points (see CleanSeries).
Result<Features> ExtractFeatures(const Series &s, const FeatureOptions &options = {});

//! Multi-band features: every single-band feature as `<name>_<band>` (bands in the given order), then
//! `mean_color_<a>_<b>` (weighted-mean difference) for each consecutive pair and, with options.period,
//! `period_multiband`, `period_multiband_power`. A band with fewer than 3 points gets NaN features with
//! reason "too_few_points".
struct BandSeries {
    std::string band;
    Series series;
};
std::vector<std::string> MultiBandFeatureNames(const std::vector<std::string> &bands, const FeatureOptions &options = {});
Features ExtractMultiBandFeatures(const std::vector<BandSeries> &bands, const FeatureOptions &options = {});

}  // namespace rivulet::lightcurve
