// SPDX-License-Identifier: MIT
#include "app/coach_commands.hpp"

#include <CLI/CLI.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>

#include "api/coach_routes.hpp"
#include "app/cli.hpp"
#include "config/config.hpp"
#include "core/clock.hpp"
#include "plans/plan_store.hpp"
#include "scanner/strategies.hpp"
#include "system/coach_service.hpp"
#include "system/market_service.hpp"

namespace td::app {
namespace {

/// What both commands need: the market (seeded as `serve` would seed it), the optional store, the service.
struct CoachSetup {
  LiveClock clock;
  std::unique_ptr<system::MarketService> market;
  std::unique_ptr<plans::PlanStore> store;
  std::unique_ptr<system::CoachService> coach;
  std::optional<UnixNanos> as_of;
};

void Usage(const Error& error) {
  std::cerr << "tradedesk: " << (error.field.empty() ? "" : error.field + ": ") << error.message << '\n';
}

/// Loads the configuration as `serve` does (file, TRADEDESK_* environment, --seed) and starts the simulator.
/// Returns an exit code on failure.
std::optional<int> Setup(const CoachFlags& flags, CoachSetup& setup) {
  config::LoadRequest request;
  if (!flags.config.empty()) {
    request.file = std::filesystem::path(flags.config);
  } else if (std::error_code ec; std::filesystem::is_regular_file("tradedesk.toml", ec)) {
    request.file = std::filesystem::path("tradedesk.toml");
  }
  request.environment = config::ProcessEnvironment();
  if (!flags.seed.empty()) {
    request.overrides.push_back(config::Override{"data.seed", flags.seed, "--seed"});
  }
  const config::LoadedConfig loaded = config::LoadConfig(request);
  if (!loaded.ok()) {
    for (const Error& error : loaded.errors) {
      std::cerr << "tradedesk: " << config::FormatConfigError(error) << '\n';
    }
    return kExitUsage;
  }
  if (!flags.as_of.empty()) {
    auto as_of = api::ParseAsOf(flags.as_of);
    if (!as_of.ok()) {
      Usage(Error::InvalidArgument(as_of.error().message, "--as-of"));
      return kExitUsage;
    }
    setup.as_of = *as_of;
  }
  auto market = system::MarketService::StartSimulator(
      {.seed = loaded.config.data.seed, .history_days = loaded.config.data.history_days}, setup.clock);
  if (!market.ok()) {
    std::cerr << "tradedesk: cannot start the simulator: " << market.error().ToString() << '\n';
    return kExitFailure;
  }
  setup.market = std::move(market).value();
  if (!flags.data_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(flags.data_dir, ec);
    auto store = plans::PlanStore::Open(std::filesystem::path(flags.data_dir) / "plans.db", setup.clock);
    if (!store.ok()) {
      std::cerr << "tradedesk: cannot open the plan store: " << store.error().ToString() << '\n';
      return kExitFailure;
    }
    setup.store = std::move(store).value();
  }
  setup.coach = std::make_unique<system::CoachService>(*setup.market, setup.store.get(), setup.clock);
  return std::nullopt;
}

/// Usage errors (bad input) exit 2; anything the data or the system caused exits 1.
int ExitFor(const Error& error) {
  const bool usage = error.code == ErrorCode::kInvalidArgument || error.code == ErrorCode::kNotFound;
  if (usage) {
    Usage(error);
  } else {
    std::cerr << "tradedesk: " << error.ToString() << '\n';
  }
  return usage ? kExitUsage : kExitFailure;
}

std::string Fixed(double v, int decimals) {
  if (!std::isfinite(v)) {
    return "-";
  }
  char buf[48];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, v);
  return buf;
}

std::string Pad(std::string text, std::size_t width) {
  if (text.size() < width) {
    text.append(width - text.size(), ' ');
  }
  return text;
}

void PrintScanTable(const system::ScanOutcome& outcome) {
  const scanner::ScanPage& page = outcome.page;
  std::cout << "scan " << scanner::StyleName(page.style) << " over " << outcome.universe << " ("
            << outcome.symbols.size() << " symbols), as of " << page.as_of.ToIso8601() << " ["
            << page.planning_context << "]\n";
  if (!outcome.as_of.note.empty()) {
    std::cout << outcome.as_of.note << '\n';
  }
  if (!page.banner.empty()) {
    std::cout << page.banner << '\n';
  }
  std::cout << "mode " << page.mode << (page.label.empty() ? "" : " - " + page.label) << ", " << page.total
            << " candidates\n\n";
  std::cout << Pad("rank", 5) << Pad("symbol", 22) << Pad("strategy", 24) << Pad("dir", 6) << Pad("entry", 12)
            << Pad("stop", 12) << Pad("tp1", 12) << Pad("tp2", 12) << Pad("rr1", 6) << Pad("conf", 6) << "score\n";
  for (const scanner::ScanCandidate& c : page.candidates) {
    std::cout << Pad(std::to_string(c.rank), 5) << Pad(c.symbol, 22)
              << Pad(c.strategy ? std::string(scanner::Spec(*c.strategy).key) : std::string("-"), 24);
    if (c.plan) {
      const scanner::Plan& p = *c.plan;
      std::cout << Pad(std::string(scanner::DirectionName(p.direction)), 6) << Pad(p.entry.ToString(), 12)
                << Pad(p.stop.ToString(), 12)
                << Pad(p.targets.size() > 0 ? p.targets[0].price.ToString() : std::string("-"), 12)
                << Pad(p.targets.size() > 1 ? p.targets[1].price.ToString() : std::string("-"), 12)
                << Pad(Fixed(p.rr_t1, 2), 6);
    } else {
      std::cout << Pad("-", 6) << Pad("-", 12) << Pad("-", 12) << Pad("-", 12) << Pad("-", 12) << Pad("-", 6);
    }
    std::cout << Pad(Fixed(c.confidence, 2), 6) << Fixed(c.score, 3) << '\n';
  }
  if (!page.data_quality.missing.empty()) {
    std::cout << "\nmissing:";
    for (const std::string& m : page.data_quality.missing) {
      std::cout << "\n  " << m;
    }
    std::cout << '\n';
  }
  if (!page.next_cursor.empty()) {
    std::cout << "\nnext cursor: " << page.next_cursor << '\n';
  }
}

void PrintPlan(const system::PlanComputation& c, std::string_view plan_id) {
  const scanner::Plan& p = c.plan;
  std::cout << p.symbol << "  " << scanner::StyleName(p.style) << "  " << scanner::Spec(p.strategy).key << "  "
            << scanner::DirectionName(p.direction) << (c.fallback ? "  (fallback)" : "") << '\n'
            << "plan id      " << plan_id << '\n'
            << "as of        " << p.as_of.ToIso8601() << " [" << p.planning_context << "]"
            << (c.as_of.note.empty() ? "" : "  " + c.as_of.note) << '\n'
            << "trigger      " << p.trigger << '\n'
            << "entry        " << p.entry.ToString() << '\n'
            << "stop         " << p.stop.ToString() << "  (" << p.stop_basis << ")\n";
  for (std::size_t i = 0; i < p.targets.size(); ++i) {
    const scanner::Target& t = p.targets[i];
    std::cout << "TP" << i + 1 << "          " << Pad(t.price.ToString(), 12) << "R:R " << Fixed(t.rr, 2) << "  "
              << t.reason << '\n';
  }
  std::cout << "confidence   " << Fixed(p.confidence, 3) << '\n'
            << "runner       " << p.runner.type << " " << p.runner.timeframe << " " << p.runner.length << " x "
            << Fixed(p.runner.multiplier, 1) << '\n';
  for (const std::string& w : p.warnings) {
    std::cout << "warning      " << w << '\n';
  }
  for (const std::string& n : p.notes) {
    std::cout << "note         " << n << '\n';
  }
}

}  // namespace

CoachCommands AddCoachCommands(CLI::App& app, CoachFlags& flags) {
  CoachCommands commands;
  const auto common = [&flags](CLI::App* command) {
    command->add_option("--style", flags.style, "scalp, intraday, swing or leaps (default intraday)");
    command->add_option("--as-of", flags.as_of, "ISO 8601 instant to compute for (default now; not in the future)");
    command->add_flag("--json", flags.json, "Print the API's JSON instead of a table");
    command->add_option("--seed", flags.seed, "Simulator seed (default: data.seed, as serve)");
    command->add_option("--config", flags.config, "TOML config file (default: ./tradedesk.toml when it exists)");
    command->add_option("--data-dir", flags.data_dir, "Use <DIR>/plans.db for watchlists and to store plans");
    command->add_option("--user", flags.user, "User the store is read and written as (default local)");
  };
  commands.scan = app.add_subcommand("scan", "Scan a universe for trade plans on the seeded simulator.");
  commands.scan->add_option("--universe", flags.universe,
                            "all, us, india, top_liquidity[:N], watchlist:NAME, or SYM,SYM,... (default "
                            "top_liquidity)");
  commands.scan->add_option("--limit", flags.limit, "Page size 1..50 (default 20)");
  common(commands.scan);
  commands.plan = app.add_subcommand("plan", "Build a trade plan for one symbol on the seeded simulator.");
  commands.plan->add_option("symbol", flags.symbol, "SPY, US:SPY, NIFTY or NSE_INDEX:NIFTY")->required();
  commands.plan->add_option("--strategy", flags.strategy, "A strategy key that must fire (default: the best)");
  common(commands.plan);
  return commands;
}

int RunScan(const CoachFlags& flags) {
  auto style = scanner::ParseStyle(flags.style);
  if (!style.ok()) {
    Usage(Error::InvalidArgument("unknown style '" + flags.style + "': use scalp, intraday, swing or leaps",
                                 "--style"));
    return kExitUsage;
  }
  if (flags.limit < 1 || flags.limit > 50) {
    Usage(Error::InvalidArgument("must be within 1..50", "--limit"));
    return kExitUsage;
  }
  CoachSetup setup;
  if (auto code = Setup(flags, setup)) {
    return *code;
  }
  system::ScanQuery query;
  query.request.style = *style;
  query.request.limit = static_cast<std::size_t>(flags.limit);
  query.as_of = setup.as_of;
  // A comma-separated list (or a single symbol with an exchange prefix) is an explicit universe.
  const bool named = flags.universe.find(',') == std::string::npos &&
                     (flags.universe.find(':') == std::string::npos || flags.universe.starts_with("top_liquidity:") ||
                      flags.universe.starts_with("watchlist:"));
  if (named) {
    query.universe = flags.universe;
  } else {
    std::string_view rest = flags.universe;
    while (!rest.empty()) {
      const std::size_t comma = rest.find(',');
      if (comma != 0) {
        query.symbols.emplace_back(rest.substr(0, comma));
      }
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
  }
  auto outcome = setup.coach->Scan(plans::UserScope{flags.user, false}, query);
  if (!outcome.ok()) {
    return ExitFor(outcome.error());
  }
  if (flags.json) {
    std::cout << api::RenderScanPayload(*outcome) << '\n';
  } else {
    PrintScanTable(*outcome);
  }
  return kExitOk;
}

int RunPlan(const CoachFlags& flags) {
  auto style = scanner::ParseStyle(flags.style);
  if (!style.ok()) {
    Usage(Error::InvalidArgument("unknown style '" + flags.style + "': use scalp, intraday, swing or leaps",
                                 "--style"));
    return kExitUsage;
  }
  system::PlanQuery query;
  query.symbol = flags.symbol;
  query.style = *style;
  if (!flags.strategy.empty()) {
    query.strategy = scanner::ParseStrategyKey(flags.strategy);
    if (!query.strategy) {
      Usage(Error::InvalidArgument("unknown strategy '" + flags.strategy + "'", "--strategy"));
      return kExitUsage;
    }
  }
  CoachSetup setup;
  if (auto code = Setup(flags, setup)) {
    return *code;
  }
  query.as_of = setup.as_of;
  auto computation = setup.coach->ComputePlan(query);
  if (!computation.ok()) {
    return ExitFor(computation.error());
  }
  // Without a store the plan keeps its descriptive id (symbol-style-strategy-direction-time) as version 1.
  std::string plan_id = computation->plan.plan_id;
  std::string payload;
  if (setup.store) {
    auto stored = setup.coach->IssuePlan(plans::UserScope{flags.user, false}, *computation, api::RenderPlan);
    if (!stored.ok()) {
      return ExitFor(stored.error());
    }
    plan_id = stored->plan_id;
    payload = stored->plan_json;
  } else {
    payload = api::RenderPlanPayload(*computation, plan_id, 1);
  }
  if (flags.json) {
    std::cout << payload << '\n';
  } else {
    PrintPlan(*computation, plan_id);
  }
  return kExitOk;
}

}  // namespace td::app
