// CNN training: learns a clear synthetic task, is reproducible from its seed, keeps the held-out rows out of
// training and records them, and augments without changing labels.
#include <gtest/gtest.h>

#include <algorithm>

#include "common/error.hpp"
#include "dl/training.hpp"
#include "dl_test_data.hpp"
#include "ml/metrics.hpp"

namespace rivulet::testing {
namespace {

dl::TrainOptions Quick(uint64_t seed) {
    dl::TrainOptions o;
    o.arch = "small";
    o.normalization = dl::Normalization::kSkyL2;
    o.max_epochs = 6;
    o.patience = 3;
    o.batch_size = 32;
    o.seed = seed;
    o.threads = 1;  // bit-reproducible: one thread sums gradients in one order
    return o;
}

TEST(CnnTraining, LearnsNarrowVersusWideBlobs) {
    dl::ImageSet s = SyntheticBlobs(400, 20, 11);
    dl::TrainResult r = dl::TrainCnn(s, Quick(5));
    EXPECT_EQ(r.holdout_rows.size(), 80u);  // 20 % of each class
    EXPECT_GE(r.best_epoch, 1);
    EXPECT_LE(r.history.size(), 6u);
    // Splits are disjoint and cover every row.
    std::vector<std::size_t> all = r.train_rows;
    all.insert(all.end(), r.validation_rows.begin(), r.validation_rows.end());
    all.insert(all.end(), r.holdout_rows.begin(), r.holdout_rows.end());
    std::sort(all.begin(), all.end());
    ASSERT_EQ(all.size(), 400u);
    for (std::size_t i = 0; i < all.size(); ++i) ASSERT_EQ(all[i], i);
    EXPECT_EQ(r.model.metadata["training"]["holdout_rows"].get<std::vector<std::size_t>>(), r.holdout_rows);
    EXPECT_EQ(r.model.metadata["normalization"], "sky_l2");

    dl::ImageSet held = s.Subset(r.holdout_rows);
    auto scores = dl::PredictCnn(r.model, held);
    auto m = ml::EvaluateBinary(scores, held.label);
    EXPECT_GT(m.auc, 0.97);
    EXPECT_GT(m.accuracy, 0.9);
}

TEST(CnnTraining, SameSeedSameModel) {
    dl::ImageSet s = SyntheticBlobs(120, 20, 3);
    auto o = Quick(9);
    o.max_epochs = 2;
    dl::TrainResult a = dl::TrainCnn(s, o), b = dl::TrainCnn(s, o);
    EXPECT_EQ(a.holdout_rows, b.holdout_rows);
    ASSERT_EQ(a.model.weights.size(), b.model.weights.size());
    for (std::size_t i = 0; i < a.model.weights.size(); ++i)
        for (std::size_t k = 0; k < a.model.weights[i].size(); ++k)
            EXPECT_EQ(a.model.weights[i][k].values, b.model.weights[i][k].values) << "layer " << i;
    o.seed = 10;
    dl::TrainResult c = dl::TrainCnn(s, o);
    EXPECT_NE(c.holdout_rows, a.holdout_rows);
}

TEST(CnnTraining, RejectsUnusableData) {
    dl::ImageSet s = SyntheticBlobs(40, 20, 1);
    std::fill(s.label.begin(), s.label.end(), 1);
    EXPECT_THROW(dl::TrainCnn(s, Quick(1)), RivuletError);
    dl::ImageSet tiny = SyntheticBlobs(10, 20, 1);
    EXPECT_THROW(dl::TrainCnn(tiny, Quick(1)), RivuletError);
    dl::ImageSet ok = SyntheticBlobs(40, 20, 1);
    auto o = Quick(1);
    o.arch = "vgg16";
    EXPECT_THROW(dl::TrainCnn(ok, o), RivuletError);
}

TEST(CnnTraining, StratifiedSplitKeepsClassShares) {
    std::vector<uint8_t> labels(100, 0);
    for (int i = 0; i < 30; ++i) labels[static_cast<std::size_t>(i)] = 1;
    std::vector<std::size_t> rows(100);
    for (std::size_t i = 0; i < 100; ++i) rows[i] = i;
    auto [first, second] = dl::StratifiedSplit(labels, rows, 0.2, 4);
    EXPECT_EQ(first.size(), 20u);
    EXPECT_EQ(std::count_if(first.begin(), first.end(), [&](std::size_t r) { return labels[r] == 1; }), 6);
    EXPECT_EQ(second.size(), 80u);
}

}  // namespace
}  // namespace rivulet::testing
