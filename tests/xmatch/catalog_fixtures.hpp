#pragma once
// Small helpers of the xmatch tests: write a CSV of positions, import it, read a file back.

#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "xmatch/catalog_import.hpp"

namespace rivulet::testing {

struct TestSource {
    double ra, dec;
};

//! Shortest text that reads back as exactly `v`.
inline std::string Exact(double v) {
    char buf[64];
    return std::string(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
}

//! Writes `id,ra,dec` rows (id = the row number) to `path`.
inline void WritePositions(const std::filesystem::path &path, const std::vector<TestSource> &sources) {
    std::ofstream f(path);
    f << "id,ra,dec\n";
    for (size_t i = 0; i < sources.size(); ++i)
        f << i << ',' << Exact(sources[i].ra) << ',' << Exact(sources[i].dec) << '\n';
}

inline xmatch::ImportSummary Import(const std::filesystem::path &csv, const std::filesystem::path &out,
                                    std::vector<std::string> keep = {}, int order = -1,
                                    uint64_t memory = uint64_t{64} << 20) {
    xmatch::ImportOptions o;
    o.input = csv;
    o.output = out;
    o.name = "test";
    o.ra_column = "ra";
    o.dec_column = "dec";
    o.keep = std::move(keep);
    o.order = order;
    o.memory_budget_bytes = memory;
    return xmatch::ImportCatalog(o);
}

inline std::string ReadText(const std::filesystem::path &p) {
    std::ifstream f(p, std::ios::binary);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

inline void WriteText(const std::filesystem::path &p, const std::string &text) {
    std::ofstream f(p, std::ios::binary);
    f << text;
}

}  // namespace rivulet::testing
