// `rivulet period`: the best period of every light curve in a table (or of one stored object) and the
// three best alternatives, one CSV row per object.

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <memory>

#include "apps/rivulet/commands.hpp"
#include "apps/rivulet/light_curve_input.hpp"
#include "apps/rivulet/output_stream.hpp"
#include "common/error.hpp"
#include "lightcurve/light_curve_table.hpp"
#include "lightcurve/period_search.hpp"

namespace rivulet::cli {
namespace {

std::string Num(double v) {
    if (std::isnan(v)) return "";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.10g", v);
    return buf;
}

}  // namespace

void AddPeriod(CLI::App &app, int &exit_code) {
    struct Options {
        LightCurveInput in;
        std::filesystem::path out;
        std::string method;
        int nterms = 3;
        double pmin = 0.05, pmax = 0, max_err = 1e300, samples_per_peak = 5,
               err_floor = lightcurve::PeriodOptions{}.err_floor;
        unsigned threads = 0;
        bool fit_jitter = false;
        std::string prior = "none";
    };
    auto o = std::make_shared<Options>();
    auto *cmd = app.add_subcommand("period", "Best period and three alternatives of each light curve (CSV)");
    AddLightCurveInputOptions(*cmd, o->in, "band column (enables the multi-band search)");
    cmd->add_option("--method", o->method, "ls, ls-fast, mhls, aov, ce, bls (default mhls: best on Stripe 82)");
    cmd->add_option("--nterms", o->nterms, "harmonics for mhls")->capture_default_str();
    cmd->add_option("--pmin", o->pmin, "shortest period searched (days)")->capture_default_str();
    cmd->add_option("--pmax", o->pmax, "longest period searched (days); 0 = the baseline")->capture_default_str();
    cmd->add_option("--samples-per-peak", o->samples_per_peak, "grid oversampling")->capture_default_str();
    cmd->add_option("--max-err", o->max_err, "drop points with a larger error (sentinels such as 99.999)");
    cmd->add_option("--err-floor", o->err_floor, "systematic error (mag) added in quadrature to every error")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    cmd->add_option("--fit-jitter", o->fit_jitter,
                    "multi-band mhls: fit an extra error per band before the final alias choice")
        ->capture_default_str();
    cmd->add_option("--prior", o->prior,
                    "multi-band mhls: what is known of every object, used to break near-ties between aliases: "
                    "none, rrlyrae (known RR Lyrae: RRab/RRc periods and shapes)")
        ->capture_default_str();
    cmd->add_option("--threads", o->threads, "worker threads (0 = all cores)")->capture_default_str();
    cmd->add_option("--out", o->out, "output CSV (default: stdout)");
    cmd->callback([o, &exit_code] {
        lightcurve::PeriodOptions opt;
        if (!o->method.empty()) {
            auto m = lightcurve::ParsePeriodMethod(o->method);
            if (!m) throw RivuletError(ErrorKind::kInvalidInput, "--method: " + m.error().message);
            opt.method = *m;
        }
        opt.nterms = o->nterms;
        opt.grid.pmin = o->pmin;
        opt.grid.pmax = o->pmax;
        opt.grid.samples_per_peak = o->samples_per_peak;
        opt.err_floor = o->err_floor;
        opt.fit_jitter = o->fit_jitter;
        auto prior = lightcurve::ParsePeriodPrior(o->prior);
        if (!prior) throw RivuletError(ErrorKind::kInvalidInput, "--prior: " + prior.error().message);
        opt.prior = *prior;
        std::vector<lightcurve::RawObject> raw = ReadLightCurveInput(o->in);
        lightcurve::CleanOptions clean;
        clean.max_err = o->max_err;
        std::vector<lightcurve::BandSet> objects;
        for (const auto &r : raw) objects.push_back(lightcurve::CleanBands(r, clean));
        const bool tty = isatty(STDERR_FILENO);
        auto results = lightcurve::FindPeriodsBatch(objects, opt, o->threads, [&](std::size_t done) {
            if (tty && (done % 16 == 0 || done == objects.size()))
                std::fprintf(stderr, "\rperiod: %zu/%zu objects", done, objects.size());
        });
        if (tty) std::fprintf(stderr, "\n");
        OutputStream output(o->out);
        std::ostream &out = output.get();
        out << "id,period,power,fap";
        for (int k = 2; k <= 4; ++k) out << ",period_" << k << ",power_" << k << ",relation_" << k;
        out << ",n_points,error\n";
        std::size_t failed = 0;
        for (std::size_t i = 0; i < raw.size(); ++i) {
            out << raw[i].id;
            if (!results[i]) {
                ++failed;
                out << ",,,,,,,,,,,,," << 0 << "," << results[i].error().reason << "\n";
                std::fprintf(stderr, "rivulet period: %s: %s\n", raw[i].id.c_str(), results[i].error().message.c_str());
                continue;
            }
            const auto &peaks = results[i]->peaks;
            out << "," << Num(peaks[0].period) << "," << Num(peaks[0].power) << "," << Num(peaks[0].fap);
            for (std::size_t k = 1; k <= 3; ++k) {
                if (k < peaks.size()) out << "," << Num(peaks[k].period) << "," << Num(peaks[k].power) << "," << peaks[k].relation;
                else out << ",,,";
            }
            out << "," << results[i]->n_points << ",\n";
        }
        exit_code = failed ? kExitSomeInputsFailed : kExitOk;
    });
}
RIVULET_REGISTER_COMMAND(62, AddPeriod);

}  // namespace rivulet::cli
