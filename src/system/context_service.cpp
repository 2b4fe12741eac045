// SPDX-License-Identifier: MIT
#include "system/context_service.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <limits>

#include "adapters/simulator/market_simulator.hpp"
#include "calendar/exchange_calendar.hpp"
#include "indicators/batch.hpp"
#include "levels/gaps.hpp"
#include "levels/volume_profile.hpp"
#include "levels/zones.hpp"
#include "options/chain.hpp"

namespace td::system {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::int64_t kNanosPerDay = 86'400'000'000'000;
constexpr double kYearNanos = 365.0 * 86'400.0 * 1e9;
constexpr std::size_t kOverlayBars = 300;  // most recent bars the overlays are looked for in
constexpr std::size_t kMaxZones = 6;
constexpr std::size_t kMaxGaps = 6;
constexpr std::size_t kMaxPools = 6;
constexpr std::size_t kProfileBars = 100;
constexpr double kMinFrontYears = 1.0 / 365.0;  // a front expiry closer than a day says little about 30-day vol

struct IntervalSpec {
  ContextInterval interval;
  std::string_view name;
  int minutes;  // 0 for 1D and 1W
};

constexpr std::array<IntervalSpec, 8> kIntervals = {{{ContextInterval::k1m, "1m", 1},
                                                     {ContextInterval::k5m, "5m", 5},
                                                     {ContextInterval::k15m, "15m", 15},
                                                     {ContextInterval::k30m, "30m", 30},
                                                     {ContextInterval::k1h, "1h", 60},
                                                     {ContextInterval::k4h, "4h", 240},
                                                     {ContextInterval::k1D, "1D", 0},
                                                     {ContextInterval::k1W, "1W", 0}}};

const IntervalSpec& SpecOf(ContextInterval interval) {
  return kIntervals[static_cast<std::size_t>(interval)];
}

Error Field(Error error, std::string field) {
  error.field = std::move(field);
  return error;
}

/// The exchange whose calendar an instrument trades on: the simulator's facts, else its exchange code.
InstrumentFacts FactsFor(const InstrumentInfo& info) {
  if (auto facts = FactsOf(info.id)) {
    return *facts;
  }
  InstrumentFacts facts;
  const std::string_view exchange = info.id.exchange();
  facts.india = exchange.starts_with("NSE") || exchange.starts_with("BSE") || exchange == "NFO" || exchange == "BFO";
  facts.exchange = facts.india ? (exchange.starts_with("BSE") || exchange == "BFO" ? calendar::Exchange::kBse
                                                                                    : calendar::Exchange::kNse)
                               : calendar::Exchange::kNyse;
  facts.tradable = !exchange.ends_with("_INDEX");
  facts.vol_index = info.id.symbol() == "VIX" || info.id.symbol() == "INDIAVIX";
  facts.vol_index_id = facts.india ? "NSE_INDEX:INDIAVIX" : "GLOBAL_INDEX:VIX";
  return facts;
}

/// The session a reading at `at` belongs to: the last regular session that had opened by then.
Result<calendar::TradingSession> SessionOf(calendar::Exchange exchange, UnixNanos at) {
  const auto& cal = calendar::ExchangeCalendar::Get(exchange);
  auto day = cal.TradingDayOnOrBefore(cal.time_zone().LocalDate(at));
  if (!day.ok()) {
    return day.error();
  }
  auto session = cal.Session(*day);
  if (session.ok() && session->regular_open > at) {
    auto previous = cal.PreviousTradingDay(*day);
    if (!previous.ok()) {
      return previous.error();
    }
    session = cal.Session(*previous);
  }
  return session;
}

// ---- interval series --------------------------------------------------------------------------------------

/// Per-bar session keys (the session's open) for session-reset indicators on resampled intraday bars.
std::vector<std::int64_t> SessionKeys(const scanner::BarSeries& bars, const scanner::SymbolContext& ctx) {
  std::vector<std::int64_t> keys(bars.size(), 0);
  std::size_t s = 0;
  for (std::size_t i = 0; i < bars.size(); ++i) {
    while (s + 1 < ctx.sessions.size() && bars.ts[i] >= ctx.sessions[s + 1].open_ns) {
      ++s;
    }
    keys[i] = ctx.sessions.empty() ? 0 : ctx.sessions[s].open_ns;
  }
  return keys;
}

std::string_view TrendOf(const scanner::BarSeries& bars, const IndicatorSeries& ind) {
  if (bars.empty()) {
    return "unknown";
  }
  const std::size_t last = bars.size() - 1;
  const double close = bars.close[last];
  const double e20 = ind.ema20[last];
  const double e50 = ind.ema50[last];
  if (!std::isfinite(e20) || !std::isfinite(e50)) {
    return "unknown";
  }
  if (close > e20 && e20 > e50) {
    return "up";
  }
  if (close < e20 && e20 < e50) {
    return "down";
  }
  return "flat";
}

ProfileOverlay ProfileOf(const levels::BarsView& view, bool has_volume, std::string basis) {
  ProfileOverlay out;
  out.basis = std::move(basis);
  if (!has_volume) {
    out.reason = "the instrument reports no traded volume";
    return out;
  }
  auto profile = levels::BuildVolumeProfile(view, 50, 0.70);
  if (!profile.ok()) {
    out.reason = "no volume profile: " + profile.error().message;
    return out;
  }
  if (!(profile->total > 0.0)) {
    out.reason = "no volume traded in the bars";
    return out;
  }
  out.present = true;
  out.poc = profile->poc;
  out.vah = profile->vah;
  out.val = profile->val;
  out.value_area_fraction = profile->value_area_fraction;
  return out;
}

void FindOverlays(IntervalContext& out, bool has_volume) {
  const scanner::BarSeries& bars = out.bars;
  if (bars.size() < 3) {
    out.volume_profile.reason = "too few bars";
    return;
  }
  const std::size_t count = std::min(bars.size(), kOverlayBars);
  const levels::BarsView view = bars.View(bars.size() - count, count);
  const double price = bars.close.back();
  double atr = out.indicators.atr14.back();
  if (!std::isfinite(atr) || atr <= 0.0) {
    atr = 0.0;  // FindZones then measures the mean true range itself
  }

  auto zones = levels::FindZones(view, levels::ZoneOptions{}, atr);
  std::erase_if(zones, [](const levels::Zone& z) { return z.freshness == levels::Freshness::kBroken; });
  std::sort(zones.begin(), zones.end(), [price](const levels::Zone& a, const levels::Zone& b) {
    return std::abs(a.proximal - price) < std::abs(b.proximal - price);
  });
  for (const levels::Zone& z : zones) {
    if (out.zones.size() >= kMaxZones) break;
    out.zones.push_back({z.kind == levels::ZoneKind::kDemand ? "demand" : "supply", z.Top(), z.Bottom(), z.strength,
                         z.freshness == levels::Freshness::kFresh ? "fresh" : "tested", z.touches, z.ts});
  }

  auto gaps = levels::FindFairValueGaps(view, atr * 0.1);
  for (auto it = gaps.rbegin(); it != gaps.rend() && out.fvgs.size() < kMaxGaps; ++it) {
    if (it->Filled()) continue;
    out.fvgs.push_back({it->direction == levels::GapDirection::kBullish ? "bullish" : "bearish", it->top, it->bottom,
                        it->filled_fraction, it->ts});
  }

  const double tolerance = std::max(atr > 0.0 ? 0.1 * atr : 0.0, price * 0.0005);
  auto pools = levels::FindLiquidityPools(view, 2, tolerance, 2);
  std::erase_if(pools, [](const levels::LiquidityPool& p) { return p.taken; });
  std::sort(pools.begin(), pools.end(), [price](const levels::LiquidityPool& a, const levels::LiquidityPool& b) {
    return std::abs(a.price - price) < std::abs(b.price - price);
  });
  for (const levels::LiquidityPool& p : pools) {
    if (out.liquidity_pools.size() >= kMaxPools) break;
    out.liquidity_pools.push_back({p.above ? "equal_highs" : "equal_lows", p.price, p.members, p.swept, p.last_ts});
  }

  const std::size_t profile_count = std::min(bars.size(), kProfileBars);
  out.volume_profile = ProfileOf(bars.View(bars.size() - profile_count, profile_count), has_volume,
                                 "last " + std::to_string(profile_count) + " bars");
}

IntervalContext BuildInterval(const scanner::SymbolContext& ctx, ContextInterval interval, std::size_t keep,
                              UnixNanos as_of) {
  const IntervalSpec& spec = SpecOf(interval);
  IntervalContext out;
  out.interval = interval;
  scanner::BarSeries all;
  if (interval == ContextInterval::k1m) {
    all = ctx.bars;
  } else if (spec.minutes > 0) {
    all = scanner::ResampleIntraday(ctx.bars, ctx.sessions, spec.minutes);
  } else if (interval == ContextInterval::k1D) {
    all = ctx.daily;
  } else {
    all = ctx.weekly;
  }
  out.bars_available = all.size();
  if (all.size() > keep) {
    const std::size_t drop = all.size() - keep;
    scanner::BarSeries kept;
    kept.spec = all.spec;
    kept.Reserve(keep);
    for (std::size_t i = drop; i < all.size(); ++i) {
      kept.Push(all.ts[i], all.open[i], all.high[i], all.low[i], all.close[i], all.volume[i]);
    }
    all = std::move(kept);
  }
  out.bars = std::move(all);
  const scanner::BarSeries& b = out.bars;
  const std::size_t n = b.size();
  if (n > 0) {
    const std::int64_t last = b.ts.back();
    if (spec.minutes > 0) {
      out.last_bar_forming = last + spec.minutes * std::int64_t{60'000'000'000} > as_of.nanos() &&
                             !ctx.session_complete;
    } else if (interval == ContextInterval::k1D) {
      out.last_bar_forming = !ctx.session_complete && last / kNanosPerDay == DaysFromCivil(ctx.trading_date);
    } else {
      // The week (labelled by its Monday) is over once its last session is complete.
      const std::int64_t monday = last / kNanosPerDay;
      const std::int64_t today = DaysFromCivil(ctx.trading_date);
      bool week_over = today >= monday + 7;
      if (!week_over && ctx.session_complete) {
        auto next = calendar::ExchangeCalendar::Get(ctx.exchange).NextTradingDay(ctx.trading_date);
        week_over = next.ok() && DaysFromCivil(*next) >= monday + 7;
      }
      out.last_bar_forming = !week_over;
    }
  }
  IndicatorSeries& ind = out.indicators;
  for (auto* series : {&ind.ema9, &ind.ema20, &ind.ema50, &ind.ema200, &ind.vwap, &ind.rsi14, &ind.atr14, &ind.adx14}) {
    series->assign(n, kNaN);
  }
  if (n == 0) {
    out.trend = "unknown";
    return out;
  }
  using indicators::Series;
  const Series close(b.close), high(b.high), low(b.low), volume(b.volume);
  indicators::EmaBatch(close, ind.ema9, 9);
  indicators::EmaBatch(close, ind.ema20, 20);
  indicators::EmaBatch(close, ind.ema50, 50);
  indicators::EmaBatch(close, ind.ema200, 200);
  indicators::RsiBatch(close, ind.rsi14, 14);
  indicators::AtrBatch(high, low, close, ind.atr14, 14);
  std::vector<double> plus(n), minus(n);
  indicators::AdxBatch(high, low, close, indicators::AdxOut{ind.adx14, plus, minus}, 14);
  if (spec.minutes > 0 && ctx.has_volume) {
    const std::vector<std::int64_t> keys = SessionKeys(b, ctx);
    indicators::SessionVwapBatch(high, low, close, volume, keys, ind.vwap, indicators::VwapPrice::kTypical);
  }
  out.trend = std::string(TrendOf(b, ind));
  FindOverlays(out, ctx.has_volume);
  return out;
}

// ---- snapshot ----------------------------------------------------------------------------------------------

MarketSnapshot SnapshotFromBars(const scanner::SymbolContext& ctx) {
  MarketSnapshot out;
  out.source = "bars";
  out.ts = ctx.data_as_of;
  out.last = ctx.price();
  out.session_open = ctx.session.session_open;
  out.session_high = ctx.session.session_high;
  out.session_low = ctx.session.session_low;
  out.prev_close = ctx.session.pdc;
  double volume = 0.0;
  const scanner::SessionSpan& current = ctx.current();
  for (std::size_t i = current.first; i <= current.last && i < ctx.bars.size(); ++i) {
    volume += ctx.bars.volume[i];
  }
  out.session_volume = volume;
  return out;
}

void FillChange(MarketSnapshot& s) {
  if (std::isfinite(s.prev_close) && s.prev_close > 0.0) {
    s.change = s.last - s.prev_close;
    s.change_pct = s.change / s.prev_close * 100.0;
  } else {
    s.prev_close = kNaN;
    s.change = kNaN;
    s.change_pct = kNaN;
  }
}

// ---- volatility --------------------------------------------------------------------------------------------

struct ExpiryIv {
  CivilDate expiry;
  double t_years = 0.0;
  options::ChainSlice slice;
  double forward = 0.0;
  std::vector<options::StrikeIv> ivs;
  double atm_iv = 0.0;
};

std::optional<double> PriceOf(const std::optional<Price>& p) {
  if (!p) return std::nullopt;
  return p->AsDouble();
}

/// Our own reading of each listed expiry: parity forward, per-strike Black IVs and the ATM IV. Expiries whose
/// quotes give no forward or no ATM IV are left out (and counted in `skipped`).
std::vector<ExpiryIv> ReadChain(const OptionChain& chain, calendar::Exchange exchange, UnixNanos now,
                                std::size_t& skipped) {
  const auto& cal = calendar::ExchangeCalendar::Get(exchange);
  std::vector<ExpiryIv> out;
  for (const ExpirySlice& expiry : chain.expiries) {
    auto session = cal.Session(expiry.expiry);
    // Time to expiry runs to the expiry day's regular close; a date the calendar cannot place is left out.
    if (!session.ok()) {
      ++skipped;
      continue;
    }
    const double t = static_cast<double>(session->regular_close.nanos() - now.nanos()) / kYearNanos;
    if (!(t > 0.0)) {
      continue;
    }
    ExpiryIv e;
    e.expiry = expiry.expiry;
    e.t_years = t;
    e.slice.underlying = chain.underlying_price.AsDouble();
    e.slice.t_years = t;
    e.slice.rate = 0.0;
    for (const StrikeRow& row : expiry.rows) {
      options::StrikeQuote q;
      q.strike = row.strike.AsDouble();
      if (row.call) {
        q.call_bid = PriceOf(row.call->bid).value_or(0.0);
        q.call_ask = PriceOf(row.call->ask).value_or(0.0);
        q.call_last = PriceOf(row.call->last).value_or(0.0);
        q.call_oi = row.call->open_interest.AsDouble();
      }
      if (row.put) {
        q.put_bid = PriceOf(row.put->bid).value_or(0.0);
        q.put_ask = PriceOf(row.put->ask).value_or(0.0);
        q.put_last = PriceOf(row.put->last).value_or(0.0);
        q.put_oi = row.put->open_interest.AsDouble();
      }
      e.slice.strikes.push_back(q);
    }
    auto forward = options::ImpliedForward(e.slice);
    if (!forward.ok()) {
      ++skipped;
      continue;
    }
    e.forward = forward->forward;
    e.ivs = options::StrikeIvs(e.slice, e.forward);
    auto atm = options::AtmIv(e.ivs, e.forward);
    if (!atm.ok() || !std::isfinite(*atm) || *atm <= 0.0) {
      ++skipped;
      continue;
    }
    e.atm_iv = *atm;
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace

// ---- public helpers ----------------------------------------------------------------------------------------

std::string_view ContextIntervalName(ContextInterval interval) {
  return SpecOf(interval).name;
}

Result<ContextInterval> ParseContextInterval(std::string_view text, std::string_view field) {
  std::string s(text);
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  static const std::array<std::pair<std::string_view, ContextInterval>, 30> kAliases = {{
      {"1m", ContextInterval::k1m},    {"1", ContextInterval::k1m},     {"1min", ContextInterval::k1m},
      {"5m", ContextInterval::k5m},    {"5", ContextInterval::k5m},     {"5min", ContextInterval::k5m},
      {"15m", ContextInterval::k15m},  {"15", ContextInterval::k15m},   {"15min", ContextInterval::k15m},
      {"30m", ContextInterval::k30m},  {"30", ContextInterval::k30m},   {"30min", ContextInterval::k30m},
      {"1h", ContextInterval::k1h},    {"60", ContextInterval::k1h},    {"60m", ContextInterval::k1h},
      {"1hr", ContextInterval::k1h},   {"h", ContextInterval::k1h},     {"4h", ContextInterval::k4h},
      {"240", ContextInterval::k4h},   {"240m", ContextInterval::k4h},  {"4hr", ContextInterval::k4h},
      {"1d", ContextInterval::k1D},    {"d", ContextInterval::k1D},     {"day", ContextInterval::k1D},
      {"daily", ContextInterval::k1D}, {"1w", ContextInterval::k1W},    {"w", ContextInterval::k1W},
      {"week", ContextInterval::k1W},  {"weekly", ContextInterval::k1W}, {"1wk", ContextInterval::k1W},
  }};
  for (const auto& [alias, interval] : kAliases) {
    if (s == alias) {
      return interval;
    }
  }
  return Error::InvalidArgument("unknown interval '" + std::string(text.substr(0, 16)) +
                                    "': use 1m, 5m, 15m, 30m, 1h, 4h, 1D or 1W",
                                std::string(field));
}

Metric Metric::Of(double v) {
  if (!std::isfinite(v)) {
    return Missing("the computation gave no finite value");
  }
  Metric m;
  m.value = v;
  return m;
}

Metric Metric::Missing(std::string why) {
  Metric m;
  m.value = kNaN;
  m.reason = why.empty() ? std::string("unknown") : std::move(why);
  return m;
}

double HistoricalVolatility(const std::vector<double>& closes, int period, double trading_days_per_year) {
  if (period < 2 || closes.size() < static_cast<std::size_t>(period) + 1) {
    return kNaN;
  }
  std::vector<double> out(closes.size());
  indicators::HistVolCloseToCloseBatch(closes, out, period, trading_days_per_year, indicators::ReturnKind::kLog,
                                       indicators::StdDevKind::kSample);
  return out.back();
}

double TradingDaysPerYear(calendar::Exchange exchange, CivilDate date) {
  const auto& cal = calendar::ExchangeCalendar::Get(exchange);
  const CivilDate from = CivilFromDays(DaysFromCivil(date) - 365);
  auto days = cal.TradingDaysBetween(from, date);
  if (!days.ok() || *days < 200) {
    return 252.0;
  }
  return static_cast<double>(*days);
}

// ---- the service ------------------------------------------------------------------------------------------

ContextService::ContextService(CoachService& coach, IvHistoryStore* iv_store, Options options)
    : coach_(coach), iv_store_(iv_store), options_(options) {}

ContextService::~ContextService() {
  StopRecorder();
}

Result<InstrumentInfo> ContextService::ResolveSymbol(std::string_view symbol) const {
  if (symbol.empty() || symbol.size() > 40) {
    return Error::InvalidArgument("symbol must be 1..40 characters, e.g. SPY or NSE_INDEX:NIFTY", "symbol");
  }
  const bool well_formed = std::all_of(symbol.begin(), symbol.end(), [](unsigned char c) {
    return std::isalnum(c) || c == ':' || c == '.' || c == '_' || c == '-' || c == '&';
  });
  if (!well_formed) {
    return Error::InvalidArgument("symbol has characters outside A-Z 0-9 : . _ - &", "symbol");
  }
  auto info = coach_.market().Resolve(symbol);
  if (!info.ok()) {
    return Field(info.error(), "symbol");
  }
  return info;
}

Result<ContextService::Resolved> ContextService::Resolve(std::string_view symbol,
                                                         std::optional<UnixNanos> as_of) const {
  auto info = ResolveSymbol(symbol);
  if (!info.ok()) {
    return info.error();
  }
  Resolved r;
  r.info = *info;
  r.facts = FactsFor(r.info);
  if (r.facts.vol_index) {
    return Error::InvalidArgument(r.info.id.value() + " is a volatility index; ask for the underlying it measures",
                                  "symbol");
  }
  auto effective = coach_.ResolveAsOf(as_of, r.facts.exchange);
  if (!effective.ok()) {
    return effective.error();
  }
  r.as_of = *effective;
  r.live = !r.as_of.given && !r.as_of.frozen;
  r.key = r.info.id.value() + (r.live ? std::string("|live") : "|" + std::to_string(r.as_of.used.nanos()));
  return r;
}

template <typename V>
std::shared_ptr<const V> ContextService::Lookup(Cache<V>& cache, std::string_view key) {
  auto it = cache.entries.find(key);
  if (it == cache.entries.end()) {
    return nullptr;
  }
  if (coach_.clock().Now() >= it->second.expires) {
    cache.order.erase(it->second.order);
    cache.entries.erase(it);
    return nullptr;
  }
  return it->second.value;
}

template <typename V>
void ContextService::Store(Cache<V>& cache, std::string key, std::shared_ptr<const V> value, bool live) {
  const UnixNanos expires = coach_.clock().Now() + (live ? options_.live_ttl : options_.frozen_ttl);
  if (auto it = cache.entries.find(key); it != cache.entries.end()) {
    cache.order.erase(it->second.order);
    cache.entries.erase(it);
  }
  while (!cache.order.empty() && cache.entries.size() >= std::max<std::size_t>(options_.max_entries, 1)) {
    cache.entries.erase(cache.order.front());
    cache.order.pop_front();
  }
  cache.order.push_back(key);
  auto order = std::prev(cache.order.end());
  cache.entries.emplace(std::move(key), typename Cache<V>::Entry{std::move(value), expires, order});
}

Result<std::shared_ptr<const ContextBase>> ContextService::Base(const Resolved& r, bool& hit) {
  {
    std::lock_guard lock(mutex_);
    if (auto cached = Lookup(bases_, r.key)) {
      hit = true;
      return cached;
    }
  }
  hit = false;
  auto input = coach_.BuildInput(r.info, r.as_of.used);
  if (!input.ok()) {
    return Error::Unprocessable("no market data for " + r.info.id.value() + ": " + input.error().message, "as_of");
  }
  auto ctx = scanner::BuildContext(*input, r.as_of.used);
  if (!ctx.ok()) {
    return Error::Unprocessable("no market data for " + r.info.id.value() + " at or before " +
                                    r.as_of.used.ToIso8601() + ": " + ctx.error().message,
                                "as_of");
  }
  auto base = std::make_shared<ContextBase>();
  base->info = r.info;
  base->facts = r.facts;
  base->as_of = r.as_of;
  base->computed_at = coach_.clock().Now();
  base->live = r.live;
  base->context = std::make_shared<const scanner::SymbolContext>(std::move(ctx).value());
  const scanner::SymbolContext& c = *base->context;
  base->snapshot = SnapshotFromBars(c);
  if (!r.as_of.given) {
    // "Now": the live quote (bid/ask, the session so far). A past as_of keeps the bars' figures: a quote
    // taken now would speak for a later instant than the one asked for.
    if (auto quote = coach_.market().Quote(r.info.id); quote.ok() && quote->ltp.raw() != 0) {
      MarketSnapshot& s = base->snapshot;
      s.source = "quote";
      s.ts = quote->ts;
      s.last = quote->ltp.AsDouble();
      s.bid = PriceOf(quote->bid);
      s.ask = PriceOf(quote->ask);
      if (quote->open.raw() != 0) {
        s.session_open = quote->open.AsDouble();
        s.session_high = quote->high.AsDouble();
        s.session_low = quote->low.AsDouble();
        s.session_volume = quote->volume.AsDouble();
      }
      if (quote->prev_close.raw() != 0) {
        s.prev_close = quote->prev_close.AsDouble();
      }
    }
  }
  FillChange(base->snapshot);
  const scanner::SessionSpan& current = c.current();
  base->session_profile = ProfileOf(c.bars.View(current.first, current.last - current.first + 1), c.has_volume,
                                    "current session (1m bars)");
  std::shared_ptr<const ContextBase> out = std::move(base);
  std::lock_guard lock(mutex_);
  Store(bases_, r.key, out, r.live);
  return out;
}

std::shared_ptr<const IntervalContext> ContextService::Interval(const Resolved& r, const ContextBase& base,
                                                               ContextInterval interval, bool& hit) {
  const std::string key = r.key + "|" + std::string(ContextIntervalName(interval));
  {
    std::lock_guard lock(mutex_);
    if (auto cached = Lookup(intervals_, key)) {
      hit = true;
      return cached;
    }
  }
  hit = false;
  auto computed = std::make_shared<const IntervalContext>(
      BuildInterval(*base.context, interval, options_.max_bars_kept, base.as_of.used));
  std::lock_guard lock(mutex_);
  Store(intervals_, key, computed, r.live);
  return computed;
}

std::shared_ptr<const VolatilityBlock> ContextService::Volatility(const Resolved& r, const ContextBase& base,
                                                                 bool& hit) {
  {
    std::lock_guard lock(mutex_);
    if (auto cached = Lookup(volatility_, r.key)) {
      hit = true;
      return cached;
    }
  }
  hit = false;
  auto computed = std::make_shared<const VolatilityBlock>(ComputeVolatility(r, base));
  std::lock_guard lock(mutex_);
  Store(volatility_, r.key, computed, r.live);
  return computed;
}

Result<std::size_t> ContextService::BackfillFromVolIndex(const InstrumentInfo& info, CivilDate before) {
  if (iv_store_ == nullptr || coach_.market().source() != "simulator") {
    return std::size_t{0};
  }
  const InstrumentFacts facts = FactsFor(info);
  if (facts.vol_index_id.empty()) {
    return std::size_t{0};
  }
  auto vol = coach_.market().Resolve(facts.vol_index_id);
  if (!vol.ok()) {
    return vol.error();
  }
  const auto& zone = calendar::ExchangeCalendar::Get(facts.exchange).time_zone();
  const UnixNanos to = coach_.clock().Now();
  auto bars = coach_.market().Bars(vol->id, BarSpec{1, BarUnit::kDay}, to - std::chrono::hours(24 * 400), to);
  if (!bars.ok()) {
    return bars.error();
  }
  std::vector<std::pair<CivilDate, double>> readings;
  for (const Bar& bar : *bars) {
    const CivilDate date = zone.LocalDate(bar.ts_event);
    if (!(date < before)) {
      continue;
    }
    auto iv = adapters::simulator::AtmIv30FromVolIndex(info.id, bar.close.AsDouble());
    if (!iv.ok()) {
      return std::size_t{0};  // not optionable in the simulator: nothing to backfill
    }
    readings.emplace_back(date, *iv);
  }
  return iv_store_->Backfill(info.id.value(), readings, kIvSourceSimulatorVolIndex);
}

VolatilityBlock ContextService::ComputeVolatility(const Resolved& r, const ContextBase& base) {
  VolatilityBlock v;
  v.underlying = r.info.id.value();
  const scanner::SymbolContext& ctx = *base.context;
  auto session = SessionOf(r.facts.exchange, r.as_of.used);
  v.session = session.ok() ? session->date : ctx.trading_date;

  // Historical volatility from completed sessions' closes (today's forming bar is not a close yet).
  std::vector<double> closes(ctx.daily.close.begin(), ctx.daily.close.end());
  if (!closes.empty() && !ctx.session_complete && ctx.daily.ts.back() / kNanosPerDay == DaysFromCivil(v.session)) {
    closes.pop_back();
  }
  v.trading_days_per_year = TradingDaysPerYear(r.facts.exchange, v.session);
  const auto hv = [&](int n) {
    const double value = HistoricalVolatility(closes, n, v.trading_days_per_year);
    return std::isfinite(value) ? Metric::Of(value)
                                : Metric::Missing(std::to_string(closes.size()) + " daily closes; HV" +
                                                  std::to_string(n) + " needs " + std::to_string(n + 1));
  };
  v.hv20 = hv(20);
  v.hv60 = hv(60);
  v.hv120 = hv(120);

  const std::string past_note = "option chains are served as of now only; as_of " + r.as_of.requested.ToIso8601() +
                                " is a past instant";
  const auto missing_chain = [&](const std::string& why) {
    v.chain_note = why;
    v.atm_iv_front = v.front_days = Metric::Missing(why);
    v.risk_reversal_25d = v.butterfly_25d = v.term_slope = Metric::Missing(why);
    v.expected_move_straddle = v.expected_move_straddle_sigma = v.expected_move_iv = Metric::Missing(why);
  };

  // The simulator's past comes from its vol index, once per underlying and process (a failed backfill leaves
  // the history short, which rank and percentile then say).
  const auto ensure_backfill = [&] {
    bool first = false;
    {
      std::lock_guard lock(mutex_);
      first = backfilled_.insert(v.underlying).second;
    }
    if (first) {
      // Every session whose vol-index close is final: all before the session in progress now.
      const UnixNanos now = coach_.clock().Now();
      auto current = SessionOf(r.facts.exchange, now);
      if (current.ok()) {
        const CivilDate before =
            current->regular_close > now ? current->date : CivilFromDays(DaysFromCivil(current->date) + 1);
        (void)BackfillFromVolIndex(r.info, before);
      }
    }
  };

  // The 30-day ATM IV: from our chain reading now, or (a past as_of) from the stored row of that session.
  if (r.as_of.given) {
    missing_chain(past_note);
    std::optional<IvHistoryRow> row;
    if (iv_store_ != nullptr) {
      ensure_backfill();
      auto at = iv_store_->At(v.underlying, v.session);
      if (at.ok()) row = *at;
    }
    if (row) {
      v.atm_iv_30d = Metric::Of(row->atm_iv_30d);
      v.atm_iv_30d_source = row->source;
    } else {
      v.atm_iv_30d = Metric::Missing(past_note + ", and no IV is stored for the " +
                                     FormatSessionDate(v.session) + " session");
    }
  } else {
    auto chain = coach_.market().Chain(r.info.id);
    if (!chain.ok()) {
      missing_chain("no option chain for " + v.underlying + ": " + chain.error().message);
      v.atm_iv_30d = Metric::Missing(v.chain_note);
    } else {
      std::size_t skipped = 0;
      const UnixNanos now = coach_.clock().Now();
      std::vector<ExpiryIv> expiries = ReadChain(*chain, r.facts.exchange, now, skipped);
      if (expiries.empty()) {
        missing_chain("the chain of " + v.underlying + " has no expiry with a readable ATM IV");
        v.atm_iv_30d = Metric::Missing(v.chain_note);
      } else {
        std::vector<options::TermPoint> points;
        for (const ExpiryIv& e : expiries) points.push_back({e.t_years, e.atm_iv});
        auto cm = options::ConstantMaturityIv(points);
        v.atm_iv_30d = cm.ok() ? Metric::Of(*cm) : Metric::Missing(cm.error().message);
        v.atm_iv_30d_source = std::string(kIvSourceChain);
        auto slope = options::TermStructureSlope(points);
        v.term_slope = slope.ok() ? Metric::Of(*slope) : Metric::Missing(slope.error().message);

        const ExpiryIv* front = nullptr;
        for (const ExpiryIv& e : expiries) {
          if (e.t_years >= kMinFrontYears) {
            front = &e;
            break;
          }
        }
        if (front == nullptr) {
          const std::string why = "every listed expiry closes within a day";
          v.atm_iv_front = v.front_days = Metric::Missing(why);
          v.expected_move_straddle = v.expected_move_straddle_sigma = v.expected_move_iv = Metric::Missing(why);
        } else {
          v.front_expiry = FormatSessionDate(front->expiry);
          v.atm_iv_front = Metric::Of(front->atm_iv);
          v.front_days = Metric::Of(front->t_years * 365.0);
          auto straddle = options::AtmStraddle(front->slice, front->forward);
          if (straddle.ok()) {
            v.expected_move_straddle = Metric::Of(straddle->straddle);
            v.expected_move_straddle_sigma = Metric::Of(straddle->sigma_move);
          } else {
            v.expected_move_straddle = v.expected_move_straddle_sigma = Metric::Missing(straddle.error().message);
          }
          const double spot = chain->underlying_price.raw() != 0 ? chain->underlying_price.AsDouble() : ctx.price();
          v.expected_move_iv = Metric::Of(options::IvExpectedMove(spot, front->atm_iv, front->t_years));
        }
        // Skew on the expiry nearest 30 days.
        const ExpiryIv* skew_at = &expiries.front();
        for (const ExpiryIv& e : expiries) {
          if (std::abs(e.t_years - 30.0 / 365.0) < std::abs(skew_at->t_years - 30.0 / 365.0)) skew_at = &e;
        }
        v.skew_expiry = FormatSessionDate(skew_at->expiry);
        auto skew = options::Skew25Delta(skew_at->ivs, skew_at->forward, skew_at->t_years);
        if (skew.ok()) {
          v.risk_reversal_25d = Metric::Of(skew->risk_reversal);
          v.butterfly_25d = Metric::Of(skew->butterfly);
        } else {
          v.risk_reversal_25d = v.butterfly_25d = Metric::Missing(skew.error().message);
        }
        if (skipped > 0) {
          v.chain_note = std::to_string(skipped) + " expiries without a readable ATM IV were left out";
        }
      }
    }
  }

  // Rank and percentile: the current 30-day IV against our stored history (sessions before this one).
  if (!v.atm_iv_30d.known()) {
    v.iv_rank = v.iv_percentile = Metric::Missing("no current 30-day ATM IV: " + v.atm_iv_30d.reason);
  } else if (iv_store_ == nullptr) {
    v.iv_rank = v.iv_percentile = Metric::Missing("no IV history store is configured");
  } else {
    ensure_backfill();
    if (!r.as_of.given && v.atm_iv_30d_source == kIvSourceChain) {
      v.recorded = iv_store_->Record(v.underlying, v.session, v.atm_iv_30d.value, kIvSourceChain).ok();
    }
    auto rows = iv_store_->Before(v.underlying, v.session, options_.iv_history_sessions);
    if (!rows.ok()) {
      v.iv_rank = v.iv_percentile = Metric::Missing("the IV history could not be read: " + rows.error().message);
    } else {
      v.iv_history_days = rows->size();
      if (rows->size() < options_.iv_history_min_sessions) {
        const std::string why = std::to_string(rows->size()) + " of " +
                                std::to_string(options_.iv_history_min_sessions) +
                                " required days of IV history";
        v.iv_rank = v.iv_percentile = Metric::Missing(why);
      } else {
        std::vector<double> history;
        history.reserve(rows->size());
        for (const IvHistoryRow& row : *rows) history.push_back(row.atm_iv_30d);
        auto rank = options::IvRank(history, v.atm_iv_30d.value);
        auto pct = options::IvPercentile(history, v.atm_iv_30d.value);
        v.iv_rank = rank.ok() ? Metric::Of(*rank) : Metric::Missing(rank.error().message);
        v.iv_percentile = pct.ok() ? Metric::Of(*pct) : Metric::Missing(pct.error().message);
      }
    }
  }
  if (v.atm_iv_30d.known() && v.hv20.known()) {
    const double ratio = options::IvHvRatio(v.atm_iv_30d.value, v.hv20.value);
    v.iv_hv_ratio = std::isfinite(ratio) ? Metric::Of(ratio) : Metric::Missing("HV20 is zero");
  } else {
    v.iv_hv_ratio = Metric::Missing(!v.atm_iv_30d.known() ? "no 30-day ATM IV" : "no HV20: " + v.hv20.reason);
  }
  return v;
}

Result<ContextReport> ContextService::Context(const ContextQuery& query) {
  auto r = Resolve(query.symbol, query.as_of);
  if (!r.ok()) {
    return r.error();
  }
  bool base_hit = false, interval_hit = false, vol_hit = false;
  auto base = Base(*r, base_hit);
  if (!base.ok()) {
    return base.error();
  }
  ContextReport report;
  report.base = *base;
  report.interval = Interval(*r, **base, query.interval, interval_hit);
  report.volatility = Volatility(*r, **base, vol_hit);
  report.cached = base_hit && interval_hit && vol_hit;
  return report;
}

Result<MultiContextReport> ContextService::MultiContext(const MultiContextQuery& query) {
  if (query.intervals.empty()) {
    return Error::InvalidArgument("intervals must list at least one of 1m, 5m, 15m, 30m, 1h, 4h, 1D, 1W",
                                  "intervals");
  }
  auto r = Resolve(query.symbol, query.as_of);
  if (!r.ok()) {
    return r.error();
  }
  bool base_hit = false, vol_hit = false;
  auto base = Base(*r, base_hit);
  if (!base.ok()) {
    return base.error();
  }
  MultiContextReport report;
  report.base = *base;
  bool all_hit = base_hit;
  for (ContextInterval interval : query.intervals) {
    bool hit = false;
    report.intervals.push_back(Interval(*r, **base, interval, hit));
    all_hit = all_hit && hit;
  }
  report.volatility = Volatility(*r, **base, vol_hit);
  report.cached = all_hit && vol_hit;
  return report;
}

std::size_t ContextService::RecordClosedSessions() {
  if (iv_store_ == nullptr) {
    return 0;
  }
  const UnixNanos now = coach_.clock().Now();
  std::size_t written = 0;
  for (const InstrumentId& id : coach_.market().OptionUnderlyings()) {
    auto info = coach_.market().Resolve(id.value());
    if (!info.ok()) continue;
    const InstrumentFacts facts = FactsFor(*info);
    auto session = SessionOf(facts.exchange, now);
    if (!session.ok() || session->regular_close > now) {
      continue;  // the session is still open (its readings come with each context) or none has begun
    }
    auto row = iv_store_->At(id.value(), session->date);
    if (row.ok() && *row && (*row)->source == kIvSourceChain && (*row)->recorded_at >= session->regular_close) {
      continue;  // already has a reading taken after the close
    }
    auto r = Resolve(id.value(), std::nullopt);
    if (!r.ok()) continue;
    bool hit = false;
    auto base = Base(*r, hit);
    if (!base.ok()) continue;
    const VolatilityBlock v = ComputeVolatility(*r, **base);
    written += v.recorded ? 1 : 0;
  }
  return written;
}

void ContextService::StartRecorder(Duration period) {
  StopRecorder();
  {
    std::lock_guard lock(recorder_mutex_);
    recorder_stop_ = false;
  }
  recorder_ = std::thread([this, period] {
    std::unique_lock lock(recorder_mutex_);
    while (!recorder_stop_) {
      lock.unlock();
      RecordClosedSessions();
      lock.lock();
      recorder_wake_.wait_for(lock, period, [this] { return recorder_stop_; });
    }
  });
}

void ContextService::StopRecorder() {
  {
    std::lock_guard lock(recorder_mutex_);
    recorder_stop_ = true;
  }
  recorder_wake_.notify_all();
  if (recorder_.joinable()) {
    recorder_.join();
  }
}

}  // namespace td::system
