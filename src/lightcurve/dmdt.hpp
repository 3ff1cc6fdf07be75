#pragma once
// dm-dt images (Mahabal et al. 2017): every pair of points (i < j, time-sorted) gives dm = m_j - m_i and
// dt = t_j - t_i; the 2-D histogram over fixed, uneven bin edges is a fixed-size picture of the light
// curve's variability whatever its length or cadence.
// @locality any thread.

#include <cstdint>
#include <filesystem>
#include <vector>

#include "common/result.hpp"
#include "lightcurve/series.hpp"

namespace rivulet::lightcurve {

//! Bin edges (mag and days). Defaults are those of Mahabal et al. (2017): 23 dm edges in [-8, 8] and
//! 25 dt edges from 0 to 4000 d (1/145 d steps for same-night pairs), i.e. 22 x 24 bins.
struct DmdtBins {
    std::vector<double> dm_edges{-8, -5, -3, -2.5, -2, -1.5, -1, -0.5, -0.3, -0.2, -0.1, 0,
                                 0.1, 0.2, 0.3, 0.5, 1, 1.5, 2, 2.5, 3, 5, 8};
    std::vector<double> dt_edges{0, 1.0 / 145, 2.0 / 145, 3.0 / 145, 4.0 / 145, 1.0 / 25, 2.0 / 25, 3.0 / 25, 1.5,
                                 2.5, 3.5, 4.5, 5.5, 7, 10, 20, 30, 60, 90, 120, 240, 600, 960, 2000, 4000};
};

struct DmdtImage {
    int dm_bins = 0, dt_bins = 0;  //!< rows (dm, ascending) x columns (dt, ascending)
    std::vector<double> density;   //!< pair count / total pairs, row-major
    std::vector<std::uint8_t> pixels;  //!< floor(255 * density + 0.99999), the paper's 8-bit scaling
    std::size_t pairs = 0;          //!< all pairs, N (N - 1) / 2
    std::size_t pairs_outside = 0;  //!< pairs beyond the outer edges (not counted in any bin)
};

//! Errors: "bad_bins" when an edge list has fewer than 2 values or is not strictly increasing.
//! A series with fewer than 2 points gives an all-zero image (no pairs).
Result<DmdtImage> MakeDmdt(const Series &s, const DmdtBins &bins = {});

//! Writes the densities as a NumPy .npy file (float32, shape dm_bins x dt_bins) so Python reads them with
//! numpy.load. Throws RivuletError(kIo) naming the path on failure.
void WriteDmdtNpy(const DmdtImage &image, const std::filesystem::path &path);

}  // namespace rivulet::lightcurve
