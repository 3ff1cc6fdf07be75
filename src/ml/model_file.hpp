#pragma once
// The model registry: a trained classifier with everything needed to trust and reuse it, in one versioned
// file. The version string follows the paper (§3.2): tN_fN_cN = training set N, feature set N, code N.
//
// File format (version 1), gzip-compressed as a whole:
//   line 1   "RIVULET-MODEL 1"
//   line 2   one JSON object (the header: see ModelHeader::ToJson; "body_bytes" gives the body length)
//   rest     the body: extratrees/rf = little-endian binary trees (src/ml/README.md), xgboost = XGBoost JSON.

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ml/classifier.hpp"
#include "ml/dataset.hpp"

namespace rivulet::ml {

//! Bumped whenever training code changes what a model learns from the same data (the paper's cN).
//! 1: first trees; 2: the index-partition tree builder (same distribution, other random draws for a seed).
inline constexpr int kModelCodeVersion = 2;
inline constexpr int kModelFormatVersion = 1;

struct Provenance {
    std::string training_set;  //!< a name for the data, e.g. "snad_akb"
    int t = 1, f = 1, c = kModelCodeVersion;
    std::string code_commit;   //!< `git describe` of the build that trained it
    std::string data_source;   //!< the CSV file
    std::string data_hash;     //!< Dataset::Hash of the training rows
    std::string label;         //!< label column
    size_t rows = 0;
    std::string created_utc;   //!< ISO 8601
};

struct ModelHeader {
    Algorithm algorithm = Algorithm::kExtraTrees;
    std::vector<std::string> features;
    std::vector<std::string> classes;
    nlohmann::json params;
    Provenance provenance;
    nlohmann::json cv;  //!< CrossValidate's metrics, or null when not cross-validated
    std::filesystem::path path;  //!< where it was read from (not stored)

    std::string Version() const;  //!< "tN_fN_cN"
    size_t PositiveClass() const;
    nlohmann::json ToJson() const;
    static ModelHeader FromJson(const nlohmann::json &j, const std::filesystem::path &path);
};

struct Model {
    ModelHeader header;
    std::unique_ptr<Classifier> classifier;

    //! Rows of `data` re-ordered to this model's features (by name; extra columns ignored). Throws RivuletError
    //! naming the first model feature missing from the data, or a NaN cell the model cannot take.
    std::vector<float> AlignFeatures(const Dataset &data) const;
};

//! Writes `model` to `path` (atomically: a temporary file renamed). Throws RivuletError(kIo) on failure.
void SaveModel(const Model &model, const std::filesystem::path &path);
//! Reads a model file. Throws RivuletError naming the file and what is wrong (not a model, newer format, corrupt).
Model LoadModel(const std::filesystem::path &path);
//! Reads only the header (fast: the body is not decompressed).
ModelHeader ReadModelHeader(const std::filesystem::path &path);
//! Headers of every model file (*.rvm) under `dir`, sorted by path; unreadable files are reported in `errors`.
std::vector<ModelHeader> ListModels(const std::filesystem::path &dir, std::vector<std::string> *errors = nullptr);

//! Reads a CSV for prediction or evaluation with `model`: its features (extra columns ignored, a missing one
//! refused), missing values only if the model allows them, labels (if `label` given) mapped to its classes.
Dataset ReadCsvForModel(const std::filesystem::path &path, const Model &model, const std::string &label,
                        const std::string &id);

}  // namespace rivulet::ml
