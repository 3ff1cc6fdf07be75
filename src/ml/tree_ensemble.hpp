#pragma once
// ExtraTrees (the paper's real/bogus model) and random forest from one code path.
//
// Why our own: no maintained C++ library implements ExtraTrees (random thresholds): ranger, XGBoost,
// LightGBM and mlpack offer random forests or boosting only, and calling scikit-learn from C++ would put a
// Python interpreter in the broker. The algorithm is small; it follows scikit-learn 1.2's
// ExtraTreesClassifier (RandomSplitter, Gini, max_features drawn without replacement skipping constant
// features, predict_proba = mean over trees of the leaf's weighted class fractions), so scores are
// comparable and the paper's settings carry over.

#include <memory>
#include <string>

#include "ml/classifier.hpp"
#include "ml/dataset.hpp"
#include "ml/decision_tree.hpp"
#include "ml/flat_forest.hpp"

namespace rivulet::ml {

//! Defaults are the paper's ExtraTrees (Mahabal et al. 2019 §3.2): 300 trees, √d features per split, no
//! bootstrap, Gini, grown to purity, min_samples_split 2.
struct ForestParams {
    int n_trees = 300;
    int max_features = 0;        //!< 0: ⌊√d⌋ (at least 1), scikit-learn's "sqrt"
    int max_depth = 0;           //!< 0: unlimited
    int min_samples_split = 2;
    int min_samples_leaf = 1;
    bool bootstrap = false;      //!< random forest: true
    bool best_split = false;     //!< random forest: true (exhaustive threshold search)
    //! "" (all 1), "balanced" (n / (classes · n_class), scikit-learn's), or "w0,w1,..." per class index.
    std::string class_weight;
    bool allow_missing = false;  //!< accept NaN features (see decision_tree.hpp for how they are split)
    uint64_t seed = 0;
    int threads = 0;             //!< 0: all cores
};

//! Paper defaults for `algo` (random forest: bootstrap + best split).
ForestParams DefaultForestParams(Algorithm algo);

class TreeEnsemble final : public Classifier {
public:
    //! Trains on `data` (labelled). Trees are grown in parallel; tree i uses seed (params.seed, i), so the
    //! model does not depend on the thread count. Throws RivuletError for bad parameters or NaN features
    //! when allow_missing is false (naming row and column).
    static std::unique_ptr<TreeEnsemble> Train(Algorithm algo, const ForestParams &params, const Dataset &data);
    static std::unique_ptr<TreeEnsemble> Load(Algorithm algo, const nlohmann::json &params, std::string_view body,
                                              size_t n_features, size_t n_classes);

    Algorithm algorithm() const override { return algo_; }
    size_t n_features() const override { return n_features_; }
    size_t n_classes() const override { return n_classes_; }
    bool allows_missing() const override { return params_.allow_missing; }
    std::vector<double> PredictProba(std::span<const float> x, size_t rows, int threads) const override;
    //! treeinterpreter's decomposition: bias = mean root fractions; each split on the path adds
    //! value(child) − value(parent) to its feature. Sums to PredictProba's row exactly (up to rounding).
    Explanation Explain(std::span<const float> row) const override;
    nlohmann::json Params() const override;
    void SaveBody(std::string &out) const override;

    const std::vector<DecisionTree> &trees() const { return trees_; }

private:
    Algorithm algo_ = Algorithm::kExtraTrees;
    ForestParams params_;
    size_t n_features_ = 0, n_classes_ = 0;
    std::vector<DecisionTree> trees_;
    FlatForest flat_;  //!< trees_ laid out for PredictProba; rebuilt whenever trees_ is set
};

}  // namespace rivulet::ml
