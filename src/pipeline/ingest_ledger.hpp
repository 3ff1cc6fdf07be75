#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace rivulet {

//! Where every alert of a run went. Reconciles exactly:
//!   decoded = stored + duplicates + Σ rejected[reason] + failed
//! Every packet either decoded or is listed in `failures` (a packet whose first block decoded and whose
//! rest is corrupt appears in both: its good alerts are kept). An alert that decoded but cannot be kept
//! whole (a corrupt cutout, no position) counts in `failed` and is listed in `failures` too.
struct IngestLedger {
    uint64_t packets = 0;     //!< packets read (files, archive members, messages)
    uint64_t bytes = 0;       //!< packet bytes read
    uint64_t decoded = 0;     //!< alerts decoded
    uint64_t stored = 0;      //!< alerts newly stored
    uint64_t duplicates = 0;  //!< accepted alerts whose candid was already stored
    uint64_t failed = 0;      //!< decoded alerts refused whole (corrupt cutout, no position); none of their rows stored
    std::map<std::string, uint64_t> rejected;  //!< by cut reason
    std::vector<Error> failures;               //!< inputs, packets and alerts that failed, with reasons
    //! "<model version>: <reason>" → stored alerts that model could not score (they are stored unscored)
    std::map<std::string, uint64_t> not_scored;

    uint64_t RejectedTotal() const {
        uint64_t n = 0;
        for (const auto &[k, v] : rejected) n += v;
        return n;
    }
    bool Reconciles() const { return decoded == stored + duplicates + RejectedTotal() + failed; }
};

}  // namespace rivulet
