// `rivulet decode` prints, for every real alert, exactly the values of index.csv (python3-avro's decoding).

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/run_command.hpp"
#include "support/csv.hpp"
#include "support/temp_dir.hpp"

namespace rivulet {
namespace {


// The JSON value printed for a column must equal the reference cell exactly (floats as float32).
void ExpectCell(const nlohmann::json &cand, const std::string &col, const std::string &want, bool is_float) {
    if (want == "NA") {
        EXPECT_FALSE(cand.contains(col)) << col;
        return;
    }
    ASSERT_TRUE(cand.contains(col)) << col;
    const auto &v = cand[col];
    if (want.empty()) {
        EXPECT_TRUE(v.is_null()) << col;
    } else if (v.is_string()) {
        EXPECT_EQ(v.get<std::string>(), want) << col;
    } else if (is_float) {
        EXPECT_EQ(static_cast<float>(v.get<double>()), static_cast<float>(std::stod(want))) << col;
    } else if (v.is_number_integer()) {
        EXPECT_EQ(v.get<int64_t>(), std::stoll(want)) << col;
    } else {
        EXPECT_EQ(v.get<double>(), std::stod(want)) << col;
    }
}

TEST(DecodeCli, MatchesIndexCsvForEveryAlert) {
    RIVULET_REQUIRE_SHARED("ztf-alerts/index.csv");
    auto root = testing::SharedDataDir() / "ztf-alerts";
    auto r = testing::RunRivulet("decode " + testing::Quote(root / "alerts"));
    ASSERT_EQ(r.exit_code, 0);
    std::map<std::string, nlohmann::json> by_file;
    std::istringstream lines(r.out);
    std::string line;
    while (std::getline(lines, line)) {
        auto j = nlohmann::json::parse(line);
        std::string input = j["input"];
        by_file[input.substr(input.find("/alerts/") + 1)] = std::move(j);
    }
    std::ifstream in(root / "index.csv");
    std::getline(in, line);
    auto header = testing::SplitCsvLine(line);
    const std::set<std::string> floats = {"magpsf", "sigmapsf", "rb", "drb", "sgscore1", "ssdistnr"};
    size_t rows = 0;
    while (std::getline(in, line)) {
        auto cells = testing::SplitCsvLine(line);
        ++rows;
        SCOPED_TRACE(cells[0]);
        ASSERT_TRUE(by_file.count(cells[0])) << "not decoded";
        const auto &j = by_file[cells[0]];
        for (size_t c = 1; c < header.size(); ++c) {
            const std::string &col = header[c];
            if (col == "objectId") EXPECT_EQ(j["objectId"], cells[c]);
            else if (col == "candid") EXPECT_EQ(j["candid"].get<int64_t>(), std::stoll(cells[c]));
            else if (col == "n_prv_candidates") EXPECT_EQ(std::to_string(j["n_prv_candidates"].get<int>()), cells[c]);
            else if (col == "schemavsn") EXPECT_EQ(j["schemavsn"].is_null() ? "NA" : j["schemavsn"].get<std::string>(), cells[c]);
            else ExpectCell(j["candidate"], col, cells[c], floats.count(col) > 0);
        }
        // Every non-null cutout decodes and reports its true shape.
        for (const auto &[name, cut] : j["cutouts"].items()) {
            if (cut.is_null()) continue;
            EXPECT_FALSE(cut.contains("error")) << name << ": " << cut.dump();
            EXPECT_GT(cut["width"].get<int>(), 0);
            EXPECT_LE(cut["width"].get<int>(), 63);
        }
    }
    EXPECT_EQ(rows, by_file.size());
}

TEST(DecodeCli, CsvHasOneRowPerAlertAndStableColumns) {
    RIVULET_REQUIRE_SHARED("ztf-alerts/alerts/ztf-avro-alert");
    auto r = testing::RunRivulet("decode --format csv " +
                                 testing::Quote(testing::SharedDataDir() / "ztf-alerts/alerts/ztf-avro-alert"));
    ASSERT_EQ(r.exit_code, 0);
    std::istringstream lines(r.out);
    std::string line;
    std::getline(lines, line);
    size_t columns = std::count(line.begin(), line.end(), ',');
    size_t rows = 0;
    while (std::getline(lines, line)) {
        ++rows;
        EXPECT_EQ(static_cast<size_t>(std::count(line.begin(), line.end(), ',')), columns) << line.substr(0, 80);
    }
    EXPECT_EQ(rows, 22u);
}

TEST(DecodeCli, BadInputExitsTwoAndNamesIt) {
    testing::TempDir tmp;
    {
        std::ofstream f(tmp / "junk.avro");
        f << "definitely not avro";
    }
    auto err = (tmp / "stderr.txt").string();
    auto r = testing::RunRivulet("decode " + testing::Quote(tmp / "junk.avro"), err);
    EXPECT_EQ(r.exit_code, 2);
    std::ifstream e(err);
    std::stringstream ss;
    ss << e.rdbuf();
    EXPECT_NE(ss.str().find("junk.avro"), std::string::npos) << ss.str();
    EXPECT_NE(ss.str().find("not_avro"), std::string::npos) << ss.str();
}

}  // namespace
}  // namespace rivulet
