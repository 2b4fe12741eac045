// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string>

namespace CLI {
class App;
}  // namespace CLI

namespace td::app {

/// The flags of `tradedesk scan` and `tradedesk plan`.
struct CoachFlags {
  std::string universe = "top_liquidity";
  std::string style = "intraday";
  int limit = 20;
  std::string as_of;  // ISO 8601; empty = now
  bool json = false;
  std::string symbol;    // plan only
  std::string strategy;  // plan only; empty = best detector of the style
  std::string seed;      // empty = the configured data.seed (as serve)
  std::string config;    // TOML file; default ./tradedesk.toml when it exists (as serve)
  std::string data_dir;  // when given: watchlists come from <data_dir>/plans.db and plans are stored there
  std::string user = "local";
};

/// The two subcommands, so the caller can see which one was parsed.
struct CoachCommands {
  CLI::App* scan = nullptr;
  CLI::App* plan = nullptr;
};

/// Adds `scan` and `plan` to `app`, binding their flags to `flags`.
CoachCommands AddCoachCommands(CLI::App& app, CoachFlags& flags);

/// Scans a universe on the seeded simulator and prints the page (a table, or the /gpt/scan JSON with --json).
/// Exit codes: 0 ok, 1 runtime failure, 2 bad usage (unknown style, universe, symbol, malformed as_of).
int RunScan(const CoachFlags& flags);
/// Builds a plan for one symbol and prints it (readable, or the /gpt/plan JSON with --json).
/// Exit codes: 0 ok, 1 runtime failure or no data, 2 bad usage.
int RunPlan(const CoachFlags& flags);

}  // namespace td::app
