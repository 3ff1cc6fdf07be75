#include "sim/light_curve_model.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace rivulet {

std::string_view SimObjectKindName(SimObjectKind kind) {
    switch (kind) {
        case SimObjectKind::kVariableStar: return "variable_star";
        case SimObjectKind::kTransient: return "transient";
        case SimObjectKind::kAgn: return "agn";
        case SimObjectKind::kBogus: return "bogus";
    }
    return "";
}

std::string_view BogusKindName(BogusKind kind) {
    switch (kind) {
        case BogusKind::kNone: return "";
        case BogusKind::kDipole: return "dipole";
        case BogusKind::kCosmicRay: return "cosmic_ray";
        case BogusKind::kHotPixel: return "hot_pixel";
        case BogusKind::kChipEdge: return "chip_edge";
        case BogusKind::kGhost: return "ghost";
    }
    return "";
}

namespace {
int FilterIndex(int fid) { return std::clamp(fid, 1, 3) - 1; }
}  // namespace

double LightCurveModel::ReferenceFlux(int fid) const {
    if (kind == SimObjectKind::kTransient) return 0.0;
    return MagToFlux(mean_mag[static_cast<size_t>(FilterIndex(fid))]);
}

double LightCurveModel::Flux(double jd, int fid) const {
    const size_t f = static_cast<size_t>(FilterIndex(fid));
    switch (kind) {
        case SimObjectKind::kVariableStar: {
            double phase = std::fmod((jd - phase0) / period, 1.0);
            if (phase < 0) phase += 1.0;
            double dm = 0.0;  // magnitude offset from the mean, positive = fainter
            // Bluer filters vary more for pulsators: scale amplitude by filter.
            const double amp = amplitude_mag * (f == 0 ? 1.25 : f == 1 ? 1.0 : 0.8);
            if (shape == 0) {
                dm = 0.5 * amp * std::sin(2 * std::numbers::pi * phase);
            } else if (shape == 1) {  // fast rise over 15% of the cycle, slow decline
                dm = phase < 0.15 ? amp * (0.5 - phase / 0.15) : amp * (-0.5 + (phase - 0.15) / 0.85);
            } else {  // eclipses of width 0.08 in phase at 0 (primary) and 0.5 (secondary, shallower)
                const double d1 = std::min(phase, 1.0 - phase), d2 = std::abs(phase - 0.5);
                if (d1 < 0.04) dm = amplitude_mag * (1.0 - d1 / 0.04);
                else if (d2 < 0.04) dm = 0.4 * amplitude_mag * (1.0 - d2 / 0.04);
                return MagToFlux(mean_mag[f] + dm);  // eclipses: mean_mag is out-of-eclipse brightness
            }
            return MagToFlux(mean_mag[f] + dm);
        }
        case SimObjectKind::kTransient: {
            if (jd <= t_explosion) return 0.0;
            double mag;
            if (jd < t_peak) {  // fireball rise: flux ∝ (t − t0)²
                const double x = (jd - t_explosion) / (t_peak - t_explosion);
                return MagToFlux(peak_mag[f]) * x * x;
            }
            mag = peak_mag[f] + decline[f] * (jd - t_peak);
            return MagToFlux(mag);
        }
        case SimObjectKind::kAgn: {
            double dm = 0.0;
            for (size_t k = 0; k < agn_freq.size(); ++k)
                dm += agn_amp[k] * std::sin(2 * std::numbers::pi * agn_freq[k] * jd + agn_phase[k]);
            return MagToFlux(mean_mag[f] + dm * (f == 0 ? 1.3 : 1.0));
        }
        case SimObjectKind::kBogus: return 0.0;
    }
    return 0.0;
}

LightCurveModel LightCurveModel::Draw(SimObjectKind kind, double night_jd, SimRandom &rng) {
    LightCurveModel m;
    m.kind = kind;
    switch (kind) {
        case SimObjectKind::kVariableStar: {
            const double r = rng.Uniform(13.5, 19.0);
            const double g_r = rng.Uniform(0.1, 1.0);
            m.mean_mag = {r + g_r, r, r - 0.4 * g_r};
            const double which = rng.Uniform();
            if (which < 0.45) {  // RR Lyrae
                m.shape = 1;
                m.period = rng.Uniform(0.3, 0.9);
                m.amplitude_mag = rng.Uniform(0.4, 1.1);
            } else if (which < 0.75) {  // eclipsing binary
                m.shape = 2;
                m.period = rng.Uniform(0.25, 5.0);
                m.amplitude_mag = rng.Uniform(0.3, 1.0);
            } else {  // semi-regular / long period
                m.shape = 0;
                m.period = rng.Uniform(20.0, 300.0);
                m.amplitude_mag = rng.Uniform(0.3, 1.5);
            }
            m.phase0 = night_jd - rng.Uniform(0.0, m.period);
            break;
        }
        case SimObjectKind::kTransient: {
            const double peak_r = rng.Uniform(17.0, 19.8);
            const double rise = rng.Uniform(10.0, 20.0);
            m.t_peak = night_jd + rng.Uniform(-45.0, 12.0);  // tonight: rising to well after peak
            m.t_explosion = m.t_peak - rise;
            m.peak_mag = {peak_r + rng.Uniform(-0.2, 0.2), peak_r, peak_r + rng.Uniform(0.0, 0.4)};
            const double d = rng.Uniform(0.02, 0.06);
            m.decline = {d * 1.6, d, d * 0.8};  // SNe redden after peak: g fades fastest
            break;
        }
        case SimObjectKind::kAgn: {
            const double r = rng.Uniform(17.0, 20.0);
            m.mean_mag = {r + 0.3, r, r - 0.2};
            m.agn_rms_mag = rng.Uniform(0.25, 0.6);
            double norm = 0.0;
            for (size_t k = 0; k < m.agn_freq.size(); ++k) {
                const double timescale = 5.0 * std::pow(100.0, static_cast<double>(k) / 7.0);  // 5..500 d
                m.agn_freq[k] = 1.0 / timescale;
                m.agn_phase[k] = rng.Uniform(0, 2 * std::numbers::pi);
                m.agn_amp[k] = std::sqrt(timescale) * rng.Uniform(0.5, 1.0);  // red noise: power grows with timescale
                norm += m.agn_amp[k] * m.agn_amp[k] / 2;
            }
            for (double &a : m.agn_amp) a *= m.agn_rms_mag / std::sqrt(norm);
            break;
        }
        case SimObjectKind::kBogus: break;
    }
    return m;
}

}  // namespace rivulet
