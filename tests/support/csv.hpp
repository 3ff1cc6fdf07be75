#pragma once

#include <sstream>
#include <string>
#include <vector>

namespace rivulet::testing {

//! Cells of one line of a simple CSV (no quoted commas, as in ../shared's index.csv); CRLF tolerated.
inline std::vector<std::string> SplitCsvLine(std::string line) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::vector<std::string> out;
    std::string cell;
    std::istringstream in(line);
    while (std::getline(in, cell, ',')) out.push_back(cell);
    if (!line.empty() && line.back() == ',') out.emplace_back();
    return out;
}

}  // namespace rivulet::testing
