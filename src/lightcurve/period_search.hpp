#pragma once
// Finding the period of a light curve: evaluate a periodogram on the default grid, take the highest
// distinct peaks, refine each on a finer local grid with the exact form of the method, and report the
// best with its alternatives (each marked when it is a harmonic or a daily alias of the best).
// Single band, multi-band (one shared frequency) and batched over many light curves on several threads.
// @locality FindPeriod* are pure and may run on any thread; FindPeriodsBatch starts its own threads.

#include <cstddef>
#include <functional>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "lightcurve/frequency_grid.hpp"
#include "lightcurve/series.hpp"

namespace rivulet::lightcurve {

enum class PeriodMethod {
    kLs,             //!< exact generalized Lomb-Scargle on the whole grid
    kLsFast,         //!< FFT Lomb-Scargle on the grid, peaks refined with the exact form
    kMultiHarmonic,  //!< K-term Fourier: FFT LS screens the grid, K-term fits decide among the peaks
    kAov,            //!< phase-binned analysis of variance
    kCe,             //!< conditional entropy
    kBls,            //!< box least squares
};

//! What is known of the object before the search, used to break near-ties between aliases.
enum class PeriodPrior {
    kNone,     //!< nothing: the data alone decide
    kRrLyrae,  //!< a known RR Lyrae: periods and shapes of RRab and RRc (rr_lyrae_prior.hpp)
};

//! "none", "rrlyrae". Error "unknown_prior" names the input and the choices.
Result<PeriodPrior> ParsePeriodPrior(std::string_view name);

//! "ls", "ls-fast", "mhls", "aov", "ce", "bls". Error "unknown_method" names the input and the choices.
Result<PeriodMethod> ParsePeriodMethod(std::string_view name);
std::string_view PeriodMethodName(PeriodMethod method);

struct PeriodOptions {
    //! The default is the method that recovered the Stripe 82 RR Lyrae periods best (docs/lightcurves.md).
    PeriodMethod method = PeriodMethod::kMultiHarmonic;
    int nterms = 3;           //!< harmonics for kMultiHarmonic (per band)
    //! Multi-band kMultiHarmonic: one Fourier shape shared by all bands (a mean per band) instead of a
    //! series per band; fewer parameters, better on sparse bands (see docs/lightcurves.md).
    bool shared_shape = true;
    //! Multi-band kMultiHarmonic with shared_shape: after the shared-shape ranking and the subharmonic
    //! rule, the best peak competes with its daily (n * 1.0027379 d^-1, |n| <= 2) and yearly (1/365.25
    //! d^-1) aliases under a richer model: a shared `rescore_nterms`-term shape with a free amplitude per
    //! band (LombScargleScaledShape); lowest chi2 wins. false keeps the shared-shape choice. The best peak
    //! and its alias alternatives then carry the final model's power, the other alternatives the shared
    //! shape's (so `period_multiband_power` features are the final model's power).
    bool rescore = true;
    int rescore_nterms = 0;  //!< harmonics of the final model; 0 = nterms + 1
    //! Systematic error floor (mag) added in quadrature to every point's error before the search; 0 keeps
    //! the quoted errors. Photon-noise errors of bright points can be far below a survey's calibration
    //! limit and then dominate every fit. Default 0.02 mag, a typical ground-based systematic floor chosen
    //! before measuring; it recovered more periods on Stripe 82 (ugriz and r alone) and MACHO and none
    //! fewer on OGLE (docs/lightcurves.md, "Error floor").
    double err_floor = 0.02;
    //! Multi-band kMultiHarmonic with rescore: before the final choice, fit an extra error per band
    //! (FitBandJitter at the best peak) and make the final choice with those errors. Off by default: best
    //! measured on Stripe 82 but by two stars, within the noise of the near-ties (docs/lightcurves.md).
    bool fit_jitter = false;
    //! Multi-band kMultiHarmonic with rescore: the final choice minimises chi2 plus the prior's penalty
    //! (−2 ln prior density of the candidate's period and fitted shape) instead of chi2 alone. Only the
    //! best peak's aliases compete, so the prior breaks near-ties between them and cannot overrule a clear
    //! preference of the data. For objects known to be of the prior's kind; off by default.
    PeriodPrior prior = PeriodPrior::kNone;
    GridOptions grid;
    std::size_t top_k = 4;    //!< best peak plus three alternatives
    //! Distinct grid peaks refined (and, for kMultiHarmonic, judged by the K-term fit) before ranking.
    std::size_t candidates = 20;
};

//! One candidate period. `fap` is the Baluev false-alarm probability for Lomb-Scargle methods (single
//! band) and NaN where the method has none (multi-band, AoV, CE, BLS). `relation` is empty for the best
//! peak, else "harmonic N/M" or "alias 1/d" or "alias 1/yr" relative to the best, or "" when unrelated.
struct Peak {
    double frequency = 0;  //!< cycles/day
    double period = 0;     //!< days
    double power = 0;
    double fap = std::numeric_limits<double>::quiet_NaN();
    std::string relation;
};

struct PeriodResult {
    std::vector<Peak> peaks;  //!< best first, at most top_k
    std::size_t n_points = 0;
    std::size_t n_frequencies = 0;
};

//! Errors: "constant_magnitudes" (no period exists), "bad_grid" (see MakeFrequencyGrid),
//! "too_few_points" (fewer than 3 points in every band).
Result<PeriodResult> FindPeriod(const Series &s, const PeriodOptions &options = {});
//! Bands with fewer than 3 points are skipped; constant bands contribute nothing.
Result<PeriodResult> FindPeriodMultiBand(std::span<const Series> bands, const PeriodOptions &options = {});

//! Extra error per band (mag, to add in quadrature; "jitter") that brings the scaled-shape fit
//! (FitScaledShape, `nterms` terms) at `frequency` to reduced chi2 1 in each band, counting as the band's
//! degrees of freedom its points minus its mean and amplitude and its share (by points) of the 2K shape
//! terms. 0 for a band already at or below reduced chi2 1, and for every band when the fit fails.
std::vector<double> FitBandJitter(std::span<const Series *const> bands, double frequency, int nterms);

//! One object's bands (one element for single-band data).
using BandSet = std::vector<Series>;

//! FindPeriodMultiBand for every object, on `threads` threads (0 = hardware concurrency). `progress`,
//! if set, is called after each object with the number done so far, from worker threads but never two
//! at once.
std::vector<Result<PeriodResult>> FindPeriodsBatch(std::span<const BandSet> objects, const PeriodOptions &options,
                                                   unsigned threads = 0,
                                                   const std::function<void(std::size_t)> &progress = {});

}  // namespace rivulet::lightcurve
