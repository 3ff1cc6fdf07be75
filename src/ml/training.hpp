#pragma once
// What to train and how: one spec for all algorithms, so the CLI, cross-validation and the benchmark
// train the same way.

#include <memory>

#include "ml/classifier.hpp"
#include "ml/dataset.hpp"
#include "ml/tree_ensemble.hpp"
#include "ml/xgboost_model.hpp"

namespace rivulet::ml {

struct TrainSpec {
    Algorithm algo = Algorithm::kExtraTrees;
    ForestParams forest;  //!< for extratrees and rf
    XgbParams xgb;        //!< for xgboost
};

//! The paper's defaults for `algo` (ExtraTrees: 300 trees, √d, no bootstrap, grown to purity).
TrainSpec DefaultTrainSpec(Algorithm algo);

//! Trains `spec.algo` on labelled `data`. Throws RivuletError on bad input (naming row/column).
std::unique_ptr<Classifier> TrainClassifier(const TrainSpec &spec, const Dataset &data);

}  // namespace rivulet::ml
