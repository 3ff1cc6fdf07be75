#include "xmatch/catalog_matcher.hpp"

#include <cmath>

#include "common/error.hpp"

namespace rivulet::xmatch {

CatalogMatcher::CatalogMatcher(std::vector<CatalogMatchSpec> specs) : specs_(std::move(specs)) {
    for (auto &spec : specs_) {
        if (!(spec.radius_arcsec >= 0) || std::isinf(spec.radius_arcsec))
            throw RivuletError(ErrorKind::kConfig, "catalog " + spec.path.string() + ": radius " +
                                                       std::to_string(spec.radius_arcsec) + " is not ≥ 0");
        catalogs_.push_back(std::make_unique<Catalog>(spec.path));
        if (spec.name.empty()) spec.name = catalogs_.back()->name();
    }
    for (size_t a = 0; a < specs_.size(); ++a)
        for (size_t b = a + 1; b < specs_.size(); ++b)
            if (specs_[a].name == specs_[b].name)
                throw RivuletError(ErrorKind::kConfig, "two catalogs are named '" + specs_[a].name + "'");
}

std::vector<std::vector<CatalogMatch>> CatalogMatcher::Match(std::span<const SkyPosition> positions,
                                                             unsigned threads) const {
    std::vector<std::vector<CatalogMatch>> out(positions.size());
    // Off-sky positions are left out of the query rather than failing the batch.
    std::vector<SkyPosition> usable;
    std::vector<size_t> original;
    for (size_t i = 0; i < positions.size(); ++i) {
        const auto &p = positions[i];
        if (std::isfinite(p.ra_deg) && std::isfinite(p.dec_deg) && p.dec_deg >= -90 && p.dec_deg <= 90) {
            usable.push_back(p);
            original.push_back(i);
        }
    }
    for (size_t c = 0; c < catalogs_.size(); ++c) {
        const Catalog &catalog = *catalogs_[c];
        for (const auto &pair : CrossMatch(catalog, usable, specs_[c].radius_arcsec, MatchMode::kNearest, threads)) {
            CatalogMatch m{specs_[c].name, pair.cat_row, pair.sep_arcsec, {}};
            for (size_t k = 0; k < catalog.columns().size(); ++k) {
                CatalogValue v;
                switch (catalog.columns()[k].type) {
                    case ColumnType::kInt64:
                        if (const int64_t x = catalog.Int64(k, pair.row); x != kNullInt64) v = x;
                        break;
                    case ColumnType::kFloat64:
                        if (const double x = catalog.Float64(k, pair.row); !std::isnan(x)) v = x;
                        break;
                    case ColumnType::kString:
                        if (auto s = catalog.String(k, pair.row); !s.empty()) v = std::string(s);
                        break;
                }
                m.columns.emplace_back(catalog.columns()[k].name, std::move(v));
            }
            out[original[pair.in_row]].push_back(std::move(m));
        }
    }
    return out;
}

}  // namespace rivulet::xmatch
