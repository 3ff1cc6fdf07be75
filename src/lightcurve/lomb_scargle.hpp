#pragma once
// Generalized (floating-mean) Lomb-Scargle periodograms (Zechmeister & Kuerster 2009), weighted by
// 1/err^2, in astropy's "standard" normalization: power = 1 - chi2(f) / chi2_ref, where chi2_ref is the
// chi2 of the weighted mean alone. Power lies in [0, 1]; a constant light curve has power 0 everywhere.
// Input series must come from CleanSeries (finite, err > 0).
// @locality any thread: no shared mutable state (the FFT plan cache is locked internally).

#include <optional>
#include <span>
#include <vector>

#include "lightcurve/frequency_grid.hpp"
#include "lightcurve/series.hpp"

namespace rivulet::lightcurve {

//! Exact O(N * Nf) periodogram; equals astropy LombScargle(t, y, dy).power(f, method='cython') to ~1e-12.
//! Trig functions advance by rotation along the grid and are re-seeded every 256 steps, so rounding
//! does not accumulate.
std::vector<double> LombScargleExact(const Series &s, const FrequencyGrid &grid);

//! Exact power at arbitrary frequencies (used to refine peaks found on a grid).
std::vector<double> LombScargleAt(const Series &s, std::span<const double> frequencies);

struct FastLsOptions {
    int oversampling = 5;    //!< FFT length >= oversampling * Nf (astropy's default)
    int extirpolation = 4;   //!< Press & Rybicki extirpolation order (astropy's Mfft default)
};

//! Press & Rybicki (1989) O(N + Nf log Nf) approximation with FFTW, the same algorithm as astropy's
//! method='fast'. Approximate: use it to find peaks, then refine them with LombScargleAt.
std::vector<double> LombScargleFast(const Series &s, const FrequencyGrid &grid, const FastLsOptions &options = {});

//! Multi-harmonic periodogram: a K-term Fourier series plus a floating mean fitted at each frequency
//! (Palmer 2009 / astropy nterms=K), power = 1 - chi2_K(f)/chi2_ref. K = 1 equals LombScargleExact.
//! A frequency where the design is degenerate (fewer distinct phases than 2K+1) gets power 0.
std::vector<double> LombScargleMultiTerm(const Series &s, std::span<const double> frequencies, int nterms);
std::vector<double> LombScargleMultiTerm(const Series &s, const FrequencyGrid &grid, int nterms);

//! chi2 of the weighted mean: the normalisation of the standard power (0 for a constant light curve).
double ReferenceChi2(const Series &s);

//! Multi-band periodogram with one shared frequency and, per band, its own mean and K-term series
//! (VanderPlas & Ivezic 2015 with nterms_base = 0, nterms_band = K): the bands' chi2 reductions are
//! summed, power = sum_b chi2_ref,b * P_b(f) / sum_b chi2_ref,b. Bands with power arrays from any method
//! combine with CombineBands.
std::vector<double> CombineBands(std::span<const std::vector<double>> band_powers, std::span<const double> ref_chi2);

//! Multi-band periodogram with one shared K-term Fourier shape and a free mean per band (VanderPlas &
//! Ivezic 2015 with nterms_base = K, nterms_band = 0): far fewer parameters than per-band series, so
//! sparse bands cannot fit noise. power = 1 - chi2(f) / sum_b chi2_ref,b. Degenerate designs give 0.
std::vector<double> LombScargleSharedShape(std::span<const Series *const> bands, std::span<const double> frequencies,
                                           int nterms);

//! Multi-band periodogram with one shared K-term Fourier shape scaled by a free amplitude per band, plus
//! a free mean per band: m_b(t) = mu_b + a_b * S(f t). Pulsating stars keep their light-curve shape
//! across bands while the amplitude falls towards the red (RR Lyrae: A_u > A_g > A_r > A_i > A_z), which
//! the plain shared shape cannot follow. The model is bilinear; it is fitted by alternating least squares
//! (shape given the amplitudes, then mean and amplitude per band), started from the shared shape, until
//! chi2 changes by less than 1e-9 relative or after `iterations` rounds. power = 1 - chi2(f) / sum_b
//! chi2_ref,b; never below LombScargleSharedShape at the same f. Degenerate designs give 0. About
//! `iterations` times the cost of LombScargleSharedShape: meant for judging a few candidate peaks.
std::vector<double> LombScargleScaledShape(std::span<const Series *const> bands, std::span<const double> frequencies,
                                           int nterms, int iterations = 30);

//! The scaled-shape fit (LombScargleScaledShape) at one frequency: its chi2, the fitted magnitude of every
//! point, `model[b][i]` for point i of band b (bands and points in input order), and the shared shape's
//! Fourier coefficients (cos, sin of harmonic 1, then of 2, ...; their scale relative to the per-band
//! amplitudes is arbitrary, ratios are not) with their covariance (2K × 2K, row-major; conditional on the
//! fitted amplitudes, in the units of the errors given; both empty if that covariance cannot be computed).
struct ScaledShapeModel {
    double chi2 = 0;
    std::vector<std::vector<double>> model;
    std::vector<double> shape;
    std::vector<double> shape_cov;
};
//! nullopt when every band is constant or the design is degenerate.
std::optional<ScaledShapeModel> FitScaledShape(std::span<const Series *const> bands, double frequency, int nterms,
                                               int iterations = 30);

//! False-alarm probability of the highest peak `power` (standard normalization) over frequencies up to
//! fmax, by Baluev (2008), as astropy's false_alarm_probability(method='baluev').
double FalseAlarmProbability(double power, const Series &s, double fmax);

}  // namespace rivulet::lightcurve
