// SPDX-License-Identifier: MIT
#include "api/json_writer.hpp"

#include <charconv>
#include <cmath>
#include <system_error>

#include "core/check.hpp"

namespace td::api {
namespace {

constexpr char kHex[] = "0123456789abcdef";

void AppendEscapedByte(std::string& out, unsigned char c) {
  out += "\\u00";
  out += kHex[c >> 4];
  out += kHex[c & 0x0f];
}

/// Length of the valid UTF-8 sequence starting at text[i], or 0 when it is malformed.
std::size_t Utf8SequenceLength(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  std::size_t length = 0;
  std::uint32_t min = 0;
  std::uint32_t code = 0;
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
    min = 0x80;
    code = lead & 0x1fu;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    min = 0x800;
    code = lead & 0x0fu;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    min = 0x10000;
    code = lead & 0x07u;
  } else {
    return 0;
  }
  if (i + length > text.size()) {
    return 0;
  }
  for (std::size_t k = 1; k < length; ++k) {
    const unsigned char c = byte(i + k);
    if ((c & 0xc0) != 0x80) {
      return 0;
    }
    code = (code << 6) | (c & 0x3fu);
  }
  if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
    return 0;
  }
  return length;
}

}  // namespace

void AppendJsonString(std::string& out, std::string_view text) {
  out += '"';
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      switch (c) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        case '\b':
          out += "\\b";
          break;
        case '\f':
          out += "\\f";
          break;
        default:
          if (c < 0x20) {
            AppendEscapedByte(out, c);
          } else {
            out += static_cast<char>(c);
          }
      }
      ++i;
      continue;
    }
    const std::size_t length = Utf8SequenceLength(text, i);
    if (length == 0) {
      out += "\\ufffd";
      ++i;
      continue;
    }
    // U+2028 and U+2029 are valid JSON but end a line in JavaScript source.
    if (length == 3 && c == 0xe2 && static_cast<unsigned char>(text[i + 1]) == 0x80 &&
        (static_cast<unsigned char>(text[i + 2]) == 0xa8 || static_cast<unsigned char>(text[i + 2]) == 0xa9)) {
      out += static_cast<unsigned char>(text[i + 2]) == 0xa8 ? "\\u2028" : "\\u2029";
    } else {
      out.append(text.substr(i, length));
    }
    i += length;
  }
  out += '"';
}

void AppendJsonDouble(std::string& out, double value) {
  if (!std::isfinite(value)) {
    out += "null";
    return;
  }
  char buffer[32];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  TD_CHECK(ec == std::errc()) << "to_chars failed";
  out.append(buffer, end);
}

void JsonWriter::BeforeValue() {
  if (stack_.empty()) {
    TD_CHECK(!wrote_top_level_) << "JSON writer: a second top-level value";
    wrote_top_level_ = true;
    return;
  }
  Level& level = stack_.back();
  if (level.kind == '{') {
    TD_CHECK(after_key_) << "JSON writer: object value without a key";
    after_key_ = false;
    return;
  }
  if (!level.first) {
    out_ += ',';
  }
  level.first = false;
}

JsonWriter& JsonWriter::BeginObject() {
  BeforeValue();
  out_ += '{';
  stack_.push_back({'{', true});
  return *this;
}

JsonWriter& JsonWriter::EndObject() {
  TD_CHECK(!stack_.empty() && stack_.back().kind == '{' && !after_key_) << "JSON writer: unbalanced object";
  stack_.pop_back();
  out_ += '}';
  return *this;
}

JsonWriter& JsonWriter::BeginArray() {
  BeforeValue();
  out_ += '[';
  stack_.push_back({'[', true});
  return *this;
}

JsonWriter& JsonWriter::EndArray() {
  TD_CHECK(!stack_.empty() && stack_.back().kind == '[') << "JSON writer: unbalanced array";
  stack_.pop_back();
  out_ += ']';
  return *this;
}

JsonWriter& JsonWriter::Key(std::string_view key) {
  TD_CHECK(!stack_.empty() && stack_.back().kind == '{' && !after_key_) << "JSON writer: key outside an object";
  Level& level = stack_.back();
  if (!level.first) {
    out_ += ',';
  }
  level.first = false;
  AppendJsonString(out_, key);
  out_ += ':';
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::String(std::string_view value) {
  BeforeValue();
  AppendJsonString(out_, value);
  return *this;
}

JsonWriter& JsonWriter::Int(std::int64_t value) {
  BeforeValue();
  char buffer[24];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  TD_CHECK(ec == std::errc());
  out_.append(buffer, end);
  return *this;
}

JsonWriter& JsonWriter::Uint(std::uint64_t value) {
  BeforeValue();
  char buffer[24];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  TD_CHECK(ec == std::errc());
  out_.append(buffer, end);
  return *this;
}

JsonWriter& JsonWriter::Double(double value) {
  BeforeValue();
  AppendJsonDouble(out_, value);
  return *this;
}

JsonWriter& JsonWriter::Bool(bool value) {
  BeforeValue();
  out_ += value ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::Null() {
  BeforeValue();
  out_ += "null";
  return *this;
}

JsonWriter& JsonWriter::StringOrNull(std::string_view value) {
  return value.empty() ? Null() : String(value);
}

JsonWriter& JsonWriter::PriceValue(Price value) {
  BeforeValue();
  out_ += value.ToString();
  return *this;
}

JsonWriter& JsonWriter::QuantityValue(Quantity value) {
  BeforeValue();
  out_ += value.ToString();
  return *this;
}

JsonWriter& JsonWriter::Raw(std::string_view json) {
  TD_CHECK(!json.empty()) << "JSON writer: empty raw value";
  BeforeValue();
  out_.append(json);
  return *this;
}

std::string JsonWriter::Take() {
  TD_CHECK(stack_.empty() && !after_key_) << "JSON writer: unclosed containers";
  std::string text = std::move(out_);
  out_.clear();
  wrote_top_level_ = false;
  return text;
}

}  // namespace td::api
