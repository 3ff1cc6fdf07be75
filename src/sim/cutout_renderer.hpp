#pragma once
// Draws the science / template / difference stamps of one simulated alert: Gaussian PSFs on a sky
// background with Gaussian noise, in DN at the science zero point. The difference is the science minus the
// PSF-matched template, so it holds exactly the alert's difference flux plus noise, or the artefact.
// Does not simulate PSF matching residuals of real sources, saturation, or the pixel-level WCS.

#include <vector>

#include "image/image.hpp"
#include "sim/light_curve_model.hpp"
#include "sim/sim_random.hpp"

namespace rivulet {

//! A source in the reference sky near the alert, relative to the stamp centre.
struct StampSource {
    double dx = 0, dy = 0;   //!< pixels from the alert position
    double flux_dn = 0;      //!< total flux at the science zero point
    double extent_px = 0;    //!< Gaussian sigma of the intrinsic light profile (0: a point source)
};

struct StampScene {
    int width = 63, height = 63;
    //! Where the alert lies in the stamp (normally the centre, off-centre for chip-edge stamps).
    double x0 = 31, y0 = 31;
    double fwhm_sci = 2.0, fwhm_ref = 1.8;
    double sky_sci = 200, sigma_sci = 8;        //!< background level and noise per pixel, DN
    double sky_ref = 150, sigma_ref = 3;        //!< the reference is a coadd of ~15-40 frames: deeper
    double ref_scale = 1.0;                     //!< reference DN per science DN (different zero point)
    std::vector<StampSource> sources;           //!< in both images
    double difference_flux_dn = 0;              //!< signed: what the alert measured on the difference
    BogusKind artefact = BogusKind::kNone;
    double artefact_flux_dn = 0;                //!< brightness of the artefact
    double angle = 0;                           //!< orientation of dipoles and cosmic-ray tracks, radians
    int nan_pixels = 0;                         //!< masked pixels (NaN) in all three stamps
};

struct StampTriplet {
    Image science, reference, difference;
};

//! Renders the three stamps. Deterministic for a given rng state.
StampTriplet RenderStamps(const StampScene &scene, SimRandom &rng);

}  // namespace rivulet
