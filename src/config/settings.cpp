// SPDX-License-Identifier: MIT
#include "config/settings.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <limits>
#include <sstream>

#include "config/config.hpp"
#include "config/registry.hpp"
#include "core/log.hpp"

namespace td::config {
namespace detail {
namespace {

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; });
  return out;
}

std::string Quote(std::string_view text) {
  std::string out;
  AppendJsonString(out, text);
  return out;
}

/// How a raw value of the wrong kind is described: "a string", "an integer", ...
std::string KindName(const RawValue& raw) {
  switch (raw.kind) {
    case RawValue::Kind::kText:
    case RawValue::Kind::kString:
      return "a string";
    case RawValue::Kind::kInteger:
      return "an integer";
    case RawValue::Kind::kBoolean:
      return "a boolean";
    case RawValue::Kind::kOther:
      return raw.type_name;
  }
  return raw.type_name;
}

/// The integer in `raw`, or the problem. Text must be a plain decimal integer.
std::optional<std::string> ReadInteger(const RawValue& raw, std::int64_t min, std::int64_t max, std::int64_t& out) {
  const std::string range = "must be an integer between " + std::to_string(min) + " and " + std::to_string(max);
  if (raw.kind == RawValue::Kind::kInteger) {
    out = raw.integer;
  } else if (raw.kind == RawValue::Kind::kText) {
    std::string_view text = raw.string;
    if (!text.empty() && text.front() == '+') {
      text.remove_prefix(1);
    }
    const char* end = text.data() + text.size();
    const auto result = std::from_chars(text.data(), end, out);
    if (text.empty() || result.ec != std::errc() || result.ptr != end) {
      return range + ", was " + Quote(raw.string);
    }
  } else {
    return "must be an integer, was " + KindName(raw);
  }
  if (out < min || out > max) {
    return "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", was " + std::to_string(out);
  }
  return std::nullopt;
}

std::optional<std::string> ReadString(const RawValue& raw, std::string& out) {
  if (raw.kind == RawValue::Kind::kString || raw.kind == RawValue::Kind::kText) {
    out = raw.string;
    return std::nullopt;
  }
  return "must be a string, was " + KindName(raw);
}

std::optional<std::string> ReadBoolean(const RawValue& raw, bool& out) {
  if (raw.kind == RawValue::Kind::kBoolean) {
    out = raw.boolean;
    return std::nullopt;
  }
  if (raw.kind == RawValue::Kind::kText) {
    const std::string lower = Lower(raw.string);
    if (lower == "true" || lower == "1" || lower == "yes" || lower == "on") {
      out = true;
      return std::nullopt;
    }
    if (lower == "false" || lower == "0" || lower == "no" || lower == "off") {
      out = false;
      return std::nullopt;
    }
    return "must be true or false, was " + Quote(raw.string);
  }
  return "must be a boolean, was " + KindName(raw);
}

using StringCheck = std::optional<std::string> (*)(std::string_view);

template <typename S, typename T>
SettingDef IntegerSetting(std::string path, S Config::*section, T S::*field, std::int64_t min, std::int64_t max,
                          std::string description) {
  SettingDef def;
  def.path = std::move(path);
  def.type = SettingType::kInteger;
  def.allowed = std::to_string(min) + ".." + std::to_string(max);
  def.description = std::move(description);
  def.render = [section, field](const Config& config) { return std::to_string(config.*section.*field); };
  def.assign = [section, field, min, max](Config& config, const RawValue& raw) -> std::optional<std::string> {
    std::int64_t value = 0;
    if (auto problem = ReadInteger(raw, min, max, value)) {
      return problem;
    }
    config.*section.*field = static_cast<T>(value);
    return std::nullopt;
  };
  return def;
}

template <typename S>
SettingDef StringSetting(std::string path, std::string S::*field, std::string allowed, StringCheck check,
                         std::string description, S Config::*section) {
  SettingDef def;
  def.path = std::move(path);
  def.type = SettingType::kString;
  def.allowed = std::move(allowed);
  def.description = std::move(description);
  def.render = [section, field](const Config& config) { return Quote(config.*section.*field); };
  def.assign = [section, field, check](Config& config, const RawValue& raw) -> std::optional<std::string> {
    std::string value;
    if (auto problem = ReadString(raw, value)) {
      return problem;
    }
    if (check != nullptr) {
      if (auto problem = check(value)) {
        return problem;
      }
    }
    config.*section.*field = std::move(value);
    return std::nullopt;
  };
  return def;
}

std::optional<std::string> CheckListen(std::string_view text) {
  auto parsed = ParseHostPort(text);
  if (!parsed.ok()) {
    return parsed.error().message;
  }
  return std::nullopt;
}

bool HasControlCharacter(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; });
}

std::optional<std::string> CheckPath(std::string_view text) {
  if (HasControlCharacter(text)) {
    return "must not contain control characters, was " + Quote(text);
  }
  return std::nullopt;
}

std::optional<std::string> CheckRequiredPath(std::string_view text) {
  if (text.empty()) {
    return std::string("must not be empty");
  }
  return CheckPath(text);
}

std::optional<std::string> CheckSourceName(std::string_view text) {
  const bool ok = !text.empty() && text.size() <= 32 && text.front() >= 'a' && text.front() <= 'z' &&
                  std::all_of(text.begin(), text.end(), [](char c) {
                    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
                  });
  if (!ok) {
    return "must be a lower-case name of 1..32 characters (a-z, 0-9, _ and -), starting with a letter; was " +
           Quote(text);
  }
  return std::nullopt;
}

/// The market-data sources `system` can build.
constexpr std::array<std::string_view, 6> kDataSources = {"simulator", "replay", "openalgo", "polygon", "yahoo",
                                                         "tradier"};

std::optional<std::string> CheckDataSource(std::string_view text) {
  if (auto problem = CheckSourceName(text)) {
    return problem;
  }
  if (std::find(kDataSources.begin(), kDataSources.end(), text) == kDataSources.end()) {
    return "must be one of simulator, replay, openalgo, polygon, yahoo, tradier; was " + Quote(text);
  }
  return std::nullopt;
}

std::optional<std::string> CheckBackupSource(std::string_view text) {
  return text.empty() ? std::nullopt : CheckDataSource(text);
}

/// A comma-separated list of EXCHANGE:SYMBOL ids (spaces around commas allowed).
std::optional<std::string> CheckSymbolList(std::string_view text) {
  std::size_t start = 0;
  while (start <= text.size() && !text.empty()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    std::string_view item = text.substr(start, comma - start);
    while (!item.empty() && item.front() == ' ') {
      item.remove_prefix(1);
    }
    while (!item.empty() && item.back() == ' ') {
      item.remove_suffix(1);
    }
    const std::size_t colon = item.find(':');
    const bool ok = colon != std::string_view::npos && colon > 0 && colon + 1 < item.size() &&
                    item.find(':', colon + 1) == std::string_view::npos &&
                    std::none_of(item.begin(), item.end(), [](char c) { return c == ' ' || c < 0x20; });
    if (!ok) {
      return "must be comma-separated EXCHANGE:SYMBOL ids, was " + Quote(item) + " in " + Quote(text);
    }
    start = comma + 1;
  }
  return std::nullopt;
}

std::optional<std::string> CheckUrl(std::string_view text) {
  if (text.empty()) {
    return std::nullopt;
  }
  const bool scheme = text.starts_with("http://") || text.starts_with("https://") || text.starts_with("ws://") ||
                      text.starts_with("wss://");
  if (!scheme || HasControlCharacter(text) || text.find(' ') != std::string_view::npos) {
    return "must be an http(s):// or ws(s):// URL without spaces, was " + Quote(text);
  }
  return std::nullopt;
}

std::optional<std::string> CheckPepper(std::string_view text) {
  if (!text.empty() && text.size() < 32) {
    return "must be at least 32 characters long, was " + std::to_string(text.size()) + " characters";
  }
  return std::nullopt;
}

std::vector<SettingDef> BuildRegistry() {
  std::vector<SettingDef> defs;
  const std::int64_t kMaxSeed = std::numeric_limits<std::int64_t>::max();

  defs.push_back(StringSetting("server.listen", &ServerConfig::listen, "HOST:PORT (port 0..65535)", &CheckListen,
                               "Address the HTTP server listens on. Port 0 lets the system pick a free port; "
                               "the chosen port is printed on start.",
                               &Config::server));
  defs.push_back(IntegerSetting("server.max_body_bytes", &Config::server, &ServerConfig::max_body_bytes, 1024,
                                64 * 1024 * 1024, "Largest request body accepted, in bytes (larger gets 413)."));
  defs.push_back(IntegerSetting("server.max_header_bytes", &Config::server, &ServerConfig::max_header_bytes, 1024,
                                1024 * 1024, "Largest request header block accepted, in bytes (larger gets 431)."));
  defs.push_back(IntegerSetting("server.read_timeout_ms", &Config::server, &ServerConfig::read_timeout_ms, 100, 600000,
                                "Time allowed to receive one whole request, in milliseconds."));
  defs.push_back(IntegerSetting("server.idle_timeout_ms", &Config::server, &ServerConfig::idle_timeout_ms, 1000,
                                3600000, "How long an idle keep-alive connection stays open, in milliseconds."));
  defs.push_back(IntegerSetting("server.shutdown_grace_ms", &Config::server, &ServerConfig::shutdown_grace_ms, 0,
                                300000,
                                "On SIGINT/SIGTERM, how long in-flight requests may finish before connections "
                                "are closed, in milliseconds."));
  defs.push_back(IntegerSetting("server.io_threads", &Config::server, &ServerConfig::io_threads, 1, 64,
                                "Threads serving network I/O."));
  defs.push_back(IntegerSetting("server.openalgo_ws_port", &Config::server, &ServerConfig::openalgo_ws_port, 0, 65535,
                                "Port of the OpenAlgo-compatible WebSocket market-data listener (OpenAlgo's proxy "
                                "port), on the host of server.listen. 0 turns it off."));
  defs.push_back(IntegerSetting("server.prefault_heap_mb", &Config::server, &ServerConfig::prefault_heap_mb, 0, 65536,
                                "Heap touched once at start-up and kept by the allocator, in MiB, so orders, fills "
                                "and journal frames later reuse mapped pages instead of taking page faults on the "
                                "order path. 0 turns it off."));
  defs.push_back(StringSetting("server.static_dir", &ServerConfig::static_dir, "directory path", &CheckPath,
                               "Directory of the web UI served at /. Empty: web/dist in the source tree of the "
                               "build if it exists, else ./web/dist if it exists, else no static files.",
                               &Config::server));

  {
    SettingDef def;
    def.path = "log.level";
    def.type = SettingType::kString;
    def.allowed = "trace, debug, info, warn, error, critical, off";
    def.description = "Least severe level that is logged.";
    def.render = [](const Config& config) { return Quote(LogLevelName(config.log.level)); };
    def.assign = [](Config& config, const RawValue& raw) -> std::optional<std::string> {
      std::string text;
      if (auto problem = ReadString(raw, text)) {
        return problem;
      }
      auto level = ParseLogLevel(text);
      if (!level.ok()) {
        return level.error().message;
      }
      config.log.level = *level;
      return std::nullopt;
    };
    defs.push_back(std::move(def));
  }
  {
    SettingDef def;
    def.path = "log.format";
    def.type = SettingType::kString;
    def.allowed = "auto, json, text";
    def.description =
        "json: one JSON object per line. text: one readable line, coloured on a terminal. auto: text when "
        "logging to a terminal, json otherwise.";
    def.render = [](const Config& config) { return Quote(LogFormatName(config.log.format)); };
    def.assign = [](Config& config, const RawValue& raw) -> std::optional<std::string> {
      std::string text;
      if (auto problem = ReadString(raw, text)) {
        return problem;
      }
      auto format = ParseLogFormat(text);
      if (!format.ok()) {
        return format.error().message;
      }
      config.log.format = *format;
      return std::nullopt;
    };
    defs.push_back(std::move(def));
  }
  defs.push_back(StringSetting("log.file", &LogConfig::file, "file path", &CheckPath,
                               "File the log is appended to. Empty: stderr.", &Config::log));

  defs.push_back(StringSetting(
      "data.source", &DataConfig::source, "simulator, replay, openalgo, polygon, yahoo, tradier", &CheckDataSource,
      "Primary market data source. \"simulator\" generates reproducible synthetic data; \"replay\" plays the bar "
      "store of storage.data_dir; the others are vendor feeds (see the data.<vendor>_* settings).",
      &Config::data));
  defs.push_back(StringSetting("data.backup", &DataConfig::backup, "empty, or a data.source name", &CheckBackupSource,
                               "Fallback source the feed manager fails over to when the primary is stale or "
                               "disconnected, and fails back from after data.failback_ms. Empty: no failover.",
                               &Config::data));
  defs.push_back(IntegerSetting("data.seed", &Config::data, &DataConfig::seed, 0, kMaxSeed,
                                "Random seed of the simulator; the same seed gives the same data."));
  defs.push_back(IntegerSetting("data.history_days", &Config::data, &DataConfig::history_days, 0, 3650,
                                "Days of history loaded or generated at start."));
  defs.push_back(StringSetting("data.symbols", &DataConfig::symbols, "comma-separated EXCHANGE:SYMBOL",
                               &CheckSymbolList,
                               "Instruments the live feeds subscribe (1-minute bars from trades). Empty: the "
                               "simulator's underlyings; no live subscriptions for vendor sources.",
                               &Config::data));
  defs.push_back(IntegerSetting("data.staleness_ms", &Config::data, &DataConfig::staleness_ms, 100, 3600000,
                                "A feed silent this long inside its exchange's regular session is stale (fails over "
                                "when data.backup is set), in milliseconds."));
  defs.push_back(IntegerSetting("data.failback_ms", &Config::data, &DataConfig::failback_ms, 0, 86400000,
                                "How long the primary must be healthy again before the feed fails back to it, in "
                                "milliseconds (hysteresis)."));
  defs.push_back(IntegerSetting("data.replay_speed", &Config::data, &DataConfig::replay_speed, 1, 1000000,
                                "Replay source: seconds of recorded market played per wall-clock second."));
  defs.push_back(StringSetting("data.openalgo_url", &DataConfig::openalgo_url, "empty or http(s) URL", &CheckUrl,
                               "OpenAlgo REST root (history, quotes, chains). Empty: http://127.0.0.1:5000.",
                               &Config::data));
  defs.push_back(StringSetting("data.openalgo_ws_url", &DataConfig::openalgo_ws_url, "empty or ws(s) URL", &CheckUrl,
                               "OpenAlgo WebSocket market-data proxy. Empty: ws://127.0.0.1:8765.", &Config::data));
  {
    SettingDef def = StringSetting("data.openalgo_api_key", &DataConfig::openalgo_api_key, "string", nullptr,
                                   "OpenAlgo API key. Environment only.", &Config::data);
    def.secret = true;
    defs.push_back(std::move(def));
  }
  defs.push_back(StringSetting("data.polygon_url", &DataConfig::polygon_url, "empty or http(s) URL", &CheckUrl,
                               "Polygon REST root. Empty: the adapter's default (Polygon's public API).",
                               &Config::data));
  {
    SettingDef def = StringSetting("data.polygon_api_key", &DataConfig::polygon_api_key, "string", nullptr,
                                   "Polygon API key. Environment only.", &Config::data);
    def.secret = true;
    defs.push_back(std::move(def));
  }
  defs.push_back(StringSetting("data.yahoo_url", &DataConfig::yahoo_url, "empty or http(s) URL", &CheckUrl,
                               "Yahoo chart API root. Empty: the adapter's default.", &Config::data));
  defs.push_back(StringSetting("data.tradier_url", &DataConfig::tradier_url, "empty or http(s) URL", &CheckUrl,
                               "Tradier API root (a sandbox host is detected). Empty: the adapter's default.",
                               &Config::data));
  {
    SettingDef def = StringSetting("data.tradier_token", &DataConfig::tradier_token, "string", nullptr,
                                   "Tradier access token. Environment only.", &Config::data);
    def.secret = true;
    defs.push_back(std::move(def));
  }

  defs.push_back(StringSetting("storage.data_dir", &StorageConfig::data_dir, "directory path", &CheckRequiredPath,
                               "Directory for the journal, databases and caches; created if missing.",
                               &Config::storage));

  {
    SettingDef def;
    def.path = "auth.enabled";
    def.type = SettingType::kBoolean;
    def.allowed = "true, false";
    def.description = "Require API keys on the HTTP API. Turn off only on a trusted loopback address.";
    def.render = [](const Config& config) { return std::string(config.auth.enabled ? "true" : "false"); };
    def.assign = [](Config& config, const RawValue& raw) -> std::optional<std::string> {
      return ReadBoolean(raw, config.auth.enabled);
    };
    defs.push_back(std::move(def));
  }
  {
    SettingDef def =
        StringSetting("auth.pepper", &AuthConfig::pepper, "at least 32 characters", &CheckPepper,
                      "Secret mixed into every password and API key hash. Environment only.", &Config::auth);
    def.secret = true;
    defs.push_back(std::move(def));
  }
  return defs;
}

}  // namespace

const std::vector<SettingDef>& Registry() {
  static const std::vector<SettingDef> registry = BuildRegistry();
  return registry;
}

const SettingDef* FindSetting(std::string_view path) {
  for (const SettingDef& def : Registry()) {
    if (def.path == path) {
      return &def;
    }
  }
  return nullptr;
}

bool LooksLikeSecret(std::string_view key) {
  static constexpr std::array<std::string_view, 10> kWords = {
      "password", "passwd", "secret", "token", "api_key", "apikey", "pepper", "private_key", "credential", "totp"};
  const std::string lower = Lower(key);
  return std::any_of(kWords.begin(), kWords.end(),
                     [&](std::string_view word) { return lower.find(word) != std::string::npos; });
}

}  // namespace detail

std::string_view SettingTypeName(SettingType type) {
  switch (type) {
    case SettingType::kString:
      return "string";
    case SettingType::kInteger:
      return "integer";
    case SettingType::kBoolean:
      return "boolean";
  }
  return "string";
}

std::vector<SettingInfo> ListSettings() {
  const Config defaults;
  std::vector<SettingInfo> out;
  for (const detail::SettingDef& def : detail::Registry()) {
    SettingInfo info;
    info.path = def.path;
    info.type = def.type;
    info.default_value = def.secret ? std::string("(unset)") : def.render(defaults);
    info.allowed = def.allowed;
    info.description = def.description;
    info.env_var = EnvironmentVariableFor(def.path);
    info.secret = def.secret;
    out.push_back(std::move(info));
  }
  return out;
}

std::vector<std::string> ListSections() {
  std::vector<std::string> sections;
  for (const detail::SettingDef& def : detail::Registry()) {
    std::string section = def.path.substr(0, def.path.find('.'));
    if (std::find(sections.begin(), sections.end(), section) == sections.end()) {
      sections.push_back(std::move(section));
    }
  }
  return sections;
}

std::string RenderDefaultsText() {
  std::ostringstream out;
  std::string section;
  for (const SettingInfo& info : ListSettings()) {
    const std::string this_section = info.path.substr(0, info.path.find('.'));
    if (this_section != section) {
      out << (section.empty() ? "" : "\n") << '[' << this_section << "]\n";
      section = this_section;
    }
    out << "  " << info.path << " = " << info.default_value << "    (" << SettingTypeName(info.type) << "; "
        << info.allowed << (info.secret ? "; secret, environment only" : "") << ")\n"
        << "      " << info.description << "\n"
        << "      env: " << info.env_var << "\n";
  }
  return out.str();
}

std::string RenderConfigurationMarkdown() {
  std::ostringstream out;
  out << "# Configuration\n\n"
      << "<!-- Generated from the settings registry (src/config/settings.cpp) by `tradedesk config docs`.\n"
      << "     Do not edit by hand; test_config fails when this file is out of date. -->\n\n"
      << "tradedesk reads its settings from four places. Later sources override earlier ones:\n\n"
      << "1. the defaults listed below;\n"
      << "2. the TOML file given with `--config FILE`, or `./tradedesk.toml` when that flag is absent and the\n"
      << "   file exists (see `config/tradedesk.example.toml`);\n"
      << "3. environment variables `TRADEDESK_<SECTION>__<KEY>`;\n"
      << "4. command-line flags (`tradedesk serve --listen`, `--data-dir`, `--static-dir`, `--log-level`,\n"
      << "   `--log-format`, `--source`, `--backup`, `--seed`).\n\n"
      << "`tradedesk config check [--config FILE]` validates all of them together, prints every problem with\n"
      << "the dotted name of its setting (exit code 2) or the effective configuration (exit code 0).\n"
      << "`tradedesk config defaults` prints the table below; `tradedesk serve --dry-run` prints the effective\n"
      << "configuration of a `serve` command line without starting the server.\n\n"
      << "## Rules\n\n"
      << "- Unknown sections and keys, at any depth, are errors (with a suggestion when the name is close to a\n"
      << "  known one); so are values of the wrong type and values out of range. All problems are reported at\n"
      << "  once. TOML syntax errors are reported with their line and column.\n"
      << "- Environment variables: `TRADEDESK_`, then the section, a double underscore, then the key, in upper\n"
      << "  case: `server.max_body_bytes` is `TRADEDESK_SERVER__MAX_BODY_BYTES`. Values are text: integers in\n"
      << "  decimal, booleans as true/false/1/0/yes/no/on/off. A `TRADEDESK_*__*` variable that names no setting\n"
      << "  is an error; variables without a double underscore (such as `TRADEDESK_DATA_DIR`, used by the test\n"
      << "  suite) are not configuration and are ignored.\n"
      << "- Secrets (marked below) are read only from the environment. A secret in the file, or any key whose\n"
      << "  name looks like a secret (password, token, api_key, pepper, ...), is an error that says so; secrets\n"
      << "  cannot be given as flags either, and are never printed.\n"
      << "- Static files: when `server.static_dir` is empty, `serve` uses `<source tree>/web/dist` of the build\n"
      << "  (the source directory compiled into the binary) if it exists, else `./web/dist` if it exists, else it\n"
      << "  serves no static files.\n\n"
      << "## Settings\n\n"
      << "| Setting | Type | Default | Allowed | Environment variable | Description |\n"
      << "|---|---|---|---|---|---|\n";
  for (const SettingInfo& info : ListSettings()) {
    std::string description = info.description;
    if (info.secret) {
      description = "**Secret.** " + description;
    }
    out << "| `" << info.path << "` | " << SettingTypeName(info.type) << " | `" << info.default_value << "` | "
        << info.allowed << " | `" << info.env_var << "` | " << description << " |\n";
  }
  return out.str();
}

}  // namespace td::config
