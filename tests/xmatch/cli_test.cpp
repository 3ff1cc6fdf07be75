// The catalog commands as a user runs them: `catalog import`, `catalog info`, `cone --catalog`,
// `cone --db` (unchanged), and `xmatch`.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli/run_command.hpp"
#include "support/csv.hpp"
#include "support/shared_data.hpp"
#include "support/temp_dir.hpp"
#include "xmatch/catalog_fixtures.hpp"

namespace rivulet::testing {
namespace {

std::vector<std::string> Lines(const std::string &text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

TEST(CatalogCli, ImportInfoConeJsonAndCsv) {
    TempDir dir;
    WriteText(dir / "cat.csv", "name,ra,dec,mag\nalpha,10.5,-30,12.5\nbeta,10.5001,-30,\ngamma,200,60,9\n");
    auto r = RunRivulet("catalog import " + Quote(dir / "cat.csv") +
                        " --name demo --ra ra --dec dec --keep name,mag --out " + Quote(dir / "demo.rvc"));
    ASSERT_EQ(r.exit_code, 0);
    EXPECT_NE(r.out.find("3 rows"), std::string::npos) << r.out;
    r = RunRivulet("catalog info --json " + Quote(dir / "demo.rvc"));
    ASSERT_EQ(r.exit_code, 0);
    auto info = nlohmann::json::parse(r.out);
    EXPECT_EQ(info["name"], "demo");
    EXPECT_EQ(info["rows"], 3);
    EXPECT_EQ(info["columns"][1]["type"], "float64");

    r = RunRivulet("cone 10.5 -30 1 --catalog " + Quote(dir / "demo.rvc") + " --json");
    ASSERT_EQ(r.exit_code, 0);
    auto j = nlohmann::json::parse(r.out);
    ASSERT_TRUE(j.is_array());
    ASSERT_EQ(j.size(), 2u);
    EXPECT_EQ(j[0]["cat_row"], 0);
    EXPECT_EQ(j[0]["sep_arcsec"], 0.0);
    EXPECT_EQ(j[0]["name"], "alpha");
    EXPECT_EQ(j[1]["cat_row"], 1);
    EXPECT_NEAR(j[1]["sep_arcsec"].get<double>(), 0.3118, 1e-3);  // 0.0001° of RA at Dec -30
    EXPECT_TRUE(j[1]["mag"].is_null());

    r = RunRivulet("cone 10.5 -30 1 --catalog " + Quote(dir / "demo.rvc"));
    ASSERT_EQ(r.exit_code, 0);
    const auto lines = Lines(r.out);
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_EQ(lines[0], "cat_row,ra,dec,sep_arcsec,name,mag");
    EXPECT_EQ(lines[1], "0,10.5,-30,0,alpha,12.5");
}

TEST(CatalogCli, ConeNeedsExactlyOneSource) {
    TempDir dir;
    WriteText(dir / "cat.csv", "ra,dec\n1,1\n");
    ASSERT_EQ(RunRivulet("catalog import " + Quote(dir / "cat.csv") + " --name x --ra ra --dec dec --out " +
                         Quote(dir / "x.rvc"))
                  .exit_code,
              0);
    EXPECT_NE(RunRivulet("cone 1 1 1").exit_code, 0);
    EXPECT_NE(RunRivulet("cone 1 1 1 --db " + Quote(dir / "s.db") + " --catalog " + Quote(dir / "x.rvc")).exit_code, 0);
    EXPECT_EQ(RunRivulet("cone 1 1 1 --catalog " + Quote(dir / "nope.rvc")).exit_code, 1);
}

TEST(CatalogCli, ConeOnAStoreStillWorks) {
    RIVULET_REQUIRE_SHARED("ztf-alerts/alerts/alerce/ZTF19abegmle");
    TempDir dir;
    const auto alerts = SharedDataDir() / "ztf-alerts/alerts/alerce/ZTF19abegmle";
    ASSERT_LE(RunRivulet("ingest " + Quote(alerts) + " --db " + Quote(dir / "s.db")).exit_code, 2);
    auto r = RunRivulet("cone 342.1694257 -0.5510075 5 --db " + Quote(dir / "s.db") + " --json");
    ASSERT_EQ(r.exit_code, 0);
    EXPECT_TRUE(nlohmann::json::parse(r.out).is_array());
    EXPECT_EQ(RunRivulet("cone 342.1694257 -0.5510075 5 --db " + Quote(dir / "missing.db")).exit_code, 1);
}

TEST(XmatchCli, AllNearestAndKeptColumns) {
    TempDir dir;
    WriteText(dir / "cat.csv", "ra_deg,dec_deg,label\n10,10,a\n10.0002,10,\"b,c\"\n50,50,d\n");
    ASSERT_EQ(RunRivulet("catalog import " + Quote(dir / "cat.csv") +
                         " --name t --ra ra_deg --dec dec_deg --keep label --out " + Quote(dir / "t.rvc"))
                  .exit_code,
              0);
    WriteText(dir / "in.csv", "id,ra,dec\nx,10.0001,10\ny,100,0\nz,50,50\n");
    auto r = RunRivulet("xmatch " + Quote(dir / "in.csv") + " --catalog " + Quote(dir / "t.rvc") +
                        " --radius 2 --all --out " + Quote(dir / "all.csv"));
    ASSERT_EQ(r.exit_code, 0);
    auto all = Lines(ReadText(dir / "all.csv"));
    ASSERT_EQ(all.size(), 4u);
    EXPECT_EQ(all[0], "in_row,cat_row,sep_arcsec,label");
    EXPECT_TRUE(all[1].starts_with("0,0,0.354") || all[1].starts_with("0,1,0.354")) << all[1];
    EXPECT_TRUE(all[3].starts_with("2,2,0,d")) << all[3];
    EXPECT_NE(all[1].find("\"b,c\"") == std::string::npos ? all[2].find("\"b,c\"") : 0, std::string::npos);

    r = RunRivulet("xmatch " + Quote(dir / "in.csv") + " --catalog " + Quote(dir / "t.rvc") + " --radius 2 --out " +
                   Quote(dir / "nearest.csv"));
    ASSERT_EQ(r.exit_code, 0);
    auto nearest = Lines(ReadText(dir / "nearest.csv"));
    ASSERT_EQ(nearest.size(), 3u);
    EXPECT_TRUE(nearest[1].starts_with("0,")) << nearest[1];
    EXPECT_TRUE(nearest[2].starts_with("2,2,0,")) << nearest[2];
}

TEST(XmatchCli, BadInputRowIsNamedAndNoOutputIsLeft) {
    TempDir dir;
    WriteText(dir / "cat.csv", "ra,dec\n1,1\n");
    ASSERT_EQ(RunRivulet("catalog import " + Quote(dir / "cat.csv") + " --name x --ra ra --dec dec --out " +
                         Quote(dir / "x.rvc"))
                  .exit_code,
              0);
    WriteText(dir / "in.csv", "ra,dec\n1,1\n2,-91\n");
    const auto err = dir / "err.txt";
    auto r = RunRivulet("xmatch " + Quote(dir / "in.csv") + " --catalog " + Quote(dir / "x.rvc") +
                            " --radius 1 --out " + Quote(dir / "out.csv"),
                        err.string());
    EXPECT_EQ(r.exit_code, 1);
    const std::string msg = ReadText(err);
    EXPECT_NE(msg.find("line 3 (row 1)"), std::string::npos) << msg;
    EXPECT_NE(msg.find("outside [-90, 90]"), std::string::npos) << msg;
    EXPECT_FALSE(std::filesystem::exists(dir / "out.csv"));
    size_t files = 0;
    for ([[maybe_unused]] const auto &e : std::filesystem::directory_iterator(dir.path())) ++files;
    EXPECT_EQ(files, 4u);  // cat.csv, x.rvc, in.csv, err.txt

    r = RunRivulet(
        "catalog import " + Quote(dir / "in.csv") + " --name y --ra ra --dec dec --out " + Quote(dir / "y.rvc"),
        err.string());
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(ReadText(err).find("line 3 (row 1)"), std::string::npos);
    EXPECT_FALSE(std::filesystem::exists(dir / "y.rvc"));
}

}  // namespace
}  // namespace rivulet::testing
