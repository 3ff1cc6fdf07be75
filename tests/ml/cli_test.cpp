// rivulet train / predict / evaluate / models list, run as a user would.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "cli/run_command.hpp"
#include "support/temp_dir.hpp"
#include "ml/dataset.hpp"
#include "test_data.hpp"
#include <nlohmann/json.hpp>

namespace rivulet::testing {
namespace {

std::string ReadFile(const std::filesystem::path &p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

TEST(MlCli, TrainPredictEvaluateList) {
    TempDir dir;
    WriteCsv(Blobs(300, 5, 21), (dir / "train.csv").string());
    WriteCsv(Blobs(100, 5, 22), (dir / "test.csv").string());
    auto train = RunRivulet("train --data " + Quote(dir / "train.csv") + " --label label --drop id --out " +
                            Quote(dir / "m.rvm") + " --cv 3 --trees 20 --threads 2 --t 5 --plots " +
                            Quote(dir / "plots"));
    ASSERT_EQ(train.exit_code, 0);
    EXPECT_NE(train.out.find("AUC"), std::string::npos);
    EXPECT_TRUE(std::filesystem::exists(dir / "plots" / "roc.svg"));
    EXPECT_TRUE(std::filesystem::exists(dir / "plots" / "score_cdf.svg"));

    auto predict = RunRivulet("predict --model " + Quote(dir / "m.rvm") + " --data " + Quote(dir / "test.csv") +
                              " --id id --explain --out " + Quote(dir / "scores.csv"));
    ASSERT_EQ(predict.exit_code, 0);
    std::istringstream scores(ReadFile(dir / "scores.csv"));
    std::string line;
    std::getline(scores, line);
    EXPECT_EQ(line, "id,score,bias,contrib_f0,contrib_f1,contrib_f2,contrib_f3,contrib_f4");
    int rows = 0;
    while (std::getline(scores, line)) {
        auto cells = ml::SplitNameList(line);
        ASSERT_EQ(cells.size(), 8u);
        double sum = 0;
        for (size_t i = 2; i < cells.size(); ++i) sum += std::stod(cells[i]);
        EXPECT_NEAR(sum, std::stod(cells[1]), 1e-9) << line;
        ++rows;
    }
    EXPECT_EQ(rows, 100);

    auto eval = RunRivulet("evaluate --model " + Quote(dir / "m.rvm") + " --data " + Quote(dir / "test.csv") +
                           " --label label --json");
    ASSERT_EQ(eval.exit_code, 0);
    auto j = nlohmann::json::parse(eval.out);
    EXPECT_GT(j["auc"].get<double>(), 0.85);
    EXPECT_EQ(j["model_version"], "t5_f1_c2");

    auto list = RunRivulet("models list " + Quote(dir.path()));
    ASSERT_EQ(list.exit_code, 0);
    EXPECT_NE(list.out.find("t5_f1_c2"), std::string::npos);
}

TEST(MlCli, BadInputsNameRowAndColumn) {
    TempDir dir;
    WriteCsv(Blobs(60, 3, 23), (dir / "train.csv").string());
    std::string err = (dir / "err.txt").string();
    auto r = RunRivulet("train --data " + Quote(dir / "train.csv") + " --label nolabel --out " + Quote(dir / "m.rvm"),
                        err);
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(ReadFile(err).find("label column 'nolabel'"), std::string::npos) << ReadFile(err);

    ASSERT_EQ(RunRivulet("train --data " + Quote(dir / "train.csv") + " --label label --drop id --cv 0 --trees 5 "
                         "--out " + Quote(dir / "m.rvm")).exit_code, 0);
    // Predict on data without feature f2: refused, naming it.
    std::ofstream(dir / "nof2.csv") << "id,f0,f1\na,1,2\n";
    r = RunRivulet("predict --model " + Quote(dir / "m.rvm") + " --data " + Quote(dir / "nof2.csv") + " --out -", err);
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(ReadFile(err).find("'f2'"), std::string::npos) << ReadFile(err);
    // A non-numeric cell: row and column named.
    std::ofstream(dir / "bad.csv") << "id,f0,f1,f2\na,1,2,3\nb,1,x,3\n";
    r = RunRivulet("predict --model " + Quote(dir / "m.rvm") + " --data " + Quote(dir / "bad.csv") + " --out -", err);
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(ReadFile(err).find("row 2 (line 3), column 'f1': 'x' is not a number"), std::string::npos)
        << ReadFile(err);
    // NaN where the model takes none.
    std::ofstream(dir / "nan.csv") << "id,f0,f1,f2\na,1,NaN,3\n";
    r = RunRivulet("predict --model " + Quote(dir / "m.rvm") + " --data " + Quote(dir / "nan.csv") + " --out -", err);
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(ReadFile(err).find("row 1 (line 2), column 'f1': missing value"), std::string::npos) << ReadFile(err);
    // A single class.
    std::ofstream(dir / "one.csv") << "f0,f1,f2,label\n1,2,3,1\n2,3,4,1\n";
    r = RunRivulet("train --data " + Quote(dir / "one.csv") + " --label label --out " + Quote(dir / "x.rvm"), err);
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(ReadFile(err).find("single class"), std::string::npos) << ReadFile(err);
}

}  // namespace
}  // namespace rivulet::testing
