#pragma once
// The subcommands of `rivulet`. Each cmd_*.cpp registers its subcommands with
// RIVULET_REGISTER_COMMAND; when one runs it stores its exit status in `exit_code`: 0 success, 1 the run
// failed, 2 the run finished but some inputs failed. This program only parses arguments and prints: the
// work is done by the libraries under src/.

#include <CLI/CLI.hpp>
#include <utility>
#include <vector>

namespace rivulet::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitSomeInputsFailed = 2;

using AddCommand = void (*)(CLI::App &app, int &exit_code);

//! Registered subcommands with their place in `rivulet --help` (lower first).
inline std::vector<std::pair<int, AddCommand>> &CommandRegistry() {
    static std::vector<std::pair<int, AddCommand>> registry;
    return registry;
}

struct CommandRegistration {
    CommandRegistration(int order, AddCommand add) { CommandRegistry().emplace_back(order, add); }
};

}  // namespace rivulet::cli

//! Registers `fn` (a function `void fn(CLI::App&, int&)`) as a subcommand, listed by `order` in --help.
#define RIVULET_REGISTER_COMMAND(order, fn) \
    static const ::rivulet::cli::CommandRegistration rivulet_register_##fn{order, &fn}
