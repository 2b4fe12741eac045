// SPDX-License-Identifier: MIT
#include "data/bar_aggregator.hpp"

#include <algorithm>
#include <cmath>

namespace td::data {
namespace {

constexpr std::int64_t kNanos = 1'000'000'000;
constexpr std::int64_t kDayNanos = 86'400 * kNanos;

constexpr std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

std::string ZoneFor(const std::string& time_zone, const std::optional<SessionTemplate>& session) {
  if (!time_zone.empty()) {
    return time_zone;
  }
  return session ? session->time_zone : std::string("UTC");
}

}  // namespace

Result<BarBoundaries> BarBoundaries::Create(BarSpec spec, std::string_view time_zone,
                                            const std::optional<SessionTemplate>& session) {
  return Create(spec, time_zone, session, SessionLookup{});
}

Result<BarBoundaries> BarBoundaries::Create(BarSpec spec, std::string_view time_zone,
                                            const std::optional<SessionTemplate>& session, SessionLookup per_day) {
  if (!spec.IsIntraday() && !(spec.unit == BarUnit::kDay && spec.step == 1)) {
    return Error::InvalidArgument("bars from one second to one day are supported, not " + spec.ToString(), "spec");
  }
  if (session) {
    TD_TRY(session->Validate());
  }
  auto zone = ZoneConverter::Create(time_zone);
  if (!zone.ok()) {
    return zone.error();
  }
  BarBoundaries out;
  out.spec_ = spec;
  out.zone_ = std::move(*zone);
  out.has_session_ = session.has_value() || static_cast<bool>(per_day);
  out.close_ = 86'400;
  if (session) {
    out.open_ = session->open.count();
    out.close_ = session->close.count();
  }
  out.per_day_ = std::move(per_day);
  out.length_ = spec.IsIntraday() ? spec.IntradayLength().count() : 0;
  return out;
}

std::int64_t BarBoundaries::LocalToUtcNanos(std::int64_t local_nanos) {
  const std::int64_t seconds = FloorDiv(local_nanos, kNanos);
  return zone_.ToUtc(seconds) * kNanos + (local_nanos - seconds * kNanos);
}

bool BarBoundaries::Hours(std::int64_t day, std::int64_t* open, std::int64_t* close) {
  if (!per_day_) {
    *open = open_;
    *close = close_;
    return true;
  }
  if (day != hours_day_) {
    hours_day_ = day;
    const std::optional<DaySession> session = per_day_(CivilFromDays(day));
    hours_trading_ = session.has_value() && session->open < session->close;
    hours_open_ = hours_trading_ ? session->open : open_;
    hours_close_ = hours_trading_ ? session->close : close_;
  }
  *open = hours_open_;
  *close = hours_close_;
  return hours_trading_;
}

void BarBoundaries::LoadDay(std::int64_t ts) {
  const std::int64_t seconds = FloorDiv(ts, kNanos);
  const std::int64_t day = FloorDiv(zone_.ToLocal(seconds), 86'400);
  std::int64_t open = 0;
  std::int64_t close = 0;
  const bool trading = Hours(day, &open, &close);
  day_begin_ = zone_.ToUtc(day * 86'400) * kNanos;
  day_end_ = zone_.ToUtc((day + 1) * 86'400) * kNanos;
  day_open_ = trading ? zone_.ToUtc(day * 86'400 + open) * kNanos : day_begin_;
  day_close_ = trading ? zone_.ToUtc(day * 86'400 + close) * kNanos : day_begin_;
  if (ts < day_begin_ || ts >= day_end_) {
    // Only in a fall-back overlap; keep the answer but do not cache a range that misses ts.
    day_begin_ = ts;
    day_end_ = ts + 1;
  }
}

bool BarBoundaries::InSession(std::int64_t ts, std::int64_t length) {
  if (!has_session_) {
    return true;
  }
  if (ts < day_begin_ || ts >= day_end_) {
    LoadDay(ts);
  }
  return length == 0 ? (day_open_ <= ts && ts < day_close_) : (ts < day_close_ && ts + length > day_open_);
}

std::int64_t BarBoundaries::CompleteAt(std::int64_t ts) {
  const Bucket bucket = Locate(ts);
  std::int64_t end = bucket.end;
  if (has_session_) {
    if (ts < day_begin_ || ts >= day_end_) {
      LoadDay(ts);
    }
    if (ts < day_close_ && day_close_ > bucket.begin && day_close_ < end) {
      end = day_close_;
    }
  }
  return end;
}

BarBoundaries::Bucket BarBoundaries::Locate(std::int64_t ts) {
  if (ts >= cached_.begin && ts < cached_.end) {
    return cached_;
  }
  const std::int64_t seconds = FloorDiv(ts, kNanos);
  const std::int64_t local = zone_.ToLocal(seconds) * kNanos + (ts - seconds * kNanos);
  const std::int64_t day_start = FloorDiv(local, kDayNanos) * kDayNanos;
  std::int64_t open = 0;
  std::int64_t close_seconds = 0;
  Hours(FloorDiv(local, kDayNanos), &open, &close_seconds);
  std::int64_t begin = 0;
  std::int64_t end = 0;
  std::int64_t label = 0;
  if (length_ == 0) {
    begin = day_start;
    end = day_start + kDayNanos;
    label = day_start + open * kNanos;
  } else {
    const std::int64_t anchor = day_start + open * kNanos;
    begin = anchor + FloorDiv(local - anchor, length_) * length_;
    end = begin + length_;
    if (has_session_) {
      const std::int64_t close = day_start + close_seconds * kNanos;
      if (begin < close && end > close) {
        (local < close ? end : begin) = close;
      }
    }
    begin = std::max(begin, day_start);
    end = std::min(end, day_start + kDayNanos);
    label = begin;
  }
  Bucket bucket{LocalToUtcNanos(label), LocalToUtcNanos(begin), LocalToUtcNanos(end)};
  if (ts < bucket.begin || ts >= bucket.end) {
    bucket.begin = ts;  // a fall-back overlap: answer, but cache nothing wider than ts itself
    bucket.end = ts + 1;
  }
  cached_ = bucket;
  return bucket;
}

Result<TickBarAggregator> TickBarAggregator::Create(const AggregatorOptions& options) {
  auto boundaries = BarBoundaries::Create(options.spec, ZoneFor(options.time_zone, options.session), options.session,
                                          options.sessions);
  if (!boundaries.ok()) {
    return boundaries.error();
  }
  if (options.out_of_order_tolerance.count() < 0) {
    return Error::InvalidArgument("out_of_order_tolerance must not be negative", "out_of_order_tolerance");
  }
  return TickBarAggregator(std::move(*boundaries), options);
}

Bar TickBarAggregator::Current() const {
  Bar bar;
  bar.ts_event = UnixNanos(bucket_.label);
  bar.ts_init = UnixNanos(last_init_);
  bar.open = Price::FromRaw(open_, price_precision_);
  bar.high = Price::FromRaw(high_, price_precision_);
  bar.low = Price::FromRaw(low_, price_precision_);
  bar.close = Price::FromRaw(close_, price_precision_);
  bar.volume = Quantity::FromRaw(volume_, volume_precision_);
  return bar;
}

std::optional<Bar> TickBarAggregator::Partial() const {
  return forming_ ? std::optional<Bar>(Current()) : std::nullopt;
}

std::optional<UnixNanos> TickBarAggregator::PartialCompleteAt() {
  if (!forming_) {
    return std::nullopt;
  }
  return UnixNanos(boundaries_.CompleteAt(bucket_.begin));
}

Status TickBarAggregator::Seed(const Bar& partial) {
  if (!partial.IsConsistent() || !partial.low.is_positive()) {
    return Error::InvalidArgument("a seed bar must be consistent with positive prices", "bar");
  }
  const std::int64_t ts = partial.ts_event.nanos();
  const BarBoundaries::Bucket bucket = boundaries_.Locate(ts);
  if (bucket.label != ts) {
    return Error::InvalidArgument("seed bar does not start a " + spec().ToString() + " bar", "bar");
  }
  forming_ = true;
  bucket_ = bucket;
  open_ = partial.open.raw();
  high_ = partial.high.raw();
  low_ = partial.low.raw();
  close_ = partial.close.raw();
  volume_ = partial.volume.raw();
  price_precision_ = std::max({price_precision_, partial.open.precision(), partial.high.precision(),
                               partial.low.precision(), partial.close.precision()});
  volume_precision_ = std::max(volume_precision_, partial.volume.precision());
  last_ts_ = bucket.begin;  // the seed replaces this source's history: order restarts at the bucket
  last_init_ = partial.ts_init.nanos();
  have_last_trade_ = false;
  have_last_quote_ = false;
  return {};
}

std::optional<Bar> TickBarAggregator::Flush() {
  if (!forming_) {
    return std::nullopt;
  }
  forming_ = false;
  return Current();
}

std::optional<Bar> TickBarAggregator::AdvanceTo(UnixNanos now) {
  if (forming_ && now.nanos() >= bucket_.end) {
    last_init_ = now.nanos();
    return Flush();
  }
  return std::nullopt;
}

std::optional<Bar> TickBarAggregator::Accept(std::int64_t ts, std::int64_t price, std::int64_t size,
                                             std::int64_t ts_init, int price_precision, int size_precision) {
  if (ts < last_ts_ && last_ts_ - ts > options_.out_of_order_tolerance.count()) {
    ++counters_.out_of_order;
    return std::nullopt;
  }
  if (options_.outside_session == OutsideSession::kDrop && !boundaries_.InSession(ts)) {
    ++counters_.outside_session;
    return std::nullopt;
  }
  price_precision_ = std::max(price_precision_, price_precision);
  volume_precision_ = std::max(volume_precision_, size_precision);
  if (forming_ && ts >= bucket_.begin && ts < bucket_.end) {
    high_ = std::max(high_, price);
    low_ = std::min(low_, price);
    if (ts >= last_ts_) {
      close_ = price;
    }
    volume_ += size;
    last_ts_ = std::max(last_ts_, ts);
    last_init_ = ts_init;
    ++counters_.accepted;
    return std::nullopt;
  }
  const BarBoundaries::Bucket bucket = boundaries_.Locate(ts);
  if (forming_ && bucket.label == bucket_.label) {
    // Same bar reached through an uncached range (fall-back overlap).
    bucket_ = bucket;
    return Accept(ts, price, size, ts_init, price_precision, size_precision);
  }
  if (forming_ && bucket.label < bucket_.label) {
    ++counters_.out_of_order;  // belongs to a bar already closed
    return std::nullopt;
  }
  std::optional<Bar> completed;
  if (forming_) {
    last_init_ = ts_init;
    completed = Current();
  }
  forming_ = true;
  bucket_ = bucket;
  open_ = high_ = low_ = close_ = price;
  volume_ = size;
  last_ts_ = std::max(last_ts_, ts);
  last_init_ = ts_init;
  ++counters_.accepted;
  return completed;
}

std::optional<Bar> TickBarAggregator::OnTrade(UnixNanos ts, Price price, Quantity size, UnixNanos ts_init,
                                              AggressorSide side) {
  if (price.raw() <= 0) {
    ++counters_.non_positive_price;
    return std::nullopt;
  }
  if (options_.trade_dedup == TradeDedup::kIdenticalMessage && have_last_trade_ && ts.nanos() == last_ts_ &&
      ts_init.nanos() == last_init_ && price.raw() == last_price_ && size.raw() == last_size_ && side == last_side_) {
    ++counters_.duplicate;
    return std::nullopt;
  }
  const std::uint64_t before = counters_.accepted;
  auto completed = Accept(ts.nanos(), price.raw(), size.raw(), ts_init.nanos(), price.precision(), size.precision());
  if (counters_.accepted != before) {
    have_last_trade_ = true;
    last_price_ = price.raw();
    last_size_ = size.raw();
    last_side_ = side;
  }
  return completed;
}

std::optional<Bar> TickBarAggregator::OnTrade(UnixNanos ts, double price, double size, int precision) {
  if (!std::isfinite(price) || !std::isfinite(size)) {
    ++counters_.non_finite;
    return std::nullopt;
  }
  if (price <= 0) {
    ++counters_.non_positive_price;
    return std::nullopt;
  }
  auto fixed_price = Price::FromDouble(price, precision);
  auto fixed_size = Quantity::FromDouble(size, kFixedPrecision);
  if (!fixed_price.ok() || !fixed_size.ok()) {
    ++counters_.non_finite;  // out of the representable range
    return std::nullopt;
  }
  return OnTrade(ts, *fixed_price, *fixed_size, ts, AggressorSide::kNone);
}

std::optional<Bar> TickBarAggregator::OnQuote(const QuoteTick& quote) {
  const std::int64_t bid = quote.bid.raw();
  const std::int64_t ask = quote.ask.raw();
  if (bid < 0 || ask < 0) {
    ++counters_.non_positive_price;
    return std::nullopt;
  }
  if (bid == 0 || ask == 0) {
    ++counters_.one_sided_quote;
    return std::nullopt;
  }
  if (bid > ask) {
    ++counters_.crossed_quote;
    return std::nullopt;
  }
  if (have_last_quote_ && quote.ts_event.nanos() == last_ts_ && bid == last_bid_ && ask == last_ask_ &&
      quote.bid_size.raw() == last_bid_size_ && quote.ask_size.raw() == last_ask_size_) {
    ++counters_.duplicate;
    return std::nullopt;
  }
  const int precision = std::min(kFixedPrecision, std::max(quote.bid.precision(), quote.ask.precision()) + 1);
  const std::uint64_t before = counters_.accepted;
  auto completed = Accept(quote.ts_event.nanos(), bid + (ask - bid) / 2, 0, quote.ts_init.nanos(), precision, 0);
  if (counters_.accepted != before) {
    have_last_quote_ = true;
    last_bid_ = bid;
    last_ask_ = ask;
    last_bid_size_ = quote.bid_size.raw();
    last_ask_size_ = quote.ask_size.raw();
  }
  return completed;
}

Result<BarResampler> BarResampler::Create(BarSpec source, const ResampleOptions& options) {
  if (!source.IsIntraday()) {
    return Error::InvalidArgument("only intraday bars can be resampled, not " + source.ToString(), "spec");
  }
  if (options.target.IsIntraday()) {
    const auto target_length = options.target.IntradayLength().count();
    const auto source_length = source.IntradayLength().count();
    if (target_length < source_length || target_length % source_length != 0) {
      return Error::InvalidArgument(source.ToString() + " bars do not divide " + options.target.ToString() + " bars",
                                    "spec");
    }
  }
  auto boundaries = BarBoundaries::Create(options.target, ZoneFor(options.time_zone, options.session), options.session,
                                          options.sessions);
  if (!boundaries.ok()) {
    return boundaries.error();
  }
  return BarResampler(std::move(*boundaries), source.IntradayLength().count(),
                      options.outside_session == OutsideSession::kDrop);
}

bool BarResampler::OnBarRaw(std::int64_t ts, std::int64_t open, std::int64_t high, std::int64_t low, std::int64_t close,
                            std::int64_t volume, BarColumns* completed) {
  if (ts <= last_ts_) {
    ++counters_.out_of_order;
    return false;
  }
  if (drop_outside_ && !boundaries_.InSession(ts, source_length_)) {
    ++counters_.outside_session;
    return false;
  }
  last_ts_ = ts;
  ++counters_.accepted;
  if (forming_ && ts >= bucket_.begin && ts < bucket_.end) {
    high_ = std::max(high_, high);
    low_ = std::min(low_, low);
    close_ = close;
    volume_ += volume;
    if (ts + source_length_ > bucket_.end) {
      ++counters_.misaligned;
    }
    return false;
  }
  const BarBoundaries::Bucket bucket = boundaries_.Locate(ts);
  bool emitted = false;
  if (forming_ && bucket.label != bucket_.label) {
    completed->Push(bucket_.label, open_, high_, low_, close_, volume_);
    emitted = true;
  }
  if (!forming_ || bucket.label != bucket_.label) {
    open_ = open;
    high_ = high;
    low_ = low;
    volume_ = 0;
  } else {
    high_ = std::max(high_, high);
    low_ = std::min(low_, low);
  }
  forming_ = true;
  bucket_ = bucket;
  close_ = close;
  volume_ += volume;
  if (ts + source_length_ > bucket_.end && bucket_.end - bucket_.begin > 1) {
    ++counters_.misaligned;
  }
  return emitted;
}

Bar BarResampler::Current() const {
  Bar bar;
  bar.ts_event = UnixNanos(bucket_.label);
  bar.ts_init = UnixNanos(last_ts_);
  bar.open = Price::FromRaw(open_, price_precision_);
  bar.high = Price::FromRaw(high_, price_precision_);
  bar.low = Price::FromRaw(low_, price_precision_);
  bar.close = Price::FromRaw(close_, price_precision_);
  bar.volume = Quantity::FromRaw(volume_, volume_precision_);
  return bar;
}

std::optional<Bar> BarResampler::OnBar(const Bar& bar) {
  const Bar before = forming_ ? Current() : Bar{};
  BarColumns completed;
  const bool emitted = OnBarRaw(bar.ts_event.nanos(), bar.open.raw(), bar.high.raw(), bar.low.raw(), bar.close.raw(),
                                bar.volume.raw(), &completed);
  price_precision_ = std::max(
      {price_precision_, bar.open.precision(), bar.high.precision(), bar.low.precision(), bar.close.precision()});
  volume_precision_ = std::max(volume_precision_, bar.volume.precision());
  if (!emitted) {
    return std::nullopt;
  }
  Bar out = before;
  out.ts_init = bar.ts_event;
  return out;
}

std::optional<Bar> BarResampler::Partial() const {
  return forming_ ? std::optional<Bar>(Current()) : std::nullopt;
}

std::optional<UnixNanos> BarResampler::PartialCompleteAt() {
  if (!forming_) {
    return std::nullopt;
  }
  return UnixNanos(boundaries_.CompleteAt(bucket_.begin));
}

std::optional<Bar> BarResampler::Flush() {
  if (!forming_) {
    return std::nullopt;
  }
  forming_ = false;
  return Current();
}

Result<BarColumns> ResampleBars(const BarColumns& bars, BarSpec source, const ResampleOptions& options,
                                TickCounters* counters) {
  auto resampler = BarResampler::Create(source, options);
  if (!resampler.ok()) {
    return resampler.error();
  }
  BarColumns out;
  out.price_precision = bars.price_precision;
  out.volume_precision = bars.volume_precision;
  for (std::size_t i = 0; i < bars.size(); ++i) {
    resampler->OnBarRaw(bars.ts[i], bars.open[i], bars.high[i], bars.low[i], bars.close[i], bars.volume[i], &out);
  }
  if (auto last = resampler->Flush()) {
    out.Push(last->ts_event.nanos(), last->open.raw(), last->high.raw(), last->low.raw(), last->close.raw(),
             last->volume.raw());
  }
  if (counters != nullptr) {
    *counters = resampler->counters();
  }
  return out;
}

}  // namespace td::data
