#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "apps/rivulet/commands.hpp"
#include "apps/rivulet/progress_line.hpp"
#include "pipeline/ingest.hpp"
#include "store/sqlite_store.hpp"
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

std::string SummaryText(const IngestLedger &l, double seconds) {
    std::string s = fmt::format("decoded    {:>10}  alerts from {} packets ({:.1f} MB) in {:.2f} s ({:.0f} alerts/s)\n",
                                l.decoded, l.packets, static_cast<double>(l.bytes) / 1e6, seconds,
                                seconds > 0 ? static_cast<double>(l.decoded) / seconds : 0.0);
    s += fmt::format("stored     {:>10}\n", l.stored);
    s += fmt::format("duplicates {:>10}  (already in the store)\n", l.duplicates);
    s += fmt::format("rejected   {:>10}\n", l.RejectedTotal());
    for (const auto &[reason, n] : l.rejected) s += fmt::format("  {:<28}{:>8}\n", reason, n);
    s += fmt::format("failed     {:>10}  alerts refused whole (corrupt cutout, no position)\n", l.failed);
    s += fmt::format("failures   {:>10}  inputs, packets or alerts that failed:\n", l.failures.size());
    for (const auto &f : l.failures) s += fmt::format("  {} [{}]\n", f.message, f.reason);
    s += fmt::format("check: decoded {} = stored {} + duplicates {} + rejected {} + failed {}: {}\n", l.decoded,
                     l.stored, l.duplicates, l.RejectedTotal(), l.failed, l.Reconciles() ? "ok" : "MISMATCH");
    return s;
}

nlohmann::json SummaryJson(const IngestLedger &l, double seconds) {
    nlohmann::json j;
    j["packets"] = l.packets;
    j["bytes"] = l.bytes;
    j["decoded"] = l.decoded;
    j["stored"] = l.stored;
    j["duplicates"] = l.duplicates;
    j["rejected"] = nlohmann::json::object();
    for (const auto &[reason, n] : l.rejected) j["rejected"][reason] = n;
    j["rejected_total"] = l.RejectedTotal();
    j["failed"] = l.failed;
    j["failures"] = nlohmann::json::array();
    for (const auto &f : l.failures) j["failures"].push_back({{"reason", f.reason}, {"message", f.message}});
    j["seconds"] = seconds;
    j["reconciles"] = l.Reconciles();
    return j;
}

}  // namespace

void AddIngest(CLI::App &app, int &exit_code) {
    struct Options {
        std::vector<std::filesystem::path> inputs;
        std::filesystem::path db, config;
        bool json = false;
    };
    auto opt = std::make_shared<Options>();
    auto *cmd = app.add_subcommand("ingest", "Decode, cut and store alert packets");
    cmd->add_option("INPUT", opt->inputs, ".avro files, folders, nightly .tar.gz archives")->required();
    cmd->add_option("--db", opt->db, "embedded store (SQLite file; created if missing)")->required();
    cmd->add_option("--config", opt->config, "configuration file (TOML); defaults are the paper's values");
    cmd->add_flag("--json", opt->json, "print the summary as JSON");
    cmd->callback([opt, &exit_code] {
        PipelineConfig config = opt->config.empty() ? PipelineConfig{} : LoadPipelineConfig(opt->config);
        auto store = OpenSqliteStore(opt->db);
        auto source = OpenInputs(opt->inputs);
        ProgressLine progress(InputBytes(opt->inputs));
        auto start = std::chrono::steady_clock::now();
        Ingest ingest(*store, config);
        IngestLedger ledger = ingest.Run(*source, [&](const IngestLedger &l) {
            progress.Update(l.bytes, l.decoded, l.stored, l.RejectedTotal(), l.failures.size());
        });
        progress.Finish();
        double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (opt->json) std::printf("%s\n", SummaryJson(ledger, seconds).dump(2).c_str());
        else std::fputs(SummaryText(ledger, seconds).c_str(), stdout);
        exit_code = ledger.failures.empty() ? kExitOk : kExitSomeInputsFailed;
    });
}
RIVULET_REGISTER_COMMAND(20, AddIngest);

}  // namespace rivulet::cli
