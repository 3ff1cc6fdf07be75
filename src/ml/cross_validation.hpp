#pragma once
// Stratified k-fold cross-validation (the paper judges its real/bogus model with 10 folds): every row is
// scored exactly once by a model that did not see it.

#include <vector>

#include <nlohmann/json.hpp>

#include "ml/dataset.hpp"
#include "ml/metrics.hpp"
#include "ml/training.hpp"

namespace rivulet::ml {

//! Fold of each row: rows of each class are shuffled (seeded) and dealt round-robin, so every fold keeps
//! the class proportions. Throws RivuletError when k < 2 or k > rows.
std::vector<int> StratifiedFolds(const std::vector<int32_t> &y, size_t classes, int k, uint64_t seed);

struct CvResult {
    int folds = 0;
    std::vector<double> oof_proba;    //!< rows × classes: each row scored by the model of its held-out fold
    std::vector<double> fold_auc;     //!< binary: AUC per fold; multiclass: macro one-vs-rest AUC per fold
    double mean_fold_auc = 0, std_fold_auc = 0;
    nlohmann::json metrics;           //!< pooled out-of-fold metrics (BinaryMetrics or MulticlassMetrics)
    nlohmann::json ToJson() const;
};

//! Positive class index of a class list: the class named "1" when there is one, else the last class.
size_t PositiveClass(const std::vector<std::string> &class_names);

CvResult CrossValidate(const TrainSpec &spec, const Dataset &data, int k, uint64_t seed);

}  // namespace rivulet::ml
