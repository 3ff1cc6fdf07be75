#pragma once
// The one interface every trained model implements (ExtraTrees/random forest, XGBoost): class probabilities
// for a batch of rows, a per-row explanation, its hyper-parameters and a binary body for the model file.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace rivulet::ml {

enum class Algorithm { kExtraTrees, kRandomForest, kXgboost };

std::string_view AlgorithmName(Algorithm algo);        //!< "extratrees", "rf", "xgboost"
Algorithm ParseAlgorithm(std::string_view name);        //!< throws RivuletError naming the bad value

//! One prediction taken apart: bias[c] + Σ_f contributions[f * classes + c] = the explained value for class c.
struct Explanation {
    size_t classes = 0;
    std::vector<double> bias;           //!< per class
    std::vector<double> contributions;  //!< features × classes, row-major
    //! What the parts add up to: "probability" (tree ensembles: exactly the predicted class probability,
    //! treeinterpreter's decomposition) or "margin" (XGBoost: the log-odds before the logistic/softmax).
    std::string space;
};

class Classifier {
public:
    virtual ~Classifier() = default;
    virtual Algorithm algorithm() const = 0;
    virtual size_t n_features() const = 0;
    virtual size_t n_classes() const = 0;
    //! False when the model was trained refusing missing values: then NaN inputs must be refused by the caller.
    virtual bool allows_missing() const = 0;

    //! Class probabilities, rows × classes row-major, for `rows` rows of `x` (rows × n_features row-major,
    //! NaN = missing). `threads` 0 = all cores. @locality thread-safe (const).
    virtual std::vector<double> PredictProba(std::span<const float> x, size_t rows, int threads) const = 0;
    //! Explanation of one row (n_features values).
    virtual Explanation Explain(std::span<const float> row) const = 0;
    //! Hyper-parameters as trained, for the model file's provenance.
    virtual nlohmann::json Params() const = 0;
    //! The model body, appended to `out` (format in src/ml/README.md).
    virtual void SaveBody(std::string &out) const = 0;
};

//! Rebuilds a classifier from a body written by SaveBody. Throws RivuletError if the body is corrupt.
std::unique_ptr<Classifier> LoadClassifierBody(Algorithm algo, const nlohmann::json &params, std::string_view body,
                                               size_t n_features, size_t n_classes);

}  // namespace rivulet::ml
