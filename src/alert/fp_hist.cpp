#include "alert/fp_hist.hpp"

#include <array>

namespace rivulet {

namespace {
constexpr std::array kFpHistFields = {
#define RIVULET_FIELD(name, kind) FieldSpec<FpHist>{#name, RIVULET_KIND_##kind, &FpHist::name},
#include "alert/fp_hist_fields.def"
#undef RIVULET_FIELD
};
static_assert(kFpHistFields.size() <= FieldMask().size(), "FieldMask too small for the field table");
}  // namespace

std::span<const FieldSpec<FpHist>> FpHist::Fields() { return kFpHistFields; }

}  // namespace rivulet
