#pragma once
// The regular frequency grid every periodogram evaluates: f_k = f0 + k * df, k = 0 .. n-1 (cycles/day).
// @locality any thread.

#include <cstddef>

#include "common/result.hpp"

namespace rivulet::lightcurve {

struct FrequencyGrid {
    double f0 = 0;  //!< first frequency (1/day), > 0
    double df = 0;  //!< step (1/day), > 0
    std::size_t n = 0;
    double At(std::size_t k) const { return f0 + df * static_cast<double>(k); }
    double Max() const { return n ? At(n - 1) : f0; }
};

//! The default grid. A peak of a light curve spanning T days is about 1/T wide, so the step is
//! 1/(T * samples_per_peak); the search runs from 1/pmax to 1/pmin.
struct GridOptions {
    double samples_per_peak = 5;  //!< as astropy's autofrequency default
    //! Shortest period searched (days). 0.05 d (1.2 h) reaches delta Scuti stars and short RRc;
    //! ZTF's nightly cadence cannot constrain much shorter periods.
    double pmin = 0.05;
    //! Longest period searched (days); 0 means the baseline T (one full cycle must be observed).
    double pmax = 0;
    //! Grids are capped so one bad input (a 30-year baseline) cannot take all memory.
    std::size_t max_frequencies = 20'000'000;
};

//! Grid for a light curve with the given baseline (days). Errors: "bad_grid" for a non-positive baseline,
//! pmin >= pmax, non-positive samples_per_peak, or more than max_frequencies points.
Result<FrequencyGrid> MakeFrequencyGrid(double baseline, const GridOptions &options = {});

}  // namespace rivulet::lightcurve
