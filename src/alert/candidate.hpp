#pragma once

#include <span>

#include "alert/record_field.hpp"

namespace rivulet {

//! The detection that triggered the alert (ZTF `candidate` record).
//! Every field is optional: nullopt when null or when this packet's schema version lacks the field.
struct Candidate {
#define RIVULET_FIELD(name, kind) std::optional<RIVULET_CTYPE_##kind> name;
#include "alert/candidate_fields.def"
#undef RIVULET_FIELD
    //! Which fields this packet's writer schema has (bit i ↔ Fields()[i]).
    FieldMask present;

    //! All fields in schema order.
    static std::span<const FieldSpec<Candidate>> Fields();
};

}  // namespace rivulet
