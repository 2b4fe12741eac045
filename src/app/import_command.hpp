// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <vector>

namespace CLI {
class App;
}  // namespace CLI

namespace td::app {

/// The flags of `tradedesk import`; empty strings mean "not given".
struct ImportFlags {
  std::string data_dir;
  std::string symbol;
  std::string timeframe;
  std::string format;
  std::string on_error = "skip";
  std::string tz;
  bool progress = false;
  std::vector<std::string> files;
};

/// Adds the `import` subcommand to `app`, binding its flags to `flags`.
CLI::App* AddImportCommand(CLI::App& app, ImportFlags& flags);

/// Imports every file into the bar store under flags.data_dir and prints a summary per file.
/// Exit codes: 0 all files imported, 1 a file failed (unreadable, undetectable, aborted on a bad row),
/// 2 bad usage (symbol, timeframe, format, policy or zone invalid).
int RunImport(const ImportFlags& flags);

}  // namespace td::app
