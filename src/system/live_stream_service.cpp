// SPDX-License-Identifier: MIT
#include "system/live_stream_service.hpp"

#include <algorithm>
#include <atomic>
#include <utility>

#include "calendar/exchange_calendar.hpp"
#include "core/check.hpp"
#include "core/log.hpp"
#include "scanner/strategies.hpp"
#include "scanner/types.hpp"

namespace td::system {
namespace {

constexpr BarSpec kMinute{1, BarUnit::kMinute};
constexpr Duration kMinuteLength = std::chrono::minutes(1);

bool SameBar(const Bar& a, const Bar& b) {
  return a.ts_event == b.ts_event && a.open == b.open && a.high == b.high && a.low == b.low && a.close == b.close &&
         a.volume == b.volume;
}

}  // namespace

struct LiveStreamService::SymbolState {
  InstrumentId id;
  std::optional<Bar> forming;            // the last forming bar published
  std::optional<UnixNanos> last_closed;  // start of the last closed bar published
  std::optional<Price> last_price;
  std::optional<std::string> phase;
  std::optional<std::chrono::steady_clock::time_point> unwatched_since;  // publisher thread only
  // Set (under the service mutex) by WatchSymbol on an existing symbol: keeps it from being dropped.
  std::atomic<bool> rewatched{false};
};

struct LiveStreamService::PlanState {
  plans::StoredPlan stored;
  bool following = false;  // in the book
  bool failed = false;     // could not be rebuilt: kept (not retried) until nobody watches it
  std::optional<std::chrono::steady_clock::time_point> unwatched_since;  // publisher thread only
  std::atomic<bool> rewatched{false};                                    // set by FollowPlan on a plan already here
};

LiveStreamService::LiveStreamService(MarketService& market, CoachService& coach, PlanRenderer render,
                                     const Clock& clock, Options options)
    : market_(market), coach_(coach), render_(std::move(render)), clock_(clock), options_(std::move(options)) {
  TD_CHECK(options_.poll_interval.count() > 0 && options_.heartbeat_interval.count() > 0)
      << "live stream intervals must be positive";
}

LiveStreamService::~LiveStreamService() {
  Stop();
}

void LiveStreamService::Start(LiveStreamSinks sinks) {
  TD_CHECK(!thread_.joinable()) << "the live stream service starts once";
  sinks_ = std::move(sinks);
  book_ = std::make_unique<plans::PlanBook>([this](const plans::PlanDelta& delta) {
    if (sinks_.on_plan_delta) {
      sinks_.on_plan_delta(delta);
    }
  });
  last_heartbeat_ = std::chrono::steady_clock::now();
  thread_ = std::thread([this] { Run(); });
}

void LiveStreamService::Stop() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
}

Result<std::string> LiveStreamService::WatchSymbol(std::string_view text) {
  auto info = market_.Resolve(text);
  if (!info.ok()) {
    return info.error();
  }
  std::string symbol = info->id.value();
  std::lock_guard lock(mutex_);
  auto it = symbols_.find(symbol);
  if (it == symbols_.end()) {
    if (symbols_.size() >= options_.max_symbols) {
      return Error{ErrorCode::kUnavailable, "too many symbols are streamed right now; try again later", "symbol"};
    }
    auto state = std::make_unique<SymbolState>();
    state->id = info->id;
    symbols_.emplace(symbol, std::move(state));
  } else {
    it->second->rewatched = true;
  }
  wake_.notify_all();
  return symbol;
}

Status LiveStreamService::FollowPlan(const plans::StoredPlan& plan) {
  std::lock_guard lock(mutex_);
  auto it = plans_.find(plan.plan_id);
  if (it != plans_.end()) {
    it->second->rewatched = true;
    return {};
  }
  if (plans_.size() >= options_.max_plans) {
    return Error{ErrorCode::kUnavailable, "too many plans are followed right now; try again later", "plan_id"};
  }
  auto state = std::make_unique<PlanState>();
  state->stored = plan;
  plans_.emplace(plan.plan_id, std::move(state));
  wake_.notify_all();
  return {};
}

std::size_t LiveStreamService::watched_symbols() const {
  std::lock_guard lock(mutex_);
  return symbols_.size();
}

std::size_t LiveStreamService::followed_plans() const {
  std::lock_guard lock(mutex_);
  return plans_.size();
}

std::uint64_t LiveStreamService::ticks() const {
  std::lock_guard lock(mutex_);
  return ticks_;
}

void LiveStreamService::Run() {
  std::unique_lock lock(mutex_);
  while (!stop_) {
    lock.unlock();
    Tick();
    lock.lock();
    ++ticks_;
    wake_.wait_for(lock, options_.poll_interval, [this] { return stop_; });
  }
}

void LiveStreamService::Tick() {
  const UnixNanos now = clock_.Now();
  const auto steady_now = std::chrono::steady_clock::now();
  // Map nodes are stable and only this thread erases them, so the pointers stay valid without the lock.
  std::vector<std::pair<std::string, SymbolState*>> symbols;
  std::vector<std::pair<std::string, PlanState*>> plans;
  {
    std::lock_guard lock(mutex_);
    for (auto& [name, state] : symbols_)
      symbols.emplace_back(name, state.get());
    for (auto& [id, state] : plans_)
      plans.emplace_back(id, state.get());
  }

  // Plans first: a newly followed plan is rebuilt and replayed up to now before live bars move on.
  std::vector<std::string> finished_plans;
  for (auto& [id, plan] : plans) {
    const bool watched = plan->rewatched.exchange(false) || (sinks_.plan_watched && sinks_.plan_watched(id));
    if (!watched) {
      if (!plan->unwatched_since) {
        plan->unwatched_since = steady_now;
      } else if (steady_now - *plan->unwatched_since >= options_.unwatch_grace) {
        finished_plans.push_back(id);
        continue;
      }
    } else {
      plan->unwatched_since.reset();
    }
    if (!plan->following && !plan->failed) {
      StartFollowing(*plan, now);
    }
  }

  std::vector<std::string> dropped_symbols;
  for (auto& [name, state] : symbols) {
    bool watched = state->rewatched.exchange(false) || (sinks_.symbol_watched && sinks_.symbol_watched(name));
    for (const auto& [id, plan] : plans) {
      watched = watched || (plan->following && plan->stored.symbol == name);
    }
    if (!watched) {
      if (!state->unwatched_since) {
        state->unwatched_since = steady_now;
      } else if (steady_now - *state->unwatched_since >= options_.unwatch_grace) {
        dropped_symbols.push_back(name);
        continue;
      }
    } else {
      state->unwatched_since.reset();
    }
    TickSymbol(name, *state, now);
  }
  book_->AdvanceTo(now);

  if (steady_now - last_heartbeat_ >= options_.heartbeat_interval) {
    last_heartbeat_ = steady_now;
    if (sinks_.on_heartbeat) {
      sinks_.on_heartbeat(now);
    }
  }

  if (!finished_plans.empty() || !dropped_symbols.empty()) {
    for (const std::string& id : finished_plans) {
      book_->Remove(id);
    }
    std::lock_guard lock(mutex_);
    for (const std::string& id : finished_plans) {
      // A watcher may have come back between the check and here: keep the plan then.
      auto it = plans_.find(id);
      if (it != plans_.end() && !it->second->rewatched) {
        plans_.erase(it);
      } else if (it != plans_.end()) {
        it->second->following = false;  // removed from the book above; rebuilt on the next tick
      }
    }
    for (const std::string& name : dropped_symbols) {
      auto it = symbols_.find(name);
      if (it != symbols_.end() && !it->second->rewatched) {
        symbols_.erase(it);
      }
    }
  }
}

void LiveStreamService::TickSymbol(const std::string& symbol, SymbolState& state, UnixNanos now) {
  // Closed bars since the last one published (at most catch_up back), plus the forming bar.
  UnixNanos from = now - std::min<Duration>(options_.catch_up, std::chrono::minutes(2));
  if (state.last_closed) {
    from = std::max(*state.last_closed + kMinuteLength, now - options_.catch_up);
  }
  if (!(from < now + Duration(1))) {
    return;
  }
  auto bars = market_.Bars(state.id, kMinute, from, now + Duration(1));
  if (!bars.ok()) {
    Logger("system").Warn("live stream: cannot read bars", {{"symbol", symbol}, {"error", bars.error().ToString()}});
    return;
  }
  std::optional<Bar> forming;
  std::optional<Price> newest_close;
  for (const Bar& bar : *bars) {
    if (bar.ts_event + kMinuteLength <= now) {
      if (state.last_closed && bar.ts_event <= *state.last_closed) {
        continue;
      }
      state.last_closed = bar.ts_event;
      if (state.forming && state.forming->ts_event <= bar.ts_event) {
        state.forming.reset();
      }
      if (sinks_.on_symbol_event) {
        sinks_.on_symbol_event(symbol, BarUpdated{bar, false});
      }
      book_->OnBar(symbol, bar, kMinute);
      newest_close = bar.close;
    } else if (bar.ts_event <= now) {
      forming = bar;
    }
  }
  if (forming) {
    newest_close = forming->close;
    if (!state.forming || !SameBar(*state.forming, *forming)) {
      state.forming = forming;
      if (sinks_.on_symbol_event) {
        sinks_.on_symbol_event(symbol, BarUpdated{*forming, true});
      }
    }
  }
  if (newest_close && (!state.last_price || *state.last_price != *newest_close)) {
    state.last_price = newest_close;
    if (sinks_.on_symbol_event) {
      sinks_.on_symbol_event(symbol, LastPriceChanged{*newest_close, now});
    }
  }
  if (auto phase = PhaseAt(state.id, now); phase && (!state.phase || *state.phase != phase->phase)) {
    state.phase = phase->phase;
    if (sinks_.on_symbol_event) {
      sinks_.on_symbol_event(symbol, std::move(*phase));
    }
  }
}

void LiveStreamService::StartFollowing(PlanState& state, UnixNanos now) {
  const plans::StoredPlan& stored = state.stored;
  auto fail = [&](const std::string& reason) {
    state.failed = true;
    Logger("system").Warn("live stream: cannot follow plan", {{"plan_id", stored.plan_id}, {"reason", reason}});
    if (sinks_.on_plan_error) {
      sinks_.on_plan_error(stored.plan_id, reason);
    }
  };
  auto style = scanner::ParseStyle(stored.style);
  if (!style.ok()) {
    fail("the stored plan has an unknown style: " + stored.style);
    return;
  }
  // Rebuild the plan from its stored inputs: the same bars give the same plan. A named strategy is asked for
  // only when the best plan of the style is another one (a fallback plan names no firing detector).
  PlanQuery query{stored.symbol, *style, std::nullopt, stored.as_of};
  auto computed = coach_.ComputePlan(query);
  if (computed.ok() && std::string_view(scanner::Spec(computed->plan.strategy).key) != stored.strategy) {
    if (auto strategy = scanner::ParseStrategyKey(stored.strategy)) {
      query.strategy = *strategy;
      computed = coach_.ComputePlan(query);
    }
  }
  if (!computed.ok()) {
    fail("the plan cannot be rebuilt: " + computed.error().message);
    return;
  }
  scanner::Plan plan = std::move(computed->plan);
  plan.plan_id = stored.plan_id;
  const std::string symbol = plan.symbol;
  const UnixNanos issued = plan.as_of;
  auto info = market_.Resolve(symbol);
  if (!info.ok()) {
    fail("the plan's symbol is not in the market: " + symbol);
    return;
  }
  const std::string owner = stored.user;
  const Status followed =
      book_->Follow(std::move(plan), options_.follower,
                    [this, owner](const plans::ReplanRequest& request) { return Replan(owner, request); });
  if (!followed.ok() && followed.error().code != ErrorCode::kAlreadyExists) {
    fail(followed.error().message);
    return;
  }
  state.following = true;
  // Replay the bars since the plan was issued so the follower stands where it would had it run all along.
  const UnixNanos from = std::max(issued, now - options_.follow_lookback);
  std::optional<UnixNanos> last_replayed;
  if (from < now) {
    auto bars = market_.Bars(info->id, kMinute, from, now + Duration(1));
    if (bars.ok()) {
      for (const Bar& bar : *bars) {
        if (bar.ts_event + kMinuteLength <= now) {
          book_->OnBar(symbol, bar, kMinute);
          last_replayed = bar.ts_event;
        }
      }
    }
  }
  // The symbol is streamed while the plan is followed (its bars feed the book).
  std::lock_guard lock(mutex_);
  if (!symbols_.contains(symbol)) {
    auto symbol_state = std::make_unique<SymbolState>();
    symbol_state->id = info->id;
    symbol_state->last_closed = last_replayed;  // the replay above covered everything closed
    symbols_.emplace(symbol, std::move(symbol_state));
  }
}

std::optional<scanner::Plan> LiveStreamService::Replan(const std::string& owner, const plans::ReplanRequest& request) {
  plans::PlanStore* store = coach_.store();
  if (store == nullptr) {
    return std::nullopt;
  }
  auto computed =
      coach_.ComputePlan(PlanQuery{request.previous.symbol, request.previous.style, std::nullopt, request.as_of});
  if (!computed.ok()) {
    return std::nullopt;
  }
  const plans::UserScope scope{owner, false};
  std::optional<std::string> plan_id;
  // A plan is replayed again after it was dropped and re-followed: reuse the replan stored the first time.
  if (auto existing = store->List(scope, plans::kMaxListLimit, computed->plan.symbol); existing.ok()) {
    for (const plans::StoredPlan& candidate : *existing) {
      if (candidate.parent_plan_id == request.previous.plan_id && candidate.reason == "replan" &&
          candidate.as_of == computed->plan.as_of) {
        plan_id = candidate.plan_id;
        break;
      }
    }
  }
  if (!plan_id) {
    plans::NewPlan next;
    next.symbol = computed->plan.symbol;
    next.style = std::string(scanner::StyleName(computed->plan.style));
    next.strategy = std::string(scanner::Spec(computed->plan.strategy).key);
    next.reason = "replan";
    next.parent_plan_id = request.previous.plan_id;
    next.as_of = computed->plan.as_of;
    next.layers_as_of = computed->plan.as_of;
    const PlanComputation& computation = *computed;
    auto created = store->Create(scope, std::move(next), [&](std::string_view id, plans::NewPlan& fill) {
      RenderedPlan rendered = render_(computation, id, 1);
      fill.plan_json = std::move(rendered.plan_json);
      fill.layers_json = std::move(rendered.layers_json);
    });
    if (!created.ok()) {
      Logger("system").Warn("live stream: cannot store a replan",
                            {{"plan_id", request.previous.plan_id}, {"error", created.error().ToString()}});
      return std::nullopt;
    }
    plan_id = created->plan_id;
  }
  scanner::Plan plan = std::move(computed->plan);
  plan.plan_id = *plan_id;
  return plan;
}

std::optional<MarketPhaseChanged> LiveStreamService::PhaseAt(const InstrumentId& id, UnixNanos now) const {
  const auto facts = FactsOf(id);
  if (!facts) {
    return std::nullopt;
  }
  const auto& calendar = calendar::ExchangeCalendar::Get(facts->exchange);
  auto status = calendar.StatusAt(now);
  if (!status.ok()) {
    return std::nullopt;
  }
  const std::string exchange(calendar::ExchangeName(facts->exchange));
  MarketPhaseChanged changed;
  if (status->phase) {
    changed.phase = std::string(calendar::SessionPhaseName(*status->phase));
    changed.note = exchange + " " + std::string(calendar::MarketStatusName(status->status)) + " (" + changed.phase +
                   "); regular session ends " + status->next_close.ToIso8601();
  } else {
    changed.phase = "closed";
    changed.note = exchange + " closed; next open " + status->next_open.ToIso8601();
  }
  return changed;
}

}  // namespace td::system
