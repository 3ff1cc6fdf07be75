#pragma once
// The cross-match step of the pipeline's enrich stage: every alert position is matched against each
// configured catalog (nearest source within that catalog's radius), and the match — catalog, cat_row,
// separation and the catalog's kept columns — becomes an annotation of the alert. Knows nothing of
// alerts or the pipeline: it takes positions and returns annotations, one list per position.
// @locality any thread once constructed (the catalogs are immutable memory maps)

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "xmatch/catalog.hpp"
#include "xmatch/cross_match.hpp"

namespace rivulet::xmatch {

//! One configured catalog: where its file is and how far to look.
struct CatalogMatchSpec {
    std::string name;  //!< annotation key; empty = the name stored in the file
    std::filesystem::path path;
    double radius_arcsec = 3.0;  //!< the paper's TNS check radius
};

//! A kept column's value: null, int64, float64 or string.
using CatalogValue = std::variant<std::monostate, int64_t, double, std::string>;

//! The nearest source of one catalog for one position.
struct CatalogMatch {
    std::string catalog;
    uint64_t cat_row = 0;
    double sep_arcsec = 0;
    std::vector<std::pair<std::string, CatalogValue>> columns;  //!< every kept column of the catalog
};

class CatalogMatcher {
public:
    //! Opens every catalog. Throws RivuletError naming the file when one cannot be opened, and
    //! RivuletError(kConfig) for a negative radius or two catalogs with the same name.
    explicit CatalogMatcher(std::vector<CatalogMatchSpec> specs);

    const std::vector<CatalogMatchSpec> &specs() const { return specs_; }

    //! result[i] holds one CatalogMatch per catalog that has a source near positions[i], in the order of
    //! the specs. A position that is not on the sky (NaN, |Dec| > 90) gets no matches rather than an
    //! error: per-alert problems are counted elsewhere and must not stop the batch.
    std::vector<std::vector<CatalogMatch>> Match(std::span<const SkyPosition> positions, unsigned threads = 1) const;

private:
    std::vector<CatalogMatchSpec> specs_;
    std::vector<std::unique_ptr<Catalog>> catalogs_;
};

}  // namespace rivulet::xmatch
