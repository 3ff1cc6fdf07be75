#include "alert/avro_alert_decoder.hpp"

#include <avro.h>
#include <zlib.h>

#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <type_traits>

namespace rivulet {

namespace {

// ---- Avro object container framing ---------------------------------------------------------------
// Read by hand rather than with avro_file_reader: libavro's reader works on FILE* only, re-parses the
// writer schema for every file, and trusts block sizes from the input; alerts arrive as in-memory
// buffers (tar members, Kafka messages) and the schema is the same for a whole night, so we parse the
// (tiny) framing ourselves, cache schemas, and bound every length by the bytes actually present.
// Records themselves are decoded by libavro (avro_value_read).

constexpr uint8_t kMagic[4] = {'O', 'b', 'j', 1};
constexpr size_t kSyncSize = 16;

class ByteCursor {
public:
    explicit ByteCursor(std::span<const uint8_t> bytes) : bytes_(bytes) {}
    size_t offset() const { return pos_; }
    size_t remaining() const { return bytes_.size() - pos_; }
    bool AtEnd() const { return pos_ >= bytes_.size(); }

    // Zig-zag varint long, as Avro encodes int and long.
    bool ReadLong(int64_t &out) {
        uint64_t value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos_ >= bytes_.size()) return false;
            uint8_t b = bytes_[pos_++];
            value |= static_cast<uint64_t>(b & 0x7f) << shift;
            if (!(b & 0x80)) {
                out = static_cast<int64_t>(value >> 1) ^ -static_cast<int64_t>(value & 1);
                return true;
            }
        }
        return false;  // more than 10 bytes: not a varint
    }
    bool ReadBytes(size_t n, std::span<const uint8_t> &out) {
        if (n > remaining()) return false;
        out = bytes_.subspan(pos_, n);
        pos_ += n;
        return true;
    }

private:
    std::span<const uint8_t> bytes_;
    size_t pos_ = 0;
};

struct ContainerHeader {
    std::string schema_json;
    std::string codec = "null";
    std::span<const uint8_t> sync;
};

Result<ContainerHeader> ReadHeader(ByteCursor &cur) {
    std::span<const uint8_t> magic;
    if (!cur.ReadBytes(4, magic) || std::memcmp(magic.data(), kMagic, 4) != 0)
        return MakeError("not_avro", "not an Avro object container file (bad magic)");
    ContainerHeader header;
    bool have_schema = false;
    for (;;) {
        int64_t count = 0;
        if (!cur.ReadLong(count)) return MakeError("truncated", "truncated Avro header (metadata map)");
        if (count == 0) break;
        if (count < 0) {  // a negative count is followed by the block's size in bytes
            int64_t block_bytes = 0;
            if (!cur.ReadLong(block_bytes)) return MakeError("truncated", "truncated Avro header");
            count = -count;
        }
        if (count > static_cast<int64_t>(cur.remaining()))
            return MakeError("corrupt", "corrupt Avro header: metadata count exceeds file size");
        for (int64_t i = 0; i < count; ++i) {
            int64_t klen = 0, vlen = 0;
            std::span<const uint8_t> key, value;
            if (!cur.ReadLong(klen) || klen < 0 || !cur.ReadBytes(static_cast<size_t>(klen), key) ||
                !cur.ReadLong(vlen) || vlen < 0 || !cur.ReadBytes(static_cast<size_t>(vlen), value))
                return MakeError("truncated", "truncated or corrupt Avro header metadata");
            std::string k(key.begin(), key.end());
            if (k == "avro.schema") {
                header.schema_json.assign(value.begin(), value.end());
                have_schema = true;
            } else if (k == "avro.codec") {
                header.codec.assign(value.begin(), value.end());
            }
        }
    }
    if (!have_schema) return MakeError("corrupt", "Avro header has no avro.schema");
    if (!cur.ReadBytes(kSyncSize, header.sync)) return MakeError("truncated", "truncated Avro header (sync marker)");
    return header;
}

// Avro's "deflate" codec is raw RFC 1951 deflate. ZTF writes "null", but other producers may compress.
Result<std::vector<uint8_t>> InflateRaw(std::span<const uint8_t> in) {
    std::vector<uint8_t> out(std::max<size_t>(in.size() * 4, 4096));
    z_stream zs{};
    if (inflateInit2(&zs, -15) != Z_OK) return MakeError("codec", "zlib inflateInit failed");
    zs.next_in = const_cast<Bytef *>(in.data());
    zs.avail_in = static_cast<uInt>(in.size());
    int rc = Z_OK;
    while (rc != Z_STREAM_END) {
        if (zs.total_out == out.size()) {
            if (out.size() > (size_t{1} << 30)) {
                inflateEnd(&zs);
                return MakeError("codec", "deflate block inflates past 1 GiB");
            }
            out.resize(out.size() * 2);
        }
        zs.next_out = out.data() + zs.total_out;
        zs.avail_out = static_cast<uInt>(out.size() - zs.total_out);
        rc = inflate(&zs, Z_NO_FLUSH);
        if (rc != Z_OK && rc != Z_STREAM_END) {
            inflateEnd(&zs);
            return MakeError("codec", "corrupt deflate block");
        }
        if (rc == Z_OK && zs.avail_in == 0 && zs.avail_out != 0) {
            inflateEnd(&zs);
            return MakeError("codec", "truncated deflate block");
        }
    }
    out.resize(zs.total_out);
    inflateEnd(&zs);
    return out;
}

avro_schema_t Deref(avro_schema_t s) {
    while (s && avro_typeof(s) == AVRO_LINK) s = avro_schema_link_target(s);
    return s;
}

// The non-null branch of ["null", T] / [T, "null"], or the schema itself.
avro_schema_t NonNull(avro_schema_t s) {
    s = Deref(s);
    if (s && avro_typeof(s) == AVRO_UNION) {
        for (size_t i = 0; i < avro_schema_union_size(s); ++i) {
            avro_schema_t b = Deref(avro_schema_union_branch(s, static_cast<int>(i)));
            if (avro_typeof(b) != AVRO_NULL) return b;
        }
        return nullptr;
    }
    return s;
}

int FieldIndex(avro_schema_t record, const char *name) {
    return avro_schema_record_field_get_index(record, name);  // -1 when absent
}

// writer field index -> our table index (-1: a field we do not know; skipped).
template <class Record>
std::vector<int> MapRecord(avro_schema_t record, FieldMask &present) {
    std::vector<int> map;
    auto fields = Record::Fields();
    for (size_t i = 0; i < avro_schema_record_size(record); ++i) {
        int ours = FindField(fields, avro_schema_record_field_name(record, static_cast<int>(i)));
        map.push_back(ours);
        if (ours >= 0) present.set(static_cast<size_t>(ours));
    }
    return map;
}

}  // namespace

// What we know of one writer schema: where each field we use sits, resolved once.
struct AvroAlertDecoder::SchemaPlan {
    avro_schema_t schema = nullptr;
    avro_value_iface_t *iface = nullptr;
    avro_value_t value{};
    avro_reader_t reader = nullptr;
    std::string version;
    int objectId = -1, candid = -1, schemavsn = -1, publisher = -1, candidate = -1, prv_candidates = -1,
        fp_hists = -1;
    int cutout[3] = {-1, -1, -1};
    int cutout_file_name = -1, cutout_stamp_data = -1;
    std::vector<int> candidate_map, prv_map, fp_map;
    FieldMask candidate_present, prv_present, fp_present;

    ~SchemaPlan() {
        if (reader) avro_reader_free(reader);
        if (iface) {
            avro_value_decref(&value);
            avro_value_iface_decref(iface);
        }
        if (schema) avro_schema_decref(schema);
    }
};

AvroAlertDecoder::AvroAlertDecoder() = default;
AvroAlertDecoder::~AvroAlertDecoder() = default;

Result<AvroAlertDecoder::SchemaPlan *> AvroAlertDecoder::PlanFor(const std::string &schema_json,
                                                                 const std::string &input_name) {
    if (auto it = plans_.find(schema_json); it != plans_.end()) return it->second.get();
    (void)input_name;
    auto plan = std::make_unique<SchemaPlan>();
    if (avro_schema_from_json_length(schema_json.data(), schema_json.size(), &plan->schema) != 0)
        return MakeError("bad_schema", std::string("writer schema does not parse: ") + avro_strerror());
    avro_schema_t top = Deref(plan->schema);
    if (avro_typeof(top) != AVRO_RECORD) return MakeError("wrong_schema", "writer schema is not a record");

    auto json = nlohmann::json::parse(schema_json, nullptr, false);
    if (json.is_object() && json.contains("version") && json["version"].is_string())
        plan->version = json["version"].get<std::string>();

    plan->objectId = FieldIndex(top, "objectId");
    plan->candid = FieldIndex(top, "candid");
    plan->schemavsn = FieldIndex(top, "schemavsn");
    plan->publisher = FieldIndex(top, "publisher");
    plan->candidate = FieldIndex(top, "candidate");
    plan->prv_candidates = FieldIndex(top, "prv_candidates");
    plan->fp_hists = FieldIndex(top, "fp_hists");
    for (CutoutKind k : kCutoutKinds)
        plan->cutout[static_cast<int>(k)] = FieldIndex(top, std::string(CutoutFieldName(k)).c_str());
    if (plan->objectId < 0 || plan->candid < 0 || plan->candidate < 0)
        return MakeError("wrong_schema", "not a ZTF alert schema (needs objectId, candid and candidate; record '" +
                                             std::string(avro_schema_name(top)) + "')");

    avro_schema_t cand = NonNull(avro_schema_record_field_get_by_index(top, plan->candidate));
    if (!cand || avro_typeof(cand) != AVRO_RECORD) return MakeError("wrong_schema", "`candidate` is not a record");
    plan->candidate_map = MapRecord<Candidate>(cand, plan->candidate_present);

    auto array_items = [&](int index) -> avro_schema_t {
        if (index < 0) return nullptr;
        avro_schema_t arr = NonNull(avro_schema_record_field_get_by_index(top, index));
        if (!arr || avro_typeof(arr) != AVRO_ARRAY) return nullptr;
        avro_schema_t items = Deref(avro_schema_array_items(arr));
        return avro_typeof(items) == AVRO_RECORD ? items : nullptr;
    };
    if (avro_schema_t prv = array_items(plan->prv_candidates)) plan->prv_map = MapRecord<PrvCandidate>(prv, plan->prv_present);
    else plan->prv_candidates = -1;
    if (avro_schema_t fp = array_items(plan->fp_hists)) plan->fp_map = MapRecord<FpHist>(fp, plan->fp_present);
    else plan->fp_hists = -1;

    for (int &ci : plan->cutout) {
        if (ci < 0) continue;
        avro_schema_t rec = NonNull(avro_schema_record_field_get_by_index(top, ci));
        if (!rec || avro_typeof(rec) != AVRO_RECORD) { ci = -1; continue; }
        plan->cutout_file_name = FieldIndex(rec, "fileName");
        plan->cutout_stamp_data = FieldIndex(rec, "stampData");
        if (plan->cutout_stamp_data < 0) ci = -1;
    }

    plan->iface = avro_generic_class_from_schema(plan->schema);
    if (!plan->iface) return MakeError("bad_schema", std::string("cannot build reader: ") + avro_strerror());
    if (avro_generic_value_new(plan->iface, &plan->value) != 0) {
        avro_value_iface_decref(plan->iface);
        plan->iface = nullptr;
        return MakeError("bad_schema", std::string("cannot build reader: ") + avro_strerror());
    }
    plan->reader = avro_reader_memory(nullptr, 0);
    SchemaPlan *raw = plan.get();
    plans_.emplace(schema_json, std::move(plan));
    return raw;
}

namespace {

// Unwraps a union to its current branch; returns false when the branch is null.
bool Unwrap(avro_value_t &v) {
    if (avro_value_get_type(&v) == AVRO_UNION) {
        avro_value_t branch;
        if (avro_value_get_current_branch(&v, &branch) != 0) return false;
        v = branch;
    }
    return avro_value_get_type(&v) != AVRO_NULL;
}

bool GetString(avro_value_t v, std::string &out) {
    const char *s = nullptr;
    size_t size = 0;
    if (avro_value_get_type(&v) != AVRO_STRING || avro_value_get_string(&v, &s, &size) != 0) return false;
    out.assign(s, size ? size - 1 : 0);  // libavro counts the terminating NUL
    return true;
}

// Stores one Avro value into a typed optional member; widening conversions only (int→long, float→double).
template <class Record>
bool StoreField(avro_value_t v, Record &rec, const FieldSpec<Record> &spec) {
    if (!Unwrap(v)) return true;  // null
    avro_type_t type = avro_value_get_type(&v);
    return std::visit(
        [&](auto member) -> bool {
            auto &slot = rec.*member;
            using T = typename std::remove_reference_t<decltype(slot)>::value_type;
            if constexpr (std::is_same_v<T, std::string>) {
                std::string s;
                if (!GetString(v, s)) return false;
                slot = std::move(s);
                return true;
            } else {
                int32_t i32;
                int64_t i64;
                float f;
                double d;
                switch (type) {
                    case AVRO_INT32:
                        if constexpr (!std::is_integral_v<T>) return false;
                        avro_value_get_int(&v, &i32);
                        slot = static_cast<T>(i32);
                        return true;
                    case AVRO_INT64:
                        if constexpr (!std::is_same_v<T, int64_t>) return false;
                        avro_value_get_long(&v, &i64);
                        slot = static_cast<T>(i64);
                        return true;
                    case AVRO_FLOAT:
                        if constexpr (!std::is_floating_point_v<T>) return false;
                        avro_value_get_float(&v, &f);
                        slot = static_cast<T>(f);
                        return true;
                    case AVRO_DOUBLE:
                        if constexpr (!std::is_same_v<T, double>) return false;
                        avro_value_get_double(&v, &d);
                        slot = d;
                        return true;
                    default:
                        return false;
                }
            }
        },
        spec.member);
}

template <class Record>
std::optional<Error> DecodeRecord(avro_value_t &rv, const std::vector<int> &map, const FieldMask &present,
                                  const char *what, Record &rec) {
    avro_value_t record = rv;
    if (!Unwrap(record)) return MakeError("wrong_schema", std::string(what) + " is null");
    auto fields = Record::Fields();
    rec.present = present;
    for (size_t i = 0; i < map.size(); ++i) {
        if (map[i] < 0) continue;
        avro_value_t fv;
        if (avro_value_get_by_index(&record, i, &fv, nullptr) != 0)
            return MakeError("corrupt", std::string("cannot read ") + what + " field " + std::to_string(i));
        const auto &spec = fields[static_cast<size_t>(map[i])];
        if (!StoreField(fv, rec, spec))
            return MakeError("wrong_schema", std::string(what) + "." + std::string(spec.name) +
                                                 " has an unexpected Avro type");
    }
    return std::nullopt;
}

template <class Record>
std::optional<Error> DecodeArray(avro_value_t v, const std::vector<int> &map, const FieldMask &present,
                                 const char *what, std::optional<std::vector<Record>> &out) {
    if (!Unwrap(v)) return std::nullopt;  // null array
    size_t n = 0;
    avro_value_get_size(&v, &n);
    out.emplace();
    out->resize(n);
    for (size_t i = 0; i < n; ++i) {
        avro_value_t item;
        avro_value_get_by_index(&v, i, &item, nullptr);
        if (auto err = DecodeRecord(item, map, present, what, (*out)[i])) return err;
    }
    return std::nullopt;
}

}  // namespace

DecodedPacket AvroAlertDecoder::Decode(std::span<const uint8_t> bytes, const std::string &input_name) {
    DecodedPacket result;
    auto fail = [&](const Error &e) {
        result.error = Error{e.reason, input_name + ": " + e.message};
        return result;
    };
    ByteCursor cur(bytes);
    auto header = ReadHeader(cur);
    if (!header) return fail(header.error());
    if (header->codec != "null" && header->codec != "deflate")
        return fail(MakeError("codec", "unsupported Avro codec '" + header->codec + "'"));
    auto plan_result = PlanFor(header->schema_json, input_name);
    if (!plan_result) return fail(plan_result.error());
    SchemaPlan &plan = **plan_result;

    for (int block = 1; !cur.AtEnd(); ++block) {
        std::string where = "block " + std::to_string(block) + " at byte " + std::to_string(cur.offset()) + ": ";
        int64_t count = 0, size = 0;
        std::span<const uint8_t> data, sync;
        if (!cur.ReadLong(count) || !cur.ReadLong(size)) return fail(MakeError("truncated", where + "truncated block header"));
        if (count < 0 || size < 0 || static_cast<uint64_t>(size) > cur.remaining())
            return fail(MakeError("corrupt", where + "corrupt block header (count " + std::to_string(count) +
                                                 ", size " + std::to_string(size) + ", " +
                                                 std::to_string(cur.remaining()) + " bytes left)"));
        cur.ReadBytes(static_cast<size_t>(size), data);
        if (!cur.ReadBytes(kSyncSize, sync)) return fail(MakeError("truncated", where + "truncated (no sync marker)"));
        if (std::memcmp(sync.data(), header->sync.data(), kSyncSize) != 0)
            return fail(MakeError("corrupt", where + "sync marker mismatch"));
        std::vector<uint8_t> inflated;
        if (header->codec == "deflate") {
            auto r = InflateRaw(data);
            if (!r) return fail(MakeError(r.error().reason, where + r.error().message));
            inflated = std::move(*r);
            data = inflated;
        }
        // Decode all of the block's records before accepting any, so a block is all-or-nothing.
        std::vector<Alert> block_alerts;
        avro_reader_memory_set_source(plan.reader, reinterpret_cast<const char *>(data.data()),
                                      static_cast<int64_t>(data.size()));
        for (int64_t i = 0; i < count; ++i) {
            avro_value_reset(&plan.value);
            if (avro_value_read(plan.reader, &plan.value) != 0)
                return fail(MakeError("corrupt", where + "record " + std::to_string(i + 1) + ": " + avro_strerror()));
            Alert alert;
            avro_value_t f;
            avro_value_get_by_index(&plan.value, plan.objectId, &f, nullptr);
            if (!Unwrap(f) || !GetString(f, alert.objectId))
                return fail(MakeError("wrong_schema", where + "objectId is not a string"));
            avro_value_get_by_index(&plan.value, plan.candid, &f, nullptr);
            if (!Unwrap(f) || avro_value_get_long(&f, &alert.candid) != 0)
                return fail(MakeError("wrong_schema", where + "candid is not a long"));
            if (plan.schemavsn >= 0) {
                avro_value_get_by_index(&plan.value, plan.schemavsn, &f, nullptr);
                std::string s;
                if (Unwrap(f) && GetString(f, s)) alert.schemavsn = std::move(s);
            }
            if (plan.publisher >= 0) {
                avro_value_get_by_index(&plan.value, plan.publisher, &f, nullptr);
                std::string s;
                if (Unwrap(f) && GetString(f, s)) alert.publisher = std::move(s);
            }
            alert.writer_schema_version = plan.version;
            avro_value_get_by_index(&plan.value, plan.candidate, &f, nullptr);
            if (auto e = DecodeRecord(f, plan.candidate_map, plan.candidate_present, "candidate", alert.candidate))
                return fail(MakeError(e->reason, where + e->message));
            if (plan.prv_candidates >= 0) {
                avro_value_get_by_index(&plan.value, plan.prv_candidates, &f, nullptr);
                if (auto e = DecodeArray(f, plan.prv_map, plan.prv_present, "prv_candidate", alert.prv_candidates))
                    return fail(MakeError(e->reason, where + e->message));
            }
            if (plan.fp_hists >= 0) {
                alert.has_fp_hists_field = true;
                avro_value_get_by_index(&plan.value, plan.fp_hists, &f, nullptr);
                if (auto e = DecodeArray(f, plan.fp_map, plan.fp_present, "fp_hist", alert.fp_hists))
                    return fail(MakeError(e->reason, where + e->message));
            }
            for (int k = 0; k < 3; ++k) {
                if (plan.cutout[k] < 0) continue;
                avro_value_get_by_index(&plan.value, plan.cutout[k], &f, nullptr);
                if (!Unwrap(f)) continue;
                Cutout c;
                avro_value_t g;
                if (plan.cutout_file_name >= 0 && avro_value_get_by_index(&f, plan.cutout_file_name, &g, nullptr) == 0)
                    GetString(g, c.file_name);
                const void *buf = nullptr;
                size_t n = 0;
                if (avro_value_get_by_index(&f, plan.cutout_stamp_data, &g, nullptr) == 0 && Unwrap(g) &&
                    avro_value_get_bytes(&g, &buf, &n) == 0) {
                    auto p = static_cast<const uint8_t *>(buf);
                    c.stamp_data.assign(p, p + n);
                }
                alert.cutouts[k] = std::move(c);
            }
            block_alerts.push_back(std::move(alert));
        }
        for (auto &a : block_alerts) result.alerts.push_back(std::move(a));
    }
    return result;
}

Result<std::vector<uint8_t>> ReadFileBytes(const std::filesystem::path &path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return MakeError("io", path.string() + ": cannot open: " + std::strerror(errno));
    std::vector<uint8_t> bytes;
    in.seekg(0, std::ios::end);
    auto size = in.tellg();
    if (size < 0) return MakeError("io", path.string() + ": cannot determine size");
    bytes.resize(static_cast<size_t>(size));
    in.seekg(0);
    if (!in.read(reinterpret_cast<char *>(bytes.data()), size))
        return MakeError("io", path.string() + ": read failed");
    return bytes;
}

DecodedPacket AvroAlertDecoder::DecodeFile(const std::filesystem::path &path) {
    auto bytes = ReadFileBytes(path);
    if (!bytes) {
        DecodedPacket p;
        p.error = bytes.error();
        return p;
    }
    return Decode(*bytes, path.string());
}

}  // namespace rivulet
