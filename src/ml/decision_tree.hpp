#pragma once
// One classification tree as trained (nodes, class counts, class fractions) and its builder. The builder
// implements both split rules of scikit-learn's trees: the extremely randomised split (ExtraTrees, Geurts et
// al. 2006: one uniform random threshold per candidate feature, drawn between the node's min and max) and the
// best split (random forest). Prediction does not walk these trees: TreeEnsemble flattens them into a
// FlatForest (flat_forest.hpp).
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
    std::vector<TreeNode> nodes;  //!< nodes[0] is the root; children come after their parent
    //! nodes × classes: weighted class counts of the training samples that reached each node.
    std::vector<double> counts;
    //! nodes × classes: counts normalised to fractions (what predict_proba averages).
    std::vector<double> value;

    //! Index of the leaf `row` ends in (one row at a time; batch prediction uses FlatForest).
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

//! Grows trees on one training set. Not thread-safe; use one builder per thread (they may share the data).
//!
//! Layout, chosen for memory traffic (the split search is bound by it, not by arithmetic): features stay
//! row-major as read, and a node is a range of a sample-index array kept sorted by row within every node
//! (the partition is stable). A node gathers only its candidate features, reading each sample's row once.
//! When a node's rows are a small fraction of the matrix it reads, it copies them into a compact block that
//! its subtree reads instead, so deeper nodes hit the cache instead of scattered memory. The node's labels
//! (and weights, when bootstrapped) move with the index array, so they are never gathered.
//! Without bootstrap every weight is its class weight, so a candidate split is scored from integer class
//! counts of one pass over a contiguous float buffer.
class TreeBuilder {
public:
    //! `x`: rows × features, row-major (NaN = missing); `y`: class per row, in [0, class_weight.size());
    //! `class_weight`: weight of each class (all 1 for none).
    TreeBuilder(std::span<const float> x, size_t rows, size_t features, std::span<const int32_t> y,
                std::span<const double> class_weight, const TreeParams &params);
    //! Grows one tree. `multiplicity`: how many times each row was drawn (bootstrap; 0 = not used), or empty
    //! for every row once.
    DecisionTree Build(std::span<const uint32_t> multiplicity, std::mt19937_64 &rng);

private:
    struct Split {
        int32_t feature = -1;
        size_t slot = 0;  //!< where the feature's values are in buffer_
        float threshold = 0;
        bool missing_left = false;
        double proxy = 0;
    };
    bool FindSplit(size_t start, size_t end, const double *node_counts, Split &best, std::mt19937_64 &rng);
    //! Scores `x <= threshold` for the node's values `v` (one candidate feature).
    void ScoreCandidate(const float *v, size_t n, bool has_missing, int32_t f, size_t slot, float threshold,
                        const int32_t *ny, const double *nw, const double *node_counts, Split &best);
    void BestSplitOfFeature(const float *v, size_t n, int32_t f, size_t slot, const int32_t *ny, const double *nw,
                            const double *node_counts, Split &best);
    //! Keeps `best` if the split with left weighted class sums `l` (n_left samples) beats it.
    void Consider(const double *l, size_t n, size_t n_left, const double *node_counts, int32_t f, size_t slot,
                  float threshold, bool missing_left, bool has_missing, Split &best) const;
    double Weight(const int32_t *ny, const double *nw, size_t i) const {
        return nw ? nw[i] : class_weight_[static_cast<size_t>(ny[i])];
    }

    std::span<const float> x_;
    size_t rows_, features_;
    std::span<const int32_t> y_;
    std::vector<double> class_weight_;
    size_t classes_;
    TreeParams params_;
    bool weighted_ = false;          //!< per-sample weights (bootstrap multiplicity) in sample_w_
    std::vector<uint32_t> samples_;  //!< node ranges of row indices, sorted within each node
    std::vector<int32_t> sample_y_;  //!< y of samples_[i]
    std::vector<double> sample_w_;   //!< weight of samples_[i] (only when weighted_)
    std::vector<uint32_t> tmp_idx_;  //!< stable-partition scratch
    std::vector<int32_t> tmp_y_;
    std::vector<double> tmp_w_;
    std::vector<int32_t> feature_order_;
    std::vector<float> buffer_;      //!< candidate slots × node samples: gathered feature values
    std::vector<std::vector<float>> copies_;  //!< compact row copies, one per storage level above 0
    const float *x_now_ = nullptr;            //!< storage the current node's sample indices refer to
    std::vector<uint32_t> order_;
    std::vector<double> scratch_;
    std::vector<uint32_t> int_counts_;
};

}  // namespace rivulet::ml
