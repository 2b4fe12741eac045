// SPDX-License-Identifier: MIT
#include "api/stream_routes.hpp"

#include <atomic>
#include <charconv>
#include <deque>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "api/auth_context.hpp"
#include "api/json_writer.hpp"
#include "api/router.hpp"

namespace td::api {

struct StreamHub::SymbolChannel {
  explicit SymbolChannel(std::size_t history) : broadcaster(history), history_capacity(history) {}
  Broadcaster broadcaster;
  std::size_t history_capacity;
  std::atomic<std::uint64_t> status_id{0};  // id of the latest market_status event
};

/// The WebSocket clients of one plan and its recent deltas. Deltas carry the follower's seq as their id; a
/// seq not above the last one is a replay of a re-followed plan and is not sent twice.
struct StreamHub::PlanChannel {
  std::mutex mutex;
  std::deque<std::shared_ptr<const StreamEvent>> recent;
  std::vector<std::shared_ptr<StreamClient>> clients;
  std::uint64_t last_seq = 0;

  void SendToAll(const std::shared_ptr<const StreamEvent>& event) {
    std::erase_if(clients, [&](const std::shared_ptr<StreamClient>& client) { return !client->Send(event); });
  }
  std::size_t open_clients() {
    std::erase_if(clients, [](const std::shared_ptr<StreamClient>& client) { return client->closed(); });
    return clients.size();
  }
};

StreamHub::StreamHub(StreamRouteOptions options, NextPlanTokenFn next_plan_tokens)
    : options_(options), next_plan_tokens_(std::move(next_plan_tokens)) {}

system::LiveStreamSinks StreamHub::Sinks(const std::shared_ptr<StreamHub>& hub) {
  system::LiveStreamSinks sinks;
  sinks.on_symbol_event = [hub](const std::string& symbol, const system::SymbolEvent& event) {
    hub->PublishSymbol(symbol, event);
  };
  sinks.on_plan_delta = [hub](const plans::PlanDelta& delta) { hub->PublishPlanDelta(delta); };
  sinks.on_plan_error = [hub](const std::string& plan_id, const std::string& reason) {
    hub->PublishPlanError(plan_id, reason);
  };
  sinks.on_heartbeat = [hub](UnixNanos now) { hub->PublishHeartbeat(now); };
  sinks.symbol_watched = [hub](const std::string& symbol) { return hub->symbol_clients(symbol) > 0; };
  sinks.plan_watched = [hub](const std::string& plan_id) { return hub->plan_clients(plan_id) > 0; };
  return sinks;
}

std::shared_ptr<StreamHub::SymbolChannel> StreamHub::Symbol(const std::string& symbol) {
  std::lock_guard lock(mutex_);
  auto it = symbols_.find(symbol);
  if (it != symbols_.end()) {
    return it->second;
  }
  if (symbols_.size() >= options_.max_channels) {
    // Bounded memory: channels nobody watches go first (a client resuming one of them starts afresh).
    std::erase_if(symbols_, [](const auto& entry) { return entry.second->broadcaster.client_count() == 0; });
  }
  auto channel = std::make_shared<SymbolChannel>(options_.symbol_history);
  symbols_.emplace(symbol, channel);
  return channel;
}

std::shared_ptr<StreamHub::PlanChannel> StreamHub::Plan(const std::string& plan_id) {
  std::lock_guard lock(mutex_);
  auto it = plans_.find(plan_id);
  if (it != plans_.end()) {
    return it->second;
  }
  if (plans_.size() >= options_.max_channels) {
    std::erase_if(plans_, [](const auto& entry) {
      std::lock_guard channel_lock(entry.second->mutex);
      return entry.second->open_clients() == 0;
    });
  }
  auto channel = std::make_shared<PlanChannel>();
  plans_.emplace(plan_id, channel);
  return channel;
}

std::shared_ptr<StreamHub::SymbolChannel> StreamHub::FindSymbol(const std::string& symbol) const {
  std::lock_guard lock(mutex_);
  auto it = symbols_.find(symbol);
  return it == symbols_.end() ? nullptr : it->second;
}

std::shared_ptr<StreamHub::PlanChannel> StreamHub::FindPlan(const std::string& plan_id) const {
  std::lock_guard lock(mutex_);
  auto it = plans_.find(plan_id);
  return it == plans_.end() ? nullptr : it->second;
}

void StreamHub::SubscribeSymbol(const std::string& symbol, const std::shared_ptr<StreamClient>& client) {
  auto channel = Symbol(symbol);
  if (auto after = client->last_event_number()) {
    channel->broadcaster.Subscribe(client, *after);
    return;
  }
  const std::uint64_t last = channel->broadcaster.last_id();
  const std::uint64_t status = channel->status_id.load();
  const bool status_retained = status > 0 && last - status < channel->history_capacity;
  channel->broadcaster.Subscribe(client, status_retained ? status - 1 : last);
}

void StreamHub::SubscribePlan(const std::string& plan_id, const std::shared_ptr<StreamClient>& client,
                              std::uint64_t after) {
  auto channel = Plan(plan_id);
  std::lock_guard lock(channel->mutex);
  for (const auto& event : channel->recent) {
    if (event->id > after && !client->Send(event)) {
      return;
    }
  }
  channel->clients.push_back(client);
}

std::string RenderSymbolEvent(const system::SymbolEvent& event, std::string& event_name) {
  JsonWriter w(160);
  std::visit(
      [&](const auto& e) {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, system::BarUpdated>) {
          event_name = "bar";
          w.BeginObject()
              .Key("t")
              .Int(e.bar.ts_event.nanos() / 1'000'000'000)
              .Key("o")
              .PriceValue(e.bar.open)
              .Key("h")
              .PriceValue(e.bar.high)
              .Key("l")
              .PriceValue(e.bar.low)
              .Key("c")
              .PriceValue(e.bar.close)
              .Key("v")
              .QuantityValue(e.bar.volume)
              .Key("partial")
              .Bool(e.partial)
              .EndObject();
        } else if constexpr (std::is_same_v<T, system::LastPriceChanged>) {
          event_name = "tick";
          w.BeginObject().Key("p").PriceValue(e.price).Key("ts").String(e.ts.ToIso8601()).EndObject();
        } else {
          event_name = "market_status";
          w.BeginObject().Key("phase").String(e.phase).Key("note").String(e.note).EndObject();
        }
      },
      event);
  return w.Take();
}

std::string RenderPlanDelta(const plans::PlanDelta& delta, std::string_view next_plan_vt) {
  return plans::PlanDeltaMessageToJson(delta, next_plan_vt);
}

std::string RenderPlanFull(const plans::StoredPlan& plan) {
  JsonWriter w(plan.plan_json.size() + 96);
  w.BeginObject()
      .Key("plan_id")
      .String(plan.plan_id)
      .Key("event")
      .BeginObject()
      .Key("t")
      .String("plan_full")
      .Key("version")
      .Int(plan.version)
      .Key("payload")
      .Raw(plan.plan_json)
      .EndObject()
      .EndObject();
  return w.Take();
}

void StreamHub::PublishSymbol(const std::string& symbol, const system::SymbolEvent& event) {
  auto channel = Symbol(symbol);
  std::string name;
  std::string data = RenderSymbolEvent(event, name);
  const std::uint64_t id = channel->broadcaster.Publish(name, std::move(data));
  if (std::holds_alternative<system::MarketPhaseChanged>(event)) {
    channel->status_id.store(id);
  }
}

void StreamHub::PublishPlanDelta(const plans::PlanDelta& delta) {
  // Minted outside the channel lock (it reads the plan store); a replayed delta dropped below wastes one token.
  std::string next_plan_vt;
  if (!delta.next_plan_id.empty() && next_plan_tokens_) {
    next_plan_vt = next_plan_tokens_(delta.next_plan_id);
  }
  auto channel = Plan(delta.plan_id);
  std::lock_guard lock(channel->mutex);
  if (delta.seq <= channel->last_seq) {
    return;
  }
  channel->last_seq = delta.seq;
  auto event =
      std::make_shared<const StreamEvent>(StreamEvent{delta.seq, "plan_delta", RenderPlanDelta(delta, next_plan_vt)});
  channel->recent.push_back(event);
  if (channel->recent.size() > options_.plan_history) {
    channel->recent.pop_front();
  }
  channel->SendToAll(event);
}

void StreamHub::PublishPlanError(const std::string& plan_id, const std::string& reason) {
  auto channel = Plan(plan_id);
  JsonWriter w(reason.size() + 96);
  w.BeginObject()
      .Key("plan_id")
      .String(plan_id)
      .Key("event")
      .BeginObject()
      .Key("t")
      .String("error")
      .Key("reason")
      .String("not_followed")
      .Key("detail")
      .String(reason)
      .EndObject()
      .EndObject();
  auto event = std::make_shared<const StreamEvent>(StreamEvent{0, "error", w.Take()});
  std::lock_guard lock(channel->mutex);
  channel->SendToAll(event);
}

void StreamHub::PublishHeartbeat(UnixNanos now) {
  std::vector<std::shared_ptr<SymbolChannel>> symbols;
  std::vector<std::pair<std::string, std::shared_ptr<PlanChannel>>> plans;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [name, channel] : symbols_)
      symbols.push_back(channel);
    for (const auto& [id, channel] : plans_)
      plans.emplace_back(id, channel);
  }
  const std::string ts = now.ToIso8601();
  JsonWriter beat(48);
  beat.BeginObject().Key("ts").String(ts).EndObject();
  const std::string symbol_beat = beat.Take();
  for (const auto& channel : symbols) {
    // Channels nobody watches get no heartbeat: it would only crowd their resume history.
    if (channel->broadcaster.client_count() > 0) {
      channel->broadcaster.Publish("heartbeat", symbol_beat);
    }
  }
  for (const auto& [id, channel] : plans) {
    JsonWriter w(96);
    w.BeginObject()
        .Key("plan_id")
        .String(id)
        .Key("event")
        .BeginObject()
        .Key("t")
        .String("heartbeat")
        .Key("ts")
        .String(ts)
        .EndObject()
        .EndObject();
    auto event = std::make_shared<const StreamEvent>(StreamEvent{0, "heartbeat", w.Take()});
    std::lock_guard lock(channel->mutex);
    channel->SendToAll(event);
  }
}

std::size_t StreamHub::symbol_clients(const std::string& symbol) const {
  auto channel = FindSymbol(symbol);
  return channel ? channel->broadcaster.client_count() : 0;
}

std::uint64_t StreamHub::symbol_last_id(const std::string& symbol) const {
  auto channel = FindSymbol(symbol);
  return channel ? channel->broadcaster.last_id() : 0;
}

std::uint64_t StreamHub::symbol_dropped(const std::string& symbol) const {
  auto channel = FindSymbol(symbol);
  return channel ? channel->broadcaster.dropped_count() : 0;
}

std::size_t StreamHub::plan_clients(const std::string& plan_id) const {
  auto channel = FindPlan(plan_id);
  if (!channel) {
    return 0;
  }
  std::lock_guard lock(channel->mutex);
  return channel->open_clients();
}

std::uint64_t StreamHub::plan_last_seq(const std::string& plan_id) const {
  auto channel = FindPlan(plan_id);
  if (!channel) {
    return 0;
  }
  std::lock_guard lock(channel->mutex);
  return channel->last_seq;
}

namespace {

Result<std::uint64_t> ParseAfter(const Request& request) {
  const auto text = request.Query("after");
  if (!text || text->empty()) {
    return std::uint64_t{0};
  }
  std::uint64_t value = 0;
  const auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || ptr != text->data() + text->size()) {
    return Error::InvalidArgument("'after' must be a delta sequence number (a non-negative integer)", "after");
  }
  return value;
}

}  // namespace

std::shared_ptr<StreamHub> AddStreamRoutes(Router& router, system::LiveStreamService& live, plans::PlanStore& store,
                                           const AuthContext& auth, StreamRouteOptions options) {
  // The next plan of a replan belongs to the same user; its token lives as long as a chart link's.
  auto next_plan_tokens = [&store, &auth](const std::string& next_plan_id) -> std::string {
    auto next = store.Get(plans::UserScope{"live-stream", true}, next_plan_id);
    if (!next.ok()) {
      return {};
    }
    return auth.MintViewToken(next->plan_id, next->user, kDefaultViewTokenValidity);
  };
  auto hub = std::make_shared<StreamHub>(options, std::move(next_plan_tokens));

  RouteDoc symbol_doc =
      MakeDoc("Live market stream of one symbol (SSE): bar (partial while forming), tick, heartbeat, market_status",
              "streamSymbol", {"streaming"});
  symbol_doc.description =
      "Server-sent events with an id each; reconnect with Last-Event-ID to receive exactly the missed events. "
      "Payloads are described in docs/streaming.md.";
  ResponseDoc sse_response;
  sse_response.description = "An endless text/event-stream";
  sse_response.content_type = "text/event-stream";
  symbol_doc.responses = {sse_response};
  router.AddSse(
      "/stream/{symbol}",
      [hub, &live](const Request& request, const std::shared_ptr<StreamClient>& client) -> Status {
        auto symbol = live.WatchSymbol(request.PathParam("symbol"));
        if (!symbol.ok()) {
          Error error = symbol.error();
          error.field = "symbol";
          return error;
        }
        hub->SubscribeSymbol(*symbol, client);
        return {};
      },
      std::move(symbol_doc));

  RouteDoc plan_doc = MakeDoc("Live plan stream (WebSocket): plan_full, then plan_delta and heartbeat messages",
                              "streamPlan", {"streaming"});
  plan_doc.hidden = true;  // a WebSocket is not callable as a GPT action
  WebSocketHandler plan_socket;
  plan_socket.on_open = [hub, &live, &store, &auth](const Request& request,
                                                    const std::shared_ptr<StreamClient>& client) -> Status {
    const std::string plan_id(request.PathParam("plan_id"));
    auto after = ParseAfter(request);
    if (!after.ok()) {
      return after.error();
    }
    // Looked up across users (the stream service acts as admin) so the owner check below decides.
    auto stored = store.Get(plans::UserScope{"live-stream", true}, plan_id);
    if (!stored.ok()) {
      if (stored.error().code != ErrorCode::kNotFound) {
        return stored.error();
      }
      // Whether a plan exists is told only to someone allowed to read it. No user is named by a control
      // character, so only an admin key or a view token for this id gets past this check (and then a 404).
      TD_TRY(auth.AuthorizePlanRead(request, plan_id, std::string_view("\x01", 1)));
      return Error::NotFound("no plan " + plan_id, "plan_id");
    }
    TD_TRY(auth.AuthorizePlanRead(request, plan_id, stored->user));
    TD_TRY(live.FollowPlan(*stored));
    client->SendText(RenderPlanFull(*stored));
    hub->SubscribePlan(plan_id, client, *after);
    return {};
  };
  router.AddWebSocket("/ws/plans/{plan_id}", std::move(plan_socket), std::move(plan_doc), auth.PlanRead());

  live.Start(StreamHub::Sinks(hub));
  return hub;
}

}  // namespace td::api
