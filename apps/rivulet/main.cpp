#include <algorithm>
#include <cstdio>
#include <exception>

#include "apps/rivulet/commands.hpp"
#include "common/error.hpp"
#include "common/heap_tuning.hpp"
#include "version.hpp"

int main(int argc, char **argv) {
    rivulet::KeepLargeBuffersOnTheHeap();
    CLI::App app{"Rivulet: a ZTF alert broker and machine-learning toolkit"};
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string("rivulet ") + RIVULET_VERSION);
    int exit_code = rivulet::cli::kExitOk;
    auto registry = rivulet::cli::CommandRegistry();
    std::stable_sort(registry.begin(), registry.end(), [](auto &a, auto &b) { return a.first < b.first; });
    for (auto &[order, add] : registry) add(app, exit_code);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError &e) {
        return app.exit(e);
    } catch (const rivulet::RivuletError &e) {
        std::fprintf(stderr, "rivulet: %s\n", e.what());
        return rivulet::cli::kExitFailed;
    } catch (const std::exception &e) {
        std::fprintf(stderr, "rivulet: internal error: %s\n", e.what());
        return rivulet::cli::kExitFailed;
    }
    return exit_code;
}
