// The tree builder's data layout (stable index partition, compact row copies for subtrees) and the flat
// prediction layout (FlatForest) are optimisations: these tests check them against the plain definitions —
// every leaf's class counts are those of the training rows routed to it, and a prediction is the mean over
// trees of the leaf fractions found by walking each DecisionTree.
#include <gtest/gtest.h>

#include <cmath>
#include <iterator>
#include <limits>
#include <random>
#include <utility>

#include "ml/flat_forest.hpp"
#include "ml/tree_ensemble.hpp"
#include "test_data.hpp"

namespace rivulet::ml {
namespace {

//! Routes every training row down every tree (DecisionTree::Leaf) and checks the leaves' stored counts.
void ExpectLeafCountsAreRoutedRows(const TreeEnsemble &m, const Dataset &ds, const std::vector<double> &class_w) {
    const size_t k = m.n_classes();
    for (const DecisionTree &t : m.trees()) {
        std::vector<double> routed(t.nodes.size() * k, 0.0);
        for (size_t r = 0; r < ds.rows(); ++r) {
            size_t leaf = static_cast<size_t>(t.Leaf(ds.Row(r)));
            routed[leaf * k + static_cast<size_t>(ds.y[r])] += class_w[static_cast<size_t>(ds.y[r])];
        }
        for (size_t n = 0; n < t.nodes.size(); ++n) {
            if (t.nodes[n].feature >= 0) continue;
            for (size_t c = 0; c < k; ++c)
                ASSERT_NEAR(t.counts[n * k + c], routed[n * k + c], 1e-9 * (1 + routed[n * k + c])) << "node " << n;
        }
    }
}

TEST(TreeBuilder, LeafCountsAreTheRowsRoutedThere) {
    // 6000 rows: nodes of 512..750 rows copy their rows into a compact block (1/8 of the matrix), so the
    // copies and the index remapping below them are exercised.
    Dataset ds = testing::Blobs(6000, 6, 21);
    ForestParams p = DefaultForestParams(Algorithm::kExtraTrees);
    p.n_trees = 3;
    p.threads = 2;
    auto m = TreeEnsemble::Train(Algorithm::kExtraTrees, p, ds);
    ExpectLeafCountsAreRoutedRows(*m, ds, {1.0, 1.0});
    // Grown to purity: every leaf holds one class only.
    for (const DecisionTree &t : m->trees())
        for (size_t n = 0; n < t.nodes.size(); ++n)
            if (t.nodes[n].feature < 0) {
                EXPECT_TRUE(t.counts[n * 2] == 0 || t.counts[n * 2 + 1] == 0);
            }
}

TEST(TreeBuilder, WeightedAndMissingPathsRouteConsistently) {
    // Missing values and class weights take the general (weighted) split scoring.
    Dataset ds = testing::Blobs(3000, 5, 22, 3);
    for (size_t r = 0; r < ds.rows(); r += 4) ds.x[r * 5 + (r % 5)] = NAN;
    ForestParams p = DefaultForestParams(Algorithm::kExtraTrees);
    p.n_trees = 3;
    p.threads = 2;
    p.allow_missing = true;
    p.class_weight = "1,2,0.5";
    p.min_samples_leaf = 3;
    auto m = TreeEnsemble::Train(Algorithm::kExtraTrees, p, ds);
    ExpectLeafCountsAreRoutedRows(*m, ds, {1.0, 2.0, 0.5});
    for (const DecisionTree &t : m->trees())
        for (size_t n = 0; n < t.nodes.size(); ++n)
            if (t.nodes[n].feature < 0) {
                double total = 0;
                for (size_t c = 0; c < 3; ++c) total += t.counts[n * 3 + c];
                EXPECT_GE(total, 3 * 0.5);  // min_samples_leaf 3, smallest class weight 0.5
            }
}

TEST(FlatForest, PredictionIsTheMeanOfLeafFractionsTreeByTree) {
    Dataset ds = testing::Blobs(600, 7, 23, 3);
    for (size_t r = 0; r < ds.rows(); r += 5) ds.x[r * 7 + 1] = NAN;
    ForestParams p = DefaultForestParams(Algorithm::kExtraTrees);
    p.n_trees = 12;
    p.threads = 2;
    p.allow_missing = true;
    p.min_samples_leaf = 2;
    auto m = TreeEnsemble::Train(Algorithm::kExtraTrees, p, ds);
    Dataset test = testing::Blobs(203, 7, 24, 3);  // not a multiple of the 32-row walk groups
    for (size_t r = 0; r < test.rows(); r += 3) test.x[r * 7 + (r % 7)] = NAN;
    const size_t k = 3;
    auto batch = m->PredictProba(test.x, test.rows(), 2);
    for (size_t r = 0; r < test.rows(); ++r) {
        std::vector<double> expect(k, 0.0);
        for (const DecisionTree &t : m->trees()) {
            size_t leaf = static_cast<size_t>(t.Leaf(test.Row(r)));
            for (size_t c = 0; c < k; ++c) expect[c] += t.value[leaf * k + c];
        }
        auto one = m->PredictProba(std::span<const float>(test.Row(r), 7), 1, 1);
        for (size_t c = 0; c < k; ++c) {
            // Same doubles added in the same (tree) order: equal, not just close.
            EXPECT_EQ(batch[r * k + c], expect[c] * (1.0 / 12)) << "row " << r << " class " << c;
            EXPECT_EQ(one[c], batch[r * k + c]);
        }
    }
}

TEST(FlatForest, CompactAndWideSlotsWalkToTheSameLeaves) {
    // Both slot layouts, with and without NaN in the rows (the walk skips the NaN test for NaN-free rows),
    // against DecisionTree::Leaf; rows not a multiple of the 32-row groups.
    Dataset ds = testing::Blobs(800, 9, 26, 3);
    for (size_t r = 0; r < ds.rows(); r += 6) ds.x[r * 9 + (r % 9)] = NAN;
    ForestParams p = DefaultForestParams(Algorithm::kExtraTrees);
    p.n_trees = 7;
    p.threads = 2;
    p.allow_missing = true;
    auto m = TreeEnsemble::Train(Algorithm::kExtraTrees, p, ds);
    const size_t k = 3;
    Dataset test = testing::Blobs(77, 9, 27, 3);
    std::vector<float> with_nan = test.x;
    for (size_t r = 0; r < test.rows(); r += 2) with_nan[r * 9 + (r % 9)] = NAN;
    for (auto layout : {FlatForest::Layout::kCompact, FlatForest::Layout::kWide}) {
        FlatForest flat(m->trees(), k, layout);
        EXPECT_EQ(flat.compact(), layout == FlatForest::Layout::kCompact);
        for (const std::vector<float> *x : {&test.x, &with_nan}) {
            std::vector<double> got(test.rows() * k, 0.0), expect(test.rows() * k, 0.0);
            flat.AddLeafValues(x->data(), test.rows(), 9, got.data());
            for (size_t r = 0; r < test.rows(); ++r)
                for (const DecisionTree &t : m->trees()) {
                    size_t leaf = static_cast<size_t>(t.Leaf(x->data() + r * 9));
                    for (size_t c = 0; c < k; ++c) expect[r * k + c] += t.value[leaf * k + c];
                }
            EXPECT_EQ(got, expect) << (layout == FlatForest::Layout::kWide ? "wide" : "compact");
        }
    }
}

//! A random tree, not a trained one: shapes training does not make (long chains, one-sided subtrees, a root
//! leaf), thresholds on a grid the rows also use (so x == threshold, which goes left, happens often), random
//! NaN directions, and leaf fractions drawn from a small pool (shared entries) or fresh (many entries). The grid
//! includes the floats whose order the walk's integer keys must get right: ±0, ±inf, subnormals, the extremes.
float GridValue(std::mt19937_64 &rng) {
    static const float kSpecial[] = {-0.0f, 0.0f, INFINITY, -INFINITY, std::numeric_limits<float>::denorm_min(),
                                     -std::numeric_limits<float>::denorm_min(), std::numeric_limits<float>::max(),
                                     std::numeric_limits<float>::lowest(), std::numeric_limits<float>::min(), -1e-30f};
    if (rng() % 4 == 0) return kSpecial[rng() % std::size(kSpecial)];
    return static_cast<float>(std::uniform_int_distribution<int>(-8, 8)(rng)) * 0.25f;
}

DecisionTree RandomTree(std::mt19937_64 &rng, size_t features, size_t classes, double split_p, size_t max_nodes) {
    DecisionTree t;
    std::uniform_real_distribution<double> u(0, 1);
    auto grid = [&] { return GridValue(rng); };
    std::vector<size_t> depth{0};
    t.nodes.emplace_back();
    for (size_t i = 0; i < t.nodes.size(); ++i) {
        if (t.nodes.size() + 2 > max_nodes || depth[i] > 60 || u(rng) >= (depth[i] < 2 ? 0.95 : split_p)) continue;
        TreeNode &n = t.nodes[i];
        n.feature = static_cast<int32_t>(rng() % features);
        n.threshold = u(rng) < 0.7 ? grid() : static_cast<float>(u(rng) * 4 - 2);
        n.missing_left = static_cast<uint32_t>(rng() % 2);
        n.left = static_cast<int32_t>(t.nodes.size());
        t.nodes.emplace_back();
        t.nodes.emplace_back();
        depth.push_back(depth[i] + 1);
        depth.push_back(depth[i] + 1);
    }
    t.value.assign(t.nodes.size() * classes, 0.0);
    for (size_t i = 0; i < t.nodes.size(); ++i) {
        const bool pooled = u(rng) < 0.5;
        for (size_t c = 0; c < classes; ++c)
            t.value[i * classes + c] = pooled ? static_cast<double>((rng() % 3 + c) % 3) / 2 : u(rng);
    }
    return t;
}

// Both slot layouts, each walked by the baseline code and by the CPU's choice (the BMI2 build of the walk
// on x86-64 CPUs that have it, which the test machines do).
constexpr std::pair<FlatForest::Layout, FlatForest::Isa> kLayoutsAndIsas[] = {
    {FlatForest::Layout::kCompact, FlatForest::Isa::kBaseline},
    {FlatForest::Layout::kCompact, FlatForest::Isa::kAuto},
    {FlatForest::Layout::kWide, FlatForest::Isa::kBaseline},
    {FlatForest::Layout::kWide, FlatForest::Isa::kAuto},
};

TEST(FlatForest, LaneWalkEqualsTreeByTreeWalkOnRandomForests) {
    // The batch walk (rows in lanes that take a new row when theirs reaches a leaf, next slots prefetched)
    // against DecisionTree::Leaf one row at a time: same leaves, same doubles added in tree order. Row
    // counts below, at and above the lane count (128), cells and thresholds at ±0, ±inf, subnormals and the
    // extremes (the walk compares integer keys), with and without NaN cells (NaN goes the node's
    // stored direction; NaN-free batches skip that test), both slot layouts.
    std::mt19937_64 rng(31);
    const size_t features = 11, classes = 3;
    std::vector<DecisionTree> trees;
    trees.push_back(RandomTree(rng, features, classes, 0.0, 1));  // a root leaf
    for (double p : {0.55, 0.7, 0.9, 0.9, 0.6})
        for (int i = 0; i < 3; ++i) trees.push_back(RandomTree(rng, features, classes, p, 5000));
    size_t deepest = 0;
    for (const DecisionTree &t : trees) deepest = std::max(deepest, t.nodes.size());
    ASSERT_GT(deepest, 1000u);  // some trees are large enough that rows end at very different depths
    std::uniform_real_distribution<double> u(0, 1);
    for (size_t rows : {size_t{0}, size_t{1}, size_t{127}, size_t{128}, size_t{129}, size_t{1000}}) {
        std::vector<float> x(rows * features);
        for (float &v : x) v = u(rng) < 0.5 ? GridValue(rng) : static_cast<float>(u(rng) * 5 - 2.5);
        std::vector<float> with_nan = x;
        for (float &v : with_nan)
            if (u(rng) < 0.15) v = NAN;
        for (auto [layout, isa] : kLayoutsAndIsas) {
            FlatForest flat(trees, classes, layout, isa);
            if (isa == FlatForest::Isa::kBaseline) EXPECT_FALSE(flat.bmi2());
#if defined(__x86_64__)
            // So that this test walks the BMI2 build wherever the CPU can run it.
            else EXPECT_EQ(flat.bmi2(), __builtin_cpu_supports("bmi2") != 0);
#endif
            for (const std::vector<float> *xs : {&x, &with_nan}) {
                // out starts non-zero: the walk adds to it.
                std::vector<double> got(rows * classes), expect;
                for (double &v : got) v = u(rng);
                expect = got;
                flat.AddLeafValues(xs->data(), rows, features, got.data());
                for (size_t r = 0; r < rows; ++r)
                    for (const DecisionTree &t : trees) {
                        const size_t leaf = static_cast<size_t>(t.Leaf(xs->data() + r * features));
                        for (size_t c = 0; c < classes; ++c) expect[r * classes + c] += t.value[leaf * classes + c];
                    }
                EXPECT_EQ(got, expect) << rows << " rows, " << (xs == &x ? "no NaN" : "NaN") << ", "
                                       << (layout == FlatForest::Layout::kWide ? "wide" : "compact") << ", "
                                       << (flat.bmi2() ? "BMI2" : "baseline") << " walk";
            }
        }
    }
}

TEST(FlatForest, WideRowsAreConvertedInChunks) {
    // Rows are converted to keys at most 16 MB at a time; 40,000 columns make that 104 rows, so 300 rows walk
    // in chunks of 128 (the lane count), 128 and 44. NaN only in the last chunk: the first two take the walk
    // without the NaN test, the last the one with it. Same leaves and sums as tree by tree.
    std::mt19937_64 rng(77);
    const size_t split_features = 11, columns = 40000, classes = 2, rows = 300;
    std::vector<DecisionTree> trees;
    for (int i = 0; i < 6; ++i) trees.push_back(RandomTree(rng, split_features, classes, 0.8, 3000));
    std::uniform_real_distribution<double> u(0, 1);
    std::vector<float> x(rows * columns, 0.0f);
    for (size_t r = 0; r < rows; ++r)
        for (size_t f = 0; f < split_features; ++f)
            x[r * columns + f] = r >= 256 && u(rng) < 0.2 ? NAN : static_cast<float>(u(rng) * 5 - 2.5);
    FlatForest flat(trees, classes);
    std::vector<double> got(rows * classes, 0.0), expect(rows * classes, 0.0);
    flat.AddLeafValues(x.data(), rows, columns, got.data());
    for (size_t r = 0; r < rows; ++r)
        for (const DecisionTree &t : trees) {
            const size_t leaf = static_cast<size_t>(t.Leaf(x.data() + r * columns));
            for (size_t c = 0; c < classes; ++c) expect[r * classes + c] += t.value[leaf * classes + c];
        }
    EXPECT_EQ(got, expect);
}

TEST(FlatForest, PureLeavesShareTheirClassFractions) {
    // Grown to purity, every leaf's fractions are one of `classes` unit vectors: the table the walk reads
    // at the end of each tree holds just those (bitwise-equal vectors are stored once).
    Dataset ds = testing::Blobs(1000, 6, 28, 3);
    ForestParams p = DefaultForestParams(Algorithm::kExtraTrees);
    p.n_trees = 5;
    auto m = TreeEnsemble::Train(Algorithm::kExtraTrees, p, ds);
    FlatForest flat(m->trees(), 3);
    EXPECT_TRUE(flat.compact());
    EXPECT_EQ(flat.distinct_leaf_values(), 3u);
}

TEST(FlatForest, SingleLeafTreesPredictTheClassFractions) {
    Dataset ds = testing::Blobs(90, 3, 25);
    ds.y[0] = 1;  // 46 of class 1, 44 of class 0
    ForestParams p = DefaultForestParams(Algorithm::kExtraTrees);
    p.n_trees = 3;
    p.min_samples_split = 1000;  // no node may split: each tree is its root leaf
    auto m = TreeEnsemble::Train(Algorithm::kExtraTrees, p, ds);
    for (const DecisionTree &t : m->trees()) EXPECT_EQ(t.nodes.size(), 1u);
    auto proba = m->PredictProba(ds.x, ds.rows(), 2);
    for (size_t r = 0; r < ds.rows(); ++r) {
        EXPECT_NEAR(proba[r * 2], 44.0 / 90, 1e-15);
        EXPECT_NEAR(proba[r * 2 + 1], 46.0 / 90, 1e-15);
    }
}

}  // namespace
}  // namespace rivulet::ml
