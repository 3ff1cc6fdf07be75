#include "pipeline/alert_annotators.hpp"

#include <cmath>
#include <filesystem>

#include "common/error.hpp"

#ifdef RIVULET_HAVE_XMATCH
#include "xmatch/catalog_matcher.hpp"
#endif
#ifdef RIVULET_HAVE_DL
#include "dl/braai_scorer.hpp"
#endif
#ifdef RIVULET_HAVE_ML
#include "ml/alert_scorer.hpp"
#include "ml/model_file.hpp"
#endif

namespace rivulet {

namespace {

[[noreturn, maybe_unused]] void NotInThisBuild(const std::string &what, const std::string &subsystem) {
    throw RivuletError(ErrorKind::kConfig, what + ": this build of Rivulet was made without " + subsystem);
}

#ifdef RIVULET_HAVE_ML
// A tree model (rivulet train) on candidate fields.
class TreeModelScorer final : public AlertAnnotators::Scorer {
public:
    explicit TreeModelScorer(const std::filesystem::path &path) : scorer_(ml::LoadModel(path)) {}
    const std::string &version() const override { return scorer_.model_version(); }
    std::vector<Result<double>> Score(std::span<const Alert> alerts) const override {
        std::vector<Result<double>> out;
        out.reserve(alerts.size());
        for (auto &r : scorer_.Score(alerts)) {
            if (r) out.emplace_back(r->score);
            else out.emplace_back(r.error());
        }
        return out;
    }

private:
    ml::AlertScorer scorer_;
};
#endif

#ifdef RIVULET_HAVE_DL
// A braai-family CNN on the cutout triplet (the published input preparation of its version).
class CnnScorer final : public AlertAnnotators::Scorer {
public:
    explicit CnnScorer(const std::filesystem::path &prefix) : scorer_(prefix) {}
    const std::string &version() const override { return scorer_.model_version(); }
    std::vector<Result<double>> Score(std::span<const Alert> alerts) const override {
        std::vector<Result<double>> out;
        out.reserve(alerts.size());
        for (auto &r : scorer_.Score(alerts)) {
            if (r) out.emplace_back(static_cast<double>(*r));
            else out.emplace_back(r.error());
        }
        return out;
    }

private:
    dl::BraaiScorer scorer_;
};
#endif

}  // namespace

#ifdef RIVULET_HAVE_XMATCH
class AlertAnnotators::Matcher {
public:
    explicit Matcher(const std::vector<CatalogMatchConfig> &config) : matcher_(Specs(config)) {}

    void Annotate(std::span<const Alert> alerts, std::vector<AlertAnnotations> &out) const {
        std::vector<xmatch::SkyPosition> positions(alerts.size());
        for (size_t i = 0; i < alerts.size(); ++i) {
            // Stored alerts have a position (the store refuses others); NaN is skipped by the matcher.
            positions[i].ra_deg = alerts[i].candidate.ra.value_or(NAN);
            positions[i].dec_deg = alerts[i].candidate.dec.value_or(NAN);
        }
        auto matches = matcher_.Match(positions);
        for (size_t i = 0; i < alerts.size(); ++i)
            for (auto &m : matches[i])
                out[i].xmatch.push_back({m.catalog, static_cast<int64_t>(m.cat_row), m.sep_arcsec});
    }

    std::vector<std::string> Names() const {
        std::vector<std::string> out;
        for (const auto &s : matcher_.specs()) out.push_back(s.name);
        return out;
    }

private:
    static std::vector<xmatch::CatalogMatchSpec> Specs(const std::vector<CatalogMatchConfig> &config) {
        std::vector<xmatch::CatalogMatchSpec> specs;
        for (const auto &c : config) specs.push_back({c.name, c.catalog, c.radius_arcsec});
        return specs;
    }
    xmatch::CatalogMatcher matcher_;
};
#else
class AlertAnnotators::Matcher {
public:
    explicit Matcher(const std::vector<CatalogMatchConfig> &config) {
        NotInThisBuild("[[xmatch]] " + config.front().catalog.string(), "the xmatch subsystem");
    }
    void Annotate(std::span<const Alert>, std::vector<AlertAnnotations> &) const {}
    std::vector<std::string> Names() const { return {}; }
};
#endif

AlertAnnotators::AlertAnnotators(const PipelineConfig &config) {
    if (!config.xmatch.empty()) matcher_ = std::make_unique<Matcher>(config.xmatch);
    for (const auto &m : config.score) {
        const std::string where = "[[score]] " + m.model.string();
        if (m.model.extension() == ".rvm") {
#ifdef RIVULET_HAVE_ML
            if (!std::filesystem::exists(m.model)) throw RivuletError(ErrorKind::kConfig, where + ": no such file");
            scorers_.push_back(std::make_unique<TreeModelScorer>(m.model));
#else
            NotInThisBuild(where, "the ml subsystem");
#endif
        } else if (std::filesystem::exists(m.model.string() + ".architecture.json")) {
#ifdef RIVULET_HAVE_DL
            scorers_.push_back(std::make_unique<CnnScorer>(m.model));
#else
            NotInThisBuild(where, "the dl subsystem (libtorch)");
#endif
        } else {
            throw RivuletError(ErrorKind::kConfig, where + ": neither a tree model (.rvm) nor a CNN prefix (no " +
                                                       m.model.filename().string() + ".architecture.json)");
        }
    }
    for (size_t i = 0; i < scorers_.size(); ++i)
        for (size_t j = 0; j < i; ++j)
            if (scorers_[i]->version() == scorers_[j]->version())
                throw RivuletError(ErrorKind::kConfig, "[[score]]: two models with the version " +
                                                           scorers_[i]->version() + "; scores are stored by version");
}

AlertAnnotators::~AlertAnnotators() = default;

bool AlertAnnotators::empty() const { return scorers_.empty() && !matcher_; }

std::vector<AlertAnnotations> AlertAnnotators::Annotate(std::span<const Alert> alerts,
                                                        std::map<std::string, uint64_t> &not_scored) const {
    std::vector<AlertAnnotations> out(alerts.size());
    if (alerts.empty()) return out;
    for (const auto &scorer : scorers_) {
        auto scores = scorer->Score(alerts);
        for (size_t i = 0; i < alerts.size(); ++i) {
            if (scores[i]) out[i].scores.push_back({scorer->version(), *scores[i]});
            else ++not_scored[scorer->version() + ": " + scores[i].error().reason];
        }
    }
    if (matcher_) matcher_->Annotate(alerts, out);
    return out;
}

std::vector<std::string> AlertAnnotators::ModelVersions() const {
    std::vector<std::string> out;
    for (const auto &s : scorers_) out.push_back(s->version());
    return out;
}

std::vector<std::string> AlertAnnotators::CatalogNames() const { return matcher_ ? matcher_->Names() : std::vector<std::string>{}; }

}  // namespace rivulet
