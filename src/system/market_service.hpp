// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "config/config.hpp"
#include "core/clock.hpp"
#include "core/ids.hpp"
#include "core/result.hpp"
#include "data/data_client.hpp"
#include "data/data_engine.hpp"
#include "data/feed_manager.hpp"
#include "model/bar.hpp"
#include "model/option_chain.hpp"
#include "model/tick.hpp"

namespace td::adapters::simulator {
class MarketSimulator;
}

namespace td::system {

/// What a chart or history client needs to know about an instrument.
struct InstrumentInfo {
  InstrumentId id;
  std::string time_zone;  // IANA zone of the instrument's exchange session
  int price_precision = 2;
};

/// One source as the engine sees it: its status (connected, last message, last error, messages, rejects,
/// reconnects) and its counters (accepted and rejected ticks by reason, standby, queue drops).
struct SourceHealth {
  data::FeedStatus status;
  data::SourceCounters counters;
  std::string role;  // "primary", "backup" or "" (registered but not part of a feed)
};

/// The latest quote of an instrument: last price, best bid/ask when the source quotes them, and the
/// current (or last) session's open/high/low/volume with the previous session's close.
struct MarketQuote {
  InstrumentId id;
  UnixNanos ts;  // newest information used
  Price ltp;
  std::optional<Price> bid;
  std::optional<Price> ask;
  Quantity bid_size;
  Quantity ask_size;
  Price open, high, low;  // session so far (zero when no bar yet)
  Price prev_close;       // zero when unknown
  Quantity volume;        // session volume so far
};

/// A consistent snapshot of the market-data plumbing, taken on the kernel thread.
struct FeedsSnapshot {
  UnixNanos taken_at;                   // the clock when it was taken; ages are measured from here
  std::vector<data::FeedHealth> feeds;  // sorted by feed name
  std::vector<SourceHealth> sources;    // registration order: primary first
  std::uint64_t bars_closed = 0;
  std::uint64_t backfill_requests = 0;
  std::uint64_t backfilled_bars = 0;
  std::uint64_t persist_errors = 0;
  std::uint64_t kernel_queue_drops = 0;
};

/// The market the server shows. Thread-safe: API handlers call it from I/O threads.
///
/// `Start` composes the market from typed config: the DataEngine and FeedManager on their own kernel
/// thread, the primary source (`data.source`) and optional backup (`data.backup`) as DataClients, one
/// feed per exchange with primary/backup failover, and the bar store under the data directory.
/// `StartSimulator` is the seeded simulator alone (no engine, no feeds): tools and tests that only chart.
class MarketService {
 public:
  struct Options {
    std::uint64_t seed = 42;
    int history_days = 5;  // sessions of 1-minute history before start
  };

  /// The simulator alone, brought up to `clock` whenever asked. `clock` must outlive the service.
  static Result<std::unique_ptr<MarketService>> StartSimulator(const Options& options, const Clock& clock);
  /// The full market from `[data]`: sources, engine, feeds; the bar store lives under `data_dir`.
  /// `clock` must outlive the service and be thread-safe (LiveClock): the kernel thread runs its timers.
  /// Fails when a setting is unusable (the error names it) or when no source can connect.
  static Result<std::unique_ptr<MarketService>> Start(const config::DataConfig& data,
                                                      const std::filesystem::path& data_dir, Clock& clock);
  ~MarketService();
  MarketService(const MarketService&) = delete;
  MarketService& operator=(const MarketService&) = delete;

  /// Resolves "EXCHANGE:SYMBOL" exactly, or a bare symbol ("NIFTY", "spy") to the instrument that has it.
  /// Vendor sources serve any well-formed id (their universe is open); bare symbols only from data.symbols.
  Result<InstrumentInfo> Resolve(std::string_view text) const;
  /// Bars in [from, to), labelled by bar start, oldest first.
  Result<std::vector<Bar>> Bars(const InstrumentId& id, BarSpec spec, UnixNanos from, UnixNanos to);
  std::vector<InstrumentInfo> Instruments() const;
  /// The primary source's name ("simulator", "openalgo", ...).
  std::string_view source() const { return source_; }
  /// The backup source's name, empty without failover.
  std::string_view backup() const { return backup_; }
  UnixNanos Now() const { return clock_.Now(); }

  /// The latest quote of an instrument. The first call for an instrument subscribes its quotes and trades at
  /// the primary source, so bid/ask may be absent until the next tick; the session figures come from bars.
  Result<MarketQuote> Quote(const InstrumentId& id);
  /// An option-chain snapshot of an underlying now (every listed expiry, or only `expiry`). Simulator-backed
  /// markets price it from the simulator's surface; vendor sources ask their DataClient::RequestChain.
  Result<OptionChain> Chain(const InstrumentId& underlying, std::optional<CivilDate> expiry = std::nullopt);
  /// Underlyings with option chains, sorted (vendor sources: data.symbols, whose chains are asked on demand).
  std::vector<InstrumentId> OptionUnderlyings() const { return option_underlyings_; }

  /// Feed health and per-source counters (empty for StartSimulator, which runs no engine).
  Result<FeedsSnapshot> Feeds() const;

 private:
  struct Live;

  MarketService(std::string source, std::string backup, const Clock& clock);
  void CatchUp();

  mutable std::mutex mutex_;
  std::unique_ptr<adapters::simulator::MarketSimulator> simulator_;  // StartSimulator only
  const Clock& clock_;
  std::string source_;
  std::string backup_;
  std::vector<InstrumentInfo> instruments_;
  bool open_universe_ = false;  // vendor sources: any EXCHANGE:SYMBOL resolves
  std::unique_ptr<Live> live_;  // Start only
  std::vector<InstrumentId> option_underlyings_;
  std::unordered_map<InstrumentId, QuoteTick> sim_quotes_;  // StartSimulator: the last quote per instrument
  std::unordered_set<InstrumentId> quote_subscribed_;       // Start: instruments whose quotes the engine takes
};

}  // namespace td::system
