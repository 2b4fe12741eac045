// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/result.hpp"

namespace td::config {

// The defaults below are the only place defaults are written; the settings registry, the
// `tradedesk config defaults` output and docs/configuration.md are derived from them.

/// `[server]`: the HTTP listener.
struct ServerConfig {
  std::string listen = "127.0.0.1:8080";  // HOST:PORT; port 0 picks a free port
  std::size_t max_body_bytes = 1024 * 1024;
  std::size_t max_header_bytes = 16 * 1024;
  int read_timeout_ms = 15000;
  int idle_timeout_ms = 60000;
  int shutdown_grace_ms = 10000;
  int io_threads = 2;
  std::string static_dir;  // empty: found automatically (see docs/configuration.md)
  int openalgo_ws_port = 8765;  // OpenAlgo-compatible WebSocket listener on the listen host; 0 = off
  int prefault_heap_mb = 128;   // heap mapped at start-up so the order path takes no page faults; 0 = off
};

/// `[log]`: where and how the process logs.
struct LogConfig {
  LogLevel level = LogLevel::kInfo;
  LogFormat format = LogFormat::kAuto;
  std::string file;  // empty: stderr
};

/// `[data]`: the market data sources. `source` is the primary feed and `backup` (optional) the feed the
/// feed manager fails over to; vendor URLs left empty use the adapter's own default.
struct DataConfig {
  std::string source = "simulator";  // simulator | replay | openalgo | polygon | yahoo | tradier
  std::string backup;                // one of the same names, different from source; empty: no failover
  std::uint64_t seed = 42;
  int history_days = 5;
  std::string symbols;  // comma-separated EXCHANGE:SYMBOL for live feeds; empty: the source's default list
  int staleness_ms = 10000;  // in-session silence after which a feed is stale
  int failback_ms = 60000;   // how long the primary must be healthy before the feed fails back
  int replay_speed = 60;     // replay source: recorded time played per wall second
  std::string openalgo_url;     // REST root; empty: http://127.0.0.1:5000
  std::string openalgo_ws_url;  // WebSocket proxy; empty: ws://127.0.0.1:8765
  std::string openalgo_api_key;  // secret: TRADEDESK_DATA__OPENALGO_API_KEY only
  std::string polygon_url;
  std::string polygon_api_key;  // secret
  std::string yahoo_url;
  std::string tradier_url;
  std::string tradier_token;  // secret
};

/// `[storage]`: where state lives on disk.
struct StorageConfig {
  std::string data_dir = "./var";
};

/// `[auth]`: API authentication. The pepper is a secret and comes only from the environment.
struct AuthConfig {
  bool enabled = true;
  std::string pepper;  // secret: TRADEDESK_AUTH__PEPPER only; empty when not set
};

/// The whole configuration of one tradedesk process.
struct Config {
  ServerConfig server;
  LogConfig log;
  DataConfig data;
  StorageConfig storage;
  AuthConfig auth;
};

/// A network endpoint parsed from "HOST:PORT" (IPv6 hosts in brackets: "[::1]:8080").
struct HostPort {
  std::string host;  // without brackets
  std::uint16_t port = 0;
};

/// Parses "HOST:PORT": the host is a name, an IPv4 address or a bracketed IPv6 address; the port is
/// 0..65535 (0 asks the system for a free port).
Result<HostPort> ParseHostPort(std::string_view text);

/// One value set from outside the file and the environment, typically a command-line flag.
struct Override {
  std::string path;    // dotted setting name, e.g. "server.listen"
  std::string value;   // text, converted like an environment variable
  std::string source;  // for messages, e.g. "--listen"
};

/// The inputs of LoadConfig, in increasing precedence: defaults < file < environment < overrides.
struct LoadRequest {
  std::optional<std::filesystem::path> file;                     // must exist when given
  std::vector<std::pair<std::string, std::string>> environment;  // NAME=value pairs; non-TRADEDESK_ ignored
  std::vector<Override> overrides;
};

/// The outcome of loading: the merged configuration and every problem found (all of them, not just the
/// first). `config` is only meaningful when ok(). Each error names its setting in `field`.
struct LoadedConfig {
  Config config;
  std::vector<Error> errors;
  bool ok() const { return errors.empty(); }
};

/// Loads and validates a configuration from the sources in `request`.
LoadedConfig LoadConfig(const LoadRequest& request);

/// Parses and validates TOML text on top of the defaults; `source_name` labels line:column positions.
LoadedConfig ParseConfigText(std::string_view toml_text, std::string_view source_name = "config");

/// Applies TRADEDESK_<SECTION>__<KEY> variables from `environment` to `config`, appending problems.
void ApplyEnvironment(const std::vector<std::pair<std::string, std::string>>& environment, Config& config,
                      std::vector<Error>& errors);

/// Applies `overrides` to `config`, appending problems. Secrets cannot be overridden this way.
void ApplyOverrides(const std::vector<Override>& overrides, Config& config, std::vector<Error>& errors);

/// The TRADEDESK_* variables of this process's environment.
std::vector<std::pair<std::string, std::string>> ProcessEnvironment();

/// Maps a dotted setting name to its environment variable: "server.listen" -> "TRADEDESK_SERVER__LISTEN".
std::string EnvironmentVariableFor(std::string_view path);

/// Formats a load error for people: "server.max_body_bytes: must be between 1024 and 67108864, was 12".
std::string FormatConfigError(const Error& error);

/// Renders `config` as TOML that loads back to the same values. Secrets are never printed: they appear
/// as a comment saying whether they are set.
std::string RenderToml(const Config& config);

/// Converts the `[log]` section into options for InitLogging.
LogOptions ToLogOptions(const LogConfig& log);

}  // namespace td::config
