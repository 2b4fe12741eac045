// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

namespace td::api {

enum class LogLevel : std::uint8_t { kInfo, kWarn, kError };

/// Receives the API module's log lines (one JSON object per line by default).
using LogSink = std::function<void(LogLevel level, std::string_view json_line)>;

/// Replaces the sink (tests capture lines; the app may route them to its logger). Empty restores stderr.
void SetLogSink(LogSink sink);

/// Logs one structured line: {"level":..,"msg":..,"request_id":..}. Thread-safe.
void Log(LogLevel level, std::string_view message, std::string_view request_id = {});

}  // namespace td::api
