#pragma once
// Morphology features of a small point-source-centred cutout, for star/galaxy separation from ZTF images
// (Mahabal et al. 2019 §5 use PS1 morphology; with only a ZTF i-band stamp we measure it ourselves).
// All are computed after subtracting the background (median of the outer one-pixel border):
//   peak_over_flux  peak pixel / total flux in a radius-5 aperture (stars are more peaked)
//   fwhm            2.3548·√((Ixx+Iyy)/2) in pixels, from flux-weighted second moments inside r ≤ 5
//   ellipticity     1 − b/a from the eigenvalues of the second-moment matrix
//   concentration   flux(r ≤ 1.5) / flux(r ≤ 4)
//   fwhm_over_seeing fwhm × 1.01″/pixel ÷ the image's seeing (″), when seeing > 0 (else NaN)
//   flux            total background-subtracted flux in r ≤ 5 (counts)
// Moments are centred on the flux-weighted centroid in r ≤ 5 around the stamp centre.

#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace rivulet::ml {

struct CutoutMoments {
    double peak_over_flux, fwhm, ellipticity, concentration, fwhm_over_seeing, flux;
    static std::vector<std::string> Names();
    std::vector<double> Values() const;
};

//! `pixels` is height × width, row-major. NaN pixels are ignored.
CutoutMoments MeasureCutout(std::span<const float> pixels, size_t height, size_t width, double seeing_arcsec);

}  // namespace rivulet::ml
