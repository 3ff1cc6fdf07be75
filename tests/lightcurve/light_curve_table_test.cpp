#include <gtest/gtest.h>

#include <zlib.h>

#include <cmath>
#include <fstream>

#include "common/error.hpp"
#include "lightcurve/light_curve_table.hpp"
#include "support/temp_dir.hpp"

namespace rivulet::lightcurve {
namespace {

TEST(LightCurveTable, GroupsByIdAndBandAndReadsGzip) {
    testing::TempDir dir;
    const std::string text = "oid,jd,m,e,f\na,1,15,0.1,g\nb,1,16,0.1,r\na,2,x,0.1,g\na,3,15.5,0.1,r\n";
    {
        gzFile f = gzopen((dir / "lc.csv.gz").c_str(), "wb");
        gzwrite(f, text.data(), static_cast<unsigned>(text.size()));
        gzclose(f);
    }
    auto objs = ReadLightCurveTable(dir / "lc.csv.gz", TableColumns{"oid", "jd", "m", "e", "f"});
    ASSERT_EQ(objs.size(), 2u);
    EXPECT_EQ(objs[0].id, "a");
    ASSERT_EQ(objs[0].bands.size(), 2u);
    EXPECT_EQ(objs[0].bands[0].band, "g");
    EXPECT_EQ(objs[0].bands[0].t.size(), 2u);
    EXPECT_TRUE(std::isnan(objs[0].bands[0].mag[1]));  // unparsable: NaN, dropped and counted by CleanSeries
}

TEST(LightCurveTable, MissingColumnNamesFileAndHeader) {
    testing::TempDir dir;
    std::ofstream(dir / "lc.csv") << "id,time,mag\n1,2,3\n";
    try {
        ReadLightCurveTable(dir / "lc.csv", TableColumns{});
        FAIL();
    } catch (const RivuletError &e) {
        EXPECT_NE(std::string(e.what()).find("no column 'err'"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("lc.csv"), std::string::npos);
    }
    EXPECT_THROW(ReadLightCurveTable(dir / "missing.csv", TableColumns{}), RivuletError);
}

}  // namespace
}  // namespace rivulet::lightcurve
