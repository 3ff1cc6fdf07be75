#include "lightcurve/linear_solve.hpp"

#include <cmath>

namespace rivulet::lightcurve {

bool SolveSpd(std::vector<double> &a, std::vector<double> &b, std::size_t n, bool want_inverse) {
    std::vector<double> l(n * n, 0.0);
    double max_diag = 0;
    for (std::size_t i = 0; i < n; ++i) max_diag = std::max(max_diag, a[i * n + i]);
    // Relative pivot floor: a pivot this small means a column is a combination of the others.
    const double tiny = 1e-13 * (max_diag > 0 ? max_diag : 1.0);
    for (std::size_t j = 0; j < n; ++j) {
        double d = a[j * n + j];
        for (std::size_t k = 0; k < j; ++k) d -= l[j * n + k] * l[j * n + k];
        if (!(d > tiny)) return false;
        const double ljj = std::sqrt(d);
        l[j * n + j] = ljj;
        for (std::size_t i = j + 1; i < n; ++i) {
            double s = a[i * n + j];
            for (std::size_t k = 0; k < j; ++k) s -= l[i * n + k] * l[j * n + k];
            l[i * n + j] = s / ljj;
        }
    }
    auto solve = [&](std::vector<double> &v) {
        for (std::size_t i = 0; i < n; ++i) {
            double s = v[i];
            for (std::size_t k = 0; k < i; ++k) s -= l[i * n + k] * v[k];
            v[i] = s / l[i * n + i];
        }
        for (std::size_t i = n; i-- > 0;) {
            double s = v[i];
            for (std::size_t k = i + 1; k < n; ++k) s -= l[k * n + i] * v[k];
            v[i] = s / l[i * n + i];
        }
    };
    solve(b);
    if (want_inverse) {
        std::vector<double> col(n);
        for (std::size_t j = 0; j < n; ++j) {
            for (std::size_t i = 0; i < n; ++i) col[i] = i == j ? 1.0 : 0.0;
            solve(col);
            for (std::size_t i = 0; i < n; ++i) a[i * n + j] = col[i];
        }
    }
    return true;
}

}  // namespace rivulet::lightcurve
