// rivulet score: real/bogus scores of alerts with a braai-family CNN; argument parsing and printing only, the
// work is in src/dl.
#include <cstdio>
#include <memory>

#include <fmt/format.h>

#include "alert/avro_alert_decoder.hpp"
#include "apps/rivulet/commands.hpp"
#include "dl/braai_scorer.hpp"
#include "stream/packet_source.hpp"

namespace rivulet::cli {
namespace {

//! Shortest text that reads back as the same float32.
std::string FloatText(float v) { return fmt::format("{}", v); }

}  // namespace

void AddScore(CLI::App &app, int &exit_code) {
    struct Options {
        std::vector<std::filesystem::path> inputs;
        std::string model, format = "csv", normalization;
        std::size_t batch = 256;
        int threads = 0;
    };
    auto o = std::make_shared<Options>();
    auto *cmd = app.add_subcommand("score", "Score alerts' cutout triplets with a CNN (braai): CSV candid,score,drb");
    cmd->add_option("INPUT", o->inputs, ".avro files, folders, nightly .tar.gz archives")->required();
    cmd->add_option("--model", o->model,
                    "path prefix of <prefix>.architecture.json + <prefix>.weights.h5, e.g. ../shared/models/braai/d6_m7")
        ->required();
    cmd->add_option("--format", o->format, "csv (candid,score,drb; drb empty when the alert has none)")
        ->check(CLI::IsMember({"csv"}))
        ->capture_default_str();
    cmd->add_option("--normalization", o->normalization,
                    "override the input preparation: row_l2, cutout_l2, sky_l2 or none (default: the model's)")
        ->check(CLI::IsMember({"row_l2", "cutout_l2", "sky_l2", "none"}));
    cmd->add_option("--batch", o->batch, "triplets per network call")->capture_default_str();
    cmd->add_option("--threads", o->threads, "libtorch threads (0: all cores)")->capture_default_str();
    cmd->callback([o, &exit_code] {
        dl::ScorerOptions options;
        options.batch_size = o->batch;
        options.threads = o->threads;
        if (!o->normalization.empty()) options.normalization = dl::ParseNormalization(o->normalization);
        dl::BraaiScorer scorer(o->model, options);
        auto source = OpenInputs(o->inputs);
        AvroAlertDecoder decoder;
        std::printf("candid,score,drb\n");
        std::size_t failed_inputs = 0, failed_alerts = 0;
        std::vector<Alert> batch;
        auto flush = [&] {
            auto scores = scorer.Score(batch);
            for (std::size_t i = 0; i < batch.size(); ++i) {
                const Alert &a = batch[i];
                std::string drb = a.candidate.drb ? FloatText(*a.candidate.drb) : "";
                if (scores[i]) {
                    std::printf("%lld,%s,%s\n", static_cast<long long>(a.candid), FloatText(*scores[i]).c_str(), drb.c_str());
                } else {
                    ++failed_alerts;
                    std::printf("%lld,,%s\n", static_cast<long long>(a.candid), drb.c_str());
                    std::fprintf(stderr, "rivulet score: %s [%s]\n", scores[i].error().message.c_str(),
                                 scores[i].error().reason.c_str());
                }
            }
            batch.clear();
        };
        RawPacket packet;
        while (source->Next(packet)) {
            DecodedPacket d;
            if (packet.error) d.error = packet.error;
            else d = decoder.Decode(packet.bytes, packet.name);
            for (Alert &a : d.alerts) batch.push_back(std::move(a));
            if (d.error) {
                ++failed_inputs;
                std::fprintf(stderr, "rivulet score: %s [%s]\n", d.error->message.c_str(), d.error->reason.c_str());
            }
            if (batch.size() >= o->batch) flush();
        }
        flush();
        std::fflush(stdout);
        if (failed_inputs || failed_alerts)
            std::fprintf(stderr, "rivulet score: %zu input(s) failed, %zu alert(s) without a score (model %s)\n",
                         failed_inputs, failed_alerts, scorer.model_version().c_str());
        exit_code = failed_inputs || failed_alerts ? kExitSomeInputsFailed : kExitOk;
    });
}
RIVULET_REGISTER_COMMAND(45, AddScore);

}  // namespace rivulet::cli
