#pragma once
// Small dense symmetric positive (semi)definite solves for least-squares fits with a handful of
// parameters (Fourier series, multi-term periodograms). Not for large systems.

#include <cstddef>
#include <vector>

namespace rivulet::lightcurve {

//! Solves A x = b in place for symmetric A (n x n, row-major) by Cholesky; on return `b` holds x and `a`
//! holds the inverse of A when `want_inverse` (for parameter covariances). Returns false when A is not
//! numerically positive definite (degenerate design: too few distinct phases for the model).
bool SolveSpd(std::vector<double> &a, std::vector<double> &b, std::size_t n, bool want_inverse = false);

}  // namespace rivulet::lightcurve
