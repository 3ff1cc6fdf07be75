#pragma once
// Text renderings of decoded alerts (`rivulet decode`): JSON lines and CSV. Numbers are printed in the
// shortest form that reads back to the same value *of their Avro type* (a float field as float, a double
// as double), so a round trip through text is exact.

#include <array>
#include <optional>
#include <string>

#include "alert/alert.hpp"

namespace rivulet {

//! What the caller found out about one cutout (the alert library does not decode images itself).
struct CutoutSummary {
    size_t bytes = 0;
    std::string format;  //!< "gzip-fits", "fits", "jpeg", "unknown"
    int width = 0, height = 0;
    std::string error;   //!< non-empty when the stamp does not decode
};
using CutoutSummaries = std::array<std::optional<CutoutSummary>, 3>;  //!< nullopt: null cutout

//! One JSON object (no newline): objectId, candid, schemavsn, publisher, writer_schema_version,
//! `candidate` (every field of the writer schema under its ZTF name, null for null), n_prv_candidates,
//! n_fp_hists and `cutouts`; `input` (the packet's file or archive member) first when non-empty.
//! Non-finite floats are written as null (JSON has no NaN).
std::string AlertToJson(const Alert &alert, const CutoutSummaries &cutouts, const std::string &input = "");

//! The candidate record alone as a JSON object: one member per field of the writer schema
//! (Candidate::present), in schema order, null for null and for non-finite floats. The store keeps this.
std::string CandidateToJson(const Candidate &candidate);

//! CSV header shared by all schema versions: every candidate field of every version, in schema order.
std::string AlertCsvHeader();
//! One CSV row for AlertCsvHeader(): empty cell = null, `NA` = the field is not in this packet's schema.
std::string AlertToCsv(const Alert &alert, const CutoutSummaries &cutouts);

//! Shortest round-trip text of a value of the given Avro type.
void AppendFloat(std::string &out, float v);
void AppendDouble(std::string &out, double v);

}  // namespace rivulet
