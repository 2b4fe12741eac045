// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "api/router.hpp"
#include "api/stream.hpp"

namespace td::api {

/// Publishes a "heartbeat" event ({"seq":n,"time":"..."}) on a Broadcaster every interval, from its own
/// thread, until stopped. Drives the demo SSE stream.
class HeartbeatTicker {
 public:
  HeartbeatTicker(std::shared_ptr<Broadcaster> broadcaster, std::chrono::milliseconds interval);
  ~HeartbeatTicker();
  HeartbeatTicker(const HeartbeatTicker&) = delete;
  HeartbeatTicker& operator=(const HeartbeatTicker&) = delete;

  void Stop();

 private:
  void Run();

  std::shared_ptr<Broadcaster> broadcaster_;
  std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

/// Registers the demo streams: GET /api/v1/echo/ws (WebSocket that echoes text messages) and
/// GET /stream/heartbeat (SSE fed by `heartbeat`, resuming from Last-Event-ID).
void RegisterDemoRoutes(Router& router, std::shared_ptr<Broadcaster> heartbeat);

}  // namespace td::api
