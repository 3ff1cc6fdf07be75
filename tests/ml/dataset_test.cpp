#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "common/error.hpp"
#include "ml/dataset.hpp"
#include "support/temp_dir.hpp"

namespace rivulet::ml {
namespace {

std::string Write(const testing::TempDir &dir, const std::string &text) {
    std::string path = (dir / "data.csv").string();
    std::ofstream(path) << text;
    return path;
}

//! The message of the RivuletError `fn` throws ("" if none).
template <class Fn>
std::string ErrorOf(Fn fn) {
    try {
        fn();
    } catch (const RivuletError &e) {
        return e.what();
    }
    return "";
}

TEST(Dataset, ReadsFeaturesLabelsAndIds) {
    testing::TempDir dir;
    auto path = Write(dir, "oid,a,label,b\nx1,1.5,1,2\n\"x,2\",-3,0.0,4e2\n");
    CsvColumns cols;
    cols.label = "label";
    cols.id = "oid";
    Dataset ds = ReadCsvDataset(path, cols);
    EXPECT_EQ(ds.feature_names, (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(ds.class_names, (std::vector<std::string>{"0", "1"}));  // "0.0" is class 0
    EXPECT_EQ(ds.y, (std::vector<int32_t>{1, 0}));
    EXPECT_EQ(ds.ids[1], "x,2");
    EXPECT_FLOAT_EQ(ds.Row(1)[1], 400.0f);
}

TEST(Dataset, NumericLabelsSortNumerically) {
    testing::TempDir dir;
    auto path = Write(dir, "a,label\n1,10\n2,9\n3,2\n");
    CsvColumns cols;
    cols.label = "label";
    EXPECT_EQ(ReadCsvDataset(path, cols).class_names, (std::vector<std::string>{"2", "9", "10"}));
}

TEST(Dataset, ErrorsNameRowAndColumn) {
    testing::TempDir dir;
    CsvColumns cols;
    cols.label = "label";

    auto missing_label = ErrorOf([&] { ReadCsvDataset(Write(dir, "a,b\n1,2\n"), cols); });
    EXPECT_NE(missing_label.find("label column 'label' is not in the header"), std::string::npos) << missing_label;

    auto bad_cell = ErrorOf([&] { ReadCsvDataset(Write(dir, "a,b,label\n1,2,0\n3,zz,1\n"), cols); });
    EXPECT_NE(bad_cell.find("row 2 (line 3), column 'b': 'zz' is not a number"), std::string::npos) << bad_cell;

    auto nan_cell = ErrorOf([&] { ReadCsvDataset(Write(dir, "a,b,label\n1,NaN,0\n3,4,1\n"), cols); });
    EXPECT_NE(nan_cell.find("row 1 (line 2), column 'b': missing value"), std::string::npos) << nan_cell;

    auto single = ErrorOf([&] { ReadCsvDataset(Write(dir, "a,label\n1,1\n2,1\n"), cols); });
    EXPECT_NE(single.find("single class"), std::string::npos) << single;

    auto ragged = ErrorOf([&] { ReadCsvDataset(Write(dir, "a,label\n1,1\n2\n"), cols); });
    EXPECT_NE(ragged.find("row 2 (line 3) has 1 cells"), std::string::npos) << ragged;

    cols.features = {"a", "c"};
    auto missing_feature = ErrorOf([&] { ReadCsvDataset(Write(dir, "a,b,label\n1,2,0\n"), cols); });
    EXPECT_NE(missing_feature.find("feature column 'c'"), std::string::npos) << missing_feature;
}

TEST(Dataset, MissingValuesWhenAllowed) {
    testing::TempDir dir;
    CsvColumns cols;
    cols.label = "label";
    cols.allow_missing = true;
    Dataset ds = ReadCsvDataset(Write(dir, "a,b,label\n1,,0\n3,NA,1\n"), cols);
    EXPECT_TRUE(std::isnan(ds.Row(0)[1]));
    EXPECT_TRUE(std::isnan(ds.Row(1)[1]));
}

}  // namespace
}  // namespace rivulet::ml
