#include "ml/xgboost_model.hpp"

#include <xgboost/c_api.h>

#include <cmath>

#include <fmt/format.h>

#include "common/error.hpp"
#include "ml/parallel_for.hpp"

namespace rivulet::ml {
namespace {

void Check(int rc, const char *what) {
    if (rc != 0) throw RivuletError(ErrorKind::kInternal, fmt::format("XGBoost {}: {}", what, XGBGetLastError()));
}

//! Owns a DMatrix for one call.
struct Matrix {
    DMatrixHandle h = nullptr;
    Matrix(const float *x, size_t rows, size_t cols) {
        Check(XGDMatrixCreateFromMat(x, rows, cols, NAN, &h), "XGDMatrixCreateFromMat");
    }
    ~Matrix() { XGDMatrixFree(h); }
    Matrix(const Matrix &) = delete;
    Matrix &operator=(const Matrix &) = delete;
};

void SetParam(void *b, const char *name, const std::string &value) {
    Check(XGBoosterSetParam(b, name, value.c_str()), name);
}

}  // namespace

XgboostModel::~XgboostModel() {
    if (booster_) XGBoosterFree(booster_);
}

std::unique_ptr<XgboostModel> XgboostModel::Train(const XgbParams &params, const Dataset &data) {
    if (!data.labelled()) throw RivuletError(ErrorKind::kInvalidInput, data.source + ": training needs a label column");
    std::unique_ptr<XgboostModel> m(new XgboostModel());
    m->params_ = params;
    m->n_features_ = data.features();
    m->n_classes_ = data.class_names.size();
    Matrix train(data.x.data(), data.rows(), data.features());
    std::vector<float> labels(data.y.begin(), data.y.end());
    Check(XGDMatrixSetFloatInfo(train.h, "label", labels.data(), labels.size()), "set labels");
    Check(XGBoosterCreate(&train.h, 1, &m->booster_), "XGBoosterCreate");
    if (m->n_classes_ == 2) {
        SetParam(m->booster_, "objective", "binary:logistic");
    } else {
        SetParam(m->booster_, "objective", "multi:softprob");
        SetParam(m->booster_, "num_class", std::to_string(m->n_classes_));
    }
    SetParam(m->booster_, "max_depth", std::to_string(params.max_depth));
    SetParam(m->booster_, "eta", fmt::format("{}", params.eta));
    SetParam(m->booster_, "subsample", fmt::format("{}", params.subsample));
    SetParam(m->booster_, "colsample_bytree", fmt::format("{}", params.colsample_bytree));
    SetParam(m->booster_, "min_child_weight", fmt::format("{}", params.min_child_weight));
    SetParam(m->booster_, "lambda", fmt::format("{}", params.lambda));
    SetParam(m->booster_, "tree_method", "hist");
    SetParam(m->booster_, "seed", std::to_string(params.seed));
    SetParam(m->booster_, "nthread", std::to_string(ResolveThreads(params.threads)));
    SetParam(m->booster_, "verbosity", "0");
    for (int i = 0; i < params.n_rounds; ++i) Check(XGBoosterUpdateOneIter(m->booster_, i, train.h), "training");
    return m;
}

std::unique_ptr<XgboostModel> XgboostModel::Load(const nlohmann::json &params, std::string_view body,
                                                 size_t n_features, size_t n_classes) {
    std::unique_ptr<XgboostModel> m(new XgboostModel());
    m->n_features_ = n_features;
    m->n_classes_ = n_classes;
    m->params_.n_rounds = params.value("n_rounds", 0);
    m->params_.max_depth = params.value("max_depth", 6);
    m->params_.eta = params.value("eta", 0.3);
    m->params_.subsample = params.value("subsample", 1.0);
    m->params_.colsample_bytree = params.value("colsample_bytree", 1.0);
    m->params_.min_child_weight = params.value("min_child_weight", 1.0);
    m->params_.lambda = params.value("lambda", 1.0);
    m->params_.seed = params.value("seed", uint64_t{0});
    Check(XGBoosterCreate(nullptr, 0, &m->booster_), "XGBoosterCreate");
    Check(XGBoosterLoadModelFromBuffer(m->booster_, body.data(), body.size()), "loading the model body");
    SetParam(m->booster_, "nthread", std::to_string(ResolveThreads(0)));
    return m;
}

std::vector<double> XgboostModel::PredictProba(std::span<const float> x, size_t rows, int threads) const {
    const size_t k = n_classes_;
    std::vector<double> out(rows * k);
    if (rows == 0) return out;
    Matrix m(x.data(), rows, n_features_);
    std::string config = fmt::format(
        R"({{"type": 0, "training": false, "iteration_begin": 0, "iteration_end": 0, "strict_shape": true}})");
    const bst_ulong *shape = nullptr;
    bst_ulong dim = 0;
    const float *result = nullptr;
    (void)threads;  // set once at training/loading: changing a parameter here would race other readers
    Check(XGBoosterPredictFromDMatrix(booster_, m.h, config.c_str(), &shape, &dim, &result), "predict");
    if (k == 2) {
        for (size_t r = 0; r < rows; ++r) {
            out[r * 2 + 1] = result[r];
            out[r * 2] = 1.0 - static_cast<double>(result[r]);
        }
    } else {
        for (size_t i = 0; i < rows * k; ++i) out[i] = result[i];
    }
    return out;
}

Explanation XgboostModel::Explain(std::span<const float> row) const {
    const size_t k = n_classes_, d = n_features_;
    Matrix m(row.data(), 1, d);
    std::string config = R"({"type": 2, "training": false, "iteration_begin": 0, "iteration_end": 0, "strict_shape": true})";
    const bst_ulong *shape = nullptr;
    bst_ulong dim = 0;
    const float *result = nullptr;
    Check(XGBoosterPredictFromDMatrix(booster_, m.h, config.c_str(), &shape, &dim, &result), "contributions");
    Explanation e;
    e.classes = k;
    e.space = "margin";
    e.bias.assign(k, 0.0);
    e.contributions.assign(d * k, 0.0);
    // strict shape: (rows, groups, features + 1), the last column the bias; binary has one group (class 1).
    size_t groups = k == 2 ? 1 : k;
    for (size_t g = 0; g < groups; ++g) {
        const float *v = result + g * (d + 1);
        size_t c = k == 2 ? 1 : g;
        for (size_t f = 0; f < d; ++f) e.contributions[f * k + c] = v[f];
        e.bias[c] = v[d];
        if (k == 2) {
            for (size_t f = 0; f < d; ++f) e.contributions[f * k] = -v[f];
            e.bias[0] = -v[d];
        }
    }
    return e;
}

nlohmann::json XgboostModel::Params() const {
    return {{"n_rounds", params_.n_rounds}, {"max_depth", params_.max_depth},
            {"eta", params_.eta},           {"subsample", params_.subsample},
            {"colsample_bytree", params_.colsample_bytree}, {"min_child_weight", params_.min_child_weight},
            {"lambda", params_.lambda},     {"tree_method", "hist"},
            {"seed", params_.seed}};
}

void XgboostModel::SaveBody(std::string &out) const {
    bst_ulong len = 0;
    const char *buf = nullptr;
    Check(XGBoosterSaveModelToBuffer(booster_, R"({"format": "json"})", &len, &buf), "saving the model");
    out.append(buf, len);
}

}  // namespace rivulet::ml
