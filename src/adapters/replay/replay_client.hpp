// SPDX-License-Identifier: MIT
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/ids.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "data/bar_columns.hpp"
#include "data/bar_import.hpp"
#include "data/bar_store.hpp"
#include "data/data_client.hpp"
#include "model/bar.hpp"
#include "model/tick.hpp"
#include "runtime/kernel.hpp"

namespace td::adapters::replay {

/// How a replay moves through time.
enum class ReplayPace : std::uint8_t {
  kSimulated,  // backtest: PlayUntil drives a TestClock kernel to each event's time, as fast as possible
  kWallClock,  // demo: a thread emits events at `speed` times their recorded pace
};

/// Settings of a replay source.
struct ReplayConfig {
  std::string name = "replay";
  ReplayPace pace = ReplayPace::kSimulated;
  double speed = 1.0;  // kWallClock: 60 plays a minute of data per second
};

/// Which Lean tick file layout a file has.
enum class LeanTickKind : std::uint8_t { kTrade, kQuote };

/// A DataClient that plays recorded data: bars from the BarStore or bar files (data's importers), trade
/// and quote ticks from Lean tick files or memory. All instruments are merged in time order (a k-way merge
/// over per-stream cursors; ties go to the stream added first, so a replay is deterministic). A bar is
/// played when it is complete (at start + length), a tick at its ts_event. Only subscribed streams play.
/// Answers RequestBars from its bar streams (resampling a finer stream when needed).
class ReplayClient final : public data::DataClient {
 public:
  explicit ReplayClient(ReplayConfig config = {});
  ~ReplayClient() override;
  ReplayClient(const ReplayClient&) = delete;
  ReplayClient& operator=(const ReplayClient&) = delete;

  /// Adds a bar stream (sorted by time). One stream per (instrument, spec).
  Status AddBars(const InstrumentId& instrument, BarSpec spec, data::BarColumns bars);
  /// Adds the stored bars of [from, to).
  Status AddBarsFromStore(const data::BarStore& store, const InstrumentId& instrument, BarSpec spec, UnixNanos from,
                          UnixNanos to);
  /// Parses a bar file with data's importer and adds its bars.
  Result<data::ImportReport> AddBarFile(const std::filesystem::path& path, const data::ImportOptions& options);
  /// Adds trade ticks of one instrument (sorted by ts_event).
  Status AddTrades(std::vector<TradeTick> trades);
  /// Adds quote ticks of one instrument (sorted by ts_event).
  Status AddQuotes(std::vector<QuoteTick> quotes);
  /// Reads a Lean tick file (zip or plain: `ms,price*10000,size,...` or `ms,bid,bid_size,ask,ask_size,...`)
  /// of one session date in `time_zone` and adds it; returns the number of ticks.
  Result<std::size_t> AddLeanTicks(const std::filesystem::path& path, const InstrumentId& instrument, CivilDate date,
                                   LeanTickKind kind, std::string_view time_zone = "America/New_York");

  std::string_view name() const override { return config_.name; }
  data::DataCapabilities capabilities() const override;
  Status Connect(data::MarketEventSink& sink) override;
  void Disconnect() override;
  Status Subscribe(const data::Subscription& subscription) override;
  Status Unsubscribe(const data::Subscription& subscription) override;
  Result<std::vector<Bar>> RequestBars(const InstrumentId& instrument, BarSpec spec, UnixNanos from,
                                       UnixNanos to) override;

  /// kSimulated: emits every subscribed event with time <= `until`, each after running `kernel` (on a
  /// TestClock) up to the event's time so timers and earlier events happen first; ends with the kernel at
  /// `until` (or at the last event for PlayAll). Stops early while paused (time then stays at the last event).
  /// Seeking backwards needs a fresh clock and engine: earlier events would be out of order. Returns the events
  /// emitted.
  std::size_t PlayUntil(runtime::Kernel& kernel, UnixNanos until);
  std::size_t PlayAll(runtime::Kernel& kernel);

  /// kWallClock: starts the playback thread (after Connect). It ends by itself after the last event.
  Status Start();
  /// Stops emitting until Resume; the wall-clock pace restarts from the next event on resume.
  void Pause();
  void Resume();
  bool paused() const { return paused_.load(std::memory_order_acquire); }
  /// Moves every stream to its first event at or after `t` (backwards too).
  void Seek(UnixNanos t);
  /// The time of the next event to play, if any.
  std::optional<UnixNanos> NextEventTime() const;
  /// True when no subscribed event is left.
  bool finished() const { return !NextEventTime().has_value(); }
  std::uint64_t emitted() const { return emitted_.load(std::memory_order_relaxed); }
  /// kWallClock: blocks until the playback thread has played everything or stopped.
  void Wait();

 private:
  struct Stream {
    InstrumentId instrument;
    data::DataKind kind = data::DataKind::kBars;
    BarSpec spec;
    std::int64_t length = 0;  // bars: played at ts + length
    data::BarColumns bars;
    std::vector<TradeTick> trades;
    std::vector<QuoteTick> quotes;
    std::size_t cursor = 0;
    bool subscribed = false;

    std::size_t size() const;
    std::int64_t Key(std::size_t i) const;
    std::size_t LowerBound(std::int64_t t) const;
  };

  Status AddStream(Stream stream);
  /// Rebuilds the merge heap from the subscribed streams' cursors. Needs mutex_.
  void RebuildHeap();
  /// Emits the earliest event (heap top) and advances its stream. Needs mutex_ and a non-empty heap.
  void EmitNext();
  void RunWallClock();
  Stream* Find(const InstrumentId& instrument, data::DataKind kind, BarSpec spec);

  ReplayConfig config_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<Stream> streams_;
  // Min-heap of (next event time, stream index): the k-way merge. Ties go to the lower index.
  std::vector<std::pair<std::int64_t, std::size_t>> heap_;
  data::MarketEventSink* sink_ = nullptr;
  std::atomic<bool> paused_{false};
  std::atomic<std::uint64_t> emitted_{0};
  bool stop_ = false;
  bool rebase_ = true;  // wall clock: restart the pace from the next event
  bool running_ = false;
  std::thread thread_;
};

}  // namespace td::adapters::replay
