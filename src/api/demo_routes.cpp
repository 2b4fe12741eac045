// SPDX-License-Identifier: MIT
#include "api/demo_routes.hpp"

#include "api/json_writer.hpp"
#include "core/check.hpp"
#include "core/clock.hpp"

namespace td::api {

HeartbeatTicker::HeartbeatTicker(std::shared_ptr<Broadcaster> broadcaster, std::chrono::milliseconds interval)
    : broadcaster_(std::move(broadcaster)), interval_(interval) {
  TD_CHECK(broadcaster_ != nullptr && interval_.count() > 0) << "heartbeat needs a broadcaster and an interval";
  thread_ = std::thread([this] { Run(); });
}

HeartbeatTicker::~HeartbeatTicker() {
  Stop();
}

void HeartbeatTicker::Stop() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
}

void HeartbeatTicker::Run() {
  LiveClock clock;
  std::uint64_t seq = 0;
  std::unique_lock lock(mutex_);
  while (!cv_.wait_for(lock, interval_, [this] { return stop_; })) {
    JsonWriter w(64);
    w.BeginObject().Key("seq").Uint(++seq).Key("time").String(clock.Now().ToIso8601()).EndObject();
    broadcaster_->Publish("heartbeat", w.Take());
  }
}

void RegisterDemoRoutes(Router& router, std::shared_ptr<Broadcaster> heartbeat) {
  WebSocketHandler echo;
  echo.on_message = [](const std::shared_ptr<StreamClient>& client, std::string_view message) {
    client->SendText(std::string(message));
  };
  RouteDoc echo_doc = MakeDoc("WebSocket echo: every text message is sent back", "echoWebSocket", {"demo"});
  echo_doc.hidden = true;
  router.AddWebSocket("/api/v1/echo/ws", std::move(echo), std::move(echo_doc));

  RouteDoc sse_doc =
      MakeDoc("Server-sent heartbeat events; reconnect with Last-Event-ID to resume", "streamHeartbeat", {"demo"});
  sse_doc.hidden = true;
  router.AddSse(
      "/stream/heartbeat",
      [heartbeat = std::move(heartbeat)](const Request&, const std::shared_ptr<StreamClient>& client) -> Status {
        heartbeat->Subscribe(client, client->last_event_number());
        return {};
      },
      std::move(sse_doc));
}

}  // namespace td::api
