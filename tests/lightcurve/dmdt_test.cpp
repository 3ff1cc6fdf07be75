#include <gtest/gtest.h>

#include <fstream>

#include "lightcurve/dmdt.hpp"
#include "support/temp_dir.hpp"

namespace rivulet::lightcurve {
namespace {

TEST(Dmdt, CountsPairsInThePaperBins) {
    Series s{{0, 0.001, 10.5}, {15, 15.05, 16}, {0.1, 0.1, 0.1}};
    auto img = MakeDmdt(s);
    ASSERT_TRUE(img.ok());
    EXPECT_EQ(img->dm_bins, 22);
    EXPECT_EQ(img->dt_bins, 24);
    EXPECT_EQ(img->pairs, 3u);
    EXPECT_EQ(img->pairs_outside, 0u);
    double total = 0;
    for (double d : img->density) total += d;
    EXPECT_DOUBLE_EQ(total, 1.0);
    // dm = +0.05, dt = 0.001 d: row of [0, 0.1), column of [0, 1/145).
    EXPECT_DOUBLE_EQ(img->density[11 * 24 + 0], 1.0 / 3);
    EXPECT_EQ(img->pixels[11 * 24 + 0], 85);  // floor(255/3 + 0.99999)
    EXPECT_EQ(img->pixels[0], 0);
}

TEST(Dmdt, BadEdgesAndNpyOutput) {
    DmdtBins bins;
    bins.dt_edges = {1, 1};
    Series s{{0, 1}, {1, 2}, {0.1, 0.1}};
    EXPECT_EQ(MakeDmdt(s, bins).error().reason, "bad_bins");
    auto img = MakeDmdt(s);
    ASSERT_TRUE(img.ok());
    testing::TempDir dir;
    WriteDmdtNpy(*img, dir / "a.npy");
    std::ifstream in(dir / "a.npy", std::ios::binary);
    std::string all((std::istreambuf_iterator<char>(in)), {});
    EXPECT_EQ(all.substr(1, 5), "NUMPY");
    EXPECT_EQ(all.size(), 128u + 22 * 24 * 4);
}

}  // namespace
}  // namespace rivulet::lightcurve
