// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "calendar/exchange.hpp"
#include "core/fixed_point.hpp"
#include "core/ids.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "model/instrument.hpp"
#include "model/option_chain.hpp"
#include "options/contracts.hpp"
#include "plans/plan_store.hpp"
#include "scanner/types.hpp"
#include "system/market_service.hpp"

namespace td::system {

/// A trade plan's anchors on the underlying, as the contract selector needs them.
struct ContractsPlan {
  std::string symbol;  // as given ("SPY", "US:SPY", "NSE_INDEX:NIFTY")
  options::Bias bias = options::Bias::kBullish;
  double entry = 0.0;
  double stop = 0.0;
  std::vector<double> targets;  // in the plan's order
};

/// Overrides of the style's gates; unset means the style's default (see StyleContractGates).
struct ContractFilterOverrides {
  std::optional<double> min_dte;
  std::optional<double> max_dte;
  std::optional<double> min_abs_delta;
  std::optional<double> max_abs_delta;
  std::optional<double> max_spread_pct;  // +infinity disables the spread gate (end-of-day closes, no quotes)
  std::optional<double> min_open_interest;
  std::optional<double> min_volume;
};

/// One /gpt/contracts request. Exactly one of `plan_id` and `plan` is set.
struct ContractsQuery {
  std::optional<std::string> plan_id;   // a stored plan of the caller (another user's is not_found)
  std::optional<int> plan_version;      // default: the latest version
  std::optional<ContractsPlan> plan;    // explicit anchors
  std::optional<scanner::Style> style;  // default: the stored plan's style, else intraday
  std::optional<double> horizon_days;   // calendar days the plan needs; default per style
  ContractFilterOverrides filters;
  options::PremiumSide premium = options::PremiumSide::kLong;  // debit (buy) or credit (sell)
  std::size_t max_results = 8;                                 // best + alternatives, 1..10
  std::optional<double> risk_amount;                           // sizing only, never a filter
  double vol_shift = 0.0;                                      // IV change at the horizon (decimal)
  std::optional<double> contract_size;                         // units per contract; default per market
  std::optional<CivilDate> expiry;                             // only this expiry
  bool relax = true;                                           // run the relaxation ladder
};

/// The plan a selection was computed for, after defaults.
struct ResolvedContractsPlan {
  std::string source;   // "plan" or "explicit"
  std::string plan_id;  // empty for explicit anchors
  int plan_version = 0;
  InstrumentInfo underlying;
  scanner::Style style = scanner::Style::kIntraday;
  options::TradeIntent intent;
};

/// A listed contract as the answer names it.
struct ContractIdentity {
  InstrumentId instrument_id;  // "OPRA:SPY250919C00500000", "NFO:NIFTY28AUG2524000CE"
  CivilDate expiry;
  Price strike;
  OptionRight right = OptionRight::kCall;
  std::optional<Price> bid;
  std::optional<Price> ask;
  std::optional<Price> last;
  Quantity open_interest;
  Quantity volume;
};

/// A contract that passed the gates, with its analytics from options::SelectContracts.
struct ContractPick {
  ContractIdentity contract;
  options::ContractQuote quote;       // what the selector saw
  options::RankedContract analytics;  // price, spread, IV, greeks, score, scenarios, sizing
};

/// A contract the gates turned down, with the first gate it failed (against the final gates).
struct ContractReject {
  ContractIdentity contract;
  double dte_days = 0.0;
  options::GateKind gate = options::GateKind::kNoPrice;
  double measured = 0.0;  // NaN when the input is missing
  double limit = 0.0;     // NaN for the non-relaxable gates
  std::string reason;     // a sentence with the numbers
};

/// The answer of Select.
struct ContractsAnswer {
  ResolvedContractsPlan plan;
  std::string symbology;  // "occ" (US) or "openalgo" (India)
  std::string data_source;
  UnixNanos chain_as_of;
  double underlying_price = 0.0;
  double rate = 0.0;           // continuous, per year, used for every expiry
  double contract_size = 0.0;  // units per contract (the P/L and sizing multiplier)
  options::OptionType right = options::OptionType::kCall;
  options::ContractGates base_gates;  // the style's gates with the overrides applied
  options::ContractGates gates_used;  // after the ladder
  std::vector<options::RelaxationApplied> relaxations;
  std::size_t min_candidates = 0;  // the ladder stops once this many pass
  std::optional<ContractPick> best;
  std::vector<ContractPick> alternatives;
  /// Every rejection except wrong-right ones, nearest expiry first, then nearest the money.
  std::vector<ContractReject> rejected;
  std::map<std::string, std::size_t> rejected_by_gate;  // every rejection, wrong-right included
  std::size_t rejected_total = 0;
  std::size_t contracts_considered = 0;
  std::size_t expiries_considered = 0;
  std::vector<std::string> notes;  // defaults that matter (unknown contract size, fallbacks)
};

/// The style's default gates (DTE, |delta| window, spread %, OI and volume floors).
options::ContractGates StyleContractGates(scanner::Style style);
/// The style's default horizon in calendar days.
double StyleHorizonDays(scanner::Style style);
/// The |delta| the tradeability score prefers for the style.
double StyleTargetDelta(scanner::Style style);
/// The ladder stops at the first rung after which this many contracts pass.
inline constexpr std::size_t kContractsMinCandidates = 3;
inline constexpr std::size_t kMaxContractResults = 10;

/// Market conventions of an underlying: Indian exchanges (NSE*, BSE*, NFO, BFO) use OpenAlgo symbols on
/// NFO/BFO, everything else OCC symbols on OPRA; the listing terms (OptionTermsOf) give the contract size and
/// the expiry calendar when the simulated universe lists the underlying.
struct OptionMarket {
  bool india = false;
  std::string option_exchange;          // "NFO", "BFO", "OPRA"
  double rate = 0.0;                    // India 6.5 %, US 4 %
  std::optional<double> contract_size;  // units per contract: US 100; India the lot when the listing is known
  calendar::Exchange expiry_calendar = calendar::Exchange::kNyse;  // whose session close ends an expiry
};
OptionMarket OptionMarketOf(const InstrumentId& underlying);

/// Ranks an already loaded chain for a resolved plan (Select uses it after loading the chain; tests call it on
/// recorded chains). The chain's own as-of time is "now" for DTE; its underlying price is the spot unless
/// `spot` is given. Errors: no unexpired contracts, no spot, an intent the selector refuses (field named).
Result<ContractsAnswer> RankChain(const ResolvedContractsPlan& plan, const OptionChain& chain,
                                  const ContractsQuery& query, std::optional<double> spot = std::nullopt);

/// /gpt/contracts over the running market: resolves the plan (a stored plan of the caller, or explicit
/// anchors), loads the underlying's chain from MarketService::Chain and ranks it with options::SelectContracts
/// under the style's gates and the ladder. Thread-safe (holds no mutable state).
class ContractsService {
 public:
  /// `store` may be null (then plan_id answers unavailable); both must outlive the service.
  ContractsService(MarketService& market, plans::PlanStore* store);

  /// Resolves the plan and its defaults without touching the chain. Errors name the request field.
  Result<ResolvedContractsPlan> ResolvePlan(const plans::UserScope& scope, const ContractsQuery& query) const;
  Result<ContractsAnswer> Select(const plans::UserScope& scope, const ContractsQuery& query) const;

 private:
  MarketService& market_;
  plans::PlanStore* store_;
};

}  // namespace td::system
