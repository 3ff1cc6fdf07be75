// rivulet score / cnn train / cnn evaluate, run as a user would, on the real shared data.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/run_command.hpp"
#include "dl_test_data.hpp"
#include "support/temp_dir.hpp"

namespace rivulet::testing {
namespace {

std::vector<std::string> Cells(const std::string &line) {
    std::vector<std::string> cells(1);
    for (char c : line) {
        if (c == ',') cells.emplace_back();
        else cells.back() += c;
    }
    return cells;
}

TEST(DlCli, ScorePrintsCandidScoreDrb) {
    RIVULET_REQUIRE_SHARED("../models/braai/d6_m7.weights.h5");
    RIVULET_REQUIRE_SHARED("ztf-alerts/alerts");
    TempDir dir;
    auto r = RunRivulet("score --model " + Quote(BraaiModel("d6_m7")) + " " + Quote(SharedDataDir() / "ztf-alerts/alerts"),
                        (dir / "stderr.txt").string());
    // Schema-1 alerts carry JPEG stamps, which braai cannot score: they are reported, so the exit code is 2.
    EXPECT_EQ(r.exit_code, 2);
    std::istringstream out(r.out);
    std::string line;
    std::getline(out, line);
    EXPECT_EQ(line, "candid,score,drb");
    std::size_t rows = 0, with_drb = 0, close = 0, unscored = 0;
    while (std::getline(out, line)) {
        auto c = Cells(line);
        ASSERT_EQ(c.size(), 3u) << line;
        ++rows;
        with_drb += !c[2].empty();
        if (c[1].empty()) {
            ++unscored;
            continue;
        }
        double s = std::stod(c[1]);
        EXPECT_GE(s, 0.0);
        EXPECT_LE(s, 1.0);
        if (!c[2].empty()) close += std::abs(s - std::stod(c[2])) < 1e-4;
    }
    EXPECT_EQ(rows, 873u);  // every decodable alert of ../shared/data/ztf-alerts/index.csv
    EXPECT_EQ(with_drb, 251u);
    EXPECT_EQ(close, 166u);   // all scored ones but ZTF's schema-3.3 example packet (see braai_agreement_test.cpp)
    EXPECT_EQ(unscored, 227u);  // 139 JPEG-stamp (schema 1.x) alerts, 88 without cutouts
    std::ifstream err(dir / "stderr.txt");
    std::stringstream ss;
    ss << err.rdbuf();
    EXPECT_NE(ss.str().find("[cutout_format]"), std::string::npos);

    auto bad = RunRivulet("score --model " + Quote(dir / "nonexistent") + " " + Quote(SharedDataDir() / "ztf-alerts/alerts"));
    EXPECT_NE(bad.exit_code, 0);
    EXPECT_EQ(bad.out, "");
}

TEST(DlCli, TrainAndEvaluateStarGalaxy) {
    // The real 20×20 ZTF i-band star/galaxy cutouts: a short braai training run (a few epochs) already separates
    // the classes far better than chance on the held-out 20 %.
    RIVULET_REQUIRE_SHARED("star_galaxy/ztf_iband_cutouts_legacy_labels/cutouts_20x20_f32.npy");
    const auto data = SharedDataDir() / "star_galaxy/ztf_iband_cutouts_legacy_labels";
    TempDir dir;
    auto train = RunRivulet("cnn train --data " + Quote(data / "cutouts_20x20_f32.npy") + " --labels " +
                            Quote(data / "labels.csv") + " --label label --positive star --arch braai" +
                            " --normalization sky_l2 --epochs 8 --patience 4 --seed 1 --threads 2 --out " + Quote(dir / "sg") +
                            " --plots " + Quote(dir / "val") + " --json");
    ASSERT_EQ(train.exit_code, 0);
    auto summary = nlohmann::json::parse(train.out);
    EXPECT_EQ(summary["model_version"], "braai_sky_l2");
    EXPECT_EQ(summary["n_holdout"], 240);  // 20 % of the 1,200 images in the shared copy
    EXPECT_TRUE(std::filesystem::exists(dir / "sg.architecture.json"));
    EXPECT_TRUE(std::filesystem::exists(dir / "sg.weights.h5"));
    EXPECT_TRUE(std::filesystem::exists(dir / "val" / "roc.svg"));

    auto eval = RunRivulet("cnn evaluate --model " + Quote(dir / "sg") + " --data " + Quote(data / "cutouts_20x20_f32.npy") +
                           " --labels " + Quote(data / "labels.csv") + " --label label --positive star --holdout --json" +
                           " --plots " + Quote(dir / "holdout") + " --scores " + Quote(dir / "scores.csv"));
    ASSERT_EQ(eval.exit_code, 0);
    auto m = nlohmann::json::parse(eval.out);
    EXPECT_EQ(m["rows"], 240);
    EXPECT_GT(m["accuracy"].get<double>(), 0.8);
    EXPECT_GT(m["auc"].get<double>(), 0.85);
    EXPECT_TRUE(std::filesystem::exists(dir / "holdout" / "score_cdf.svg"));
    std::ifstream scores(dir / "scores.csv");
    std::string line;
    std::getline(scores, line);
    EXPECT_EQ(line, "id,score,label");

    auto text = RunRivulet("cnn evaluate --model " + Quote(dir / "sg") + " --data " + Quote(data / "cutouts_20x20_f32.npy") +
                           " --labels " + Quote(data / "labels.csv") + " --label label --positive star --holdout");
    EXPECT_EQ(text.exit_code, 0);
    EXPECT_NE(text.out.find("TPR@FPR0.5%"), std::string::npos);
}

}  // namespace
}  // namespace rivulet::testing
