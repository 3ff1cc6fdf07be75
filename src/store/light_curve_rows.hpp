#pragma once
// What one accepted alert adds to the store, as plain rows: the checks an alert must pass, and its
// candidate, prv_candidates and fp_hists sorted into detection, upper-limit and forced-photometry rows.
// Pure (no I/O), shared by every backend so that they all merge light curves by the same rules.
//
// The merge rules every backend applies to these rows, per (objectId, jd, fid):
// - detections: the first row stored is kept, except that an alert's own candidate (from_candidate)
//   replaces a copy taken from another alert's prv_candidates; so the result does not depend on the
//   order in which alerts arrive;
// - upper limits and forced photometry: the first row stored is kept;
// - on read, an upper limit at the (jd, fid) of a detection is dropped.

#include <vector>

#include "alert/alert.hpp"
#include "store/light_curve.hpp"

namespace rivulet {

//! Throws RivuletError(kInvalidInput), naming the candid and objectId, when an alert lacks objectId,
//! candidate jd, fid, ra or dec, or when jd/ra/dec are not finite or |dec| > 90.
void ValidateAlertForStore(const Alert &alert);

//! True for a schema-3.5 prv_candidate: that schema put forced-photometry records into prv_candidates.
bool IsForcedPhotometry(const PrvCandidate &p);

//! The light-curve rows of one alert, `source_candid` = the alert's candid. Records without jd or fid
//! are skipped (no epoch to key them by; ZTF always fills both). Values are copied as decoded: NaN
//! stays NaN (backends store it as NULL).
struct AlertLightCurveRows {
    //! The alert's own candidate first (from_candidate = true), then its prv_candidates with a
    //! magnitude, in packet order.
    std::vector<LightCurvePoint> detections;
    //! prv_candidates without a magnitude, in packet order.
    std::vector<UpperLimit> upper_limits;
    //! Schema-3.5 prv_candidates, then fp_hists, in packet order.
    std::vector<ForcedPhotometryPoint> forced_photometry;
};

//! Rows of a valid alert (see ValidateAlertForStore).
AlertLightCurveRows LightCurveRows(const Alert &alert);

}  // namespace rivulet
