#pragma once

#include <span>

#include "alert/record_field.hpp"

namespace rivulet {

//! One forced-photometry measurement at the object position (ZTF `fp_hist`, schema 4.x).
//! Every field is optional: nullopt when null or when this packet's schema version lacks the field.
struct FpHist {
#define RIVULET_FIELD(name, kind) std::optional<RIVULET_CTYPE_##kind> name;
#include "alert/fp_hist_fields.def"
#undef RIVULET_FIELD
    //! Which fields this packet's writer schema has (bit i ↔ Fields()[i]).
    FieldMask present;

    //! All fields in schema order.
    static std::span<const FieldSpec<FpHist>> Fields();
};

}  // namespace rivulet
