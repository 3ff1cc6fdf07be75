#include "store/light_curve_rows.hpp"

#include <cmath>
#include <string>

#include "common/error.hpp"

namespace rivulet {

namespace {

[[noreturn]] void InvalidAlert(const Alert &a, const std::string &what) {
    throw RivuletError(ErrorKind::kInvalidInput,
                       "alert candid " + std::to_string(a.candid) + " (" + a.objectId + "): " + what);
}

template <class Rec>
LightCurvePoint Detection(const Rec &r, const Alert &a, bool from_candidate) {
    LightCurvePoint p;
    p.jd = *r.jd;
    p.fid = *r.fid;
    p.candid = r.candid;
    p.pid = r.pid;
    p.magpsf = r.magpsf;
    p.sigmapsf = r.sigmapsf;
    p.diffmaglim = r.diffmaglim;
    p.isdiffpos = r.isdiffpos;
    p.ra = r.ra;
    p.dec = r.dec;
    p.programid = r.programid;
    p.field = r.field;
    p.rcid = r.rcid;
    p.rb = r.rb;
    p.magnr = r.magnr;
    p.sigmagnr = r.sigmagnr;
    p.distnr = r.distnr;
    p.magzpsci = r.magzpsci;
    p.source_candid = a.candid;
    p.from_candidate = from_candidate;
    return p;
}

template <class Rec>
ForcedPhotometryPoint Forced(const Rec &r, const Alert &a) {
    ForcedPhotometryPoint p;
    p.jd = *r.jd;
    p.fid = *r.fid;
    p.pid = r.pid;
    p.forcediffimflux = r.forcediffimflux;
    p.forcediffimfluxunc = r.forcediffimfluxunc;
    p.diffmaglim = r.diffmaglim;
    p.procstatus = r.procstatus;
    p.programid = r.programid;
    p.field = r.field;
    p.rcid = r.rcid;
    p.magzpsci = r.magzpsci;
    p.magzpsciunc = r.magzpsciunc;
    p.magzpscirms = r.magzpscirms;
    p.exptime = r.exptime;
    p.distnr = r.distnr;
    p.magnr = r.magnr;
    p.sigmagnr = r.sigmagnr;
    p.source_candid = a.candid;
    return p;
}

UpperLimit Limit(const PrvCandidate &r, const Alert &a) {
    UpperLimit u;
    u.jd = *r.jd;
    u.fid = *r.fid;
    u.pid = r.pid;
    u.diffmaglim = r.diffmaglim;
    u.programid = r.programid;
    u.field = r.field;
    u.rcid = r.rcid;
    u.source_candid = a.candid;
    return u;
}

}  // namespace

void ValidateAlertForStore(const Alert &a) {
    if (a.objectId.empty()) InvalidAlert(a, "no objectId");
    const Candidate &c = a.candidate;
    if (!c.jd || !c.fid || !c.ra || !c.dec) InvalidAlert(a, "candidate lacks jd, fid, ra or dec");
    if (!std::isfinite(*c.jd) || !std::isfinite(*c.ra) || !std::isfinite(*c.dec) || std::abs(*c.dec) > 90.0)
        InvalidAlert(a, "candidate jd/ra/dec out of range");
}

bool IsForcedPhotometry(const PrvCandidate &p) {
    // Schema 3.5's writer schema is the only one whose prv_candidate has forcediffimflux.
    static const int kField = FindField(PrvCandidate::Fields(), "forcediffimflux");
    return p.present.test(static_cast<size_t>(kField));
}

AlertLightCurveRows LightCurveRows(const Alert &a) {
    AlertLightCurveRows rows;
    // The candidate first, so that within one alert it wins over any copy of itself in prv_candidates.
    rows.detections.push_back(Detection(a.candidate, a, /*from_candidate=*/true));
    if (a.prv_candidates) {
        for (const PrvCandidate &p : *a.prv_candidates) {
            if (!p.jd || !p.fid) continue;
            if (IsForcedPhotometry(p)) rows.forced_photometry.push_back(Forced(p, a));
            else if (p.magpsf) rows.detections.push_back(Detection(p, a, /*from_candidate=*/false));
            else rows.upper_limits.push_back(Limit(p, a));
        }
    }
    if (a.fp_hists)
        for (const FpHist &f : *a.fp_hists)
            if (f.jd && f.fid) rows.forced_photometry.push_back(Forced(f, a));
    return rows;
}

}  // namespace rivulet
