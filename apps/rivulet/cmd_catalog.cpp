// `rivulet catalog import|info`: builds catalog files for cone search and cross-match, and describes them.

#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "apps/rivulet/commands.hpp"
#include "xmatch/catalog.hpp"
#include "xmatch/catalog_import.hpp"

namespace rivulet::cli {

namespace {

void AddCatalogImport(CLI::App &parent, int &exit_code) {
    struct Options {
        xmatch::ImportOptions import;
        uint64_t memory_mb = 256;
    };
    auto opt = std::make_shared<Options>();
    auto *cmd = parent.add_subcommand("import", "Build a catalog file from a CSV (or .csv.gz) of positions");
    cmd->add_option("INPUT", opt->import.input, "CSV or gzipped CSV with a header line")->required();
    cmd->add_option("--name", opt->import.name, "catalog name, stored in the file (e.g. gcvs)")->required();
    cmd->add_option("--ra", opt->import.ra_column, "RA column: degrees, or hh:mm:ss")->required();
    cmd->add_option("--dec", opt->import.dec_column, "Dec column: degrees, or ±dd:mm:ss")->required();
    cmd->add_option("--keep", opt->import.keep, "further columns to keep, typed (comma-separated)")->delimiter(',');
    cmd->add_option("--out", opt->import.output, "catalog file to write (replaced only when the import succeeds)")
        ->required();
    cmd->add_option("--order", opt->import.order, "HEALPix order of the rows (default: chosen from the density)")
        ->check(CLI::Range(0, 29));
    cmd->add_option("--memory-mb", opt->memory_mb, "rows held in memory before a sorted run is spilled [MiB]")
        ->check(CLI::Range(1, 1 << 20));
    cmd->callback([opt, &exit_code] {
        opt->import.memory_budget_bytes = opt->memory_mb << 20;
        const auto s = xmatch::ImportCatalog(opt->import);
        std::string columns;
        for (const auto &[name, type] : s.columns)
            columns += fmt::format("{}{}:{}", columns.empty() ? "" : ", ", name, xmatch::ColumnTypeName(type));
        std::printf("%s: %llu rows, HEALPix order %d (index order %d), %llu sorted run(s), %.1f MiB%s%s\n",
                    opt->import.output.c_str(), static_cast<unsigned long long>(s.rows), s.order, s.index_order,
                    static_cast<unsigned long long>(s.runs), static_cast<double>(s.file_bytes) / (1 << 20),
                    columns.empty() ? "" : ", columns ", columns.c_str());
        exit_code = kExitOk;
    });
}

void AddCatalogInfo(CLI::App &parent, int &exit_code) {
    struct Options {
        std::filesystem::path file;
        bool json = false;
    };
    auto opt = std::make_shared<Options>();
    auto *cmd = parent.add_subcommand("info", "Describe a catalog file");
    cmd->add_option("FILE", opt->file, "catalog file")->required();
    cmd->add_flag("--json", opt->json, "print JSON");
    cmd->callback([opt, &exit_code] {
        xmatch::Catalog catalog(opt->file);
        nlohmann::json columns = nlohmann::json::array();
        for (const auto &c : catalog.columns())
            columns.push_back({{"name", c.name}, {"type", xmatch::ColumnTypeName(c.type)}});
        if (opt->json) {
            nlohmann::json j = {
                {"name", catalog.name()},   {"version", catalog.version()},         {"rows", catalog.size()},
                {"order", catalog.order()}, {"index_order", catalog.index_order()}, {"bytes", catalog.file_bytes()},
                {"columns", columns}};
            std::printf("%s\n", j.dump(2).c_str());
        } else {
            std::printf(
                "name: %s\nformat version: %u\nrows: %llu\nHEALPix order: %d (NESTED), index order %d\n"
                "bytes: %llu\n",
                catalog.name().c_str(), catalog.version(), static_cast<unsigned long long>(catalog.size()),
                catalog.order(), catalog.index_order(), static_cast<unsigned long long>(catalog.file_bytes()));
            for (const auto &c : catalog.columns())
                std::printf("column: %s (%s)\n", c.name.c_str(), xmatch::ColumnTypeName(c.type));
        }
        exit_code = kExitOk;
    });
}

}  // namespace

void AddCatalog(CLI::App &app, int &exit_code) {
    auto *cmd = app.add_subcommand("catalog", "Build and describe catalog files for cone search and cross-match");
    cmd->require_subcommand(1);
    AddCatalogImport(*cmd, exit_code);
    AddCatalogInfo(*cmd, exit_code);
}
RIVULET_REGISTER_COMMAND(55, AddCatalog);

}  // namespace rivulet::cli
