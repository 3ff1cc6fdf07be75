#include <gtest/gtest.h>

#include "ml/cross_validation.hpp"
#include "ml/metrics.hpp"

namespace rivulet::ml {
namespace {

TEST(Metrics, AucCountsTiesHalf) {
    std::vector<double> s{0.1, 0.4, 0.35, 0.8};
    std::vector<uint8_t> y{0, 0, 1, 1};
    EXPECT_DOUBLE_EQ(Auc(s, y), 0.75);  // scikit-learn's roc_auc_score gives 0.75
    std::vector<double> tie{0.5, 0.5};
    std::vector<uint8_t> ty{0, 1};
    EXPECT_DOUBLE_EQ(Auc(tie, ty), 0.5);
}

TEST(Metrics, RatesAtThresholdAndFixedFpr) {
    // 100 negatives at scores 0.00 .. 0.99, 10 positives at 0.50 .. 0.59.
    std::vector<double> s;
    std::vector<uint8_t> y;
    for (int i = 0; i < 100; ++i) s.push_back(i / 100.0), y.push_back(0);
    for (int i = 0; i < 10; ++i) s.push_back(0.5 + i * 0.01), y.push_back(1);
    BinaryMetrics m = EvaluateBinary(s, y, 0.5, 0.01);
    EXPECT_EQ(m.n_positive, 10u);
    EXPECT_DOUBLE_EQ(m.fnr, 0.0);
    EXPECT_DOUBLE_EQ(m.fpr, 0.5);  // negatives 0.50..0.99
    // At FPR <= 1% only the top negative (0.99) may pass, and no positive scores that high: TPR 0.
    EXPECT_DOUBLE_EQ(m.fnr_at_fixed_fpr, 1.0);
}

TEST(CrossValidation, StratifiedFoldsKeepProportions) {
    std::vector<int32_t> y;
    for (int i = 0; i < 100; ++i) y.push_back(i < 30 ? 1 : 0);
    auto fold = StratifiedFolds(y, 2, 10, 7);
    for (int f = 0; f < 10; ++f) {
        int pos = 0, n = 0;
        for (size_t i = 0; i < y.size(); ++i)
            if (fold[i] == f) ++n, pos += y[i];
        EXPECT_EQ(n, 10);
        EXPECT_EQ(pos, 3);
    }
}

}  // namespace
}  // namespace rivulet::ml
