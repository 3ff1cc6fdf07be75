#pragma once
// Asteroid rotation periods from sparse or dense photometry (Mahabal et al. 2019, section 4.2, after
// Waszczak et al. 2015): magnitudes are reduced to unit distances, a phase function and a second-order
// Fourier series are fitted jointly over a grid of trial periods, and the best fit gives the period.
// Most asteroid light curves are double-peaked (two maxima per rotation), so when the best fitted curve
// has a single maximum per cycle the rotation period is twice the photometric period.
// @locality any thread.

#include <string>
#include <vector>

#include "common/result.hpp"

namespace rivulet::sso {

//! One observation: time (days), apparent magnitude and error, and the geometry.
struct SsoPoint {
    double jd = 0;
    double mag = 0, err = 0;
    double r_au = 1, delta_au = 1;  //!< heliocentric and observer distances (AU)
    double phase_deg = 0;           //!< Sun-asteroid-observer angle
    int band = 0;                   //!< each band gets its own absolute magnitude H
};

//! Reduced magnitude m - 5 log10(r Delta): the magnitude at 1 AU from Sun and observer.
double ReducedMagnitude(const SsoPoint &p);

//! IAU H,G phase function (Bowell et al. 1989): magnitude offset 2.5 log10(...) added to H at phase alpha.
double HgPhaseOffset(double phase_deg, double g = 0.15);

struct RotationOptions {
    double pmin_hours = 2.0;     //!< the spin barrier: few asteroids larger than ~150 m rotate faster
    double pmax_hours = 100.0;
    double samples_per_peak = 10;
    std::size_t max_frequencies = 2'000'000;
    //! The coarse scan's step is 1/(min(baseline, this) * samples_per_peak); the best peak is then
    //! refined down to 1/(baseline * samples_per_peak).
    double max_coherent_days = 60;
    //! Phase function fitted with the Fourier series: a linear slope beta (mag/deg) per band set, as
    //! Waszczak et al. do for sparse data. Without geometry spread (dense single-night data) it is dropped.
    bool fit_phase_slope = true;
};

//! The 7 periodogram features used to judge whether a fitted period is reliable. Our reading of the
//! paper's Table 4 (its text could not be checked offline; see src/sso/README.md):
struct RotationFeatures {
    double period_hours = 0;          //!< 1. the best photometric period
    double amplitude = 0;             //!< 2. peak-to-peak amplitude of the fitted Fourier curve (mag)
    double delta_chi2 = 0;            //!< 3. chi2(no Fourier terms) - chi2(best fit)
    double reduced_chi2 = 0;          //!< 4. of the best fit
    double peak_ratio = 0;            //!< 5. delta_chi2 of the best peak / of the best distinct other peak
    double n_observations = 0;        //!< 6.
    double rms_residual = 0;          //!< 7. rms of the fit residuals (mag)
};

struct RotationResult {
    double photometric_period_hours = 0;  //!< best period of the second-order series
    double rotation_period_hours = 0;     //!< 2x photometric when the fitted curve is single-peaked
    int maxima_per_cycle = 0;             //!< of the fitted curve at the photometric period
    std::vector<double> h;                //!< fitted absolute magnitude per band (in band order seen)
    double phase_slope = 0;               //!< beta (mag/deg) when fitted
    RotationFeatures features;
};

//! Errors: "too_few_points" (fewer than 8 finite points with err > 0), "bad_grid".
Result<RotationResult> FindRotationPeriod(const std::vector<SsoPoint> &points, const RotationOptions &options = {});

//! Reads DAMIT/convexinv light-curve files (37 curves of intensities with Sun/Earth vectors) into
//! points: magnitude = -2.5 log10(intensity), each light curve its own band (relative photometry),
//! r, Delta and phase angle from the vectors, err = 0.01 mag (the format carries no errors).
//! Throws RivuletError(kIo/kInvalidInput) naming the file and line.
std::vector<SsoPoint> ReadDamitLightCurves(const std::string &path);

}  // namespace rivulet::sso
