#include <gtest/gtest.h>

#include <cmath>

#include "common/error.hpp"
#include "ml/cross_validation.hpp"
#include "ml/model_file.hpp"
#include "ml/training.hpp"
#include "ml/tree_ensemble.hpp"
#include "ml/xgboost_model.hpp"
#include "support/temp_dir.hpp"
#include "test_data.hpp"

namespace rivulet::ml {
namespace {

ForestParams Small(Algorithm algo, int trees = 20) {
    ForestParams p = DefaultForestParams(algo);
    p.n_trees = trees;
    p.threads = 2;
    p.seed = 3;
    return p;
}

double TrainAuc(const Classifier &m, const Dataset &ds) {
    auto p = m.PredictProba(ds.x, ds.rows(), 2);
    std::vector<double> s(ds.rows());
    std::vector<uint8_t> y(ds.rows());
    for (size_t r = 0; r < ds.rows(); ++r) s[r] = p[r * 2 + 1], y[r] = ds.y[r] == 1;
    return Auc(s, y);
}

//! Contributions + bias must equal the predicted probability for every row and class.
void ExpectExplanationsAddUp(const Classifier &m, const Dataset &ds) {
    const size_t k = m.n_classes(), d = m.n_features();
    auto p = m.PredictProba(ds.x, ds.rows(), 2);
    for (size_t r = 0; r < ds.rows(); ++r) {
        Explanation e = m.Explain(std::span<const float>(ds.Row(r), d));
        ASSERT_EQ(e.space, "probability");
        for (size_t c = 0; c < k; ++c) {
            double sum = e.bias[c];
            for (size_t f = 0; f < d; ++f) sum += e.contributions[f * k + c];
            ASSERT_NEAR(sum, p[r * k + c], 1e-9) << "row " << r << " class " << c;
        }
    }
}

TEST(ExtraTrees, PaperDefaults) {
    ForestParams p = DefaultForestParams(Algorithm::kExtraTrees);
    EXPECT_EQ(p.n_trees, 300);
    EXPECT_EQ(p.max_features, 0);  // √d
    EXPECT_FALSE(p.bootstrap);
    EXPECT_FALSE(p.best_split);
    EXPECT_EQ(p.max_depth, 0);
    EXPECT_EQ(p.min_samples_split, 2);
}

TEST(ExtraTrees, GrowsToPurityAndSeparatesClasses) {
    Dataset ds = testing::Blobs(400, 9, 1);
    auto m = TreeEnsemble::Train(Algorithm::kExtraTrees, Small(Algorithm::kExtraTrees), ds);
    EXPECT_EQ(m->trees().size(), 20u);
    // Grown to purity without bootstrap: every training row lands in a leaf of its own class.
    EXPECT_DOUBLE_EQ(TrainAuc(*m, ds), 1.0);
    for (const DecisionTree &t : m->trees())
        for (size_t n = 0; n < t.nodes.size(); ++n)
            if (t.nodes[n].feature < 0) {
                EXPECT_TRUE(t.value[n * 2] == 0 || t.value[n * 2] == 1);
            }
    auto held_out = testing::Blobs(400, 9, 2);
    EXPECT_GT(TrainAuc(*m, held_out), 0.85);  // the Bayes AUC of these blobs is 0.93
    ExpectExplanationsAddUp(*m, held_out);
}

TEST(ExtraTrees, SameModelWhateverTheThreadCount) {
    Dataset ds = testing::Blobs(200, 6, 4);
    ForestParams p = Small(Algorithm::kExtraTrees, 8);
    p.threads = 1;
    auto a = TreeEnsemble::Train(Algorithm::kExtraTrees, p, ds);
    p.threads = 2;
    auto b = TreeEnsemble::Train(Algorithm::kExtraTrees, p, ds);
    EXPECT_EQ(a->PredictProba(ds.x, ds.rows(), 1), b->PredictProba(ds.x, ds.rows(), 2));
}

TEST(ExtraTrees, DepthAndLeafLimits) {
    Dataset ds = testing::Blobs(300, 4, 5);
    ForestParams p = Small(Algorithm::kExtraTrees, 5);
    p.max_depth = 3;
    p.min_samples_leaf = 5;
    auto m = TreeEnsemble::Train(Algorithm::kExtraTrees, p, ds);
    for (const DecisionTree &t : m->trees()) {
        EXPECT_LE(t.nodes.size(), 15u);  // depth 3: at most 2^4 - 1 nodes
        for (size_t n = 0; n < t.nodes.size(); ++n)
            if (t.nodes[n].feature < 0) {
                EXPECT_GE(t.counts[n * 2] + t.counts[n * 2 + 1], 5.0);
            }
    }
}

TEST(RandomForest, BootstrapBestSplitAndExplanations) {
    Dataset ds = testing::Blobs(300, 5, 6);
    auto m = TreeEnsemble::Train(Algorithm::kRandomForest, Small(Algorithm::kRandomForest), ds);
    EXPECT_GT(TrainAuc(*m, testing::Blobs(300, 5, 7)), 0.9);
    ExpectExplanationsAddUp(*m, ds);
}

TEST(ExtraTrees, MulticlassAndBalancedWeights) {
    Dataset ds = testing::Blobs(300, 4, 8, 3);
    ForestParams p = Small(Algorithm::kExtraTrees);
    p.class_weight = "balanced";
    auto m = TreeEnsemble::Train(Algorithm::kExtraTrees, p, ds);
    auto proba = m->PredictProba(ds.x, ds.rows(), 2);
    for (size_t r = 0; r < ds.rows(); ++r)
        EXPECT_NEAR(proba[r * 3] + proba[r * 3 + 1] + proba[r * 3 + 2], 1.0, 1e-12);
    ExpectExplanationsAddUp(*m, ds);
}

TEST(ExtraTrees, MissingValuesRefusedUnlessAllowed) {
    Dataset ds = testing::Blobs(200, 4, 9);
    for (size_t r = 0; r < ds.rows(); r += 3) ds.x[r * 4 + 1] = NAN;
    ForestParams p = Small(Algorithm::kExtraTrees);
    try {
        TreeEnsemble::Train(Algorithm::kExtraTrees, p, ds);
        FAIL() << "NaN accepted";
    } catch (const RivuletError &e) {
        EXPECT_NE(std::string(e.what()).find("row 1, column 'f1'"), std::string::npos) << e.what();
    }
    p.allow_missing = true;
    auto m = TreeEnsemble::Train(Algorithm::kExtraTrees, p, ds);
    EXPECT_GT(TrainAuc(*m, ds), 0.95);
    ExpectExplanationsAddUp(*m, ds);  // missing values follow their node's default side in explanations too
}

TEST(ModelFile, RoundTripKeepsPredictionsAndProvenance) {
    testing::TempDir dir;
    Dataset ds = testing::Blobs(200, 5, 10);
    Model model;
    model.classifier = TrainClassifier({Algorithm::kExtraTrees, Small(Algorithm::kExtraTrees), {}}, ds);
    model.header.algorithm = Algorithm::kExtraTrees;
    model.header.features = ds.feature_names;
    model.header.classes = ds.class_names;
    model.header.params = model.classifier->Params();
    model.header.provenance.training_set = "blobs";
    model.header.provenance.t = 2;
    model.header.provenance.f = 3;
    model.header.provenance.data_hash = ds.Hash();
    model.header.cv = {{"mean_fold_auc", 0.5}};
    SaveModel(model, dir / "m.rvm");
    Model back = LoadModel(dir / "m.rvm");
    EXPECT_EQ(back.header.Version(), "t2_f3_c2");
    EXPECT_EQ(back.header.features, ds.feature_names);
    EXPECT_EQ(back.header.provenance.data_hash, ds.Hash());
    EXPECT_EQ(back.classifier->PredictProba(ds.x, ds.rows(), 2), model.classifier->PredictProba(ds.x, ds.rows(), 2));
    auto listed = ListModels(dir.path());
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_EQ(listed[0].cv["mean_fold_auc"], 0.5);
    // A file that is not a model is refused with its name.
    std::ofstream(dir / "junk.rvm") << "hello";
    try {
        LoadModel(dir / "junk.rvm");
        FAIL();
    } catch (const RivuletError &e) {
        EXPECT_NE(std::string(e.what()).find("junk.rvm"), std::string::npos);
    }
}

TEST(Xgboost, TrainsPredictsExplainsInMarginSpace) {
    Dataset ds = testing::Blobs(300, 5, 11);
    XgbParams p;
    p.n_rounds = 20;
    p.threads = 2;
    auto m = XgboostModel::Train(p, ds);
    EXPECT_GT(TrainAuc(*m, testing::Blobs(300, 5, 12)), 0.9);
    auto proba = m->PredictProba(ds.x, ds.rows(), 2);
    for (size_t r = 0; r < 50; ++r) {
        Explanation e = m->Explain(std::span<const float>(ds.Row(r), 5));
        double margin = e.bias[1];
        for (size_t f = 0; f < 5; ++f) margin += e.contributions[f * 2 + 1];
        EXPECT_NEAR(1.0 / (1.0 + std::exp(-margin)), proba[r * 2 + 1], 1e-5);  // XGBoost sums in float32
    }
    std::string body;
    m->SaveBody(body);
    auto back = XgboostModel::Load(m->Params(), body, 5, 2);
    EXPECT_EQ(back->PredictProba(ds.x, ds.rows(), 2), proba);
}

TEST(CrossValidation, ScoresEveryRowOnce) {
    Dataset ds = testing::Blobs(200, 4, 13);
    TrainSpec spec{Algorithm::kExtraTrees, Small(Algorithm::kExtraTrees, 10), {}};
    CvResult cv = CrossValidate(spec, ds, 5, 1);
    EXPECT_EQ(cv.fold_auc.size(), 5u);
    EXPECT_GT(cv.mean_fold_auc, 0.85);
    for (size_t r = 0; r < ds.rows(); ++r) EXPECT_NEAR(cv.oof_proba[r * 2] + cv.oof_proba[r * 2 + 1], 1.0, 1e-12);
    EXPECT_GT(cv.metrics["auc"].get<double>(), 0.85);
}

}  // namespace
}  // namespace rivulet::ml
