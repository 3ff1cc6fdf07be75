#include "store/candidate_json.hpp"

#include <cmath>
#include <cstdio>
#include <type_traits>

#include "alert/alert_format.hpp"

namespace rivulet {

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

}  // namespace

std::string CandidateToJson(const Candidate &candidate) {
    std::string out;
    out.reserve(3072);
    out.push_back('{');
    const auto fields = Candidate::Fields();
    bool first = true;
    for (size_t i = 0; i < fields.size(); ++i) {
        if (!candidate.present.test(i)) continue;
        if (!first) out.push_back(',');
        first = false;
        AppendJsonString(out, fields[i].name);
        out.push_back(':');
        std::visit(
            [&](auto member) {
                const auto &slot = candidate.*member;
                using T = typename std::remove_reference_t<decltype(slot)>::value_type;
                if (!slot) {
                    out += "null";
                } else if constexpr (std::is_same_v<T, std::string>) {
                    AppendJsonString(out, *slot);
                } else if constexpr (std::is_floating_point_v<T>) {
                    if (!std::isfinite(*slot)) out += "null";
                    else if constexpr (std::is_same_v<T, float>) AppendFloat(out, *slot);
                    else AppendDouble(out, *slot);
                } else {
                    out += std::to_string(*slot);
                }
            },
            fields[i].member);
    }
    out.push_back('}');
    return out;
}

}  // namespace rivulet
