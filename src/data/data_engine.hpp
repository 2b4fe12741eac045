// SPDX-License-Identifier: MIT
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/ids.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "data/bar_aggregator.hpp"
#include "data/bar_store.hpp"
#include "data/data_client.hpp"
#include "data/session_source.hpp"
#include "model/bar.hpp"
#include "model/tick.hpp"
#include "runtime/actor.hpp"
#include "runtime/cache.hpp"
#include "runtime/kernel.hpp"
#include "runtime/message_bus.hpp"

namespace td::data {

/// "data.quotes.<ID>": every accepted QuoteTick of the instrument's active source.
std::string QuoteTopic(const InstrumentId& instrument);
/// "data.trades.<ID>": every accepted TradeTick.
std::string TradeTopic(const InstrumentId& instrument);
/// "data.bars.<ID>.<spec>": closed bars, as BarUpdate{closed = true}.
std::string BarTopic(const InstrumentId& instrument, BarSpec spec);
/// "data.bars.partial.<ID>.<spec>": the forming bar after every tick, as BarUpdate{closed = false}.
std::string PartialBarTopic(const InstrumentId& instrument, BarSpec spec);
/// "data.chains.<ID>": option chains of an underlying.
std::string ChainTopic(const InstrumentId& underlying);
/// "data.status.<source>": the FeedStatus of a source, on every change.
std::string StatusTopic(std::string_view source);

/// What the engine saw from one source. A plain snapshot for /metrics.
struct SourceCounters {
  std::string source;
  std::uint64_t messages = 0;  // events handled on the kernel thread
  std::uint64_t quotes = 0;    // accepted quotes
  std::uint64_t trades = 0;    // accepted trades
  std::uint64_t bars = 0;      // accepted source bars (closed and partial)
  std::uint64_t chains = 0;
  std::uint64_t statuses = 0;
  TickCounters ticks;             // tick validation: accepted and rejected by reason
  std::uint64_t bar_rejects = 0;  // inconsistent, non-positive or out-of-order source bars
  std::uint64_t chain_rejects = 0;
  std::uint64_t queue_drops = 0;  // events the sink could not queue (kernel queue full)
  std::uint64_t standby = 0;      // valid events of a source that is not active for their instrument

  std::uint64_t rejects() const { return ticks.rejected() + bar_rejects + chain_rejects; }
};

/// Engine-wide counters plus one entry per source in registration order.
struct DataEngineCounters {
  std::vector<SourceCounters> sources;
  std::uint64_t bars_closed = 0;     // closed bars published
  std::uint64_t partial_bars = 0;    // partial bars published
  std::uint64_t bars_persisted = 0;  // closed bars appended to the store
  std::uint64_t persist_errors = 0;
  std::uint64_t backfill_requests = 0;  // RequestBars calls made for history or gap backfill
  std::uint64_t backfilled_bars = 0;    // bars those calls returned that filled a gap
};

/// Settings of the data engine.
struct DataEngineConfig {
  std::string name = "DataEngine";     // actor name (a topic segment)
  Duration out_of_order_tolerance{0};  // ticks this much older than the newest of their source pass
  bool dedup_trades = true;            // reject a trade identical to the previous one (same ts_init too)
  bool publish_partial_bars = true;
  bool persist_bars = true;                    // closed bars go to the store when one is given
  BarSpec base_bar_spec{1, BarUnit::kMinute};  // what bar-only sources are asked for; higher specs are resampled
  Duration bar_close_delay{0};                 // grace after a bar's end before a timer closes it
  /// The session rule of an instrument (zone, hours, calendar); DefaultSessionRule when empty.
  std::function<SessionRule(const InstrumentId&)> session_rule;
};

/// The kernel-thread hub of market data. Registers DataClients and routes Subscribe/Unsubscribe to them
/// (reference-counted per source and subscription); gives each client a sink that only posts onto the
/// kernel's bounded queue (never blocks, counts drops); validates ticks per source; builds bars (1 s – 1 D)
/// from ticks, or resamples a source's bars, with calendar-aware session boundaries; publishes quotes,
/// trades, closed and partial bars and feed status on the bus; updates the Cache; persists closed bars;
/// serves history from the BarStore with backfill from the source. Every method runs on the kernel thread.
/// Each instrument has one active source: data of other subscribed sources (hot standby) is validated
/// and counted, not published; SwitchSource moves an instrument and backfills the gap.
class DataEngine final : public runtime::Actor {
 public:
  /// `cache` and `store` are optional (null). The kernel's queue carries client events to Handle().
  DataEngine(runtime::MessageBus& bus, runtime::Kernel& kernel, runtime::Cache* cache, BarStore* store,
             DataEngineConfig config = {});
  ~DataEngine() override;

  /// Registers a client under its name (unique). The client must outlive the engine or be removed first.
  Status AddClient(DataClient& client);
  /// Connects a registered client to its sink and publishes its status.
  Status Connect(std::string_view source);
  /// Disconnects a client; its sink is not called again afterwards.
  void Disconnect(std::string_view source);
  /// Registered source names in registration order.
  std::vector<std::string> Sources() const;
  DataClient* Client(std::string_view source) const;

  /// Subscribes through `source`. Repeated subscriptions are counted; the client sees the first. For
  /// kBars the client is asked for trades (else quotes, else `base_bar_spec` bars) and the engine builds
  /// the requested spec. The first source subscribed for an instrument becomes its active source.
  Status Subscribe(const Subscription& subscription, std::string_view source);
  /// Releases one reference; the last one unsubscribes the client.
  Status Unsubscribe(const Subscription& subscription, std::string_view source);
  /// How many references a subscription holds on `source`.
  int SubscriptionCount(const Subscription& subscription, std::string_view source) const;

  /// Makes `source` the instrument's active source. With `backfill`, each bar series drops the partial
  /// bar of the old source, asks the new source's history from its last closed bar to now, publishes the
  /// missing closed bars and continues the forming bar from it: no hole, no duplicate.
  Status SwitchSource(const InstrumentId& instrument, std::string_view source, bool backfill = true);
  std::optional<std::string> ActiveSource(const InstrumentId& instrument) const;

  /// Bars of [from, to) served from the store; the parts of the range with session time before the first
  /// or after the last stored bar (up to now) are requested from `source` (default: the instrument's
  /// active source, else the first source with history) and written back to the store.
  Result<std::vector<Bar>> History(const InstrumentId& instrument, BarSpec spec, UnixNanos from, UnixNanos to,
                                   std::string_view source = {});

  /// Closes every forming bar (end of data) and publishes them.
  void FlushBars();

  DataEngineCounters Counters() const;
  /// The latest status of a source, or null when unknown.
  const FeedStatus* SourceStatus(std::string_view source) const;
  /// When `source` last delivered a valid event for `instrument` (clock time), if ever.
  std::optional<UnixNanos> LastEvent(std::string_view source, const InstrumentId& instrument) const;
  /// The session rule used for an instrument.
  SessionRule RuleFor(const InstrumentId& instrument) const;

  /// The kernel-thread entry point of the sinks (public for tests that bypass the queue).
  void Handle(std::string_view source, MarketEvent event);

 protected:
  void OnStop() override;

 private:
  struct Source;
  struct Series;
  struct InstrumentState;
  struct TickState;
  class Sink;
  struct SubscriptionKey {
    std::string source;
    std::string instrument;
    DataKind kind = DataKind::kTrades;
    BarSpec spec;
    friend auto operator<=>(const SubscriptionKey&, const SubscriptionKey&) = default;
  };

  Source* FindSource(std::string_view name) const;
  InstrumentState& Instrument(const InstrumentId& instrument);
  InstrumentState* FindInstrument(const InstrumentId& instrument) const;
  Subscription UpstreamFor(const Source& source, const Subscription& subscription) const;
  Status Acquire(Source& source, const Subscription& upstream);
  void Release(Source& source, const Subscription& upstream);
  Status BuildSeries(InstrumentState& state, Series& series);
  void Dispatch(Source& source, MarketEvent&& event);
  void OnQuote(Source& source, const QuoteTick& quote);
  void OnTrade(Source& source, const TradeTick& trade);
  void OnBar(Source& source, const BarUpdate& update);
  void OnChain(Source& source, const OptionChain& chain);
  void OnStatus(Source& source, const FeedStatus& status);
  void OnRaw(Source& source, const RawTick& tick);
  bool Active(Source& source, InstrumentState* state, const InstrumentId& instrument, UnixNanos now);
  void AfterTick(InstrumentState& state, Series& series, const std::optional<Bar>& completed);
  void EmitClosed(InstrumentState& state, Series& series, const Bar& bar);
  void EmitPartial(InstrumentState& state, Series& series, const Bar& bar);
  void Persist(const InstrumentId& instrument, BarSpec spec, const Bar& bar);
  void Schedule(Series& series, std::optional<UnixNanos> complete_at);
  void ArmCloseAlarm();
  void OnCloseAlarm();
  void Backfill(InstrumentState& state, Series& series, Source& source);
  void PublishStatus(Source& source);
  Status WriteBack(const InstrumentId& instrument, BarSpec spec, std::vector<Bar> bars);

  runtime::Kernel& kernel_;
  runtime::Cache* cache_;
  BarStore* store_;
  DataEngineConfig config_;
  std::vector<std::unique_ptr<Source>> sources_;
  std::unordered_map<InstrumentId, std::unique_ptr<InstrumentState>> instruments_;
  std::map<SubscriptionKey, int> subscriptions_;
  std::map<runtime::BarKey, BarWriter> writers_;
  std::set<std::pair<std::int64_t, Series*>> pending_closes_;  // (complete-at, series) of forming bars
  std::int64_t armed_at_ = INT64_MAX;
  DataEngineCounters totals_;
  BarColumns scratch_;  // reused for one-bar appends
};

}  // namespace td::data
