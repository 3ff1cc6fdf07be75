#pragma once
// Gradient-boosted trees through XGBoost's C API (Debian libxgboost-dev), behind the same Classifier
// interface as the forests. XGBoost treats NaN as missing natively (learned default directions), so these
// models always accept missing values.

#include <memory>

#include "ml/classifier.hpp"
#include "ml/dataset.hpp"

namespace rivulet::ml {

struct XgbParams {
    int n_rounds = 300;
    int max_depth = 6;
    double eta = 0.1;
    double subsample = 1.0;
    double colsample_bytree = 1.0;
    double min_child_weight = 1.0;
    double lambda = 1.0;
    uint64_t seed = 0;
    int threads = 0;  //!< 0: all cores
};

class XgboostModel final : public Classifier {
public:
    ~XgboostModel() override;
    static std::unique_ptr<XgboostModel> Train(const XgbParams &params, const Dataset &data);
    static std::unique_ptr<XgboostModel> Load(const nlohmann::json &params, std::string_view body, size_t n_features,
                                              size_t n_classes);

    Algorithm algorithm() const override { return Algorithm::kXgboost; }
    size_t n_features() const override { return n_features_; }
    size_t n_classes() const override { return n_classes_; }
    bool allows_missing() const override { return true; }
    std::vector<double> PredictProba(std::span<const float> x, size_t rows, int threads) const override;
    //! XGBoost's own exact contributions (TreeSHAP, pred_contribs) in margin space: bias + Σ = log-odds
    //! (binary, for class 1; class 0 gets the negation) or the per-class softmax input (multiclass).
    Explanation Explain(std::span<const float> row) const override;
    nlohmann::json Params() const override;
    //! The body is XGBoost's own JSON model (XGBoosterSaveModelToBuffer, format "json").
    void SaveBody(std::string &out) const override;

private:
    XgboostModel() = default;
    void *booster_ = nullptr;  // BoosterHandle; XGBoost's prediction on one booster is thread-safe (>= 1.4)
    XgbParams params_;
    size_t n_features_ = 0, n_classes_ = 0;
};

}  // namespace rivulet::ml
