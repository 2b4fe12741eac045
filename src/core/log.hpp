// SPDX-License-Identifier: MIT
#pragma once

#include <concepts>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

#include "core/result.hpp"
#include "core/time.hpp"

namespace td {

/// Severity of a log record, lowest first; kOff as a threshold silences everything.
enum class LogLevel : std::uint8_t { kTrace, kDebug, kInfo, kWarn, kError, kCritical, kOff };

/// How records are written. kAuto means text with colours on a terminal, JSON lines otherwise.
enum class LogFormat : std::uint8_t { kAuto, kJson, kText };

/// Returns "trace", "debug", "info", "warn", "error", "critical" or "off".
std::string_view LogLevelName(LogLevel level);
/// Parses a level name (case-insensitive; "warning" is accepted for "warn").
Result<LogLevel> ParseLogLevel(std::string_view text);
/// Returns "auto", "json" or "text".
std::string_view LogFormatName(LogFormat format);
/// Parses "auto", "json" or "text" (case-insensitive).
Result<LogFormat> ParseLogFormat(std::string_view text);

/// One extra key/value on a log record. Strings are borrowed: a field lives only for the logging call.
struct LogField {
  using Value = std::variant<std::string_view, std::int64_t, std::uint64_t, double, bool>;

  std::string_view key;
  Value value;

  LogField(std::string_view k, const char* v) : key(k), value(std::string_view(v)) {}
  LogField(std::string_view k, std::string_view v) : key(k), value(v) {}
  LogField(std::string_view k, const std::string& v) : key(k), value(std::string_view(v)) {}
  LogField(std::string_view k, bool v) : key(k), value(v) {}
  template <std::floating_point T>
  LogField(std::string_view k, T v) : key(k), value(static_cast<double>(v)) {}
  template <std::integral T>
  requires(!std::same_as<T, bool> && !std::same_as<T, char>) LogField(std::string_view k, T v)
      : key(k), value(ToInteger(v)) {}

 private:
  template <typename T>
  static Value ToInteger(T v) {
    if constexpr (std::is_signed_v<T>) {
      return static_cast<std::int64_t>(v);
    } else {
      return static_cast<std::uint64_t>(v);
    }
  }
};

/// Where and how the process logs. Set once at start from the `[log]` config section.
struct LogOptions {
  LogLevel level = LogLevel::kInfo;
  LogFormat format = LogFormat::kAuto;
  std::filesystem::path file;  // empty: stderr; otherwise appended to (created if missing)
};

/// Points all loggers at a new destination and level. Installs the TD_CHECK hook that writes the failure
/// as a critical record and flushes. Fails when the log file cannot be opened. Safe to call again.
Status InitLogging(const LogOptions& options);
/// Flushes every destination (call before exit; TD_CHECK failures do it themselves).
void FlushLogs();
/// Changes the threshold at run time.
void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();

/// The request id of the calling thread ("" when none), as set by the innermost RequestIdScope.
std::string_view CurrentRequestId();

/// Tags every record the current thread logs with `request_id` until the scope ends; scopes nest.
class RequestIdScope {
 public:
  explicit RequestIdScope(std::string request_id);
  RequestIdScope(const RequestIdScope&) = delete;
  RequestIdScope& operator=(const RequestIdScope&) = delete;
  ~RequestIdScope();

 private:
  std::string previous_;
};

/// A named source of log records (one per component: "data", "api", ...). Cheap to copy; all loggers
/// share the destination set by InitLogging, so a Logger may be created before logging is configured.
class Logger {
 public:
  explicit Logger(std::string component) : component_(std::move(component)) {}

  const std::string& component() const { return component_; }
  /// True when records of `level` pass the current threshold (use it to skip costly formatting).
  bool Enabled(LogLevel level) const;

  void Log(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields = {}) const;
  void Trace(std::string_view msg, std::initializer_list<LogField> fields = {}) const {
    Log(LogLevel::kTrace, msg, fields);
  }
  void Debug(std::string_view msg, std::initializer_list<LogField> fields = {}) const {
    Log(LogLevel::kDebug, msg, fields);
  }
  void Info(std::string_view msg, std::initializer_list<LogField> fields = {}) const {
    Log(LogLevel::kInfo, msg, fields);
  }
  void Warn(std::string_view msg, std::initializer_list<LogField> fields = {}) const {
    Log(LogLevel::kWarn, msg, fields);
  }
  void Error(std::string_view msg, std::initializer_list<LogField> fields = {}) const {
    Log(LogLevel::kError, msg, fields);
  }
  void Critical(std::string_view msg, std::initializer_list<LogField> fields = {}) const {
    Log(LogLevel::kCritical, msg, fields);
  }

 private:
  std::string component_;
};

/// Everything one log line says; the formatter's input.
struct LogRecord {
  UnixNanos ts;
  LogLevel level = LogLevel::kInfo;
  std::string_view component;
  std::string_view msg;
  std::string_view request_id;
  std::span<const LogField> fields;
};

/// Appends one line (with '\n') for `record`: a JSON object when `format` is kJson, else readable text,
/// with ANSI colours when `color`. Field values whose key names a secret (password, token, api_key,
/// secret, pepper, authorization) are written as "[redacted]". Invalid UTF-8 becomes U+FFFD.
void AppendLogLine(std::string& out, const LogRecord& record, LogFormat format, bool color);

/// Appends `text` as a JSON string literal (with quotes): escapes quotes, backslashes and control
/// characters, passes valid UTF-8 through and replaces invalid bytes with U+FFFD.
void AppendJsonString(std::string& out, std::string_view text);

}  // namespace td
