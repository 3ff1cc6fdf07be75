#pragma once
// The merged light curve of one object as the store returns it: every stored alert's own candidate,
// its prv_candidates and its fp_hists, de-duplicated and split into three lists. Names and units follow
// the ZTF schema (magnitudes in mag, fluxes in DN of the difference image, jd in days).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rivulet {

//! One detection (a candidate, or a prv_candidate with a magnitude). Unique per (jd, fid).
struct LightCurvePoint {
    double jd = 0;
    int fid = 0;
    std::optional<int64_t> candid;
    std::optional<int64_t> pid;
    std::optional<float> magpsf, sigmapsf, diffmaglim;
    std::optional<std::string> isdiffpos;
    std::optional<double> ra, dec;
    std::optional<int> programid, field, rcid;
    std::optional<float> rb;
    std::optional<float> magnr, sigmagnr, distnr;  //!< nearest reference-image source (for DC magnitudes)
    std::optional<float> magzpsci;
    //! Candid of the stored alert this point was taken from.
    int64_t source_candid = 0;
    //! True when the point is an alert's own `candidate` (the most complete record), false when it was
    //! copied from a later alert's prv_candidates.
    bool from_candidate = false;
};

//! A non-detection: an epoch where nothing brighter than `diffmaglim` was found. Unique per (jd, fid).
struct UpperLimit {
    double jd = 0;
    int fid = 0;
    std::optional<int64_t> pid;
    std::optional<float> diffmaglim;
    std::optional<int> programid, field, rcid;
    int64_t source_candid = 0;
};

//! One forced-photometry measurement (fp_hists in schema 4.x, prv_candidates in schema 3.5).
//! Unique per (jd, fid). `forcediffimflux` keeps ZTF's sentinel (-99999) where ZTF writes it.
struct ForcedPhotometryPoint {
    double jd = 0;
    int fid = 0;
    std::optional<int64_t> pid;
    std::optional<float> forcediffimflux, forcediffimfluxunc, diffmaglim;
    std::optional<std::string> procstatus;
    std::optional<int> programid, field, rcid;
    std::optional<float> magzpsci, magzpsciunc, magzpscirms, exptime;
    std::optional<float> distnr, magnr, sigmagnr;
    int64_t source_candid = 0;
};

//! Every list is sorted by (jd, fid).
struct LightCurve {
    std::string objectId;  // NOLINT(readability-identifier-naming): ZTF name
    std::vector<LightCurvePoint> detections;
    std::vector<UpperLimit> upper_limits;
    std::vector<ForcedPhotometryPoint> forced_photometry;
};

}  // namespace rivulet
