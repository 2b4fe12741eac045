// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "api/stream.hpp"
#include "core/time.hpp"
#include "plans/plan_events.hpp"
#include "plans/plan_store.hpp"
#include "system/live_stream_service.hpp"

namespace td::api {

class Router;
struct AuthContext;

struct StreamRouteOptions {
  std::size_t symbol_history = 512;  // events kept per symbol for Last-Event-ID resume
  std::size_t plan_history = 512;    // deltas kept per plan for ?after= resume
  std::size_t max_channels = 1024;   // symbols (and plans) kept; past it, those without clients are dropped
};

/// Fans the LiveStreamService's output out to clients: one Broadcaster per symbol (SSE, ids per symbol) and
/// one channel per plan (WebSocket, ids = the follower's delta seq). Thread-safe; the publisher thread calls
/// the Publish* methods through `Sinks()`, io threads subscribe clients.
class StreamHub {
 public:
  /// A view token for a plan a delta offers as the next one (empty: none can be minted). Called on the
  /// publisher thread for every such delta handed to PublishPlanDelta, outside the hub's locks.
  using NextPlanTokenFn = std::function<std::string(const std::string& next_plan_id)>;

  /// With `next_plan_tokens`, every plan_delta naming a next plan carries `changes.next_plan_vt`, so a viewer
  /// holding only the current plan's view token can load the next plan.
  explicit StreamHub(StreamRouteOptions options = {}, NextPlanTokenFn next_plan_tokens = {});

  /// The service callbacks bound to this hub (they keep it alive).
  static system::LiveStreamSinks Sinks(const std::shared_ptr<StreamHub>& hub);

  /// Adds an SSE client of `symbol`: with a numeric Last-Event-ID the retained events after it are replayed;
  /// a fresh client starts at the symbol's latest market_status (when still retained) so it knows the session.
  void SubscribeSymbol(const std::string& symbol, const std::shared_ptr<StreamClient>& client);
  /// Adds a WebSocket client of a plan: the retained deltas with seq > `after` first, then live ones.
  void SubscribePlan(const std::string& plan_id, const std::shared_ptr<StreamClient>& client, std::uint64_t after);

  void PublishSymbol(const std::string& symbol, const system::SymbolEvent& event);
  void PublishPlanDelta(const plans::PlanDelta& delta);
  void PublishPlanError(const std::string& plan_id, const std::string& reason);
  /// A `heartbeat` to every symbol and plan with clients.
  void PublishHeartbeat(UnixNanos now);

  std::size_t symbol_clients(const std::string& symbol) const;
  std::uint64_t symbol_last_id(const std::string& symbol) const;
  std::uint64_t symbol_dropped(const std::string& symbol) const;
  std::size_t plan_clients(const std::string& plan_id) const;
  std::uint64_t plan_last_seq(const std::string& plan_id) const;

 private:
  struct SymbolChannel;
  struct PlanChannel;
  // The channel of a symbol or plan, created on first use.
  std::shared_ptr<SymbolChannel> Symbol(const std::string& symbol);
  std::shared_ptr<PlanChannel> Plan(const std::string& plan_id);
  std::shared_ptr<SymbolChannel> FindSymbol(const std::string& symbol) const;
  std::shared_ptr<PlanChannel> FindPlan(const std::string& plan_id) const;

  const StreamRouteOptions options_;
  const NextPlanTokenFn next_plan_tokens_;
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<SymbolChannel>, std::less<>> symbols_;
  std::map<std::string, std::shared_ptr<PlanChannel>, std::less<>> plans_;
};

/// Registers `GET /stream/{symbol}` (SSE, public market data: bar, tick, heartbeat, market_status events, ids
/// per symbol, Last-Event-ID resume) and `GET /ws/plans/{plan_id}` (WebSocket: plan_full, then plan_delta and
/// heartbeat messages; `?after=<seq>` resumes; the owner's key, an admin key or a `vt` view token; a delta that
/// offers or adopts a next plan carries `next_plan_vt`, a 7-day view token for it), and starts `live` with the
/// returned hub's sinks. `live`, `store` and `auth` must outlive the router; stop `live` before
/// the hub is released.
std::shared_ptr<StreamHub> AddStreamRoutes(Router& router, system::LiveStreamService& live, plans::PlanStore& store,
                                           const AuthContext& auth, StreamRouteOptions options = {});

/// The JSON payloads of the symbol stream (docs/streaming.md).
std::string RenderSymbolEvent(const system::SymbolEvent& event, std::string& event_name);
/// The plan_delta WebSocket message (plans::PlanDeltaMessageToJson) with `changes.next_plan_vt` added when
/// `next_plan_vt` is not empty.
std::string RenderPlanDelta(const plans::PlanDelta& delta, std::string_view next_plan_vt);
/// The plan_full WebSocket message: {"plan_id", "event": {"t":"plan_full","payload": <plan JSON>}}.
std::string RenderPlanFull(const plans::StoredPlan& plan);

}  // namespace td::api
