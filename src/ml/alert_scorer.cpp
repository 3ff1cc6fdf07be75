#include "ml/alert_scorer.hpp"

#include <cmath>
#include <variant>

#include <fmt/format.h>

#include "common/error.hpp"

namespace rivulet::ml {

AlertScorer::AlertScorer(Model model) : model_(std::move(model)), version_(model_.header.Version()) {
    auto fields = Candidate::Fields();
    for (const std::string &name : model_.header.features) {
        int i = FindField(fields, name);
        if (i < 0)
            throw RivuletError(ErrorKind::kConfig,
                               fmt::format("model {}: feature '{}' is not a ZTF candidate field, so it cannot score "
                                           "alerts",
                                           model_.header.path.string(), name));
        if (fields[static_cast<size_t>(i)].kind == FieldKind::kString && name != "isdiffpos")
            throw RivuletError(ErrorKind::kConfig,
                               fmt::format("model {}: feature '{}' is a text field and has no numeric value",
                                           model_.header.path.string(), name));
        field_index_.push_back(static_cast<size_t>(i));
    }
}

std::vector<Result<AlertScore>> AlertScorer::Score(std::span<const Alert> alerts, int threads) const {
    auto fields = Candidate::Fields();
    const size_t d = field_index_.size();
    const bool allow_missing = model_.classifier->allows_missing();
    std::vector<float> x;
    x.reserve(alerts.size() * d);
    std::vector<std::string> missing(alerts.size());  // first missing feature per alert, if refused
    std::vector<size_t> scored;                        // alerts that go to the model
    for (size_t a = 0; a < alerts.size(); ++a) {
        const Candidate &cand = alerts[a].candidate;
        std::vector<float> row(d);
        for (size_t f = 0; f < d; ++f) {
            double v = NAN;
            std::visit(
                [&](auto member) {
                    const auto &opt = cand.*member;
                    if (!opt) return;
                    using T = std::decay_t<decltype(*opt)>;
                    if constexpr (std::is_same_v<T, std::string>) {
                        if (*opt == "t" || *opt == "1") v = 1;
                        else if (*opt == "f" || *opt == "0") v = 0;
                    } else {
                        v = static_cast<double>(*opt);
                    }
                },
                fields[field_index_[f]].member);
            if (std::isnan(v) && !allow_missing && missing[a].empty()) missing[a] = model_.header.features[f];
            row[f] = static_cast<float>(v);
        }
        if (!missing[a].empty()) continue;
        scored.push_back(a);
        x.insert(x.end(), row.begin(), row.end());
    }
    std::vector<double> proba = model_.classifier->PredictProba(x, scored.size(), threads);
    const size_t k = model_.header.classes.size(), pos = model_.header.PositiveClass();
    std::vector<Result<AlertScore>> out(alerts.size(), Result<AlertScore>(AlertScore{}));
    for (size_t a = 0; a < alerts.size(); ++a)
        if (!missing[a].empty())
            out[a] = MakeError("missing_feature", fmt::format("candid {}: candidate field '{}' is null or absent and "
                                                              "model {} takes no missing values",
                                                              alerts[a].candid, missing[a], version_));
    for (size_t i = 0; i < scored.size(); ++i) out[scored[i]] = AlertScore{proba[i * k + pos]};
    return out;
}

}  // namespace rivulet::ml
