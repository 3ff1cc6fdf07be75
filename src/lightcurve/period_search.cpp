#include "lightcurve/period_search.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>
#include <numeric>
#include <thread>

#include "lightcurve/lomb_scargle.hpp"
#include "lightcurve/phase_periodograms.hpp"
#include "lightcurve/rr_lyrae_prior.hpp"

namespace rivulet::lightcurve {
namespace {

//! Share of the f model's unexplained chi2 that the subharmonic f/2 must remove to be preferred.
constexpr double kSubharmonicGain = 0.1;

constexpr double kSiderealDay = 1.0027379;  //!< cycles/day: the daily alias of nightly sampling
constexpr double kYear = 1.0 / 365.25;      //!< cycles/day: the yearly alias of seasonal gaps

//! Evaluates the method's (refinement-quality) power on a grid, combining bands.
using Evaluator = std::function<std::vector<double>(const FrequencyGrid &)>;

std::vector<double> GridFrequencies(const FrequencyGrid &g) {
    std::vector<double> f(g.n);
    for (std::size_t k = 0; k < g.n; ++k) f[k] = g.At(k);
    return f;
}

//! Indices of local maxima, highest first, at least `min_sep` grid steps apart.
std::vector<std::size_t> DistinctPeaks(const std::vector<double> &p, std::size_t count, std::size_t min_sep) {
    std::vector<std::size_t> maxima;
    for (std::size_t k = 0; k < p.size(); ++k) {
        const bool left = k == 0 || p[k] >= p[k - 1];
        const bool right = k + 1 == p.size() || p[k] > p[k + 1];
        if (left && right) maxima.push_back(k);
    }
    std::sort(maxima.begin(), maxima.end(), [&](std::size_t a, std::size_t b) { return p[a] > p[b]; });
    std::vector<std::size_t> chosen;
    for (std::size_t k : maxima) {
        bool near = false;
        for (std::size_t c : chosen) near |= (k > c ? k - c : c - k) < min_sep;
        if (!near) chosen.push_back(k);
        if (chosen.size() == count) break;
    }
    return chosen;
}

//! Zooms in twice around f: +-1 step with 20 sub-steps, then +-1 sub-step with 20 more.
std::pair<double, double> Refine(const Evaluator &eval, double f, double df) {
    double best_f = f, best_p = -std::numeric_limits<double>::infinity();
    double step = df;
    for (int round = 0; round < 2; ++round) {
        FrequencyGrid g{std::max(best_f - step, 1e-12), step / 10, 21};
        const auto p = eval(g);
        for (std::size_t k = 0; k < g.n; ++k) {
            if (p[k] > best_p) {
                best_p = p[k];
                best_f = g.At(k);
            }
        }
        step /= 10;
    }
    return {best_f, best_p};
}

std::string Relation(double f, double best, double tol) {
    for (int a = 1; a <= 4; ++a) {
        for (int b = 1; b <= 4; ++b) {
            if (a == b || std::gcd(a, b) != 1) continue;
            if (std::abs(f * b - best * a) < tol * b) return "harmonic " + std::to_string(a) + "/" + std::to_string(b);
        }
    }
    for (double alias : {kSiderealDay, 1.0, 2.0, kYear}) {  // sidereal and solar day, yearly gap
        for (int n = 1; n <= 3; ++n) {
            if (std::abs(std::abs(f - best) - n * alias) < tol) {
                return alias < 0.5 ? "alias 1/yr" : "alias 1/d";
            }
        }
    }
    return "";
}

// A copy of `s` with `extra` mag added in quadrature to every error (the error floor, the fitted jitter).
Series WithExtraError(Series s, double extra) {
    for (double &e : s.err) e = std::sqrt(e * e + extra * extra);
    return s;
}

Result<PeriodResult> Search(std::span<const Series> input, const PeriodOptions &o) {
    if (!(o.err_floor >= 0) || std::isinf(o.err_floor))
        return MakeError("bad_option", "err_floor " + std::to_string(o.err_floor) + " is not a finite non-negative magnitude");
    std::vector<Series> floored;
    if (o.err_floor > 0)
        for (const Series &s : input) floored.push_back(WithExtraError(s, o.err_floor));
    const std::span<const Series> bands = o.err_floor > 0 ? std::span<const Series>(floored) : input;
    std::vector<const Series *> used;
    double tmin = std::numeric_limits<double>::infinity(), tmax = -tmin;
    std::size_t npts = 0;
    bool any_band = false;
    for (const Series &s : bands) {
        if (s.size() < 3) continue;
        any_band = true;
        if (IsConstant(s)) continue;
        used.push_back(&s);
        tmin = std::min(tmin, s.t.front());
        tmax = std::max(tmax, s.t.back());
        npts += s.size();
    }
    if (!any_band) return MakeError("too_few_points", "no band has at least 3 usable points");
    if (used.empty()) return MakeError("constant_magnitudes", "every magnitude is equal: no period exists");
    auto grid = MakeFrequencyGrid(tmax - tmin, o.grid);
    if (!grid) return grid.error();

    std::vector<double> ref(used.size());
    for (std::size_t b = 0; b < used.size(); ++b) ref[b] = ReferenceChi2(*used[b]);
    const bool ls_family = o.method == PeriodMethod::kLs || o.method == PeriodMethod::kLsFast ||
                           o.method == PeriodMethod::kMultiHarmonic;

    // Combines per-band periodograms: chi2-weighted for LS (a joint fit), point-weighted otherwise.
    auto combine = [&](std::vector<std::vector<double>> &per_band) {
        if (per_band.size() == 1) return std::move(per_band.front());
        if (ls_family) return CombineBands(per_band, ref);
        std::vector<double> weights(used.size());
        for (std::size_t b = 0; b < used.size(); ++b) weights[b] = static_cast<double>(used[b]->size());
        return CombineBands(per_band, weights);
    };
    auto per_band = [&](auto fn) {
        std::vector<std::vector<double>> pb;
        for (const Series *s : used) pb.push_back(fn(*s));
        return combine(pb);
    };

    Evaluator exact;
    std::vector<double> power;
    switch (o.method) {
        case PeriodMethod::kLs:
            exact = [&](const FrequencyGrid &g) { return per_band([&](const Series &s) { return LombScargleExact(s, g); }); };
            power = exact(*grid);
            break;
        case PeriodMethod::kLsFast:
        case PeriodMethod::kMultiHarmonic: {
            const int k = o.method == PeriodMethod::kLsFast ? 1 : std::max(1, o.nterms);
            exact = [&, k](const FrequencyGrid &g) {
                const auto f = GridFrequencies(g);
                if (k > 1 && used.size() > 1 && o.shared_shape) return LombScargleSharedShape(used, f, k);
                return per_band([&](const Series &s) {
                    return k == 1 ? LombScargleAt(s, f) : LombScargleMultiTerm(s, f, k);
                });
            };
            power = per_band([&](const Series &s) { return LombScargleFast(s, *grid); });
            break;
        }
        case PeriodMethod::kAov:
            exact = [&](const FrequencyGrid &g) { return per_band([&](const Series &s) { return AovPeriodogram(s, g); }); };
            power = exact(*grid);
            break;
        case PeriodMethod::kCe:
            exact = [&](const FrequencyGrid &g) {
                return per_band([&](const Series &s) { return ConditionalEntropyPeriodogram(s, g); });
            };
            power = exact(*grid);
            break;
        case PeriodMethod::kBls:
            exact = [&](const FrequencyGrid &g) { return per_band([&](const Series &s) { return BlsPeriodogram(s, g); }); };
            power = exact(*grid);
            break;
    }

    const auto min_sep = static_cast<std::size_t>(std::max(1.0, std::round(o.grid.samples_per_peak)));
    const std::size_t ncand = std::max(o.candidates, o.top_k);
    std::vector<double> candidates;
    for (std::size_t k : DistinctPeaks(power, ncand, min_sep)) candidates.push_back(grid->At(k));
    if (o.method == PeriodMethod::kMultiHarmonic) {
        // A non-sinusoidal shape (RRab, eclipsing binaries) can put the one-term peak at the first
        // harmonic, so the K-term fit also judges half of each screened frequency.
        const std::size_t n0 = candidates.size();
        for (std::size_t i = 0; i < n0; ++i)
            if (0.5 * candidates[i] >= grid->f0) candidates.push_back(0.5 * candidates[i]);
    }
    std::vector<Peak> peaks;
    for (double f : candidates) {
        auto [rf, rp] = Refine(exact, f, grid->df);
        peaks.push_back(Peak{rf, 1.0 / rf, rp, std::numeric_limits<double>::quiet_NaN(), ""});
    }
    std::sort(peaks.begin(), peaks.end(), [](const Peak &a, const Peak &b) { return a.power > b.power; });
    if (o.method == PeriodMethod::kMultiHarmonic && !peaks.empty()) {
        // A K-term series at f/2 contains the harmonic f, so it always fits at least as well as at f and
        // picks up two free terms that fit noise: the subharmonic wins by a hair for any shape. Prefer f
        // unless f/2 removes a tenth of what the f model leaves (unequal minima of an eclipsing binary do;
        // noise does not).
        const double tol_f = 0.5 / (tmax - tmin);
        for (std::size_t i = 1; i < peaks.size(); ++i) {
            if (std::abs(peaks[i].frequency - 2 * peaks[0].frequency) < tol_f &&
                peaks[0].power - peaks[i].power < kSubharmonicGain * (1 - peaks[i].power)) {
                std::swap(peaks[0], peaks[i]);
                std::sort(peaks.begin() + 1, peaks.end(), [](const Peak &a, const Peak &b) { return a.power > b.power; });
                break;
            }
        }
    }
    const bool scaled = o.method == PeriodMethod::kMultiHarmonic && o.shared_shape && used.size() > 1 && o.rescore;
    if (scaled && !peaks.empty()) {
        // Alias-aware final choice. On nightly sampling the daily and yearly aliases of the true frequency
        // reach almost the same shared-shape power as the truth. A richer model that describes the star
        // better (per-band amplitudes on the shared shape, more harmonics) separates them: the best peak
        // and its aliases f + n * 1.0027379 + m / 365.25 (|n| <= 2, |m| <= 1) are re-refined under it and
        // the lowest chi2 wins (all have the same number of parameters). Only aliases compete here: the
        // f-or-f/2 question stays with the rule above, because a richer model at f/2 always gains more
        // from fitting noise with its extra half-integer harmonics.
        const int k = std::max(1, o.rescore_nterms > 0 ? o.rescore_nterms : o.nterms + 1);
        const double f_best = peaks[0].frequency;
        std::vector<Series> jittered;
        std::vector<const Series *> final_bands = used;
        if (o.fit_jitter) {
            const auto jitter = FitBandJitter(used, f_best, k);
            for (std::size_t b = 0; b < used.size(); ++b) jittered.push_back(WithExtraError(*used[b], jitter[b]));
            for (std::size_t b = 0; b < used.size(); ++b) final_bands[b] = &jittered[b];
        }
        const Evaluator final_eval = [&, k](const FrequencyGrid &g) {
            return LombScargleScaledShape(final_bands, GridFrequencies(g), k);
        };
        std::vector<Peak> rescored;
        for (int n = -2; n <= 2; ++n) {
            for (int m = -1; m <= 1; ++m) {
                const double f = f_best + n * kSiderealDay + m * kYear;
                if (f < grid->f0 || f > grid->Max()) continue;
                // The best peak is already refined; an alias is only near its computed place.
                auto [rf, rp] = Refine(final_eval, f, (n == 0 && m == 0 ? 0.2 : 3.0) * grid->df);
                rescored.push_back(Peak{rf, 1.0 / rf, rp, std::numeric_limits<double>::quiet_NaN(), ""});
            }
        }
        std::sort(rescored.begin(), rescored.end(), [](const Peak &a, const Peak &b) { return a.power > b.power; });
        if (o.prior == PeriodPrior::kRrLyrae) {
            // Posterior order: chi2 of the final model plus the prior's penalty for the period and the fitted
            // shape there (same model and errors for every candidate; a degenerate fit keeps its power order
            // behind the others). Peaks keep their power.
            std::vector<double> score(rescored.size(), std::numeric_limits<double>::infinity());
            for (std::size_t i = 0; i < rescored.size(); ++i)
                if (const auto fit = FitScaledShape(final_bands, rescored[i].frequency, k)) {
                    const double s = fit->chi2 + RrLyraePriorPenalty(rescored[i].period,
                                                                     FourierShapeRatio(fit->shape, fit->shape_cov));
                    if (std::isfinite(s)) score[i] = s;  // NaN would break the sort's ordering
                }
            std::vector<std::size_t> order(rescored.size());
            std::iota(order.begin(), order.end(), std::size_t{0});
            std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return score[a] < score[b]; });
            std::vector<Peak> by_posterior;
            for (std::size_t i : order) by_posterior.push_back(rescored[i]);
            rescored = std::move(by_posterior);
        }
        // The winner and its aliases (final-model power) first, then the other screened peaks.
        rescored.insert(rescored.end(), peaks.begin() + 1, peaks.end());
        peaks = std::move(rescored);
    }
    // Drop refined duplicates (two grid peaks converging on one maximum).
    std::vector<Peak> distinct;
    const double tol = 1.0 / (tmax - tmin);
    for (const Peak &p : peaks) {
        bool dup = false;
        for (const Peak &d : distinct) dup |= std::abs(d.frequency - p.frequency) < 0.5 * tol;
        if (!dup) distinct.push_back(p);
        if (distinct.size() == o.top_k) break;
    }
    for (std::size_t i = 0; i < distinct.size(); ++i) {
        if (i > 0) distinct[i].relation = Relation(distinct[i].frequency, distinct[0].frequency, tol);
        if (used.size() == 1 && (o.method == PeriodMethod::kLs || o.method == PeriodMethod::kLsFast)) {
            distinct[i].fap = FalseAlarmProbability(distinct[i].power, *used[0], grid->Max());
        }
    }
    PeriodResult r;
    r.peaks = std::move(distinct);
    r.n_points = npts;
    r.n_frequencies = grid->n;
    return r;
}

}  // namespace

Result<PeriodMethod> ParsePeriodMethod(std::string_view name) {
    if (name == "ls") return PeriodMethod::kLs;
    if (name == "ls-fast") return PeriodMethod::kLsFast;
    if (name == "mhls") return PeriodMethod::kMultiHarmonic;
    if (name == "aov") return PeriodMethod::kAov;
    if (name == "ce") return PeriodMethod::kCe;
    if (name == "bls") return PeriodMethod::kBls;
    return MakeError("unknown_method",
                     "unknown period method '" + std::string(name) + "' (choose ls, ls-fast, mhls, aov, ce, bls)");
}

Result<PeriodPrior> ParsePeriodPrior(std::string_view name) {
    if (name == "none") return PeriodPrior::kNone;
    if (name == "rrlyrae") return PeriodPrior::kRrLyrae;
    return MakeError("unknown_prior", "unknown period prior '" + std::string(name) + "' (choose none, rrlyrae)");
}

std::string_view PeriodMethodName(PeriodMethod m) {
    switch (m) {
        case PeriodMethod::kLs: return "ls";
        case PeriodMethod::kLsFast: return "ls-fast";
        case PeriodMethod::kMultiHarmonic: return "mhls";
        case PeriodMethod::kAov: return "aov";
        case PeriodMethod::kCe: return "ce";
        case PeriodMethod::kBls: return "bls";
    }
    return "?";
}

std::vector<double> FitBandJitter(std::span<const Series *const> bands, double frequency, int nterms) {
    std::vector<double> jitter(bands.size(), 0.0);
    const auto fit = FitScaledShape(bands, frequency, nterms);
    if (!fit) return jitter;
    std::size_t npts = 0;
    for (const Series *s : bands) npts += s->size();
    for (std::size_t b = 0; b < bands.size(); ++b) {
        const Series &s = *bands[b];
        std::vector<double> r2(s.size());
        double rmax2 = 0;
        for (std::size_t i = 0; i < s.size(); ++i) {
            const double r = s.mag[i] - fit->model[b][i];
            r2[i] = r * r;
            rmax2 = std::max(rmax2, r2[i]);
        }
        // Degrees of freedom: the band's mean and amplitude plus its share (by points) of the 2K shape terms.
        const double dof = static_cast<double>(s.size()) - 2.0 -
                           2.0 * nterms * static_cast<double>(s.size()) / static_cast<double>(npts);
        auto chi2 = [&](double jitter2) {
            double c = 0;
            for (std::size_t i = 0; i < s.size(); ++i) c += r2[i] / (s.err[i] * s.err[i] + jitter2);
            return c;
        };
        if (!(dof > 0) || chi2(0) <= dof) continue;
        // chi2 falls monotonically as the jitter grows: bracket the root, then bisect on jitter^2.
        double lo = 0, hi = std::max(rmax2, 1e-12);
        for (int it = 0; it < 60 && chi2(hi) > dof; ++it) hi *= 4;
        for (int it = 0; it < 60; ++it) {
            const double mid = 0.5 * (lo + hi);
            (chi2(mid) > dof ? lo : hi) = mid;
        }
        jitter[b] = std::sqrt(hi);
    }
    return jitter;
}

Result<PeriodResult> FindPeriod(const Series &s, const PeriodOptions &options) {
    if (s.size() < 3) return MakeError("too_few_points", "light curve has " + std::to_string(s.size()) + " points, at least 3 needed");
    return Search(std::span<const Series>(&s, 1), options);
}

Result<PeriodResult> FindPeriodMultiBand(std::span<const Series> bands, const PeriodOptions &options) {
    return Search(bands, options);
}

std::vector<Result<PeriodResult>> FindPeriodsBatch(std::span<const BandSet> objects, const PeriodOptions &options,
                                                   unsigned threads, const std::function<void(std::size_t)> &progress) {
    std::vector<Result<PeriodResult>> out(objects.size(), Result<PeriodResult>(MakeError("not_run", "")));
    if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
    threads = std::min<unsigned>(threads, static_cast<unsigned>(std::max<std::size_t>(1, objects.size())));
    std::atomic<std::size_t> next{0};
    std::size_t done = 0;
    std::mutex mu;
    auto work = [&] {
        for (std::size_t i = next++; i < objects.size(); i = next++) {
            out[i] = FindPeriodMultiBand(objects[i], options);
            std::lock_guard<std::mutex> lock(mu);
            ++done;
            if (progress) progress(done);
        }
    };
    std::vector<std::thread> pool;
    for (unsigned k = 1; k < threads; ++k) pool.emplace_back(work);
    work();
    for (auto &t : pool) t.join();
    return out;
}

}  // namespace rivulet::lightcurve
