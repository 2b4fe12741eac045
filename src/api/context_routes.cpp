// SPDX-License-Identifier: MIT
#include "api/context_routes.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include "api/coach_routes.hpp"
#include "api/error_response.hpp"
#include "api/json_body.hpp"
#include "api/json_writer.hpp"
#include "api/session_state.hpp"

namespace td::api {
namespace {

using boost::json::object;
using boost::json::value;
using system::ContextInterval;

constexpr std::size_t kDefaultBars = 300;
constexpr std::size_t kDefaultBarsPerInterval = 150;
constexpr std::size_t kMaxBars = 1000;
constexpr std::size_t kMaxIntervals = 8;
constexpr int kAuxDecimals = 2;  // RSI, ADX, percentages

// ---- number formatting ------------------------------------------------------------------------------------

/// A number with at most `decimals` decimals, trailing zeros dropped (NaN: null). Integer arithmetic rather than
/// printf: a context body holds thousands of numbers and printf's exact decimal expansion dominated its cost.
void Number(JsonWriter& json, double v, int decimals) {
  if (!std::isfinite(v)) {
    json.Null();
    return;
  }
  static constexpr std::array<std::uint64_t, 10> kPow = {1,         10,         100,         1'000,      10'000,
                                                         100'000,   1'000'000,  10'000'000,  100'000'000,
                                                         1'000'000'000};
  decimals = std::clamp(decimals, 0, 9);
  const double scaled = std::round(v * static_cast<double>(kPow[static_cast<std::size_t>(decimals)]));
  if (!(std::abs(scaled) < 9e15)) {
    std::string text;
    AppendJsonDouble(text, v);
    json.Raw(text);
    return;
  }
  const bool negative = scaled < 0.0;
  std::uint64_t units = static_cast<std::uint64_t>(negative ? -scaled : scaled);
  std::uint64_t whole = units / kPow[static_cast<std::size_t>(decimals)];
  std::uint64_t fraction = units % kPow[static_cast<std::size_t>(decimals)];
  int digits = decimals;
  while (digits > 0 && fraction % 10 == 0) {
    fraction /= 10;
    --digits;
  }
  char buf[48];
  char* end = buf + sizeof(buf);
  char* p = end;
  for (int i = 0; i < digits; ++i) {
    *--p = static_cast<char>('0' + fraction % 10);
    fraction /= 10;
  }
  if (digits > 0) *--p = '.';
  do {
    *--p = static_cast<char>('0' + whole % 10);
    whole /= 10;
  } while (whole > 0);
  if (negative && units != 0) *--p = '-';
  json.Raw(std::string_view(p, static_cast<std::size_t>(end - p)));
}

/// "2025-09-16T14:30:00Z" (bar starts are whole seconds: no fraction), or "2025-09-16" for daily/weekly bars.
std::string BarTime(std::int64_t ts, bool date_only) {
  constexpr std::int64_t kSecondsPerDay = 86'400;
  std::int64_t seconds = ts / 1'000'000'000;
  if (ts % 1'000'000'000 < 0) --seconds;
  std::int64_t days = seconds / kSecondsPerDay;
  std::int64_t rest = seconds % kSecondsPerDay;
  if (rest < 0) {
    rest += kSecondsPerDay;
    --days;
  }
  const CivilDate date = CivilFromDays(days);
  char buf[24];
  const auto put = [&buf](int at, int value, int width) {
    for (int i = width - 1; i >= 0; --i) {
      buf[at + i] = static_cast<char>('0' + value % 10);
      value /= 10;
    }
  };
  put(0, date.year, 4);
  buf[4] = '-';
  put(5, date.month, 2);
  buf[7] = '-';
  put(8, date.day, 2);
  if (date_only) {
    return std::string(buf, 10);
  }
  const int secs = static_cast<int>(rest);
  buf[10] = 'T';
  put(11, secs / 3600, 2);
  buf[13] = ':';
  put(14, secs / 60 % 60, 2);
  buf[16] = ':';
  put(17, secs % 60, 2);
  buf[19] = 'Z';
  return std::string(buf, 20);
}

/// A metric as `"name": number|null` plus `"name_reason": "..."` when null. `scale` turns decimals into percent.
void MetricField(JsonWriter& json, std::string_view name, const system::Metric& m, double scale, int decimals) {
  json.Key(name);
  if (m.known()) {
    Number(json, m.value * scale, decimals);
  } else {
    json.Null();
    json.Key(std::string(name) + "_reason").String(m.reason);
  }
}

// ---- blocks --------------------------------------------------------------------------------------------------

void WriteProfile(JsonWriter& json, const system::ProfileOverlay& p, int precision) {
  json.BeginObject();
  json.Key("basis").String(p.basis);
  if (p.present) {
    json.Key("poc");
    Number(json, p.poc, precision);
    json.Key("vah");
    Number(json, p.vah, precision);
    json.Key("val");
    Number(json, p.val, precision);
    json.Key("value_area_pct");
    Number(json, p.value_area_fraction * 100.0, 1);
  } else {
    json.Key("poc").Null();
    json.Key("vah").Null();
    json.Key("val").Null();
    json.Key("reason").String(p.reason);
  }
  json.EndObject();
}

void WriteIntervalOverlays(JsonWriter& json, const system::IntervalContext& c, int precision) {
  json.BeginObject();
  for (std::string_view kind : {std::string_view("supply"), std::string_view("demand")}) {
    json.Key(std::string(kind) + "_zones").BeginArray();
    for (const system::ZoneOverlay& z : c.zones) {
      if (z.kind != kind) continue;
      json.BeginObject();
      json.Key("low");
      Number(json, z.bottom, precision);
      json.Key("high");
      Number(json, z.top, precision);
      json.Key("strength");
      Number(json, z.strength, 2);
      json.Key("freshness").String(z.freshness);
      json.Key("touches").Int(z.touches);
      json.Key("formed").String(BarTime(z.formed_ts, false));
      json.EndObject();
    }
    json.EndArray();
  }
  json.Key("fvgs").BeginArray();
  for (const system::GapOverlay& g : c.fvgs) {
    json.BeginObject();
    json.Key("direction").String(g.direction);
    json.Key("low");
    Number(json, g.bottom, precision);
    json.Key("high");
    Number(json, g.top, precision);
    json.Key("filled_pct");
    Number(json, g.filled_fraction * 100.0, 1);
    json.Key("time").String(BarTime(g.ts, false));
    json.EndObject();
  }
  json.EndArray();
  json.Key("liquidity_pools").BeginArray();
  for (const system::PoolOverlay& p : c.liquidity_pools) {
    json.BeginObject();
    json.Key("type").String(p.side);
    json.Key("level");
    Number(json, p.price, precision);
    json.Key("members").Int(p.members);
    json.Key("swept").Bool(p.swept);
    json.EndObject();
  }
  json.EndArray();
  json.Key("volume_profile");
  WriteProfile(json, c.volume_profile, precision);
  json.EndObject();
}

struct SeriesRef {
  std::string_view name;
  const std::vector<double>* values;
  int decimals;
};

std::vector<SeriesRef> SeriesOf(const system::IndicatorSeries& s, int precision) {
  return {{"ema9", &s.ema9, precision + 2},   {"ema20", &s.ema20, precision + 2}, {"ema50", &s.ema50, precision + 2},
          {"ema200", &s.ema200, precision + 2}, {"vwap", &s.vwap, precision + 2},   {"rsi14", &s.rsi14, kAuxDecimals},
          {"atr14", &s.atr14, precision + 2}, {"adx14", &s.adx14, kAuxDecimals}};
}

/// The interval's own fields: bars, indicator series (aligned with the bars) and their last values, overlays.
void WriteIntervalFields(JsonWriter& json, const system::IntervalContext& c, std::size_t keep, bool include_series,
                         int precision) {
  const scanner::BarSeries& b = c.bars;
  const std::size_t shown = include_series ? std::min(keep, b.size()) : 0;
  const std::size_t first = b.size() - shown;
  const bool date_only = c.interval == ContextInterval::k1D || c.interval == ContextInterval::k1W;
  json.Key("interval").String(system::ContextIntervalName(c.interval));
  json.Key("bars_returned").Int(static_cast<std::int64_t>(shown));
  json.Key("bars_available").Int(static_cast<std::int64_t>(c.bars_available));
  json.Key("last_bar_forming").Bool(c.last_bar_forming);
  json.Key("trend").String(c.trend);
  if (include_series) {
    json.Key("bars").BeginArray();
    for (std::size_t i = first; i < b.size(); ++i) {
      json.BeginObject();
      json.Key("time").String(BarTime(b.ts[i], date_only));
      json.Key("open");
      Number(json, b.open[i], precision);
      json.Key("high");
      Number(json, b.high[i], precision);
      json.Key("low");
      Number(json, b.low[i], precision);
      json.Key("close");
      Number(json, b.close[i], precision);
      json.Key("volume");
      Number(json, b.volume[i], 0);
      json.EndObject();
    }
    json.EndArray();
    json.Key("indicators").BeginObject();
    for (const SeriesRef& s : SeriesOf(c.indicators, precision)) {
      json.Key(s.name).BeginArray();
      for (std::size_t i = first; i < s.values->size(); ++i) {
        Number(json, (*s.values)[i], s.decimals);
      }
      json.EndArray();
    }
    json.EndObject();
  }
  json.Key("indicators_last").BeginObject();
  for (const SeriesRef& s : SeriesOf(c.indicators, precision)) {
    json.Key(s.name);
    Number(json, s.values->empty() ? NAN : s.values->back(), s.decimals);
  }
  json.EndObject();
  if (c.interval == ContextInterval::k1D || c.interval == ContextInterval::k1W) {
    json.Key("vwap_reason").String("session VWAP is defined on intraday bars only");
  }
  json.Key("overlays");
  WriteIntervalOverlays(json, c, precision);
}

void WriteSnapshot(JsonWriter& json, const system::MarketSnapshot& s, int precision) {
  json.BeginObject();
  json.Key("source").String(s.source);
  json.Key("time").String(s.ts.ToIso8601());
  json.Key("last");
  Number(json, s.last, precision);
  json.Key("bid");
  s.bid ? Number(json, *s.bid, precision) : (void)json.Null();
  json.Key("ask");
  s.ask ? Number(json, *s.ask, precision) : (void)json.Null();
  json.Key("session_open");
  Number(json, s.session_open, precision);
  json.Key("session_high");
  Number(json, s.session_high, precision);
  json.Key("session_low");
  Number(json, s.session_low, precision);
  json.Key("session_volume");
  Number(json, s.session_volume, 0);
  json.Key("prev_close");
  Number(json, s.prev_close, precision);
  json.Key("change");
  Number(json, s.change, precision);
  json.Key("change_pct");
  Number(json, s.change_pct, kAuxDecimals);
  json.EndObject();
}

void WriteVolatility(JsonWriter& json, const system::VolatilityBlock& v, int precision) {
  json.BeginObject();
  json.Key("underlying").String(v.underlying);
  json.Key("session").String(system::FormatSessionDate(v.session));
  json.Key("units").String("IV, HV, skew and term slope in percent (annualised); rank and percentile 0-100; "
                           "expected moves in price");
  MetricField(json, "atm_iv_front", v.atm_iv_front, 100.0, 2);
  json.Key("front_expiry").StringOrNull(v.front_expiry);
  MetricField(json, "front_days", v.front_days, 1.0, 2);
  MetricField(json, "atm_iv_30d", v.atm_iv_30d, 100.0, 2);
  json.Key("atm_iv_30d_source").StringOrNull(v.atm_iv_30d_source);
  MetricField(json, "iv_rank", v.iv_rank, 1.0, 1);
  MetricField(json, "iv_percentile", v.iv_percentile, 1.0, 1);
  json.Key("iv_history_days").Int(static_cast<std::int64_t>(v.iv_history_days));
  MetricField(json, "hv20", v.hv20, 100.0, 2);
  MetricField(json, "hv60", v.hv60, 100.0, 2);
  MetricField(json, "hv120", v.hv120, 100.0, 2);
  json.Key("trading_days_per_year");
  Number(json, v.trading_days_per_year, 0);
  MetricField(json, "iv_hv_ratio", v.iv_hv_ratio, 1.0, 3);
  MetricField(json, "risk_reversal_25d", v.risk_reversal_25d, 100.0, 2);
  MetricField(json, "butterfly_25d", v.butterfly_25d, 100.0, 2);
  json.Key("skew_expiry").StringOrNull(v.skew_expiry);
  MetricField(json, "term_slope", v.term_slope, 100.0, 2);
  json.Key("expected_move").BeginObject();
  json.Key("expiry").StringOrNull(v.front_expiry);
  MetricField(json, "straddle", v.expected_move_straddle, 1.0, precision + 2);
  MetricField(json, "straddle_sigma", v.expected_move_straddle_sigma, 1.0, precision + 2);
  MetricField(json, "iv_based", v.expected_move_iv, 1.0, precision + 2);
  json.EndObject();
  json.Key("recorded").Bool(v.recorded);
  json.Key("note").StringOrNull(v.chain_note);
  json.EndObject();
}

/// Symbol-wide fields: identity, as_of, session, key levels, session levels, AVWAPs, HTF vote, snapshot.
void WriteBaseFields(JsonWriter& json, const system::ContextBase& base) {
  const scanner::SymbolContext& ctx = *base.context;
  const int precision = base.info.price_precision;
  json.Key("symbol").String(base.info.id.value());
  json.Key("as_of").String(base.as_of.used.ToIso8601());
  json.Key("requested_as_of").String(base.as_of.requested.ToIso8601());
  json.Key("as_of_given").Bool(base.as_of.given);
  json.Key("as_of_note").StringOrNull(base.as_of.note);
  json.Key("planning_context").String(base.live ? "live" : "frozen");
  json.Key("data_as_of").String(ctx.data_as_of.ToIso8601());
  json.Key("computed_at").String(base.computed_at.ToIso8601());
  json.Key("exchange_tz").String(base.info.time_zone);
  json.Key("decimals").Int(precision);
  json.Key("snapshot");
  WriteSnapshot(json, base.snapshot, precision);
  json.Key("key_levels").BeginArray();
  for (const levels::KeyLevel& level : ctx.key_levels.levels()) {
    json.BeginObject();
    json.Key("price");
    Number(json, level.price, precision);
    json.Key("label").String(level.label);
    json.Key("kinds").BeginArray();
    for (levels::LevelKind kind : level.kinds) json.String(levels::LevelKindName(kind));
    json.EndArray();
    json.Key("score");
    Number(json, level.score, 3);
    json.Key("primary").Bool(level.primary);
    json.EndObject();
  }
  json.EndArray();
  const scanner::SessionLevels& s = ctx.session;
  json.Key("session_levels").BeginObject();
  const std::array<std::pair<std::string_view, double>, 15> session_levels = {{{"session_open", s.session_open},
                                                                               {"session_high", s.session_high},
                                                                               {"session_low", s.session_low},
                                                                               {"opening_range_high", s.orh},
                                                                               {"opening_range_low", s.orl},
                                                                               {"prev_day_high", s.pdh},
                                                                               {"prev_day_low", s.pdl},
                                                                               {"prev_day_close", s.pdc},
                                                                               {"prev_week_high", s.pwh},
                                                                               {"prev_week_low", s.pwl},
                                                                               {"pivot", s.pivot},
                                                                               {"r1", s.r1},
                                                                               {"s1", s.s1},
                                                                               {"r2", s.r2},
                                                                               {"s2", s.s2}}};
  for (const auto& [name, price] : session_levels) {
    json.Key(name);
    Number(json, price, precision);
  }
  json.EndObject();
  json.Key("avwaps").BeginArray();
  for (const scanner::AvwapLevel& a : ctx.avwaps) {
    if (a.anchor >= ctx.bars.size() || !std::isfinite(a.value)) continue;
    json.BeginObject();
    json.Key("label").String(a.label);
    json.Key("anchor_time").String(BarTime(ctx.bars.ts[a.anchor], false));
    json.Key("value");
    Number(json, a.value, precision);
    json.EndObject();
  }
  json.EndArray();
  json.Key("session_volume_profile");
  WriteProfile(json, base.session_profile, precision);
  json.Key("htf").BeginObject();
  json.Key("weekly").Int(ctx.htf.weekly);
  json.Key("daily").Int(ctx.htf.daily);
  json.Key("hourly").Int(ctx.htf.hourly);
  json.Key("m15").Int(ctx.htf.m15);
  json.Key("bias");
  Number(json, ctx.htf.bias, 2);
  json.Key("label").String(ctx.htf.label);
  json.EndObject();
}

void WriteTruncation(JsonWriter& json, std::string_view truncation) {
  json.Key("truncated").Bool(!truncation.empty());
  json.Key("truncation").StringOrNull(truncation);
}

/// Everything but `session` and `cached`, which change from one answer to the next while the rest is reused.
std::string RenderContextRest(const system::ContextReport& report, std::size_t keep_bars, std::string_view truncation) {
  JsonWriter json(64 * 1024);
  json.BeginObject();
  WriteBaseFields(json, *report.base);
  WriteIntervalFields(json, *report.interval, keep_bars, true, report.base->info.price_precision);
  json.Key("volatility");
  WriteVolatility(json, *report.volatility, report.base->info.price_precision);
  WriteTruncation(json, truncation);
  json.EndObject();
  return json.Take();
}

std::string RenderMultiContextRest(const system::MultiContextReport& report, std::size_t keep_bars,
                                   bool include_series, std::string_view truncation) {
  const int precision = report.base->info.price_precision;
  JsonWriter json(96 * 1024);
  json.BeginObject();
  WriteBaseFields(json, *report.base);
  json.Key("intervals").BeginArray();
  for (const auto& c : report.intervals) json.String(system::ContextIntervalName(c->interval));
  json.EndArray();
  json.Key("contexts").BeginArray();
  for (const auto& c : report.intervals) {
    json.BeginObject();
    WriteIntervalFields(json, *c, keep_bars, include_series, precision);
    json.EndObject();
  }
  json.EndArray();
  // Trend agreement across the intervals: |#up - #down| / (#up + #down), null when none trends.
  int up = 0, down = 0;
  json.Key("summary").BeginObject();
  json.Key("trend_notes").BeginObject();
  for (const auto& c : report.intervals) {
    json.Key(system::ContextIntervalName(c->interval)).String(c->trend);
    up += c->trend == "up" ? 1 : 0;
    down += c->trend == "down" ? 1 : 0;
  }
  json.EndObject();
  json.Key("confluence_score");
  if (up + down > 0) {
    Number(json, static_cast<double>(std::abs(up - down)) / static_cast<double>(up + down), 2);
  } else {
    json.Null();
  }
  json.EndObject();
  json.Key("volatility");
  WriteVolatility(json, *report.volatility, precision);
  WriteTruncation(json, truncation);
  json.EndObject();
  return json.Take();
}

/// `{"session":…,"cached":…,` followed by the members of `rest`.
std::string Compose(const system::ContextBase& base, bool cached, UnixNanos now, std::string_view rest) {
  JsonWriter head(256);
  head.BeginObject();
  head.Key("session");
  if (auto state = SessionStateAt(base.facts.exchange, now); state.ok()) {
    WriteSessionState(head, *state);
  } else {
    head.Null();
  }
  head.Key("cached").Bool(cached);
  head.EndObject();
  std::string out = head.Take();
  out.pop_back();
  out.reserve(out.size() + rest.size() + 1);
  if (rest.size() > 2) {
    out += ',';
    out.append(rest.substr(1));
  } else {
    out += '}';
  }
  return out;
}

/// Rendered bodies (without session and cached) of recent answers: an answer whose parts all came from the
/// service's caches, for the same request, is the same text, so it is not written again. An entry holds the
/// parts it was rendered from and is used only while the service hands out those very parts. Bounded, FIFO.
class RenderedBodies {
 public:
  static constexpr std::size_t kMaxEntries = 256;

  std::optional<std::string> Find(const std::string& key, const std::vector<const void*>& parts) {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it == entries_.end() || it->second.parts.size() != parts.size()) return std::nullopt;
    for (std::size_t i = 0; i < parts.size(); ++i) {
      if (it->second.parts[i].get() != parts[i]) return std::nullopt;
    }
    return it->second.body;
  }
  void Put(std::string key, std::vector<std::shared_ptr<const void>> parts, std::string body) {
    std::lock_guard lock(mutex_);
    if (entries_.find(key) == entries_.end()) {
      if (order_.size() >= kMaxEntries) {
        entries_.erase(order_.front());
        order_.pop_front();
      }
      order_.push_back(key);
    }
    entries_[std::move(key)] = Entry{std::move(parts), std::move(body)};
  }

 private:
  struct Entry {
    std::vector<std::shared_ptr<const void>> parts;  // kept alive so an address cannot be reused while cached
    std::string body;
  };
  std::mutex mutex_;
  std::map<std::string, Entry> entries_;
  std::deque<std::string> order_;
};

// ---- request parsing --------------------------------------------------------------------------------------------

Result<std::size_t> BarCount(std::string_view text, std::string_view field) {
  std::size_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc{} || end != text.data() + text.size() || n < 1 || n > kMaxBars) {
    return Error::InvalidArgument(std::string(field) + " must be a whole number within 1.." +
                                      std::to_string(kMaxBars) + ", was '" + std::string(text.substr(0, 16)) + "'",
                                  std::string(field));
  }
  return n;
}

ContextInterval StyleInterval(scanner::Style style) {
  switch (style) {
    case scanner::Style::kScalp: return ContextInterval::k1m;
    case scanner::Style::kIntraday: return ContextInterval::k5m;
    case scanner::Style::kSwing: return ContextInterval::k1h;
    case scanner::Style::kLeaps: return ContextInterval::k1D;
  }
  return ContextInterval::k5m;
}

/// Renders with `requested` bars per interval and, when the body would reach the GPT Actions limit, keeps
/// fewer of the most recent bars until it fits, saying so in `truncation`.
/// What the reused part of a body may hold: the budget less room for the session and cached members.
constexpr std::size_t kRestBudget = kContextBodyBudget - 512;

std::string RenderWithinLimit(std::size_t requested, std::size_t largest,
                              const std::function<std::string(std::size_t, std::string_view)>& render) {
  std::string body = render(requested, {});
  if (body.size() <= kRestBudget) {
    return body;
  }
  const std::size_t wanted = std::min(requested, largest);
  const auto note = [&](std::size_t kept) {
    return "kept the last " + std::to_string(kept) + " of " + std::to_string(wanted) +
           " bars per interval to stay under the 100,000-character GPT Actions limit";
  };
  // The fixed part (everything but the bars) sizes the per-bar cost; a note of the longest form is reserved.
  const std::size_t fixed = render(0, note(wanted)).size();
  std::size_t keep = wanted;
  if (fixed < kRestBudget && body.size() > fixed) {
    const double per_bar = static_cast<double>(body.size() - fixed) / static_cast<double>(wanted);
    keep = static_cast<std::size_t>(static_cast<double>(kRestBudget - fixed) / per_bar);
  } else {
    keep = 0;
  }
  keep = std::min(keep, wanted > 0 ? wanted - 1 : 0);
  while (true) {
    body = render(keep, note(keep));
    if (body.size() <= kRestBudget || keep == 0) {
      return body;
    }
    keep = keep * 9 / 10;
  }
}

/// An error answer carrying the session header when the symbol's exchange is known.
Response ErrorWithSession(const Error& error, const system::ContextService& service, std::string_view symbol) {
  Response response = ErrorResponse(error);
  if (auto info = service.ResolveSymbol(symbol); info.ok()) {
    if (auto state = SessionStateOf(info->id, info->time_zone, service.coach().clock().Now()); state.ok()) {
      ApplySessionHeader(response, *state);
    }
  }
  return response;
}

Response Answer(std::string body, const system::ContextBase& base, UnixNanos now, const system::ContextService& service) {
  Response response = Response::Json(std::move(body));
  if (auto state = SessionStateAt(base.facts.exchange, now); state.ok()) {
    ApplySessionHeader(response, *state);
  }
  const auto ttl = base.live ? service.options().live_ttl : service.options().frozen_ttl;
  response.SetHeader("Cache-Control",
                     "private, max-age=" + std::to_string(std::chrono::duration_cast<std::chrono::seconds>(ttl).count()));
  return response;
}

Result<Response> HandleContext(system::ContextService& service, RenderedBodies& bodies, const Request& request) {
  const std::string symbol(request.PathParam("symbol"));
  static constexpr std::array<std::string_view, 4> kAllowed = {"interval", "bars", "as_of", "style"};
  for (const auto& [name, ignored] : request.query) {
    if (std::find(kAllowed.begin(), kAllowed.end(), name) == kAllowed.end()) {
      return ErrorWithSession(Error::InvalidArgument("unknown query parameter '" + name +
                                                         "' (allowed: interval, bars, as_of, style)",
                                                     name),
                              service, symbol);
    }
  }
  system::ContextQuery query;
  query.symbol = symbol;
  std::optional<scanner::Style> style;
  if (auto text = request.Query("style")) {
    auto parsed = scanner::ParseStyle(*text);
    if (!parsed.ok()) {
      return ErrorWithSession(
          Error::InvalidArgument("unknown style '" + std::string(text->substr(0, 16)) +
                                     "': use scalp, intraday, swing or leaps",
                                 "style"),
          service, symbol);
    }
    style = *parsed;
  }
  query.interval = style ? StyleInterval(*style) : ContextInterval::k5m;
  if (auto text = request.Query("interval")) {
    auto interval = system::ParseContextInterval(*text, "interval");
    if (!interval.ok()) return ErrorWithSession(interval.error(), service, symbol);
    query.interval = *interval;
  }
  std::size_t bars = kDefaultBars;
  if (auto text = request.Query("bars")) {
    auto n = BarCount(*text, "bars");
    if (!n.ok()) return ErrorWithSession(n.error(), service, symbol);
    bars = *n;
  }
  if (auto text = request.Query("as_of")) {
    auto as_of = ParseAsOf(*text);
    if (!as_of.ok()) return ErrorWithSession(as_of.error(), service, symbol);
    query.as_of = *as_of;
  }
  auto report = service.Context(query);
  if (!report.ok()) return ErrorWithSession(report.error(), service, symbol);
  const UnixNanos now = service.coach().clock().Now();
  const std::string key = "context|" + report->base->info.id.value() + "|" +
                          std::string(system::ContextIntervalName(query.interval)) + "|" + std::to_string(bars) + "|" +
                          (style ? std::string(scanner::StyleName(*style)) : std::string()) + "|" +
                          std::to_string(report->base->as_of.used.nanos()) + "|" + (query.as_of ? "given" : "now");
  const std::vector<const void*> parts = {report->base.get(), report->interval.get(), report->volatility.get()};
  std::optional<std::string> rest = bodies.Find(key, parts);
  if (!rest) {
    rest = RenderWithinLimit(bars, report->interval->bars.size(), [&](std::size_t keep, std::string_view t) {
      std::string text = RenderContextRest(*report, keep, t);
      if (style) {
        // The style asked for, and its ATR (the timeframe the style trades), beside the interval's own.
        JsonWriter extra;
        extra.BeginObject();
        extra.Key("style").String(scanner::StyleName(*style));
        extra.Key("style_atr");
        Number(extra, report->base->context->StyleAtr(*style), report->base->info.price_precision + 2);
        extra.EndObject();
        const std::string members = extra.Take();
        text.pop_back();
        text += ',';
        text.append(members, 1, std::string::npos);
      }
      return text;
    });
    bodies.Put(key, {report->base, report->interval, report->volatility}, *rest);
  }
  return Answer(Compose(*report->base, report->cached, now, *rest), *report->base, now, service);
}

Result<Response> HandleMultiContext(system::ContextService& service, RenderedBodies& bodies, const Request& request) {
  std::string symbol;
  const auto fail = [&](const Error& error) { return ErrorWithSession(error, service, symbol); };
  if (request.body.empty()) {
    return fail(Error::InvalidArgument("a JSON object body is required", "body"));
  }
  auto parsed = ParseJsonBody(request.body);
  if (!parsed.ok()) return fail(parsed.error());
  if (!parsed->is_object()) return fail(Error::InvalidArgument("the body must be a JSON object", "body"));
  const object& body = parsed->as_object();
  static constexpr std::array<std::string_view, 6> kAllowed = {"symbol", "intervals", "frames", "bars_per_interval",
                                                               "as_of", "include_series"};
  for (const auto& member : body) {
    if (std::find(kAllowed.begin(), kAllowed.end(), member.key()) == kAllowed.end()) {
      const std::string key(member.key());
      return fail(Error::InvalidArgument(
          "unknown field '" + key + "' (allowed: symbol, intervals, bars_per_interval, as_of, include_series)", key));
    }
  }
  const value* sym = body.if_contains("symbol");
  if (sym == nullptr || !sym->is_string() || sym->as_string().empty()) {
    return fail(Error::InvalidArgument("symbol is required, e.g. SPY or NSE_INDEX:NIFTY", "symbol"));
  }
  symbol = std::string(std::string_view(sym->as_string()).substr(0, 64));
  system::MultiContextQuery query;
  query.symbol = symbol;
  const value* list = body.if_contains("intervals");
  std::string list_field = "intervals";
  if (list != nullptr && body.contains("frames")) {
    return fail(Error::InvalidArgument("give intervals or frames, not both", "frames"));
  }
  if (list == nullptr) {
    list = body.if_contains("frames");
    list_field = "frames";
  }
  if (list == nullptr || list->is_null()) {
    query.intervals = {ContextInterval::k5m, ContextInterval::k15m, ContextInterval::k1h, ContextInterval::k1D};
  } else {
    if (!list->is_array() || list->as_array().empty() || list->as_array().size() > kMaxIntervals) {
      return fail(Error::InvalidArgument(list_field + " must list 1.." + std::to_string(kMaxIntervals) +
                                             " intervals such as [\"5m\",\"1h\",\"4h\",\"1D\",\"1W\"]",
                                         list_field));
    }
    const auto& array = list->as_array();
    for (std::size_t i = 0; i < array.size(); ++i) {
      const std::string field = list_field + "[" + std::to_string(i) + "]";
      if (!array[i].is_string()) {
        return fail(Error::InvalidArgument(field + " must be a string", field));
      }
      auto interval = system::ParseContextInterval(array[i].as_string(), field);
      if (!interval.ok()) return fail(interval.error());
      if (std::find(query.intervals.begin(), query.intervals.end(), *interval) == query.intervals.end()) {
        query.intervals.push_back(*interval);
      }
    }
  }
  std::size_t bars = kDefaultBarsPerInterval;
  if (const value* v = body.if_contains("bars_per_interval"); v != nullptr && !v->is_null()) {
    if (!v->is_int64() && !v->is_uint64()) {
      return fail(Error::InvalidArgument("bars_per_interval must be a whole number within 1.." +
                                             std::to_string(kMaxBars),
                                         "bars_per_interval"));
    }
    auto n = BarCount(v->is_int64() ? std::to_string(v->as_int64()) : std::to_string(v->as_uint64()),
                      "bars_per_interval");
    if (!n.ok()) return fail(n.error());
    bars = *n;
  }
  bool include_series = true;
  if (const value* v = body.if_contains("include_series"); v != nullptr && !v->is_null()) {
    if (!v->is_bool()) return fail(Error::InvalidArgument("include_series must be true or false", "include_series"));
    include_series = v->as_bool();
  }
  if (const value* v = body.if_contains("as_of"); v != nullptr && !v->is_null()) {
    if (!v->is_string()) return fail(Error::InvalidArgument("as_of must be an ISO 8601 string", "as_of"));
    auto as_of = ParseAsOf(v->as_string());
    if (!as_of.ok()) return fail(as_of.error());
    query.as_of = *as_of;
  }
  auto report = service.MultiContext(query);
  if (!report.ok()) return fail(report.error());
  const UnixNanos now = service.coach().clock().Now();
  std::string key = "multi|" + std::to_string(bars) + "|" + (include_series ? "series" : "last") + "|" +
                    std::to_string(report->base->as_of.used.nanos()) + "|" + (query.as_of ? "given" : "now") + "|" +
                    report->base->info.id.value();
  std::vector<const void*> parts = {report->base.get(), report->volatility.get()};
  std::vector<std::shared_ptr<const void>> owners = {report->base, report->volatility};
  std::size_t largest = 0;
  for (const auto& interval : report->intervals) {
    key += "|" + std::string(system::ContextIntervalName(interval->interval));
    parts.push_back(interval.get());
    owners.push_back(interval);
    largest = std::max(largest, interval->bars.size());
  }
  std::optional<std::string> rest = bodies.Find(key, parts);
  if (!rest) {
    rest = RenderWithinLimit(include_series ? bars : 0, include_series ? largest : 0,
                             [&](std::size_t keep, std::string_view t) {
                               return RenderMultiContextRest(*report, keep, include_series, t);
                             });
    bodies.Put(std::move(key), std::move(owners), *rest);
  }
  return Answer(Compose(*report->base, report->cached, now, *rest), *report->base, now, service);
}

// ---- OpenAPI ----------------------------------------------------------------------------------------------------

constexpr std::string_view kIntervalSchema = R"({"type":"object","properties":{
"interval":{"type":"string"},"bars_returned":{"type":"integer"},"bars_available":{"type":"integer"},
"last_bar_forming":{"type":"boolean"},"trend":{"type":"string","enum":["up","down","flat","unknown"]},
"bars":{"type":"array","items":{"type":"object","properties":{"time":{"type":"string"},"open":{"type":"number"},
"high":{"type":"number"},"low":{"type":"number"},"close":{"type":"number"},"volume":{"type":"number"}}}},
"indicators":{"type":"object","description":"Series aligned with bars (null in warm-up): ema9, ema20, ema50, ema200, vwap, rsi14, atr14, adx14.","additionalProperties":{"type":"array","items":{"type":["number","null"]}}},
"indicators_last":{"type":"object","additionalProperties":{"type":["number","null"]}},
"overlays":{"type":"object","properties":{"supply_zones":{"type":"array","items":{"type":"object"}},
"demand_zones":{"type":"array","items":{"type":"object"}},"fvgs":{"type":"array","items":{"type":"object"}},
"liquidity_pools":{"type":"array","items":{"type":"object"}},"volume_profile":{"type":"object"}}}}})";

constexpr std::string_view kBaseProperties = R"(
"symbol":{"type":"string"},"as_of":{"type":"string"},"requested_as_of":{"type":"string"},"as_of_given":{"type":"boolean"},
"as_of_note":{"type":["string","null"]},"planning_context":{"type":"string","enum":["live","frozen"]},
"data_as_of":{"type":"string"},"computed_at":{"type":"string"},"cached":{"type":"boolean"},
"session":{"type":["object","null"],"properties":{"status":{"type":"string","enum":["pre","open","post","closed"]},
"as_of":{"type":"string"},"next_open":{"type":"string"},"tz":{"type":"string"}}},
"exchange_tz":{"type":"string"},"decimals":{"type":"integer"},"snapshot":{"type":"object"},
"key_levels":{"type":"array","items":{"type":"object","properties":{"price":{"type":"number"},"label":{"type":"string"},
"kinds":{"type":"array","items":{"type":"string"}},"score":{"type":"number"},"primary":{"type":"boolean"}}}},
"session_levels":{"type":"object","additionalProperties":{"type":["number","null"]}},
"avwaps":{"type":"array","items":{"type":"object"}},"session_volume_profile":{"type":"object"},"htf":{"type":"object"},
"volatility":{"$ref":"#/components/schemas/CoachVolatility"},
"truncated":{"type":"boolean"},"truncation":{"type":["string","null"]})";

constexpr std::string_view kVolatilitySchema = R"({"type":"object","description":"IV and HV in percent; iv_rank and iv_percentile on 0-100 from the persisted daily 30-day ATM IV history (never from HV); each figure a number or null with <name>_reason.",
"properties":{"underlying":{"type":"string"},"session":{"type":"string"},
"atm_iv_front":{"type":["number","null"]},"front_expiry":{"type":["string","null"]},"front_days":{"type":["number","null"]},
"atm_iv_30d":{"type":["number","null"]},"atm_iv_30d_source":{"type":["string","null"]},
"iv_rank":{"type":["number","null"]},"iv_percentile":{"type":["number","null"]},"iv_history_days":{"type":"integer"},
"hv20":{"type":["number","null"]},"hv60":{"type":["number","null"]},"hv120":{"type":["number","null"]},
"trading_days_per_year":{"type":"number"},"iv_hv_ratio":{"type":["number","null"]},
"risk_reversal_25d":{"type":["number","null"]},"butterfly_25d":{"type":["number","null"]},"skew_expiry":{"type":["string","null"]},
"term_slope":{"type":["number","null"]},"expected_move":{"type":"object","properties":{"expiry":{"type":["string","null"]},
"straddle":{"type":["number","null"]},"straddle_sigma":{"type":["number","null"]},"iv_based":{"type":["number","null"]}}},
"recorded":{"type":"boolean"},"note":{"type":["string","null"]}},"additionalProperties":{"type":"string"}})";

constexpr std::string_view kMultiRequestSchema = R"({"type":"object","additionalProperties":false,"required":["symbol"],
"properties":{"symbol":{"type":"string","description":"SPY, US:SPY, NIFTY or NSE_INDEX:NIFTY."},
"intervals":{"type":"array","minItems":1,"maxItems":8,"items":{"type":"string","enum":["1m","5m","15m","30m","1h","4h","1D","1W"]},"description":"Default [5m, 15m, 1h, 1D]. Aliases such as 60, d, w are accepted."},
"frames":{"type":"array","items":{"type":"string"},"description":"Alias of intervals."},
"bars_per_interval":{"type":"integer","minimum":1,"maximum":1000,"default":150},
"as_of":{"type":"string","description":"ISO 8601 instant (not in the future). Default now; a closed market answers as of its last close."},
"include_series":{"type":"boolean","default":true,"description":"false: no bars or series, only the last indicator values."}}})";

std::string ContextSchema() {
  std::string schema = R"({"type":"object","required":["symbol","as_of","session","bars","volatility"],"properties":{)";
  schema += kBaseProperties;
  schema += R"(,"interval":{"type":"string"},"style":{"type":"string"},"style_atr":{"type":["number","null"]},
"bars_returned":{"type":"integer"},"bars_available":{"type":"integer"},"last_bar_forming":{"type":"boolean"},
"trend":{"type":"string"},"bars":{"type":"array","items":{"type":"object"}},"indicators":{"type":"object"},
"indicators_last":{"type":"object"},"vwap_reason":{"type":"string"},"overlays":{"type":"object"}}})";
  return schema;
}

std::string MultiContextSchema() {
  std::string schema =
      R"({"type":"object","required":["symbol","as_of","session","contexts","volatility"],"properties":{)";
  schema += kBaseProperties;
  schema += R"(,"intervals":{"type":"array","items":{"type":"string"}},
"contexts":{"type":"array","items":{"$ref":"#/components/schemas/CoachIntervalContext"}},
"summary":{"type":"object","properties":{"trend_notes":{"type":"object","additionalProperties":{"type":"string"}},
"confluence_score":{"type":["number","null"]}}}}})";
  return schema;
}

}  // namespace

std::string RenderContext(const system::ContextReport& report, std::size_t keep_bars, std::string_view truncation,
                          UnixNanos now) {
  return Compose(*report.base, report.cached, now, RenderContextRest(report, keep_bars, truncation));
}

std::string RenderMultiContext(const system::MultiContextReport& report, std::size_t keep_bars, bool include_series,
                               std::string_view truncation, UnixNanos now) {
  return Compose(*report.base, report.cached, now,
                 RenderMultiContextRest(report, keep_bars, include_series, truncation));
}

void AddContextRoutes(Router& router, system::ContextService& service, RouteOptions route_options) {
  auto bodies = std::make_shared<RenderedBodies>();
  router.AddSchema("CoachVolatility", std::string(kVolatilitySchema));
  router.AddSchema("CoachIntervalContext", std::string(kIntervalSchema));
  router.AddSchema("CoachContext", ContextSchema());
  router.AddSchema("CoachMultiContext", MultiContextSchema());

  RouteDoc context = MakeDoc("Market context of one symbol in one interval", "coachContext", {"coach"});
  context.description =
      "Bars with EMA 9/20/50/200, VWAP, RSI, ATR and ADX series, key and session levels, zones, FVGs, liquidity pools, volume profile, AVWAPs, a quote snapshot, volatility and the session state, from data up to as_of. Oldest bars are trimmed under 100,000 characters (truncated says so).";
  context.parameters = {
      ParamDocOf("symbol", ParamLocation::kPath, true, "SPY, US:SPY, NIFTY or NSE_INDEX:NIFTY.", R"({"type":"string"})"),
      ParamDocOf("interval", ParamLocation::kQuery, false,
            "Bar interval, default 5m (or the style's: scalp 1m, intraday 5m, swing 1h, leaps 1D).",
            R"({"type":"string","enum":["1m","5m","15m","30m","1h","4h","1D","1W"]})"),
      ParamDocOf("bars", ParamLocation::kQuery, false, "Most recent bars to return (1..1000, default 300).",
            R"({"type":"integer","minimum":1,"maximum":1000,"default":300})"),
      ParamDocOf("as_of", ParamLocation::kQuery, false,
            "ISO 8601 instant (not in the future). Default now; a closed market answers as of its last close.",
            R"({"type":"string"})"),
      ParamDocOf("style", ParamLocation::kQuery, false, "Trading style: picks the default interval and adds style_atr.",
            R"({"type":"string","enum":["scalp","intraday","swing","leaps"]})")};
  context.responses = {ResponseDocOf(200, "The context", R"({"$ref":"#/components/schemas/CoachContext"})"),
                       ResponseDocOf(400, "A parameter is invalid (error.field names it)"), ResponseDocOf(401, "No or a wrong API key"),
                       ResponseDocOf(404, "Unknown symbol"), ResponseDocOf(422, "No market data at or before as_of")};
  router.Get("/gpt/context/{symbol}", [&service, bodies](const Request& r) { return HandleContext(service, *bodies, r); }, context,
             route_options);

  RouteDoc multi = MakeDoc("Market context of one symbol in several intervals, with volatility", "coachMultiContext",
                           {"coach"});
  multi.description =
      "Several intervals (1m..1W; 4h and 1W session-aligned) in one call plus volatility: ATM IV front and 30-day, IV rank/percentile (0-100) from stored IV history, HV20/60/120, IV/HV, 25-delta risk reversal and butterfly, term slope, expected moves. A null figure has <name>_reason.";
  multi.request_body_schema = std::string(kMultiRequestSchema);
  multi.responses = {ResponseDocOf(200, "The contexts", R"({"$ref":"#/components/schemas/CoachMultiContext"})"),
                     ResponseDocOf(400, "A field is invalid (error.field names it)"), ResponseDocOf(401, "No or a wrong API key"),
                     ResponseDocOf(404, "Unknown symbol"), ResponseDocOf(422, "No market data at or before as_of")};
  router.Post("/gpt/multi-context", [&service, bodies](const Request& r) { return HandleMultiContext(service, *bodies, r); }, multi,
              route_options);
}

}  // namespace td::api
