// Importing catalogs: typed columns, gzip input, sexagesimal positions, the file format's checks, and
// bad input — each refused with the file, line, row and reason, leaving no file behind.

#include <gtest/gtest.h>
#include <zlib.h>

#include <cmath>
#include <cstring>

#include "common/error.hpp"
#include "support/temp_dir.hpp"
#include "xmatch/catalog.hpp"
#include "xmatch/catalog_fixtures.hpp"
#include "xmatch/coordinate_text.hpp"

namespace rivulet::testing {
namespace {

using xmatch::Catalog;
using xmatch::ColumnType;

// The message of the error ImportCatalog throws for `csv`, or "" when it succeeds.
std::string ImportError(const TempDir &dir, const std::string &csv, std::vector<std::string> keep = {}) {
    WriteText(dir / "in.csv", csv);
    try {
        Import(dir / "in.csv", dir / "out.rvc", std::move(keep));
    } catch (const RivuletError &e) {
        return e.what();
    }
    return "";
}

// Files in `dir` other than the input.
std::vector<std::string> Leftovers(const TempDir &dir) {
    std::vector<std::string> out;
    for (const auto &e : std::filesystem::directory_iterator(dir.path()))
        if (e.path().filename() != "in.csv") out.push_back(e.path().filename().string());
    return out;
}

TEST(CoordinateText, DegreesAndSexagesimal) {
    EXPECT_DOUBLE_EQ(*xmatch::ParseRaDeg("08:29:47.59"), 15 * (8 + 29 / 60.0 + 47.59 / 3600));
    EXPECT_DOUBLE_EQ(*xmatch::ParseDecDeg("+33:54:22.8"), 33 + 54 / 60.0 + 22.8 / 3600);
    EXPECT_DOUBLE_EQ(*xmatch::ParseDecDeg("-00:30:00"), -0.5);
    EXPECT_DOUBLE_EQ(*xmatch::ParseRaDeg(" 359.5 "), 359.5);
    EXPECT_DOUBLE_EQ(*xmatch::ParseRaDeg("-10"), 350.0);
    EXPECT_DOUBLE_EQ(*xmatch::ParseRaDeg("360"), 0.0);
    EXPECT_DOUBLE_EQ(*xmatch::ParseDecDeg("-90"), -90.0);
    for (const char *bad : {"", "abc", "nan", "NaN", "inf", "12x", "1:2:3:4", "12:61:00", "25:00:00"})
        EXPECT_FALSE(xmatch::ParseRaDeg(bad).ok()) << bad;
    for (const char *bad : {"90.0001", "-91", "nan", "+95:00:00", "--1"})
        EXPECT_FALSE(xmatch::ParseDecDeg(bad).ok()) << bad;
}

TEST(Import, TypedColumnsRoundTrip) {
    TempDir dir;
    WriteText(dir / "in.csv",
              "source_id,ra,dec,mag,type,flag\r\n"
              "3836114263068860544,150.1,2.2,16.5,RRAB,1\r\n"
              "3836114331788336256,150.2,2.3,,\"EW, uncertain\",\r\n"
              "\r\n"
              "17,150.3,2.4,nan,\"say \"\"hi\"\"\",-4\r\n");
    const auto s = Import(dir / "in.csv", dir / "out.rvc", {"source_id", "mag", "type", "flag"});
    EXPECT_EQ(s.rows, 3u);
    Catalog c(dir / "out.rvc");
    EXPECT_EQ(c.name(), "test");
    ASSERT_EQ(c.columns().size(), 4u);
    EXPECT_EQ(c.columns()[0].type, ColumnType::kInt64);
    EXPECT_EQ(c.columns()[1].type, ColumnType::kFloat64);
    EXPECT_EQ(c.columns()[2].type, ColumnType::kString);
    EXPECT_EQ(c.columns()[3].type, ColumnType::kInt64);
    // Find each row by cat_row (file order is by pixel).
    std::vector<uint64_t> at(3);
    for (uint64_t r = 0; r < c.size(); ++r) at[c.cat_row(r)] = r;
    EXPECT_EQ(c.Int64(0, at[0]), 3836114263068860544);  // beyond double precision: kept exactly
    EXPECT_EQ(c.Int64(0, at[1]), 3836114331788336256);
    EXPECT_EQ(c.Float64(1, at[0]), 16.5);
    EXPECT_TRUE(std::isnan(c.Float64(1, at[1])));
    EXPECT_EQ(c.String(2, at[1]), "EW, uncertain");
    EXPECT_EQ(c.Int64(3, at[1]), xmatch::kNullInt64);
    EXPECT_EQ(c.Int64(3, at[2]), -4);
    EXPECT_EQ(c.ra(at[2]), 150.3);
    EXPECT_EQ(c.dec(at[2]), 2.4);
    std::string cell;
    c.AppendCsvCell(2, at[2], cell);
    EXPECT_EQ(cell, "\"say \"\"hi\"\"\"");
    cell.clear();
    c.AppendCsvCell(1, at[1], cell);
    EXPECT_EQ(cell, "");
}

TEST(Import, GzipGivesTheSameFile) {
    TempDir dir;
    std::string csv = "ra,dec,name\n";
    for (int i = 0; i < 5000; ++i)
        csv += Exact(i * 0.07) + "," + Exact(-80 + i * 0.03) + ",s" + std::to_string(i) + "\n";
    WriteText(dir / "in.csv", csv);
    gzFile gz = gzopen((dir / "in.csv.gz").c_str(), "wb");
    gzwrite(gz, csv.data(), static_cast<unsigned>(csv.size()));
    gzclose(gz);
    Import(dir / "in.csv", dir / "plain.rvc", {"name"});
    Import(dir / "in.csv.gz", dir / "gz.rvc", {"name"}, -1, 4096);  // and through many runs
    EXPECT_EQ(ReadText(dir / "plain.rvc"), ReadText(dir / "gz.rvc"));
}

TEST(Import, SexagesimalPositions) {
    TempDir dir;
    WriteText(dir / "in.csv", "ra,dec\n08:29:47.59,+33:54:22.8\n11:43:06.37,-15:34:01.7\n");
    Import(dir / "in.csv", dir / "out.rvc");
    Catalog c(dir / "out.rvc");
    const auto m = c.Cone(15 * (11 + 43 / 60.0 + 6.37 / 3600), -(15 + 34 / 60.0 + 1.7 / 3600), 0.001);
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m[0].cat_row, 1u);
}

TEST(Import, BadInputNamesRowAndReasonAndLeavesNothing) {
    TempDir dir;
    struct Case {
        std::string csv, expect1, expect2;
    };
    const Case cases[] = {
        {"x,dec\n1,2\n", "no column 'ra'", "columns: x, dec"},
        {"ra,dec\n1,2\nabc,3\n", "line 3 (row 1)", "'abc' is not a number"},
        {"ra,dec\n1,2\n3,4\n5,95.5\n", "line 4 (row 2)", "outside [-90, 90]"},
        {"ra,dec\n1,2\nNaN,3\n", "line 3 (row 1)", "not a finite number"},
        {"ra,dec\n1,nan\n", "line 2 (row 0)", "dec"},
        {"ra,dec\n1,\n", "line 2 (row 0)", "empty cell"},
        {"ra,dec\n1,2,3\n", "line 2 (row 0)", "3 cells, the header has 2"},
        {"ra,dec\n\"1,2\n", "line 2", "unterminated quote"},
        {"", "empty file", ""},
    };
    for (const auto &c : cases) {
        const std::string msg = ImportError(dir, c.csv);
        EXPECT_NE(msg.find(c.expect1), std::string::npos) << msg;
        EXPECT_NE(msg.find(c.expect2), std::string::npos) << msg;
        EXPECT_NE(msg.find("in.csv"), std::string::npos) << msg;
        EXPECT_TRUE(Leftovers(dir).empty()) << c.csv;
    }
    EXPECT_NE(ImportError(dir, "ra,dec\n1,2\n", {"mag"}).find("no column 'mag'"), std::string::npos);
}

TEST(Import, FailedImportKeepsThePreviousFile) {
    TempDir dir;
    WriteText(dir / "in.csv", "ra,dec\n1,2\n");
    Import(dir / "in.csv", dir / "out.rvc");
    const std::string before = ReadText(dir / "out.rvc");
    // The bad row comes after many good ones, so runs have been spilled when it is found.
    std::string csv = "ra,dec\n";
    for (int i = 0; i < 20000; ++i) csv += "10,20\n";
    csv += "10,-95\n";
    WriteText(dir / "in.csv", csv);
    EXPECT_THROW(Import(dir / "in.csv", dir / "out.rvc", {}, -1, 4096), RivuletError);
    EXPECT_EQ(ReadText(dir / "out.rvc"), before);
    EXPECT_EQ(Leftovers(dir), std::vector<std::string>{"out.rvc"});
}

TEST(CatalogFile, RefusesForeignTruncatedAndNewerFiles) {
    TempDir dir;
    WriteText(dir / "in.csv", "ra,dec\n1,2\n3,4\n");
    Import(dir / "in.csv", dir / "good.rvc");
    const std::string good = ReadText(dir / "good.rvc");
    auto error = [&](const std::string &bytes) -> std::string {
        WriteText(dir / "bad.rvc", bytes);
        try {
            Catalog c(dir / "bad.rvc");
        } catch (const RivuletError &e) {
            return e.what();
        }
        return "";
    };
    EXPECT_NE(error("hello").find("shorter than a header"), std::string::npos);
    std::string foreign = good;
    foreign[0] = 'X';
    EXPECT_NE(error(foreign).find("wrong magic"), std::string::npos);
    EXPECT_NE(error(good.substr(0, good.size() - 8)).find("truncated"), std::string::npos);
    std::string newer = good;
    newer[8] = 2;  // version
    EXPECT_NE(error(newer).find("format version 2"), std::string::npos);
    EXPECT_THROW(Catalog(dir / "missing.rvc"), RivuletError);
    Catalog c(dir / "good.rvc");
    EXPECT_EQ(c.version(), xmatch::kCatalogVersion);
    EXPECT_EQ(c.size(), 2u);
}

TEST(Import, OrderFollowsDensity) {
    TempDir dir;
    // 20,000 sources in a 1°×1° patch: dense, so a fine order.
    std::vector<TestSource> dense;
    for (int i = 0; i < 20000; ++i) dense.push_back({150 + (i % 141) / 141.0, 2 + (i / 141) / 141.0});
    WritePositions(dir / "dense.csv", dense);
    const auto d = Import(dir / "dense.csv", dir / "dense.rvc");
    // The same number spread over the sky: coarser.
    std::vector<TestSource> sparse;
    for (int i = 0; i < 20000; ++i)
        sparse.push_back({std::fmod(i * 137.508, 360.0), std::asin(-1 + 2 * (i + 0.5) / 20000) * 180 / M_PI});
    WritePositions(dir / "sparse.csv", sparse);
    const auto s = Import(dir / "sparse.csv", dir / "sparse.rvc");
    EXPECT_GT(d.order, s.order + 3);
    EXPECT_GE(d.order, d.index_order);
}

}  // namespace
}  // namespace rivulet::testing
