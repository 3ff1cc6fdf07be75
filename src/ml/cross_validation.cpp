#include "ml/cross_validation.hpp"

#include <algorithm>
#include <cmath>
#include <random>

#include <fmt/format.h>

#include "common/error.hpp"

namespace rivulet::ml {

std::vector<int> StratifiedFolds(const std::vector<int32_t> &y, size_t classes, int k, uint64_t seed) {
    if (k < 2 || static_cast<size_t>(k) > y.size())
        throw RivuletError(ErrorKind::kInvalidInput,
                           fmt::format("cross-validation needs 2 <= folds <= rows (folds {}, rows {})", k, y.size()));
    std::vector<int> fold(y.size(), 0);
    std::mt19937_64 rng(seed);
    int next = 0;
    for (size_t c = 0; c < classes; ++c) {
        std::vector<size_t> rows;
        for (size_t i = 0; i < y.size(); ++i)
            if (y[i] == static_cast<int32_t>(c)) rows.push_back(i);
        std::shuffle(rows.begin(), rows.end(), rng);
        // Continue dealing where the previous class stopped so fold sizes differ by at most one.
        for (size_t r : rows) fold[r] = next, next = (next + 1) % k;
    }
    return fold;
}

size_t PositiveClass(const std::vector<std::string> &class_names) {
    auto it = std::find(class_names.begin(), class_names.end(), "1");
    return it != class_names.end() ? static_cast<size_t>(it - class_names.begin()) : class_names.size() - 1;
}

CvResult CrossValidate(const TrainSpec &spec, const Dataset &data, int k, uint64_t seed) {
    const size_t classes = data.class_names.size(), rows = data.rows();
    std::vector<int> fold = StratifiedFolds(data.y, classes, k, seed);
    CvResult cv;
    cv.folds = k;
    cv.oof_proba.assign(rows * classes, 0.0);
    const size_t pos = PositiveClass(data.class_names);
    for (int f = 0; f < k; ++f) {
        std::vector<size_t> train_rows, test_rows;
        for (size_t r = 0; r < rows; ++r) (fold[r] == f ? test_rows : train_rows).push_back(r);
        Dataset train = data.Subset(train_rows), test = data.Subset(test_rows);
        // A fold may lack a class; the model must still output every class, so keep the full class list.
        auto model = TrainClassifier(spec, train);
        std::vector<double> p = model->PredictProba(test.x, test.rows(), spec.forest.threads);
        for (size_t i = 0; i < test_rows.size(); ++i)
            for (size_t c = 0; c < classes; ++c) cv.oof_proba[test_rows[i] * classes + c] = p[i * classes + c];
        if (classes == 2) {
            std::vector<double> s(test_rows.size());
            std::vector<uint8_t> y(test_rows.size());
            for (size_t i = 0; i < test_rows.size(); ++i)
                s[i] = p[i * 2 + pos], y[i] = test.y[i] == static_cast<int32_t>(pos);
            cv.fold_auc.push_back(Auc(s, y));
        } else {
            cv.fold_auc.push_back(EvaluateMulticlass(p, test.y, classes).macro_auc);
        }
    }
    double sum = 0, sq = 0;
    for (double a : cv.fold_auc) sum += a, sq += a * a;
    cv.mean_fold_auc = sum / k;
    cv.std_fold_auc = std::sqrt(std::max(0.0, sq / k - cv.mean_fold_auc * cv.mean_fold_auc));
    if (classes == 2) {
        std::vector<double> s(rows);
        std::vector<uint8_t> y(rows);
        for (size_t r = 0; r < rows; ++r) s[r] = cv.oof_proba[r * 2 + pos], y[r] = data.y[r] == static_cast<int32_t>(pos);
        cv.metrics = EvaluateBinary(s, y).ToJson();
    } else {
        cv.metrics = EvaluateMulticlass(cv.oof_proba, data.y, classes).ToJson(data.class_names);
    }
    return cv;
}

nlohmann::json CvResult::ToJson() const {
    return {{"folds", folds}, {"fold_auc", fold_auc}, {"mean_fold_auc", mean_fold_auc},
            {"std_fold_auc", std_fold_auc}, {"pooled", metrics}};
}

}  // namespace rivulet::ml
