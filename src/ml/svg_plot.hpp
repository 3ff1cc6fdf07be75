#pragma once
// Evaluation figures as standalone SVG files (no plotting library needed; any browser shows them):
// the ROC curve and the paper's Figs. 1–2, cumulative score distributions of positives and negatives.

#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "ml/metrics.hpp"

namespace rivulet::ml {

//! Writes the ROC curve (log-scaled FPR axis option off: linear, with the 1% FPR line marked).
void WriteRocSvg(const std::vector<RocPoint> &roc, double auc, const std::string &title,
                 const std::filesystem::path &path);

//! Writes the cumulative distributions of scores for positives and negatives (fraction with score <= s).
void WriteScoreCdfSvg(std::span<const double> scores, std::span<const uint8_t> positive,
                      const std::string &positive_name, const std::string &negative_name, const std::string &title,
                      const std::filesystem::path &path);

}  // namespace rivulet::ml
