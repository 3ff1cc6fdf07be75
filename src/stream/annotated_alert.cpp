#include "stream/annotated_alert.hpp"

#include <avro.h>

#include <cstring>
#include <random>

#include "alert/avro_container.hpp"
#include "annotated_schema.hpp"
#include "common/error.hpp"

namespace rivulet {

std::string_view AnnotatedAlertSchemaJson() { return kAnnotatedAlertSchema; }

namespace {

[[noreturn]] void Fail(const char *what) {
    throw RivuletError(ErrorKind::kInternal, std::string("annotated alert: ") + what + ": " + avro_strerror());
}

}  // namespace

// The record is filled with libavro's generic values and serialised with avro_value_write; the object
// container framing (header + one block) with alert/avro_container.hpp, since libavro only writes
// containers to files.
struct AnnotatedAlertEncoder::State {
    avro_schema_t schema = nullptr;
    avro_value_iface_t *iface = nullptr;
    avro_value_t value{};
    std::vector<uint8_t> header;
    uint8_t sync[16];
};

AnnotatedAlertEncoder::AnnotatedAlertEncoder() : state_(new State) {
    State &s = *state_;
    std::string_view json = AnnotatedAlertSchemaJson();
    if (avro_schema_from_json_length(json.data(), json.size(), &s.schema) != 0) {
        delete state_;
        Fail("schema does not parse");
    }
    s.iface = avro_generic_class_from_schema(s.schema);
    avro_generic_value_new(s.iface, &s.value);
    std::random_device rd;
    for (auto &b : s.sync) b = static_cast<uint8_t>(rd());
    AppendAvroContainerHeader(s.header, json, s.sync);
}

AnnotatedAlertEncoder::~AnnotatedAlertEncoder() {
    avro_value_decref(&state_->value);
    avro_value_iface_decref(state_->iface);
    avro_schema_decref(state_->schema);
    delete state_;
}

std::vector<uint8_t> AnnotatedAlertEncoder::Encode(const AnnotatedAlert &a) {
    State &s = *state_;
    avro_value_t &v = s.value;
    avro_value_reset(&v);
    avro_value_t f, ann, g, item, h;
    auto set_string = [](avro_value_t &parent, const char *name, const std::string &text) {
        avro_value_t x;
        avro_value_get_by_name(&parent, name, &x, nullptr);
        avro_value_set_string_len(&x, text.c_str(), text.size() + 1);
    };
    set_string(v, "schemavsn", "1");
    set_string(v, "objectId", a.objectId);
    avro_value_get_by_name(&v, "candid", &f, nullptr);
    avro_value_set_long(&f, a.candid);
    set_string(v, "ztf_schemavsn", a.ztf_schemavsn);
    avro_value_get_by_name(&v, "packet", &f, nullptr);
    avro_value_set_bytes(&f, const_cast<uint8_t *>(a.packet.data()), a.packet.size());
    avro_value_get_by_name(&v, "annotations", &ann, nullptr);
    set_string(ann, "cut", a.cut);
    avro_value_get_by_name(&ann, "duplicate", &g, nullptr);
    avro_value_set_boolean(&g, a.duplicate);
    avro_value_get_by_name(&ann, "processed_at", &g, nullptr);
    avro_value_set_double(&g, a.processed_at);
    set_string(ann, "rivulet_version", a.rivulet_version);
    avro_value_get_by_name(&ann, "scores", &g, nullptr);
    for (const auto &[model, score] : a.scores) {
        avro_value_add(&g, model.c_str(), &item, nullptr, nullptr);
        avro_value_set_double(&item, score);
    }
    avro_value_get_by_name(&ann, "xmatch", &g, nullptr);
    for (const auto &m : a.xmatch) {
        avro_value_append(&g, &item, nullptr);
        set_string(item, "catalog", m.catalog);
        avro_value_get_by_name(&item, "cat_row", &h, nullptr);
        avro_value_set_long(&h, m.cat_row);
        avro_value_get_by_name(&item, "sep_arcsec", &h, nullptr);
        avro_value_set_double(&h, m.sep_arcsec);
    }

    size_t size = 0;
    if (avro_value_sizeof(&v, &size) != 0) Fail("sizeof");
    std::vector<uint8_t> datum(size);
    avro_writer_t w = avro_writer_memory(reinterpret_cast<const char *>(datum.data()), static_cast<int64_t>(size));
    int rc = avro_value_write(w, &v);
    avro_writer_free(w);
    if (rc != 0) Fail("write");
    std::vector<uint8_t> out = s.header;
    AppendAvroBlock(out, 1, datum, s.sync);
    return out;
}

}  // namespace rivulet
