// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace td::config {

/// The TOML type a setting takes.
enum class SettingType : std::uint8_t { kString, kInteger, kBoolean };

/// Returns "string", "integer" or "boolean".
std::string_view SettingTypeName(SettingType type);

/// What the registry knows about one setting: enough to document it and to find it from the environment.
struct SettingInfo {
  std::string path;  // "server.listen"
  SettingType type = SettingType::kString;
  std::string default_value;  // as a TOML literal, taken from a default-constructed Config
  std::string allowed;        // the accepted values, in words ("1024..67108864", "HOST:PORT")
  std::string description;
  std::string env_var;  // "TRADEDESK_SERVER__LISTEN"
  bool secret = false;  // environment only; never in a file, never printed
};

/// Every setting, in documentation order (grouped by section).
std::vector<SettingInfo> ListSettings();

/// The sections (top-level tables) that exist, in documentation order.
std::vector<std::string> ListSections();

/// A plain-text table of every setting with its default, for `tradedesk config defaults`.
std::string RenderDefaultsText();

/// The Markdown reference committed as docs/configuration.md (regenerate with `tradedesk config docs`).
std::string RenderConfigurationMarkdown();

}  // namespace td::config
