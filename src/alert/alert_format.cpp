#include "alert/alert_format.hpp"

#include <charconv>
#include <cmath>

namespace rivulet {

void AppendFloat(std::string &out, float v) {
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
}

void AppendDouble(std::string &out, double v) {
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
}

namespace {

void AppendJsonString(std::string &out, std::string_view s) {
    out.push_back('"');
    for (unsigned char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (c < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                } else {
                    out.push_back(static_cast<char>(c));
                }
        }
    }
    out.push_back('"');
}

void AppendCsvString(std::string &out, std::string_view s) {
    if (s.find_first_of(",\"\n\r") == std::string_view::npos) {
        out.append(s);
        return;
    }
    out.push_back('"');
    for (char c : s) {
        if (c == '"') out.push_back('"');
        out.push_back(c);
    }
    out.push_back('"');
}

enum class Style { kJson, kCsv };

// Appends the value of one field; `null_text` for null.
template <class Record>
void AppendValue(std::string &out, const Record &rec, const FieldSpec<Record> &spec, Style style) {
    std::visit(
        [&](auto member) {
            const auto &slot = rec.*member;
            using T = typename std::remove_reference_t<decltype(slot)>::value_type;
            if (!slot) {
                if (style == Style::kJson) out += "null";
                return;
            }
            if constexpr (std::is_same_v<T, std::string>) {
                style == Style::kJson ? AppendJsonString(out, *slot) : AppendCsvString(out, *slot);
            } else if constexpr (std::is_floating_point_v<T>) {
                if (!std::isfinite(*slot) && style == Style::kJson) {
                    out += "null";
                } else if constexpr (std::is_same_v<T, float>) {
                    AppendFloat(out, *slot);
                } else {
                    AppendDouble(out, *slot);
                }
            } else {
                out += std::to_string(*slot);
            }
        },
        spec.member);
}


void AppendCandidateJson(std::string &out, const Candidate &candidate) {
    out.push_back('{');
    auto fields = Candidate::Fields();
    bool first = true;
    for (size_t i = 0; i < fields.size(); ++i) {
        if (!candidate.present.test(i)) continue;
        if (!first) out.push_back(',');
        first = false;
        AppendJsonString(out, fields[i].name);
        out.push_back(':');
        AppendValue(out, candidate, fields[i], Style::kJson);
    }
    out.push_back('}');
}

}  // namespace

std::string CandidateToJson(const Candidate &candidate) {
    std::string out;
    out.reserve(3072);
    AppendCandidateJson(out, candidate);
    return out;
}

std::string AlertToJson(const Alert &alert, const CutoutSummaries &cutouts, const std::string &input) {
    std::string out;
    out.reserve(4096);
    out.push_back('{');
    if (!input.empty()) {
        out += "\"input\":";
        AppendJsonString(out, input);
        out.push_back(',');
    }
    out += "\"objectId\":";
    AppendJsonString(out, alert.objectId);
    out += ",\"candid\":" + std::to_string(alert.candid);
    out += ",\"schemavsn\":";
    alert.schemavsn ? AppendJsonString(out, *alert.schemavsn) : void(out += "null");
    out += ",\"publisher\":";
    alert.publisher ? AppendJsonString(out, *alert.publisher) : void(out += "null");
    out += ",\"writer_schema_version\":";
    AppendJsonString(out, alert.writer_schema_version);
    out += ",\"candidate\":";
    AppendCandidateJson(out, alert.candidate);
    out += ",\"n_prv_candidates\":";
    out += alert.prv_candidates ? std::to_string(alert.prv_candidates->size()) : "null";
    out += ",\"n_fp_hists\":";
    out += alert.fp_hists ? std::to_string(alert.fp_hists->size()) : "null";
    out += ",\"cutouts\":{";
    for (CutoutKind k : kCutoutKinds) {
        int i = static_cast<int>(k);
        if (i) out.push_back(',');
        AppendJsonString(out, CutoutFieldName(k));
        out.push_back(':');
        const auto &s = cutouts[i];
        if (!s) {
            out += "null";
            continue;
        }
        out += "{\"bytes\":" + std::to_string(s->bytes) + ",\"format\":";
        AppendJsonString(out, s->format);
        if (s->error.empty()) {
            out += ",\"width\":" + std::to_string(s->width) + ",\"height\":" + std::to_string(s->height);
        } else {
            out += ",\"error\":";
            AppendJsonString(out, s->error);
        }
        out.push_back('}');
    }
    out += "}}";
    return out;
}

std::string AlertCsvHeader() {
    std::string out = "objectId,candid,schemavsn";
    for (const auto &f : Candidate::Fields()) {
        out.push_back(',');
        out.append(f.name);
    }
    out += ",n_prv_candidates,n_fp_hists";
    for (CutoutKind k : kCutoutKinds) {
        std::string n(CutoutFieldName(k));
        out += "," + n + "_bytes," + n + "_format," + n + "_width," + n + "_height";
    }
    return out;
}

std::string AlertToCsv(const Alert &alert, const CutoutSummaries &cutouts) {
    std::string out;
    out.reserve(2048);
    AppendCsvString(out, alert.objectId);
    out += "," + std::to_string(alert.candid) + ",";
    out += alert.schemavsn ? *alert.schemavsn : "NA";
    auto fields = Candidate::Fields();
    for (size_t i = 0; i < fields.size(); ++i) {
        out.push_back(',');
        if (!alert.candidate.present.test(i)) {
            out += "NA";
            continue;
        }
        AppendValue(out, alert.candidate, fields[i], Style::kCsv);
    }
    out.push_back(',');
    if (alert.prv_candidates) out += std::to_string(alert.prv_candidates->size());
    out.push_back(',');
    if (alert.fp_hists) out += std::to_string(alert.fp_hists->size());
    else if (!alert.has_fp_hists_field) out += "NA";
    for (const auto &s : cutouts) {
        if (!s) {
            out += ",,,,";
            continue;
        }
        out += "," + std::to_string(s->bytes) + "," + s->format + ",";
        if (s->error.empty()) out += std::to_string(s->width) + "," + std::to_string(s->height);
        else out += ",";
    }
    return out;
}

}  // namespace rivulet
