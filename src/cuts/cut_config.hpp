#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace rivulet {

//! Thresholds of the quality cuts. Every default is the paper's value (Mahabal et al. 2019, §2 and §3.2).
struct CutConfig {
    bool prefilter = true;            //!< apply the pre-filter (§2)
    bool realbogus = true;            //!< apply the real/bogus cuts (§3.2)
    // Pre-filter (§2): an alert passes when every condition holds.
    double min_detection_snr = 5.0;   //!< scorr > this
    double min_photometric_snr = 5.0; //!< 1.0857/sigmapsf > this
    double min_edge_distance = 10.0;  //!< mindtoedge > this [px]
    double max_elongation = 2.0;      //!< elong ≤ this
    double min_flux_ratio = 0.0;      //!< sumrat > this
    double max_flux_ratio = 1.5;      //!< sumrat ≤ this
    int max_negative_pixels = 13;     //!< nneg ≤ this (5×5 box)
    int max_bad_pixels = 7;           //!< nbad ≤ this (5×5 box)
    double max_psf_aperture_diff = 1.0;  //!< |magdiff| ≤ this [mag]
    // Real/bogus cuts (§3.2): an alert is rejected when any condition holds.
    double rb_max_magpsf = 23.5;      //!< reject magpsf > this [mag]
    int rb_max_nbad = 4;              //!< reject nbad > this
    double rb_max_fwhm = 7.0;         //!< reject fwhm > this [px]
    double rb_max_elong = 1.6;        //!< reject elong > this
    double rb_min_magap_minus_magpsf = -0.75;  //!< reject magap − magpsf < this [mag]
    double rb_max_magap_minus_magpsf = 0.4;    //!< reject magap − magpsf > this [mag]
};

//! One option of CutConfig, declared once: drives parsing, validation and the generated documentation.
struct CutOption {
    std::string_view key;
    std::string_view unit;
    std::string_view description;
    bool is_bool, is_int;
    bool CutConfig::*b;
    int CutConfig::*i;
    double CutConfig::*d;
};

//! All options of the [cuts] section, in documentation order.
const std::vector<CutOption> &CutOptions();

}  // namespace rivulet
