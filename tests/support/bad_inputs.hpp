#pragma once
// Builds a folder of inputs mixing real alerts with every kind of bad input the ingest must survive:
// a truncated packet, random bytes, an Avro file of another schema, an alert with a corrupt gzip cutout,
// an alert with a corrupt FITS cutout, and a nightly archive with one bad member.

#include <avro.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "alert/avro_alert_decoder.hpp"

namespace rivulet::testing {

inline void WriteBytes(const std::filesystem::path &p, std::span<const uint8_t> bytes) {
    std::ofstream f(p, std::ios::binary);
    f.write(reinterpret_cast<const char *>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

inline std::vector<uint8_t> ReadBytes(const std::filesystem::path &p) {
    auto r = ReadFileBytes(p);
    return r ? *r : std::vector<uint8_t>{};
}

//! Offsets of gzip streams (1f 8b 08) inside a packet: the cutouts.
inline std::vector<size_t> GzipOffsets(const std::vector<uint8_t> &b) {
    std::vector<size_t> out;
    for (size_t i = 0; i + 3 < b.size(); ++i)
        if (b[i] == 0x1f && b[i + 1] == 0x8b && b[i + 2] == 0x08) out.push_back(i);
    return out;
}

inline void WriteOtherSchemaAvro(const std::filesystem::path &path) {
    avro_schema_t schema;
    const char json[] = R"({"type":"record","name":"weather","fields":[{"name":"station","type":"string"}]})";
    avro_schema_from_json_literal(json, &schema);
    avro_file_writer_t writer;
    avro_file_writer_create(path.c_str(), schema, &writer);
    avro_value_iface_t *iface = avro_generic_class_from_schema(schema);
    avro_value_t v, f;
    avro_generic_value_new(iface, &v);
    avro_value_get_by_index(&v, 0, &f, nullptr);
    avro_value_set_string(&f, "Palomar");
    avro_file_writer_append_value(writer, &v);
    avro_file_writer_close(writer);
    avro_value_decref(&v);
    avro_value_iface_decref(iface);
    avro_schema_decref(schema);
}

//! Fills `dir` with bad inputs made from the real alert `good` (which must have gzipped FITS cutouts).
inline void MakeBadInputs(const std::filesystem::path &good, const std::filesystem::path &dir) {
    auto bytes = ReadBytes(good);
    // Truncated in the middle of the record.
    WriteBytes(dir / "truncated.avro", std::vector<uint8_t>(bytes.begin(), bytes.begin() + static_cast<long>(bytes.size() / 2)));
    // Random bytes.
    std::mt19937 rng(3);
    std::vector<uint8_t> noise(5000);
    for (auto &b : noise) b = static_cast<uint8_t>(rng());
    WriteBytes(dir / "random.avro", noise);
    WriteOtherSchemaAvro(dir / "other_schema.avro");
    auto gz = GzipOffsets(bytes);
    // Corrupt gzip: scramble the deflate stream of the science cutout (same length, Avro framing intact).
    {
        auto b = bytes;
        for (size_t i = gz.at(0) + 30; i < gz.at(0) + 230; ++i) b[i] ^= 0x5a;
        WriteBytes(dir / "corrupt_gzip_cutout.avro", b);
    }
    // Corrupt FITS: the template stamp's bytes replaced, length kept, by an uncompressed header that
    // is not valid FITS (no END card), so the Avro framing stays intact and only the image is bad.
    {
        auto b = bytes;
        AvroAlertDecoder decoder;
        auto packet = decoder.Decode(bytes, good.string());
        size_t start = gz.at(1), length = packet.alerts.at(0).cutouts[1]->stamp_data.size();
        std::string fake = "SIMPLE  = F / not a valid primary header";
        std::vector<uint8_t> repl(length, ' ');
        std::copy(fake.begin(), fake.end(), repl.begin());
        std::copy(repl.begin(), repl.end(), b.begin() + static_cast<long>(start));
        WriteBytes(dir / "corrupt_fits_cutout.avro", b);
    }
}

}  // namespace rivulet::testing
