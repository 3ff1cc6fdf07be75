#include "sim/avro_alert_writer.hpp"

#include "alert/avro_container.hpp"

#include <avro.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <type_traits>

#include "common/error.hpp"

namespace rivulet {

namespace {

[[noreturn]] void Fail(ErrorKind kind, const std::string &message) {
    throw RivuletError(kind, "avro alert writer: " + message);
}

avro_schema_t Deref(avro_schema_t s) {
    while (s && avro_typeof(s) == AVRO_LINK) s = avro_schema_link_target(s);
    return s;
}

// How one schema field is written: which member of our table feeds it, and for a union which branch
// carries null and which the value (ZTF puts null first, but the order is the schema's to choose).
struct FieldPlan {
    int ours = -1;
    int null_branch = -1;
    int value_branch = -1;
};

struct UnionBranches {
    int null_branch = -1;
    int value_branch = -1;
    avro_schema_t value = nullptr;
};

UnionBranches Branches(avro_schema_t s) {
    UnionBranches b;
    s = Deref(s);
    if (avro_typeof(s) != AVRO_UNION) {
        b.value = s;
        return b;
    }
    for (size_t i = 0; i < avro_schema_union_size(s); ++i) {
        avro_schema_t branch = Deref(avro_schema_union_branch(s, static_cast<int>(i)));
        if (avro_typeof(branch) == AVRO_NULL) b.null_branch = static_cast<int>(i);
        else if (b.value_branch < 0) b.value_branch = static_cast<int>(i), b.value = branch;
    }
    return b;
}

template <class Record>
std::vector<FieldPlan> PlanRecord(avro_schema_t record, const char *what) {
    std::vector<FieldPlan> plan;
    auto fields = Record::Fields();
    for (size_t i = 0; i < avro_schema_record_size(record); ++i) {
        const char *name = avro_schema_record_field_name(record, static_cast<int>(i));
        FieldPlan p;
        p.ours = FindField(fields, name);
        // Writing a field we cannot fill would silently emit nulls or zeros: refuse the schema instead.
        if (p.ours < 0) Fail(ErrorKind::kInvalidInput, std::string(what) + " field `" + name + "` is unknown to the alert model");
        UnionBranches b = Branches(avro_schema_record_field_get_by_index(record, static_cast<int>(i)));
        p.null_branch = b.null_branch;
        p.value_branch = b.value_branch;
        plan.push_back(p);
    }
    return plan;
}

template <class T>
void SetScalar(avro_value_t &v, const T &x, std::string_view name) {
    const avro_type_t type = avro_value_get_type(&v);
    int rc = -1;
    if constexpr (std::is_same_v<T, std::string>) {
        if (type == AVRO_STRING) rc = avro_value_set_string(&v, x.c_str());
    } else {
        switch (type) {
            case AVRO_INT32: rc = avro_value_set_int(&v, static_cast<int32_t>(x)); break;
            case AVRO_INT64: rc = avro_value_set_long(&v, static_cast<int64_t>(x)); break;
            case AVRO_FLOAT: rc = avro_value_set_float(&v, static_cast<float>(x)); break;
            case AVRO_DOUBLE: rc = avro_value_set_double(&v, static_cast<double>(x)); break;
            default: break;
        }
    }
    if (rc != 0) Fail(ErrorKind::kInternal, "cannot write field `" + std::string(name) + "`: " + avro_strerror());
}

template <class T>
void SetField(avro_value_t &field, const FieldPlan &plan, const std::optional<T> &x, std::string_view name) {
    if (plan.null_branch < 0 && plan.value_branch < 0) {  // not a union
        if (!x) Fail(ErrorKind::kInternal, "required field `" + std::string(name) + "` has no value");
        SetScalar(field, *x, name);
        return;
    }
    avro_value_t branch;
    if (!x) {
        if (plan.null_branch < 0) Fail(ErrorKind::kInternal, "field `" + std::string(name) + "` is not nullable");
        avro_value_set_branch(&field, plan.null_branch, &branch);
        avro_value_set_null(&branch);
        return;
    }
    avro_value_set_branch(&field, plan.value_branch, &branch);
    SetScalar(branch, *x, name);
}

template <class Record>
void SetRecord(avro_value_t &rec, const Record &r, const std::vector<FieldPlan> &plan) {
    auto fields = Record::Fields();
    for (size_t i = 0; i < plan.size(); ++i) {
        avro_value_t f;
        avro_value_get_by_index(&rec, i, &f, nullptr);
        const auto &spec = fields[static_cast<size_t>(plan[i].ours)];
        std::visit([&](auto member) { SetField(f, plan[i], r.*member, spec.name); }, spec.member);
    }
}

int64_t GetLong(const std::vector<uint8_t> &in, size_t &pos) {
    uint64_t z = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (pos >= in.size()) Fail(ErrorKind::kInternal, "libavro wrote a truncated container");
        const uint8_t b = in[pos++];
        z |= static_cast<uint64_t>(b & 0x7f) << shift;
        if (!(b & 0x80)) return static_cast<int64_t>(z >> 1) ^ -static_cast<int64_t>(z & 1);
    }
    Fail(ErrorKind::kInternal, "libavro wrote a bad varint");
}

uint64_t SplitMix64(uint64_t &state) {
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

// libavro writes the schema in its own canonical form (no docs, no `version`) and a clock-seeded sync
// marker. ZTF packets carry the schema text as published, and tests want reproducible bytes, so the header
// is rewritten: same codec, verbatim schema, seed-derived sync, data blocks untouched but for their sync.
std::vector<uint8_t> Reheader(const std::vector<uint8_t> &in, std::string_view schema_json, uint64_t sync_seed) {
    size_t pos = 4;
    if (in.size() < 4 || std::memcmp(in.data(), "Obj\x01", 4) != 0) Fail(ErrorKind::kInternal, "libavro wrote no Avro magic");
    for (int64_t n; (n = GetLong(in, pos)) != 0;) {
        if (n < 0) {
            n = -n;
            GetLong(in, pos);  // block size in bytes, not needed
        }
        for (int64_t i = 0; i < n; ++i) {
            pos += static_cast<size_t>(GetLong(in, pos));  // key
            pos += static_cast<size_t>(GetLong(in, pos));  // value
        }
    }
    if (pos + 16 > in.size()) Fail(ErrorKind::kInternal, "libavro wrote a truncated header");
    const size_t old_sync = pos;
    pos += 16;

    uint8_t sync[16];
    uint64_t state = sync_seed;
    for (int i = 0; i < 2; ++i) {
        const uint64_t r = SplitMix64(state);
        std::memcpy(sync + 8 * i, &r, 8);
    }
    std::vector<uint8_t> out;
    out.reserve(in.size() + schema_json.size() + 64);
    AppendAvroContainerHeader(out, schema_json, sync);
    while (pos < in.size()) {
        const size_t block_start = pos;
        GetLong(in, pos);                                       // record count
        pos += static_cast<size_t>(GetLong(in, pos));           // block data
        if (pos + 16 > in.size() || std::memcmp(&in[pos], &in[old_sync], 16) != 0)
            Fail(ErrorKind::kInternal, "libavro wrote a block without its sync marker");
        out.insert(out.end(), in.begin() + static_cast<std::ptrdiff_t>(block_start), in.begin() + static_cast<std::ptrdiff_t>(pos));
        out.insert(out.end(), sync, sync + 16);
        pos += 16;
    }
    return out;
}

}  // namespace

struct AvroAlertWriter::Impl {
    std::string schema_json;
    avro_schema_t schema = nullptr;
    avro_value_iface_t *iface = nullptr;
    avro_value_t value{};
    bool has_value = false;
    int schemavsn = -1, publisher = -1, objectId = -1, candid = -1, candidate = -1, prv_candidates = -1,
        fp_hists = -1;
    int cutout[3] = {-1, -1, -1};
    UnionBranches prv_union, fp_union, cutout_union[3];
    std::vector<FieldPlan> candidate_plan, prv_plan, fp_plan;

    ~Impl() {
        if (has_value) avro_value_decref(&value);
        if (iface) avro_value_iface_decref(iface);
        if (schema) avro_schema_decref(schema);
    }
};

AvroAlertWriter::AvroAlertWriter(std::string_view schema_json) : impl_(std::make_unique<Impl>()) {
    Impl &m = *impl_;
    m.schema_json = schema_json;
    if (avro_schema_from_json_length(m.schema_json.data(), m.schema_json.size(), &m.schema) != 0)
        Fail(ErrorKind::kInvalidInput, std::string("schema does not parse: ") + avro_strerror());
    if (avro_typeof(m.schema) != AVRO_RECORD) Fail(ErrorKind::kInvalidInput, "schema is not a record");
    auto index = [&](const char *name) { return avro_schema_record_field_get_index(m.schema, name); };
    m.schemavsn = index("schemavsn");
    m.publisher = index("publisher");
    m.objectId = index("objectId");
    m.candid = index("candid");
    m.candidate = index("candidate");
    m.prv_candidates = index("prv_candidates");
    m.fp_hists = index("fp_hists");
    for (CutoutKind k : kCutoutKinds)
        m.cutout[static_cast<int>(k)] = index(std::string(CutoutFieldName(k)).c_str());
    if (m.objectId < 0 || m.candid < 0 || m.candidate < 0)
        Fail(ErrorKind::kInvalidInput, "schema lacks objectId, candid or candidate");

    auto field_schema = [&](int i) { return Deref(avro_schema_record_field_get_by_index(m.schema, i)); };
    m.candidate_plan = PlanRecord<Candidate>(field_schema(m.candidate), "candidate");
    auto array_items = [&](int i, UnionBranches &u) -> avro_schema_t {
        if (i < 0) return nullptr;
        u = Branches(field_schema(i));
        if (!u.value || avro_typeof(u.value) != AVRO_ARRAY) Fail(ErrorKind::kInvalidInput, "history field is not an array");
        return Deref(avro_schema_array_items(u.value));
    };
    if (avro_schema_t items = array_items(m.prv_candidates, m.prv_union))
        m.prv_plan = PlanRecord<PrvCandidate>(items, "prv_candidate");
    if (avro_schema_t items = array_items(m.fp_hists, m.fp_union)) m.fp_plan = PlanRecord<FpHist>(items, "fp_hist");
    for (int k = 0; k < 3; ++k)
        if (m.cutout[k] >= 0) m.cutout_union[k] = Branches(field_schema(m.cutout[k]));

    m.iface = avro_generic_class_from_schema(m.schema);
    if (!m.iface || avro_generic_value_new(m.iface, &m.value) != 0)
        Fail(ErrorKind::kInternal, std::string("cannot create a value for the schema: ") + avro_strerror());
    m.has_value = true;
}

AvroAlertWriter::~AvroAlertWriter() = default;

std::vector<uint8_t> AvroAlertWriter::Encode(const Alert &alert, uint64_t sync_seed) {
    Impl &m = *impl_;
    avro_value_reset(&m.value);
    avro_value_t f, branch, elem;
    auto top_string = [&](int index, const std::optional<std::string> &s, const char *name) {
        if (index < 0) return;
        avro_value_get_by_index(&m.value, static_cast<size_t>(index), &f, nullptr);
        UnionBranches b = Branches(avro_value_get_schema(&f));
        SetField(f, FieldPlan{0, b.null_branch, b.value_branch}, s, name);
    };
    top_string(m.schemavsn, alert.schemavsn, "schemavsn");
    top_string(m.publisher, alert.publisher, "publisher");
    top_string(m.objectId, alert.objectId, "objectId");
    avro_value_get_by_index(&m.value, static_cast<size_t>(m.candid), &f, nullptr);
    avro_value_set_long(&f, alert.candid);
    avro_value_get_by_index(&m.value, static_cast<size_t>(m.candidate), &f, nullptr);
    SetRecord(f, alert.candidate, m.candidate_plan);

    auto array = [&](int index, const UnionBranches &u, const auto &items, const auto &plan) {
        if (index < 0) return;
        avro_value_get_by_index(&m.value, static_cast<size_t>(index), &f, nullptr);
        avro_value_t *arr = &f;
        if (u.null_branch >= 0 || u.value_branch >= 0) {
            if (!items) {
                if (u.null_branch < 0) Fail(ErrorKind::kInternal, "history array is not nullable");
                avro_value_set_branch(&f, u.null_branch, &branch);
                avro_value_set_null(&branch);
                return;
            }
            avro_value_set_branch(&f, u.value_branch, &branch);
            arr = &branch;
        }
        if (!items) return;
        for (const auto &item : *items) {
            avro_value_append(arr, &elem, nullptr);
            SetRecord(elem, item, plan);
        }
    };
    array(m.prv_candidates, m.prv_union, alert.prv_candidates, m.prv_plan);
    array(m.fp_hists, m.fp_union, alert.fp_hists, m.fp_plan);

    for (int k = 0; k < 3; ++k) {
        if (m.cutout[k] < 0) continue;
        avro_value_get_by_index(&m.value, static_cast<size_t>(m.cutout[k]), &f, nullptr);
        const auto &cutout = alert.cutouts[static_cast<size_t>(k)];
        const UnionBranches &u = m.cutout_union[k];
        avro_value_t *rec = &f;
        if (u.null_branch >= 0) {
            avro_value_set_branch(&f, cutout ? u.value_branch : u.null_branch, &branch);
            if (!cutout) {
                avro_value_set_null(&branch);
                continue;
            }
            rec = &branch;
        } else if (!cutout) {
            Fail(ErrorKind::kInternal, "cutout is required by the schema");
        }
        avro_value_t g;
        avro_value_get_by_name(rec, "fileName", &g, nullptr);
        avro_value_set_string(&g, cutout->file_name.c_str());
        avro_value_get_by_name(rec, "stampData", &g, nullptr);
        // libavro copies the bytes; the const_cast is for its C signature only.
        avro_value_set_bytes(&g, const_cast<uint8_t *>(cutout->stamp_data.data()), cutout->stamp_data.size());
    }

    size_t size = 0;
    avro_value_sizeof(&m.value, &size);
    char *buffer = nullptr;
    size_t length = 0;
    FILE *fp = open_memstream(&buffer, &length);
    if (!fp) Fail(ErrorKind::kIo, "open_memstream failed");
    avro_file_writer_t writer;
    // The block must hold the whole record: libavro refuses a record larger than its block.
    if (avro_file_writer_create_with_codec_fp(fp, "memory", 1, m.schema, &writer, "null", size + 1024) != 0) {
        std::fclose(fp);
        std::free(buffer);
        Fail(ErrorKind::kInternal, std::string("avro_file_writer_create: ") + avro_strerror());
    }
    const int rc = avro_file_writer_append_value(writer, &m.value);
    std::string error = rc ? avro_strerror() : "";
    avro_file_writer_close(writer);  // closes fp, which publishes buffer/length
    std::vector<uint8_t> raw(buffer, buffer + length);
    std::free(buffer);
    if (rc != 0) Fail(ErrorKind::kInternal, "appending alert " + std::to_string(alert.candid) + ": " + error);
    return Reheader(raw, m.schema_json, sync_seed);
}

}  // namespace rivulet
