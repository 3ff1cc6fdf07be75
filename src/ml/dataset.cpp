#include "ml/dataset.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <unordered_map>

#include <fmt/format.h>

#include "common/error.hpp"

namespace rivulet::ml {
namespace {

[[noreturn]] void Fail(const std::string &message) { throw RivuletError(ErrorKind::kInvalidInput, message); }


bool IsMissingText(const std::string &s) {
    return s.empty() || s == "NA" || s == "nan" || s == "NaN" || s == "NAN" || s == "null" || s == "None";
}

//! "1.0" and "1" are the same class: integral numbers are written without a fraction.
std::string NormalizeLabel(const std::string &s) {
    char *end = nullptr;
    double v = std::strtod(s.c_str(), &end);
    if (!s.empty() && end == s.c_str() + s.size() && std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e15)
        return fmt::format("{}", static_cast<long long>(v));
    return s;
}

std::optional<double> ParseNumber(const std::string &s) {
    char *end = nullptr;
    double v = std::strtod(s.c_str(), &end);
    if (s.empty() || end != s.c_str() + s.size()) return std::nullopt;
    return v;
}

}  // namespace

std::vector<std::string> SplitCsv(const std::string &line) {
    std::vector<std::string> cells(1);
    bool quoted = false;
    for (size_t i = 0; i < line.size(); ++i) {
        char c = line[i];
        if (quoted) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
                cells.back() += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                cells.back() += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            cells.emplace_back();
        } else if (c != '\r') {
            cells.back() += c;
        }
    }
    return cells;
}

std::vector<std::string> SplitNameList(const std::string &list) {
    std::vector<std::string> out;
    if (list.empty()) return out;
    size_t start = 0;
    while (true) {
        size_t comma = list.find(',', start);
        std::string name = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (!name.empty()) out.push_back(name);
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return out;
}

Dataset ReadCsvDataset(const std::filesystem::path &path, const CsvColumns &columns) {
    std::ifstream in(path);
    if (!in) throw RivuletError(ErrorKind::kIo, fmt::format("{}: cannot open for reading", path.string()));
    const std::string src = path.string();
    std::string line;
    if (!std::getline(in, line)) Fail(fmt::format("{}: empty file (no header line)", src));
    std::vector<std::string> header = SplitCsv(line);
    std::unordered_map<std::string, size_t> column_of;
    for (size_t i = 0; i < header.size(); ++i) column_of.emplace(header[i], i);
    auto find = [&](const std::string &name, const char *role) {
        auto it = column_of.find(name);
        if (it == column_of.end()) Fail(fmt::format("{}: {} column '{}' is not in the header", src, role, name));
        return it->second;
    };

    Dataset ds;
    ds.source = src;
    std::optional<size_t> label_col, id_col;
    if (!columns.label.empty()) label_col = find(columns.label, "label");
    if (!columns.id.empty()) id_col = find(columns.id, "id");
    for (const auto &d : columns.drop) find(d, "--drop");
    std::vector<size_t> feature_cols;
    if (!columns.features.empty()) {
        for (const auto &f : columns.features) {
            size_t c = find(f, "feature");
            if (label_col && c == *label_col) Fail(fmt::format("{}: column '{}' is both label and feature", src, f));
            feature_cols.push_back(c);
        }
    } else {
        for (size_t c = 0; c < header.size(); ++c) {
            if ((label_col && c == *label_col) || (id_col && c == *id_col)) continue;
            if (std::find(columns.drop.begin(), columns.drop.end(), header[c]) != columns.drop.end()) continue;
            feature_cols.push_back(c);
        }
    }
    if (feature_cols.empty()) Fail(fmt::format("{}: no feature columns left", src));
    for (size_t c : feature_cols) ds.feature_names.push_back(header[c]);

    std::vector<std::string> labels;
    size_t row = 0, line_no = 1;
    while (std::getline(in, line)) {
        ++line_no;
        if (line.empty() || line == "\r") continue;
        ++row;
        std::vector<std::string> cells = SplitCsv(line);
        if (cells.size() != header.size())
            Fail(fmt::format("{}: row {} (line {}) has {} cells, the header has {}", src, row, line_no, cells.size(),
                             header.size()));
        for (size_t c : feature_cols) {
            const std::string &cell = cells[c];
            if (IsMissingText(cell)) {
                if (!columns.allow_missing)
                    Fail(fmt::format("{}: row {} (line {}), column '{}': missing value ('{}') where missing values "
                                     "are not allowed",
                                     src, row, line_no, header[c], cell));
                ds.x.push_back(std::nanf(""));
                continue;
            }
            auto v = ParseNumber(cell);
            if (!v) Fail(fmt::format("{}: row {} (line {}), column '{}': '{}' is not a number", src, row, line_no,
                                     header[c], cell));
            if (!std::isfinite(*v))
                Fail(fmt::format("{}: row {} (line {}), column '{}': '{}' is not finite", src, row, line_no, header[c],
                                 cell));
            ds.x.push_back(static_cast<float>(*v));
        }
        if (label_col) {
            const std::string &cell = cells[*label_col];
            if (IsMissingText(cell))
                Fail(fmt::format("{}: row {} (line {}), label column '{}': empty label", src, row, line_no,
                                 columns.label));
            labels.push_back(NormalizeLabel(cell));
        }
        if (id_col) ds.ids.push_back(cells[*id_col]);
    }
    if (row == 0) Fail(fmt::format("{}: no data rows", src));

    if (label_col) {
        if (columns.classes) {
            ds.class_names = *columns.classes;
        } else {
            std::vector<std::string> distinct = labels;
            std::sort(distinct.begin(), distinct.end());
            distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
            bool numeric = std::all_of(distinct.begin(), distinct.end(), [](auto &s) { return ParseNumber(s).has_value(); });
            if (numeric)
                std::sort(distinct.begin(), distinct.end(),
                          [](auto &a, auto &b) { return *ParseNumber(a) < *ParseNumber(b); });
            ds.class_names = distinct;
        }
        std::map<std::string, int32_t> index;
        for (size_t i = 0; i < ds.class_names.size(); ++i) index[ds.class_names[i]] = static_cast<int32_t>(i);
        std::vector<size_t> seen(ds.class_names.size(), 0);
        for (size_t r = 0; r < labels.size(); ++r) {
            auto it = index.find(labels[r]);
            if (it == index.end())
                Fail(fmt::format("{}: row {}, label column '{}': '{}' is not one of the model's classes", src, r + 1,
                                 columns.label, labels[r]));
            ds.y.push_back(it->second);
            ++seen[static_cast<size_t>(it->second)];
        }
        size_t present = static_cast<size_t>(std::count_if(seen.begin(), seen.end(), [](size_t n) { return n > 0; }));
        if (present < 2)
            Fail(fmt::format("{}: label column '{}' has a single class ('{}'); training and evaluation need two or more",
                             src, columns.label, labels.front()));
    }
    return ds;
}

Dataset Dataset::Subset(const std::vector<size_t> &rows) const {
    Dataset out;
    out.source = source;
    out.feature_names = feature_names;
    out.class_names = class_names;
    size_t d = features();
    out.x.reserve(rows.size() * d);
    for (size_t r : rows) {
        out.x.insert(out.x.end(), Row(r), Row(r) + d);
        if (!y.empty()) out.y.push_back(y[r]);
        if (!ids.empty()) out.ids.push_back(ids[r]);
    }
    return out;
}

std::string Dataset::Hash() const {
    uint64_t h = 1469598103934665603ull;
    auto mix = [&](const void *p, size_t n) {
        auto *b = static_cast<const unsigned char *>(p);
        for (size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 1099511628211ull;
    };
    for (const auto &f : feature_names) mix(f.data(), f.size() + 1);
    mix(x.data(), x.size() * sizeof(float));
    for (const auto &c : class_names) mix(c.data(), c.size() + 1);
    mix(y.data(), y.size() * sizeof(int32_t));
    return fmt::format("{:016x}", h);
}

}  // namespace rivulet::ml
