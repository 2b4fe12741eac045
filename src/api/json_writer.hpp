// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/fixed_point.hpp"

namespace td::api {

/// Appends `text` as a quoted JSON string: control characters, quotes and backslashes escaped, invalid
/// UTF-8 replaced by U+FFFD, U+2028/U+2029 escaped so the output is also safe inside JavaScript.
void AppendJsonString(std::string& out, std::string_view text);

/// Appends a double as the shortest text that round-trips (std::to_chars); NaN and infinity become null.
void AppendJsonDouble(std::string& out, double value);

/// Writes compact JSON into a string. Boost.JSON 1.81 prints doubles as `1.5E0`, so responses use this.
/// Misuse (a value where a key is due, unbalanced containers) is a bug and aborts.
class JsonWriter {
 public:
  JsonWriter() = default;
  explicit JsonWriter(std::size_t reserve) { out_.reserve(reserve); }

  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  /// Writes an object key; the next call must write its value.
  JsonWriter& Key(std::string_view key);

  JsonWriter& String(std::string_view value);
  JsonWriter& Int(std::int64_t value);
  JsonWriter& Uint(std::uint64_t value);
  JsonWriter& Double(double value);
  JsonWriter& Bool(bool value);
  JsonWriter& Null();
  /// Writes a string, or null when `value` is empty (for optional text such as an error's field).
  JsonWriter& StringOrNull(std::string_view value);
  /// Writes a price as a JSON number at its own precision ("24000.50").
  JsonWriter& PriceValue(Price value);
  /// Writes a quantity as a JSON number at its own precision.
  JsonWriter& QuantityValue(Quantity value);
  /// Inserts an already serialised JSON value verbatim (e.g. a schema validated at registration).
  JsonWriter& Raw(std::string_view json);

  /// True when exactly one complete top-level value has been written.
  bool complete() const { return stack_.empty() && wrote_top_level_; }
  const std::string& str() const { return out_; }
  /// Returns the text and leaves the writer empty; aborts if containers are still open.
  std::string Take();

 private:
  struct Level {
    char kind;  // '{' or '['
    bool first;
  };
  void BeforeValue();

  std::string out_;
  std::vector<Level> stack_;
  bool after_key_ = false;
  bool wrote_top_level_ = false;
};

}  // namespace td::api
