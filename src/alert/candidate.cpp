#include "alert/candidate.hpp"

#include <array>

namespace rivulet {

namespace {
constexpr std::array kCandidateFields = {
#define RIVULET_FIELD(name, kind) FieldSpec<Candidate>{#name, RIVULET_KIND_##kind, &Candidate::name},
#include "alert/candidate_fields.def"
#undef RIVULET_FIELD
};
static_assert(kCandidateFields.size() <= FieldMask().size(), "FieldMask too small for the field table");
}  // namespace

std::span<const FieldSpec<Candidate>> Candidate::Fields() { return kCandidateFields; }

}  // namespace rivulet
