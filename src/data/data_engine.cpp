// SPDX-License-Identifier: MIT
#include "data/data_engine.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <tuple>

#include "core/log.hpp"

namespace td::data {
namespace {

constexpr std::int64_t kDayNanos = 86'400LL * 1'000'000'000LL;

std::int64_t SpecLength(BarSpec spec) {
  return spec.IsIntraday() ? spec.IntradayLength().count() : kDayNanos;
}

bool CanBuildFrom(BarSpec base, BarSpec target) {
  if (!base.IsIntraday()) {
    return false;
  }
  if (!target.IsIntraday()) {
    return target.unit == BarUnit::kDay && target.step == 1;
  }
  const auto b = base.IntradayLength().count();
  const auto t = target.IntradayLength().count();
  return t >= b && t % b == 0;
}

const Logger& DataLog() {
  static const Logger logger("data");
  return logger;
}

int QuantityPrecision(double value) {
  return value == std::floor(value) ? 0 : kFixedPrecision;
}

}  // namespace

Result<std::variant<QuoteTick, TradeTick>> ConvertRawTick(const RawTick& tick) {
  if (tick.is_quote) {
    if (!std::isfinite(tick.bid) || !std::isfinite(tick.ask) || !std::isfinite(tick.bid_size) ||
        !std::isfinite(tick.ask_size)) {
      return Error::InvalidArgument("quote has a non-finite value", "price");
    }
    auto bid = Price::FromDouble(tick.bid, tick.precision);
    auto ask = Price::FromDouble(tick.ask, tick.precision);
    auto bid_size = Quantity::FromDouble(tick.bid_size, QuantityPrecision(tick.bid_size));
    auto ask_size = Quantity::FromDouble(tick.ask_size, QuantityPrecision(tick.ask_size));
    if (!bid.ok() || !ask.ok() || !bid_size.ok() || !ask_size.ok()) {
      return Error::InvalidArgument("quote value out of range", "price");
    }
    return std::variant<QuoteTick, TradeTick>(
        QuoteTick{tick.instrument_id, *bid, *ask, *bid_size, *ask_size, tick.ts_event, tick.ts_init});
  }
  if (!std::isfinite(tick.price) || !std::isfinite(tick.size)) {
    return Error::InvalidArgument("trade has a non-finite value", "price");
  }
  auto price = Price::FromDouble(tick.price, tick.precision);
  auto size = Quantity::FromDouble(tick.size, QuantityPrecision(tick.size));
  if (!price.ok() || !size.ok()) {
    return Error::InvalidArgument("trade value out of range", "price");
  }
  return std::variant<QuoteTick, TradeTick>(
      TradeTick{tick.instrument_id, *price, *size, AggressorSide::kNone, tick.ts_event, tick.ts_init});
}

std::string QuoteTopic(const InstrumentId& instrument) {
  return "data.quotes." + instrument.value();
}
std::string TradeTopic(const InstrumentId& instrument) {
  return "data.trades." + instrument.value();
}
std::string BarTopic(const InstrumentId& instrument, BarSpec spec) {
  return "data.bars." + instrument.value() + "." + spec.ToString();
}
std::string PartialBarTopic(const InstrumentId& instrument, BarSpec spec) {
  return "data.bars.partial." + instrument.value() + "." + spec.ToString();
}
std::string ChainTopic(const InstrumentId& underlying) {
  return "data.chains." + underlying.value();
}
std::string StatusTopic(std::string_view source) {
  return "data.status." + std::string(source);
}

// ---- internal state -------------------------------------------------------------------------------------

struct DataEngine::TickState {
  std::int64_t newest = INT64_MIN;
  bool have_trade = false;
  std::int64_t trade_ts = 0, trade_init = 0, trade_price = 0, trade_size = 0;
  AggressorSide trade_side = AggressorSide::kNone;
  bool have_quote = false;
  std::int64_t quote_ts = 0, quote_init = 0, bid = 0, ask = 0, bid_size = 0, ask_size = 0;
  std::map<BarSpec, std::int64_t> last_bar;  // newest closed source bar per spec
  std::optional<UnixNanos> last_event;
};

struct DataEngine::Source {
  DataEngine* engine = nullptr;
  DataClient* client = nullptr;
  std::string name;
  DataCapabilities caps;
  std::unique_ptr<Sink> sink;
  SourceCounters counters;
  FeedStatus status;
  std::atomic<std::uint64_t> drops{0};
  std::map<std::tuple<std::string, DataKind, BarSpec>, int> upstream;
  std::unordered_map<InstrumentId, TickState> ticks;
  runtime::TopicHandle status_topic;
  bool connected = false;
  bool ever_connected = false;
};

struct DataEngine::Series {
  enum class Mode : std::uint8_t { kTrades, kQuotes, kBars };
  InstrumentState* owner = nullptr;
  BarSpec spec;
  int refs = 0;
  Mode mode = Mode::kTrades;
  BarSpec source_spec;
  std::optional<TickBarAggregator> aggregator;
  std::optional<BarResampler> resampler;
  std::int64_t last_closed = INT64_MIN;
  std::int64_t complete_at = INT64_MIN;   // key in pending_closes_, INT64_MIN when not pending
  std::int64_t skip_through = INT64_MIN;  // ticks up to here are already in a backfilled bar
  UnixNanos since;
  BarUpdate update;
  runtime::TopicHandle closed_topic;
  runtime::TopicHandle partial_topic;
};

struct DataEngine::InstrumentState {
  InstrumentId id;
  SessionRule rule;
  Source* active = nullptr;
  std::map<BarSpec, std::unique_ptr<Series>> series;
  runtime::TopicHandle quote_topic;
  runtime::TopicHandle trade_topic;
  runtime::TopicHandle chain_topic;
};

class DataEngine::Sink final : public MarketEventSink {
 public:
  Sink(Source* source, runtime::Kernel& kernel) : source_(source), kernel_(kernel) {}

  void OnEvent(MarketEvent event) override {
    Source* source = source_;
    if (!kernel_.Post(
            [source, event = std::move(event)]() mutable { source->engine->Dispatch(*source, std::move(event)); })) {
      source_->drops.fetch_add(1, std::memory_order_relaxed);
    }
  }
  void OnRawTick(const RawTick& tick) override {
    Source* source = source_;
    if (!kernel_.Post([source, copy = RawTick(tick)]() { source->engine->OnRaw(*source, copy); })) {
      source_->drops.fetch_add(1, std::memory_order_relaxed);
    }
  }

 private:
  Source* source_;
  runtime::Kernel& kernel_;
};

// ---- lifecycle and registration -------------------------------------------------------------------------

DataEngine::DataEngine(runtime::MessageBus& bus, runtime::Kernel& kernel, runtime::Cache* cache, BarStore* store,
                       DataEngineConfig config)
    : runtime::Actor(config.name, bus, kernel.clock()),
      kernel_(kernel),
      cache_(cache),
      store_(store),
      config_(std::move(config)) {
  if (!config_.session_rule) {
    config_.session_rule = DefaultSessionRule;
  }
}

DataEngine::~DataEngine() {
  for (auto& source : sources_) {
    if (source->connected) {
      source->client->Disconnect();
    }
  }
}

void DataEngine::OnStop() {
  pending_closes_.clear();
  for (auto& [id, state] : instruments_) {
    for (auto& [spec, series] : state->series) {
      series->complete_at = INT64_MIN;
    }
  }
  armed_at_ = INT64_MAX;
}

Status DataEngine::AddClient(DataClient& client) {
  const std::string name(client.name());
  TD_TRY(runtime::Actor::ValidateName(name));
  if (FindSource(name) != nullptr) {
    return Error{ErrorCode::kAlreadyExists, "data source '" + name + "' is already registered", "source"};
  }
  auto source = std::make_unique<Source>();
  source->engine = this;
  source->client = &client;
  source->name = name;
  source->caps = client.capabilities();
  source->sink = std::make_unique<Sink>(source.get(), kernel_);
  source->counters.source = name;
  source->status.source = name;
  source->status_topic = bus().Topic(StatusTopic(name));
  sources_.push_back(std::move(source));
  return {};
}

DataEngine::Source* DataEngine::FindSource(std::string_view name) const {
  for (const auto& source : sources_) {
    if (source->name == name) {
      return source.get();
    }
  }
  return nullptr;
}

std::vector<std::string> DataEngine::Sources() const {
  std::vector<std::string> names;
  for (const auto& source : sources_) {
    names.push_back(source->name);
  }
  return names;
}

DataClient* DataEngine::Client(std::string_view source) const {
  Source* found = FindSource(source);
  return found != nullptr ? found->client : nullptr;
}

Status DataEngine::Connect(std::string_view name) {
  Source* source = FindSource(name);
  if (source == nullptr) {
    return Error::NotFound("no data source '" + std::string(name) + "'", "source");
  }
  Status status = source->client->Connect(*source->sink);
  source->connected = status.ok();
  source->status.connected = status.ok();
  source->ever_connected = source->ever_connected || status.ok();
  source->status.last_error = status.ok() ? std::string() : status.error().message;
  PublishStatus(*source);
  return status;
}

void DataEngine::Disconnect(std::string_view name) {
  Source* source = FindSource(name);
  if (source == nullptr || !source->connected) {
    return;
  }
  source->client->Disconnect();
  source->connected = false;
  source->status.connected = false;
  PublishStatus(*source);
}

SessionRule DataEngine::RuleFor(const InstrumentId& instrument) const {
  if (InstrumentState* state = FindInstrument(instrument)) {
    return state->rule;
  }
  return config_.session_rule(instrument);
}

DataEngine::InstrumentState* DataEngine::FindInstrument(const InstrumentId& instrument) const {
  auto it = instruments_.find(instrument);
  return it == instruments_.end() ? nullptr : it->second.get();
}

DataEngine::InstrumentState& DataEngine::Instrument(const InstrumentId& instrument) {
  auto& slot = instruments_[instrument];
  if (!slot) {
    slot = std::make_unique<InstrumentState>();
    slot->id = instrument;
    slot->rule = config_.session_rule(instrument);
    slot->quote_topic = bus().Topic(QuoteTopic(instrument));
    slot->trade_topic = bus().Topic(TradeTopic(instrument));
    slot->chain_topic = bus().Topic(ChainTopic(instrument));
  }
  return *slot;
}

// ---- subscriptions --------------------------------------------------------------------------------------

Subscription DataEngine::UpstreamFor(const Source& source, const Subscription& subscription) const {
  if (subscription.kind != DataKind::kBars) {
    return subscription;
  }
  Subscription upstream{subscription.instrument, DataKind::kTrades, BarSpec{}};
  if (source.caps.trades) {
    return upstream;
  }
  if (source.caps.quotes) {
    upstream.kind = DataKind::kQuotes;
    return upstream;
  }
  upstream.kind = DataKind::kBars;
  upstream.bar_spec =
      CanBuildFrom(config_.base_bar_spec, subscription.bar_spec) ? config_.base_bar_spec : subscription.bar_spec;
  return upstream;
}

Status DataEngine::Acquire(Source& source, const Subscription& upstream) {
  auto key = std::make_tuple(upstream.instrument.value(), upstream.kind, upstream.bar_spec);
  auto it = source.upstream.find(key);
  if (it != source.upstream.end()) {
    ++it->second;
    return {};
  }
  TD_TRY(source.client->Subscribe(upstream));
  source.upstream.emplace(std::move(key), 1);
  return {};
}

void DataEngine::Release(Source& source, const Subscription& upstream) {
  auto it = source.upstream.find(std::make_tuple(upstream.instrument.value(), upstream.kind, upstream.bar_spec));
  if (it == source.upstream.end()) {
    return;
  }
  if (--it->second == 0) {
    source.upstream.erase(it);
    Status status = source.client->Unsubscribe(upstream);
    if (!status.ok()) {
      DataLog().Warn("unsubscribe failed", {{"source", source.name}, {"error", status.error().ToString()}});
    }
  }
}

Status DataEngine::BuildSeries(InstrumentState& state, Series& series) {
  series.aggregator.reset();
  series.resampler.reset();
  const DataCapabilities caps = state.active != nullptr ? state.active->caps : DataCapabilities{};
  const bool has_session = state.rule.regular.has_value() || static_cast<bool>(state.rule.sessions);
  if (caps.trades || caps.quotes) {
    series.mode = caps.trades ? Series::Mode::kTrades : Series::Mode::kQuotes;
    AggregatorOptions options;
    options.spec = series.spec;
    options.time_zone = state.rule.time_zone;
    options.session = state.rule.regular;
    options.sessions = state.rule.sessions;
    options.outside_session = has_session ? OutsideSession::kDrop : OutsideSession::kKeep;
    options.out_of_order_tolerance = config_.out_of_order_tolerance;
    options.trade_dedup = TradeDedup::kOff;  // the engine already rejected duplicate messages
    auto aggregator = TickBarAggregator::Create(options);
    if (!aggregator.ok()) {
      return aggregator.error();
    }
    series.aggregator.emplace(std::move(*aggregator));
    return {};
  }
  series.mode = Series::Mode::kBars;
  series.source_spec = CanBuildFrom(config_.base_bar_spec, series.spec) ? config_.base_bar_spec : series.spec;
  if (series.source_spec == series.spec) {
    return {};
  }
  ResampleOptions options;
  options.target = series.spec;
  options.time_zone = state.rule.time_zone;
  options.session = state.rule.regular;
  options.sessions = state.rule.sessions;
  options.outside_session = has_session ? OutsideSession::kDrop : OutsideSession::kKeep;
  auto resampler = BarResampler::Create(series.source_spec, options);
  if (!resampler.ok()) {
    return resampler.error();
  }
  series.resampler.emplace(std::move(*resampler));
  return {};
}

Status DataEngine::Subscribe(const Subscription& subscription, std::string_view source_name) {
  Source* source = FindSource(source_name);
  if (source == nullptr) {
    return Error::NotFound("no data source '" + std::string(source_name) + "'", "source");
  }
  if (subscription.instrument.empty()) {
    return Error::InvalidArgument("subscription needs an instrument", "instrument");
  }
  const DataCapabilities& caps = source->caps;
  const bool supported = [&] {
    switch (subscription.kind) {
      case DataKind::kQuotes:
        return caps.quotes;
      case DataKind::kTrades:
        return caps.trades;
      case DataKind::kBars:
        return caps.trades || caps.quotes || caps.bars;
      case DataKind::kDepth:
        return caps.depth;
      case DataKind::kChain:
        return caps.chains;
    }
    return false;
  }();
  if (!supported) {
    return Error::Unprocessable(source->name + " cannot deliver this subscription", "kind");
  }
  if (subscription.kind == DataKind::kBars && !subscription.bar_spec.IsIntraday() &&
      !(subscription.bar_spec.unit == BarUnit::kDay && subscription.bar_spec.step == 1)) {
    return Error::InvalidArgument("bars from 1s to 1D are supported, not " + subscription.bar_spec.ToString(), "spec");
  }
  SubscriptionKey key{source->name, subscription.instrument.value(), subscription.kind,
                      subscription.kind == DataKind::kBars ? subscription.bar_spec : BarSpec{}};
  if (auto it = subscriptions_.find(key); it != subscriptions_.end()) {
    ++it->second;
    return {};
  }
  InstrumentState& state = Instrument(subscription.instrument);
  const bool made_active = state.active == nullptr;
  if (made_active) {
    state.active = source;
  }
  auto undo_active = [&] {
    if (made_active) {
      state.active = nullptr;
    }
  };
  if (subscription.kind == DataKind::kBars) {
    auto& slot = state.series[subscription.bar_spec];
    const bool created = !slot;
    if (created) {
      slot = std::make_unique<Series>();
      slot->owner = &state;
      slot->spec = subscription.bar_spec;
      slot->since = clock().Now();
      slot->update.instrument = subscription.instrument;
      slot->update.spec = subscription.bar_spec;
      slot->closed_topic = bus().Topic(BarTopic(subscription.instrument, subscription.bar_spec));
      slot->partial_topic = bus().Topic(PartialBarTopic(subscription.instrument, subscription.bar_spec));
      if (Status built = BuildSeries(state, *slot); !built.ok()) {
        state.series.erase(subscription.bar_spec);
        undo_active();
        return built;
      }
    }
    if (Status acquired = Acquire(*source, UpstreamFor(*source, subscription)); !acquired.ok()) {
      if (created) {
        state.series.erase(subscription.bar_spec);
      }
      undo_active();
      return acquired;
    }
    ++state.series[subscription.bar_spec]->refs;
  } else if (Status acquired = Acquire(*source, subscription); !acquired.ok()) {
    undo_active();
    return acquired;
  }
  subscriptions_.emplace(std::move(key), 1);
  return {};
}

Status DataEngine::Unsubscribe(const Subscription& subscription, std::string_view source_name) {
  Source* source = FindSource(source_name);
  if (source == nullptr) {
    return Error::NotFound("no data source '" + std::string(source_name) + "'", "source");
  }
  SubscriptionKey key{source->name, subscription.instrument.value(), subscription.kind,
                      subscription.kind == DataKind::kBars ? subscription.bar_spec : BarSpec{}};
  auto it = subscriptions_.find(key);
  if (it == subscriptions_.end()) {
    return Error::NotFound("not subscribed", "subscription");
  }
  if (--it->second > 0) {
    return {};
  }
  subscriptions_.erase(it);
  InstrumentState& state = Instrument(subscription.instrument);
  if (subscription.kind == DataKind::kBars) {
    auto series = state.series.find(subscription.bar_spec);
    if (series != state.series.end() && --series->second->refs == 0) {
      Schedule(*series->second, std::nullopt);
      state.series.erase(series);
    }
    Release(*source, UpstreamFor(*source, subscription));
  } else {
    Release(*source, subscription);
  }
  if (state.active == source) {
    // Keep the source while it has other subscriptions for the instrument, else hand the instrument to the
    // first other source that has one (or to none).
    Source* next = nullptr;
    for (const auto& [other, refs] : subscriptions_) {
      if (other.instrument != state.id.value()) {
        continue;
      }
      if (other.source == source->name) {
        next = source;
        break;
      }
      if (next == nullptr) {
        next = FindSource(other.source);
      }
    }
    if (next != source) {
      state.active = next;
      for (auto& [spec, series] : state.series) {
        Schedule(*series, std::nullopt);
        (void)BuildSeries(state, *series);
      }
    }
  }
  return {};
}

int DataEngine::SubscriptionCount(const Subscription& subscription, std::string_view source) const {
  SubscriptionKey key{std::string(source), subscription.instrument.value(), subscription.kind,
                      subscription.kind == DataKind::kBars ? subscription.bar_spec : BarSpec{}};
  auto it = subscriptions_.find(key);
  return it == subscriptions_.end() ? 0 : it->second;
}

std::optional<std::string> DataEngine::ActiveSource(const InstrumentId& instrument) const {
  InstrumentState* state = FindInstrument(instrument);
  if (state == nullptr || state->active == nullptr) {
    return std::nullopt;
  }
  return state->active->name;
}

// ---- events ---------------------------------------------------------------------------------------------

void DataEngine::Handle(std::string_view source_name, MarketEvent event) {
  if (Source* source = FindSource(source_name)) {
    Dispatch(*source, std::move(event));
  }
}

void DataEngine::Dispatch(Source& source, MarketEvent&& event) {
  if (!is_running()) {
    return;
  }
  ++source.counters.messages;
  source.status.last_message = clock().Now();
  std::visit(
      [&](auto& value) {
        using T = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<T, QuoteTick>) {
          OnQuote(source, value);
        } else if constexpr (std::is_same_v<T, TradeTick>) {
          OnTrade(source, value);
        } else if constexpr (std::is_same_v<T, BarUpdate>) {
          OnBar(source, value);
        } else if constexpr (std::is_same_v<T, OptionChain>) {
          OnChain(source, value);
        } else {
          OnStatus(source, value);
        }
      },
      event);
}

void DataEngine::OnRaw(Source& source, const RawTick& tick) {
  if (!is_running()) {
    return;
  }
  ++source.counters.messages;
  source.status.last_message = clock().Now();
  const bool finite = tick.is_quote ? std::isfinite(tick.bid) && std::isfinite(tick.ask) &&
                                          std::isfinite(tick.bid_size) && std::isfinite(tick.ask_size)
                                    : std::isfinite(tick.price) && std::isfinite(tick.size);
  if (!finite) {
    ++source.counters.ticks.non_finite;
    return;
  }
  const bool negative = tick.is_quote ? (tick.bid < 0 || tick.ask < 0 || tick.bid_size < 0 || tick.ask_size < 0)
                                      : (tick.price <= 0 || tick.size < 0);
  if (negative) {
    ++source.counters.ticks.non_positive_price;
    return;
  }
  auto converted = ConvertRawTick(tick);
  if (!converted.ok()) {
    ++source.counters.ticks.non_finite;  // beyond the fixed-point range
    return;
  }
  if (auto* quote = std::get_if<QuoteTick>(&*converted)) {
    OnQuote(source, *quote);
  } else {
    OnTrade(source, std::get<TradeTick>(*converted));
  }
}

bool DataEngine::Active(Source& source, InstrumentState* state, const InstrumentId& instrument, UnixNanos now) {
  source.ticks[instrument].last_event = now;
  if (state == nullptr || state->active != &source) {
    ++source.counters.standby;
    return false;
  }
  return true;
}

void DataEngine::OnTrade(Source& source, const TradeTick& trade) {
  TickCounters& counters = source.counters.ticks;
  if (trade.price.raw() <= 0) {
    ++counters.non_positive_price;
    return;
  }
  TickState& tick_state = source.ticks[trade.instrument_id];
  const std::int64_t ts = trade.ts_event.nanos();
  if (config_.dedup_trades && tick_state.have_trade && tick_state.trade_ts == ts &&
      tick_state.trade_init == trade.ts_init.nanos() && tick_state.trade_price == trade.price.raw() &&
      tick_state.trade_size == trade.size.raw() && tick_state.trade_side == trade.aggressor) {
    ++counters.duplicate;
    return;
  }
  if (tick_state.newest != INT64_MIN && ts < tick_state.newest - config_.out_of_order_tolerance.count()) {
    ++counters.out_of_order;
    return;
  }
  ++counters.accepted;
  ++source.counters.trades;
  tick_state.have_trade = true;
  tick_state.trade_ts = ts;
  tick_state.trade_init = trade.ts_init.nanos();
  tick_state.trade_price = trade.price.raw();
  tick_state.trade_size = trade.size.raw();
  tick_state.trade_side = trade.aggressor;
  tick_state.newest = std::max(tick_state.newest, ts);

  InstrumentState* state = FindInstrument(trade.instrument_id);
  if (!Active(source, state, trade.instrument_id, clock().Now())) {
    return;
  }
  if (cache_ != nullptr) {
    (void)cache_->Update(trade);
  }
  bus().Publish(state->trade_topic, trade);
  for (auto& [spec, series] : state->series) {
    if (series->mode != Series::Mode::kTrades || ts <= series->skip_through) {
      continue;
    }
    const std::uint64_t before = series->aggregator->counters().accepted;
    auto completed = series->aggregator->OnTrade(trade);
    if (completed || series->aggregator->counters().accepted != before) {
      AfterTick(*state, *series, completed);
    }
  }
}

void DataEngine::OnQuote(Source& source, const QuoteTick& quote) {
  TickCounters& counters = source.counters.ticks;
  const std::int64_t bid = quote.bid.raw();
  const std::int64_t ask = quote.ask.raw();
  if (bid < 0 || ask < 0 || (bid == 0 && ask == 0)) {
    ++counters.non_positive_price;
    return;
  }
  if (bid == 0 || ask == 0) {
    ++counters.one_sided_quote;
    return;
  }
  if (bid > ask) {
    ++counters.crossed_quote;
    return;
  }
  TickState& tick_state = source.ticks[quote.instrument_id];
  const std::int64_t ts = quote.ts_event.nanos();
  if (tick_state.have_quote && tick_state.quote_ts == ts && tick_state.quote_init == quote.ts_init.nanos() &&
      tick_state.bid == bid && tick_state.ask == ask && tick_state.bid_size == quote.bid_size.raw() &&
      tick_state.ask_size == quote.ask_size.raw()) {
    ++counters.duplicate;
    return;
  }
  if (tick_state.newest != INT64_MIN && ts < tick_state.newest - config_.out_of_order_tolerance.count()) {
    ++counters.out_of_order;
    return;
  }
  ++counters.accepted;
  ++source.counters.quotes;
  tick_state.have_quote = true;
  tick_state.quote_ts = ts;
  tick_state.quote_init = quote.ts_init.nanos();
  tick_state.bid = bid;
  tick_state.ask = ask;
  tick_state.bid_size = quote.bid_size.raw();
  tick_state.ask_size = quote.ask_size.raw();
  tick_state.newest = std::max(tick_state.newest, ts);

  InstrumentState* state = FindInstrument(quote.instrument_id);
  if (!Active(source, state, quote.instrument_id, clock().Now())) {
    return;
  }
  if (cache_ != nullptr) {
    (void)cache_->Update(quote);
  }
  bus().Publish(state->quote_topic, quote);
  for (auto& [spec, series] : state->series) {
    if (series->mode != Series::Mode::kQuotes || ts <= series->skip_through) {
      continue;
    }
    const std::uint64_t before = series->aggregator->counters().accepted;
    auto completed = series->aggregator->OnQuote(quote);
    if (completed || series->aggregator->counters().accepted != before) {
      AfterTick(*state, *series, completed);
    }
  }
}

void DataEngine::AfterTick(InstrumentState& state, Series& series, const std::optional<Bar>& completed) {
  if (completed) {
    EmitClosed(state, series, *completed);
  }
  if (auto partial = series.aggregator->Partial()) {
    EmitPartial(state, series, *partial);
  }
  Schedule(series, series.aggregator->PartialCompleteAt());
}

void DataEngine::OnBar(Source& source, const BarUpdate& update) {
  const Bar& bar = update.bar;
  if (!bar.IsConsistent() || !bar.low.is_positive()) {
    ++source.counters.bar_rejects;
    return;
  }
  TickState& tick_state = source.ticks[update.instrument];
  std::int64_t& last = tick_state.last_bar.try_emplace(update.spec, INT64_MIN).first->second;
  const std::int64_t ts = bar.ts_event.nanos();
  if (update.closed ? ts <= last : ts < last) {
    ++source.counters.bar_rejects;
    return;
  }
  if (update.closed) {
    last = ts;
  }
  ++source.counters.bars;
  InstrumentState* state = FindInstrument(update.instrument);
  if (!Active(source, state, update.instrument, clock().Now())) {
    return;
  }
  for (auto& [spec, series_ptr] : state->series) {
    Series& series = *series_ptr;
    if (series.mode != Series::Mode::kBars || series.source_spec != update.spec) {
      continue;
    }
    if (!series.resampler) {
      if (update.closed) {
        EmitClosed(*state, series, bar);
      } else if (ts > series.last_closed) {
        EmitPartial(*state, series, bar);
      }
      continue;
    }
    if (!update.closed) {
      continue;  // a forming source bar would be counted twice once it closes
    }
    if (auto completed = series.resampler->OnBar(bar)) {
      EmitClosed(*state, series, *completed);
    }
    auto complete_at = series.resampler->PartialCompleteAt();
    if (complete_at && complete_at->nanos() <= ts + SpecLength(update.spec)) {
      if (auto done = series.resampler->Flush()) {
        EmitClosed(*state, series, *done);
      }
      Schedule(series, std::nullopt);
    } else {
      if (auto partial = series.resampler->Partial()) {
        EmitPartial(*state, series, *partial);
      }
      // The source bar that completes the target arrives only when it closes, one source length later.
      Schedule(series,
               complete_at ? std::optional<UnixNanos>(*complete_at + Duration(SpecLength(update.spec))) : std::nullopt);
    }
  }
}

void DataEngine::OnChain(Source& source, const OptionChain& chain) {
  if (!chain.Validate().ok()) {
    ++source.counters.chain_rejects;
    return;
  }
  ++source.counters.chains;
  InstrumentState* state = FindInstrument(chain.underlying);
  if (!Active(source, state, chain.underlying, clock().Now())) {
    return;
  }
  bus().Publish(state->chain_topic, chain);
}

void DataEngine::OnStatus(Source& source, const FeedStatus& status) {
  ++source.counters.statuses;
  if (!source.status.connected && status.connected && source.ever_connected) {
    ++source.status.reconnects;
  }
  source.ever_connected = source.ever_connected || status.connected;
  source.status.connected = status.connected;
  source.status.last_error = status.last_error;
  source.status.reconnects = std::max(source.status.reconnects, status.reconnects);
  PublishStatus(source);
}

void DataEngine::PublishStatus(Source& source) {
  source.status.source = source.name;
  source.status.ts_event = clock().Now();
  source.status.messages = source.counters.messages;
  source.status.rejects = source.counters.rejects();
  bus().Publish(source.status_topic, source.status);
}

// ---- bars out -------------------------------------------------------------------------------------------

void DataEngine::EmitClosed(InstrumentState& state, Series& series, const Bar& bar) {
  if (bar.ts_event.nanos() <= series.last_closed) {
    return;  // already published (a backfill overlapping live data)
  }
  series.last_closed = bar.ts_event.nanos();
  series.update.bar = bar;
  series.update.closed = true;
  if (cache_ != nullptr) {
    (void)cache_->Update(state.id, series.spec, bar);
  }
  bus().Publish(series.closed_topic, series.update);
  ++totals_.bars_closed;
  Persist(state.id, series.spec, bar);
}

void DataEngine::EmitPartial(InstrumentState& state, Series& series, const Bar& bar) {
  if (!config_.publish_partial_bars) {
    return;
  }
  series.update.bar = bar;
  series.update.closed = false;
  if (cache_ != nullptr) {
    (void)cache_->Update(state.id, series.spec, bar);
  }
  bus().Publish(series.partial_topic, series.update);
  ++totals_.partial_bars;
}

void DataEngine::Persist(const InstrumentId& instrument, BarSpec spec, const Bar& bar) {
  if (store_ == nullptr || !config_.persist_bars) {
    return;
  }
  const runtime::BarKey key{instrument, spec};
  auto it = writers_.find(key);
  if (it == writers_.end()) {
    const int price_precision =
        std::max({bar.open.precision(), bar.high.precision(), bar.low.precision(), bar.close.precision()});
    auto writer = store_->OpenWriter(instrument, spec, price_precision, bar.volume.precision());
    if (!writer.ok()) {
      ++totals_.persist_errors;
      DataLog().Warn(
          "cannot open bar store",
          {{"instrument", instrument.value()}, {"spec", spec.ToString()}, {"error", writer.error().ToString()}});
      return;
    }
    it = writers_.emplace(key, std::move(*writer)).first;
  }
  scratch_.Clear();
  scratch_.price_precision = 0;
  scratch_.volume_precision = 0;
  scratch_.Push(bar);
  auto appended = it->second.Append(scratch_);
  if (!appended.ok()) {
    ++totals_.persist_errors;
    return;
  }
  totals_.bars_persisted += appended->appended;
}

void DataEngine::Schedule(Series& series, std::optional<UnixNanos> complete_at) {
  const std::int64_t at = complete_at ? complete_at->nanos() + config_.bar_close_delay.count() : INT64_MIN;
  if (at == series.complete_at) {
    return;
  }
  if (series.complete_at != INT64_MIN) {
    pending_closes_.erase({series.complete_at, &series});
  }
  series.complete_at = at;
  if (at != INT64_MIN) {
    pending_closes_.emplace(at, &series);
  }
  ArmCloseAlarm();
}

void DataEngine::ArmCloseAlarm() {
  if (pending_closes_.empty()) {
    if (armed_at_ != INT64_MAX) {
      CancelTimer("close");
      armed_at_ = INT64_MAX;
    }
    return;
  }
  const std::int64_t earliest = pending_closes_.begin()->first;
  if (earliest == armed_at_ || !is_running()) {
    return;
  }
  armed_at_ = earliest;
  Status armed = SetAlarm("close", UnixNanos(earliest), [this](const TimeEvent&) { OnCloseAlarm(); });
  TD_CHECK(armed.ok()) << armed.error().ToString();
}

void DataEngine::OnCloseAlarm() {
  armed_at_ = INT64_MAX;
  const std::int64_t now = clock().Now().nanos();
  while (!pending_closes_.empty() && pending_closes_.begin()->first <= now) {
    Series* series = pending_closes_.begin()->second;
    pending_closes_.erase(pending_closes_.begin());
    series->complete_at = INT64_MIN;
    std::optional<Bar> done;
    if (series->aggregator) {
      done = series->aggregator->Flush();
    } else if (series->resampler) {
      done = series->resampler->Flush();
    }
    if (done) {
      done->ts_init = UnixNanos(now);
      EmitClosed(*series->owner, *series, *done);
    }
  }
  ArmCloseAlarm();
}

void DataEngine::FlushBars() {
  for (auto& [id, state] : instruments_) {
    for (auto& [spec, series] : state->series) {
      std::optional<Bar> done;
      if (series->aggregator) {
        done = series->aggregator->Flush();
      } else if (series->resampler) {
        done = series->resampler->Flush();
      }
      if (done) {
        EmitClosed(*state, *series, *done);
      }
      Schedule(*series, std::nullopt);
    }
  }
}

// ---- failover and history -------------------------------------------------------------------------------

Status DataEngine::SwitchSource(const InstrumentId& instrument, std::string_view source_name, bool backfill) {
  InstrumentState* state = FindInstrument(instrument);
  if (state == nullptr) {
    return Error::NotFound("no subscriptions for " + instrument.value(), "instrument");
  }
  Source* source = FindSource(source_name);
  if (source == nullptr) {
    return Error::NotFound("no data source '" + std::string(source_name) + "'", "source");
  }
  state->active = source;
  for (auto& [spec, series] : state->series) {
    Schedule(*series, std::nullopt);
    TD_TRY(BuildSeries(*state, *series));  // drops the old source's forming bar
    if (backfill && source->caps.history) {
      Backfill(*state, *series, *source);
    }
  }
  return {};
}

void DataEngine::Backfill(InstrumentState& state, Series& series, Source& source) {
  const UnixNanos now = clock().Now();
  const UnixNanos from = series.last_closed != INT64_MIN ? UnixNanos(series.last_closed + 1) : series.since;
  const UnixNanos to = now + Duration(1);
  if (from >= to) {
    return;
  }
  const BarSpec request_spec = series.mode == Series::Mode::kBars ? series.source_spec : series.spec;
  ++totals_.backfill_requests;
  auto bars = source.client->RequestBars(state.id, request_spec, from, to);
  if (!bars.ok()) {
    DataLog().Warn("backfill failed", {{"instrument", state.id.value()},
                                       {"spec", series.spec.ToString()},
                                       {"source", source.name},
                                       {"error", bars.error().ToString()}});
    return;
  }
  std::sort(bars->begin(), bars->end(), [](const Bar& a, const Bar& b) { return a.ts_event < b.ts_event; });
  const std::uint64_t closed_before = totals_.bars_closed;
  const std::int64_t source_length = SpecLength(request_spec);
  for (const Bar& bar : *bars) {
    if (!bar.IsConsistent() || !bar.low.is_positive()) {
      continue;
    }
    const std::int64_t ts = bar.ts_event.nanos();
    if (series.mode != Series::Mode::kBars) {
      if (ts <= series.last_closed || !series.aggregator->Seed(bar).ok()) {
        continue;
      }
      auto complete_at = series.aggregator->PartialCompleteAt();
      if (complete_at && *complete_at <= now) {
        if (auto done = series.aggregator->Flush()) {
          EmitClosed(state, series, *done);
        }
      } else if (auto partial = series.aggregator->Partial()) {
        EmitPartial(state, series, *partial);
        Schedule(series, complete_at);
      }
      continue;
    }
    const bool complete = ts + source_length <= now.nanos();
    if (!series.resampler) {
      if (complete) {
        EmitClosed(state, series, bar);
      } else if (ts > series.last_closed) {
        EmitPartial(state, series, bar);
      }
      continue;
    }
    if (!complete) {
      continue;
    }
    if (auto completed = series.resampler->OnBar(bar)) {
      EmitClosed(state, series, *completed);
    }
    auto complete_at = series.resampler->PartialCompleteAt();
    if (complete_at && complete_at->nanos() <= ts + source_length) {
      if (auto done = series.resampler->Flush()) {
        EmitClosed(state, series, *done);
      }
    }
  }
  if (series.mode == Series::Mode::kBars && series.resampler) {
    const auto complete_at = series.resampler->PartialCompleteAt();
    Schedule(series, complete_at ? std::optional<UnixNanos>(*complete_at + Duration(source_length)) : std::nullopt);
  }
  series.skip_through = now.nanos();
  totals_.backfilled_bars += totals_.bars_closed - closed_before;
}

Status DataEngine::WriteBack(const InstrumentId& instrument, BarSpec spec, std::vector<Bar> bars) {
  if (store_ == nullptr || bars.empty()) {
    return {};
  }
  std::optional<std::int64_t> first;
  std::optional<std::int64_t> last;
  SeriesHeader header{instrument, spec, 0, 0};
  BarColumns stored;
  if (auto series = store_->Open(instrument, spec); series.ok() && !series->empty()) {
    first = series->ts().front();
    last = series->ts().back();
    header = series->header();
    stored = series->Slice(0, series->size());
  }
  BarColumns head;
  BarColumns tail;
  head.price_precision = tail.price_precision = 0;
  head.volume_precision = tail.volume_precision = 0;
  for (const Bar& bar : bars) {
    const std::int64_t ts = bar.ts_event.nanos();
    if (!first || ts > *last) {
      tail.Push(bar);
    } else if (ts < *first) {
      head.Push(bar);
    }
  }
  const runtime::BarKey key{instrument, spec};
  if (!head.empty()) {
    // The store only appends, so older bars mean rewriting the series: build it beside the old one, then swap.
    writers_.erase(key);
    BarColumns merged = head;
    merged.price_precision = std::max(head.price_precision, header.price_precision);
    merged.volume_precision = std::max(head.volume_precision, header.volume_precision);
    for (std::size_t i = 0; i < stored.size(); ++i) {
      merged.Push(stored.ts[i], stored.open[i], stored.high[i], stored.low[i], stored.close[i], stored.volume[i]);
    }
    const std::filesystem::path dir = store_->SeriesDir(instrument, spec);
    std::filesystem::path fresh = dir;
    fresh += ".rewrite";
    std::filesystem::path old = dir;
    old += ".old";
    std::error_code ec;
    std::filesystem::remove_all(fresh, ec);
    std::filesystem::remove_all(old, ec);
    {
      auto writer =
          BarWriter::Open(fresh, SeriesHeader{instrument, spec, merged.price_precision, merged.volume_precision});
      if (!writer.ok()) {
        return writer.error();
      }
      TD_TRY(writer->Append(merged));
      TD_TRY(writer->Sync());
    }
    std::filesystem::rename(dir, old, ec);
    if (ec) {
      return Error::Io("cannot move " + dir.string() + ": " + ec.message());
    }
    std::filesystem::rename(fresh, dir, ec);
    if (ec) {
      return Error::Io("cannot move " + fresh.string() + ": " + ec.message());
    }
    std::filesystem::remove_all(old, ec);
  }
  if (!tail.empty()) {
    auto it = writers_.find(key);
    if (it == writers_.end()) {
      auto writer = store_->OpenWriter(instrument, spec, tail.price_precision, tail.volume_precision);
      if (!writer.ok()) {
        return writer.error();
      }
      it = writers_.emplace(key, std::move(*writer)).first;
    }
    auto appended = it->second.Append(tail);
    if (!appended.ok()) {
      return appended.error();
    }
  }
  return {};
}

Result<std::vector<Bar>> DataEngine::History(const InstrumentId& instrument, BarSpec spec, UnixNanos from, UnixNanos to,
                                             std::string_view source_name) {
  if (to <= from) {
    return Error::InvalidArgument("history range is empty", "to");
  }
  const SessionRule rule = RuleFor(instrument);
  std::map<std::int64_t, Bar> bars;
  std::optional<std::int64_t> first;
  std::optional<std::int64_t> last;
  if (store_ != nullptr) {
    if (auto series = store_->Open(instrument, spec); series.ok() && !series->empty()) {
      first = series->ts().front();
      last = series->ts().back();
      const auto [begin, end] = series->Range(from, to);
      for (std::size_t i = begin; i < end; ++i) {
        Bar bar = series->At(i);
        bars.emplace(bar.ts_event.nanos(), bar);
      }
    }
  }
  const UnixNanos limit = std::min(to, clock().Now());
  std::vector<std::pair<UnixNanos, UnixNanos>> gaps;
  if (!first) {
    gaps.emplace_back(from, limit);
  } else {
    if (from.nanos() < *first) {
      gaps.emplace_back(from, std::min(limit, UnixNanos(*first)));
    }
    const UnixNanos tail_from = std::max(from, UnixNanos(*last + SpecLength(spec)));
    gaps.emplace_back(tail_from, limit);
  }
  std::erase_if(gaps, [&](const auto& gap) { return !RangeHasSession(rule, gap.first, gap.second); });
  if (gaps.empty()) {
    std::vector<Bar> out;
    out.reserve(bars.size());
    for (auto& [ts, bar] : bars) {
      out.push_back(bar);
    }
    return out;
  }
  Source* source = nullptr;
  if (!source_name.empty()) {
    source = FindSource(source_name);
    if (source == nullptr) {
      return Error::NotFound("no data source '" + std::string(source_name) + "'", "source");
    }
  } else if (InstrumentState* state = FindInstrument(instrument);
             state != nullptr && state->active != nullptr && state->active->caps.history) {
    source = state->active;
  } else {
    for (auto& candidate : sources_) {
      if (candidate->caps.history) {
        source = candidate.get();
        break;
      }
    }
  }
  if (source == nullptr || !source->caps.history) {
    if (!bars.empty()) {
      std::vector<Bar> out;
      for (auto& [ts, bar] : bars) {
        out.push_back(bar);
      }
      return out;
    }
    return Error{ErrorCode::kUnavailable, "no stored bars and no source with history for " + instrument.value(),
                 "source"};
  }
  std::vector<Bar> fetched;
  for (const auto& [gap_from, gap_to] : gaps) {
    ++totals_.backfill_requests;
    auto got = source->client->RequestBars(instrument, spec, gap_from, gap_to);
    if (!got.ok()) {
      return got.error();
    }
    for (const Bar& bar : *got) {
      if (bar.ts_event >= gap_from && bar.ts_event < gap_to && bar.IsConsistent() && bar.low.is_positive() &&
          !bars.contains(bar.ts_event.nanos())) {
        fetched.push_back(bar);
      }
    }
  }
  std::sort(fetched.begin(), fetched.end(), [](const Bar& a, const Bar& b) { return a.ts_event < b.ts_event; });
  fetched.erase(
      std::unique(fetched.begin(), fetched.end(), [](const Bar& a, const Bar& b) { return a.ts_event == b.ts_event; }),
      fetched.end());
  totals_.backfilled_bars += fetched.size();
  // A bar still forming at the source is returned but never stored: the store only holds final bars, and
  // the next request asks the source again from the last stored one.
  std::vector<Bar> complete;
  complete.reserve(fetched.size());
  const std::int64_t length = SpecLength(spec);
  for (const Bar& bar : fetched) {
    if (bar.ts_event.nanos() + length <= clock().Now().nanos()) {
      complete.push_back(bar);
    }
  }
  if (Status written = WriteBack(instrument, spec, std::move(complete)); !written.ok()) {
    ++totals_.persist_errors;
    DataLog().Warn(
        "history write-back failed",
        {{"instrument", instrument.value()}, {"spec", spec.ToString()}, {"error", written.error().ToString()}});
  }
  for (const Bar& bar : fetched) {
    bars.emplace(bar.ts_event.nanos(), bar);
  }
  std::vector<Bar> out;
  out.reserve(bars.size());
  for (auto& [ts, bar] : bars) {
    out.push_back(bar);
  }
  return out;
}

// ---- snapshots ------------------------------------------------------------------------------------------

DataEngineCounters DataEngine::Counters() const {
  DataEngineCounters out = totals_;
  out.sources.clear();
  for (const auto& source : sources_) {
    SourceCounters counters = source->counters;
    counters.queue_drops = source->drops.load(std::memory_order_relaxed);
    out.sources.push_back(std::move(counters));
  }
  return out;
}

const FeedStatus* DataEngine::SourceStatus(std::string_view source) const {
  Source* found = FindSource(source);
  return found != nullptr ? &found->status : nullptr;
}

std::optional<UnixNanos> DataEngine::LastEvent(std::string_view source, const InstrumentId& instrument) const {
  Source* found = FindSource(source);
  if (found == nullptr) {
    return std::nullopt;
  }
  auto it = found->ticks.find(instrument);
  return it == found->ticks.end() ? std::nullopt : it->second.last_event;
}

}  // namespace td::data
