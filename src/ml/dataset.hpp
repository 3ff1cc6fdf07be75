#pragma once
// A labelled (or unlabelled) feature table read from CSV: the input of training, evaluation and
// prediction. Features are float32, as scikit-learn and XGBoost use them; a missing value is NaN and is
// only accepted where the caller allows it (CsvColumns::allow_missing), so a stray empty cell can never
// silently become a score.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace rivulet::ml {

struct Dataset {
    std::string source;                      //!< file the rows came from (for messages)
    std::vector<std::string> feature_names;  //!< column names, in the order of each row
    std::vector<float> x;                    //!< rows × features, row-major; NaN = missing
    std::vector<int32_t> y;                  //!< class index per row (into class_names); empty when unlabelled
    std::vector<std::string> class_names;    //!< label values as text; numeric labels sorted numerically
    std::vector<std::string> ids;            //!< the --id column per row, when one was asked for

    size_t rows() const { return feature_names.empty() ? 0 : x.size() / feature_names.size(); }
    size_t features() const { return feature_names.size(); }
    const float *Row(size_t i) const { return x.data() + i * features(); }
    bool labelled() const { return !y.empty(); }

    //! The rows `rows` of this set, in that order (for cross-validation folds).
    Dataset Subset(const std::vector<size_t> &rows) const;
    //! FNV-1a 64 of feature names, values and labels, as 16 hex digits: identifies the training data.
    std::string Hash() const;
};

//! Which columns of a CSV become what.
struct CsvColumns {
    std::string label;                  //!< label column; empty = unlabelled (prediction)
    std::vector<std::string> features;  //!< feature columns in this order; empty = every column not named below
    std::vector<std::string> drop;      //!< columns never used as features
    std::string id;                     //!< column copied to Dataset::ids; empty = none
    bool allow_missing = false;         //!< empty, NA, NaN or null cells become NaN instead of an error
    //! When set, labels must be one of these (a model's classes), in this order; otherwise discovered.
    std::optional<std::vector<std::string>> classes;
};

//! Reads a comma-separated file with a header line (double-quoted cells allowed). Throws RivuletError
//! (kInvalidInput) naming the file, row (1-based data row and line) and column for: a missing label/feature/id
//! column, a non-numeric or infinite feature cell, a missing value when not allowed, an empty label, a label
//! outside `classes`, a labelled set with a single class, or no rows.
Dataset ReadCsvDataset(const std::filesystem::path &path, const CsvColumns &columns);

//! Cells of one CSV line; double-quoted cells may hold commas and "" for a quote; a \r outside quotes is dropped (CRLF files).
std::vector<std::string> SplitCsv(const std::string &line);

//! Splits a comma-separated list ("a,b,c") into names; empty input gives an empty list.
std::vector<std::string> SplitNameList(const std::string &list);

}  // namespace rivulet::ml
