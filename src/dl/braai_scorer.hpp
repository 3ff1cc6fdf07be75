#pragma once
// Real/bogus scores of alerts from their cutout triplets with a braai-family CNN (Duev et al. 2019), exactly as
// ZTF computes `candidate.drb`: the model is a Keras pair `<prefix>.architecture.json` + `<prefix>.weights.h5`
// (e.g. ../shared/models/braai/d6_m7), the input preparation is the one that model version was trained with
// (triplet.hpp), the network runs on libtorch. Does not store or publish scores (src/pipeline does).
// @locality Score and ScoreTriplets are thread-safe (const); libtorch parallelises one batch over its intra-op
// threads (ScorerOptions::threads).

#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "alert/alert.hpp"
#include "common/result.hpp"
#include "dl/triplet.hpp"

namespace rivulet::dl {

struct ScorerOptions {
    //! Input preparation; nullopt: the model's own (its "rivulet" metadata, else by braai version name).
    std::optional<Normalization> normalization;
    //! Triplets prepared (decoded and normalised) at a time inside Score (memory ~ 50 kB per triplet); the
    //! network itself runs on micro-batches of 16 (ScoreTriplets).
    std::size_t batch_size = 256;
    //! libtorch intra-op threads (a process-wide libtorch setting); 0 leaves libtorch's default (all cores).
    int threads = 0;
};

class BraaiScorer {
public:
    //! Loads `<prefix>.architecture.json` and `<prefix>.weights.h5`. The model must take 63×63×3 and end in one
    //! sigmoid unit. Throws RivuletError (kIo: unreadable file; kInvalidInput: unsupported model, or a version
    //! whose input preparation is unknown and no normalization was given).
    explicit BraaiScorer(const std::filesystem::path &prefix, ScorerOptions options = {});
    ~BraaiScorer();
    BraaiScorer(BraaiScorer &&) noexcept;
    BraaiScorer &operator=(BraaiScorer &&) noexcept;

    //! The version to store beside each score: "d6_m7" for ../shared/models/braai/d6_m7 (the value ZTF writes
    //! in `drbversion`), "d6_m9" for braai_d6_m9; a Rivulet-trained model's "model_version" metadata.
    const std::string &model_version() const;
    Normalization normalization() const;

    //! One result per alert, in order: the score in [0, 1], or an Error whose reason says why this alert
    //! has none ("cutout_missing", "cutout_format", "cutout_gzip", "cutout_fits", "cutout_shape"). A bad alert
    //! never fails the others. Cutouts smaller than 63×63 are padded as upstream does and scored.
    std::vector<Result<float>> Score(std::span<const Alert> alerts) const;

    //! Scores `count` prepared triplets (count × 63 × 63 × 3 floats, channels-last, see PrepareTriplet), in
    //! network calls of up to 16 triplets. Inputs must be finite.
    std::vector<float> ScoreTriplets(std::span<const float> triplets, std::size_t count) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace rivulet::dl
