#pragma once
// The complete candidate record as JSON text, for the store's `candidate` column: every field of the
// packet's writer schema under its ZTF name, null for null, so nothing of the packet's candidate is lost
// even though only a few fields get their own columns.

#include <string>

#include "alert/candidate.hpp"

namespace rivulet {

//! A JSON object with one member per field present in the writer schema (Candidate::present), in schema
//! order. Floats print as the shortest text that reads back to the same float; non-finite values
//! (which JSON cannot hold) are written as null.
std::string CandidateToJson(const Candidate &candidate);

}  // namespace rivulet
