// SPDX-License-Identifier: MIT
#include "options/contracts.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "options/implied_vol.hpp"

namespace td::options {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kDaysPerYear = 365.0;

// Everything the gates and the score need, computed once per contract.
struct Evaluated {
  bool usable = false;  // right matches and price, expiry and underlying are valid
  bool has_iv = false;
  GateKind data_gate = GateKind::kNoPrice;  // when !usable or !has_iv: which of the fixed gates failed
  double measured = kNaN;                   // the value that failed the fixed gate
  double t_years = 0.0;
  double price = kNaN;
  double spread_pct = kNaN;  // +inf without a two-sided quote
  double iv = kNaN;
  bool iv_solved = false;
  Greeks greeks;
  double abs_delta = kNaN;
};

double TimeOf(const ContractQuote& c) {
  return c.t_years > 0.0 ? c.t_years : c.dte_days / kDaysPerYear;
}

BsmMarket MarketOf(const ContractQuote& c, double t_years) {
  return BsmMarket{c.underlying, c.strike, t_years, c.rate, c.dividend_yield};
}

Evaluated Evaluate(const ContractQuote& c, OptionType right) {
  Evaluated e;
  if (c.right != right) {
    e.data_gate = GateKind::kWrongRight;
    return e;
  }
  e.t_years = TimeOf(c);
  const bool two_sided = c.bid > 0.0 && c.ask >= c.bid && std::isfinite(c.ask);
  e.price = two_sided ? 0.5 * (c.bid + c.ask) : (c.last > 0.0 && std::isfinite(c.last) ? c.last : kNaN);
  e.spread_pct = two_sided ? (c.ask - c.bid) / e.price * 100.0 : kInf;
  const bool valid_inputs = c.strike > 0.0 && std::isfinite(c.strike) && c.underlying > 0.0 &&
                            std::isfinite(c.underlying) && e.t_years > 0.0 && std::isfinite(e.t_years) &&
                            std::isfinite(c.rate) && std::isfinite(c.dividend_yield) && c.multiplier > 0.0 &&
                            std::isfinite(c.dte_days);
  if (!valid_inputs || !std::isfinite(e.price)) {
    e.data_gate = GateKind::kNoPrice;
    e.measured = e.price;
    return e;
  }
  e.usable = true;
  const BsmMarket market = MarketOf(c, e.t_years);
  if (c.iv > 0.0 && std::isfinite(c.iv)) {
    e.iv = c.iv;
  } else {
    const auto solved = ImpliedVolBsm(c.right, market, e.price);
    if (!solved.ok() || !(*solved > 0.0)) {
      e.data_gate = GateKind::kNoVolatility;
      e.measured = e.price;
      return e;
    }
    e.iv = *solved;
    e.iv_solved = true;
  }
  e.has_iv = true;
  e.greeks = BsmGreeks(c.right, market, e.iv);
  e.abs_delta = std::fabs(e.greeks.delta);
  return e;
}

// The first failing gate of a usable contract, or nothing when it passes.
std::optional<ContractRejection> CheckGates(std::size_t index, const ContractQuote& c, const Evaluated& e,
                                            const ContractGates& g) {
  if (!e.usable || !e.has_iv) {
    return ContractRejection{index, e.data_gate, e.measured, kNaN};
  }
  if (c.dte_days < g.min_dte) {
    return ContractRejection{index, GateKind::kDte, c.dte_days, g.min_dte};
  }
  if (c.dte_days > g.max_dte) {
    return ContractRejection{index, GateKind::kDte, c.dte_days, g.max_dte};
  }
  if (e.spread_pct > g.max_spread_pct) {
    return ContractRejection{index, GateKind::kSpread, e.spread_pct, g.max_spread_pct};
  }
  if (e.abs_delta < g.min_abs_delta) {
    return ContractRejection{index, GateKind::kDelta, e.abs_delta, g.min_abs_delta};
  }
  if (e.abs_delta > g.max_abs_delta) {
    return ContractRejection{index, GateKind::kDelta, e.abs_delta, g.max_abs_delta};
  }
  if (c.open_interest < g.min_open_interest) {
    return ContractRejection{index, GateKind::kOpenInterest, c.open_interest, g.min_open_interest};
  }
  if (c.volume < g.min_volume) {
    return ContractRejection{index, GateKind::kVolume, c.volume, g.min_volume};
  }
  return std::nullopt;
}

std::size_t CountPassing(std::span<const ContractQuote> contracts, std::span<const Evaluated> evaluated,
                         const ContractGates& gates) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < contracts.size(); ++i) {
    n += CheckGates(i, contracts[i], evaluated[i], gates).has_value() ? 0 : 1;
  }
  return n;
}

// Applies one rung to `gates`; false when it would change nothing (the rung is then skipped).
bool ApplyRung(Relaxation step, const RelaxationPolicy& policy, ContractGates& gates) {
  const ContractGates before = gates;
  switch (step) {
    case Relaxation::kSpreadWidened:
      gates.max_spread_pct *= policy.spread_factor;
      break;
    case Relaxation::kDeltaWidened:
      gates.min_abs_delta = std::max(0.0, gates.min_abs_delta - policy.delta_step);
      gates.max_abs_delta = std::min(1.0, gates.max_abs_delta + policy.delta_step);
      break;
    case Relaxation::kDteWidened: {
      const double step_days = std::max(policy.dte_step_days, policy.dte_step_fraction * gates.max_dte);
      gates.min_dte = std::max(0.0, gates.min_dte - step_days);
      gates.max_dte += step_days;
      break;
    }
    case Relaxation::kFloorsHalved:
      gates.min_open_interest *= 0.5;
      gates.min_volume *= 0.5;
      break;
    case Relaxation::kFloorsRemoved:
      gates.min_open_interest = 0.0;
      gates.min_volume = 0.0;
      break;
  }
  return gates.max_spread_pct != before.max_spread_pct || gates.min_abs_delta != before.min_abs_delta ||
         gates.max_abs_delta != before.max_abs_delta || gates.min_dte != before.min_dte ||
         gates.max_dte != before.max_dte || gates.min_open_interest != before.min_open_interest ||
         gates.min_volume != before.min_volume;
}

Error InvalidIntent(const std::string& message, const char* field) {
  return Error::InvalidArgument(message, field);
}

Status ValidateIntent(const TradeIntent& intent, const ContractGates& gates) {
  auto positive = [](double v) { return v > 0.0 && std::isfinite(v); };
  if (!positive(intent.entry)) {
    return InvalidIntent("entry must be positive and finite", "entry");
  }
  if (!positive(intent.stop)) {
    return InvalidIntent("stop must be positive and finite", "stop");
  }
  const bool bullish = intent.bias == Bias::kBullish;
  if (bullish ? intent.stop >= intent.entry : intent.stop <= intent.entry) {
    return InvalidIntent(
        bullish ? "a bullish plan needs its stop below the entry" : "a bearish plan needs its stop above the entry",
        "stop");
  }
  for (double target : intent.targets) {
    if (!positive(target) || (bullish ? target <= intent.entry : target >= intent.entry)) {
      return InvalidIntent(bullish ? "a bullish plan needs its targets above the entry"
                                   : "a bearish plan needs its targets below the entry",
                           "targets");
    }
  }
  if (!(intent.horizon_days >= 0.0) || !std::isfinite(intent.horizon_days)) {
    return InvalidIntent("horizon must be non-negative and finite", "horizon_days");
  }
  if (!std::isfinite(intent.vol_shift)) {
    return InvalidIntent("vol shift must be finite", "vol_shift");
  }
  if (intent.risk_amount.has_value() && !positive(*intent.risk_amount)) {
    return InvalidIntent("risk amount must be positive and finite", "risk_amount");
  }
  if (!(gates.min_abs_delta <= gates.max_abs_delta) || !(gates.min_dte <= gates.max_dte) ||
      !(gates.max_spread_pct > 0.0) || !(gates.min_open_interest >= 0.0) || !(gates.min_volume >= 0.0)) {
    return InvalidIntent("gate windows must be ordered and limits non-negative", "gates");
  }
  return {};
}

// Median IV per expiry (by dte_days), over every usable contract of the chain with an IV, both rights.
std::vector<double> ExpiryMedians(std::span<const ContractQuote> contracts, std::span<const Evaluated> evaluated,
                                  std::span<const double> all_ivs) {
  std::vector<std::pair<double, double>> by_expiry;  // (dte, iv)
  by_expiry.reserve(contracts.size());
  for (std::size_t i = 0; i < contracts.size(); ++i) {
    if (std::isfinite(all_ivs[i])) {
      by_expiry.emplace_back(contracts[i].dte_days, all_ivs[i]);
    }
  }
  std::sort(by_expiry.begin(), by_expiry.end());
  std::vector<double> medians(contracts.size(), kNaN);
  for (std::size_t i = 0; i < contracts.size(); ++i) {
    if (!evaluated[i].has_iv) {
      continue;
    }
    const double dte = contracts[i].dte_days;
    const auto lo = std::lower_bound(by_expiry.begin(), by_expiry.end(), std::make_pair(dte, -kInf));
    const auto hi = std::upper_bound(by_expiry.begin(), by_expiry.end(), std::make_pair(dte, kInf));
    const auto n = static_cast<std::size_t>(hi - lo);
    if (n == 0) {
      continue;
    }
    // The slice is sorted by IV within one expiry.
    medians[i] = n % 2 == 1 ? (lo + n / 2)->second : 0.5 * ((lo + n / 2 - 1)->second + (lo + n / 2)->second);
  }
  return medians;
}

double Clamp01(double v) {
  return std::clamp(v, 0.0, 1.0);
}

}  // namespace

OptionType RightFor(PremiumSide side, Bias bias) {
  const bool call = (side == PremiumSide::kLong) == (bias == Bias::kBullish);
  return call ? OptionType::kCall : OptionType::kPut;
}

std::string_view GateName(GateKind gate) {
  switch (gate) {
    case GateKind::kWrongRight:
      return "wrong_right";
    case GateKind::kNoPrice:
      return "no_price";
    case GateKind::kNoVolatility:
      return "no_volatility";
    case GateKind::kDte:
      return "dte";
    case GateKind::kSpread:
      return "spread";
    case GateKind::kDelta:
      return "delta";
    case GateKind::kOpenInterest:
      return "open_interest";
    case GateKind::kVolume:
      return "volume";
  }
  return "unknown";
}

std::string_view RelaxationName(Relaxation step) {
  switch (step) {
    case Relaxation::kSpreadWidened:
      return "spread_widened";
    case Relaxation::kDeltaWidened:
      return "delta_widened";
    case Relaxation::kDteWidened:
      return "dte_widened";
    case Relaxation::kFloorsHalved:
      return "floors_halved";
    case Relaxation::kFloorsRemoved:
      return "floors_removed";
  }
  return "unknown";
}

ScoreBreakdown TradeabilityScore(double spread_pct, double open_interest, double volume, double abs_delta,
                                 double target_abs_delta, double dte, double target_dte, double iv, double iv_median,
                                 PremiumSide side, const ScoreWeights& w) {
  ScoreBreakdown b;
  // Without a two-sided quote the spread is unknown: scored as infinitely wide.
  b.spread = std::isfinite(spread_pct) ? 1.0 / (1.0 + std::max(0.0, spread_pct) / w.spread_half_pct) : 0.0;
  b.open_interest = Clamp01(std::log10(1.0 + std::max(0.0, open_interest)) / std::log10(1.0 + w.oi_full));
  b.volume = Clamp01(std::log10(1.0 + std::max(0.0, volume)) / std::log10(1.0 + w.volume_full));
  b.delta = std::isfinite(abs_delta) ? Clamp01(1.0 - std::fabs(abs_delta - target_abs_delta) / w.delta_tolerance) : 0.0;
  const double d = std::max(0.0, dte) + 1.0;
  const double d_target = std::max(0.0, target_dte) + 1.0;
  b.dte = std::min(d, d_target) / std::max(d, d_target);
  if (std::isfinite(iv) && iv_median > 0.0) {
    // Buying premium prefers IV below the expiry's median, selling prefers it above.
    const double sign = side == PremiumSide::kLong ? 1.0 : -1.0;
    b.iv = Clamp01(0.5 - sign * (iv / iv_median - 1.0) / (2.0 * w.iv_tolerance));
  } else {
    b.iv = 0.5;
  }
  const double total = w.spread + w.open_interest + w.volume + w.delta + w.dte + w.iv;
  b.score = total > 0.0 ? (w.spread * b.spread + w.open_interest * b.open_interest + w.volume * b.volume +
                           w.delta * b.delta + w.dte * b.dte + w.iv * b.iv) /
                              total
                        : 0.0;
  return b;
}

ScenarioPnl PriceScenario(const ContractQuote& contract, double t_years, double iv, double entry_price,
                          const Greeks& greeks, PremiumSide side, double level, double horizon_days, double vol_shift) {
  ScenarioPnl out;
  out.underlying = level;
  const double elapsed = std::min(horizon_days / kDaysPerYear, t_years);
  const double remaining = t_years - elapsed;
  const double shifted_vol = std::max(0.0, iv + vol_shift);
  const BsmMarket moved{level, contract.strike, remaining, contract.rate, contract.dividend_yield};
  out.option_price = BsmPrice(contract.right, moved, shifted_vol);
  const double sign = side == PremiumSide::kLong ? 1.0 : -1.0;
  out.pnl_full = sign * (out.option_price - entry_price) * contract.multiplier;
  const double ds = level - contract.underlying;
  const double taylor =
      greeks.delta * ds + 0.5 * greeks.gamma * ds * ds + greeks.vega * (shifted_vol - iv) + greeks.theta * elapsed;
  out.pnl_taylor = sign * taylor * contract.multiplier;
  return out;
}

Result<ContractSelection> SelectContracts(std::span<const ContractQuote> contracts, const TradeIntent& intent,
                                          const ContractGates& gates, const SelectionOptions& options) {
  TD_TRY(ValidateIntent(intent, gates));
  ContractSelection out;
  out.right = RightFor(intent.side, intent.bias);

  std::vector<Evaluated> evaluated;
  evaluated.reserve(contracts.size());
  for (const ContractQuote& c : contracts) {
    evaluated.push_back(Evaluate(c, out.right));
  }

  // The IV feature compares with the whole expiry, both rights, so evaluate the other right's IVs as well.
  std::vector<double> all_ivs(contracts.size(), kNaN);
  for (std::size_t i = 0; i < contracts.size(); ++i) {
    const Evaluated& e = evaluated[i];
    if (e.has_iv) {
      all_ivs[i] = e.iv;
    } else if (e.data_gate == GateKind::kWrongRight) {
      const Evaluated other = Evaluate(contracts[i], contracts[i].right);
      all_ivs[i] = other.has_iv ? other.iv : kNaN;
    }
  }
  const std::vector<double> medians = ExpiryMedians(contracts, evaluated, all_ivs);

  // Base gates, then the ladder until enough contracts pass.
  ContractGates current = gates;
  std::size_t passing = CountPassing(contracts, evaluated, current);
  if (options.relaxation.enabled) {
    constexpr Relaxation kLadder[] = {Relaxation::kSpreadWidened, Relaxation::kDeltaWidened, Relaxation::kDteWidened,
                                      Relaxation::kFloorsHalved, Relaxation::kFloorsRemoved};
    for (Relaxation step : kLadder) {
      if (passing >= options.relaxation.min_candidates) {
        break;
      }
      if (!ApplyRung(step, options.relaxation, current)) {
        continue;
      }
      passing = CountPassing(contracts, evaluated, current);
      out.relaxations.push_back({step, current, passing});
    }
  }
  out.gates_used = current;

  const double target_delta = std::isfinite(intent.target_abs_delta)
                                  ? intent.target_abs_delta
                                  : 0.5 * (current.min_abs_delta + current.max_abs_delta);
  // Default DTE preference: twice the horizon (half the time value still left when the plan plays out),
  // clamped to the window.
  const double target_dte = std::isfinite(intent.target_dte)
                                ? intent.target_dte
                                : std::clamp(2.0 * intent.horizon_days, current.min_dte, current.max_dte);

  std::vector<RankedContract> ranked;
  for (std::size_t i = 0; i < contracts.size(); ++i) {
    const ContractQuote& c = contracts[i];
    const Evaluated& e = evaluated[i];
    if (auto rejection = CheckGates(i, c, e, current); rejection.has_value()) {
      out.rejected.push_back(*rejection);
      continue;
    }
    RankedContract r;
    r.index = i;
    r.price = e.price;
    r.spread_pct = std::isfinite(e.spread_pct) ? e.spread_pct : kNaN;
    r.iv = e.iv;
    r.iv_solved = e.iv_solved;
    r.greeks = e.greeks;
    r.score = TradeabilityScore(e.spread_pct, c.open_interest, c.volume, e.abs_delta, target_delta, c.dte_days,
                                target_dte, e.iv, medians[i], intent.side, options.weights);
    ranked.push_back(std::move(r));
  }
  std::sort(ranked.begin(), ranked.end(), [](const RankedContract& a, const RankedContract& b) {
    if (a.score.score != b.score.score) {
      return a.score.score > b.score.score;
    }
    const double sa = std::isfinite(a.spread_pct) ? a.spread_pct : kInf;
    const double sb = std::isfinite(b.spread_pct) ? b.spread_pct : kInf;
    if (sa != sb) {
      return sa < sb;
    }
    return a.index < b.index;
  });
  if (ranked.size() > options.max_alternatives + 1) {
    ranked.resize(options.max_alternatives + 1);
  }

  // Scenarios and sizing only for the contracts that are returned.
  for (RankedContract& r : ranked) {
    const ContractQuote& c = contracts[r.index];
    const double t = evaluated[r.index].t_years;
    auto scenario = [&](AnchorKind kind, int target_index, double level) {
      ScenarioPnl s =
          PriceScenario(c, t, r.iv, r.price, r.greeks, intent.side, level, intent.horizon_days, intent.vol_shift);
      s.anchor = kind;
      s.target_index = target_index;
      r.scenarios.push_back(s);
    };
    r.scenarios.reserve(2 + intent.targets.size());
    scenario(AnchorKind::kEntry, -1, intent.entry);
    scenario(AnchorKind::kStop, -1, intent.stop);
    for (std::size_t k = 0; k < intent.targets.size(); ++k) {
      scenario(AnchorKind::kTarget, static_cast<int>(k), intent.targets[k]);
    }
    Sizing& z = r.sizing;
    z.premium_per_contract = r.price * c.multiplier;
    z.loss_at_stop_per_contract = std::max(0.0, -r.scenarios[1].pnl_full);
    z.risk_amount = intent.risk_amount;
    if (intent.risk_amount.has_value() && z.loss_at_stop_per_contract > 0.0) {
      const long n = static_cast<long>(std::floor(*intent.risk_amount / z.loss_at_stop_per_contract));
      z.contracts = n;
      z.max_loss = static_cast<double>(n) * z.loss_at_stop_per_contract;
      if (r.scenarios.size() > 2) {
        double best_target = r.scenarios[2].pnl_full;
        for (std::size_t k = 3; k < r.scenarios.size(); ++k) {
          best_target = std::max(best_target, r.scenarios[k].pnl_full);
        }
        z.best_target_pnl = static_cast<double>(n) * best_target;
      }
    }
  }
  if (!ranked.empty()) {
    out.best = std::move(ranked.front());
    out.alternatives.assign(std::make_move_iterator(ranked.begin() + 1), std::make_move_iterator(ranked.end()));
  }
  return out;
}

}  // namespace td::options
