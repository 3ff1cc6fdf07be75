#include "lightcurve/series.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

namespace rivulet::lightcurve {

Result<Series> CleanSeries(std::span<const double> t, std::span<const double> mag, std::span<const double> err,
                           const CleanOptions &options, CleanReport *report) {
    CleanReport rep;
    rep.input_points = t.size();
    if (mag.size() != t.size() || err.size() != t.size()) {
        return MakeError("length_mismatch", "light curve columns differ in length: t " + std::to_string(t.size()) +
                                                ", mag " + std::to_string(mag.size()) + ", err " +
                                                std::to_string(err.size()));
    }
    std::vector<std::size_t> keep;
    keep.reserve(t.size());
    for (std::size_t i = 0; i < t.size(); ++i) {
        if (!std::isfinite(t[i]) || !std::isfinite(mag[i]) || !std::isfinite(err[i])) {
            ++rep.dropped_nonfinite;
        } else if (!(err[i] > 0) || err[i] > options.max_err) {
            ++rep.dropped_bad_error;
        } else {
            keep.push_back(i);
        }
    }
    rep.was_unsorted = !std::is_sorted(keep.begin(), keep.end(), [&](std::size_t a, std::size_t b) { return t[a] < t[b]; });
    if (rep.was_unsorted) {
        std::stable_sort(keep.begin(), keep.end(), [&](std::size_t a, std::size_t b) { return t[a] < t[b]; });
    }
    Series s;
    s.t.reserve(keep.size());
    s.mag.reserve(keep.size());
    s.err.reserve(keep.size());
    std::size_t i = 0;
    while (i < keep.size()) {
        std::size_t j = i + 1;
        while (j < keep.size() && t[keep[j]] == t[keep[i]]) ++j;
        if (j == i + 1) {
            s.t.push_back(t[keep[i]]);
            s.mag.push_back(mag[keep[i]]);
            s.err.push_back(err[keep[i]]);
        } else {
            double sw = 0, swm = 0;
            for (std::size_t k = i; k < j; ++k) {
                const double w = 1.0 / (err[keep[k]] * err[keep[k]]);
                sw += w;
                swm += w * mag[keep[k]];
            }
            s.t.push_back(t[keep[i]]);
            s.mag.push_back(swm / sw);
            s.err.push_back(1.0 / std::sqrt(sw));
            rep.merged_duplicates += j - i - 1;
        }
        i = j;
    }
    if (report) *report = rep;
    if (s.size() < options.min_points) {
        return MakeError("too_few_points", "light curve has " + std::to_string(s.size()) +
                                               " usable points after cleaning (of " + std::to_string(t.size()) +
                                               "), at least " + std::to_string(options.min_points) + " needed");
    }
    return s;
}

bool IsConstant(const Series &s) {
    return std::all_of(s.mag.begin(), s.mag.end(), [&](double m) { return m == s.mag.front(); });
}

}  // namespace rivulet::lightcurve
