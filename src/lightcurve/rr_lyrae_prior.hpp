#pragma once
// What is known about RR Lyrae before looking at a light curve, for choosing among the aliases of its
// period. Nightly sampling (one epoch a night at a similar sidereal time: SDSS Stripe 82's drift scans,
// most ground surveys) leaves a daily alias f ± 1.0027 d⁻¹ almost as good as the true frequency, and it
// folds the points in nearly the same phase order, so the folded shape is the same at both. What the data
// cannot decide, the kind of star can: a fundamental-mode RRab (saw-tooth, R21 ≈ 0.5) pulsates with
// periods of 0.45–0.9 d, a first-overtone RRc (near-sinusoidal, R21 ≈ 0.1) with 0.25–0.45 d. This is how
// RR Lyrae catalogues settle such ties (template fits of the two types, e.g. Sesar et al. 2010).
//
// The prior density of (ln P, R21) is a mixture with literature values for halo RR Lyrae (Catelan & Smith
// 2015, Pulsating Stars; Simon & Teays 1982 for R21), fixed before it was first run, not fitted to the
// benchmark stars:
//   0.70 · N(ln P; ln 0.57, 0.13) · N(R21; 0.47, 0.08 ⊕ σ)   RRab
//   0.25 · N(ln P; ln 0.32, 0.14) · N(R21; 0.13, 0.08 ⊕ σ)   RRc
//   0.05 · uniform in ln P over [0.2, 1.2] d and in R21 over [0, 1]  (anything else: RRd, odd shapes)
// where σ is the measured R21's own error. The last term bounds the penalty any candidate can get (at
// most about 12 in χ² units above the most probable one), so the prior only decides between candidates
// whose χ² differ by less, i.e. near ties; a clear preference of the data stands.
// @locality pure functions, any thread.

#include <span>

namespace rivulet::lightcurve {

//! R21 = A2 / A1 of a Fourier shape and its 1-sigma error, propagated linearly from the coefficients'
//! covariance.
struct ShapeRatio {
    double r21 = 0;
    double err = 0;
};

//! `coefficients`: cos, sin of harmonic 1, then of harmonic 2, ... (at least 2 harmonics); `cov` their
//! covariance (row-major, coefficients.size() squared). NaN r21 when A1 is 0 or the input is too short.
ShapeRatio FourierShapeRatio(std::span<const double> coefficients, std::span<const double> cov);

//! −2 ln of the prior density above at period `period` (days) and shape ratio `shape` (the penalty added to
//! a candidate's χ²; lower is more probable). A NaN R21 is treated as unknown (each type's period term only).
double RrLyraePriorPenalty(double period, ShapeRatio shape);

}  // namespace rivulet::lightcurve
