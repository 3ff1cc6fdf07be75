// `rivulet features`: one CSV row of light-curve features per object, `<feature>_<band>` per band plus
// the multi-band ones. Undefined features are empty cells, each explained in the last column (`notes`).

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "apps/rivulet/commands.hpp"
#include "apps/rivulet/light_curve_input.hpp"
#include "apps/rivulet/output_stream.hpp"
#include "common/error.hpp"
#include "lightcurve/features.hpp"
#include "lightcurve/light_curve_table.hpp"

namespace rivulet::cli {

void AddFeatures(CLI::App &app, int &exit_code) {
    struct Options {
        LightCurveInput in;
        std::filesystem::path out;
        std::string object, method;
        std::vector<std::string> bands;
        bool no_period = false;
        double pmin = 0.05, max_err = 1e300;
        unsigned threads = 0;
    };
    auto o = std::make_shared<Options>();
    auto *cmd = app.add_subcommand("features", "Light-curve features, one CSV row per object");
    AddLightCurveInputOptions(*cmd, o->in, "band column (features per band plus multi-band ones)");
    cmd->add_option("--bands", o->bands, "bands to output, in this order (default: as first seen)")->delimiter(',');
    cmd->add_flag("--no-period", o->no_period, "skip period and Fourier features (much faster)");
    cmd->add_option("--method", o->method, "period method (as `rivulet period`)");
    cmd->add_option("--pmin", o->pmin, "shortest period searched (days)")->capture_default_str();
    cmd->add_option("--max-err", o->max_err, "drop points with a larger error (sentinels such as 99.999)");
    cmd->add_option("--threads", o->threads, "worker threads (0 = all cores)")->capture_default_str();
    cmd->add_option("--out", o->out, "output CSV (default: stdout)");
    cmd->callback([o, &exit_code] {
        lightcurve::FeatureOptions fo;
        fo.period = !o->no_period;
        fo.period_options.grid.pmin = o->pmin;
        if (!o->method.empty()) {
            auto m = lightcurve::ParsePeriodMethod(o->method);
            if (!m) throw RivuletError(ErrorKind::kInvalidInput, "--method: " + m.error().message);
            fo.period_options.method = *m;
        }
        std::vector<lightcurve::RawObject> raw = ReadLightCurveInput(o->in);
        if ((!o->in.store.db.empty() || !o->in.store.pg.empty()) && o->bands.empty()) o->bands = {"g", "r"};
        // Every row has the same columns: the bands requested, or every band seen, in first-seen order.
        std::vector<std::string> bands = o->bands;
        if (bands.empty()) {
            for (const auto &r : raw)
                for (const auto &b : r.bands)
                    if (std::find(bands.begin(), bands.end(), b.band) == bands.end()) bands.push_back(b.band);
        }
        const bool single = bands.size() == 1 && bands[0].empty();
        const auto names = single ? lightcurve::FeatureNames(fo) : lightcurve::MultiBandFeatureNames(bands, fo);
        lightcurve::CleanOptions clean;
        clean.max_err = o->max_err;
        clean.min_points = 0;  // short bands get NaN features with a reason, not a dropped row
        std::vector<lightcurve::Features> results(raw.size());
        std::atomic<std::size_t> next{0}, done{0};
        const bool tty = isatty(STDERR_FILENO);
        std::mutex mu;
        auto work = [&] {
            for (std::size_t i = next++; i < raw.size(); i = next++) {
                std::vector<lightcurve::BandSeries> bs;
                for (const auto &b : bands) {
                    lightcurve::BandSeries s{b, {}};
                    for (const auto &rb : raw[i].bands) {
                        if (rb.band != b) continue;
                        auto c = lightcurve::CleanSeries(rb.t, rb.mag, rb.err, clean);
                        if (c) s.series = std::move(*c);
                    }
                    bs.push_back(std::move(s));
                }
                if (single) {
                    auto f = lightcurve::ExtractFeatures(bs[0].series, fo);
                    if (f) {
                        results[i] = std::move(*f);
                    } else {
                        results[i].values.assign(names.size(), NAN);
                        for (const auto &n : names) results[i].reasons[n] = f.error().reason;
                    }
                } else {
                    results[i] = lightcurve::ExtractMultiBandFeatures(bs, fo);
                }
                const std::size_t d = ++done;
                if (tty && (d % 64 == 0 || d == raw.size())) {
                    std::lock_guard<std::mutex> lock(mu);
                    std::fprintf(stderr, "\rfeatures: %zu/%zu objects", d, raw.size());
                }
            }
        };
        unsigned threads = o->threads ? o->threads : std::max(1u, std::thread::hardware_concurrency());
        std::vector<std::thread> pool;
        for (unsigned k = 1; k < threads; ++k) pool.emplace_back(work);
        work();
        for (auto &t : pool) t.join();
        if (tty) std::fprintf(stderr, "\n");

        OutputStream output(o->out);
        std::ostream &out = output.get();
        out << "id";
        for (const auto &n : names) out << "," << n;
        out << ",notes\n";
        char buf[40];
        std::size_t incomplete = 0;
        for (std::size_t i = 0; i < raw.size(); ++i) {
            out << raw[i].id;
            for (double v : results[i].values) {
                if (std::isnan(v)) {
                    out << ",";
                } else {
                    std::snprintf(buf, sizeof buf, ",%.9g", v);
                    out << buf;
                }
            }
            // Undefined features grouped by reason: "constant_magnitudes: skew_g kurtosis_g; ..."
            std::map<std::string, std::string> by_reason;
            for (const auto &[name, why] : results[i].reasons) by_reason[why] += (by_reason[why].empty() ? "" : " ") + name;
            std::string notes;
            for (const auto &[why, list] : by_reason) notes += (notes.empty() ? "" : "; ") + why + ": " + list;
            if (!notes.empty()) ++incomplete;
            out << ",\"" << notes << "\"\n";
        }
        if (incomplete) std::fprintf(stderr, "rivulet features: %zu of %zu objects have undefined features (see notes)\n", incomplete, raw.size());
        exit_code = kExitOk;
    });
}
RIVULET_REGISTER_COMMAND(61, AddFeatures);

}  // namespace rivulet::cli
