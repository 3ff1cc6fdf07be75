#pragma once
// A minimal valid alert at a given position, for store and sky tests that need no real packet.

#include <cstdint>
#include <string>

#include "alert/alert.hpp"

namespace rivulet::testing {

inline Alert SyntheticAlert(const std::string &objectId, int64_t candid, double ra, double dec,
                            double jd = 2460000.5) {
    Alert a;
    a.objectId = objectId;
    a.candid = candid;
    a.schemavsn = "4.02";
    a.candidate.jd = jd;
    a.candidate.fid = 1;
    a.candidate.ra = ra;
    a.candidate.dec = dec;
    a.candidate.magpsf = 18.5f;
    a.candidate.sigmapsf = 0.05f;
    a.candidate.candid = candid;
    a.candidate.isdiffpos = "t";
    for (const char *name : {"jd", "fid", "ra", "dec", "magpsf", "sigmapsf", "candid", "isdiffpos"})
        a.candidate.present.set(static_cast<size_t>(FindField(Candidate::Fields(), name)));
    return a;
}

}  // namespace rivulet::testing
