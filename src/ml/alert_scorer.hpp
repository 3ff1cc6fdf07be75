#pragma once
// The ingest scoring hook: a model whose feature names are ZTF `candidate` field names (magpsf, sigmapsf,
// fwhm, elong, ...) scores a batch of alerts. A null or absent field is a missing value: models that allow
// missing values score it, others give that alert an Error (never a made-up number).

#include <span>
#include <string>
#include <vector>

#include "alert/alert.hpp"
#include "common/result.hpp"
#include "ml/model_file.hpp"

namespace rivulet::ml {

struct AlertScore {
    double score = 0;  //!< probability of the model's positive class (label 1)
};

class AlertScorer {
public:
    //! Takes ownership of `model`. Throws RivuletError if a feature is not a candidate field, or is a text
    //! field other than isdiffpos (which maps 't'/'1' → 1, 'f'/'0' → 0).
    explicit AlertScorer(Model model);

    //! One result per alert, in order: the score, or an Error (reason "missing_feature") naming the field.
    //! @locality thread-safe (const); batch prediction uses `threads` threads (0 = all cores).
    std::vector<Result<AlertScore>> Score(std::span<const Alert> alerts, int threads = 1) const;

    //! The model's tN_fN_cN, to store beside each score.
    const std::string &model_version() const { return version_; }
    const Model &model() const { return model_; }

private:
    Model model_;
    std::string version_;
    std::vector<size_t> field_index_;  //!< per model feature: index into Candidate::Fields()
};

}  // namespace rivulet::ml
