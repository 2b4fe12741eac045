// SPDX-License-Identifier: MIT
#include "scanner/context.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>

#include "indicators/batch.hpp"
#include "indicators/session_levels.hpp"
#include "levels/anchors.hpp"

namespace td::scanner {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::int64_t kDayNs = 86'400'000'000'000;
constexpr std::int64_t kMinuteNs = 60'000'000'000;

bool Finite(double x) {
  return std::isfinite(x);
}

/// Wilder ATR(14) at the last bar; the plain mean true range when fewer than 15 bars exist.
double LastAtr(const BarSeries& s) {
  if (s.size() >= 15) {
    indicators::Atr atr(14);
    for (std::size_t i = 0; i < s.size(); ++i) {
      atr.Update(s.high[i], s.low[i], s.close[i]);
    }
    return atr.Value();
  }
  if (s.size() >= 3) {
    return levels::MeanTrueRange(s.View(), s.size());
  }
  return kNaN;
}

/// +1 when close > EMA20 > EMA50, −1 for the mirror, 0 otherwise or when there are too few bars.
int TrendVote(const BarSeries& s) {
  if (s.size() < 50) {
    return 0;
  }
  indicators::Ema e20(20);
  indicators::Ema e50(50);
  for (double c : s.close) {
    e20.Update(c);
    e50.Update(c);
  }
  const double c = s.close.back();
  if (c > e20.Value() && e20.Value() > e50.Value()) {
    return 1;
  }
  if (c < e20.Value() && e20.Value() < e50.Value()) {
    return -1;
  }
  return 0;
}

std::int64_t DateNs(CivilDate d) {
  return DaysFromCivil(d) * kDayNs;
}
CivilDate DateOfNs(std::int64_t ns) {
  return CivilFromDays(ns >= 0 ? ns / kDayNs : -((-ns + kDayNs - 1) / kDayNs));
}

double Median(std::vector<double>& v) {
  if (v.empty()) {
    return kNaN;
  }
  const auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  return *mid;
}

}  // namespace

std::string_view StyleName(Style style) {
  switch (style) {
    case Style::kScalp:
      return "scalp";
    case Style::kIntraday:
      return "intraday";
    case Style::kSwing:
      return "swing";
    case Style::kLeaps:
      return "leaps";
  }
  return "intraday";
}

Result<Style> ParseStyle(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (lower == "scalp")
    return Style::kScalp;
  if (lower == "intraday")
    return Style::kIntraday;
  if (lower == "swing")
    return Style::kSwing;
  if (lower == "leaps" || lower == "leap")
    return Style::kLeaps;
  return Error::InvalidArgument("style must be scalp, intraday, swing or leaps", "style");
}

std::string_view DirectionName(Direction direction) {
  return direction == Direction::kLong ? "long" : "short";
}

std::string_view DayPhaseName(DayPhase phase) {
  switch (phase) {
    case DayPhase::kOpenDrive:
      return "open_drive";
    case DayPhase::kMorning:
      return "morning";
    case DayPhase::kMidday:
      return "midday";
    case DayPhase::kAfternoon:
      return "afternoon";
    case DayPhase::kPowerHour:
      return "power_hour";
  }
  return "midday";
}

void BarSeries::Reserve(std::size_t n) {
  ts.reserve(n);
  open.reserve(n);
  high.reserve(n);
  low.reserve(n);
  close.reserve(n);
  volume.reserve(n);
}

void BarSeries::Clear() {
  ts.clear();
  open.clear();
  high.clear();
  low.clear();
  close.clear();
  volume.clear();
}

void BarSeries::Push(std::int64_t t, double o, double h, double l, double c, double v) {
  ts.push_back(t);
  open.push_back(o);
  high.push_back(h);
  low.push_back(l);
  close.push_back(c);
  volume.push_back(v);
}

levels::BarsView BarSeries::View(std::size_t first, std::size_t count) const {
  first = std::min(first, size());
  count = std::min(count, size() - first);
  return levels::BarsView{std::span(ts).subspan(first, count),    std::span(open).subspan(first, count),
                          std::span(high).subspan(first, count),  std::span(low).subspan(first, count),
                          std::span(close).subspan(first, count), std::span(volume).subspan(first, count)};
}

BarSeries BarSeries::FromBars(std::span<const Bar> bars, BarSpec spec) {
  BarSeries s;
  s.spec = spec;
  s.Reserve(bars.size());
  for (const Bar& b : bars) {
    s.Push(b.ts_event.nanos(), b.open.AsDouble(), b.high.AsDouble(), b.low.AsDouble(), b.close.AsDouble(),
           b.volume.AsDouble());
  }
  return s;
}

double SymbolContext::StyleAtr(Style style) const {
  const double base = atr.empty() ? kNaN : atr.back();
  const double chain[4][5] = {{atr_5m, base, kNaN, kNaN, kNaN},
                              {atr_15m, atr_5m, base, kNaN, kNaN},
                              {atr_daily, atr_1h, atr_15m, atr_5m, base},
                              {atr_weekly, atr_daily, atr_1h, atr_15m, base}};
  for (double v : chain[static_cast<int>(style)]) {
    if (Finite(v) && v > 0.0) {
      return v;
    }
  }
  return kNaN;
}

double SymbolContext::RoundToTick(double price, RoundingMode mode) const {
  auto p = Price::FromDouble(price, kFixedPrecision);
  if (!p.ok()) {
    return kNaN;
  }
  return instrument.RoundToTick(*p, mode).AsDouble();
}

BarSeries ResampleIntraday(const BarSeries& bars, std::span<const SessionSpan> sessions, int minutes) {
  BarSeries out;
  out.spec = BarSpec{static_cast<std::uint32_t>(minutes), BarUnit::kMinute};
  const std::int64_t len = minutes * kMinuteNs;
  const std::int64_t base = bars.empty() ? len : bars.spec.IntradayLength().count();
  out.Reserve(bars.size() * static_cast<std::size_t>(base) / static_cast<std::size_t>(len) + sessions.size() + 1);
  for (const SessionSpan& s : sessions) {
    std::int64_t bucket = -1;
    for (std::size_t i = s.first; i <= s.last && i < bars.size(); ++i) {
      const std::int64_t b = (bars.ts[i] - s.open_ns) / len;
      if (b != bucket) {
        bucket = b;
        out.Push(s.open_ns + b * len, bars.open[i], bars.high[i], bars.low[i], bars.close[i], bars.volume[i]);
      } else {
        out.high.back() = std::max(out.high.back(), bars.high[i]);
        out.low.back() = std::min(out.low.back(), bars.low[i]);
        out.close.back() = bars.close[i];
        out.volume.back() += bars.volume[i];
      }
    }
  }
  return out;
}

namespace {

Status SelectBars(const SymbolInput& in, UnixNanos as_of, SymbolContext& ctx) {
  const auto& cal = calendar::ExchangeCalendar::Get(in.exchange);
  const auto& zone = cal.time_zone();
  const std::int64_t len = in.intraday.spec.IntradayLength().count();
  const BarSeries& src = in.intraday;
  ctx.bars.spec = src.spec;
  ctx.bars.Reserve(src.size());
  ctx.session_key.reserve(src.size());
  bool have = false;
  bool dead_day = false;  // the current local date does not trade
  CivilDate cur_date;
  SessionSpan cur;
  std::int64_t prev_ts = std::numeric_limits<std::int64_t>::min();
  for (std::size_t i = 0; i < src.size(); ++i) {
    const std::int64_t t = src.ts[i];
    if (t <= prev_ts) {
      return Error::InvalidArgument(
          "intraday bars must be in strictly increasing time order (bar " + std::to_string(i) + ")", "bars");
    }
    prev_ts = t;
    if (t + len > as_of.nanos()) {
      break;
    }
    if (have && !dead_day) {
      if (t < cur.open_ns) {
        continue;
      }
      if (t >= cur.close_ns && t < cur.close_ns + 8 * 3'600'000'000'000) {
        continue;
      }
    }
    if (!have || t >= cur.close_ns || dead_day) {
      const CivilDate date = zone.LocalDate(UnixNanos(t));
      if (!have || date != cur_date) {
        cur_date = date;
        have = true;
        auto trades = cal.IsTradingDay(date);
        if (!trades.ok()) {
          return trades.error();
        }
        dead_day = !*trades;
        if (!dead_day) {
          auto session = cal.Session(date);
          if (!session.ok()) {
            return session.error();
          }
          cur = SessionSpan{date, session->regular_open.nanos(), session->regular_close.nanos(), 0, 0};
        }
      }
      if (dead_day || t < cur.open_ns || t >= cur.close_ns) {
        continue;
      }
    }
    const std::size_t idx = ctx.bars.size();
    if (ctx.sessions.empty() || ctx.sessions.back().open_ns != cur.open_ns) {
      cur.first = idx;
      ctx.sessions.push_back(cur);
    }
    ctx.sessions.back().last = idx;
    ctx.bars.Push(t, src.open[i], src.high[i], src.low[i], src.close[i], src.volume[i]);
    ctx.session_key.push_back(cur.open_ns);
  }
  if (ctx.bars.empty()) {
    return Error::Unprocessable("no regular-session bars at or before as_of", "bars");
  }
  return {};
}

void BuildDaily(const SymbolInput& in, UnixNanos as_of, SymbolContext& ctx) {
  ctx.daily.spec = BarSpec{1, BarUnit::kDay};
  const CivilDate first_session = ctx.sessions.front().date;
  for (std::size_t i = 0; i < in.daily.size(); ++i) {
    const CivilDate d = DateOfNs(in.daily.ts[i]);
    if (d < first_session && in.daily.ts[i] < as_of.nanos()) {
      ctx.daily.Push(DateNs(d), in.daily.open[i], in.daily.high[i], in.daily.low[i], in.daily.close[i],
                     in.daily.volume[i]);
    }
  }
  const BarSeries& b = ctx.bars;
  for (const SessionSpan& s : ctx.sessions) {
    double h = b.high[s.first];
    double l = b.low[s.first];
    double v = 0.0;
    for (std::size_t i = s.first; i <= s.last; ++i) {
      h = std::max(h, b.high[i]);
      l = std::min(l, b.low[i]);
      v += b.volume[i];
    }
    ctx.daily.Push(DateNs(s.date), b.open[s.first], h, l, b.close[s.last], v);
  }
  ctx.weekly.spec = BarSpec{1, BarUnit::kWeek};
  std::int64_t week = std::numeric_limits<std::int64_t>::min();
  for (std::size_t i = 0; i < ctx.daily.size(); ++i) {
    const std::int64_t days = ctx.daily.ts[i] / kDayNs;
    const std::int64_t w = (days + 3) / 7;
    if (w != week) {
      week = w;
      ctx.weekly.Push((w * 7 - 3) * kDayNs, ctx.daily.open[i], ctx.daily.high[i], ctx.daily.low[i], ctx.daily.close[i],
                      ctx.daily.volume[i]);
    } else {
      ctx.weekly.high.back() = std::max(ctx.weekly.high.back(), ctx.daily.high[i]);
      ctx.weekly.low.back() = std::min(ctx.weekly.low.back(), ctx.daily.low[i]);
      ctx.weekly.close.back() = ctx.daily.close[i];
      ctx.weekly.volume.back() += ctx.daily.volume[i];
    }
  }
}

void ComputeIndicators(SymbolContext& ctx) {
  const BarSeries& b = ctx.bars;
  const std::size_t n = b.size();
  for (auto* v : {&ctx.ema9, &ctx.ema20, &ctx.ema50, &ctx.ema200, &ctx.atr, &ctx.rsi, &ctx.stoch_rsi, &ctx.vwap,
                  &ctx.adx, &ctx.rvol_bar}) {
    v->assign(n, kNaN);
  }
  namespace ind = indicators;
  ind::EmaBatch(b.close, ctx.ema9, 9);
  ind::EmaBatch(b.close, ctx.ema20, 20);
  ind::EmaBatch(b.close, ctx.ema50, 50);
  ind::EmaBatch(b.close, ctx.ema200, 200);
  ind::AtrBatch(b.high, b.low, b.close, ctx.atr, 14);
  ind::RsiBatch(b.close, ctx.rsi, 14);
  ind::StochRsiBatch(b.close, ctx.stoch_rsi, 14, 14);
  ind::SessionVwapBatch(b.high, b.low, b.close, b.volume, ctx.session_key, ctx.vwap);
  std::vector<double> pdi(n), mdi(n);
  ind::AdxBatch(b.high, b.low, b.close, ind::AdxOut{ctx.adx, pdi, mdi}, 14);
  ind::RelVolumeBarsBatch(b.volume, ctx.rvol_bar, 20);
  if (n < 15 && n >= 2) {
    // Too short for Wilder's seed: keep a usable ATR from the plain mean true range.
    ctx.atr.back() = levels::MeanTrueRange(b.View(), n);
  }

  const BarSeries& d = ctx.daily;
  const std::size_t m = d.size();
  for (auto* v : {&ctx.d_ema20, &ctx.d_ema50, &ctx.d_ema200, &ctx.d_stoch_rsi, &ctx.d_atr}) {
    v->assign(m, kNaN);
  }
  if (m > 0) {
    ind::EmaBatch(d.close, ctx.d_ema20, 20);
    ind::EmaBatch(d.close, ctx.d_ema50, 50);
    ind::EmaBatch(d.close, ctx.d_ema200, 200);
    ind::StochRsiBatch(d.close, ctx.d_stoch_rsi, 14, 14);
    ind::AtrBatch(d.high, d.low, d.close, ctx.d_atr, 14);
  }
}

void ComputeSessionLevels(SymbolContext& ctx, Duration opening_range) {
  const BarSeries& b = ctx.bars;
  const SessionSpan& s = ctx.current();
  SessionLevels& L = ctx.session;
  L.session_open = b.open[s.first];
  L.session_high = b.high[s.first];
  L.session_low = b.low[s.first];
  for (std::size_t i = s.first; i <= s.last; ++i) {
    L.session_high = std::max(L.session_high, b.high[i]);
    L.session_low = std::min(L.session_low, b.low[i]);
  }
  const std::int64_t len = b.spec.IntradayLength().count();
  const std::int64_t or_end = s.open_ns + opening_range.count();
  L.orh = L.orl = kNaN;
  if (b.ts[s.last] + len >= or_end) {
    double h = -std::numeric_limits<double>::infinity();
    double l = std::numeric_limits<double>::infinity();
    for (std::size_t i = s.first; i <= s.last && b.ts[i] < or_end; ++i) {
      h = std::max(h, b.high[i]);
      l = std::min(l, b.low[i]);
    }
    if (Finite(h) && Finite(l)) {
      L.orh = h;
      L.orl = l;
    }
  }
  L.pdh = L.pdl = L.pdc = L.pwh = L.pwl = kNaN;
  L.pivot = L.r1 = L.s1 = L.r2 = L.s2 = kNaN;
  const BarSeries& d = ctx.daily;
  if (d.size() >= 2) {
    const std::size_t p = d.size() - 2;
    L.pdh = d.high[p];
    L.pdl = d.low[p];
    L.pdc = d.close[p];
    const auto piv = indicators::ComputeClassicPivots(L.pdh, L.pdl, L.pdc);
    L.pivot = piv.pivot;
    L.r1 = piv.r1;
    L.s1 = piv.s1;
    L.r2 = piv.r2;
    L.s2 = piv.s2;
  }
  if (ctx.weekly.size() >= 2) {
    L.pwh = ctx.weekly.high[ctx.weekly.size() - 2];
    L.pwl = ctx.weekly.low[ctx.weekly.size() - 2];
  }
}

void ComputeVolume(SymbolContext& ctx, std::size_t rvol_sessions) {
  const BarSeries& b = ctx.bars;
  ctx.has_volume = std::any_of(b.volume.begin(), b.volume.end(), [](double v) { return v > 0.0; });
  const SessionSpan& s = ctx.current();
  std::vector<double> vols(b.volume.begin() + static_cast<std::ptrdiff_t>(s.first),
                           b.volume.begin() + static_cast<std::ptrdiff_t>(s.last) + 1);
  ctx.volume_median = Median(vols);
  const std::size_t k = s.last - s.first;
  double today = 0.0;
  for (std::size_t i = s.first; i <= s.last; ++i) {
    today += b.volume[i];
  }
  double sum = 0.0;
  std::size_t count = 0;
  for (std::size_t j = ctx.sessions.size() - 1; j-- > 0 && count < rvol_sessions;) {
    const SessionSpan& p = ctx.sessions[j];
    if (p.last - p.first < k) {
      continue;
    }
    double cum = 0.0;
    for (std::size_t i = p.first; i <= p.first + k; ++i) {
      cum += b.volume[i];
    }
    sum += cum;
    ++count;
  }
  ctx.rvol_session = (count > 0 && sum > 0.0) ? today / (sum / static_cast<double>(count)) : kNaN;
}

void ComputeHtf(SymbolContext& ctx) {
  HtfVote& v = ctx.htf;
  v.weekly = TrendVote(ctx.weekly);
  v.daily = TrendVote(ctx.daily);
  v.hourly = TrendVote(ctx.h1);
  v.m15 = TrendVote(ctx.m15);
  v.bias = 0.20 * v.weekly + 0.40 * v.daily + 0.25 * v.hourly + 0.15 * v.m15;
  v.label = v.bias >= 0.2 ? "bullish" : (v.bias <= -0.2 ? "bearish" : "neutral");
}

void ComputePhase(SymbolContext& ctx) {
  const SessionSpan& s = ctx.current();
  const std::int64_t t = ctx.bars.ts.back();
  const std::int64_t since_open = (t - s.open_ns) / kMinuteNs;
  const std::int64_t to_close = (s.close_ns - t) / kMinuteNs;
  if (since_open < 30) {
    ctx.phase = DayPhase::kOpenDrive;
  } else if (since_open < 120) {
    ctx.phase = DayPhase::kMorning;
  } else if (to_close > 120) {
    ctx.phase = DayPhase::kMidday;
  } else if (to_close > 60) {
    ctx.phase = DayPhase::kAfternoon;
  } else {
    ctx.phase = DayPhase::kPowerHour;
  }
}

void ComputeVolIndex(const SymbolInput& in, SymbolContext& ctx) {
  if (!in.vol_index || in.vol_index->empty() || !in.vol_index->spec.IsIntraday()) {
    return;
  }
  const BarSeries& v = *in.vol_index;
  const std::int64_t len = v.spec.IntradayLength().count();
  const std::int64_t cutoff = ctx.as_of.nanos() - len;
  const auto end = std::upper_bound(v.ts.begin(), v.ts.end(), cutoff);
  const auto n = static_cast<std::size_t>(end - v.ts.begin());
  if (n < 21) {
    return;
  }
  const std::size_t first = n > 120 ? n - 120 : 0;
  indicators::Ema ema(20);
  for (std::size_t i = first; i < n; ++i) {
    ema.Update(v.close[i]);
  }
  ctx.vol_index = VolIndexState{v.close[n - 1], ema.Value(), v.close[n - 1] - v.close[n - 7]};
}

void AddLevel(std::vector<levels::LevelCandidate>& out, double price, levels::LevelKind kind, std::string label,
              double strength) {
  if (Finite(price) && price > 0.0) {
    out.push_back({price, kind, std::move(label), strength});
  }
}

void BuildLevels(SymbolContext& ctx, const ContextOptions& options) {
  using levels::LevelKind;
  // Structure (swings, zones, pools, FVGs, profile) is read from 5-minute bars when the trading timeframe is
  // finer: fewer, more meaningful levels than 1-minute noise, at a fifth of the cost.
  const bool use_m5 = !ctx.m5.empty();
  const BarSeries& b = use_m5 ? ctx.m5 : ctx.bars;
  const std::size_t n = b.size();
  const std::size_t first = n > options.structure_bars ? n - options.structure_bars : 0;
  std::vector<levels::LevelCandidate> c =
      levels::StructureCandidates(b.View(first, n - first), use_m5 ? ctx.atr_5m : ctx.atr.back());
  if (ctx.daily.size() >= 20) {
    const std::size_t df = ctx.daily.size() > 120 ? ctx.daily.size() - 120 : 0;
    for (auto& lc : levels::StructureCandidates(ctx.daily.View(df, ctx.daily.size() - df), ctx.atr_daily)) {
      lc.label = "daily " + lc.label;
      c.push_back(std::move(lc));
    }
  }
  const SessionLevels& L = ctx.session;
  AddLevel(c, L.pdh, LevelKind::kPriorDayHigh, "PDH", 1.0);
  AddLevel(c, L.pdl, LevelKind::kPriorDayLow, "PDL", 1.0);
  AddLevel(c, L.pdc, LevelKind::kPriorDayClose, "PDC", 1.0);
  AddLevel(c, L.pwh, LevelKind::kPriorWeekHigh, "PWH", 1.0);
  AddLevel(c, L.pwl, LevelKind::kPriorWeekLow, "PWL", 1.0);
  AddLevel(c, L.orh, LevelKind::kOpeningRangeHigh, "ORH", 1.0);
  AddLevel(c, L.orl, LevelKind::kOpeningRangeLow, "ORL", 1.0);
  AddLevel(c, L.session_high, LevelKind::kSessionHigh, "session high", 0.8);
  AddLevel(c, L.session_low, LevelKind::kSessionLow, "session low", 0.8);
  AddLevel(c, ctx.vwap.back(), LevelKind::kVwap, "VWAP", 1.0);
  for (const AvwapLevel& a : ctx.avwaps) {
    AddLevel(c, a.value, LevelKind::kAnchoredVwap, a.label, 0.8);
  }
  AddLevel(c, ctx.ema9.back(), LevelKind::kEma, "EMA9", 0.3);
  AddLevel(c, ctx.ema20.back(), LevelKind::kEma, "EMA20", 0.5);
  AddLevel(c, ctx.ema50.back(), LevelKind::kEma, "EMA50", 0.7);
  AddLevel(c, ctx.ema200.back(), LevelKind::kEma, "EMA200", 0.9);
  if (!ctx.d_ema50.empty()) {
    AddLevel(c, ctx.d_ema20.back(), LevelKind::kEma, "daily EMA20", 0.7);
    AddLevel(c, ctx.d_ema50.back(), LevelKind::kEma, "daily EMA50", 0.9);
    AddLevel(c, ctx.d_ema200.back(), LevelKind::kEma, "daily EMA200", 1.0);
  }
  AddLevel(c, L.pivot, LevelKind::kPivot, "pivot P", 1.0);
  AddLevel(c, L.r1, LevelKind::kPivot, "pivot R1", 0.8);
  AddLevel(c, L.s1, LevelKind::kPivot, "pivot S1", 0.8);
  AddLevel(c, L.r2, LevelKind::kPivot, "pivot R2", 0.6);
  AddLevel(c, L.s2, LevelKind::kPivot, "pivot S2", 0.6);
  if (ctx.options.gamma_flip) {
    AddLevel(c, *ctx.options.gamma_flip, LevelKind::kPivot, "gamma flip", 1.0);
  }
  // Every level lives on the tick grid, so a target snapped to a level needs no further rounding.
  for (auto& lc : c) {
    lc.price = ctx.RoundToTick(lc.price);
  }
  const double tick = ctx.instrument.tick_size.AsDouble();
  double tolerance = 0.15 * ctx.StyleAtr(Style::kScalp);
  if (!Finite(tolerance) || tolerance < 2.0 * tick) {
    tolerance = 2.0 * tick;
  }
  ctx.key_levels = levels::BuildKeyLevelSet(std::move(c), tolerance, 10);
}

void ComputeAvwaps(SymbolContext& ctx) {
  const std::size_t ns = ctx.sessions.size();
  const std::size_t first = ctx.sessions[ns >= 2 ? ns - 2 : 0].first;
  const std::size_t count = ctx.bars.size() - first;
  std::vector<std::int32_t> keys(count);
  for (std::size_t i = 0; i < count; ++i) {
    keys[i] = static_cast<std::int32_t>(ctx.session_key[first + i] / kMinuteNs);
  }
  if (!ctx.has_volume) {
    return;
  }
  levels::AnchorOptions anchor_options;
  anchor_options.swing_lookback = 120;
  for (auto& a : levels::SelectVwapAnchors(ctx.bars.View(first, count), keys, anchor_options, ctx.atr.back())) {
    if (Finite(a.vwap)) {
      ctx.avwaps.push_back({"AVWAP " + a.label, first + a.index, a.vwap});
    }
  }
}

}  // namespace

Result<SymbolContext> BuildContext(const SymbolInput& input, UnixNanos as_of, const ContextOptions& options) {
  if (!input.intraday.spec.IsIntraday()) {
    return Error::InvalidArgument("the trading timeframe must be intraday (e.g. 1m or 5m)", "bars.spec");
  }
  if (input.instrument.tick_size.raw() <= 0) {
    return Error::InvalidArgument("instrument tick size must be positive", "instrument.tick_size");
  }
  SymbolContext ctx;
  ctx.symbol = input.symbol;
  ctx.sector = input.sector;
  ctx.instrument = input.instrument;
  ctx.exchange = input.exchange;
  ctx.as_of = as_of;
  ctx.options = input.options;
  ctx.earnings_date = input.earnings_date;
  TD_TRY(SelectBars(input, as_of, ctx));
  const std::int64_t len = ctx.bars.spec.IntradayLength().count();
  ctx.data_as_of = UnixNanos(ctx.bars.ts.back() + len);
  ctx.trading_date = ctx.current().date;

  const auto& cal = calendar::ExchangeCalendar::Get(input.exchange);
  auto status = cal.StatusAt(as_of);
  if (!status.ok()) {
    return status.error();
  }
  ctx.status = status->status;
  ctx.session_complete = as_of.nanos() >= ctx.current().close_ns;
  const std::int64_t stale_after = std::max<std::int64_t>(15 * kMinuteNs, 3 * len);
  ctx.stale = ctx.status == calendar::MarketStatus::kOpen && as_of.nanos() - ctx.data_as_of.nanos() > stale_after;
  ctx.live = ctx.status == calendar::MarketStatus::kOpen && !ctx.stale;

  BuildDaily(input, as_of, ctx);
  const int base_minutes = static_cast<int>(len / kMinuteNs);
  if (base_minutes < 5) {
    ctx.m5 = ResampleIntraday(ctx.bars, ctx.sessions, 5);
  }
  ctx.m15 = ResampleIntraday(ctx.bars, ctx.sessions, 15);
  ctx.h1 = ResampleIntraday(ctx.bars, ctx.sessions, 60);
  ComputeIndicators(ctx);
  ctx.atr_5m = base_minutes < 5 ? LastAtr(ctx.m5) : (base_minutes == 5 ? ctx.atr.back() : kNaN);
  ctx.atr_15m = LastAtr(ctx.m15);
  ctx.atr_1h = LastAtr(ctx.h1);
  ctx.atr_daily = LastAtr(ctx.daily);
  ctx.atr_weekly = LastAtr(ctx.weekly);
  ComputeSessionLevels(ctx, options.opening_range);
  ComputeVolume(ctx, options.rvol_sessions);
  ComputeAvwaps(ctx);
  ComputeHtf(ctx);
  ComputePhase(ctx);
  ComputeVolIndex(input, ctx);
  BuildLevels(ctx, options);
  return ctx;
}

}  // namespace td::scanner
