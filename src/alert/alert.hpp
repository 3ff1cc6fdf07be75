#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "alert/candidate.hpp"
#include "alert/cutout.hpp"
#include "alert/fp_hist.hpp"
#include "alert/prv_candidate.hpp"

namespace rivulet {

//! One ZTF alert packet, decoded. Names follow the ZTF schema.
struct Alert {
    std::string objectId;                    // NOLINT(readability-identifier-naming): ZTF name
    int64_t candid = 0;
    std::optional<std::string> schemavsn;    //!< from schema 2.0 on; v1.x packets have none
    std::optional<std::string> publisher;    //!< from schema 2.0 on
    std::string writer_schema_version;       //!< `version` attribute of the writer schema ("" if none)
    Candidate candidate;
    std::optional<std::vector<PrvCandidate>> prv_candidates;
    //! Forced photometry history (schema 4.x). nullopt when null or when the schema has no fp_hists.
    std::optional<std::vector<FpHist>> fp_hists;
    bool has_fp_hists_field = false;         //!< the writer schema has `fp_hists` (absent vs null)
    CutoutTriplet cutouts;

    //! The schema version this packet follows: `schemavsn` when present, else the writer schema's version.
    const std::string &SchemaVersion() const { return schemavsn ? *schemavsn : writer_schema_version; }

    const std::optional<Cutout> &cutout(CutoutKind kind) const { return cutouts[static_cast<int>(kind)]; }
};

//! True for a detection on the positive (science − reference) difference image: ZTF writes 't' or '1'.
inline bool IsDiffPositive(const std::optional<std::string> &isdiffpos) {
    return isdiffpos && (*isdiffpos == "t" || *isdiffpos == "1");
}

}  // namespace rivulet
