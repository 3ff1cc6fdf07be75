#include "ml/training.hpp"

namespace rivulet::ml {

TrainSpec DefaultTrainSpec(Algorithm algo) {
    TrainSpec spec;
    spec.algo = algo;
    spec.forest = DefaultForestParams(algo);
    return spec;
}

std::unique_ptr<Classifier> TrainClassifier(const TrainSpec &spec, const Dataset &data) {
    if (spec.algo == Algorithm::kXgboost) return XgboostModel::Train(spec.xgb, data);
    return TreeEnsemble::Train(spec.algo, spec.forest, data);
}

}  // namespace rivulet::ml
