#pragma once
// What Rivulet adds to an accepted alert during ingest: classifier scores and catalog matches. Stored
// with the alert (in the same transaction) and published on the annotated stream.

#include <cstdint>
#include <string>
#include <vector>

namespace rivulet {

//! One classifier's score of an alert.
struct ScoreAnnotation {
    std::string model;  //!< the model's version: tN_fN_cN for a tree model, e.g. d6_m7 for braai
    double score = 0;   //!< probability of the positive class (real, for real/bogus models)
};

//! The nearest source of a configured catalog within its radius.
struct CatalogMatchAnnotation {
    std::string catalog;  //!< the catalog's configured name
    int64_t cat_row = 0;  //!< 0-based row of the source in the catalog file
    double sep_arcsec = 0;
};

struct AlertAnnotations {
    std::vector<ScoreAnnotation> scores;          //!< one per configured model that could score the alert
    std::vector<CatalogMatchAnnotation> xmatch;   //!< one per configured catalog with a source in range
};

}  // namespace rivulet
