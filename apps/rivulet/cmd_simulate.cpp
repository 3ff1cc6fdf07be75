#include <cstdio>
#include <memory>

#include "apps/rivulet/commands.hpp"
#include "common/error.hpp"
#include "sim/alert_simulator.hpp"

namespace rivulet::cli {

void AddSimulate(CLI::App &app, int &exit_code) {
    struct Options {
        double night = 0;
        std::filesystem::path out;
        size_t alerts = 2000;
        uint64_t seed = 1;
        double bogus_fraction = 0.3;
        bool archive = false;
    };
    auto opt = std::make_shared<Options>();
    auto *cmd = app.add_subcommand("simulate", "Write a night of realistic synthetic ZTF alerts (real Avro schema 4.02)");
    cmd->add_option("--night", opt->night,
                    "the night: a ZTF night id (days since 2017-01-01, e.g. 1050) or a JD (e.g. 2458800.5)")
        ->required();
    cmd->add_option("--out", opt->out, "output folder of <candid>.avro packets (or the .tar.gz with --archive)")->required();
    cmd->add_option("--alerts", opt->alerts, "number of alerts")->check(CLI::Range(size_t{1}, size_t{10000000}));
    cmd->add_option("--seed", opt->seed, "random seed (same seed: identical packets)");
    cmd->add_option("--bogus-fraction", opt->bogus_fraction, "fraction of artefacts")->check(CLI::Range(0.0, 1.0));
    cmd->add_flag("--archive", opt->archive, "write one nightly .tar.gz archive, as ZTF distributes them");
    cmd->callback([opt, &exit_code] {
        SimulationOptions o;
        // Night ids are small integers; anything JD-sized is taken as the JD of the night.
        o.night_jd = opt->night < 1e5 ? NightStartJd(static_cast<int>(opt->night)) : opt->night;
        o.n_alerts = opt->alerts;
        o.seed = opt->seed;
        o.bogus_fraction = opt->bogus_fraction;
        SimulationSummary s = opt->archive ? WriteSimulatedNightArchive(o, opt->out) : WriteSimulatedNight(o, opt->out);
        std::printf("simulated %zu alerts of %zu objects (night %d) -> %s\n", s.n_alerts, s.n_objects,
                    NightId(o.night_jd), opt->out.c_str());
        exit_code = kExitOk;
    });
}
RIVULET_REGISTER_COMMAND(90, AddSimulate);

}  // namespace rivulet::cli
