// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "data/bar_columns.hpp"
#include "data/bar_import.hpp"
#include "data/zone.hpp"
#include "model/bar.hpp"
#include "model/tick.hpp"

namespace td::data {

/// One date's regular session in the exchange's wall time, in seconds after local midnight.
struct DaySession {
  std::int64_t open = 0;
  std::int64_t close = 0;
};
/// The regular session of a local date, or nullopt when the exchange does not trade that day (a holiday or
/// a weekend). Lets boundaries follow the calendar (half days, holidays) instead of a fixed template.
using SessionLookup = std::function<std::optional<DaySession>(CivilDate date)>;

/// Where bars of one spec begin and end for one exchange. Intraday bars are fixed-length buckets anchored
/// at the session open in the exchange's zone (NSE 5m: 09:15, 09:20, ...; 1h: 09:15, 10:15, ...), with the
/// bucket that straddles the close cut at the close (NSE 1h: 15:15–15:30). Without a session they are
/// anchored at local midnight. A daily bar groups one local date and is labelled at the session open
/// (local midnight without a session). Times are UTC nanoseconds.
class BarBoundaries {
 public:
  /// Fails for week/month specs and for unknown zones or malformed sessions.
  static Result<BarBoundaries> Create(BarSpec spec, std::string_view time_zone,
                                      const std::optional<SessionTemplate>& session);
  /// The same with per-date sessions: `per_day` (when set) decides each date's open and close; a closed
  /// date has no session time (its bars are anchored at the template's open, else local midnight).
  static Result<BarBoundaries> Create(BarSpec spec, std::string_view time_zone,
                                      const std::optional<SessionTemplate>& session, SessionLookup per_day);

  /// A bar's label (its ts, the bar start) and the time range whose data it gathers.
  struct Bucket {
    std::int64_t label = 0;
    std::int64_t begin = 0;
    std::int64_t end = 0;
  };
  /// The bucket holding time `ts`.
  Bucket Locate(std::int64_t ts);
  /// True when [ts, ts + length) overlaps the session of ts's local date (for a tick, length 0: when
  /// open <= ts < close). Always true without a session.
  bool InSession(std::int64_t ts, std::int64_t length = 0);
  /// When the bucket holding `ts` can take no more data: its end, or the session close of its date when
  /// that comes first (a daily bar is complete at the close, not at midnight).
  std::int64_t CompleteAt(std::int64_t ts);

  const BarSpec& spec() const { return spec_; }
  bool has_session() const { return has_session_; }

 private:
  void LoadDay(std::int64_t ts);
  std::int64_t LocalToUtcNanos(std::int64_t local_nanos);
  /// Open and close (seconds after local midnight) of local day `day`; false when it is closed.
  bool Hours(std::int64_t day, std::int64_t* open, std::int64_t* close);

  BarSpec spec_;
  ZoneConverter zone_;
  bool has_session_ = false;
  std::int64_t open_ = 0;    // seconds after local midnight
  std::int64_t close_ = 0;   // seconds after local midnight
  std::int64_t length_ = 0;  // bar length in ns; 0 for daily bars
  Bucket cached_{0, 1, 0};
  std::int64_t day_begin_ = 1;  // cached local date as a UTC range, and its session
  std::int64_t day_end_ = 0;
  std::int64_t day_open_ = 0;
  std::int64_t day_close_ = 0;
  SessionLookup per_day_;
  std::int64_t hours_day_ = INT64_MIN;  // one-entry cache of Hours()
  std::int64_t hours_open_ = 0;
  std::int64_t hours_close_ = 0;
  bool hours_trading_ = true;
};

/// Bad ticks and bars seen by one aggregator (one source). Plain counters; metrics wiring comes later.
struct TickCounters {
  std::uint64_t accepted = 0;
  std::uint64_t duplicate = 0;           // the same message again
  std::uint64_t out_of_order = 0;        // older than the tolerance, or for a bar already closed
  std::uint64_t non_positive_price = 0;  // price (or bid/ask) zero or negative
  std::uint64_t non_finite = 0;          // NaN or infinite price/size (double inputs)
  std::uint64_t crossed_quote = 0;       // bid > ask
  std::uint64_t one_sided_quote = 0;     // bid or ask missing (zero) — no mid
  std::uint64_t outside_session = 0;     // dropped by the session filter
  std::uint64_t misaligned = 0;          // resampling: a source bar straddles a target boundary

  std::uint64_t rejected() const {
    return duplicate + out_of_order + non_positive_price + non_finite + crossed_quote + one_sided_quote +
           outside_session;
  }
};

/// When two trades count as duplicates.
enum class TradeDedup : std::uint8_t {
  kIdenticalMessage,  // same ts_event, ts_init, price, size and side as the last accepted trade
  kOff,               // never (file replays where ts_init = ts_event and equal prints are real)
};

/// Settings of a tick → bar aggregator.
struct AggregatorOptions {
  BarSpec spec{1, BarUnit::kMinute};
  std::string time_zone;  // default: the session's zone, else UTC
  std::optional<SessionTemplate> session;
  SessionLookup sessions;  // per-date sessions (calendar); `session` still names the zone and the fallback hours
  OutsideSession outside_session = OutsideSession::kDrop;
  Duration out_of_order_tolerance{0};
  TradeDedup trade_dedup = TradeDedup::kIdenticalMessage;
};

/// Builds time bars from trade ticks (or quote mids) for one instrument. Each call returns the bar it
/// completed, if any; Partial() is the bar still forming. Bars carry ts_event = bar start (Bar contract)
/// and ts_init = the time of the tick that completed them. Allocates nothing per tick.
class TickBarAggregator {
 public:
  static Result<TickBarAggregator> Create(const AggregatorOptions& options);

  std::optional<Bar> OnTrade(const TradeTick& tick) {
    return OnTrade(tick.ts_event, tick.price, tick.size, tick.ts_init, tick.aggressor);
  }
  /// A trade print; size may be zero (index values).
  std::optional<Bar> OnTrade(UnixNanos ts, Price price, Quantity size, UnixNanos ts_init = UnixNanos{},
                             AggressorSide side = AggressorSide::kNone);
  /// A trade from a double-valued feed, rounded to `precision` decimals; NaN/infinite are rejected.
  std::optional<Bar> OnTrade(UnixNanos ts, double price, double size, int precision);
  /// A quote; its mid updates the bar (volume unchanged). Crossed or one-sided quotes are rejected.
  std::optional<Bar> OnQuote(const QuoteTick& quote);
  /// Closes the forming bar once `now` has reached its end (timer-driven close without a new tick).
  std::optional<Bar> AdvanceTo(UnixNanos now);
  /// Closes the forming bar whatever the time (end of data).
  std::optional<Bar> Flush();
  /// The bar still forming, if any.
  std::optional<Bar> Partial() const;
  /// When the forming bar is complete (its end, or the session close when earlier); nullopt when none.
  std::optional<UnixNanos> PartialCompleteAt();
  /// Starts the forming bar from a bar built elsewhere (history from another source after a failover);
  /// later ticks of the same bucket extend it. Replaces any forming bar; the bar must be consistent.
  Status Seed(const Bar& partial);

  const TickCounters& counters() const { return counters_; }
  const BarSpec& spec() const { return boundaries_.spec(); }

 private:
  explicit TickBarAggregator(BarBoundaries boundaries, const AggregatorOptions& options)
      : boundaries_(std::move(boundaries)), options_(options) {}
  std::optional<Bar> Accept(std::int64_t ts, std::int64_t price, std::int64_t size, std::int64_t ts_init,
                            int price_precision, int size_precision);
  Bar Current() const;

  BarBoundaries boundaries_;
  AggregatorOptions options_;
  TickCounters counters_;
  bool forming_ = false;
  BarBoundaries::Bucket bucket_{};
  std::int64_t open_ = 0, high_ = 0, low_ = 0, close_ = 0, volume_ = 0;
  std::int64_t last_ts_ = INT64_MIN;  // newest accepted tick time
  std::int64_t last_init_ = 0;
  int price_precision_ = 0;
  int volume_precision_ = 0;
  // The last accepted message, for duplicate detection.
  std::int64_t last_price_ = 0, last_size_ = 0, last_bid_ = 0, last_ask_ = 0, last_bid_size_ = 0, last_ask_size_ = 0;
  AggressorSide last_side_ = AggressorSide::kNone;
  bool have_last_trade_ = false;
  bool have_last_quote_ = false;
};

/// Settings of a bar → higher-timeframe resampler.
struct ResampleOptions {
  BarSpec target{5, BarUnit::kMinute};
  std::string time_zone;  // default: the session's zone, else UTC
  std::optional<SessionTemplate> session;
  SessionLookup sessions;  // per-date sessions (calendar), as in AggregatorOptions
  OutsideSession outside_session = OutsideSession::kDrop;
};

/// Resamples bars of one spec into a longer one (1m → 5m/15m/1h/1D) with the same boundary rules as the
/// tick aggregator. Input bars must arrive in increasing time; older ones are counted and dropped.
class BarResampler {
 public:
  /// The source spec must be intraday and, for intraday targets, divide the target length.
  static Result<BarResampler> Create(BarSpec source, const ResampleOptions& options);

  /// Adds one source bar; returns the target bar it completed, if any.
  std::optional<Bar> OnBar(const Bar& bar);
  /// The same on raw values (the batch path).
  bool OnBarRaw(std::int64_t ts, std::int64_t open, std::int64_t high, std::int64_t low, std::int64_t close,
                std::int64_t volume, BarColumns* completed);
  std::optional<Bar> Flush();
  std::optional<Bar> Partial() const;
  /// When the forming bar is complete (its end, or the session close when earlier); nullopt when none.
  std::optional<UnixNanos> PartialCompleteAt();
  const TickCounters& counters() const { return counters_; }

 private:
  BarResampler(BarBoundaries boundaries, std::int64_t source_length, bool drop_outside)
      : boundaries_(std::move(boundaries)), source_length_(source_length), drop_outside_(drop_outside) {}
  Bar Current() const;

  BarBoundaries boundaries_;
  std::int64_t source_length_ = 0;
  bool drop_outside_ = true;
  TickCounters counters_;
  bool forming_ = false;
  BarBoundaries::Bucket bucket_{};
  std::int64_t open_ = 0, high_ = 0, low_ = 0, close_ = 0, volume_ = 0;
  std::int64_t last_ts_ = INT64_MIN;
  int price_precision_ = 0;
  int volume_precision_ = 0;
};

/// Resamples a whole column set (sorted by time) from `source` bars to `options.target` bars.
Result<BarColumns> ResampleBars(const BarColumns& bars, BarSpec source, const ResampleOptions& options,
                                TickCounters* counters = nullptr);

}  // namespace td::data
