// SPDX-License-Identifier: MIT
#include "api/log.hpp"

#include <mutex>
#include <string>

#include "api/json_writer.hpp"
#include "core/log.hpp"

namespace td::api {
namespace {

std::mutex& SinkMutex() {
  static std::mutex mutex;
  return mutex;
}

LogSink& Sink() {
  static LogSink sink;
  return sink;
}

std::string_view LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

}  // namespace

void SetLogSink(LogSink sink) {
  std::lock_guard lock(SinkMutex());
  Sink() = std::move(sink);
}

void Log(LogLevel level, std::string_view message, std::string_view request_id) {
  JsonWriter writer(128 + message.size());
  writer.BeginObject().Key("level").String(LevelName(level)).Key("module").String("api");
  writer.Key("msg").String(message);
  if (!request_id.empty()) {
    writer.Key("request_id").String(request_id);
  }
  writer.EndObject();
  const std::string line = writer.Take();
  std::lock_guard lock(SinkMutex());
  if (Sink()) {
    Sink()(level, line);
    return;
  }
  // Without a test sink the lines join the process log (JSON lines with timestamp and component).
  static const td::Logger logger("api");
  const td::LogLevel core_level = level == LogLevel::kError  ? td::LogLevel::kError
                                  : level == LogLevel::kWarn ? td::LogLevel::kWarn
                                                             : td::LogLevel::kInfo;
  if (request_id.empty()) {
    logger.Log(core_level, message);
  } else {
    logger.Log(core_level, message, {{"request_id", request_id}});
  }
}

}  // namespace td::api
