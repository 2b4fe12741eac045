// SPDX-License-Identifier: MIT
#include "scanner/strategies.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "levels/gaps.hpp"
#include "levels/swings.hpp"

namespace td::scanner {

namespace {

constexpr std::int64_t kMinuteNs = 60'000'000'000;
constexpr std::int64_t kDayNs = 86'400'000'000'000;

constexpr std::array<StrategySpec, kStrategyCount> kSpecs = {{
    {StrategyId::kOrbRetest,
     "orb_retest",
     "Opening Range Breakout Retest",
     Style::kScalp,
     1.3,
     0.58,
     {0, 2, 0.50, 0.65, 5.0, 500, 250, "long call/put"},
     ""},
    {StrategyId::kPowerHourTrend,
     "power_hour_trend",
     "Power Hour Trend",
     Style::kIntraday,
     1.4,
     0.57,
     {0, 2, 0.45, 0.65, 5.0, 500, 250, "long call/put"},
     ""},
    {StrategyId::kVwapAvwap,
     "vwap_avwap",
     "VWAP + AVWAP Cluster Continuation",
     Style::kScalp,
     1.3,
     0.56,
     {0, 3, 0.45, 0.60, 5.0, 500, 250, "long call/put"},
     "volume"},
    {StrategyId::kGapFillOpen,
     "gap_fill_open",
     "Opening Gap Fill",
     Style::kScalp,
     1.5,
     0.55,
     {0, 2, 0.45, 0.65, 6.0, 300, 200, "long call/put"},
     ""},
    {StrategyId::kGapBreakaway,
     "gap_fill_breakaway",
     "Breakaway Gap Continuation",
     Style::kSwing,
     1.5,
     0.55,
     {7, 21, 0.35, 0.50, 5.0, 800, 400, "debit spread"},
     ""},
    {StrategyId::kMiddayMeanRevert,
     "midday_mean_revert",
     "Midday VWAP Mean Reversion",
     Style::kIntraday,
     1.25,
     0.53,
     {0, 2, 0.35, 0.55, 6.0, 300, 200, "long call/put"},
     "volume"},
    {StrategyId::kLiquiditySweep,
     "liquidity_sweep",
     "Liquidity Sweep Reversal",
     Style::kScalp,
     1.3,
     0.54,
     {0, 2, 0.35, 0.50, 6.0, 300, 200, "long call/put"},
     ""},
    {StrategyId::kInsideBreakout,
     "inside_breakout",
     "Inside Bar Breakout",
     Style::kScalp,
     1.3,
     0.55,
     {0, 3, 0.45, 0.55, 5.0, 500, 250, "long call/put"},
     ""},
    {StrategyId::kInsideDay,
     "inside_day_rth",
     "Inside Day Breakout",
     Style::kIntraday,
     1.3,
     0.55,
     {0, 3, 0.45, 0.60, 0.0, 1500, 800, "long call/put"},
     ""},
    {StrategyId::kEmaPullback,
     "ema_pullback",
     "EMA 20/50/200 Pullback",
     Style::kSwing,
     1.5,
     0.52,
     {20, 45, 0.30, 0.40, 5.0, 1000, 500, "debit spread"},
     "daily history (210 bars)"},
    {StrategyId::kEarningsDrift,
     "earnings_drift",
     "Post-Earnings Drift",
     Style::kSwing,
     1.5,
     0.55,
     {15, 30, 0.30, 0.50, 5.0, 1000, 500, "debit spread or calendar"},
     "earnings date"},
    {StrategyId::kHighIvRank,
     "high_iv_rank",
     "High IV Rank Premium Sale",
     Style::kSwing,
     1.2,
     0.65,
     {30, 45, 0.25, 0.30, 0.0, 1500, 800, "credit spread (width 2)"},
     "IV rank"},
    {StrategyId::kPmcc,
     "pmcc",
     "Poor Man's Covered Call",
     Style::kLeaps,
     1.5,
     0.60,
     {180, 365, 0.70, 0.85, 0.0, 1000, 500, "diagonal: long LEAPS call, short near-term call"},
     "LEAPS chain"},
    {StrategyId::kGexFlip,
     "gex_flip",
     "Gamma Flip Cross",
     Style::kIntraday,
     1.3,
     0.56,
     {0, 5, 0.40, 0.60, 0.0, 2000, 1000, "long call/put"},
     "gamma flip level"},
    {StrategyId::kVixGate,
     "vix_gate",
     "Volatility Index Regime Gate",
     Style::kIntraday,
     1.3,
     0.57,
     {0, 2, 0.45, 0.60, 0.0, 1500, 800, "long call/put"},
     "volatility index series"},
    {StrategyId::kBreakRetestScalp,
     "break_and_retest_scalp",
     "Break and Retest (scalp)",
     Style::kScalp,
     1.3,
     0.58,
     {0, 2, 0.50, 0.65, 5.0, 500, 350, "long call/put"},
     ""},
    {StrategyId::kBreakRetest,
     "break_and_retest",
     "Break and Retest",
     Style::kIntraday,
     1.4,
     0.57,
     {0, 5, 0.45, 0.60, 0.0, 500, 300, "long call/put"},
     ""},
    {StrategyId::kBreakRetestSwing,
     "break_and_retest_swing",
     "Break and Retest (swing)",
     Style::kSwing,
     1.5,
     0.53,
     {15, 30, 0.30, 0.45, 0.0, 400, 250, "debit spread"},
     ""},
    {StrategyId::kMomentum,
     "momentum_play",
     "Momentum Continuation",
     Style::kIntraday,
     1.4,
     0.54,
     {0, 3, 0.50, 0.65, 0.0, 600, 350, "long call/put"},
     ""},
}};

bool Finite(double x) {
  return std::isfinite(x);
}

std::string Fmt(double x) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2f", x);
  return buf;
}

Detection No(StrategyId id, std::string reason) {
  return {id, DetectStatus::kNoSignal, std::move(reason), {}};
}
Detection Na(StrategyId id, std::string reason) {
  return {id, DetectStatus::kNotApplicable, std::move(reason), {}};
}
Detection Fire(Signal s) {
  Detection d{s.strategy, DetectStatus::kSignal, s.trigger, {}};
  d.signal = std::move(s);
  return d;
}

/// +1 when EMA9 > EMA20 > EMA50 at bar i, −1 for the mirror, else 0.
int EmaStack(const SymbolContext& c, std::size_t i) {
  if (c.ema9[i] > c.ema20[i] && c.ema20[i] > c.ema50[i])
    return 1;
  if (c.ema9[i] < c.ema20[i] && c.ema20[i] < c.ema50[i])
    return -1;
  return 0;
}
int DirSign(Direction d) {
  return d == Direction::kLong ? 1 : -1;
}
bool Beyond(Direction d, double a, double b) {
  return d == Direction::kLong ? a > b : a < b;
}

double MinLow(const BarSeries& s, std::size_t from, std::size_t to) {  // inclusive
  double v = std::numeric_limits<double>::infinity();
  for (std::size_t i = from; i <= to; ++i)
    v = std::min(v, s.low[i]);
  return v;
}
double MaxHigh(const BarSeries& s, std::size_t from, std::size_t to) {
  double v = -std::numeric_limits<double>::infinity();
  for (std::size_t i = from; i <= to; ++i)
    v = std::max(v, s.high[i]);
  return v;
}
/// The defended extreme on the stop side: lowest low (long) or highest high (short) of [from, to].
double StopSide(const BarSeries& s, Direction d, std::size_t from, std::size_t to) {
  return d == Direction::kLong ? MinLow(s, from, to) : MaxHigh(s, from, to);
}
double MeanVolume(const BarSeries& s, std::size_t end, std::size_t n) {  // n bars before `end`
  const std::size_t first = end > n ? end - n : 0;
  double sum = 0.0;
  for (std::size_t i = first; i < end; ++i)
    sum += s.volume[i];
  return end > first ? sum / static_cast<double>(end - first) : 0.0;
}

Signal Make(StrategyId id, Direction d, const SymbolContext& c, double structure, std::string basis) {
  Signal s;
  s.strategy = id;
  s.direction = d;
  s.entry = c.price();
  s.structure_stop = structure;
  s.stop_basis = std::move(basis);
  return s;
}

bool HtfNotAgainst(const SymbolContext& c, Direction d) {
  return c.htf.bias * Sign(d) > -0.2;
}
bool HtfWith(const SymbolContext& c, Direction d) {
  return c.htf.bias * Sign(d) >= 0.2;
}
bool VwapWith(const SymbolContext& c, Direction d) {
  return Finite(c.vwap.back()) && Beyond(d, c.price(), c.vwap.back());
}

Detection OrbRetest(const SymbolContext& c) {
  const auto id = StrategyId::kOrbRetest;
  const SessionLevels& L = c.session;
  if (!Finite(L.orh))
    return No(id, "opening range not complete");
  const SessionSpan& s = c.current();
  const std::int64_t or_end = s.open_ns + 15 * kMinuteNs;
  std::size_t post = s.first;
  while (post <= s.last && c.bars.ts[post] < or_end)
    ++post;
  if (post > s.last)
    return No(id, "no bars after the opening range");
  const std::size_t i = c.last();
  const double atr = c.atr[i];
  if (!Finite(atr))
    return No(id, "ATR not ready");
  const double tol = std::max(0.25 * atr, 0.0005 * c.price());
  const double reach = std::max(0.5 * c.StyleAtr(Style::kScalp), 2.0 * tol);
  const double close = c.price();
  for (Direction d : {Direction::kLong, Direction::kShort}) {
    const double edge = d == Direction::kLong ? L.orh : L.orl;
    if (!Beyond(d, close, edge))
      continue;
    // The first close beyond the range edge within the last 20 post-range bars, then a pull back to the edge
    // (within tol) while every close holds it, and price now beyond it again but not extended.
    const std::size_t first = i + 1 - std::min<std::size_t>(20, i + 1 - post);
    std::size_t brk = i + 1;
    for (std::size_t k = post; k <= i; ++k) {
      if (Beyond(d, c.bars.close[k], edge)) {
        brk = k;
        break;
      }
    }
    if (brk >= i || brk < first)
      return No(id, "no fresh break of the opening range");
    std::size_t retest = i + 1;
    bool held = true;
    for (std::size_t k = brk + 1; k <= i; ++k) {
      held = held && Sign(d) * (c.bars.close[k] - edge) > -tol;
      const double probe = d == Direction::kLong ? c.bars.low[k] : c.bars.high[k];
      if (retest > i && Sign(d) * (probe - edge) <= tol)
        retest = k;
    }
    if (!held)
      return No(id, "closed back inside the opening range");
    if (retest > i)
      return No(id, "broke the opening range without a retest");
    if (std::fabs(close - edge) > reach)
      return No(id, "extended beyond the opening range");
    const double extreme = StopSide(c.bars, d, retest, i);
    Signal sig = Make(id, d, c, extreme, d == Direction::kLong ? "retest low" : "retest high");
    sig.conditions = {{"ema_stack_aligned", EmaStack(c, i) == DirSign(d)},
                      {"adx_ge_18", c.adx[i] >= 18.0},
                      {"volume_ge_session_median", c.bars.volume[i] >= c.volume_median, c.has_volume}};
    sig.trigger = std::string(d == Direction::kLong ? "Reclaimed OR high " : "Lost OR low ") + Fmt(edge) + "; retest " +
                  Fmt(extreme);
    return Fire(std::move(sig));
  }
  return No(id, "price inside the opening range");
}

Detection PowerHour(const SymbolContext& c) {
  const auto id = StrategyId::kPowerHourTrend;
  if (c.phase != DayPhase::kPowerHour)
    return No(id, "not power hour (phase " + std::string(DayPhaseName(c.phase)) + ")");
  const SessionSpan& s = c.current();
  const std::size_t i = c.last();
  if (i - s.first < 10)
    return No(id, "too few session bars");
  const double atr = c.atr[i];
  if (!Finite(atr))
    return No(id, "ATR not ready");
  const std::size_t from = i + 1 - std::min<std::size_t>(30, i + 1 - s.first);
  for (Direction d : {Direction::kLong, Direction::kShort}) {
    if (EmaStack(c, i) != DirSign(d))
      continue;
    if (Finite(c.vwap[i]) && !VwapWith(c, d))
      continue;
    const double extreme = d == Direction::kLong ? MaxHigh(c.bars, from, i) : MinLow(c.bars, from, i);
    if (Sign(d) * (c.price() - extreme) < -0.05 * atr)
      continue;
    const std::size_t s10 = i + 1 - std::min<std::size_t>(10, i + 1 - s.first);
    Signal sig = Make(id, d, c, StopSide(c.bars, d, s10, i), d == Direction::kLong ? "10-bar low" : "10-bar high");
    sig.conditions = {{"adx_ge_20", c.adx[i] >= 20.0},
                      {"volume_ge_session_median", c.bars.volume[i] >= c.volume_median, c.has_volume},
                      {"htf_not_against", HtfNotAgainst(c, d)}};
    sig.trigger =
        std::string("Power hour push to the 30-bar ") + (d == Direction::kLong ? "high " : "low ") + Fmt(extreme);
    return Fire(std::move(sig));
  }
  return No(id, "no trend push at the range extreme");
}

Detection VwapAvwap(const SymbolContext& c) {
  const auto id = StrategyId::kVwapAvwap;
  if (!c.has_volume)
    return Na(id, "needs volume for VWAP/AVWAP (the bars carry none)");
  if (c.sessions.size() < 2)
    return No(id, "needs the prior session");
  std::vector<double> anchors;
  for (const AvwapLevel& a : c.avwaps) {
    if (a.label.find("session") != std::string::npos)
      anchors.push_back(a.value);
  }
  if (anchors.size() < 2)
    return No(id, "fewer than two session anchors");
  const std::size_t i = c.last();
  const double atr5 = c.StyleAtr(Style::kScalp);
  if (!Finite(atr5))
    return No(id, "ATR not ready");
  double mean = 0.0;
  for (double a : anchors)
    mean += a;
  mean /= static_cast<double>(anchors.size());
  const auto [lo, hi] = std::minmax_element(anchors.begin(), anchors.end());
  const double spread = *hi - *lo;
  const double tol = std::max(0.2 * atr5, 0.001 * c.price());
  if (spread > tol)
    return No(id, "AVWAP cluster not tight (spread " + Fmt(spread) + ")");
  for (Direction d : {Direction::kLong, Direction::kShort}) {
    if (!VwapWith(c, d) || EmaStack(c, i) != DirSign(d) || !Beyond(d, c.price(), mean))
      continue;
    if (std::fabs(c.price() - mean) > 1.5 * atr5)
      return No(id, "too far from the AVWAP cluster");
    const double structure = d == Direction::kLong ? std::min(mean, *lo) - tol : std::max(mean, *hi) + tol;
    Signal sig = Make(id, d, c, structure, "AVWAP cluster");
    sig.conditions = {{"cluster_very_tight", spread <= 0.5 * tol},
                      {"adx_ge_16", c.adx[i] >= 16.0},
                      {"rvol_ge_1", c.rvol_session >= 1.0, Finite(c.rvol_session)}};
    sig.trigger =
        "Holding " + std::string(d == Direction::kLong ? "above" : "below") + " VWAP and AVWAP cluster " + Fmt(mean);
    return Fire(std::move(sig));
  }
  return No(id, "no VWAP/EMA alignment beyond the cluster");
}

Detection GapFillOpen(const SymbolContext& c) {
  const auto id = StrategyId::kGapFillOpen;
  if (c.phase != DayPhase::kOpenDrive && c.phase != DayPhase::kMorning)
    return No(id, "only in the first two hours");
  const SessionLevels& L = c.session;
  if (!Finite(L.pdc))
    return No(id, "needs the prior session close");
  const double atr5 = c.StyleAtr(Style::kScalp);
  if (!Finite(atr5))
    return No(id, "ATR not ready");
  const double gap = L.session_open - L.pdc;
  if (std::fabs(gap) < std::max(0.3 * atr5, 0.003 * L.pdc))
    return No(id, "no opening gap (" + Fmt(gap) + ")");
  const Direction d = gap > 0 ? Direction::kShort : Direction::kLong;  // trade back toward the prior close
  const double close = c.price();
  if (!Beyond(d, close, L.session_open))
    return No(id, "gap not filling yet");
  if (!Beyond(d, L.pdc, close))
    return No(id, "gap already filled");
  const SessionSpan& s = c.current();
  const std::size_t f3 = std::min(s.first + 2, s.last);
  const double first3 = d == Direction::kShort ? MaxHigh(c.bars, s.first, f3) : MinLow(c.bars, s.first, f3);
  const double structure = d == Direction::kShort ? std::max(L.session_open, first3) : std::min(L.session_open, first3);
  Signal sig = Make(id, d, c, structure, "opening drive extreme");
  sig.preferred_targets = {L.pdc};
  const std::size_t i = c.last();
  sig.conditions = {{"vwap_aligned", VwapWith(c, d), Finite(c.vwap[i])},
                    {"volume_ge_session_median", c.bars.volume[i] >= c.volume_median, c.has_volume},
                    {"room_to_prior_close", std::fabs(close - L.pdc) > 0.2 * atr5}};
  sig.trigger = "Gap " + std::string(gap > 0 ? "up " : "down ") + Fmt(gap) + " filling toward PDC " + Fmt(L.pdc);
  return Fire(std::move(sig));
}

Detection GapBreakaway(const SymbolContext& c) {
  const auto id = StrategyId::kGapBreakaway;
  if (c.phase == DayPhase::kOpenDrive)
    return No(id, "waits for the opening drive to finish");
  const SessionLevels& L = c.session;
  if (!Finite(L.pdh))
    return No(id, "needs the prior session");
  const double min_gap = std::max(Finite(c.atr_daily) ? 0.5 * c.atr_daily : 0.0, 0.005 * L.pdc);
  Direction d;
  if (L.session_open > L.pdh && L.session_open - L.pdc >= min_gap) {
    d = Direction::kLong;
    if (L.session_low < L.pdh)
      return No(id, "gap up traded back into the prior range");
  } else if (L.session_open < L.pdl && L.pdc - L.session_open >= min_gap) {
    d = Direction::kShort;
    if (L.session_high > L.pdl)
      return No(id, "gap down traded back into the prior range");
  } else {
    return No(id, "no breakaway gap beyond the prior day's range");
  }
  if (!Beyond(d, c.price(), L.session_open))
    return No(id, "not continuing beyond the open");
  Signal sig = Make(id, d, c, d == Direction::kLong ? L.session_low : L.session_high,
                    d == Direction::kLong ? "session low" : "session high");
  sig.conditions = {{"rvol_ge_1_5", c.rvol_session >= 1.5, Finite(c.rvol_session)},
                    {"vwap_aligned", VwapWith(c, d), Finite(c.vwap.back())},
                    {"daily_trend_not_against", c.htf.daily * DirSign(d) >= 0}};
  sig.trigger = "Breakaway gap " + std::string(d == Direction::kLong ? "above PDH " : "below PDL ") +
                Fmt(d == Direction::kLong ? L.pdh : L.pdl) + " holding";
  return Fire(std::move(sig));
}

Detection MiddayMeanRevert(const SymbolContext& c) {
  const auto id = StrategyId::kMiddayMeanRevert;
  if (!c.has_volume)
    return Na(id, "needs volume for VWAP (the bars carry none)");
  if (c.phase != DayPhase::kMidday)
    return No(id, "only at midday (phase " + std::string(DayPhaseName(c.phase)) + ")");
  if (c.last() < 1)
    return No(id, "too few bars");
  const std::size_t i = c.last();
  const double atr = c.StyleAtr(Style::kIntraday);
  if (!Finite(atr) || !Finite(c.vwap[i]))
    return No(id, "ATR/VWAP not ready");
  const double ext = c.price() - c.vwap[i];
  if (std::fabs(ext) < 1.2 * atr)
    return No(id, "not stretched from VWAP (" + Fmt(ext) + ")");
  const Direction d = ext < 0 ? Direction::kLong : Direction::kShort;
  const std::size_t s6 = i + 1 - std::min<std::size_t>(6, i + 1 - c.current().first);
  const double range6 = MaxHigh(c.bars, s6, i) - MinLow(c.bars, s6, i);
  if (range6 >= 0.9 * atr)
    return No(id, "still moving: 6-bar range " + Fmt(range6) + " >= 0.9 ATR");
  if (!Beyond(d, c.bars.close[i], c.bars.close[i - 1]))
    return No(id, "last bar not turning back toward VWAP");
  Signal sig = Make(id, d, c, StopSide(c.bars, d, s6, i), d == Direction::kLong ? "6-bar low" : "6-bar high");
  sig.preferred_targets = {c.vwap[i]};
  sig.conditions = {{"adx_lt_20", !(c.adx[i] >= 20.0)},
                    {"volume_le_session_median", c.bars.volume[i] <= c.volume_median, c.has_volume},
                    {"rsi_stretched", d == Direction::kLong ? c.rsi[i] <= 40.0 : c.rsi[i] >= 60.0}};
  sig.trigger = "Stretched " + Fmt(ext) + " from VWAP " + Fmt(c.vwap[i]);
  return Fire(std::move(sig));
}

Detection LiquiditySweep(const SymbolContext& c) {
  const auto id = StrategyId::kLiquiditySweep;
  const std::size_t i = c.last();
  const SessionSpan& s = c.current();
  if (i - s.first < 6)
    return No(id, "too few session bars");
  const double atr = c.atr[i];
  if (!Finite(atr))
    return No(id, "ATR not ready");
  const std::size_t win = i - 4;  // the sweep happened within the last five bars
  struct Pool {
    double price;
    bool below;
    const char* label;
  };
  std::vector<Pool> pools;
  // Pools come from the coarser 5-minute structure (when the bars are finer) that completed before the window.
  const BarSeries& ps = c.m5.empty() ? c.bars : c.m5;
  const std::int64_t plen = ps.spec.IntradayLength().count();
  std::size_t pn = 0;
  while (pn < ps.size() && ps.ts[pn] + plen <= c.bars.ts[win])
    ++pn;
  const std::size_t from = pn > 150 ? pn - 150 : 0;
  const double pool_atr = !c.m5.empty() && Finite(c.atr_5m) ? c.atr_5m : atr;
  for (const auto& p : levels::FindLiquidityPools(ps.View(from, pn - from), 3, 0.1 * pool_atr)) {
    if (!p.taken)
      pools.push_back({p.price, !p.above, p.above ? "equal highs" : "equal lows"});
  }
  if (Finite(c.session.pdl))
    pools.push_back({c.session.pdl, true, "PDL"});
  if (Finite(c.session.pdh))
    pools.push_back({c.session.pdh, false, "PDH"});
  const double before_low = win > s.first ? MinLow(c.bars, s.first, win - 1) : std::numeric_limits<double>::infinity();
  const double before_high =
      win > s.first ? MaxHigh(c.bars, s.first, win - 1) : -std::numeric_limits<double>::infinity();
  for (const Pool& p : pools) {
    const Direction d = p.below ? Direction::kLong : Direction::kShort;
    // The pool must have been intact this session until the sweep window.
    if (p.below ? before_low < p.price : before_high > p.price)
      continue;
    for (std::size_t j = win; j <= i; ++j) {
      const bool swept = p.below ? (c.bars.low[j] < p.price && c.bars.close[j] > p.price)
                                 : (c.bars.high[j] > p.price && c.bars.close[j] < p.price);
      if (!swept)
        continue;
      bool held = true;
      for (std::size_t k = j; k <= i; ++k)
        held = held && Beyond(d, c.bars.close[k], p.price);
      if (!held)
        break;
      const double extreme = StopSide(c.bars, d, j, i);
      double mean = 0.0, sq = 0.0;
      const std::size_t vf = j > 20 ? j - 20 : 0;
      for (std::size_t k = vf; k < j; ++k)
        mean += c.bars.volume[k];
      mean /= std::max<double>(1.0, static_cast<double>(j - vf));
      for (std::size_t k = vf; k < j; ++k)
        sq += (c.bars.volume[k] - mean) * (c.bars.volume[k] - mean);
      const double sd = std::sqrt(sq / std::max<double>(1.0, static_cast<double>(j - vf)));
      const double z = sd > 0.0 ? (c.bars.volume[j] - mean) / sd : 0.0;
      double rsi_extreme = c.rsi[i];
      for (std::size_t k = j; k <= i; ++k)
        rsi_extreme = p.below ? std::min(rsi_extreme, c.rsi[k]) : std::max(rsi_extreme, c.rsi[k]);
      const bool rsi_back =
          p.below ? (rsi_extreme <= 35.0 && c.rsi[i] > 35.0) : (rsi_extreme >= 65.0 && c.rsi[i] < 65.0);
      Signal sig = Make(id, d, c, extreme, "sweep extreme");
      sig.conditions = {{"sweep_volume_z_ge_2", z >= 2.0, c.has_volume},
                        {"rsi_back_across_35_65", rsi_back},
                        {"clean_sweep_le_0_5_atr", std::fabs(extreme - p.price) <= 0.5 * atr}};
      sig.trigger = std::string("Swept ") + p.label + " " + Fmt(p.price) + " and reclaimed";
      return Fire(std::move(sig));
    }
  }
  return No(id, "no recent sweep of resting liquidity");
}

Detection InsideBreakout(const SymbolContext& c) {
  const auto id = StrategyId::kInsideBreakout;
  const BarSeries& s = c.m5.empty() ? c.bars : c.m5;
  const std::int64_t len = s.spec.IntradayLength().count();
  std::size_t n = s.size();
  while (n > 0 && s.ts[n - 1] + len > c.data_as_of.nanos())
    --n;  // complete bars only
  if (n < 3)
    return No(id, "needs three complete bars");
  const std::size_t k = n - 1, in = n - 2, m = n - 3;
  if (s.ts[m] < c.current().open_ns)
    return No(id, "pattern must lie within the current session");
  if (!(s.high[in] <= s.high[m] && s.low[in] >= s.low[m]))
    return No(id, "no inside bar");
  Direction d;
  if (s.close[k] > s.high[m] && c.price() > s.high[m]) {
    d = Direction::kLong;
  } else if (s.close[k] < s.low[m] && c.price() < s.low[m]) {
    d = Direction::kShort;
  } else {
    return No(id, "inside bar without a breakout close");
  }
  Signal sig = Make(id, d, c, d == Direction::kLong ? s.low[in] : s.high[in],
                    d == Direction::kLong ? "inside bar low" : "inside bar high");
  const double mother = s.high[m] - s.low[m];
  sig.conditions = {{"breakout_volume_ge_1_5x", s.volume[k] >= 1.5 * MeanVolume(s, k, 20), c.has_volume},
                    {"ema_stack_aligned", EmaStack(c, c.last()) == DirSign(d)},
                    {"inside_range_le_0_6_mother", s.high[in] - s.low[in] <= 0.6 * mother}};
  sig.trigger = "Inside bar breakout " + std::string(d == Direction::kLong ? "above " : "below ") +
                Fmt(d == Direction::kLong ? s.high[m] : s.low[m]);
  return Fire(std::move(sig));
}

Detection InsideDay(const SymbolContext& c) {
  const auto id = StrategyId::kInsideDay;
  const BarSeries& d = c.daily;
  if (d.size() < 3)
    return No(id, "needs two prior sessions");
  const std::size_t in = d.size() - 2, m = d.size() - 3;
  if (!(d.high[in] <= d.high[m] && d.low[in] >= d.low[m]))
    return No(id, "prior session was not an inside day");
  Direction dir;
  if (c.price() > d.high[in]) {
    dir = Direction::kLong;
  } else if (c.price() < d.low[in]) {
    dir = Direction::kShort;
  } else {
    return No(id, "still inside the inside day's range");
  }
  Signal sig = Make(id, dir, c, 0.5 * (d.high[in] + d.low[in]), "inside day midpoint");
  sig.conditions = {{"ema_stack_aligned", EmaStack(c, c.last()) == DirSign(dir)},
                    {"vwap_aligned", VwapWith(c, dir), Finite(c.vwap.back())},
                    {"htf_not_against", HtfNotAgainst(c, dir)}};
  sig.trigger = "Broke the inside day " + std::string(dir == Direction::kLong ? "high " : "low ") +
                Fmt(dir == Direction::kLong ? d.high[in] : d.low[in]);
  return Fire(std::move(sig));
}

Detection EmaPullback(const SymbolContext& c) {
  const auto id = StrategyId::kEmaPullback;
  const BarSeries& d = c.daily;
  if (d.size() < 210)
    return Na(id, "needs 210 daily bars for EMA200 (have " + std::to_string(d.size()) + ")");
  const std::size_t i = d.size() - 1;
  const double e20 = c.d_ema20[i], e50 = c.d_ema50[i], e200 = c.d_ema200[i];
  const double atr = Finite(c.d_atr[i - 1]) ? c.d_atr[i - 1] : c.atr_daily;
  if (!Finite(atr))
    return No(id, "daily ATR not ready");
  for (Direction dir : {Direction::kLong, Direction::kShort}) {
    const double g = Sign(dir);
    if (!(g * (e20 - e50) > 0 && g * (e50 - e200) > 0))
      continue;
    if (!Beyond(dir, c.price(), e50))
      return No(id, "price beyond EMA50: trend in doubt");
    bool touched = false;
    for (std::size_t k = i - 2; k <= i; ++k) {
      const double probe = dir == Direction::kLong ? d.low[k] : d.high[k];
      touched = touched || g * (probe - c.d_ema20[k]) <= 0.25 * atr;
    }
    if (!touched)
      return No(id, "no pullback to EMA20 in the last 3 sessions");
    if (!Beyond(dir, c.price(), e20))
      return No(id, "has not reclaimed EMA20");
    double st_extreme = c.d_stoch_rsi[i];
    for (std::size_t k = i - 3; k <= i; ++k) {
      st_extreme =
          dir == Direction::kLong ? std::min(st_extreme, c.d_stoch_rsi[k]) : std::max(st_extreme, c.d_stoch_rsi[k]);
    }
    if (dir == Direction::kLong ? !(st_extreme <= 0.2) : !(st_extreme >= 0.8)) {
      return No(id, "StochRSI did not reach the oversold/overbought zone on the pullback");
    }
    const bool stoch_turn =
        dir == Direction::kLong ? c.d_stoch_rsi[i] > c.d_stoch_rsi[i - 1] : c.d_stoch_rsi[i] < c.d_stoch_rsi[i - 1];
    Signal sig =
        Make(id, dir, c, StopSide(d, dir, i - 2, i), dir == Direction::kLong ? "pullback low" : "pullback high");
    sig.conditions = {{"stoch_rsi_turn", stoch_turn},
                      {"weekly_not_against", c.htf.weekly * DirSign(dir) >= 0},
                      {"daily_close_beyond_prior", Beyond(dir, d.close[i], d.close[i - 1])}};
    sig.trigger = "Pullback to daily EMA20 " + Fmt(e20) + " in a 20/50/200 " +
                  (dir == Direction::kLong ? "up" : "down") + "trend";
    return Fire(std::move(sig));
  }
  return No(id, "daily EMAs 20/50/200 not stacked");
}

Detection EarningsDrift(const SymbolContext& c) {
  const auto id = StrategyId::kEarningsDrift;
  if (!c.earnings_date)
    return Na(id, "needs an earnings date");
  const CivilDate e = *c.earnings_date;
  if (c.trading_date < e)
    return No(id, "earnings still ahead");
  const BarSeries& d = c.daily;
  std::size_t r = d.size();
  for (std::size_t k = 0; k < d.size(); ++k) {
    const std::int64_t days = d.ts[k] / kDayNs;
    if (days >= DaysFromCivil(e)) {
      if (k == 0)
        return No(id, "no session before the earnings date in the history");
      // The reaction is the larger opening gap of the earnings day and the session after it.
      r = k;
      if (k + 1 < d.size() && std::fabs(d.open[k + 1] - d.close[k]) > std::fabs(d.open[k] - d.close[k - 1]))
        r = k + 1;
      break;
    }
  }
  const std::size_t last = d.size() - 1;
  if (r >= last)
    return No(id, "reaction session not complete yet");
  if (last - r > 10)
    return No(id, "drift window (10 sessions) is over");
  const double move = d.close[r] - d.close[r - 1];
  const double atr = Finite(c.d_atr[r - 1]) ? c.d_atr[r - 1] : 0.02 * d.close[r - 1];
  if (std::fabs(move) < atr)
    return No(id, "earnings reaction smaller than one daily ATR");
  const Direction dir = move > 0 ? Direction::kLong : Direction::kShort;
  const double mid = 0.5 * (d.high[r] + d.low[r]);
  if (!Beyond(dir, c.price(), mid))
    return No(id, "gave back half of the reaction day");
  Signal sig = Make(id, dir, c, mid, "reaction day midpoint");
  sig.conditions = {{"vwap_aligned", VwapWith(c, dir), Finite(c.vwap.back())},
                    {"beyond_reaction_close", Beyond(dir, c.price(), d.close[r])},
                    {"htf_not_against", HtfNotAgainst(c, dir)}};
  sig.trigger = "Post-earnings drift after a " + Fmt(move) + " reaction";
  return Fire(std::move(sig));
}

Detection HighIvRank(const SymbolContext& c) {
  const auto id = StrategyId::kHighIvRank;
  if (!c.options.iv_rank)
    return Na(id, "needs IV rank");
  const double ivr = *c.options.iv_rank;
  if (ivr <= 50.0)
    return No(id, "IV rank " + Fmt(ivr) + " <= 50");
  const Direction dir = c.htf.bias >= 0.0 ? Direction::kLong : Direction::kShort;
  const double atr = c.StyleAtr(Style::kSwing);
  if (!Finite(atr))
    return No(id, "ATR not ready");
  const std::size_t all = c.key_levels.levels().size();
  const auto side = dir == Direction::kLong ? c.key_levels.Below(c.price(), all) : c.key_levels.Above(c.price(), all);
  for (const auto& lv : side) {
    if (lv.score >= 0.45 && std::fabs(c.price() - lv.price) >= 0.5 * atr) {
      Signal sig = Make(id, dir, c, lv.price, "short strike level " + lv.label);
      const double e20 = c.d_ema20.empty() ? std::numeric_limits<double>::quiet_NaN() : c.d_ema20.back();
      sig.conditions = {{"iv_rank_ge_70", ivr >= 70.0},
                        {"htf_aligned", HtfWith(c, dir)},
                        {"not_extended_from_daily_ema20", std::fabs(c.price() - e20) <= 1.5 * atr, Finite(e20)}};
      sig.trigger =
          "IV rank " + Fmt(ivr) + ": sell premium " + (dir == Direction::kLong ? "below " : "above ") + lv.label;
      return Fire(std::move(sig));
    }
  }
  return No(id, "no level to place the short strike behind");
}

Detection Pmcc(const SymbolContext& c) {
  const auto id = StrategyId::kPmcc;
  if (c.options.leaps.empty())
    return Na(id, "needs a LEAPS call chain");
  const OptionsRules& r = Spec(id).options;
  const LeapsCall* pick = nullptr;
  for (const LeapsCall& l : c.options.leaps) {
    const double mid = 0.5 * (l.bid + l.ask);
    const bool ok = l.dte >= r.dte_min && l.dte <= r.dte_max && l.delta >= r.delta_min && l.delta <= r.delta_max &&
                    mid > 0 && (l.ask - l.bid) / mid <= 0.10 && l.open_interest >= r.min_open_interest;
    if (ok && (pick == nullptr || std::fabs(l.delta - 0.8) < std::fabs(pick->delta - 0.8)))
      pick = &l;
  }
  if (pick == nullptr)
    return No(id, "no LEAPS call with DTE 180-365, delta 0.70-0.85, spread <= 10%, OI >= 1000");
  if (c.htf.bias <= 0.0)
    return No(id, "needs an uptrend on the higher timeframes");
  double structure = c.d_ema50.empty() ? std::numeric_limits<double>::quiet_NaN() : c.d_ema50.back();
  std::string basis = "daily EMA50";
  if (!Finite(structure) || structure >= c.price()) {
    const std::size_t n = c.daily.size();
    structure = MinLow(c.daily, n > 20 ? n - 20 : 0, n - 1);
    basis = "20-session low";
  }
  Signal sig = Make(id, Direction::kLong, c, structure, basis);
  sig.conditions = {{"iv_rank_lt_50", c.options.iv_rank && *c.options.iv_rank < 50.0, c.options.iv_rank.has_value()},
                    {"weekly_uptrend", c.htf.weekly > 0},
                    {"above_daily_ema20", !c.d_ema20.empty() && c.price() > c.d_ema20.back()}};
  sig.trigger = "Uptrend with LEAPS call " + Fmt(pick->strike) + " (delta " + Fmt(pick->delta) + ", " +
                std::to_string(pick->dte) + " DTE)";
  return Fire(std::move(sig));
}

Detection GexFlip(const SymbolContext& c) {
  const auto id = StrategyId::kGexFlip;
  if (!c.options.gamma_flip)
    return Na(id, "needs the gamma flip level");
  const double f = *c.options.gamma_flip;
  const std::size_t i = c.last();
  if (i < 6)
    return No(id, "too few bars");
  const double atr = c.StyleAtr(Style::kIntraday);
  for (Direction d : {Direction::kLong, Direction::kShort}) {
    if (!Beyond(d, c.price(), f))
      continue;
    bool crossed = false;
    for (std::size_t k = i - 6; k < i; ++k)
      crossed = crossed || !Beyond(d, c.bars.close[k], f);
    if (!crossed)
      return No(id, "no cross of the gamma flip in the last 6 bars");
    Signal sig = Make(id, d, c, f, "gamma flip");
    sig.conditions = {{"fresh_within_0_5_atr", std::fabs(c.price() - f) <= 0.5 * atr, Finite(atr)},
                      {"vwap_aligned", VwapWith(c, d), Finite(c.vwap[i])},
                      {"ema_stack_aligned", EmaStack(c, i) == DirSign(d)}};
    sig.trigger = std::string("Crossed ") + (d == Direction::kLong ? "above" : "below") + " the gamma flip " + Fmt(f);
    return Fire(std::move(sig));
  }
  return No(id, "at the gamma flip");
}

Detection VixGate(const SymbolContext& c) {
  const auto id = StrategyId::kVixGate;
  if (!c.vol_index)
    return Na(id, "needs the volatility index series");
  const VolIndexState& v = *c.vol_index;
  const std::size_t i = c.last();
  // Falling: 2 % under its EMA20 and down over the last 6 bars; rising: 5 % over it and up.
  const bool falling = v.last < 0.98 * v.ema20 && v.change_6 < 0.0;
  const bool rising = v.last > 1.05 * v.ema20 && v.change_6 > 0.0;
  const int stack = c.ema9[i] > c.ema20[i] ? 1 : (c.ema9[i] < c.ema20[i] ? -1 : 0);
  Direction d;
  if (falling && v.last < 25.0 && stack > 0 && (!Finite(c.vwap[i]) || c.price() > c.vwap[i])) {
    d = Direction::kLong;
  } else if (rising && stack < 0 && (!Finite(c.vwap[i]) || c.price() < c.vwap[i])) {
    d = Direction::kShort;
  } else {
    return No(id, "vol index " + Fmt(v.last) + ": no regime signal");
  }
  const std::size_t s10 = i + 1 - std::min<std::size_t>(10, i + 1 - c.current().first);
  Signal sig = Make(id, d, c, StopSide(c.bars, d, s10, i), d == Direction::kLong ? "10-bar low" : "10-bar high");
  sig.conditions = {{"vol_regime", d == Direction::kLong ? v.last < 20.0 : v.last > 20.0},
                    {"adx_ge_18", c.adx[i] >= 18.0},
                    {"htf_not_against", HtfNotAgainst(c, d)}};
  sig.trigger =
      "Vol index " + Fmt(v.last) + (d == Direction::kLong ? " falling" : " rising") + " vs EMA20 " + Fmt(v.ema20);
  return Fire(std::move(sig));
}

struct RetestLevel {
  double price;
  std::string_view label;
  std::size_t formed;  // bar index the level existed from (0 for session/period levels)
};

Detection BreakRetest(const SymbolContext& c, StrategyId id, const BarSeries& s, std::size_t lookback,
                      std::size_t swing_width, double series_atr, double tol, std::vector<RetestLevel> lv) {
  const std::size_t n = s.size();
  if (n < lookback + swing_width + 2)
    return No(id, "needs " + std::to_string(lookback + swing_width + 2) + " bars");
  if (!Finite(tol) || tol <= 0.0 || !Finite(series_atr))
    return No(id, "ATR not ready");
  // Levels: the session/period levels plus the three most recent swing highs and lows.
  const std::size_t first = n > 150 ? n - 150 : 0;
  const auto swings = levels::FindSwings(s.View(first, n - first), swing_width);
  std::size_t highs = 0, lows = 0;
  for (auto it = swings.rbegin(); it != swings.rend(); ++it) {
    const bool high = it->kind == levels::SwingKind::kHigh;
    std::size_t& count = high ? highs : lows;
    if (count++ < 3)
      lv.push_back({it->price, high ? "swing high" : "swing low", first + it->index + swing_width});
  }
  const double departure = std::max(2.0 * tol, 0.75 * series_atr);
  const std::size_t i = n - 1;
  // Most recent break first; the break needs at least two bars after it.
  for (std::size_t j = i - 2; j + lookback >= i && j >= 1; --j) {
    for (const RetestLevel& L : lv) {
      if (!Finite(L.price) || L.formed > j - 1)
        continue;
      for (Direction d : {Direction::kLong, Direction::kShort}) {
        if (!(Beyond(d, s.close[j], L.price) && !Beyond(d, s.close[j - 1], L.price)))
          continue;
        // A first break: no close beyond the level in the 10 bars before it.
        bool fresh = true;
        for (std::size_t k = j > 10 ? j - 10 : 0; k + 1 < j; ++k)
          fresh = fresh && !Beyond(d, s.close[k], L.price);
        if (!fresh)
          continue;
        // After the break: every close holds beyond L − tol, price first leaves the level (departure), then comes
        // back within tol (the retest) no more than 3 bars ago, and is beyond the level now.
        bool held = true;
        bool left = false;
        std::size_t retest = 0;
        for (std::size_t k = j + 1; k <= i; ++k) {
          held = held && Sign(d) * (s.close[k] - L.price) > -tol;
          const double far = d == Direction::kLong ? s.high[k] : s.low[k];
          const double probe = d == Direction::kLong ? s.low[k] : s.high[k];
          if (left && retest == 0 && Sign(d) * (probe - L.price) <= tol)
            retest = k;
          left = left || Sign(d) * (far - L.price) >= departure;
        }
        if (!held || retest == 0 || i - retest > 3 || !Beyond(d, c.price(), L.price))
          continue;
        Signal sig = Make(id, d, c, StopSide(s, d, retest, i), d == Direction::kLong ? "retest low" : "retest high");
        sig.conditions = {{"break_volume_ge_1_2x", s.volume[j] >= 1.2 * MeanVolume(s, j, 20), c.has_volume},
                          {"ema_stack_aligned", EmaStack(c, c.last()) == DirSign(d)},
                          {"htf_not_against", HtfNotAgainst(c, d)}};
        sig.trigger = "Broke and retested " + std::string(L.label) + " " + Fmt(L.price);
        return Fire(std::move(sig));
      }
    }
    if (j == 1)
      break;
  }
  return No(id, "no break and retest of a level");
}

Detection Momentum(const SymbolContext& c) {
  const auto id = StrategyId::kMomentum;
  const std::size_t i = c.last();
  if (!(c.adx[i] >= 25.0))
    return No(id, "ADX below 25");
  const SessionSpan& s = c.current();
  if (i - s.first < 5)
    return No(id, "too few session bars");
  for (Direction d : {Direction::kLong, Direction::kShort}) {
    if (EmaStack(c, i) != DirSign(d))
      continue;
    if (Finite(c.vwap[i]) && !VwapWith(c, d))
      continue;
    const double recent = d == Direction::kLong ? MaxHigh(c.bars, i - 2, i) : MinLow(c.bars, i - 2, i);
    const double session = d == Direction::kLong ? c.session.session_high : c.session.session_low;
    if (recent != session)
      return No(id, "no new session extreme in the last 3 bars");
    const double structure = d == Direction::kLong ? std::min(MinLow(c.bars, i - 4, i), c.ema20[i])
                                                   : std::max(MaxHigh(c.bars, i - 4, i), c.ema20[i]);
    Signal sig = Make(id, d, c, structure, "5-bar extreme / EMA20");
    sig.conditions = {{"rsi_in_trend_band",
                       d == Direction::kLong ? (c.rsi[i] >= 55 && c.rsi[i] <= 80) : (c.rsi[i] <= 45 && c.rsi[i] >= 20)},
                      {"rvol_ge_1_2", c.rvol_session >= 1.2, Finite(c.rvol_session)},
                      {"htf_aligned", HtfWith(c, d)}};
    sig.trigger = "Momentum: ADX " + Fmt(c.adx[i]) + " with a new session " + (d == Direction::kLong ? "high" : "low");
    return Fire(std::move(sig));
  }
  return No(id, "no aligned trend");
}

std::size_t FirstAtOrAfter(const BarSeries& s, std::int64_t t) {
  return static_cast<std::size_t>(std::lower_bound(s.ts.begin(), s.ts.end(), t) - s.ts.begin());
}

}  // namespace

std::span<const StrategySpec> AllStrategies() {
  return kSpecs;
}

const StrategySpec& Spec(StrategyId id) {
  return kSpecs[static_cast<std::size_t>(id)];
}

std::optional<StrategyId> ParseStrategyKey(std::string_view key) {
  for (const StrategySpec& s : kSpecs) {
    if (s.key == key)
      return s.id;
  }
  return std::nullopt;
}

std::string_view DetectStatusName(DetectStatus status) {
  switch (status) {
    case DetectStatus::kSignal:
      return "signal";
    case DetectStatus::kNoSignal:
      return "no_signal";
    case DetectStatus::kNotApplicable:
      return "not_applicable";
  }
  return "no_signal";
}

Detection Detect(StrategyId id, const SymbolContext& c) {
  const SessionLevels& L = c.session;
  switch (id) {
    case StrategyId::kOrbRetest:
      return OrbRetest(c);
    case StrategyId::kPowerHourTrend:
      return PowerHour(c);
    case StrategyId::kVwapAvwap:
      return VwapAvwap(c);
    case StrategyId::kGapFillOpen:
      return GapFillOpen(c);
    case StrategyId::kGapBreakaway:
      return GapBreakaway(c);
    case StrategyId::kMiddayMeanRevert:
      return MiddayMeanRevert(c);
    case StrategyId::kLiquiditySweep:
      return LiquiditySweep(c);
    case StrategyId::kInsideBreakout:
      return InsideBreakout(c);
    case StrategyId::kInsideDay:
      return InsideDay(c);
    case StrategyId::kEmaPullback:
      return EmaPullback(c);
    case StrategyId::kEarningsDrift:
      return EarningsDrift(c);
    case StrategyId::kHighIvRank:
      return HighIvRank(c);
    case StrategyId::kPmcc:
      return Pmcc(c);
    case StrategyId::kGexFlip:
      return GexFlip(c);
    case StrategyId::kVixGate:
      return VixGate(c);
    case StrategyId::kBreakRetestScalp: {
      // Session and period levels exist from the current session's first bar (a break of PDH during the
      // prior day means nothing).
      const double tol = std::max(0.15 * c.StyleAtr(Style::kScalp), 2.0 * c.instrument.tick_size.AsDouble());
      const std::size_t f = c.current().first;
      return BreakRetest(c, id, c.bars, 30, 5, c.atr.back(), tol,
                         {{L.orh, "ORH", f}, {L.orl, "ORL", f}, {L.pdh, "PDH", f}, {L.pdl, "PDL", f}});
    }
    case StrategyId::kBreakRetest: {
      const std::size_t f = FirstAtOrAfter(c.m15, c.current().open_ns);
      return BreakRetest(c, id, c.m15, 16, 3, c.atr_15m, 0.2 * c.StyleAtr(Style::kIntraday),
                         {{L.orh, "ORH", f},
                          {L.orl, "ORL", f},
                          {L.pdh, "PDH", f},
                          {L.pdl, "PDL", f},
                          {L.pwh, "PWH", f},
                          {L.pwl, "PWL", f}});
    }
    case StrategyId::kBreakRetestSwing: {
      const std::size_t f = c.weekly.empty() ? 0 : FirstAtOrAfter(c.daily, c.weekly.ts.back());
      return BreakRetest(c, id, c.daily, 10, 3, c.atr_daily, 0.25 * c.atr_daily,
                         {{L.pwh, "PWH", f}, {L.pwl, "PWL", f}});
    }
    case StrategyId::kMomentum:
      return Momentum(c);
  }
  return No(id, "unknown strategy");
}

std::vector<Detection> DetectAll(const SymbolContext& ctx) {
  std::vector<Detection> out;
  out.reserve(kStrategyCount);
  for (const StrategySpec& s : kSpecs) {
    out.push_back(Detect(s.id, ctx));
  }
  return out;
}

}  // namespace td::scanner
