#pragma once

#include <span>

#include "alert/record_field.hpp"

namespace rivulet {

//! One earlier detection or upper limit of the same object (ZTF `prv_candidate`; upper limits have null candid and magpsf). In schema 3.5 these are forced-photometry records instead.
//! Every field is optional: nullopt when null or when this packet's schema version lacks the field.
struct PrvCandidate {
#define RIVULET_FIELD(name, kind) std::optional<RIVULET_CTYPE_##kind> name;
#include "alert/prv_candidate_fields.def"
#undef RIVULET_FIELD
    //! Which fields this packet's writer schema has (bit i ↔ Fields()[i]).
    FieldMask present;

    //! All fields in schema order.
    static std::span<const FieldSpec<PrvCandidate>> Fields();
};

}  // namespace rivulet
