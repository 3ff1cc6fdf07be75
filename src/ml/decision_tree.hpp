#pragma once
// One classification tree, stored flat for fast prediction, and its builder. The builder implements both
// split rules of scikit-learn's trees: the extremely randomised split (ExtraTrees, Geurts et al. 2006:
// one uniform random threshold per candidate feature) and the best split (random forest).
//
// Missing values (NaN) are handled explicitly: thresholds are drawn/searched on the present values only,
// then the node sends its missing samples to whichever side gives the better Gini gain, and remembers that
// side (XGBoost's "default direction"). A node that saw no missing values at training sends them to its
// larger child. Nothing here replaces NaN by a number.

#include <cstdint>
#include <random>
#include <span>
#include <vector>

namespace rivulet::ml {

struct TreeNode {
    float threshold = 0;   //!< x <= threshold goes left
    int32_t feature = -1;  //!< -1: leaf
    int32_t left = -1;     //!< right child is left + 1 (children are allocated together)
    uint32_t missing_left = 0;  //!< 1: NaN goes left
};

struct DecisionTree {
    std::vector<TreeNode> nodes;  //!< nodes[0] is the root
    //! nodes × classes: weighted class counts of the training samples that reached each node.
    std::vector<double> counts;
    //! nodes × classes: counts normalised to fractions (what predict_proba averages).
    std::vector<double> value;

    //! Index of the leaf `row` ends in.
    int32_t Leaf(const float *row) const {
        int32_t n = 0;
        while (nodes[static_cast<size_t>(n)].feature >= 0) {
            const TreeNode &node = nodes[static_cast<size_t>(n)];
            float v = row[node.feature];
            int32_t right = v <= node.threshold ? 0 : 1;
            if (v != v) right = node.missing_left ? 0 : 1;  // NaN: the learned default direction
            n = node.left + right;
        }
        return n;
    }
    //! Recomputes `value` (and inner-node counts from their leaves) after `counts` of leaves are set.
    void FinishFromLeafCounts(size_t classes);
};

struct TreeParams {
    int max_features = 1;        //!< candidate features per split (non-constant ones)
    int max_depth = 0;           //!< 0: unlimited (grow to purity)
    int min_samples_split = 2;
    int min_samples_leaf = 1;
    bool best_split = false;     //!< false: ExtraTrees random thresholds; true: exhaustive best split
};

//! Grows one tree on column-major features. Not thread-safe; use one builder per thread.
class TreeBuilder {
public:
    //! `x_cols`: features × rows column-major; `y`: class per row; `w`: sample weight per row (class weight ×
    //! bootstrap multiplicity; 0 = not used).
    TreeBuilder(std::span<const float> x_cols, size_t rows, size_t features, std::span<const int32_t> y,
                size_t classes, const TreeParams &params);
    DecisionTree Build(std::span<const double> w, std::mt19937_64 &rng);

private:
    struct Split {
        int32_t feature = -1;
        float threshold = 0;
        bool missing_left = false;
        double proxy = 0;
    };
    bool FindSplit(size_t start, size_t end, const double *node_counts, Split &best, std::mt19937_64 &rng);
    void ScoreCandidate(int32_t f, float threshold, size_t start, size_t end, const double *node_counts,
                        Split &best);
    void BestSplitOfFeature(int32_t f, size_t start, size_t end, const double *node_counts, Split &best);

    std::span<const float> x_;
    size_t rows_, features_;
    std::span<const int32_t> y_;
    size_t classes_;
    TreeParams params_;
    std::span<const double> w_;
    std::vector<uint32_t> samples_;
    std::vector<int32_t> feature_order_;
    std::vector<float> buffer_;
    std::vector<int32_t> node_y_;  //!< labels of the node's samples, contiguous (one gather per node, not per feature)
    std::vector<double> node_w_;   //!< their weights
    std::vector<uint32_t> order_;
    std::vector<double> scratch_;
};

}  // namespace rivulet::ml
