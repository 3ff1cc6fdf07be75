#include "xmatch/coordinate_text.hpp"

#include <charconv>
#include <cmath>
#include <vector>

namespace rivulet::xmatch {

namespace {

std::string_view Trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

std::string Quoted(std::string_view cell) {
    // Appended piecewise: GCC 12 at -O3 reports a false -Wrestrict for "'" + std::string(cell) + "'".
    std::string out;
    out.reserve(cell.size() + 2);
    out.push_back('\'');
    out.append(cell);
    out.push_back('\'');
    return out;
}

// Degrees (or hours) from "d:m:s": the sign of the first field applies to the whole value, so that
// "-00:30:00" is -0.5 and not +0.5.
Result<double> ParseSexagesimal(std::string_view cell, double max_first) {
    std::string_view s = Trim(cell);
    bool negative = false;
    if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
        negative = s.front() == '-';
        s.remove_prefix(1);
    }
    std::vector<double> parts;
    while (true) {
        const size_t colon = s.find(':');
        std::string_view field = s.substr(0, colon);
        if (field.empty() || field.front() == '-' || field.front() == '+')
            return MakeError("bad_sexagesimal", Quoted(cell) + " is not a sexagesimal value");
        auto v = ParseFiniteNumber(field);
        if (!v) return MakeError("bad_sexagesimal", Quoted(cell) + " is not a sexagesimal value");
        parts.push_back(*v);
        if (colon == std::string_view::npos) break;
        s.remove_prefix(colon + 1);
    }
    if (parts.size() < 2 || parts.size() > 3 || parts[0] > max_first || parts[1] >= 60 ||
        (parts.size() == 3 && parts[2] >= 60))
        return MakeError("bad_sexagesimal", Quoted(cell) + " is not a sexagesimal value");
    double v = parts[0] + parts[1] / 60.0 + (parts.size() == 3 ? parts[2] / 3600.0 : 0.0);
    return negative ? -v : v;
}

}  // namespace

Result<double> ParseFiniteNumber(std::string_view cell) {
    std::string_view s = Trim(cell);
    if (s.empty()) return MakeError("empty", "empty cell");
    if (s.front() == '+') s.remove_prefix(1);
    double v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc::result_out_of_range) return MakeError("out_of_range", Quoted(cell) + " is out of range");
    if (ec != std::errc() || end != s.data() + s.size())
        return MakeError("not_a_number", Quoted(cell) + " is not a number");
    if (!std::isfinite(v)) return MakeError("not_finite", Quoted(cell) + " is not a finite number");
    return v;
}

Result<double> ParseRaDeg(std::string_view cell) {
    Result<double> v =
        cell.find(':') != std::string_view::npos ? ParseSexagesimal(cell, 24.0) : ParseFiniteNumber(cell);
    if (!v) return v;
    double ra = cell.find(':') != std::string_view::npos ? *v * 15.0 : *v;
    ra = std::fmod(ra, 360.0);
    if (ra < 0) ra += 360.0;
    if (ra >= 360.0) ra -= 360.0;  // -tiny + 360 rounds to 360
    return ra;
}

Result<double> ParseDecDeg(std::string_view cell) {
    Result<double> v =
        cell.find(':') != std::string_view::npos ? ParseSexagesimal(cell, 90.0) : ParseFiniteNumber(cell);
    if (!v) return v;
    if (*v < -90.0 || *v > 90.0) return MakeError("dec_out_of_range", Quoted(cell) + " is outside [-90, 90]");
    return *v;
}

}  // namespace rivulet::xmatch
