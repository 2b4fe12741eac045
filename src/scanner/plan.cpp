// SPDX-License-Identifier: MIT
#include "scanner/plan.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <limits>

namespace td::scanner {

namespace {

constexpr std::int64_t kMinuteNs = 60'000'000'000;

/// The documented per-style rules of stops and the target ladder.
struct StyleRules {
  double stop_floor_atr;          // stop at least this many style ATRs from entry
  double em_fraction[3];          // TP seeds as fractions of the expected move
  double mfe_quantile[3];         // TP seeds as MFE quantiles
  double horizon_days;            // expected-move horizon in sessions (fractions for intraday styles)
  int horizon_minutes;            // intraday horizon (scalp, intraday); 0 for daily styles
  bool em_capped;                 // targets capped at the expected move (scalp, intraday)
  double spacing_atr;             // minimum spacing between targets in style ATRs ...
  double spacing_pct;             // ... or this fraction of entry, whichever is larger
  double min_distance_atr;        // minimum target distance in style ATRs ...
  double min_distance_pct;        // ... or this fraction of entry
  std::size_t mfe_horizon_daily;  // daily bars of the MFE window for daily styles
  std::string_view runner_tf;
  int runner_len;
  double runner_mult;
  std::string_view runner_note;
};

constexpr StyleRules kRules[4] = {
    {0.6,
     {0.30, 0.60, 0.90},
     {0.50, 0.70, 0.85},
     0.0,
     60,
     true,
     0.25,
     0.0005,
     0.6,
     0.0,
     0,
     "1m",
     10,
     1.4,
     "Trail with 1m chandelier"},
    {0.9,
     {0.45, 0.80, 1.10},
     {0.50, 0.70, 0.85},
     0.0,
     240,
     true,
     0.25,
     0.0008,
     0.8,
     0.0,
     0,
     "5m",
     14,
     1.8,
     "Trail with 5m chandelier / EMA20"},
    {1.2,
     {0.55, 0.90, 1.25},
     {0.50, 0.75, 0.90},
     5.0,
     0,
     false,
     0.35,
     0.0025,
     1.0,
     0.01,
     5,
     "4h",
     20,
     2.3,
     "Trail below 4h swing lows"},
    {1.5,
     {0.65, 1.00, 1.30},
     {0.50, 0.80, 0.90},
     60.0,
     0,
     false,
     0.35,
     0.005,
     1.0,
     0.03,
     20,
     "1D",
     20,
     3.0,
     "Trail on daily swing structure"},
};

bool Finite(double x) {
  return std::isfinite(x);
}

std::string Fmt(double x, int decimals = 2) {
  char buf[48];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, x);
  return buf;
}

bool StrongKind(const levels::KeyLevel& l) {
  using levels::LevelKind;
  for (LevelKind k : l.kinds) {
    switch (k) {
      case LevelKind::kPriorDayHigh:
      case LevelKind::kPriorDayLow:
      case LevelKind::kPriorDayClose:
      case LevelKind::kPriorWeekHigh:
      case LevelKind::kPriorWeekLow:
      case LevelKind::kOpeningRangeHigh:
      case LevelKind::kOpeningRangeLow:
      case LevelKind::kSessionHigh:
      case LevelKind::kSessionLow:
      case LevelKind::kPointOfControl:
      case LevelKind::kValueAreaHigh:
      case LevelKind::kValueAreaLow:
        return true;
      default:
        break;
    }
  }
  return false;
}

double Quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty())
    return std::numeric_limits<double>::quiet_NaN();
  const double pos = q * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<std::size_t>(pos);
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (pos - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

double ShareAtLeast(const std::vector<double>& sorted, double x) {
  if (sorted.empty())
    return -1.0;
  const auto it = std::lower_bound(sorted.begin(), sorted.end(), x);
  return static_cast<double>(sorted.end() - it) / static_cast<double>(sorted.size());
}

std::string PlanId(const SymbolContext& ctx, const Signal& s, Style style) {
  std::string id;
  for (char ch : ctx.symbol) {
    id += std::isalnum(static_cast<unsigned char>(ch)) ? static_cast<char>(std::tolower(static_cast<unsigned char>(ch)))
                                                       : '-';
  }
  const std::int64_t secs = ctx.data_as_of.seconds();
  const CivilDate d = CivilFromDays(secs / 86400);
  const std::int64_t tod = secs % 86400;
  char stamp[32];
  std::snprintf(stamp, sizeof(stamp), "%04d%02d%02dT%02d%02d", d.year, d.month, d.day, static_cast<int>(tod / 3600),
                static_cast<int>(tod % 3600 / 60));
  id += "-";
  id += StyleName(style);
  id += "-";
  id += Spec(s.strategy).key;
  id += "-";
  id += DirectionName(s.direction);
  id += "-";
  id += stamp;
  return id;
}

std::string DateText(CivilDate d) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02d", d.year, d.month, d.day);
  return buf;
}

}  // namespace

std::string_view LadderRuleName(LadderRule rule) {
  switch (rule) {
    case LadderRule::kExpectedMove:
      return "expected_move";
    case LadderRule::kMfe:
      return "mfe_quantile";
    case LadderRule::kMinDistance:
      return "min_distance";
    case LadderRule::kMinRr:
      return "min_rr";
    case LadderRule::kSpacing:
      return "spacing";
    case LadderRule::kEmCap:
      return "em_cap";
  }
  return "expected_move";
}

std::vector<double> MfeSamples(const BarSeries& bars, std::span<const std::int64_t> session_key, std::size_t horizon,
                               Direction direction) {
  std::vector<double> out;
  const std::size_t n = bars.size();
  if (horizon == 0 || n <= horizon)
    return out;
  out.reserve(n - horizon);
  const bool long_side = direction == Direction::kLong;
  const std::vector<double>& extreme = long_side ? bars.high : bars.low;
  const auto better = [&](double a, double b) { return long_side ? a >= b : a <= b; };
  // Sliding extreme of bars k+1..k+horizon, walking k downward with a monotonic deque held in a vector.
  std::vector<std::size_t> dq(n);
  std::size_t head = 0, tail = 0;  // dq[head, tail): each index enters once, so n slots suffice
  for (std::size_t k = n - 1; k-- > 0;) {
    const std::size_t add = k + 1;
    while (tail > head && better(extreme[add], extreme[dq[tail - 1]]))
      --tail;
    dq[tail++] = add;
    while (dq[head] > k + horizon)
      ++head;
    if (k + horizon >= n)
      continue;
    if (!session_key.empty() && session_key[k + horizon] != session_key[k])
      continue;
    const double best = extreme[dq[head]];
    const double c = bars.close[k];
    if (c > 0.0)
      out.push_back(std::max(0.0, long_side ? (best - c) / c : (c - best) / c));
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<Plan> BuildPlan(const SymbolContext& ctx, const Signal& signal, const PlanOptions& options) {
  const StrategySpec& spec = Spec(signal.strategy);
  const Style style = options.style.value_or(spec.style);
  const StyleRules& rules = kRules[static_cast<int>(style)];
  const Direction dir = signal.direction;
  const double g = Sign(dir);
  const RoundingMode away = dir == Direction::kLong ? RoundingMode::kUp : RoundingMode::kDown;
  const RoundingMode toward_stop = dir == Direction::kLong ? RoundingMode::kDown : RoundingMode::kUp;
  const double atr = ctx.StyleAtr(style);
  if (!Finite(atr) || atr <= 0.0) {
    return Error::Unprocessable("ATR unknown for style " + std::string(StyleName(style)), "bars");
  }
  if (!Finite(signal.entry) || signal.entry <= 0.0) {
    return Error::InvalidArgument("entry must be a positive price", "entry");
  }
  const double tick = ctx.instrument.tick_size.AsDouble();
  const auto to_price = [&](double x, RoundingMode mode) {
    return ctx.instrument.RoundToTick(Price::FromDouble(x, kFixedPrecision).value(), mode);
  };

  Plan plan;
  plan.symbol = ctx.symbol;
  plan.strategy = signal.strategy;
  plan.style = style;
  plan.direction = dir;
  plan.trigger = signal.trigger;
  plan.min_rr = spec.min_rr;
  plan.tick_size = ctx.instrument.tick_size;
  plan.precision = ctx.instrument.price_precision;
  plan.as_of = ctx.as_of;
  plan.data_as_of = ctx.data_as_of;
  plan.session_phase = std::string(DayPhaseName(ctx.phase));
  plan.htf_bias = std::string(ctx.htf.label);
  plan.key_levels = ctx.key_levels;
  plan.plan_id = PlanId(ctx, signal, style);

  plan.entry = to_price(signal.entry, RoundingMode::kNearest);
  const double entry = plan.entry.AsDouble();

  // Stop: the defended structure beyond a wick buffer, but never closer than the style's ATR floor.
  const double buffer = std::max(0.15 * atr, tick);
  const double floor_dist = rules.stop_floor_atr * atr;
  double stop_raw = signal.structure_stop - g * buffer;
  plan.stop_basis = signal.stop_basis + " " + Fmt(signal.structure_stop) + " beyond a wick buffer of " + Fmt(buffer);
  if (!Finite(signal.structure_stop) || g * (entry - signal.structure_stop) <= 0.0) {
    plan.warnings.push_back("Geometry: structure stop " + Fmt(signal.structure_stop) +
                            " is not on the stop side of entry; ATR floor used");
    stop_raw = entry - g * floor_dist;
    plan.stop_basis = "ATR floor " + Fmt(rules.stop_floor_atr) + " x ATR";
  } else if (g * (entry - stop_raw) < floor_dist) {
    stop_raw = entry - g * floor_dist;
    plan.stop_basis += " (widened to the ATR floor " + Fmt(rules.stop_floor_atr) + " x ATR)";
  }
  plan.stop = to_price(stop_raw, toward_stop);
  if (plan.stop == plan.entry) {
    plan.stop = to_price(entry - g * tick, toward_stop);
  }
  const double risk = std::fabs(entry - plan.stop.AsDouble());
  plan.risk = risk;
  if (risk > 3.0 * floor_dist) {
    plan.warnings.push_back("Geometry: stop is " + Fmt(risk / atr) + " ATR away (wide); size down");
  }

  // Expected move over the style's horizon.
  LadderInfo& L = plan.ladder;
  L.atr = atr;
  const double session_minutes = static_cast<double>(ctx.current().close_ns - ctx.current().open_ns) / 6.0e10;
  const double bar_minutes = static_cast<double>(ctx.bars.spec.IntradayLength().count()) / 6.0e10;
  const double horizon_days = rules.horizon_minutes > 0
                                  ? std::min(1.0, rules.horizon_minutes / std::max(1.0, session_minutes))
                                  : rules.horizon_days;
  if (ctx.options.atm_iv && *ctx.options.atm_iv > 0.0) {
    L.expected_move = entry * *ctx.options.atm_iv * std::sqrt(horizon_days / 252.0);
    L.em_basis = "atm_iv";
  } else if (rules.horizon_minutes > 0) {
    // The style's ATR (5m for scalp, 15m for intraday) scaled by √(horizon / its bar length); 1-minute ATRs
    // scale badly (their noise mean-reverts), so they are used only when nothing coarser is known.
    const double tf_atr = style == Style::kScalp ? ctx.atr_5m : ctx.atr_15m;
    const double tf_minutes = Finite(tf_atr) ? (style == Style::kScalp ? 5.0 : 15.0) : bar_minutes;
    const double base = Finite(tf_atr) ? tf_atr : (Finite(ctx.atr.back()) ? ctx.atr.back() : atr);
    const double horizon = std::min<double>(rules.horizon_minutes, session_minutes);
    L.expected_move = base * std::sqrt(std::max(1.0, horizon / tf_minutes));
    L.em_basis = "atr_sqrt_time";
  } else {
    const double daily = Finite(ctx.atr_daily) ? ctx.atr_daily : atr;
    L.expected_move = daily * std::sqrt(horizon_days);
    L.em_basis = "atr_sqrt_time";
  }
  const double em = L.expected_move;
  L.em_limit = rules.em_capped ? em : 0.0;
  L.min_distance = std::max({rules.min_distance_atr * atr, rules.min_distance_pct * entry, 2.0 * tick});
  L.min_spacing = std::max({rules.spacing_atr * atr, rules.spacing_pct * entry, 0.5 * L.min_distance, 2.0 * tick});

  // MFE statistics from history before as_of only (the context holds nothing later).
  std::vector<double> mfe;
  if (rules.horizon_minutes > 0) {
    const auto h = static_cast<std::size_t>(std::max(1.0, std::round(rules.horizon_minutes / bar_minutes)));
    mfe = MfeSamples(ctx.bars, ctx.session_key, h, dir);
  } else {
    mfe = MfeSamples(ctx.daily, {}, rules.mfe_horizon_daily, dir);
  }
  L.mfe_samples = mfe.size();
  const bool use_mfe = mfe.size() >= 30;

  // Preferred structural targets map to the key level that absorbed them.
  std::vector<double> preferred;
  const double pref_tol = std::max(0.2 * ctx.StyleAtr(Style::kScalp), 2.0 * tick);
  for (double p : signal.preferred_targets) {
    if (auto lv = ctx.key_levels.Nearest(ctx.RoundToTick(p), Finite(pref_tol) ? pref_tol : 2.0 * tick)) {
      preferred.push_back(lv->price);
    }
  }

  const double tp1_floor = std::max(L.min_distance, spec.min_rr * risk);
  if (rules.em_capped && tp1_floor > em) {
    plan.warnings.push_back("TP1 at the R:R floor (" + Fmt(tp1_floor) + ") lies beyond the expected move (" + Fmt(em) +
                            "); consider a watch plan");
  }
  double prev_dist = 0.0;
  const std::size_t count = options.include_tp3 ? 3 : 2;
  for (std::size_t i = 0; i < count; ++i) {
    Target t;
    t.optional = i == 2;
    t.em_fraction = rules.em_fraction[i];
    double dist = rules.em_fraction[i] * em;
    t.rule = LadderRule::kExpectedMove;
    std::string rule_text = Fmt(rules.em_fraction[i]) + " x EM " + Fmt(em) + " (" + L.em_basis + ")";
    if (use_mfe) {
      const double mfe_dist = Quantile(mfe, rules.mfe_quantile[i]) * entry;
      if (mfe_dist < dist) {
        dist = mfe_dist;
        t.rule = LadderRule::kMfe;
        rule_text = "MFE q" + Fmt(rules.mfe_quantile[i] * 100, 0) + " of " + std::to_string(mfe.size()) + " samples";
      }
    }
    if (dist < L.min_distance) {
      dist = L.min_distance;
      t.rule = LadderRule::kMinDistance;
      rule_text = "minimum distance " + Fmt(L.min_distance);
    }
    if (i == 0 && dist < spec.min_rr * risk) {
      dist = spec.min_rr * risk;
      t.rule = LadderRule::kMinRr;
      rule_text = "minimum R:R " + Fmt(spec.min_rr) + " x risk";
    }
    if (i > 0 && dist < prev_dist + L.min_spacing) {
      dist = prev_dist + L.min_spacing;
      t.rule = LadderRule::kSpacing;
      rule_text = "spacing " + Fmt(L.min_spacing) + " beyond TP" + std::to_string(i);
    }
    if (rules.em_capped && dist > em) {
      const double floor = i == 0 ? tp1_floor : prev_dist + L.min_spacing;
      if (floor <= em) {
        dist = em;
        t.rule = LadderRule::kEmCap;
        rule_text = "capped at the expected move " + Fmt(em);
      } else if (i == 2) {
        break;  // no room for the optional TP3 inside the expected move
      } else if (i == 1) {
        plan.warnings.push_back("TP2 lies beyond the expected move; spacing kept");
      }
    }
    t.seed = entry + g * dist;

    // Snap outward: a level at or beyond the seed, within the distance cap (and the EM cap, a little wider for
    // strong levels), never closer than the seed, so R:R and spacing can only grow.
    const double cap = std::max(1.8 * dist, 1.75 * atr);
    const levels::KeyLevel* best = nullptr;
    double best_utility = -std::numeric_limits<double>::infinity();
    for (const levels::KeyLevel& lv : ctx.key_levels.levels()) {
      const double beyond_seed = g * (lv.price - t.seed);
      const double from_entry = g * (lv.price - entry);
      if (beyond_seed < 0.0 || from_entry > cap)
        continue;
      if (rules.em_capped && from_entry > std::max(dist, em * (StrongKind(lv) ? 1.10 : 1.0)))
        continue;
      const bool pref = std::find(preferred.begin(), preferred.end(), lv.price) != preferred.end();
      const double utility = lv.score - 0.15 * beyond_seed / atr + (pref ? 0.5 : 0.0);
      if (utility > best_utility) {
        best_utility = utility;
        best = &lv;
      }
    }
    if (best != nullptr) {
      t.price = to_price(best->price, RoundingMode::kNearest);
      t.snapped = true;
      t.level_label = best->label;
      t.level_score = best->score;
      t.reason = "TP" + std::to_string(i + 1) + ": snapped to " + best->label + " " + t.price.ToString() + " (score " +
                 Fmt(best->score) + "), " + Fmt(g * (best->price - t.seed) / atr) + " ATR beyond the ladder seed " +
                 Fmt(t.seed) + " [" + rule_text + "]";
    } else {
      t.price = to_price(t.seed, away);
      t.reason = "TP" + std::to_string(i + 1) + ": ladder " + rule_text + " at " + t.price.ToString() +
                 " (no key level within reach)";
    }
    t.distance = std::fabs(t.price.AsDouble() - entry);
    t.rr = t.distance / risk;
    t.prob_touch = use_mfe ? ShareAtLeast(mfe, t.distance / entry) : -1.0;
    prev_dist = t.distance;
    plan.targets.push_back(std::move(t));
  }

  // Geometry checks: ordered targets beyond entry, R:R at the strategy minimum.
  for (std::size_t i = 0; i < plan.targets.size(); ++i) {
    const Target& t = plan.targets[i];
    if (g * (t.price.AsDouble() - entry) <= 0.0) {
      plan.warnings.push_back("Geometry: TP" + std::to_string(i + 1) + " is not beyond entry");
    }
    if (i > 0 && g * (t.price - plan.targets[i - 1].price).AsDouble() <= 0.0) {
      plan.warnings.push_back("Geometry: targets out of order at TP" + std::to_string(i + 1));
    }
    if (t.rr < spec.min_rr - 1e-9) {
      plan.warnings.push_back("TP" + std::to_string(i + 1) + " R:R " + Fmt(t.rr) + " < minimum " + Fmt(spec.min_rr) +
                              "; consider a watch plan");
    }
    plan.tp_reasons.push_back(t.reason);
  }
  plan.rr_t1 = plan.targets.empty() ? 0.0 : plan.targets[0].rr;
  plan.rr_t2 = plan.targets.size() > 1 ? plan.targets[1].rr : plan.rr_t1;

  // Confidence: 0.25 + 0.6 × share of conditions met, then context adjustments; clamped to [0, 0.98].
  std::size_t available = 0;
  for (const Condition& c : signal.conditions)
    available += c.available ? 1 : 0;
  double conf = 0.25;
  plan.confidence_factors.push_back({"base", 0.25, "every signal starts at 0.25"});
  for (const Condition& c : signal.conditions) {
    if (!c.available) {
      plan.confidence_factors.push_back({std::string(c.name), 0.0, "not available"});
      continue;
    }
    const double add = c.met ? 0.6 / static_cast<double>(available) : 0.0;
    conf += add;
    plan.confidence_factors.push_back({std::string(c.name), add, c.met ? "met" : "not met"});
  }
  const double htf = ctx.htf.bias * g;
  if (htf >= 0.2) {
    conf += 0.05;
    plan.confidence_factors.push_back({"htf_alignment", 0.05, "higher timeframes " + std::string(ctx.htf.label)});
  } else if (htf <= -0.2) {
    conf -= 0.08;
    plan.confidence_factors.push_back({"htf_alignment", -0.08, "against the higher timeframes"});
  }
  if (ctx.vol_index && ctx.vol_index->last > 30.0) {
    conf -= 0.05;
    plan.confidence_factors.push_back({"vol_regime", -0.05, "volatility index above 30"});
  }
  if (ctx.stale) {
    conf -= 0.05;
    plan.confidence_factors.push_back({"data_quality", -0.05, "last bar is stale"});
  }
  if (!plan.warnings.empty()) {
    const double pen = -0.03 * static_cast<double>(std::min<std::size_t>(plan.warnings.size(), 3));
    conf += pen;
    plan.confidence_factors.push_back({"geometry_warnings", pen, std::to_string(plan.warnings.size()) + " warning(s)"});
  }
  plan.confidence = std::round(std::clamp(conf, 0.0, 0.98) * 1000.0) / 1000.0;

  plan.runner =
      RunnerPolicy{"chandelier",      rules.runner_tf,   rules.runner_len,
                   rules.runner_mult, rules.runner_note, plan.targets.empty() ? plan.entry : plan.targets.back().price,
                   plan.stop};

  // Confluence: levels at the entry, snapped targets, trend and VWAP context.
  for (const auto& lv : ctx.key_levels.levels()) {
    if (std::fabs(lv.price - entry) <= 0.25 * atr && plan.confluence_tags.size() < 3) {
      plan.confluence_tags.push_back("entry near " + lv.label);
    }
  }
  for (std::size_t i = 0; i < plan.targets.size(); ++i) {
    if (plan.targets[i].snapped) {
      plan.confluence_tags.push_back("TP" + std::to_string(i + 1) + " at " + plan.targets[i].level_label);
    }
  }
  const std::size_t last = ctx.last();
  const int stack = ctx.ema9[last] > ctx.ema20[last] && ctx.ema20[last] > ctx.ema50[last]   ? 1
                    : ctx.ema9[last] < ctx.ema20[last] && ctx.ema20[last] < ctx.ema50[last] ? -1
                                                                                            : 0;
  if (stack * static_cast<int>(g) > 0)
    plan.confluence_tags.push_back("EMA 9/20/50 stack aligned");
  plan.confluence_tags.push_back("HTF " + std::string(ctx.htf.label));
  if (Finite(ctx.vwap[last]))
    plan.confluence_tags.push_back(ctx.price() >= ctx.vwap[last] ? "above VWAP" : "below VWAP");

  plan.planning_context = ctx.live ? "live" : "frozen";
  plan.notes.push_back(signal.trigger);
  plan.notes.push_back("Stop: " + plan.stop_basis);
  if (!ctx.live) {
    if (ctx.stale) {
      plan.notes.push_back("Data stale: plan as of the last bar, not live");
    } else if (ctx.session_complete) {
      plan.notes.push_back("Market closed: plan as of the " + DateText(ctx.trading_date) + " close");
    } else {
      plan.notes.push_back("Market not open: plan as of the last completed bar");
    }
  }
  return plan;
}

}  // namespace td::scanner
