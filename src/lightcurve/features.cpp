#include "lightcurve/features.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "lightcurve/fourier_fit.hpp"
#include "lightcurve/lomb_scargle.hpp"

namespace rivulet::lightcurve {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

//! The statistics features, in output order. Period and Fourier features follow when enabled.
const std::vector<std::string> &StatNames() {
    static const std::vector<std::string> names{
        "observation_count", "amplitude", "anderson_darling_normal", "beyond_1_std", "beyond_2_std", "chi2", "cusum",
        "eta", "eta_e", "excess_variance", "inter_percentile_range_2", "inter_percentile_range_10",
        "inter_percentile_range_25", "kurtosis", "linear_fit_slope", "linear_fit_slope_sigma",
        "linear_fit_reduced_chi2", "linear_trend", "linear_trend_sigma", "linear_trend_noise",
        "magnitude_percentage_ratio_40_5", "magnitude_percentage_ratio_20_10", "flux_percentile_ratio_mid35",
        "flux_percentile_ratio_mid50", "flux_percentile_ratio_mid65", "flux_percentile_ratio_mid80",
        "maximum_slope", "mean", "mean_variance", "median", "median_absolute_deviation",
        "median_buffer_range_percentage_10", "pair_slope_trend", "percent_amplitude",
        "percent_difference_magnitude_percentile_5", "percent_difference_magnitude_percentile_10", "skew",
        "standard_deviation", "stetson_K", "weighted_mean"};
    return names;
}

const std::vector<std::string> &PeriodNames() {
    static const std::vector<std::string> names{"period_0", "period_power_0", "period_s_to_n_0", "period_fap_0",
                                                "period_1", "period_power_1"};
    return names;
}

std::vector<std::string> FourierNames(int order) {
    std::vector<std::string> n;
    for (int k = 1; k <= order; ++k) n.push_back("fourier_amplitude_" + std::to_string(k));
    for (int k = 2; k <= order; ++k) {
        n.push_back("fourier_R" + std::to_string(k) + "1");
        n.push_back("fourier_phi" + std::to_string(k) + "1");
    }
    n.push_back("fourier_reduced_chi2");
    return n;
}

//! Linear-interpolation quantile of sorted values (numpy's default, type 7).
double Quantile(const std::vector<double> &sorted, double q) {
    const double pos = q * static_cast<double>(sorted.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(pos));
    const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
    return sorted[lo] + (pos - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

double NormalCdf(double x) { return 0.5 * std::erfc(-x / std::numbers::sqrt2); }

}  // namespace

std::vector<std::string> FeatureNames(const FeatureOptions &o) {
    std::vector<std::string> names = StatNames();
    if (o.period) {
        names.insert(names.end(), PeriodNames().begin(), PeriodNames().end());
        const auto f = FourierNames(o.fourier_order);
        names.insert(names.end(), f.begin(), f.end());
    }
    return names;
}

Result<Features> ExtractFeatures(const Series &s, const FeatureOptions &o) {
    const std::size_t n = s.size();
    if (n < 3) return MakeError("too_few_points", "features need at least 3 points, got " + std::to_string(n));
    const double nd = static_cast<double>(n);
    const auto names = FeatureNames(o);
    Features out;
    out.values.assign(names.size(), kNaN);
    std::size_t next = 0;
    auto put = [&](double v) { out.values[next++] = v; };
    auto undefined = [&](const std::string &reason) {
        out.reasons[names[next]] = reason;
        out.values[next++] = kNaN;
    };

    // Shared sums.
    double sum = 0, sw = 0, swm = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double w = 1 / (s.err[i] * s.err[i]);
        sum += s.mag[i];
        sw += w;
        swm += w * s.mag[i];
    }
    const double mean = sum / nd, wmean = swm / sw;
    double m2 = 0, m3 = 0, m4 = 0, chi2 = 0, err2 = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double d = s.mag[i] - mean, d2 = d * d;
        m2 += d2;
        m3 += d2 * d;
        m4 += d2 * d2;
        chi2 += (s.mag[i] - wmean) * (s.mag[i] - wmean) / (s.err[i] * s.err[i]);
        err2 += s.err[i] * s.err[i];
    }
    const double var = m2 / (nd - 1), sd = std::sqrt(var);
    const bool constant = !(m2 > 0);
    std::vector<double> sorted = s.mag;
    std::sort(sorted.begin(), sorted.end());
    const double median = Quantile(sorted, 0.5);
    const double mn = sorted.front(), mx = sorted.back();
    const std::string kConst = "constant_magnitudes";

    put(nd);                  // observation_count
    put(0.5 * (mx - mn));     // amplitude
    if (constant || n < 4) {  // anderson_darling_normal
        undefined(constant ? kConst : "too_few_points");
    } else {
        double a = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const double zi = std::clamp(NormalCdf((sorted[i] - mean) / sd), 1e-300, 1 - 1e-16);
            const double zr = std::clamp(NormalCdf((sorted[n - 1 - i] - mean) / sd), 1e-300, 1 - 1e-16);
            a += (2.0 * static_cast<double>(i) + 1) * (std::log(zi) + std::log1p(-zr));
        }
        put((-nd - a / nd) * (1 + 4 / nd - 25 / (nd * nd)));
    }
    for (double k : {1.0, 2.0}) {  // beyond_1_std, beyond_2_std
        std::size_t c = 0;
        for (double m : s.mag) c += std::abs(m - mean) > k * sd;
        put(static_cast<double>(c) / nd);
    }
    put(chi2 / (nd - 1));  // chi2 (reduced, about the weighted mean)
    if (constant) {        // cusum
        undefined(kConst);
    } else {
        double c = 0, cmin = 0, cmax = 0;
        for (double m : s.mag) {
            c += (m - mean) / (nd * sd);
            cmin = std::min(cmin, c);
            cmax = std::max(cmax, c);
        }
        put(cmax - cmin);
    }
    if (constant) {  // eta, eta_e
        undefined(kConst);
        undefined(kConst);
    } else {
        double e = 0, ee = 0;
        for (std::size_t i = 0; i + 1 < n; ++i) {
            const double dm = s.mag[i + 1] - s.mag[i];
            e += dm * dm;
            const double r = dm / (s.t[i + 1] - s.t[i]);  // times are strictly increasing after cleaning
            ee += r * r;
        }
        put(e / ((nd - 1) * var));
        const double span = s.t.back() - s.t.front();
        put(span * span * ee / ((nd - 1) * (nd - 1) * (nd - 1) * var));
    }
    if (mean != 0) put((var - err2 / nd) / (mean * mean));  // excess_variance
    else undefined("zero_mean");
    for (double q : {0.02, 0.10, 0.25}) put(Quantile(sorted, 1 - q) - Quantile(sorted, q));  // inter_percentile_range
    if (constant || n < 4) {  // kurtosis (unbiased excess, as pandas/light-curve)
        undefined(constant ? kConst : "too_few_points");
    } else {
        const double k = nd * (nd + 1) / ((nd - 1) * (nd - 2) * (nd - 3)) * m4 / (var * var) -
                         3 * (nd - 1) * (nd - 1) / ((nd - 2) * (nd - 3));
        put(k);
    }
    {  // linear_fit_* (weighted), linear_trend_* (unweighted)
        const double t0 = s.t.front();
        double sw_t = 0, sw_tt = 0, sw_tm = 0;
        double st = 0, stt = 0, stm = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const double w = 1 / (s.err[i] * s.err[i]), t = s.t[i] - t0;
            sw_t += w * t;
            sw_tt += w * t * t;
            sw_tm += w * t * s.mag[i];
            st += t;
            stt += t * t;
            stm += t * s.mag[i];
        }
        const double dw = sw * sw_tt - sw_t * sw_t;
        const double slope_w = (sw * sw_tm - sw_t * swm) / dw;
        const double icpt_w = (swm - slope_w * sw_t) / sw;
        double chi2_fit = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const double r = s.mag[i] - icpt_w - slope_w * (s.t[i] - t0);
            chi2_fit += r * r / (s.err[i] * s.err[i]);
        }
        put(slope_w);
        put(std::sqrt(sw / dw));
        put(chi2_fit / (nd - 2));
        const double d = nd * stt - st * st;
        const double slope = (nd * stm - st * sum) / d;
        const double icpt = (sum - slope * st) / nd;
        double rss = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const double r = s.mag[i] - icpt - slope * (s.t[i] - t0);
            rss += r * r;
        }
        const double noise2 = rss / (nd - 2);
        put(slope);
        put(std::sqrt(noise2 * nd / d));
        put(std::sqrt(noise2));
    }
    auto ratio = [&](double qn, double qd) {
        const double den = Quantile(sorted, 1 - qd) - Quantile(sorted, qd);
        if (den > 0) put((Quantile(sorted, 1 - qn) - Quantile(sorted, qn)) / den);
        else undefined(kConst);
    };
    ratio(0.40, 0.05);
    ratio(0.20, 0.10);
    for (double q : {0.325, 0.25, 0.175, 0.10}) ratio(q, 0.05);  // Richards' mid35 .. mid80
    {                                                           // maximum_slope
        double best = 0;
        for (std::size_t i = 0; i + 1 < n; ++i) best = std::max(best, std::abs((s.mag[i + 1] - s.mag[i]) / (s.t[i + 1] - s.t[i])));
        put(best);
    }
    put(mean);
    if (mean != 0) put(sd / mean);  // mean_variance
    else undefined("zero_mean");
    put(median);
    {  // median_absolute_deviation
        std::vector<double> dev(n);
        for (std::size_t i = 0; i < n; ++i) dev[i] = std::abs(s.mag[i] - median);
        std::sort(dev.begin(), dev.end());
        put(Quantile(dev, 0.5));
    }
    {  // median_buffer_range_percentage_10: share within median +- 0.1 * amplitude
        const double half = 0.1 * 0.5 * (mx - mn);
        std::size_t c = 0;
        for (double m : s.mag) c += std::abs(m - median) < half;
        put(static_cast<double>(c) / nd);
    }
    {  // pair_slope_trend: share of rising pairs among the last 30 (Richards et al. 2011)
        const std::size_t first = n > 31 ? n - 31 : 0;
        std::size_t rising = 0, pairs = 0;
        for (std::size_t i = first; i + 1 < n; ++i, ++pairs) rising += s.mag[i + 1] > s.mag[i];
        put(static_cast<double>(rising) / static_cast<double>(pairs));
    }
    put(std::max(mx - median, median - mn));  // percent_amplitude
    for (double q : {0.05, 0.10}) {           // percent_difference_magnitude_percentile
        if (median != 0) put((Quantile(sorted, 1 - q) - Quantile(sorted, q)) / median);
        else undefined("zero_median");
    }
    if (constant) {  // skew (adjusted Fisher-Pearson)
        undefined(kConst);
    } else {
        put(nd / ((nd - 1) * (nd - 2)) * m3 / (var * sd));
    }
    put(sd);  // standard_deviation
    if (!(chi2 > 0)) {  // stetson_K
        undefined(kConst);
    } else {
        double sa = 0, s2 = 0;
        const double f = std::sqrt(nd / (nd - 1));
        for (std::size_t i = 0; i < n; ++i) {
            const double d = f * (s.mag[i] - wmean) / s.err[i];
            sa += std::abs(d);
            s2 += d * d;
        }
        put(sa / std::sqrt(nd * s2));
    }
    put(wmean);

    if (o.period) {
        auto pr = constant ? Result<PeriodResult>(MakeError("constant_magnitudes", "")) : FindPeriod(s, o.period_options);
        if (!pr || pr->peaks.empty()) {
            const std::string why = pr ? "no_peak" : pr.error().reason;
            while (next < names.size()) undefined(why);
            return out;
        }
        const Peak &best = pr->peaks[0];
        put(best.period);
        put(best.power);
        // Significance whatever the method: the Baluev FAP of the one-term LS power at the best frequency
        // over the searched band; period_s_to_n_0 is -log10 of it (capped at 300 when it underflows).
        const double f1[] = {best.frequency};
        const double fap = FalseAlarmProbability(LombScargleAt(s, f1)[0], s, 1.0 / o.period_options.grid.pmin);
        put(fap > 0 ? -std::log10(fap) : 300.0);
        put(fap);
        if (pr->peaks.size() > 1) {
            put(pr->peaks[1].period);
            put(pr->peaks[1].power);
        } else {
            undefined("single_peak");
            undefined("single_peak");
        }
        auto fit = FitFourier(s, best.period, o.fourier_order);
        if (!fit) {
            while (next < names.size()) undefined(fit.error().reason);
            return out;
        }
        for (double a : fit->amplitude) put(a);
        for (std::size_t k = 0; k < fit->r_k1.size(); ++k) {
            put(fit->r_k1[k]);
            put(fit->phi_k1[k]);
        }
        put(fit->reduced_chi2);
    }
    return out;
}

std::vector<std::string> MultiBandFeatureNames(const std::vector<std::string> &bands, const FeatureOptions &o) {
    std::vector<std::string> names;
    const auto single = FeatureNames(o);
    for (const auto &b : bands)
        for (const auto &f : single) names.push_back(f + "_" + b);
    for (std::size_t i = 0; i + 1 < bands.size(); ++i) names.push_back("mean_color_" + bands[i] + "_" + bands[i + 1]);
    if (o.period && bands.size() > 1) {
        names.push_back("period_multiband");
        names.push_back("period_multiband_power");
    }
    return names;
}

Features ExtractMultiBandFeatures(const std::vector<BandSeries> &bands, const FeatureOptions &o) {
    std::vector<std::string> band_names;
    for (const auto &b : bands) band_names.push_back(b.band);
    const auto names = MultiBandFeatureNames(band_names, o);
    const auto single = FeatureNames(o);
    Features out;
    out.values.reserve(names.size());
    std::vector<double> wmeans;
    const std::size_t wmean_idx = std::find(single.begin(), single.end(), "weighted_mean") - single.begin();
    for (const auto &b : bands) {
        auto f = ExtractFeatures(b.series, o);
        if (f) {
            out.values.insert(out.values.end(), f->values.begin(), f->values.end());
            for (auto &[k, v] : f->reasons) out.reasons[k + "_" + b.band] = v;
            wmeans.push_back(f->values[wmean_idx]);
        } else {
            for (const auto &name : single) {
                out.values.push_back(kNaN);
                out.reasons[name + "_" + b.band] = f.error().reason;
            }
            wmeans.push_back(kNaN);
        }
    }
    for (std::size_t i = 0; i + 1 < bands.size(); ++i) {
        const double c = wmeans[i] - wmeans[i + 1];
        out.values.push_back(c);
        if (std::isnan(c)) out.reasons[names[out.values.size() - 1]] = "too_few_points";
    }
    if (o.period && bands.size() > 1) {
        std::vector<Series> series;
        for (const auto &b : bands) series.push_back(b.series);
        auto pr = FindPeriodMultiBand(series, o.period_options);
        if (pr && !pr->peaks.empty()) {
            out.values.push_back(pr->peaks[0].period);
            out.values.push_back(pr->peaks[0].power);
        } else {
            const std::string why = pr ? "no_peak" : pr.error().reason;
            out.values.push_back(kNaN);
            out.reasons["period_multiband"] = why;
            out.values.push_back(kNaN);
            out.reasons["period_multiband_power"] = why;
        }
    }
    return out;
}

}  // namespace rivulet::lightcurve
