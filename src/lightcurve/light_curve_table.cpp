#include "lightcurve/light_curve_table.hpp"

#include <zlib.h>

#include <algorithm>
#include <charconv>
#include <limits>
#include <memory>
#include <string_view>
#include <unordered_map>

#include "common/error.hpp"

namespace rivulet::lightcurve {
namespace {

struct GzCloser {
    void operator()(gzFile_s *f) const { gzclose(f); }
};

//! Splits one CSV line on commas (no quoting: light-curve tables are numbers and plain ids).
void Split(std::string_view line, std::vector<std::string_view> &fields) {
    fields.clear();
    std::size_t start = 0;
    while (true) {
        const std::size_t comma = line.find(',', start);
        fields.push_back(line.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
}

double ParseNumber(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '"')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '"' || s.back() == '\r')) s.remove_suffix(1);
    double v = std::numeric_limits<double>::quiet_NaN();
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || ptr != s.data() + s.size()) return std::numeric_limits<double>::quiet_NaN();
    return v;
}

std::string Trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '"')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '"' || s.back() == '\r')) s.remove_suffix(1);
    return std::string(s);
}

}  // namespace

std::vector<RawObject> ReadLightCurveTable(const std::filesystem::path &path, const TableColumns &cols) {
    std::unique_ptr<gzFile_s, GzCloser> f(gzopen(path.c_str(), "rb"));
    if (!f) throw RivuletError(ErrorKind::kIo, path.string() + ": cannot open light-curve table");
    gzbuffer(f.get(), 1 << 17);
    std::string line;
    auto read_line = [&]() -> bool {
        line.clear();
        char buf[8192];
        while (gzgets(f.get(), buf, sizeof buf)) {
            line += buf;
            if (!line.empty() && line.back() == '\n') {
                line.pop_back();
                return true;
            }
        }
        return !line.empty();
    };
    if (!read_line()) throw RivuletError(ErrorKind::kInvalidInput, path.string() + ": empty light-curve table");
    std::vector<std::string_view> fields;
    Split(line, fields);
    std::vector<std::string> header;
    for (auto fv : fields) header.push_back(Trim(fv));
    auto find = [&](const std::string &name, const char *role) -> std::size_t {
        for (std::size_t i = 0; i < header.size(); ++i)
            if (header[i] == name) return i;
        std::string all;
        for (const auto &h : header) all += (all.empty() ? "" : ",") + h;
        throw RivuletError(ErrorKind::kInvalidInput, path.string() + ": no column '" + name + "' for " + role +
                                                         " (header: " + all + ")");
    };
    const std::size_t ci = find(cols.id, "--id"), ct = find(cols.time, "--time"), cm = find(cols.mag, "--mag"),
                      ce = find(cols.err, "--err");
    const bool banded = !cols.band.empty();
    const std::size_t cb = banded ? find(cols.band, "--band") : 0;
    const std::size_t need = std::max({ci, ct, cm, ce, cb}) + 1;

    std::vector<RawObject> objects;
    std::unordered_map<std::string, std::size_t> index;
    std::size_t row = 1;
    while (read_line()) {
        ++row;
        if (line.empty() || line == "\r") continue;
        Split(line, fields);
        if (fields.size() < need) {
            throw RivuletError(ErrorKind::kInvalidInput, path.string() + ": row " + std::to_string(row) + " has " +
                                                             std::to_string(fields.size()) + " fields, header has " +
                                                             std::to_string(header.size()));
        }
        std::string id = Trim(fields[ci]);
        auto [it, added] = index.try_emplace(id, objects.size());
        if (added) objects.push_back(RawObject{id, {}});
        RawObject &obj = objects[it->second];
        const std::string band = banded ? Trim(fields[cb]) : std::string();
        RawBand *rb = nullptr;
        for (auto &b : obj.bands)
            if (b.band == band) rb = &b;
        if (!rb) {
            obj.bands.push_back(RawBand{band, {}, {}, {}});
            rb = &obj.bands.back();
        }
        rb->t.push_back(ParseNumber(fields[ct]));
        rb->mag.push_back(ParseNumber(fields[cm]));
        rb->err.push_back(ParseNumber(fields[ce]));
    }
    return objects;
}

RawObject FromStoredLightCurve(const rivulet::LightCurve &lc) {
    RawObject obj{lc.objectId, {}};
    for (const auto &d : lc.detections) {
        if (!d.magpsf || !d.sigmapsf) continue;
        const std::string band = d.fid == 1 ? "g" : d.fid == 2 ? "r" : d.fid == 3 ? "i" : std::to_string(d.fid);
        RawBand *rb = nullptr;
        for (auto &b : obj.bands)
            if (b.band == band) rb = &b;
        if (!rb) {
            obj.bands.push_back(RawBand{band, {}, {}, {}});
            rb = &obj.bands.back();
        }
        rb->t.push_back(d.jd);
        rb->mag.push_back(*d.magpsf);
        rb->err.push_back(*d.sigmapsf);
    }
    return obj;
}

BandSet CleanBands(const RawObject &object, const CleanOptions &options, std::vector<std::string> *band_names,
                   std::vector<std::string> *skipped) {
    BandSet set;
    for (const auto &b : object.bands) {
        auto s = CleanSeries(b.t, b.mag, b.err, options);
        if (s) {
            set.push_back(std::move(*s));
            if (band_names) band_names->push_back(b.band);
        } else if (skipped) {
            skipped->push_back((b.band.empty() ? std::string("light curve") : "band " + b.band) + ": " + s.error().message);
        }
    }
    return set;
}

}  // namespace rivulet::lightcurve
