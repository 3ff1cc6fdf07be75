#include "alert/avro_container.hpp"

namespace rivulet {

void AppendAvroLong(std::vector<uint8_t> &out, int64_t v) {
    uint64_t z = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
    while (z & ~uint64_t{0x7f}) {
        out.push_back(static_cast<uint8_t>((z & 0x7f) | 0x80));
        z >>= 7;
    }
    out.push_back(static_cast<uint8_t>(z));
}

void AppendAvroBytes(std::vector<uint8_t> &out, std::string_view bytes) {
    AppendAvroLong(out, static_cast<int64_t>(bytes.size()));
    out.insert(out.end(), bytes.begin(), bytes.end());
}

void AppendAvroContainerHeader(std::vector<uint8_t> &out, std::string_view schema_json, std::span<const uint8_t, 16> sync) {
    out.insert(out.end(), {'O', 'b', 'j', 1});
    AppendAvroLong(out, 2);  // metadata map: one block of two entries
    AppendAvroBytes(out, "avro.codec");
    AppendAvroBytes(out, "null");
    AppendAvroBytes(out, "avro.schema");
    AppendAvroBytes(out, schema_json);
    AppendAvroLong(out, 0);
    out.insert(out.end(), sync.begin(), sync.end());
}

void AppendAvroBlock(std::vector<uint8_t> &out, int64_t count, std::span<const uint8_t> data,
                     std::span<const uint8_t, 16> sync) {
    AppendAvroLong(out, count);
    AppendAvroLong(out, static_cast<int64_t>(data.size()));
    out.insert(out.end(), data.begin(), data.end());
    out.insert(out.end(), sync.begin(), sync.end());
}

}  // namespace rivulet
