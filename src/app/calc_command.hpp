// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <vector>

namespace CLI {
class App;
}  // namespace CLI

namespace td::app {

/// The flags of `tradedesk calc indicators` and `tradedesk calc options`.
struct CalcFlags {
  std::string input;
  std::string output;
  std::vector<std::string> indicators;
  std::string tz = "UTC";
};

/// The `calc` subcommand and its two children, so the caller can see which one was parsed.
struct CalcCommands {
  CLI::App* calc = nullptr;
  CLI::App* indicators = nullptr;
  CLI::App* options = nullptr;
};

/// Adds `calc indicators` and `calc options` to `app`, binding their flags to `flags`.
CalcCommands AddCalcCommands(CLI::App& app, CalcFlags& flags);

/// Reads an OHLCV CSV, appends one column per indicator output and writes it to flags.output.
/// Exit codes: 0 ok, 1 unreadable input or a malformed row, 2 an unknown indicator or bad parameters.
int RunCalcIndicators(const CalcFlags& flags);

/// Reads option rows, appends iv, price and greeks (an error column for rows that cannot be priced) and writes
/// them to flags.output. Exit codes: 0 ok (bad rows are reported in their error column), 1 unreadable input or
/// missing columns.
int RunCalcOptions(const CalcFlags& flags);

}  // namespace td::app
