#pragma once
// The paper's evaluation figures (Mahabal et al. 2019 §3.2, §4): ROC and AUC, accuracy, false-positive and
// false-negative rates at a threshold, the FNR at a fixed FPR (1%), and the star/galaxy figure of merit
// (TPR at FPR 0.005). "Positive" is the positive class of the model (label 1): FPR = negatives scored
// positive, FNR = positives scored negative.

#include <cstdint>
#include <span>
#include <vector>

#include <nlohmann/json.hpp>

namespace rivulet::ml {

struct RocPoint {
    double fpr, tpr, threshold;  //!< scores >= threshold are called positive
};

//! ROC from (0,0) to (1,1), one point per distinct score (ties form one step).
std::vector<RocPoint> RocCurve(std::span<const double> scores, std::span<const uint8_t> positive);
//! Area under the ROC (trapezoids; equals the Mann–Whitney statistic with ties counted half).
double Auc(std::span<const double> scores, std::span<const uint8_t> positive);

struct BinaryMetrics {
    size_t n_positive = 0, n_negative = 0;
    double auc = 0;
    double threshold = 0.5;
    double accuracy = 0, fpr = 0, fnr = 0;  //!< at `threshold` (score >= threshold → positive)
    double fixed_fpr = 0.01;
    double fnr_at_fixed_fpr = 0;   //!< FNR at the largest FPR <= fixed_fpr
    double threshold_at_fixed_fpr = 0;
    double tpr_at_fpr_0005 = 0;    //!< star/galaxy figure of merit: TPR at FPR <= 0.005
    nlohmann::json ToJson() const;
};

BinaryMetrics EvaluateBinary(std::span<const double> scores, std::span<const uint8_t> positive,
                             double threshold = 0.5, double fixed_fpr = 0.01);

//! TPR at the largest achievable FPR not above `max_fpr`.
double TprAtFpr(const std::vector<RocPoint> &roc, double max_fpr, double *threshold = nullptr);

//! More than two classes: accuracy of the arg-max, one-vs-rest AUC per class and their mean, confusion matrix.
struct MulticlassMetrics {
    double accuracy = 0;
    std::vector<double> auc_one_vs_rest;
    double macro_auc = 0;
    std::vector<std::vector<size_t>> confusion;  //!< [true][predicted]
    nlohmann::json ToJson(const std::vector<std::string> &class_names) const;
};

MulticlassMetrics EvaluateMulticlass(std::span<const double> proba, std::span<const int32_t> y, size_t classes);

}  // namespace rivulet::ml
