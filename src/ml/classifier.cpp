#include "ml/classifier.hpp"

#include <fmt/format.h>

#include "common/error.hpp"
#include "ml/tree_ensemble.hpp"
#include "ml/xgboost_model.hpp"

namespace rivulet::ml {

std::string_view AlgorithmName(Algorithm algo) {
    switch (algo) {
        case Algorithm::kExtraTrees: return "extratrees";
        case Algorithm::kRandomForest: return "rf";
        case Algorithm::kXgboost: return "xgboost";
    }
    return "?";
}

Algorithm ParseAlgorithm(std::string_view name) {
    if (name == "extratrees") return Algorithm::kExtraTrees;
    if (name == "rf") return Algorithm::kRandomForest;
    if (name == "xgboost") return Algorithm::kXgboost;
    throw RivuletError(ErrorKind::kInvalidInput,
                       fmt::format("algorithm '{}' is not one of extratrees, rf, xgboost", name));
}

std::unique_ptr<Classifier> LoadClassifierBody(Algorithm algo, const nlohmann::json &params, std::string_view body,
                                               size_t n_features, size_t n_classes) {
    if (algo == Algorithm::kXgboost) return XgboostModel::Load(params, body, n_features, n_classes);
    return TreeEnsemble::Load(algo, params, body, n_features, n_classes);
}

}  // namespace rivulet::ml
