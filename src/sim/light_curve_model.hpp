#pragma once
// Brightness of a simulated object against time, per ZTF filter. Fluxes are in microjansky
// (AB mag = 23.9 − 2.5 log10 f), so a difference-image flux is Flux(jd) − ReferenceFlux().

#include <array>
#include <cmath>
#include <cstdint>
#include <string_view>

#include "sim/sim_random.hpp"

namespace rivulet {

//! What a simulated object is. Bogus objects are artefacts of the difference imaging, not sources.
enum class SimObjectKind { kVariableStar, kTransient, kAgn, kBogus };
//! Kind of artefact for kBogus objects.
enum class BogusKind { kNone, kDipole, kCosmicRay, kHotPixel, kChipEdge, kGhost };

std::string_view SimObjectKindName(SimObjectKind kind);  //!< "variable_star", "transient", "agn", "bogus"
std::string_view BogusKindName(BogusKind kind);          //!< "", "dipole", "cosmic_ray", "hot_pixel", "chip_edge", "ghost"

inline double MagToFlux(double mag) { return std::pow(10.0, -0.4 * (mag - 23.9)); }
inline double FluxToMag(double flux) { return 23.9 - 2.5 * std::log10(flux); }

//! Light curve of one object. Does not model colour evolution beyond a per-filter offset and decline rate,
//! nor anything shorter than an exposure (flares, eclipses narrower than 30 s are smoothed away).
struct LightCurveModel {
    SimObjectKind kind = SimObjectKind::kVariableStar;
    std::array<double, 3> mean_mag{};  //!< g, r, i: the star / nucleus / host in the reference image
    // Periodic variable: shape 0 sinusoid, 1 RR Lyrae-like sawtooth, 2 detached eclipsing binary.
    int shape = 0;
    double period = 1.0, phase0 = 0.0, amplitude_mag = 0.3;
    // Transient: explosion, peak and decline (mag/day) per filter; no flux in the reference.
    double t_explosion = 0.0, t_peak = 0.0;
    std::array<double, 3> peak_mag{}, decline{};
    // AGN: red-noise variability as a sum of sinusoids (timescales 5–500 d), evaluable at any time.
    double agn_rms_mag = 0.2;
    std::array<double, 8> agn_freq{}, agn_phase{}, agn_amp{};

    //! Total flux of the object at `jd` in filter `fid` (1 g, 2 r, 3 i), microjansky.
    double Flux(double jd, int fid) const;
    //! Its flux in the reference (template) image: the mean for stars and AGN, 0 for a transient.
    double ReferenceFlux(int fid) const;
    double DifferenceFlux(double jd, int fid) const { return Flux(jd, fid) - ReferenceFlux(fid); }

    //! Draws a model of the given kind (not kBogus) whose brightest difference tonight is plausible for ZTF.
    static LightCurveModel Draw(SimObjectKind kind, double night_jd, SimRandom &rng);
};

}  // namespace rivulet
