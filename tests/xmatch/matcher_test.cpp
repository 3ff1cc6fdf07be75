// CatalogMatcher, the pipeline's hook: nearest source per configured catalog, kept columns typed, and
// off-sky positions answered with no match rather than an error.

#include <gtest/gtest.h>

#include <cmath>

#include "common/error.hpp"
#include "support/temp_dir.hpp"
#include "xmatch/catalog_fixtures.hpp"
#include "xmatch/catalog_matcher.hpp"

namespace rivulet::testing {
namespace {

TEST(CatalogMatcher, NearestPerCatalogWithColumns) {
    TempDir dir;
    WriteText(dir / "a.csv", "ra,dec,vartype,period\n10,10,RRAB,0.5\n10.0002,10,EW,\n");
    WriteText(dir / "b.csv", "ra,dec,id\n10.0005,10,7\n");
    Import(dir / "a.csv", dir / "a.rvc", {"vartype", "period"});
    Import(dir / "b.csv", dir / "b.rvc", {"id"});
    xmatch::CatalogMatcher matcher({{"gcvs", dir / "a.rvc", 3.0}, {"", dir / "b.rvc", 1.0}});
    EXPECT_EQ(matcher.specs()[1].name, "test");  // the name stored in the file
    const std::vector<xmatch::SkyPosition> positions = {{10.00005, 10}, {NAN, 10}, {10.0005, 10.00001}, {200, 95}};
    const auto result = matcher.Match(positions, 2);
    ASSERT_EQ(result.size(), 4u);
    ASSERT_EQ(result[0].size(), 1u);  // b is 1.6″ away, beyond its 1″ radius
    EXPECT_EQ(result[0][0].catalog, "gcvs");
    EXPECT_EQ(result[0][0].cat_row, 0u);
    EXPECT_EQ(std::get<std::string>(result[0][0].columns[0].second), "RRAB");
    EXPECT_EQ(std::get<double>(result[0][0].columns[1].second), 0.5);
    EXPECT_TRUE(result[1].empty());
    ASSERT_EQ(result[2].size(), 2u);
    EXPECT_EQ(result[2][0].cat_row, 1u);
    EXPECT_TRUE(std::holds_alternative<std::monostate>(result[2][0].columns[1].second));
    EXPECT_EQ(result[2][1].catalog, "test");
    EXPECT_EQ(std::get<int64_t>(result[2][1].columns[0].second), 7);
    EXPECT_TRUE(result[3].empty());
}

TEST(CatalogMatcher, RefusesBadConfiguration) {
    TempDir dir;
    WriteText(dir / "a.csv", "ra,dec\n1,1\n");
    Import(dir / "a.csv", dir / "a.rvc");
    EXPECT_THROW(xmatch::CatalogMatcher({{"x", dir / "a.rvc", -1}}), RivuletError);
    EXPECT_THROW(xmatch::CatalogMatcher({{"x", dir / "a.rvc", 1}, {"x", dir / "a.rvc", 2}}), RivuletError);
    EXPECT_THROW(xmatch::CatalogMatcher({{"x", dir / "missing.rvc", 1}}), RivuletError);
}

}  // namespace
}  // namespace rivulet::testing
