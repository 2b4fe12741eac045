// SPDX-License-Identifier: MIT
#include "app/cli.hpp"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <sstream>
#include <system_error>

#include "api/auth_context.hpp"
#include "api/coach_routes.hpp"
#include "api/context_routes.hpp"
#include "api/contracts_routes.hpp"
#include "api/http_server.hpp"
#include "api/journal_routes.hpp"
#include "api/feed_routes.hpp"
#include "api/market_routes.hpp"
#include "api/mcp.hpp"
#include "api/openalgo_market_routes.hpp"
#include "api/openalgo_routes.hpp"
#include "api/openalgo_ws_feed.hpp"
#include "api/server.hpp"
#include "api/stream_routes.hpp"
#include "app/build_info.hpp"
#include "app/calc_command.hpp"
#include "app/coach_commands.hpp"
#include "app/import_command.hpp"
#include "app/keys_command.hpp"
#include "app/replay_command.hpp"
#include "app/static_dir.hpp"
#include "config/config.hpp"
#include "config/settings.hpp"
#include "core/clock.hpp"
#include "core/log.hpp"
#include "core/memory.hpp"
#include "plans/plan_store.hpp"
#include "system/coach_service.hpp"
#include "system/context_service.hpp"
#include "system/live_stream_service.hpp"
#include "system/market_service.hpp"
#include "system/trading_service.hpp"

namespace td::app {
namespace {

constexpr std::string_view kConfigFileName = "tradedesk.toml";

/// The flags of `tradedesk serve`; empty strings mean "not given".
struct ServeFlags {
  std::string config;
  std::string listen;
  std::string data_dir;
  std::string static_dir;
  std::string log_level;
  std::string log_format;
  std::string source;  // data.source
  std::string backup;  // data.backup
  std::string seed;    // data.seed
  std::string openalgo_ws_port;  // server.openalgo_ws_port
  bool dry_run = false;
  bool no_auth = false;
};

/// The file to read: the --config flag, else ./tradedesk.toml when it exists, else none.
std::optional<std::filesystem::path> ConfigFileFor(const std::string& flag) {
  if (!flag.empty()) {
    return std::filesystem::path(flag);
  }
  std::error_code ec;
  if (std::filesystem::is_regular_file(kConfigFileName, ec)) {
    return std::filesystem::path(kConfigFileName);
  }
  return std::nullopt;
}

std::string DescribeFile(const std::optional<std::filesystem::path>& file) {
  return file.has_value() ? file->string() : std::string("none (defaults and environment only)");
}

void PrintProblems(const std::vector<Error>& errors) {
  std::cerr << "tradedesk: the configuration is invalid (" << errors.size()
            << (errors.size() == 1 ? " problem" : " problems") << "):\n";
  for (const Error& error : errors) {
    std::cerr << "  " << config::FormatConfigError(error) << '\n';
  }
  std::cerr.flush();
}

std::string UrlFor(const std::string& host, std::uint16_t port) {
  const bool ipv6 = host.find(':') != std::string::npos;
  return "http://" + (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port) + "/";
}

int RunConfigCheck(const std::string& config_flag) {
  config::LoadRequest request;
  request.file = ConfigFileFor(config_flag);
  request.environment = config::ProcessEnvironment();
  const config::LoadedConfig loaded = config::LoadConfig(request);
  if (!loaded.ok()) {
    PrintProblems(loaded.errors);
    return kExitUsage;
  }
  std::cout << "# The configuration is valid.\n"
            << "# config file: " << DescribeFile(request.file) << "\n"
            << "# Effective values (file, then TRADEDESK_* environment, over the defaults):\n\n"
            << config::RenderToml(loaded.config);
  return kExitOk;
}

int RunServe(const ServeFlags& flags) {
  config::LoadRequest request;
  request.file = ConfigFileFor(flags.config);
  request.environment = config::ProcessEnvironment();
  const auto add = [&](const std::string& value, const char* path, const char* flag) {
    if (!value.empty()) {
      request.overrides.push_back(config::Override{path, value, flag});
    }
  };
  add(flags.listen, "server.listen", "--listen");
  add(flags.data_dir, "storage.data_dir", "--data-dir");
  add(flags.static_dir, "server.static_dir", "--static-dir");
  add(flags.log_level, "log.level", "--log-level");
  add(flags.log_format, "log.format", "--log-format");
  add(flags.source, "data.source", "--source");
  add(flags.backup, "data.backup", "--backup");
  add(flags.seed, "data.seed", "--seed");
  add(flags.openalgo_ws_port, "server.openalgo_ws_port", "--openalgo-ws-port");
  if (flags.no_auth) {
    request.overrides.push_back(config::Override{"auth.enabled", "false", "--no-auth"});
  }
  const config::LoadedConfig loaded = config::LoadConfig(request);
  if (!loaded.ok()) {
    PrintProblems(loaded.errors);
    return kExitUsage;
  }
  const config::Config& cfg = loaded.config;
  const auto endpoint = config::ParseHostPort(cfg.server.listen);
  if (!endpoint.ok()) {  // validated by LoadConfig; kept for safety at the edge
    PrintProblems({endpoint.error()});
    return kExitUsage;
  }
  if (!cfg.auth.enabled && !api::IsLoopbackHost(endpoint->host)) {
    PrintProblems({Error::InvalidArgument("--no-auth (auth.enabled = false) needs a loopback listen address, not " +
                                              endpoint->host + "; create a key with `tradedesk keys create` instead",
                                          "auth.enabled")});
    return kExitUsage;
  }

  std::error_code ec;
  const std::filesystem::path cwd = std::filesystem::current_path(ec);
  const auto static_dir = ResolveStaticDir(cfg.server.static_dir, std::string(build_info::kSourceDir), cwd);
  if (!static_dir.ok()) {
    PrintProblems({static_dir.error()});
    return kExitUsage;
  }
  const std::filesystem::path data_dir = std::filesystem::absolute(cfg.storage.data_dir, ec).lexically_normal();

  if (flags.dry_run) {
    std::cout << "# tradedesk serve --dry-run: nothing is started\n"
              << "# config file: " << DescribeFile(request.file) << "\n"
              << "# url: " << UrlFor(endpoint->host, endpoint->port) << "\n"
              << "# data_dir: " << data_dir.string() << "\n"
              << "# static_dir: " << (static_dir->empty() ? std::string("(none)") : static_dir->string()) << "\n\n"
              << config::RenderToml(cfg);
    return kExitOk;
  }

  // Before any other thread starts, so the trading thread allocates from the prefaulted heap.
  HeapReserve heap_reserve;
  if (cfg.server.prefault_heap_mb > 0) {
    heap_reserve = PrefaultHeap(static_cast<std::size_t>(cfg.server.prefault_heap_mb) << 20);
  }
  if (auto status = InitLogging(config::ToLogOptions(cfg.log)); !status.ok()) {
    std::cerr << "tradedesk: log.file: " << status.error().message << '\n';
    return kExitFailure;
  }
  const Logger logger("app");
  if (cfg.server.prefault_heap_mb > 0) {
    logger.Info("heap prefaulted", {{"mib", std::to_string(heap_reserve.bytes >> 20)},
                                    {"supported", heap_reserve.supported ? "true" : "false"}});
  }
  std::filesystem::create_directories(data_dir, ec);
  if (ec) {
    logger.Error("cannot create the data directory", {{"path", data_dir.string()}, {"error", ec.message()}});
    std::cerr << "tradedesk: cannot create data directory " << data_dir.string() << ": " << ec.message() << '\n';
    return kExitFailure;
  }
  logger.Info("starting", {{"version", build_info::kVersion},
                           {"listen", cfg.server.listen},
                           {"data_dir", data_dir.string()},
                           {"static_dir", static_dir->string()},
                           {"config_file", DescribeFile(request.file)}});

  api::ServeOptions options;
  options.listen_host = endpoint->host;
  options.listen_port = endpoint->port;
  options.data_dir = data_dir;
  options.static_dir = *static_dir;
  options.max_header_bytes = cfg.server.max_header_bytes;
  options.max_body_bytes = cfg.server.max_body_bytes;
  options.read_timeout = std::chrono::milliseconds(cfg.server.read_timeout_ms);
  options.idle_timeout = std::chrono::milliseconds(cfg.server.idle_timeout_ms);
  options.shutdown_grace = std::chrono::milliseconds(cfg.server.shutdown_grace_ms);
  options.io_threads = cfg.server.io_threads;
  options.auth_enabled = cfg.auth.enabled;
  options.key_pepper = cfg.auth.pepper;
  const std::string host = endpoint->host;
  options.on_listening = [host, logger](std::uint16_t bound_port) {
    const std::string url = UrlFor(host, bound_port);
    std::printf("tradedesk: listening on %s\n", url.c_str());
    std::fflush(stdout);
    logger.Info("listening", {{"url", url}});
  };
  static LiveClock clock;
  logger.Info("building the market", {{"source", cfg.data.source},
                                      {"backup", cfg.data.backup},
                                      {"seed", cfg.data.seed},
                                      {"history_days", cfg.data.history_days}});
  auto market = system::MarketService::Start(cfg.data, data_dir, clock);
  if (!market.ok()) {
    std::cerr << "tradedesk: cannot start the market data (" << cfg.data.source
              << "): " << config::FormatConfigError(market.error()) << '\n';
    return market.error().code == ErrorCode::kInvalidArgument ? kExitUsage : kExitFailure;
  }
  auto plan_store = plans::PlanStore::Open(data_dir / "plans.db", clock);
  if (!plan_store.ok()) {
    std::cerr << "tradedesk: cannot open the plan store: " << plan_store.error().ToString() << '\n';
    return kExitFailure;
  }
  system::CoachService coach(**market, plan_store->get(), clock);
  // GPT market context; its daily IV history (rank/percentile) lives beside the plans, and a recorder stores
  // each session's close reading.
  auto iv_history = system::IvHistoryStore::Open(data_dir / "iv_history.db", clock);
  if (!iv_history.ok()) {
    std::cerr << "tradedesk: cannot open the IV history: " << iv_history.error().ToString() << '\n';
    return kExitFailure;
  }
  system::ContextService context(coach, iv_history->get());
  context.StartRecorder(std::chrono::minutes(10));
  // Declared before Serve() so its publisher thread outlives the server and its stream routes.
  system::LiveStreamService live(**market, coach, api::RenderPlan, clock, system::LiveStreamService::Options{});
  // The OpenAlgo order API's paper account: journal under the data directory, replayed at start.
  system::TradingServiceOptions trading_options;
  trading_options.data_dir = data_dir;
  auto trading = system::TradingService::Start(trading_options, **market, clock);
  if (!trading.ok()) {
    std::cerr << "tradedesk: cannot start the paper trading account: " << trading.error().ToString() << '\n';
    return kExitFailure;
  }
  // OpenAlgo clients stream market data from their proxy's own port (8765): a second listener on the same host,
  // started once the key store is open and stopped after the HTTP server.
  std::unique_ptr<api::OpenAlgoWsServer> openalgo_ws;
  const auto start_openalgo_ws = [&](const api::AuthContext& auth) {
    if (cfg.server.openalgo_ws_port == 0) {
      return;
    }
    api::OpenAlgoWsServerOptions ws_options;
    ws_options.host = host;
    ws_options.port = static_cast<std::uint16_t>(cfg.server.openalgo_ws_port);
    auto started = api::OpenAlgoWsServer::Start(ws_options, **market, trading->get(), auth, clock);
    if (!started.ok()) {  // the HTTP API still serves; the message names the setting to change
      logger.Error("the OpenAlgo WebSocket listener did not start; set server.openalgo_ws_port (0 = off)",
                   {{"port", cfg.server.openalgo_ws_port}, {"error", started.error().ToString()}});
      std::cerr << "tradedesk: OpenAlgo WebSocket port " << cfg.server.openalgo_ws_port
                << " unavailable (server.openalgo_ws_port, --openalgo-ws-port): " << started.error().message << '\n';
      return;
    }
    openalgo_ws = std::move(started).value();
    std::printf("tradedesk: OpenAlgo WebSocket on ws://%s:%u\n", host.c_str(), static_cast<unsigned>(openalgo_ws->port()));
    std::fflush(stdout);
  };
  const int code = api::Serve(options, [&market, &coach, &context, &live, &plan_store, &trading, &start_openalgo_ws](api::HttpServer& server,
                                                                             const api::AuthContext& auth) {
    api::AddCoachRoutes(server.router(), coach, auth);
    api::AddContextRoutes(server.router(), context, auth.Protected());
    api::AddContractsRoutes(server.router(), **market, plan_store->get(), auth);
    api::AddJournalRoutes(server.router(), **plan_store, **market, auth);
    api::AddStreamRoutes(server.router(), live, **plan_store, auth);
    api::AddMarketRoutes(server.router(), **market, auth);
    api::AddFeedRoutes(server.router(), server.metrics(), **market);
    api::AddOpenAlgoRoutes(server.router(), **trading, auth);
    api::AddOpenAlgoMarketRoutes(server.router(), **market, auth);
    start_openalgo_ws(auth);
    api::AddMcpRoutes(server.router(), api::CoachMcpTools(), auth.Protected());
  });
  openalgo_ws.reset();
  logger.Info("stopped", {{"exit_code", code}});
  FlushLogs();
  return code;
}

}  // namespace

std::string VersionText() {
  std::ostringstream out;
  out << build_info::kName << ' ' << build_info::kVersion << '\n'
      << "commit:   " << (build_info::kGitCommit.empty() ? std::string_view("unknown") : build_info::kGitCommit) << '\n'
#if defined(__clang__)
      << "compiler: clang " << __clang_major__ << '.' << __clang_minor__ << '.' << __clang_patchlevel__ << '\n'
#elif defined(__GNUC__)
      << "compiler: GCC " << __GNUC__ << '.' << __GNUC_MINOR__ << '.' << __GNUC_PATCHLEVEL__ << '\n'
#else
      << "compiler: unknown\n"
#endif
      << "build:    " << (build_info::kBuildType.empty() ? std::string_view("unspecified") : build_info::kBuildType)
      << " (C++ " << __cplusplus << ")\n";
  return out.str();
}

int RunCli(int argc, char** argv) {
  CLI::App app{"tradedesk: one-binary trading desk (market data, scanner, plans, risk, execution, API).", "tradedesk"};
  app.set_version_flag("--version", std::string(build_info::kVersion));
  app.require_subcommand(1);
  app.footer("Exit codes: 0 success, 1 runtime failure, 2 bad usage or invalid configuration.");

  ServeFlags serve_flags;
  CLI::App* serve = app.add_subcommand("serve", "Run the HTTP server until SIGINT or SIGTERM.");
  serve->add_option("--listen", serve_flags.listen, "HOST:PORT to listen on (default 127.0.0.1:8080; port 0: any)");
  serve->add_option("--data-dir", serve_flags.data_dir, "Directory for state, created if missing (default ./var)");
  serve->add_option("--config", serve_flags.config, "TOML config file (default: ./tradedesk.toml when it exists)");
  serve->add_option("--static-dir", serve_flags.static_dir,
                    "Web files to serve (default: <source tree>/web/dist, else ./web/dist, else none)");
  serve->add_option("--log-level", serve_flags.log_level, "trace, debug, info, warn, error, critical or off");
  serve->add_option("--log-format", serve_flags.log_format, "auto, json or text");
  serve->add_option("--source", serve_flags.source,
                    "Market data source: simulator, replay, openalgo, polygon, yahoo or tradier (default simulator)");
  serve->add_option("--backup", serve_flags.backup, "Fallback market data source for failover (default none)");
  serve->add_option("--seed", serve_flags.seed, "Simulator seed; the same seed gives the same market (default 42)");
  serve->add_option("--openalgo-ws-port", serve_flags.openalgo_ws_port,
                    "Port of the OpenAlgo-compatible WebSocket listener on the listen host (default 8765; 0: off)");
  serve->add_flag("--dry-run", serve_flags.dry_run, "Print the effective configuration and exit");
  serve->add_flag("--no-auth", serve_flags.no_auth,
                  "Turn API keys off (loopback listen address only): every request acts as admin user 'local'");
  serve->footer(
      "Precedence: flags > TRADEDESK_<SECTION>__<KEY> environment > config file > defaults.\n"
      "See docs/configuration.md or `tradedesk config defaults`.");

  CLI::App* version = app.add_subcommand("version", "Print name, version, git commit and compiler.");

  CLI::App* config_cmd = app.add_subcommand("config", "Validate and document the configuration.");
  config_cmd->require_subcommand(1);
  std::string check_config;
  bool print_defaults = false;
  CLI::App* check = config_cmd->add_subcommand(
      "check", "Validate file + environment; print every problem (exit 2) or the effective config (exit 0).");
  check->add_option("--config", check_config, "TOML config file (default: ./tradedesk.toml when it exists)");
  check->add_flag("--print-defaults", print_defaults, "Print every setting with its default and exit");
  CLI::App* defaults = config_cmd->add_subcommand("defaults", "Print every setting with its default.");
  CLI::App* docs = config_cmd->add_subcommand("docs", "Print the Markdown reference (docs/configuration.md).");

  ImportFlags import_flags;
  CLI::App* import_cmd = AddImportCommand(app, import_flags);
  CalcFlags calc_flags;
  const CalcCommands calc = AddCalcCommands(app, calc_flags);
  CoachFlags coach_flags;
  const CoachCommands coach = AddCoachCommands(app, coach_flags);
  KeysFlags keys_flags;
  const KeysCommands keys = AddKeysCommands(app, keys_flags);
  ReplayFlags replay_flags;
  CLI::App* replay_cmd = AddReplayCommand(app, replay_flags);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }

  if (version->parsed()) {
    std::cout << VersionText();
    return kExitOk;
  }
  if (serve->parsed()) {
    return RunServe(serve_flags);
  }
  if (import_cmd->parsed()) {
    return RunImport(import_flags);
  }
  if (replay_cmd->parsed()) {
    return RunReplay(replay_flags);
  }
  if (keys.create->parsed()) {
    return RunKeysCreate(keys_flags);
  }
  if (keys.list->parsed()) {
    return RunKeysList(keys_flags);
  }
  if (keys.revoke->parsed()) {
    return RunKeysRevoke(keys_flags);
  }
  if (coach.scan->parsed()) {
    return RunScan(coach_flags);
  }
  if (coach.plan->parsed()) {
    return RunPlan(coach_flags);
  }
  if (calc.indicators->parsed()) {
    return RunCalcIndicators(calc_flags);
  }
  if (calc.options->parsed()) {
    return RunCalcOptions(calc_flags);
  }
  if (defaults->parsed() || (check->parsed() && print_defaults)) {
    std::cout << config::RenderDefaultsText();
    return kExitOk;
  }
  if (docs->parsed()) {
    std::cout << config::RenderConfigurationMarkdown();
    return kExitOk;
  }
  if (check->parsed()) {
    return RunConfigCheck(check_config);
  }
  std::cerr << app.help();
  return kExitUsage;
}

}  // namespace td::app
