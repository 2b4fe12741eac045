// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/ids.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "model/bar.hpp"
#include "model/option_chain.hpp"
#include "model/tick.hpp"

namespace td::data {

/// What a subscription asks a source for.
enum class DataKind : std::uint8_t { kQuotes, kTrades, kBars, kDepth, kChain };

/// One stream of one instrument from a source. `bar_spec` matters only for kBars.
struct Subscription {
  InstrumentId instrument;
  DataKind kind = DataKind::kTrades;
  BarSpec bar_spec{};
  friend bool operator==(const Subscription&, const Subscription&) = default;
};

/// A bar delivered by a source that sends bars (vendor aggregates, replay). `closed` is false for a bar
/// still forming; a later update with the same start replaces it.
struct BarUpdate {
  InstrumentId instrument;
  BarSpec spec;
  Bar bar;
  bool closed = true;
};

/// The health of one source, published whenever it changes and on a heartbeat.
struct FeedStatus {
  std::string source;
  bool connected = false;
  UnixNanos ts_event;         // when this status was taken
  UnixNanos last_message;     // when the source last delivered anything
  std::string last_error;
  std::uint64_t messages = 0;
  std::uint64_t rejects = 0;  // messages the source delivered that failed validation
  std::uint64_t reconnects = 0;
};

/// Everything a DataClient can deliver.
using MarketEvent = std::variant<QuoteTick, TradeTick, BarUpdate, OptionChain, FeedStatus>;

/// A tick as a feed that speaks doubles (JSON vendors) decoded it, before conversion to fixed point; the
/// engine checks finiteness and sign on the kernel thread and counts what it rejects per source.
struct RawTick {
  InstrumentId instrument_id;
  bool is_quote = false;
  double price = 0.0;  // trade
  double size = 0.0;
  double bid = 0.0;  // quote
  double ask = 0.0;
  double bid_size = 0.0;
  double ask_size = 0.0;
  int precision = 2;  // decimals of the instrument's prices
  UnixNanos ts_event;
  UnixNanos ts_init;
};

/// Converts a RawTick to a fixed-point quote or trade; an Error when a value is NaN, infinite, negative or
/// out of range.
Result<std::variant<QuoteTick, TradeTick>> ConvertRawTick(const RawTick& tick);

/// Receives a client's events. Clients call it from their own I/O thread, so implementations must be
/// thread-safe; the data engine's sink only pushes onto the kernel's bounded queue and never blocks.
class MarketEventSink {
 public:
  virtual ~MarketEventSink() = default;
  virtual void OnEvent(MarketEvent event) = 0;
  /// A double-valued tick. The default converts it and drops what does not convert; the data engine's
  /// sink overrides it to validate and count on the kernel thread.
  virtual void OnRawTick(const RawTick& tick) {
    auto converted = ConvertRawTick(tick);
    if (converted.ok()) {
      std::visit([this](auto& value) { OnEvent(MarketEvent(std::move(value))); }, *converted);
    }
  }
};

/// How a client publishes its FeedStatus: stamps `status` with `now` and sends a copy to `sink` when there is
/// one, both read under `mutex` (which guards them in the client) and the sink called outside it.
inline void PublishFeedStatus(std::mutex& mutex, FeedStatus& status, MarketEventSink* const& sink, UnixNanos now) {
  MarketEventSink* target = nullptr;
  FeedStatus copy;
  {
    std::lock_guard lock(mutex);
    status.ts_event = now;
    target = sink;
    copy = status;
  }
  if (target != nullptr) {
    target->OnEvent(MarketEvent(std::move(copy)));
  }
}

/// What a source can do; the feed manager routes requests by it.
struct DataCapabilities {
  bool quotes = false;
  bool trades = false;
  bool bars = false;      // streams bars itself
  bool depth = false;
  bool history = false;   // answers RequestBars
  bool chains = false;    // answers RequestChain
};

/// The port every market-data source implements (simulator, replay, OpenAlgo, Polygon, Yahoo, Tradier).
/// The engine owns the port; adapters live under adapters/ and are chosen only by system/.
class DataClient {
 public:
  virtual ~DataClient() = default;

  /// A short stable name for logs, metrics and feed status ("simulator", "openalgo", ...).
  virtual std::string_view name() const = 0;
  virtual DataCapabilities capabilities() const = 0;

  /// Starts delivering events for current and future subscriptions to `sink` (which outlives the client's
  /// connection). Returns once the connection is up or has definitely failed.
  virtual Status Connect(MarketEventSink& sink) = 0;
  /// Stops delivering; after it returns the sink is never called again.
  virtual void Disconnect() = 0;

  virtual Status Subscribe(const Subscription& subscription) = 0;
  virtual Status Unsubscribe(const Subscription& subscription) = 0;

  /// Historical bars in [from, to), labelled by bar start, oldest first.
  virtual Result<std::vector<Bar>> RequestBars(const InstrumentId& instrument, BarSpec spec, UnixNanos from,
                                               UnixNanos to) = 0;
  /// The latest option chain of an underlying: every listed expiry, or only `expiry` when given.
  virtual Result<OptionChain> RequestChain(const InstrumentId& underlying, std::optional<CivilDate> expiry) {
    (void)underlying;
    (void)expiry;
    return Error{ErrorCode::kUnavailable, std::string(name()) + " does not serve option chains", {}};
  }
};

}  // namespace td::data
