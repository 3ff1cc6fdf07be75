#pragma once
// Fourier decomposition of a light curve folded at a known period (Simon & Lee 1981):
//   mag(t) = A0 + sum_{k=1..K} A_k sin(2 pi k (t - t0) / P + phi_k),
// fitted by weighted least squares (weights 1/err^2), with 1-sigma errors from the parameter covariance
// (scaled by the reduced chi2 when it exceeds 1, so underestimated errors do not give tiny errors).
// Also the usual shape parameters R_k1 = A_k / A_1 and phi_k1 = phi_k - k phi_1 (mod 2 pi, in [0, 2 pi)).
// @locality any thread.

#include <vector>

#include "common/result.hpp"
#include "lightcurve/series.hpp"

namespace rivulet::lightcurve {

struct FourierFit {
    double period = 0;
    double t0 = 0;   //!< time origin of the phases (the first point's time)
    int order = 0;
    double a0 = 0, a0_err = 0;
    std::vector<double> amplitude, amplitude_err;  //!< A_1..A_K (index 0 = A_1)
    std::vector<double> phase, phase_err;          //!< phi_1..phi_K in [0, 2 pi)
    double chi2 = 0;
    double reduced_chi2 = 0;  //!< chi2 / (N - 2K - 1)
    //! R_k1 and phi_k1 for k = 2..K (index 0 = k 2); 0 when A_1 is 0.
    std::vector<double> r_k1, r_k1_err, phi_k1, phi_k1_err;
};

//! Fits orders 1..order (1 to 4). Errors: "bad_order" outside 1..4, "bad_period" for a non-positive
//! period, "too_few_points" when N <= 2*order + 1, "degenerate_fit" when the folded phases cannot
//! constrain the model (e.g. all points at one phase).
Result<FourierFit> FitFourier(const Series &s, double period, int order = 4);

//! The fitted magnitude at time t.
double EvaluateFourier(const FourierFit &fit, double t);

}  // namespace rivulet::lightcurve
