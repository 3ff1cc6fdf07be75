#pragma once
// Periodograms that fold the light curve at each trial frequency and judge the folded shape without
// assuming a sinusoid: analysis of variance (AoV), conditional entropy (CE) and box least squares (BLS).
// Each returns one value per frequency where HIGHER means MORE LIKELY periodic, so peak finding is shared
// with Lomb-Scargle. Input series must come from CleanSeries.
// @locality any thread.

#include <vector>

#include "lightcurve/frequency_grid.hpp"
#include "lightcurve/series.hpp"

namespace rivulet::lightcurve {

//! Schwarzenberg-Czerny (1989) phase-binned analysis of variance: Theta = [s_between / (r-1)] /
//! [s_within / (N-r)] with r equal-width phase bins (empty bins do not count). Default r = 10
//! (Graham et al. 2013 benchmark setting). Unweighted, as the original. Constant curves give 0.
std::vector<double> AovPeriodogram(const Series &s, const FrequencyGrid &grid, int phase_bins = 10);

//! Conditional entropy of Graham et al. (2013): magnitudes scaled to [0, 1], a phase x magnitude
//! histogram (10 x 5 bins by default), H = sum p(m,phi) ln(p(phi)/p(m,phi)). Returned as -H (higher is
//! better); a constant curve gives 0.
std::vector<double> ConditionalEntropyPeriodogram(const Series &s, const FrequencyGrid &grid, int phase_bins = 10,
                                                  int mag_bins = 5);

//! Box least squares (Kovacs, Zucker & Mazeh 2002) on a binned fold: for each trial period the best box
//! (dip: magnitudes larger than the mean) of duration between qmin and qmax (fractions of the period);
//! returns the signal residue SR = max s^2 / (r (1 - r)) with inverse-variance weights.
struct BlsOptions {
    int phase_bins = 200;
    double qmin = 0.01;
    double qmax = 0.1;
};
std::vector<double> BlsPeriodogram(const Series &s, const FrequencyGrid &grid, const BlsOptions &options = {});

}  // namespace rivulet::lightcurve
