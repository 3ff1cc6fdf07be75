#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "alert/alert_annotations.hpp"

namespace rivulet {

//! What Rivulet adds to an alert on its annotated output stream (schema/rivulet-annotated-v1.avsc).
struct AnnotatedAlert {
    std::string objectId;  // NOLINT(readability-identifier-naming): ZTF name
    int64_t candid = 0;
    std::string ztf_schemavsn;
    std::span<const uint8_t> packet;  //!< the original packet, unchanged
    std::string cut = "pass";
    bool duplicate = false;
    double processed_at = 0;
    std::string rivulet_version;
    std::map<std::string, double> scores;
    std::vector<CatalogMatchAnnotation> xmatch;
};

//! The published schema (schema/rivulet-annotated-v1.avsc, embedded at build time).
std::string_view AnnotatedAlertSchemaJson();

//! Encodes annotated alerts as Avro object container files (one record each), readable by any Avro
//! reader with the embedded schema. @locality one encoder per thread.
class AnnotatedAlertEncoder {
public:
    AnnotatedAlertEncoder();
    ~AnnotatedAlertEncoder();
    AnnotatedAlertEncoder(const AnnotatedAlertEncoder &) = delete;
    AnnotatedAlertEncoder &operator=(const AnnotatedAlertEncoder &) = delete;

    std::vector<uint8_t> Encode(const AnnotatedAlert &alert);

    struct State;

private:
    State *state_;
};

}  // namespace rivulet
