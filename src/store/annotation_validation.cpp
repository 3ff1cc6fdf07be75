#include "store/annotation_validation.hpp"

#include <cmath>
#include <set>
#include <string>

#include "common/error.hpp"

namespace rivulet {

void ValidateAnnotationsForStore(std::span<const Alert> accepted, std::span<const AlertAnnotations> annotations) {
    if (annotations.empty()) return;
    if (annotations.size() != accepted.size())
        throw RivuletError(ErrorKind::kInvalidInput, "store write: " + std::to_string(annotations.size()) +
                                                         " annotations for " + std::to_string(accepted.size()) +
                                                         " alerts");
    for (size_t i = 0; i < accepted.size(); ++i) {
        const auto fail = [&](const std::string &what) {
            throw RivuletError(ErrorKind::kInvalidInput,
                               "store write: alert candid " + std::to_string(accepted[i].candid) + ": " + what);
        };
        std::set<std::string> models, catalogs;
        for (const ScoreAnnotation &s : annotations[i].scores) {
            if (s.model.empty()) fail("score without a model name");
            if (!models.insert(s.model).second) fail("model " + s.model + " scored twice");
            if (!std::isfinite(s.score)) fail("score of model " + s.model + " is not finite");
        }
        for (const CatalogMatchAnnotation &m : annotations[i].xmatch) {
            if (m.catalog.empty()) fail("match without a catalog name");
            if (!catalogs.insert(m.catalog).second) fail("catalog " + m.catalog + " matched twice");
            if (!std::isfinite(m.sep_arcsec) || m.sep_arcsec < 0) fail("bad separation for catalog " + m.catalog);
            if (m.cat_row < 0) fail("negative row for catalog " + m.catalog);
        }
    }
}

}  // namespace rivulet
