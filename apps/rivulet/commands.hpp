#pragma once
// The subcommands of `rivulet`. Each Add* registers one subcommand; when it runs it stores its exit
// status in `exit_code`: 0 success, 1 the run failed, 2 the run finished but some inputs failed.
// This program only parses arguments and prints: the work is done by the libraries under src/.

#include <CLI/CLI.hpp>

namespace rivulet::cli {

void AddDecode(CLI::App &app, int &exit_code);
void AddIngest(CLI::App &app, int &exit_code);
void AddStats(CLI::App &app, int &exit_code);
void AddLightcurve(CLI::App &app, int &exit_code);
void AddCone(CLI::App &app, int &exit_code);
void AddCutout(CLI::App &app, int &exit_code);
void AddSimulate(CLI::App &app, int &exit_code);
void AddConfig(CLI::App &app, int &exit_code);

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitSomeInputsFailed = 2;

}  // namespace rivulet::cli
