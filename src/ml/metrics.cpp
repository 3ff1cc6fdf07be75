#include "ml/metrics.hpp"

#include <algorithm>
#include <numeric>

namespace rivulet::ml {

std::vector<RocPoint> RocCurve(std::span<const double> scores, std::span<const uint8_t> positive) {
    std::vector<size_t> order(scores.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] > scores[b]; });
    double p = 0, n = 0;
    for (uint8_t v : positive) (v ? p : n) += 1;
    std::vector<RocPoint> roc{{0.0, 0.0, std::numeric_limits<double>::infinity()}};
    double tp = 0, fp = 0;
    for (size_t i = 0; i < order.size();) {
        double s = scores[order[i]];
        for (; i < order.size() && scores[order[i]] == s; ++i) (positive[order[i]] ? tp : fp) += 1;
        roc.push_back({n > 0 ? fp / n : 0.0, p > 0 ? tp / p : 0.0, s});
    }
    return roc;
}

double Auc(std::span<const double> scores, std::span<const uint8_t> positive) {
    auto roc = RocCurve(scores, positive);
    double area = 0;
    for (size_t i = 1; i < roc.size(); ++i)
        area += (roc[i].fpr - roc[i - 1].fpr) * (roc[i].tpr + roc[i - 1].tpr) / 2;
    return area;
}

double TprAtFpr(const std::vector<RocPoint> &roc, double max_fpr, double *threshold) {
    double tpr = 0, thr = std::numeric_limits<double>::infinity();
    for (const RocPoint &pt : roc)
        if (pt.fpr <= max_fpr + 1e-12 && pt.tpr >= tpr) tpr = pt.tpr, thr = pt.threshold;
    if (threshold) *threshold = thr;
    return tpr;
}

BinaryMetrics EvaluateBinary(std::span<const double> scores, std::span<const uint8_t> positive, double threshold,
                             double fixed_fpr) {
    BinaryMetrics m;
    m.threshold = threshold;
    m.fixed_fpr = fixed_fpr;
    size_t tp = 0, fp = 0, tn = 0, fn = 0;
    for (size_t i = 0; i < scores.size(); ++i) {
        bool called = scores[i] >= threshold;
        if (positive[i]) {
            ++m.n_positive;
            (called ? tp : fn)++;
        } else {
            ++m.n_negative;
            (called ? fp : tn)++;
        }
    }
    double np = static_cast<double>(m.n_positive), nn = static_cast<double>(m.n_negative);
    m.accuracy = static_cast<double>(tp + tn) / static_cast<double>(scores.size());
    m.fpr = nn > 0 ? static_cast<double>(fp) / nn : 0;
    m.fnr = np > 0 ? static_cast<double>(fn) / np : 0;
    auto roc = RocCurve(scores, positive);
    m.auc = Auc(scores, positive);
    m.fnr_at_fixed_fpr = 1.0 - TprAtFpr(roc, fixed_fpr, &m.threshold_at_fixed_fpr);
    m.tpr_at_fpr_0005 = TprAtFpr(roc, 0.005);
    return m;
}

nlohmann::json BinaryMetrics::ToJson() const {
    return {{"n_positive", n_positive},
            {"n_negative", n_negative},
            {"auc", auc},
            {"threshold", threshold},
            {"accuracy", accuracy},
            {"fpr", fpr},
            {"fnr", fnr},
            {"fixed_fpr", fixed_fpr},
            {"fnr_at_fixed_fpr", fnr_at_fixed_fpr},
            {"threshold_at_fixed_fpr", threshold_at_fixed_fpr},
            {"tpr_at_fpr_0.005", tpr_at_fpr_0005}};
}

MulticlassMetrics EvaluateMulticlass(std::span<const double> proba, std::span<const int32_t> y, size_t classes) {
    MulticlassMetrics m;
    size_t rows = y.size();
    m.confusion.assign(classes, std::vector<size_t>(classes, 0));
    size_t correct = 0;
    for (size_t r = 0; r < rows; ++r) {
        const double *p = proba.data() + r * classes;
        size_t best = static_cast<size_t>(std::max_element(p, p + classes) - p);
        ++m.confusion[static_cast<size_t>(y[r])][best];
        correct += best == static_cast<size_t>(y[r]);
    }
    m.accuracy = rows ? static_cast<double>(correct) / static_cast<double>(rows) : 0;
    std::vector<double> s(rows);
    std::vector<uint8_t> pos(rows);
    for (size_t c = 0; c < classes; ++c) {
        for (size_t r = 0; r < rows; ++r) s[r] = proba[r * classes + c], pos[r] = y[r] == static_cast<int32_t>(c);
        m.auc_one_vs_rest.push_back(Auc(s, pos));
    }
    m.macro_auc = std::accumulate(m.auc_one_vs_rest.begin(), m.auc_one_vs_rest.end(), 0.0) /
                  static_cast<double>(classes);
    return m;
}

nlohmann::json MulticlassMetrics::ToJson(const std::vector<std::string> &class_names) const {
    nlohmann::json auc = nlohmann::json::object();
    for (size_t c = 0; c < class_names.size(); ++c) auc[class_names[c]] = auc_one_vs_rest[c];
    return {{"accuracy", accuracy}, {"macro_auc_one_vs_rest", macro_auc}, {"auc_one_vs_rest", auc},
            {"confusion", confusion}, {"classes", class_names}};
}

}  // namespace rivulet::ml
