#include "cuts/quality_cuts.hpp"

#include <cmath>
#include <type_traits>

namespace rivulet {

namespace {

constexpr std::array<std::string_view, kCutReasonCount> kNames = {
    "pass",
    "prefilter_detection_snr",
    "prefilter_photometric_snr",
    "prefilter_edge_distance",
    "prefilter_elongation",
    "prefilter_flux_ratio",
    "prefilter_negative_pixels",
    "prefilter_bad_pixels",
    "prefilter_psf_aperture",
    "rb_magpsf",
    "rb_nbad",
    "rb_fwhm",
    "rb_elong",
    "rb_magap_magpsf",
};

// 2.5 / ln(10): the magnitude error of a flux measured at S/N 1.
constexpr double kMagPerInverseSnr = 1.0857362047581294;

// A cut on a field that is null (or absent from this schema version) cannot be judged and does not
// reject; a NaN does (it is not a measurement). The threshold is compared at the field's own precision:
// ZTF's elong is a float32, and "elong > 1.6" must not reject the float nearest 1.6 (1.60000002).
enum class Reject { kAbove, kAtOrBelow };

template <class T>
bool Fails(const std::optional<T> &v, Reject when, double threshold) {
    if (!v) return false;
    double x = static_cast<double>(*v);
    if (std::isnan(x)) return true;
    double t = std::is_same_v<T, float> ? static_cast<double>(static_cast<float>(threshold)) : threshold;
    return when == Reject::kAbove ? x > t : x <= t;
}

}  // namespace

std::string_view CutReasonName(CutReason reason) { return kNames[static_cast<size_t>(reason)]; }

std::optional<CutReason> CutReasonFromName(std::string_view name) {
    for (size_t i = 0; i < kNames.size(); ++i)
        if (kNames[i] == name) return static_cast<CutReason>(i);
    return std::nullopt;
}

CutReason QualityCuts::Judge(const Alert &alert) const {
    const Candidate &c = alert.candidate;
    const CutConfig &k = config_;
    if (k.prefilter) {
        if (Fails(c.scorr, Reject::kAtOrBelow, k.min_detection_snr)) return CutReason::kDetectionSnr;
        // S/N = 1.0857/sigmapsf; a non-positive or NaN error is no measurement.
        if (c.sigmapsf) {
            double sigma = static_cast<double>(*c.sigmapsf);
            if (!(sigma > 0) || kMagPerInverseSnr / sigma <= k.min_photometric_snr) return CutReason::kPhotometricSnr;
        }
        if (Fails(c.mindtoedge, Reject::kAtOrBelow, k.min_edge_distance)) return CutReason::kEdgeDistance;
        if (Fails(c.elong, Reject::kAbove, k.max_elongation)) return CutReason::kElongation;
        if (Fails(c.sumrat, Reject::kAtOrBelow, k.min_flux_ratio) || Fails(c.sumrat, Reject::kAbove, k.max_flux_ratio))
            return CutReason::kFluxRatio;
        if (Fails(c.nneg, Reject::kAbove, k.max_negative_pixels)) return CutReason::kNegativePixels;
        if (Fails(c.nbad, Reject::kAbove, k.max_bad_pixels)) return CutReason::kBadPixels;
        if (c.magdiff && !(std::abs(static_cast<double>(*c.magdiff)) <=
                           static_cast<double>(static_cast<float>(k.max_psf_aperture_diff))))
            return CutReason::kPsfApertureDiff;
    }
    if (k.realbogus) {
        if (Fails(c.magpsf, Reject::kAbove, k.rb_max_magpsf)) return CutReason::kRbMagpsf;
        if (Fails(c.nbad, Reject::kAbove, k.rb_max_nbad)) return CutReason::kRbNbad;
        if (Fails(c.fwhm, Reject::kAbove, k.rb_max_fwhm)) return CutReason::kRbFwhm;
        if (Fails(c.elong, Reject::kAbove, k.rb_max_elong)) return CutReason::kRbElong;
        if (c.magap && c.magpsf) {
            double d = static_cast<double>(*c.magap) - static_cast<double>(*c.magpsf);
            if (std::isnan(d) || d > k.rb_max_magap_minus_magpsf || d < k.rb_min_magap_minus_magpsf)
                return CutReason::kRbMagapMagpsf;
        }
    }
    return CutReason::kPass;
}

std::vector<CutReason> QualityCuts::Judge(std::span<const Alert> alerts) const {
    std::vector<CutReason> out;
    out.reserve(alerts.size());
    for (const Alert &a : alerts) out.push_back(Judge(a));
    return out;
}

}  // namespace rivulet
