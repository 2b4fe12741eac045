// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "config/settings.hpp"

namespace td::config::detail {

/// A value as it arrived: typed from TOML, or text from the environment or a flag (converted on assign).
struct RawValue {
  enum class Kind : std::uint8_t { kText, kString, kInteger, kBoolean, kOther };
  Kind kind = Kind::kText;
  std::string string;  // kText and kString
  std::int64_t integer = 0;
  bool boolean = false;
  std::string type_name;  // kOther: "a float", "an array", "a table", ...
};

/// One setting of the registry: its documentation and how to read and write it in a Config.
struct SettingDef {
  std::string path;
  SettingType type = SettingType::kString;
  std::string allowed;
  std::string description;
  bool secret = false;
  /// The current value as a TOML literal.
  std::function<std::string(const Config&)> render;
  /// Stores `raw` into the config; returns the problem (without the path) when the value is unacceptable.
  std::function<std::optional<std::string>(Config&, const RawValue&)> assign;
};

/// The registry, in documentation order.
const std::vector<SettingDef>& Registry();
/// The setting named `path`, or nullptr.
const SettingDef* FindSetting(std::string_view path);
/// True when a key's name says it holds a secret (password, token, api_key, pepper, ...).
bool LooksLikeSecret(std::string_view key);

}  // namespace td::config::detail
