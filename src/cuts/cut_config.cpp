#include "cuts/cut_config.hpp"

namespace rivulet {

namespace {
CutOption Bool(std::string_view key, bool CutConfig::*m, std::string_view desc) {
    return CutOption{key, "", desc, true, false, m, nullptr, nullptr};
}
CutOption Int(std::string_view key, int CutConfig::*m, std::string_view unit, std::string_view desc) {
    return CutOption{key, unit, desc, false, true, nullptr, m, nullptr};
}
CutOption Real(std::string_view key, double CutConfig::*m, std::string_view unit, std::string_view desc) {
    return CutOption{key, unit, desc, false, false, nullptr, nullptr, m};
}
}  // namespace

const std::vector<CutOption> &CutOptions() {
    static const std::vector<CutOption> options = {
        Bool("prefilter", &CutConfig::prefilter, "apply the pre-filter of Mahabal et al. 2019 §2"),
        Bool("realbogus", &CutConfig::realbogus, "apply the real/bogus cuts of Mahabal et al. 2019 §3.2"),
        Real("min_detection_snr", &CutConfig::min_detection_snr, "", "pre-filter: keep scorr > this (detection S/N)"),
        Real("min_photometric_snr", &CutConfig::min_photometric_snr, "", "pre-filter: keep 1.0857/sigmapsf > this (photometric S/N)"),
        Real("min_edge_distance", &CutConfig::min_edge_distance, "px", "pre-filter: keep mindtoedge > this"),
        Real("max_elongation", &CutConfig::max_elongation, "", "pre-filter: keep elong <= this"),
        Real("min_flux_ratio", &CutConfig::min_flux_ratio, "", "pre-filter: keep sumrat > this"),
        Real("max_flux_ratio", &CutConfig::max_flux_ratio, "", "pre-filter: keep sumrat <= this"),
        Int("max_negative_pixels", &CutConfig::max_negative_pixels, "px", "pre-filter: keep nneg <= this (5x5 box)"),
        Int("max_bad_pixels", &CutConfig::max_bad_pixels, "px", "pre-filter: keep nbad <= this (5x5 box)"),
        Real("max_psf_aperture_diff", &CutConfig::max_psf_aperture_diff, "mag", "pre-filter: keep |magdiff| <= this"),
        Real("rb_max_magpsf", &CutConfig::rb_max_magpsf, "mag", "real/bogus: reject magpsf > this"),
        Int("rb_max_nbad", &CutConfig::rb_max_nbad, "px", "real/bogus: reject nbad > this"),
        Real("rb_max_fwhm", &CutConfig::rb_max_fwhm, "px", "real/bogus: reject fwhm > this"),
        Real("rb_max_elong", &CutConfig::rb_max_elong, "", "real/bogus: reject elong > this"),
        Real("rb_min_magap_minus_magpsf", &CutConfig::rb_min_magap_minus_magpsf, "mag", "real/bogus: reject magap - magpsf < this"),
        Real("rb_max_magap_minus_magpsf", &CutConfig::rb_max_magap_minus_magpsf, "mag", "real/bogus: reject magap - magpsf > this"),
    };
    return options;
}

}  // namespace rivulet
