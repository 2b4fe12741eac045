// SPDX-License-Identifier: MIT
#include "core/log.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <vector>

#include <spdlog/details/log_msg.h>
#include <spdlog/formatter.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace td {
namespace {

constexpr std::string_view kReplacementChar = "\xEF\xBF\xBD";  // U+FFFD in UTF-8

// Per-thread state: the request id of the innermost scope, the record being written by Logger::Log
// (sinks format synchronously on the calling thread, so the formatter can read it), and a re-entrancy flag.
thread_local std::string t_request_id;
thread_local const LogRecord* t_record = nullptr;
thread_local bool t_in_log = false;

std::atomic<LogLevel> g_level{LogLevel::kInfo};

/// The destinations records go to, and how they are rendered. Replaced as a whole by InitLogging.
struct Destination {
  std::vector<spdlog::sink_ptr> sinks;
};

std::atomic<std::shared_ptr<Destination>>& CurrentDestination() {
  static std::atomic<std::shared_ptr<Destination>> destination;
  return destination;
}

spdlog::level::level_enum ToSpdlog(LogLevel level) {
  switch (level) {
    case LogLevel::kTrace:
      return spdlog::level::trace;
    case LogLevel::kDebug:
      return spdlog::level::debug;
    case LogLevel::kInfo:
      return spdlog::level::info;
    case LogLevel::kWarn:
      return spdlog::level::warn;
    case LogLevel::kError:
      return spdlog::level::err;
    case LogLevel::kCritical:
      return spdlog::level::critical;
    case LogLevel::kOff:
      return spdlog::level::off;
  }
  return spdlog::level::info;
}

LogLevel FromSpdlog(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
      return LogLevel::kTrace;
    case spdlog::level::debug:
      return LogLevel::kDebug;
    case spdlog::level::info:
      return LogLevel::kInfo;
    case spdlog::level::warn:
      return LogLevel::kWarn;
    case spdlog::level::err:
      return LogLevel::kError;
    case spdlog::level::critical:
      return LogLevel::kCritical;
    default:
      return LogLevel::kOff;
  }
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return out;
}

/// Length of the valid UTF-8 sequence starting at text[i] (1..4), or 0 when the bytes there are not one:
/// overlong forms, surrogates and code points above U+10FFFF are invalid.
std::size_t Utf8SequenceLength(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  if (lead < 0x80) {
    return 1;
  }
  std::size_t length = 0;
  std::uint32_t min_code = 0;
  std::uint32_t code = 0;
  if ((lead & 0xE0) == 0xC0) {
    length = 2, min_code = 0x80, code = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, min_code = 0x800, code = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, min_code = 0x10000, code = lead & 0x07;
  } else {
    return 0;
  }
  if (i + length > text.size()) {
    return 0;
  }
  for (std::size_t k = 1; k < length; ++k) {
    const unsigned char next = byte(i + k);
    if ((next & 0xC0) != 0x80) {
      return 0;
    }
    code = (code << 6) | (next & 0x3F);
  }
  if (code < min_code || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
    return 0;
  }
  return length;
}

/// Appends `text` with control characters escaped JSON-style and invalid UTF-8 replaced; no quotes.
void AppendEscaped(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      const std::size_t length = Utf8SequenceLength(text, i);
      if (length == 0) {
        out += kReplacementChar;
        ++i;
      } else {
        out.append(text.substr(i, length));
        i += length;
      }
      continue;
    }
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
        if (c < 0x20 || c == 0x7F) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xF];
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
}

bool IsSecretKey(std::string_view key) {
  static constexpr std::array<std::string_view, 8> kSecretWords = {"password", "passwd", "secret", "token",
                                                                   "api_key",  "apikey", "pepper", "authorization"};
  const std::string lower = Lower(key);
  for (std::string_view word : kSecretWords) {
    if (lower.find(word) != std::string::npos) {
      return true;
    }
  }
  return false;
}

bool IsReservedKey(std::string_view key) {
  return key == "ts" || key == "level" || key == "component" || key == "msg" || key == "request_id";
}

void AppendDouble(std::string& out, double value, bool json) {
  if (std::isnan(value)) {
    out += json ? "\"NaN\"" : "NaN";
    return;
  }
  if (std::isinf(value)) {
    out += value > 0 ? (json ? "\"Infinity\"" : "Infinity") : (json ? "\"-Infinity\"" : "-Infinity");
    return;
  }
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, result.ptr);
}

template <typename T>
void AppendInteger(std::string& out, T value) {
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, result.ptr);
}

/// True when a text-format value can be written bare (no spaces, quotes, '=' or control characters).
bool IsBareText(std::string_view text) {
  if (text.empty()) {
    return false;
  }
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c == '"' || c == '=' || c == '\\' || c == 0x7F) {
      return false;
    }
  }
  return true;
}

void AppendFieldValue(std::string& out, const LogField& field, bool json) {
  if (IsSecretKey(field.key)) {
    out += json ? "\"[redacted]\"" : "[redacted]";
    return;
  }
  std::visit(
      [&](const auto& value) {
        using T = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<T, std::string_view>) {
          if (json || !IsBareText(value)) {
            AppendJsonString(out, value);
          } else {
            AppendEscaped(out, value);
          }
        } else if constexpr (std::is_same_v<T, bool>) {
          out += value ? "true" : "false";
        } else if constexpr (std::is_same_v<T, double>) {
          AppendDouble(out, value, json);
        } else {
          AppendInteger(out, value);
        }
      },
      field.value);
}

std::string_view LevelColor(LogLevel level) {
  switch (level) {
    case LogLevel::kTrace:
      return "\x1b[90m";
    case LogLevel::kDebug:
      return "\x1b[36m";
    case LogLevel::kInfo:
      return "\x1b[32m";
    case LogLevel::kWarn:
      return "\x1b[33m";
    case LogLevel::kError:
      return "\x1b[31m";
    case LogLevel::kCritical:
      return "\x1b[1;31m";
    case LogLevel::kOff:
      return "";
  }
  return "";
}

void AppendJsonLine(std::string& out, const LogRecord& record) {
  out += "{\"ts\":\"";
  out += record.ts.ToIso8601();
  out += "\",\"level\":\"";
  out += LogLevelName(record.level);
  out += "\",\"component\":";
  AppendJsonString(out, record.component);
  out += ",\"msg\":";
  AppendJsonString(out, record.msg);
  if (!record.request_id.empty()) {
    out += ",\"request_id\":";
    AppendJsonString(out, record.request_id);
  }
  for (const LogField& field : record.fields) {
    out += ',';
    if (IsReservedKey(field.key)) {
      // A field may not shadow a standard key; it keeps its value under a prefixed name.
      AppendJsonString(out, "field." + std::string(field.key));
    } else {
      AppendJsonString(out, field.key);
    }
    out += ':';
    AppendFieldValue(out, field, /*json=*/true);
  }
  out += "}\n";
}

void AppendTextLine(std::string& out, const LogRecord& record, bool color) {
  constexpr std::string_view kReset = "\x1b[0m";
  constexpr std::string_view kDim = "\x1b[2m";
  if (color) {
    out += kDim;
  }
  out += record.ts.ToIso8601();
  if (color) {
    out += kReset;
  }
  out += ' ';
  if (color) {
    out += LevelColor(record.level);
  }
  std::string level(LogLevelName(record.level));
  for (char& c : level) {
    c = static_cast<char>(c - 'a' + 'A');
  }
  level.resize(std::max<std::size_t>(level.size(), 5), ' ');
  out += level;
  if (color) {
    out += kReset;
  }
  out += " [";
  AppendEscaped(out, record.component);
  out += "] ";
  AppendEscaped(out, record.msg);
  for (const LogField& field : record.fields) {
    out += ' ';
    if (color) {
      out += kDim;
    }
    AppendEscaped(out, field.key);
    out += '=';
    if (color) {
      out += kReset;
    }
    AppendFieldValue(out, field, /*json=*/false);
  }
  if (!record.request_id.empty()) {
    out += ' ';
    if (color) {
      out += kDim;
    }
    out += "request_id=";
    if (color) {
      out += kReset;
    }
    AppendEscaped(out, record.request_id);
  }
  out += '\n';
}

/// Renders spdlog messages in our format. Records from Logger::Log carry their fields through t_record;
/// plain spdlog calls (third-party code, spdlog::info) are rendered from the message alone.
class LineFormatter final : public spdlog::formatter {
 public:
  LineFormatter(LogFormat format, bool color) : format_(format), color_(color) {}

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    thread_local std::string line;
    line.clear();
    if (t_record != nullptr) {
      AppendLogLine(line, *t_record, format_, color_);
    } else {
      const auto since_epoch = msg.time.time_since_epoch();
      LogRecord record;
      record.ts = UnixNanos(std::chrono::duration_cast<std::chrono::nanoseconds>(since_epoch).count());
      record.level = FromSpdlog(msg.level);
      record.component = std::string_view(msg.logger_name.data(), msg.logger_name.size());
      record.msg = std::string_view(msg.payload.data(), msg.payload.size());
      record.request_id = t_request_id;
      AppendLogLine(line, record, format_, color_);
    }
    dest.append(line.data(), line.data() + line.size());
  }

  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<LineFormatter>(format_, color_); }

 private:
  LogFormat format_;
  bool color_;
};

bool StderrWantsColor() {
  if (::isatty(STDERR_FILENO) == 0) {
    return false;
  }
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && *no_color != '\0') {
    return false;
  }
  const char* term = std::getenv("TERM");
  return term == nullptr || std::string_view(term) != "dumb";
}

void WriteToDestination(const Destination& destination, const LogRecord& record, LogLevel level) {
  const spdlog::details::log_msg msg(
      spdlog::log_clock::time_point(
          std::chrono::duration_cast<spdlog::log_clock::duration>(std::chrono::nanoseconds(record.ts.nanos()))),
      spdlog::source_loc{}, spdlog::string_view_t(record.component.data(), record.component.size()), ToSpdlog(level),
      spdlog::string_view_t(record.msg.data(), record.msg.size()));
  t_record = &record;
  t_in_log = true;
  for (const auto& sink : destination.sinks) {
    sink->log(msg);
    if (level >= LogLevel::kWarn) {
      sink->flush();
    }
  }
  t_in_log = false;
  t_record = nullptr;
}

std::shared_ptr<Destination> MakeStderrDestination(LogFormat format) {
  const bool tty = StderrWantsColor();
  const LogFormat resolved = format == LogFormat::kAuto ? (tty ? LogFormat::kText : LogFormat::kJson) : format;
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  sink->set_formatter(std::make_unique<LineFormatter>(resolved, resolved == LogFormat::kText && tty));
  auto destination = std::make_shared<Destination>();
  destination->sinks.push_back(std::move(sink));
  return destination;
}

std::shared_ptr<Destination> LoadDestination() {
  auto& current = CurrentDestination();
  auto destination = current.load();
  if (destination == nullptr) {
    // Logging before InitLogging goes to stderr in the automatic format.
    auto fresh = MakeStderrDestination(LogFormat::kAuto);
    std::shared_ptr<Destination> expected;
    if (current.compare_exchange_strong(expected, fresh)) {
      return fresh;
    }
    return expected;
  }
  return destination;
}

void OnCheckFailure(std::string_view message) {
  if (t_in_log) {
    return;  // the failure happened while writing a record: the sink may be locked by this thread
  }
  Logger("check").Critical(message);
  FlushLogs();
}

}  // namespace

std::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kTrace:
      return "trace";
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
    case LogLevel::kCritical:
      return "critical";
    case LogLevel::kOff:
      return "off";
  }
  return "info";
}

Result<LogLevel> ParseLogLevel(std::string_view text) {
  const std::string lower = Lower(text);
  for (LogLevel level : {LogLevel::kTrace, LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn, LogLevel::kError,
                         LogLevel::kCritical, LogLevel::kOff}) {
    if (lower == LogLevelName(level)) {
      return level;
    }
  }
  if (lower == "warning") {
    return LogLevel::kWarn;
  }
  return Error::InvalidArgument("must be one of trace, debug, info, warn, error, critical, off; was \"" +
                                std::string(text) + "\"");
}

std::string_view LogFormatName(LogFormat format) {
  switch (format) {
    case LogFormat::kAuto:
      return "auto";
    case LogFormat::kJson:
      return "json";
    case LogFormat::kText:
      return "text";
  }
  return "auto";
}

Result<LogFormat> ParseLogFormat(std::string_view text) {
  const std::string lower = Lower(text);
  for (LogFormat format : {LogFormat::kAuto, LogFormat::kJson, LogFormat::kText}) {
    if (lower == LogFormatName(format)) {
      return format;
    }
  }
  return Error::InvalidArgument("must be one of auto, json, text; was \"" + std::string(text) + "\"");
}

void AppendJsonString(std::string& out, std::string_view text) {
  out += '"';
  AppendEscaped(out, text);
  out += '"';
}

void AppendLogLine(std::string& out, const LogRecord& record, LogFormat format, bool color) {
  if (format == LogFormat::kText) {
    AppendTextLine(out, record, color);
  } else {
    AppendJsonLine(out, record);
  }
}

Status InitLogging(const LogOptions& options) {
  std::shared_ptr<Destination> destination;
  if (options.file.empty()) {
    destination = MakeStderrDestination(options.format);
  } else {
    std::shared_ptr<spdlog::sinks::basic_file_sink_mt> sink;
    try {
      sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(options.file.string(), /*truncate=*/false);
    } catch (const spdlog::spdlog_ex& e) {
      return Error::Io("cannot open log file " + options.file.string() + ": " + e.what());
    }
    // A file is read by programs, so "auto" means JSON lines; colours never go to a file.
    const LogFormat resolved = options.format == LogFormat::kText ? LogFormat::kText : LogFormat::kJson;
    sink->set_formatter(std::make_unique<LineFormatter>(resolved, false));
    destination = std::make_shared<Destination>();
    destination->sinks.push_back(std::move(sink));
  }
  g_level.store(options.level, std::memory_order_relaxed);
  auto previous = CurrentDestination().exchange(destination);
  if (previous != nullptr) {
    for (const auto& sink : previous->sinks) {
      sink->flush();
    }
  }
  // Route plain spdlog calls through the same destination and format, under the name "tradedesk".
  auto default_logger =
      std::make_shared<spdlog::logger>("tradedesk", destination->sinks.begin(), destination->sinks.end());
  default_logger->set_level(ToSpdlog(options.level));
  default_logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(std::move(default_logger));
  SetCheckFailureHook(&OnCheckFailure);
  return {};
}

void FlushLogs() {
  const auto destination = CurrentDestination().load();
  if (destination == nullptr) {
    return;
  }
  for (const auto& sink : destination->sinks) {
    sink->flush();
  }
}

void SetLogLevel(LogLevel level) {
  g_level.store(level, std::memory_order_relaxed);
  spdlog::set_level(ToSpdlog(level));
}

LogLevel GetLogLevel() {
  return g_level.load(std::memory_order_relaxed);
}

std::string_view CurrentRequestId() {
  return t_request_id;
}

RequestIdScope::RequestIdScope(std::string request_id) : previous_(std::move(t_request_id)) {
  t_request_id = std::move(request_id);
}

RequestIdScope::~RequestIdScope() {
  t_request_id = std::move(previous_);
}

bool Logger::Enabled(LogLevel level) const {
  const LogLevel threshold = g_level.load(std::memory_order_relaxed);
  return level != LogLevel::kOff && threshold != LogLevel::kOff && level >= threshold;
}

void Logger::Log(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields) const {
  if (!Enabled(level)) {
    return;
  }
  const auto destination = LoadDestination();
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  LogRecord record;
  record.ts = UnixNanos(std::chrono::duration_cast<std::chrono::nanoseconds>(now).count());
  record.level = level;
  record.component = component_;
  record.msg = msg;
  record.request_id = t_request_id;
  record.fields = std::span<const LogField>(fields.begin(), fields.size());
  WriteToDestination(*destination, record, level);
}

}  // namespace td
