#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "apps/rivulet/commands.hpp"
#include "apps/rivulet/progress_line.hpp"
#include "pipeline/ingest.hpp"
#include "apps/rivulet/ingest_summary.hpp"
#include "apps/rivulet/store_access.hpp"
#include "stream/packet_source.hpp"

namespace rivulet::cli {

namespace {

// Sum of the sizes of the input files (folders recursively), for the progress bar; 0 when an archive
// is among them (its uncompressed size is unknown until read).
uint64_t InputBytes(const std::vector<std::filesystem::path> &inputs) {
    uint64_t total = 0;
    std::error_code ec;
    for (const auto &p : inputs) {
        if (std::filesystem::is_directory(p, ec)) {
            for (auto it = std::filesystem::recursive_directory_iterator(p, ec);
                 !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
                if (!it->is_regular_file(ec)) continue;
                if (IsArchivePath(it->path())) return 0;
                if (it->path().extension() == ".avro") total += it->file_size(ec);
            }
        } else if (IsArchivePath(p)) {
            return 0;
        } else {
            total += std::filesystem::file_size(p, ec);
        }
    }
    return total;
}

}  // namespace

void AddIngest(CLI::App &app, int &exit_code) {
    struct Options {
        std::vector<std::filesystem::path> inputs;
        StoreTarget store;
        std::filesystem::path config;
        bool json = false;
    };
    auto opt = std::make_shared<Options>();
    auto *cmd = app.add_subcommand("ingest", "Decode, cut and store alert packets");
    cmd->add_option("INPUT", opt->inputs, ".avro files, folders, nightly .tar.gz archives")->required();
    AddStoreOptions(*cmd, opt->store);
    cmd->add_option("--config", opt->config, "configuration file (TOML); defaults are the paper's values");
    cmd->add_flag("--json", opt->json, "print the summary as JSON");
    cmd->callback([opt, &exit_code] {
        PipelineConfig config = opt->config.empty() ? PipelineConfig{} : LoadPipelineConfig(opt->config);
        auto store = OpenStore(opt->store, /*create=*/true);
        auto source = OpenInputs(opt->inputs);
        ProgressLine progress(InputBytes(opt->inputs));
        auto start = std::chrono::steady_clock::now();
        Ingest ingest(*store, config);
        IngestLedger ledger = ingest.Run(*source, [&](const IngestLedger &l) {
            progress.Update(l.bytes, l.decoded, l.stored, l.RejectedTotal(), l.failures.size());
        });
        progress.Finish();
        double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        PrintIngestSummary(ledger, seconds, opt->json);
        exit_code = ledger.failures.empty() ? kExitOk : kExitSomeInputsFailed;
    });
}
RIVULET_REGISTER_COMMAND(20, AddIngest);

}  // namespace rivulet::cli
