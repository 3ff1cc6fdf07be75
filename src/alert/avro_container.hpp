#pragma once
// Writing the Avro object container framing (spec: "Object Container Files"): the header that carries
// the schema text verbatim, and data blocks. libavro writes containers only to files and rewrites the
// schema in its own form; ZTF packets and Rivulet's own messages carry the published schema text and
// live in memory, so the few bytes of framing are written here. Reading them is in avro_alert_decoder.cpp.

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace rivulet {

//! Appends Avro's zig-zag varint encoding of `v` (the encoding of int and long).
void AppendAvroLong(std::vector<uint8_t> &out, int64_t v);

//! Appends Avro `bytes`/`string`: length, then the bytes.
void AppendAvroBytes(std::vector<uint8_t> &out, std::string_view bytes);

//! Appends a container header: magic, metadata {avro.schema: schema_json, avro.codec: "null"}, sync.
void AppendAvroContainerHeader(std::vector<uint8_t> &out, std::string_view schema_json, std::span<const uint8_t, 16> sync);

//! Appends one data block of `count` records already serialised in `data`, then the sync marker.
void AppendAvroBlock(std::vector<uint8_t> &out, int64_t count, std::span<const uint8_t> data,
                     std::span<const uint8_t, 16> sync);

}  // namespace rivulet
