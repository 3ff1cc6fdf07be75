// Cross-matching the shared real ZTF alerts (positions of ztf-alerts/index.csv) against real catalogs —
// GCVS (degrees) and the BTS SN Ia list (sexagesimal) — at the paper's 3″ TNS radius gives the same
// pairs as astropy (search_around_sky for --all, match_coordinates_sky for --nearest) on the same files.
// astropy comes from Debian python3-astropy under /usr/bin/python3.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>

#include "cli/run_command.hpp"
#include "support/csv.hpp"
#include "support/shared_data.hpp"
#include "support/temp_dir.hpp"
#include "xmatch/catalog_fixtures.hpp"

namespace rivulet::testing {
namespace {

struct Pair {
    uint64_t in_row, cat_row;
    double sep;
};

std::vector<Pair> ReadPairs(const std::filesystem::path &p) {
    std::vector<Pair> out;
    std::istringstream in(ReadText(p));
    std::string line;
    std::getline(in, line);
    EXPECT_TRUE(line.starts_with("in_row,cat_row,sep_arcsec")) << p << ": " << line;
    while (std::getline(in, line)) {
        const auto cells = SplitCsvLine(line);
        out.push_back({std::stoull(cells.at(0)), std::stoull(cells.at(1)), std::stod(cells.at(2))});
    }
    return out;
}

bool HaveAstropy() { return std::system("/usr/bin/python3 -c 'import astropy, scipy' >/dev/null 2>&1") == 0; }

struct CatalogCase {
    const char *file, *ra, *dec, *keep;
};

void CompareWithAstropy(const CatalogCase &c, double radius, const char *mode, size_t min_pairs) {
    TempDir dir;
    const auto alerts = SharedDataDir() / "ztf-alerts/index.csv";
    const auto catalog = SharedDataDir() / c.file;
    auto r = RunRivulet("catalog import " + Quote(catalog) + " --name ref --ra " + c.ra + " --dec " + c.dec +
                        " --keep " + c.keep + " --out " + Quote(dir / "ref.rvc"));
    ASSERT_EQ(r.exit_code, 0);
    r = RunRivulet("xmatch " + Quote(alerts) + " --catalog " + Quote(dir / "ref.rvc") + " --radius " +
                   std::to_string(radius) + " --" + mode + " --out " + Quote(dir / "ours.csv"));
    ASSERT_EQ(r.exit_code, 0);
    const std::string script = std::string(RIVULET_SOURCE_DIR) + "/tests/xmatch/astropy_xmatch.py";
    const std::string cmd = "/usr/bin/python3 " + Quote(script) + " " + Quote(alerts) + " ra dec " + Quote(catalog) +
                            " " + c.ra + " " + c.dec + " " + std::to_string(radius) + " " + mode + " " +
                            Quote(dir / "astropy.csv");
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    const auto ours = ReadPairs(dir / "ours.csv"), theirs = ReadPairs(dir / "astropy.csv");
    EXPECT_GE(ours.size(), min_pairs);
    ASSERT_EQ(ours.size(), theirs.size()) << c.file << " " << mode;
    for (size_t i = 0; i < ours.size(); ++i) {
        EXPECT_EQ(ours[i].in_row, theirs[i].in_row) << i;
        EXPECT_EQ(ours[i].cat_row, theirs[i].cat_row) << i;
        EXPECT_NEAR(ours[i].sep, theirs[i].sep, 1e-6) << i;
    }
}

const CatalogCase kGcvs{"catalogs/gcvs_positions_types/gcvs.csv", "ra_deg", "dec_deg", "vartype"};
const CatalogCase kBts{"catalogs/ztf_bts_snia/bts_snia_table.csv", "RA", "Dec", "ZTFID,IAUID,type,redshift"};

class AstropyAgreement : public ::testing::Test {
protected:
    void SetUp() override {
        RIVULET_REQUIRE_SHARED("ztf-alerts/index.csv");
        RIVULET_REQUIRE_SHARED("catalogs/gcvs_positions_types/gcvs.csv");
        RIVULET_REQUIRE_SHARED("catalogs/ztf_bts_snia/bts_snia_table.csv");
        if (!HaveAstropy()) {
            if (UnderCi()) FAIL() << "/usr/bin/python3 lacks astropy/scipy under CI";
            GTEST_SKIP() << "/usr/bin/python3 lacks astropy or scipy (Debian python3-astropy python3-scipy)";
        }
    }
};

TEST_F(AstropyAgreement, GcvsAt3Arcsec) {
    CompareWithAstropy(kGcvs, 3, "all", 10);
    CompareWithAstropy(kGcvs, 3, "nearest", 10);
}

TEST_F(AstropyAgreement, BtsAt3Arcsec) {
    CompareWithAstropy(kBts, 3, "all", 3);
    CompareWithAstropy(kBts, 3, "nearest", 3);
}

// A wider radius finds many more pairs, so the agreement is tested on more than a handful.
TEST_F(AstropyAgreement, GcvsAt10Arcmin) { CompareWithAstropy(kGcvs, 600, "all", 20); }

}  // namespace
}  // namespace rivulet::testing
