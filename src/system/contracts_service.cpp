// SPDX-License-Identifier: MIT
#include "system/contracts_service.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <span>

#include "calendar/exchange.hpp"
#include "calendar/exchange_calendar.hpp"
#include "model/symbology.hpp"
#include "options/chain.hpp"
#include "system/coach_service.hpp"
#include "system/option_terms.hpp"

namespace td::system {
namespace {

constexpr double kNanosPerDay = 86'400e9;
constexpr double kUsRate = 0.04;
constexpr double kIndiaRate = 0.065;

bool IsIndianExchange(std::string_view exchange) {
  return exchange.starts_with("NSE") || exchange.starts_with("BSE") || exchange == "NFO" || exchange == "BFO";
}

double PriceOr(const std::optional<Price>& p) {
  return p.has_value() ? p->AsDouble() : 0.0;
}

std::string Number(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, v);
  return buf;
}

std::string_view RightWord(OptionRight right) {
  return right == OptionRight::kCall ? "call" : "put";
}

/// The instant the expiry's regular session closes: the exchange calendar's close, or (outside the calendar's
/// coverage) 16:00 New York / 15:30 India read with a fixed offset.
UnixNanos ExpiryClose(CivilDate expiry, calendar::Exchange exchange, bool india) {
  auto session = calendar::ExchangeCalendar::Get(exchange).Session(expiry);
  if (session.ok()) {
    return session->regular_close;
  }
  const std::int64_t day_start = DaysFromCivil(expiry) * static_cast<std::int64_t>(86'400) * 1'000'000'000LL;
  const std::int64_t offset_ns = india ? (10LL * 3600) * 1'000'000'000LL : (20LL * 3600) * 1'000'000'000LL;
  return UnixNanos(day_start + offset_ns);
}

/// The contract's symbol as the chain names it, else built: OpenAlgo on NFO/BFO for India, compact OCC on OPRA.
InstrumentId ContractIdOf(const OptionQuote& quote, const InstrumentId& underlying, const OptionMarket& market,
                          CivilDate expiry, Price strike, OptionRight right) {
  if (!quote.instrument_id.empty()) {
    return quote.instrument_id;
  }
  const std::string base(underlying.symbol());
  if (market.india) {
    auto symbol = OpenAlgoSymbol::Option(base, expiry, WithMinimalPrecision(strike), right);
    if (symbol.ok()) {
      auto id = InstrumentId::Make(market.option_exchange, symbol->ToString());
      if (id.ok())
        return *id;
    }
  } else {
    auto occ = OccSymbol::Make(base, expiry, right, WithMinimalPrecision(strike));
    if (occ.ok()) {
      auto id = InstrumentId::Make(market.option_exchange, occ->ToCompactString());
      if (id.ok())
        return *id;
    }
  }
  return InstrumentId();
}

struct Flattened {
  std::vector<options::ContractQuote> quotes;
  std::vector<ContractIdentity> identities;
  std::size_t expiries = 0;
};

/// One ContractQuote per listed side of every unexpired expiry. IV is left to the selector (solved from the
/// quote); each expiry's carry is read from put-call parity so the model forward matches the chain's.
Flattened Flatten(const OptionChain& chain, const InstrumentId& underlying, const OptionMarket& market, double spot,
                  double contract_size, std::optional<CivilDate> only_expiry) {
  Flattened out;
  for (const ExpirySlice& slice : chain.expiries) {
    if (only_expiry && slice.expiry != *only_expiry) {
      continue;
    }
    const double days =
        static_cast<double>((ExpiryClose(slice.expiry, market.expiry_calendar, market.india) - chain.ts).count()) /
        kNanosPerDay;
    if (!(days > 0.0)) {
      continue;
    }
    ++out.expiries;
    const double t_years = days / 365.0;
    options::ChainSlice parity;
    parity.underlying = spot;
    parity.t_years = t_years;
    parity.rate = market.rate;
    for (const StrikeRow& row : slice.rows) {
      options::StrikeQuote q;
      q.strike = row.strike.AsDouble();
      if (row.call) {
        q.call_bid = PriceOr(row.call->bid);
        q.call_ask = PriceOr(row.call->ask);
      }
      if (row.put) {
        q.put_bid = PriceOr(row.put->bid);
        q.put_ask = PriceOr(row.put->ask);
      }
      parity.strikes.push_back(q);
    }
    double dividend_yield = 0.0;
    if (auto forward = options::ImpliedForward(parity); forward.ok() && forward->forward > 0.0) {
      dividend_yield = market.rate - std::log(forward->forward / spot) / t_years;
    }
    for (const StrikeRow& row : slice.rows) {
      for (OptionRight right : {OptionRight::kCall, OptionRight::kPut}) {
        const std::optional<OptionQuote>& side = row.Quote(right);
        if (!side) {
          continue;
        }
        options::ContractQuote c;
        c.right = right == OptionRight::kCall ? options::OptionType::kCall : options::OptionType::kPut;
        c.strike = row.strike.AsDouble();
        c.dte_days = days;
        c.t_years = t_years;
        c.bid = PriceOr(side->bid);
        c.ask = PriceOr(side->ask);
        c.last = PriceOr(side->last);
        c.open_interest = side->open_interest.AsDouble();
        c.volume = side->volume.AsDouble();
        c.iv = 0.0;  // solved by the selector from the quote
        c.underlying = spot;
        c.rate = market.rate;
        c.dividend_yield = dividend_yield;
        c.multiplier = contract_size;
        out.quotes.push_back(c);
        ContractIdentity id;
        id.instrument_id = ContractIdOf(*side, underlying, market, slice.expiry, row.strike, right);
        id.expiry = slice.expiry;
        id.strike = row.strike;
        id.right = right;
        id.bid = side->bid;
        id.ask = side->ask;
        id.last = side->last;
        id.open_interest = side->open_interest;
        id.volume = side->volume;
        out.identities.push_back(std::move(id));
      }
    }
  }
  return out;
}

std::string RejectReason(const ContractReject& r, const options::ContractGates& g, options::OptionType wanted,
                         options::PremiumSide premium, options::Bias bias) {
  switch (r.gate) {
    case options::GateKind::kWrongRight:
      return std::string("a ") + std::string(RightWord(r.contract.right)) + " does not express a " +
             (bias == options::Bias::kBullish ? "bullish" : "bearish") + " view bought as " +
             (premium == options::PremiumSide::kLong ? "debit" : "credit") + " (wanted " +
             (wanted == options::OptionType::kCall ? "calls" : "puts") + ")";
    case options::GateKind::kNoPrice:
      return "no two-sided quote and no last price";
    case options::GateKind::kNoVolatility:
      return "no implied volatility solvable from the price (outside the no-arbitrage bounds)";
    case options::GateKind::kDte:
      return "DTE " + Number(r.measured, 2) + " outside the window " + Number(g.min_dte, 2) + ".." +
             Number(g.max_dte, 2);
    case options::GateKind::kSpread:
      return std::isfinite(r.measured)
                 ? "spread " + Number(r.measured, 2) + "% above the maximum " + Number(g.max_spread_pct, 2) + "%"
                 : "no two-sided quote, so the spread is unknown (maximum " + Number(g.max_spread_pct, 2) + "%)";
    case options::GateKind::kDelta:
      return "|delta| " + Number(r.measured, 3) + " outside the window " + Number(g.min_abs_delta, 2) + ".." +
             Number(g.max_abs_delta, 2);
    case options::GateKind::kOpenInterest:
      return "open interest " + Number(r.measured, 0) + " below the minimum " + Number(g.min_open_interest, 0);
    case options::GateKind::kVolume:
      return "volume " + Number(r.measured, 0) + " below the minimum " + Number(g.min_volume, 0);
  }
  return "rejected";
}

Result<double> JsonNumber(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_number()) {
    return Error::Unprocessable("the stored plan has no numeric '" + std::string(key) + "'", "plan_id");
  }
  return v->to_number<double>();
}

/// Reads the anchors of a stored plan payload (the scanner's plan JSON: bias, entry, stop, targets).
Result<ContractsPlan> AnchorsOfStoredPlan(const plans::StoredPlan& stored) {
  boost::json::value parsed;
  try {
    parsed = boost::json::parse(stored.plan_json);
  } catch (const std::exception&) {
    return Error::Unprocessable("the stored plan is not readable", "plan_id");
  }
  if (!parsed.is_object()) {
    return Error::Unprocessable("the stored plan is not an object", "plan_id");
  }
  const boost::json::object& o = parsed.as_object();
  ContractsPlan plan;
  plan.symbol = stored.symbol;
  const boost::json::value* bias = o.if_contains("bias");
  if (bias == nullptr || !bias->is_string()) {
    bias = o.if_contains("direction");
  }
  if (bias == nullptr || !bias->is_string()) {
    return Error::Unprocessable("the stored plan has no bias", "plan_id");
  }
  const std::string_view b = bias->as_string();
  if (b == "long" || b == "bullish") {
    plan.bias = options::Bias::kBullish;
  } else if (b == "short" || b == "bearish") {
    plan.bias = options::Bias::kBearish;
  } else {
    return Error::Unprocessable("the stored plan's bias '" + std::string(b) + "' is neither long nor short", "plan_id");
  }
  auto entry = JsonNumber(o, "entry");
  if (!entry.ok())
    return entry.error();
  auto stop = JsonNumber(o, "stop");
  if (!stop.ok())
    return stop.error();
  plan.entry = *entry;
  plan.stop = *stop;
  const boost::json::value* targets = o.if_contains("targets");
  if (targets == nullptr || !targets->is_array()) {
    return Error::Unprocessable("the stored plan has no targets", "plan_id");
  }
  for (const boost::json::value& t : targets->as_array()) {
    if (!t.is_number()) {
      return Error::Unprocessable("the stored plan has a non-numeric target", "plan_id");
    }
    plan.targets.push_back(t.to_number<double>());
  }
  return plan;
}

}  // namespace

options::ContractGates StyleContractGates(scanner::Style style) {
  options::ContractGates g;
  switch (style) {
    case scanner::Style::kScalp:
      g.min_dte = 0.0;
      g.max_dte = 3.0;
      g.min_abs_delta = 0.55;
      g.max_abs_delta = 0.65;
      g.max_spread_pct = 8.0;
      g.min_open_interest = 500.0;
      g.min_volume = 100.0;
      break;
    case scanner::Style::kIntraday:
      g.min_dte = 0.0;
      g.max_dte = 7.0;
      g.min_abs_delta = 0.45;
      g.max_abs_delta = 0.55;
      g.max_spread_pct = 10.0;
      g.min_open_interest = 500.0;
      g.min_volume = 50.0;
      break;
    case scanner::Style::kSwing:
      g.min_dte = 10.0;
      g.max_dte = 45.0;
      g.min_abs_delta = 0.30;
      g.max_abs_delta = 0.55;
      g.max_spread_pct = 12.0;
      g.min_open_interest = 500.0;
      g.min_volume = 10.0;
      break;
    case scanner::Style::kLeaps:
      g.min_dte = 180.0;
      g.max_dte = 1200.0;
      g.min_abs_delta = 0.25;
      g.max_abs_delta = 0.45;
      g.max_spread_pct = 15.0;
      g.min_open_interest = 500.0;
      g.min_volume = 0.0;
      break;
  }
  return g;
}

double StyleHorizonDays(scanner::Style style) {
  switch (style) {
    case scanner::Style::kScalp:
      return 1.0 / 24.0;  // an hour
    case scanner::Style::kIntraday:
      return 4.0 / 24.0;  // the rest of a session
    case scanner::Style::kSwing:
      return 5.0;
    case scanner::Style::kLeaps:
      return 30.0;
  }
  return 1.0;
}

double StyleTargetDelta(scanner::Style style) {
  switch (style) {
    case scanner::Style::kScalp:
      return 0.60;
    case scanner::Style::kIntraday:
      return 0.50;
    case scanner::Style::kSwing:
      return 0.40;
    case scanner::Style::kLeaps:
      return 0.35;
  }
  return 0.50;
}

OptionMarket OptionMarketOf(const InstrumentId& underlying) {
  OptionMarket market;
  market.india = IsIndianExchange(underlying.exchange());
  if (auto facts = FactsOf(underlying)) {
    market.india = facts->india;
  }
  if (market.india) {
    market.option_exchange = underlying.exchange().starts_with("BSE") ? "BFO" : "NFO";
    market.rate = kIndiaRate;
  } else {
    market.option_exchange = "OPRA";
    market.rate = kUsRate;
    market.contract_size = 100.0;  // US listed equity and index options
  }
  // The simulated universe knows its listings' lot and multiplier; a vendor's Indian lot is unknown here.
  if (auto terms = OptionTermsOf(underlying)) {
    market.option_exchange = terms->option_exchange;
    market.contract_size = terms->lot_size.AsDouble() * terms->multiplier.AsDouble();
    market.expiry_calendar = terms->expiry_calendar;
  } else {
    market.expiry_calendar = market.india ? calendar::Exchange::kNse : calendar::Exchange::kNyse;
  }
  return market;
}

Result<ContractsAnswer> RankChain(const ResolvedContractsPlan& plan, const OptionChain& chain,
                                  const ContractsQuery& query, std::optional<double> spot) {
  const OptionMarket market = OptionMarketOf(plan.underlying.id);
  ContractsAnswer answer;
  answer.plan = plan;
  answer.symbology = market.india ? "openalgo" : "occ";
  answer.chain_as_of = chain.ts;
  answer.rate = market.rate;
  const double underlying = spot.value_or(chain.underlying_price.AsDouble());
  if (!(underlying > 0.0) || !std::isfinite(underlying)) {
    return Error::Unprocessable("no price for " + plan.underlying.id.value() + " to rank its chain against", "symbol");
  }
  answer.underlying_price = underlying;
  if (const double gap = plan.intent.entry / underlying - 1.0; std::fabs(gap) > 0.10) {
    // Scenarios are priced from today's chain at the plan's levels; a stale plan makes them hypothetical.
    answer.notes.push_back("the plan's entry is " + Number(100.0 * gap, 1) + "% from the underlying's price " +
                           Number(underlying, 2) + ": scenarios assume the underlying gets there");
  }
  if (query.contract_size) {
    answer.contract_size = *query.contract_size;
  } else if (market.contract_size) {
    answer.contract_size = *market.contract_size;
  } else {
    answer.contract_size = 1.0;
    answer.notes.push_back("contract size unknown for " + plan.underlying.id.value() +
                           ": P/L and sizing are per unit; pass contract_size (the lot size)");
  }

  Flattened flat = Flatten(chain, plan.underlying.id, market, underlying, answer.contract_size, query.expiry);
  answer.contracts_considered = flat.quotes.size();
  answer.expiries_considered = flat.expiries;
  if (flat.quotes.empty()) {
    if (query.expiry) {
      return Error::NotFound("no unexpired contracts of " + plan.underlying.id.value() + " expire on the requested day",
                             "expiry");
    }
    return Error::Unprocessable("the chain of " + plan.underlying.id.value() + " has no unexpired contracts", "symbol");
  }

  options::ContractGates gates = StyleContractGates(plan.style);
  const ContractFilterOverrides& f = query.filters;
  if (f.min_dte)
    gates.min_dte = *f.min_dte;
  if (f.max_dte)
    gates.max_dte = *f.max_dte;
  if (f.min_abs_delta)
    gates.min_abs_delta = *f.min_abs_delta;
  if (f.max_abs_delta)
    gates.max_abs_delta = *f.max_abs_delta;
  if (f.max_spread_pct)
    gates.max_spread_pct = *f.max_spread_pct;
  if (f.min_open_interest)
    gates.min_open_interest = *f.min_open_interest;
  if (f.min_volume)
    gates.min_volume = *f.min_volume;
  if (gates.min_dte > gates.max_dte) {
    return Error::InvalidArgument(
        "min_dte (" + Number(gates.min_dte, 2) + ") is above max_dte (" + Number(gates.max_dte, 2) + ")",
        f.min_dte ? "min_dte" : "max_dte");
  }
  if (gates.min_abs_delta > gates.max_abs_delta) {
    return Error::InvalidArgument("min_delta (" + Number(gates.min_abs_delta, 2) + ") is above max_delta (" +
                                      Number(gates.max_abs_delta, 2) + ")",
                                  f.min_abs_delta ? "min_delta" : "max_delta");
  }
  answer.base_gates = gates;

  options::SelectionOptions selection_options;
  selection_options.relaxation.enabled = query.relax;
  selection_options.relaxation.min_candidates = kContractsMinCandidates;
  answer.min_candidates = kContractsMinCandidates;
  const std::size_t results = std::clamp<std::size_t>(query.max_results, 1, kMaxContractResults);
  selection_options.max_alternatives = results - 1;

  auto selection = options::SelectContracts(flat.quotes, plan.intent, gates, selection_options);
  if (!selection.ok()) {
    return selection.error();
  }
  answer.right = selection->right;
  answer.gates_used = selection->gates_used;
  answer.relaxations = selection->relaxations;
  auto pick = [&](const options::RankedContract& ranked) {
    return ContractPick{flat.identities[ranked.index], flat.quotes[ranked.index], ranked};
  };
  if (selection->best) {
    answer.best = pick(*selection->best);
  }
  for (const options::RankedContract& ranked : selection->alternatives) {
    answer.alternatives.push_back(pick(ranked));
  }
  answer.rejected_total = selection->rejected.size();
  for (const options::ContractRejection& r : selection->rejected) {
    ++answer.rejected_by_gate[std::string(options::GateName(r.gate))];
    if (r.gate == options::GateKind::kWrongRight) {
      continue;
    }
    ContractReject reject;
    reject.contract = flat.identities[r.index];
    reject.dte_days = flat.quotes[r.index].dte_days;
    reject.gate = r.gate;
    reject.measured = r.measured;
    reject.limit = r.limit;
    reject.reason = RejectReason(reject, answer.gates_used, answer.right, plan.intent.side, plan.intent.bias);
    answer.rejected.push_back(std::move(reject));
  }
  std::stable_sort(answer.rejected.begin(), answer.rejected.end(),
                   [underlying](const ContractReject& a, const ContractReject& b) {
                     if (a.contract.expiry != b.contract.expiry)
                       return a.contract.expiry < b.contract.expiry;
                     return std::fabs(a.contract.strike.AsDouble() - underlying) <
                            std::fabs(b.contract.strike.AsDouble() - underlying);
                   });
  if (!answer.best) {
    answer.notes.push_back(query.relax ? "no contract passes even the fully relaxed gates"
                                       : "no contract passes the gates (the relaxation ladder was off)");
  }
  return answer;
}

ContractsService::ContractsService(MarketService& market, plans::PlanStore* store) : market_(market), store_(store) {}

Result<ResolvedContractsPlan> ContractsService::ResolvePlan(const plans::UserScope& scope,
                                                            const ContractsQuery& query) const {
  if (query.plan_id.has_value() == query.plan.has_value()) {
    return Error::InvalidArgument("give either plan_id or the plan's symbol, bias, entry, stop and targets",
                                  query.plan_id ? "plan_id" : "symbol");
  }
  ResolvedContractsPlan out;
  ContractsPlan anchors;
  std::optional<scanner::Style> plan_style;
  if (query.plan_id) {
    if (store_ == nullptr) {
      return Error{ErrorCode::kUnavailable, "the plan store is not open", "plan_id"};
    }
    auto stored = store_->Get(scope, *query.plan_id, query.plan_version);
    if (!stored.ok()) {
      return stored.error();
    }
    auto stored_anchors = AnchorsOfStoredPlan(*stored);
    if (!stored_anchors.ok())
      return stored_anchors.error();
    anchors = std::move(stored_anchors).value();
    if (auto style = scanner::ParseStyle(stored->style); style.ok()) {
      plan_style = *style;
    }
    out.source = "plan";
    out.plan_id = stored->plan_id;
    out.plan_version = stored->version;
  } else {
    anchors = *query.plan;
    out.source = "explicit";
  }
  auto info = market_.Resolve(anchors.symbol);
  if (!info.ok()) {
    Error error = info.error();
    error.field = query.plan_id ? "plan_id" : "symbol";
    return error;
  }
  out.underlying = *info;
  out.style = query.style.value_or(plan_style.value_or(scanner::Style::kIntraday));
  options::TradeIntent& intent = out.intent;
  intent.side = query.premium;
  intent.bias = anchors.bias;
  intent.entry = anchors.entry;
  intent.stop = anchors.stop;
  intent.targets = anchors.targets;
  intent.horizon_days = query.horizon_days.value_or(StyleHorizonDays(out.style));
  intent.vol_shift = query.vol_shift;
  intent.risk_amount = query.risk_amount;
  intent.target_abs_delta = StyleTargetDelta(out.style);
  return out;
}

Result<ContractsAnswer> ContractsService::Select(const plans::UserScope& scope, const ContractsQuery& query) const {
  auto resolved = ResolvePlan(scope, query);
  if (!resolved.ok())
    return resolved.error();
  const ResolvedContractsPlan& plan = *resolved;
  auto chain = market_.Chain(plan.underlying.id, query.expiry);
  if (!chain.ok()) {
    Error error = chain.error();
    if (error.field.empty() || error.field == "underlying") {
      error.field = query.expiry && error.code == ErrorCode::kNotFound ? "expiry" : "symbol";
    }
    return error;
  }
  std::optional<double> spot;
  if (!(chain->underlying_price.AsDouble() > 0.0)) {
    if (auto quote = market_.Quote(plan.underlying.id); quote.ok() && quote->ltp.AsDouble() > 0.0) {
      spot = quote->ltp.AsDouble();
    }
  }
  auto ranked = RankChain(plan, *chain, query, spot);
  if (!ranked.ok())
    return ranked.error();
  ContractsAnswer answer = std::move(ranked).value();
  answer.data_source = std::string(market_.source());
  return answer;
}

}  // namespace td::system
