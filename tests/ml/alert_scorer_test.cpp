#include <gtest/gtest.h>

#include "common/error.hpp"
#include "ml/alert_scorer.hpp"
#include "ml/training.hpp"
#include "test_data.hpp"

namespace rivulet::ml {
namespace {

//! A model on candidate fields magpsf, sigmapsf, isdiffpos (bright, precise, positive → class 1).
Model CandidateModel(bool allow_missing) {
    Dataset ds;
    ds.source = "synthetic";
    ds.feature_names = {"magpsf", "sigmapsf", "isdiffpos"};
    ds.class_names = {"0", "1"};
    for (int i = 0; i < 200; ++i) {
        int y = i % 2;
        ds.x.insert(ds.x.end(), {y ? 17.0f + (i % 7) * 0.1f : 20.0f + (i % 5) * 0.1f, y ? 0.05f : 0.2f,
                                 static_cast<float>(y)});
        ds.y.push_back(y);
    }
    TrainSpec spec = DefaultTrainSpec(Algorithm::kExtraTrees);
    spec.forest.n_trees = 10;
    spec.forest.allow_missing = allow_missing;
    Model m;
    m.classifier = TrainClassifier(spec, ds);
    m.header.features = ds.feature_names;
    m.header.classes = ds.class_names;
    m.header.provenance.t = 4;
    return m;
}

Alert MakeAlert(int64_t candid, std::optional<float> magpsf, float sigmapsf, const char *isdiffpos) {
    Alert a;
    a.candid = candid;
    a.candidate.magpsf = magpsf;
    a.candidate.sigmapsf = sigmapsf;
    a.candidate.isdiffpos = isdiffpos;
    return a;
}

TEST(AlertScorer, ScoresCandidateFieldsWithModelVersion) {
    AlertScorer scorer(CandidateModel(false));
    EXPECT_EQ(scorer.model_version(), "t4_f1_c2");
    std::vector<Alert> alerts{MakeAlert(1, 17.2f, 0.05f, "t"), MakeAlert(2, 20.1f, 0.2f, "f"),
                              MakeAlert(3, std::nullopt, 0.05f, "t")};
    auto scores = scorer.Score(alerts);
    ASSERT_EQ(scores.size(), 3u);
    ASSERT_TRUE(scores[0].ok());
    ASSERT_TRUE(scores[1].ok());
    EXPECT_GT(scores[0]->score, 0.9);
    EXPECT_LT(scores[1]->score, 0.1);
    // The same numbers the model gives on the rows directly.
    std::vector<float> row{17.2f, 0.05f, 1.0f};
    EXPECT_DOUBLE_EQ(scores[0]->score, scorer.model().classifier->PredictProba(row, 1, 1)[1]);
    ASSERT_FALSE(scores[2].ok());  // null magpsf and the model takes no missing values
    EXPECT_EQ(scores[2].error().reason, "missing_feature");
    EXPECT_NE(scores[2].error().message.find("magpsf"), std::string::npos);
}

TEST(AlertScorer, MissingFieldsScoredWhenModelAllowsThem) {
    AlertScorer scorer(CandidateModel(true));
    std::vector<Alert> alerts{MakeAlert(3, std::nullopt, 0.05f, "t")};
    auto scores = scorer.Score(alerts);
    ASSERT_TRUE(scores[0].ok());
    EXPECT_GT(scores[0]->score, 0.5);
}

TEST(AlertScorer, RefusesFeaturesThatAreNotCandidateFields) {
    Model m = CandidateModel(false);
    m.header.features[0] = "amplitude_magn_r";
    EXPECT_THROW(AlertScorer{std::move(m)}, RivuletError);
}

}  // namespace
}  // namespace rivulet::ml
