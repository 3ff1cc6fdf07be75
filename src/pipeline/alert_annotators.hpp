#pragma once
// The enrich stage between the cuts and the store: each accepted alert is cross-matched with the
// configured catalogs and scored by the configured models ([[xmatch]] and [[score]] of the
// configuration). The results are written with the alert, in the same transaction.

#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "alert/alert.hpp"
#include "alert/alert_annotations.hpp"
#include "common/result.hpp"
#include "pipeline/pipeline_config.hpp"

namespace rivulet {

class AlertAnnotators {
public:
    //! Opens every configured catalog and loads every configured model. Throws RivuletError naming the
    //! file and the reason (missing file, a tree model whose features are not candidate fields, a kind of
    //! model this build cannot run), so a bad configuration stops the run before any alert is read.
    explicit AlertAnnotators(const PipelineConfig &config);
    ~AlertAnnotators();
    AlertAnnotators(const AlertAnnotators &) = delete;
    AlertAnnotators &operator=(const AlertAnnotators &) = delete;

    bool empty() const;

    //! One entry per alert. A model that cannot score an alert (a missing feature, a corrupt or missing
    //! cutout) leaves its score out and counts "<model>: <reason>" in `not_scored`; the alert is stored
    //! all the same. An alert with no catalog source in range has no match for that catalog.
    //! @locality thread-safe (const): models and catalogs are read-only once loaded.
    std::vector<AlertAnnotations> Annotate(std::span<const Alert> alerts,
                                           std::map<std::string, uint64_t> &not_scored) const;

    //! What is configured, for the run summary: model versions and catalog names.
    std::vector<std::string> ModelVersions() const;
    std::vector<std::string> CatalogNames() const;

    //! One way of scoring alerts: a tree model on candidate fields or a CNN on the cutout triplet.
    class Scorer {
    public:
        virtual ~Scorer() = default;
        virtual const std::string &version() const = 0;
        //! Per alert: the score, or the reason there is none.
        virtual std::vector<Result<double>> Score(std::span<const Alert> alerts) const = 0;
    };
    class Matcher;

private:
    std::vector<std::unique_ptr<Scorer>> scorers_;
    std::unique_ptr<Matcher> matcher_;
};

}  // namespace rivulet
