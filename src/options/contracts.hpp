// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "options/black.hpp"

namespace td::options {

/// One listed contract as the selector sees it. Prices in the underlying's currency per unit; `multiplier` is
/// the number of units per contract (100 for US equity options, the lot size for NSE). The model is BSM on
/// `underlying` with continuous yield `dividend_yield`; for options on a future or priced off an implied
/// forward, pass the forward as `underlying` and set `dividend_yield = rate` (that is Black-76).
struct ContractQuote {
  OptionType right = OptionType::kCall;
  double strike = 0.0;
  double dte_days = 0.0;  // calendar days to expiry; also the DTE the gates compare
  double t_years = 0.0;   // model time to expiry; 0 means dte_days / 365
  double bid = 0.0;       // missing sides are 0
  double ask = 0.0;
  double last = 0.0;
  double open_interest = 0.0;
  double volume = 0.0;
  double iv = 0.0;  // quoted IV (decimal); 0 or NaN means: solve it from the price
  double underlying = 0.0;
  double rate = 0.0;
  double dividend_yield = 0.0;
  double multiplier = 100.0;
};

/// Whether the trade buys premium (long options) or sells it.
enum class PremiumSide : std::uint8_t { kLong, kShort };

/// Directional view on the underlying.
enum class Bias : std::uint8_t { kBullish, kBearish };

/// The right that expresses a view: buying premium uses calls for a bullish view and puts for a bearish one;
/// selling premium uses the opposite right (sell puts when bullish, calls when bearish).
OptionType RightFor(PremiumSide side, Bias bias);

/// A trade plan on the underlying: the anchors are underlying prices. The horizon is the calendar time the
/// plan needs to play out; scenarios are evaluated at that horizon.
struct TradeIntent {
  PremiumSide side = PremiumSide::kLong;
  Bias bias = Bias::kBullish;
  double entry = 0.0;
  double stop = 0.0;
  std::vector<double> targets;  // in the order the plan states them
  double horizon_days = 1.0;
  double vol_shift = 0.0;  // IV change assumed at the horizon, decimal (+0.02 = +2 vol points)
  /// Money the plan may lose at the stop; informs sizing only and never filters a contract.
  std::optional<double> risk_amount;
  /// Preferred |delta| and DTE for scoring; NaN means the middle of the delta window and twice the horizon
  /// clamped to the DTE window.
  double target_abs_delta = std::numeric_limits<double>::quiet_NaN();
  double target_dte = std::numeric_limits<double>::quiet_NaN();
};

/// Liquidity and shape gates. A limit of +infinity (or 0 for the floors) disables that gate.
struct ContractGates {
  double max_spread_pct = 10.0;  // (ask - bid) / mid * 100
  double min_abs_delta = 0.30;
  double max_abs_delta = 0.60;
  double min_dte = 0.0;
  double max_dte = 45.0;
  double min_open_interest = 0.0;
  double min_volume = 0.0;
};

/// The gate a contract failed first, in evaluation order. kWrongRight, kNoPrice and kNoVolatility are
/// not relaxable; the rest are, by the ladder.
enum class GateKind : std::uint8_t {
  kWrongRight,    // the contract's right does not express the intent
  kNoPrice,       // neither a two-sided quote nor a last price; or bad strike/expiry/underlying
  kNoVolatility,  // no quoted IV and none solvable from the price
  kDte,
  kSpread,
  kDelta,
  kOpenInterest,
  kVolume,
};

/// Stable lower-case name of a gate ("spread", "delta", ...), for API payloads and logs.
std::string_view GateName(GateKind gate);

/// One rejected contract: the first failing gate, the measured value and the limit it broke.
struct ContractRejection {
  std::size_t index = 0;  // into the input span
  GateKind gate = GateKind::kNoPrice;
  double measured = 0.0;  // NaN when the input is missing
  double limit = 0.0;     // the bound that was violated (lower or upper); NaN for the non-relaxable gates
};

/// One rung of the relaxation ladder, in the order they are tried.
enum class Relaxation : std::uint8_t {
  kSpreadWidened,  // max spread % times policy.spread_factor
  kDeltaWidened,   // delta window widened by policy.delta_step each side, clamped to [0, 1]
  kDteWidened,     // DTE window widened by max(policy.dte_step_days, policy.dte_step_fraction * max_dte)
  kFloorsHalved,   // OI and volume floors halved
  kFloorsRemoved,  // OI and volume floors removed
};

/// Stable name of a relaxation ("spread_widened", ...).
std::string_view RelaxationName(Relaxation step);

/// Parameters of the ladder.
struct RelaxationPolicy {
  bool enabled = true;
  std::size_t min_candidates = 1;  // stop at the first rung that yields at least this many
  double spread_factor = 1.5;
  double delta_step = 0.05;
  double dte_step_days = 2.0;
  double dte_step_fraction = 0.25;
};

/// A rung that was applied, with the gates in force after it (cumulative).
struct RelaxationApplied {
  Relaxation step = Relaxation::kSpreadWidened;
  ContractGates gates;
  std::size_t passing = 0;  // contracts passing after this rung
};

/// Feature weights of the tradeability score; they are normalised by their sum.
struct ScoreWeights {
  double spread = 0.30;
  double open_interest = 0.20;
  double volume = 0.15;
  double delta = 0.20;
  double dte = 0.10;
  double iv = 0.05;
  double spread_half_pct = 5.0;   // spread % at which the spread feature is 0.5
  double oi_full = 10'000.0;      // OI at which the log-depth feature saturates at 1
  double volume_full = 5'000.0;   // volume at which it saturates
  double delta_tolerance = 0.25;  // | |delta| - target | at which the delta feature reaches 0
  double iv_tolerance = 0.25;     // relative IV premium to the median at which the IV feature is 0 or 1
};

/// Features in [0, 1] (1 = best) and the weighted score.
struct ScoreBreakdown {
  double spread = 0.0;         // 1 / (1 + spread% / spread_half_pct)
  double open_interest = 0.0;  // min(1, log10(1 + OI) / log10(1 + oi_full))
  double volume = 0.0;         // min(1, log10(1 + vol) / log10(1 + volume_full))
  double delta = 0.0;          // max(0, 1 - | |delta| - target | / delta_tolerance)
  double dte = 0.0;            // min(d + 1, target + 1) / max(d + 1, target + 1)
  double iv = 0.0;             // clamp(0.5 - sign * (iv / median - 1) / (2 iv_tolerance)); sign +1 long, -1 short
  double score = 0.0;          // weighted mean of the features
};

/// Which anchor of the plan a scenario prices.
enum class AnchorKind : std::uint8_t { kEntry, kStop, kTarget };

/// The option repriced with the underlying at one anchor at the horizon.
struct ScenarioPnl {
  AnchorKind anchor = AnchorKind::kEntry;
  int target_index = -1;  // for kTarget: position in intent.targets
  double underlying = 0.0;
  double option_price = 0.0;  // full BSM repricing: level, T - horizon, IV + vol_shift
  double pnl_full = 0.0;      // per contract, signed for the premium side (long gains when the price rises)
  double pnl_taylor = 0.0;    // delta-gamma-vega-theta estimate of the same, per contract
};

/// Position size from the risk amount.
struct Sizing {
  double premium_per_contract = 0.0;       // entry price * multiplier
  double loss_at_stop_per_contract = 0.0;  // -pnl_full at the stop (0 when the stop does not lose)
  std::optional<double> risk_amount;
  /// floor(risk_amount / loss_at_stop_per_contract); 0 when one contract already risks more than the amount,
  /// absent when there is no risk amount or the stop does not lose.
  std::optional<long> contracts;
  double max_loss = 0.0;         // contracts * loss at stop
  double best_target_pnl = 0.0;  // contracts * the best target P/L (full repricing)
};

/// A contract that passed the gates, with its analytics.
struct RankedContract {
  std::size_t index = 0;    // into the input span
  double price = 0.0;       // mid when two-sided, else last
  double spread_pct = 0.0;  // NaN without a two-sided quote
  double iv = 0.0;
  bool iv_solved = false;  // true when solved from `price`, false when quoted
  Greeks greeks;           // BSM at `iv`, raw units (see README)
  ScoreBreakdown score;
  std::vector<ScenarioPnl> scenarios;  // entry, stop, then each target
  Sizing sizing;
};

/// Output of SelectContracts.
struct ContractSelection {
  std::optional<RankedContract> best;
  std::vector<RankedContract> alternatives;    // ranked, best first, at most options.max_alternatives
  std::vector<ContractRejection> rejected;     // against the final gates, in input order
  std::vector<RelaxationApplied> relaxations;  // rungs applied, in order (empty when the base gates sufficed)
  ContractGates gates_used;
  OptionType right = OptionType::kCall;
};

/// Selector settings beyond the gates.
struct SelectionOptions {
  RelaxationPolicy relaxation;
  ScoreWeights weights;
  std::size_t max_alternatives = 7;
};

/// Picks contracts for a trade intent: evaluates every contract once (price, spread, IV, BSM greeks), applies
/// the gates in order right, data, DTE, spread, delta, OI, volume (first failure recorded), relaxes the gates
/// rung by rung when fewer than min_candidates pass, scores and ranks the passing contracts (score desc,
/// then tighter spread, then strike), and for the ranked ones prices the plan scenarios and the sizing.
/// Errors (kInvalidArgument): anchors not positive/finite, stop or targets on the wrong side of the entry for
/// the bias, negative horizon, inverted gate windows, a risk amount that is not positive.
Result<ContractSelection> SelectContracts(std::span<const ContractQuote> contracts, const TradeIntent& intent,
                                          const ContractGates& gates, const SelectionOptions& options = {});

/// The tradeability score of one contract's measured features (exposed for tests and explanations).
/// `iv_median` is the median IV of the contract's expiry (NaN: the IV feature is 0.5).
ScoreBreakdown TradeabilityScore(double spread_pct, double open_interest, double volume, double abs_delta,
                                 double target_abs_delta, double dte, double target_dte, double iv, double iv_median,
                                 PremiumSide side, const ScoreWeights& weights);

/// Scenario P/L of one contract: full repricing and the Taylor estimate at `level`, `horizon_days` later, IV
/// shifted by `vol_shift`; per contract and signed for `side`. `entry_price` is the option's current price
/// and `greeks` its BSM greeks at `iv`.
ScenarioPnl PriceScenario(const ContractQuote& contract, double t_years, double iv, double entry_price,
                          const Greeks& greeks, PremiumSide side, double level, double horizon_days, double vol_shift);

}  // namespace td::options
