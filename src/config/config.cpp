// SPDX-License-Identifier: MIT
#include "config/config.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>
#include <system_error>
#include <tuple>

#include <toml++/toml.h>

#include "config/registry.hpp"
#include "config/settings.hpp"

extern char** environ;  // NOLINT(readability-redundant-declaration): POSIX, declared by no standard header

namespace td::config {
namespace {

using detail::RawValue;
using detail::SettingDef;

constexpr std::string_view kEnvPrefix = "TRADEDESK_";

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; });
  return out;
}

std::string Upper(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; });
  return out;
}

std::string Quote(std::string_view text) {
  std::string out;
  AppendJsonString(out, text);
  return out;
}

/// A TOML key as it appears in a dotted path: bare when it can be, quoted otherwise.
std::string PathKey(std::string_view key) {
  const bool bare = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
  return bare ? std::string(key) : Quote(key);
}

std::size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) {
    row[j] = j;
  }
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

/// " (did you mean server.listen?)" when a known name is within two edits of `name`, else "".
std::string Suggestion(std::string_view name, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = 3;
  for (const std::string& candidate : candidates) {
    const std::size_t distance = EditDistance(Lower(name), candidate);
    if (distance < best_distance) {
      best_distance = distance;
      best = candidate;
    }
  }
  return best.empty() ? std::string() : " (did you mean " + best + "?)";
}

std::vector<std::string> SettingPaths() {
  std::vector<std::string> paths;
  for (const SettingDef& def : detail::Registry()) {
    paths.push_back(def.path);
  }
  return paths;
}

std::string TypeName(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a floating-point number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::none:
      return "nothing";
  }
  return "an unknown type";
}

RawValue ToRaw(const toml::node& node) {
  RawValue raw;
  if (const auto* text = node.as_string()) {
    raw.kind = RawValue::Kind::kString;
    raw.string = text->get();
  } else if (const auto* integer = node.as_integer()) {
    raw.kind = RawValue::Kind::kInteger;
    raw.integer = integer->get();
  } else if (const auto* boolean = node.as_boolean()) {
    raw.kind = RawValue::Kind::kBoolean;
    raw.boolean = boolean->get();
  } else {
    raw.kind = RawValue::Kind::kOther;
    raw.type_name = TypeName(node);
  }
  return raw;
}

/// Walks a parsed document against the registry, storing values and recording every problem.
class TomlApplier {
 public:
  TomlApplier(std::string_view source_name, Config& config, std::vector<Error>& errors)
      : source_name_(source_name), config_(config), errors_(errors) {}

  void Apply(const toml::table& root) {
    const std::vector<std::string> sections = ListSections();
    for (auto&& [key, node] : root) {
      const std::string name(key.str());
      const std::string path = PathKey(name);
      if (std::find(sections.begin(), sections.end(), name) == sections.end()) {
        if (detail::LooksLikeSecret(name)) {
          Report(path, SecretInFileMessage(""), node);
        } else {
          Report(path, std::string(node.is_table() ? "unknown section" : "unknown key") + Suggestion(name, sections),
                 node);
        }
        continue;
      }
      const toml::table* table = node.as_table();
      if (table == nullptr) {
        Report(path, "must be a table ([" + name + "]), was " + TypeName(node), node);
        continue;
      }
      ApplySection(name, *table);
    }
    // toml++ tables are ordered by key; people read problems in file order.
    std::stable_sort(found_.begin(), found_.end(), [](const Found& a, const Found& b) {
      return std::tie(a.line, a.column) < std::tie(b.line, b.column);
    });
    for (Found& item : found_) {
      errors_.push_back(std::move(item.error));
    }
  }

 private:
  void ApplySection(const std::string& section, const toml::table& table) {
    for (auto&& [key, node] : table) {
      const std::string name(key.str());
      const std::string path = section + "." + PathKey(name);
      const SettingDef* def = detail::FindSetting(section + "." + name);
      if (def == nullptr) {
        if (detail::LooksLikeSecret(name)) {
          Report(path, SecretInFileMessage(""), node);
        } else {
          const std::string what = node.is_table() ? "unknown table" : "unknown key";
          Report(path, what + Suggestion(section + "." + name, SettingPaths()), node);
        }
        continue;
      }
      if (def->secret) {
        Report(path, SecretInFileMessage(EnvironmentVariableFor(def->path)), node);
        continue;
      }
      if (auto problem = def->assign(config_, ToRaw(node))) {
        Report(path, *problem, node);
      }
    }
  }

  static std::string SecretInFileMessage(const std::string& env_var) {
    std::string message = "is a secret and must not be in the config file; secrets are read only from the environment";
    if (!env_var.empty()) {
      message += " (set " + env_var + ")";
    }
    return message;
  }

  struct Found {
    std::uint32_t line;
    std::uint32_t column;
    Error error;
  };

  void Report(const std::string& path, const std::string& message, const toml::node& node) {
    const auto& begin = node.source().begin;
    found_.push_back(
        Found{begin.line, begin.column,
              Error::InvalidArgument(message + " (at " + std::string(source_name_) + ":" + std::to_string(begin.line) +
                                         ":" + std::to_string(begin.column) + ")",
                                     path)});
  }

  std::string_view source_name_;
  Config& config_;
  std::vector<Error>& errors_;
  std::vector<Found> found_;
};

void ApplyTomlText(std::string_view text, std::string_view source_name, Config& config, std::vector<Error>& errors) {
  toml::table root;
  try {
    root = toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    const auto& begin = e.source().begin;
    errors.push_back(Error::InvalidArgument(std::string(source_name) + ":" + std::to_string(begin.line) + ":" +
                                            std::to_string(begin.column) +
                                            ": TOML syntax error: " + std::string(e.description())));
    return;
  }
  TomlApplier(source_name, config, errors).Apply(root);
}

/// Stores a text value (from the environment or a flag) into its setting; `origin` ends each message.
void ApplyText(const std::string& path, const std::string& value, const std::string& origin, bool allow_secret,
               Config& config, std::vector<Error>& errors) {
  const SettingDef* def = detail::FindSetting(path);
  if (def == nullptr) {
    errors.push_back(
        Error::InvalidArgument("unknown setting" + Suggestion(path, SettingPaths()) + " (" + origin + ")", path));
    return;
  }
  if (def->secret && !allow_secret) {
    errors.push_back(Error::InvalidArgument(
        "is a secret and is read only from the environment (set " + EnvironmentVariableFor(path) + "); " + origin,
        path));
    return;
  }
  RawValue raw;
  raw.kind = RawValue::Kind::kText;
  raw.string = value;
  if (auto problem = def->assign(config, raw)) {
    errors.push_back(Error::InvalidArgument(*problem + " (" + origin + ")", path));
  }
}

}  // namespace

Result<HostPort> ParseHostPort(std::string_view text) {
  const auto malformed = [&] {
    return Error::InvalidArgument("must be HOST:PORT (e.g. 127.0.0.1:8080 or [::1]:8080), was " + Quote(text));
  };
  HostPort out;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return malformed();
    }
    const std::string_view host = text.substr(1, close - 1);
    const bool ipv6_chars =
        !host.empty() && host.find(':') != std::string_view::npos && std::all_of(host.begin(), host.end(), [](char c) {
          return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.';
        });
    if (!ipv6_chars) {
      return malformed();
    }
    out.host = std::string(host);
    port_text = text.substr(close + 2);
  } else {
    const std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      return malformed();
    }
    const std::string_view host = text.substr(0, colon);
    if (host.find(':') != std::string_view::npos) {
      return Error::InvalidArgument("an IPv6 host needs brackets, e.g. [::1]:8080; was " + Quote(text));
    }
    const bool name_chars =
        !host.empty() && host.size() <= 253 && host.front() != '-' && host.front() != '.' &&
        std::all_of(host.begin(), host.end(), [](char c) {
          return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
        });
    if (!name_chars) {
      return malformed();
    }
    out.host = std::string(host);
    port_text = text.substr(colon + 1);
  }
  const bool digits = !port_text.empty() &&
                      std::all_of(port_text.begin(), port_text.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!digits) {
    return malformed();
  }
  std::uint64_t port = 0;
  const auto result = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (result.ec != std::errc() || port > 65535) {
    return Error::InvalidArgument("port must be between 0 and 65535, was " + std::string(port_text));
  }
  out.port = static_cast<std::uint16_t>(port);
  return out;
}

LoadedConfig ParseConfigText(std::string_view toml_text, std::string_view source_name) {
  LoadedConfig out;
  ApplyTomlText(toml_text, source_name, out.config, out.errors);
  return out;
}

void ApplyEnvironment(const std::vector<std::pair<std::string, std::string>>& environment, Config& config,
                      std::vector<Error>& errors) {
  std::vector<std::pair<std::string, std::string>> sorted = environment;
  std::sort(sorted.begin(), sorted.end());
  for (const auto& [name, value] : sorted) {
    if (name.size() <= kEnvPrefix.size() || name.compare(0, kEnvPrefix.size(), kEnvPrefix) != 0) {
      continue;
    }
    std::string rest = Lower(std::string_view(name).substr(kEnvPrefix.size()));
    const std::size_t separator = rest.find("__");
    if (separator == std::string::npos) {
      continue;  // not a setting, e.g. TRADEDESK_DATA_DIR of the test suite
    }
    std::string path;
    for (std::size_t i = 0; i < rest.size(); ++i) {
      if (rest[i] == '_' && i + 1 < rest.size() && rest[i + 1] == '_') {
        path += '.';
        ++i;
      } else {
        path += rest[i];
      }
    }
    ApplyText(path, value, "from environment variable " + name, /*allow_secret=*/true, config, errors);
  }
}

void ApplyOverrides(const std::vector<Override>& overrides, Config& config, std::vector<Error>& errors) {
  for (const Override& item : overrides) {
    ApplyText(item.path, item.value, "from " + item.source, /*allow_secret=*/false, config, errors);
  }
}

LoadedConfig LoadConfig(const LoadRequest& request) {
  LoadedConfig out;
  if (request.file.has_value()) {
    const std::filesystem::path& path = *request.file;
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
      out.errors.push_back(Error::NotFound("config file " + path.string() + " does not exist"));
    } else if (std::filesystem::is_directory(path, ec)) {
      out.errors.push_back(Error::InvalidArgument("config file " + path.string() + " is a directory"));
    } else {
      std::ifstream in(path, std::ios::binary);
      std::ostringstream text;
      text << in.rdbuf();
      if (!in.good() && !in.eof()) {
        out.errors.push_back(Error::Io("cannot read config file " + path.string()));
      } else {
        ApplyTomlText(text.str(), path.string(), out.config, out.errors);
      }
    }
  }
  ApplyEnvironment(request.environment, out.config, out.errors);
  ApplyOverrides(request.overrides, out.config, out.errors);
  return out;
}

std::vector<std::pair<std::string, std::string>> ProcessEnvironment() {
  std::vector<std::pair<std::string, std::string>> out;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const std::size_t equals = text.find('=');
    if (equals == std::string_view::npos || text.compare(0, kEnvPrefix.size(), kEnvPrefix) != 0) {
      continue;
    }
    out.emplace_back(std::string(text.substr(0, equals)), std::string(text.substr(equals + 1)));
  }
  return out;
}

std::string EnvironmentVariableFor(std::string_view path) {
  std::string out(kEnvPrefix);
  for (char c : Upper(path)) {
    if (c == '.') {
      out += "__";
    } else {
      out += c;
    }
  }
  return out;
}

std::string FormatConfigError(const Error& error) {
  if (error.field.empty()) {
    return error.message;
  }
  return error.field + ": " + error.message;
}

std::string RenderToml(const Config& config) {
  std::ostringstream out;
  std::string section;
  for (const SettingDef& def : detail::Registry()) {
    const std::size_t dot = def.path.find('.');
    const std::string this_section = def.path.substr(0, dot);
    if (this_section != section) {
      out << (section.empty() ? "" : "\n") << '[' << this_section << "]\n";
      section = this_section;
    }
    const std::string key = def.path.substr(dot + 1);
    if (def.secret) {
      const bool set = def.render(config) != "\"\"";  // secrets are strings; "" means not set
      out << "# " << key << ": secret, " << (set ? "set" : "not set")
          << " (environment only: " << EnvironmentVariableFor(def.path) << ")\n";
      continue;
    }
    out << key << " = " << def.render(config) << '\n';
  }
  return out.str();
}

LogOptions ToLogOptions(const LogConfig& log) {
  LogOptions options;
  options.level = log.level;
  options.format = log.format;
  options.file = log.file;
  return options;
}

}  // namespace td::config
