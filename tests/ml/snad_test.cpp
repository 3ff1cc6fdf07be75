// The must-hold: on the SNAD artefact set, 10-fold CV AUC of our ExtraTrees is within 0.01 of
// scikit-learn's with the same settings. The reference was measured with Debian python3-sklearn 1.2.1:
//   /usr/bin/python3 bench/trees/sklearn_cv.py akb_obj_features_snad4.csv label --drop oid --trees 100
// (100 trees keep this test quick under AddressSanitizer; docs/ml.md has the 300-tree comparison.)
#include <gtest/gtest.h>

#include "ml/cross_validation.hpp"
#include "support/shared_data.hpp"

namespace rivulet::ml {
namespace {

constexpr const char *kSnad = "real_bogus/snad_akb_ztf_artefacts/akb_obj_features_snad4.csv";
constexpr double kSklearnAuc100Trees = 0.93436;

TEST(Snad, ExtraTreesCvAucMatchesScikitLearn) {
    RIVULET_REQUIRE_SHARED(kSnad);
    CsvColumns cols;
    cols.label = "label";
    cols.drop = {"oid"};
    Dataset ds = ReadCsvDataset(testing::SharedDataDir() / kSnad, cols);
    ASSERT_EQ(ds.features(), 54u);
    ASSERT_EQ(ds.rows(), 2647u);
    TrainSpec spec = DefaultTrainSpec(Algorithm::kExtraTrees);
    spec.forest.n_trees = 100;
    spec.forest.threads = 2;
    CvResult cv = CrossValidate(spec, ds, 10, 0);
    EXPECT_NEAR(cv.mean_fold_auc, kSklearnAuc100Trees, 0.01);
}

}  // namespace
}  // namespace rivulet::ml
