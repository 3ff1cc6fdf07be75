#include "alert/prv_candidate.hpp"

#include <array>

namespace rivulet {

namespace {
constexpr std::array kPrvCandidateFields = {
#define RIVULET_FIELD(name, kind) FieldSpec<PrvCandidate>{#name, RIVULET_KIND_##kind, &PrvCandidate::name},
#include "alert/prv_candidate_fields.def"
#undef RIVULET_FIELD
};
static_assert(kPrvCandidateFields.size() <= FieldMask().size(), "FieldMask too small for the field table");
}  // namespace

std::span<const FieldSpec<PrvCandidate>> PrvCandidate::Fields() { return kPrvCandidateFields; }

}  // namespace rivulet
