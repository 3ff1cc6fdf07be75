#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "alert/alert.hpp"
#include "common/result.hpp"

namespace rivulet {

//! What one Avro container file (one ZTF alert packet, or several records) decoded to. Alerts decoded
//! before an error are kept: a file whose first block is good and whose second is corrupt yields the
//! first block's alerts *and* an error.
struct DecodedPacket {
    std::vector<Alert> alerts;
    std::optional<Error> error;
};

//! Decodes ZTF alert packets (Avro object container files) of every public schema version, always with
//! the packet's own writer schema, which is how ZTF's schema evolution is resolved: fields are matched by
//! name to the union of all versions' fields (see candidate_fields.def), so union branch order, null-first
//! or value-first unions, namespaced or dotted record names and added/removed fields all decode alike.
//!
//! Schemas are parsed once and cached by their JSON text, which is why this is a long-lived object.
//! @locality one decoder per thread: it is not thread-safe.
class AvroAlertDecoder {
public:
    AvroAlertDecoder();
    ~AvroAlertDecoder();
    AvroAlertDecoder(const AvroAlertDecoder &) = delete;
    AvroAlertDecoder &operator=(const AvroAlertDecoder &) = delete;

    //! Decodes a container file held in memory. `input_name` is used in error messages only.
    DecodedPacket Decode(std::span<const uint8_t> bytes, const std::string &input_name);

    //! Reads and decodes a file.
    DecodedPacket DecodeFile(const std::filesystem::path &path);

    //! Number of distinct writer schemas seen so far.
    size_t SchemaCount() const { return plans_.size(); }

    struct SchemaPlan;

private:
    Result<SchemaPlan *> PlanFor(const std::string &schema_json, const std::string &input_name);

    std::unordered_map<std::string, std::unique_ptr<SchemaPlan>> plans_;
};

//! Reads a whole file into memory; an error names the path and the reason.
Result<std::vector<uint8_t>> ReadFileBytes(const std::filesystem::path &path);

}  // namespace rivulet
