#include <cstdio>
#include <memory>

#include "apps/rivulet/commands.hpp"
#include "pipeline/pipeline_config.hpp"

namespace rivulet::cli {

void AddConfig(CLI::App &app, int &exit_code) {
    struct Options {
        std::filesystem::path check;
    };
    auto opt = std::make_shared<Options>();
    auto *cmd = app.add_subcommand("config", "Print the default configuration (TOML), or check a file");
    cmd->add_option("--check", opt->check, "parse this configuration file and report errors");
    cmd->callback([opt, &exit_code] {
        if (!opt->check.empty()) {
            LoadPipelineConfig(opt->check);  // throws with file, key and reason
            std::printf("%s: ok\n", opt->check.c_str());
        } else {
            std::fputs(DefaultConfigToml().c_str(), stdout);
        }
        exit_code = kExitOk;
    });
}
RIVULET_REGISTER_COMMAND(95, AddConfig);

}  // namespace rivulet::cli
