// SPDX-License-Identifier: MIT
#include "system/coach_service.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>

#include "adapters/simulator/universe.hpp"
#include "calendar/exchange_calendar.hpp"
#include "levels/gaps.hpp"
#include "levels/zones.hpp"

namespace td::system {
namespace {

using scanner::BarSeries;
using scanner::Style;

constexpr std::int64_t kNanosPerDay = 86'400'000'000'000;
constexpr std::size_t kTrafficSessions = 20;  // sessions of traded value behind "top_liquidity"
constexpr std::size_t kMaxZones = 6;
constexpr std::size_t kMaxGaps = 4;

std::string FormatDate(CivilDate date) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02d", date.year, date.month, date.day);
  return buf;
}

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

/// Relabels daily bars (the simulator labels them at the session open) by UTC midnight of the exchange-local
/// session date, as the scanner expects, keeping only sessions before `before`.
BarSeries DailySeries(const std::vector<Bar>& bars, const calendar::TimeZone& zone, CivilDate before) {
  BarSeries series;
  series.spec = BarSpec{1, BarUnit::kDay};
  series.Reserve(bars.size());
  for (const Bar& bar : bars) {
    const CivilDate date = zone.LocalDate(bar.ts_event);
    if (!(date < before)) {
      continue;
    }
    series.Push(DaysFromCivil(date) * kNanosPerDay, bar.open.AsDouble(), bar.high.AsDouble(), bar.low.AsDouble(),
                bar.close.AsDouble(), bar.volume.AsDouble());
  }
  return series;
}

/// A plan for the trend's side when no detector fired: the 10-bar extreme defends it.
scanner::Signal TrendBiasSignal(const scanner::SymbolContext& ctx) {
  const std::size_t last = ctx.last();
  const double price = ctx.price();
  const double ema20 = ctx.ema20.empty() ? NAN : ctx.ema20[last];
  scanner::Direction direction = scanner::Direction::kLong;
  if (ctx.htf.bias <= -0.2) {
    direction = scanner::Direction::kShort;
  } else if (ctx.htf.bias < 0.2 && std::isfinite(ema20) && price < ema20) {
    direction = scanner::Direction::kShort;
  }
  const std::size_t first = last >= 9 ? last - 9 : 0;
  double low = ctx.bars.low[last];
  double high = ctx.bars.high[last];
  for (std::size_t i = first; i <= last; ++i) {
    low = std::min(low, ctx.bars.low[i]);
    high = std::max(high, ctx.bars.high[i]);
  }
  scanner::Signal signal;
  signal.strategy = scanner::StrategyId::kMomentum;
  signal.direction = direction;
  signal.entry = price;
  signal.structure_stop = direction == scanner::Direction::kLong ? low : high;
  signal.stop_basis = direction == scanner::Direction::kLong ? "10-bar low" : "10-bar high";
  const bool ema_side = std::isfinite(ema20) && (direction == scanner::Direction::kLong ? price >= ema20 : price <= ema20);
  const bool htf_side = direction == scanner::Direction::kLong ? ctx.htf.bias > 0.0 : ctx.htf.bias < 0.0;
  // "A detector fired" is an honest, unmet condition: a fallback never scores like a real setup.
  signal.conditions = {{"price on the EMA20 side of the bias", ema_side, std::isfinite(ema20)},
                       {"HTF vote agrees", htf_side, true},
                       {"a strategy detector fired", false, true}};
  signal.trigger = std::string("no detector fired; ") + (direction == scanner::Direction::kLong ? "long" : "short") +
                   " on the trend bias (HTF " + std::string(ctx.htf.label) + ")";
  return signal;
}

std::vector<PlanZone> ZonesOf(const scanner::SymbolContext& ctx) {
  const BarSeries& bars = ctx.m5.empty() ? ctx.bars : ctx.m5;
  std::vector<PlanZone> out;
  if (bars.size() < 20) {
    return out;
  }
  const std::size_t count = std::min<std::size_t>(bars.size(), 300);
  const levels::BarsView view = bars.View(bars.size() - count, count);
  const double price = ctx.price();
  const double atr = std::isfinite(ctx.atr_5m) && ctx.atr_5m > 0.0 ? ctx.atr_5m : 0.0;
  auto zones = levels::FindZones(view, levels::ZoneOptions{}, atr);
  std::erase_if(zones, [](const levels::Zone& z) { return z.freshness == levels::Freshness::kBroken; });
  std::sort(zones.begin(), zones.end(), [price](const levels::Zone& a, const levels::Zone& b) {
    return std::abs(a.proximal - price) < std::abs(b.proximal - price);
  });
  for (const levels::Zone& z : zones) {
    if (out.size() >= kMaxZones) {
      break;
    }
    const bool demand = z.kind == levels::ZoneKind::kDemand;
    out.push_back({demand ? "demand" : "supply", ctx.RoundToTick(z.Top(), RoundingMode::kUp),
                   ctx.RoundToTick(z.Bottom(), RoundingMode::kDown), demand ? "Demand 5m" : "Supply 5m",
                   z.freshness == levels::Freshness::kFresh ? "fresh" : "tested"});
  }
  auto gaps = levels::FindFairValueGaps(view, atr * 0.1);
  std::size_t added = 0;
  for (auto it = gaps.rbegin(); it != gaps.rend() && added < kMaxGaps; ++it) {
    if (it->Filled()) {
      continue;
    }
    out.push_back({"fvg", ctx.RoundToTick(it->top, RoundingMode::kUp), ctx.RoundToTick(it->bottom, RoundingMode::kDown),
                   it->direction == levels::GapDirection::kBullish ? "FVG up 5m" : "FVG down 5m",
                   it->filled_fraction > 0.0 ? "partly_filled" : "open"});
    ++added;
  }
  return out;
}

std::vector<PlanAvwap> AvwapsOf(const scanner::SymbolContext& ctx) {
  std::vector<PlanAvwap> out;
  for (const scanner::AvwapLevel& a : ctx.avwaps) {
    if (a.anchor >= ctx.bars.size() || !std::isfinite(a.value)) {
      continue;
    }
    out.push_back({a.label, UnixNanos(ctx.bars.ts[a.anchor]).seconds(), a.value});
  }
  return out;
}

Error Field(Error error, std::string field) {
  error.field = std::move(field);
  return error;
}

}  // namespace

std::optional<InstrumentFacts> FactsOf(const InstrumentId& id) {
  for (const adapters::simulator::UnderlyingSpec& spec : adapters::simulator::Universe()) {
    if (spec.exchange_code != id.exchange() || spec.symbol != id.symbol()) {
      continue;
    }
    using adapters::simulator::UnderlyingKind;
    const bool quoted = spec.kind == UnderlyingKind::kEtf || spec.kind == UnderlyingKind::kStock;
    Result<Instrument> instrument =
        quoted ? Instrument::Equity(id, ContractSpec{Price::FromRaw(std::llround(spec.tick * 1e9), spec.price_precision),
                                                     Quantity::FromUnits(1), Quantity::FromUnits(1),
                                                     spec.price_precision})
               : Instrument::Index(id, spec.price_precision);
    if (!instrument.ok()) {
      return std::nullopt;
    }
    InstrumentFacts facts;
    facts.instrument = *instrument;
    facts.exchange = spec.session_calendar;
    facts.sector = std::string(spec.sector);
    facts.tradable = quoted;
    facts.vol_index = spec.kind == UnderlyingKind::kVolIndex;
    facts.india = spec.market == adapters::simulator::Market::kIndia;
    if (!facts.vol_index) {
      facts.vol_index_id = facts.india ? "NSE_INDEX:INDIAVIX" : "GLOBAL_INDEX:VIX";
    }
    return facts;
  }
  return std::nullopt;
}

namespace {

/// The simulator's facts, or (for a vendor source's open universe) what the id and the market say: the
/// exchange's calendar, a 10^-precision tick, no sector, and the market's own volatility index.
InstrumentFacts FactsOrDefault(const InstrumentInfo& info) {
  if (auto facts = FactsOf(info.id)) {
    return *facts;
  }
  InstrumentFacts facts;
  const std::string_view exchange = info.id.exchange();
  facts.india = exchange.starts_with("NSE") || exchange.starts_with("BSE") || exchange == "NFO" || exchange == "BFO";
  facts.exchange = facts.india ? (exchange.starts_with("BSE") || exchange == "BFO" ? calendar::Exchange::kBse
                                                                                    : calendar::Exchange::kNse)
                               : calendar::Exchange::kNyse;
  const bool index = exchange.ends_with("_INDEX");
  facts.tradable = !index;
  const int precision = std::clamp(info.price_precision, 0, 9);
  auto tick = Price::FromRaw(static_cast<std::int64_t>(std::llround(std::pow(10.0, 9 - precision))), precision);
  auto instrument = index ? Instrument::Index(info.id, precision)
                          : Instrument::Equity(info.id, ContractSpec{tick, Quantity::FromUnits(1),
                                                                     Quantity::FromUnits(1), precision});
  if (instrument.ok()) {
    facts.instrument = *instrument;
  }
  facts.vol_index_id = facts.india ? "NSE_INDEX:INDIAVIX" : "GLOBAL_INDEX:VIX";
  return facts;
}

}  // namespace

CoachService::CoachService(MarketService& market, plans::PlanStore* store, const Clock& clock)
    : market_(market), store_(store), clock_(clock) {}

Result<EffectiveAsOf> CoachService::ResolveAsOf(std::optional<UnixNanos> requested,
                                                calendar::Exchange exchange) const {
  const UnixNanos now = clock_.Now();
  EffectiveAsOf out;
  out.given = requested.has_value();
  out.requested = requested.value_or(now);
  out.used = out.requested;
  if (out.requested > now) {
    return Error::InvalidArgument("as_of " + out.requested.ToIso8601() + " is in the future (now is " +
                                      now.ToIso8601() + ")",
                                  "as_of");
  }
  const auto& cal = calendar::ExchangeCalendar::Get(exchange);
  auto status = cal.StatusAt(out.requested);
  if (!status.ok()) {
    return Field(status.error(), "as_of");
  }
  if (status->status == calendar::MarketStatus::kOpen) {
    return out;
  }
  out.frozen = true;
  // The last regular close at or before the instant.
  auto day = cal.TradingDayOnOrBefore(cal.time_zone().LocalDate(out.requested));
  if (!day.ok()) {
    return Field(day.error(), "as_of");
  }
  auto session = cal.Session(*day);
  if (session.ok() && session->regular_close > out.requested) {
    auto previous = cal.PreviousTradingDay(*day);
    if (!previous.ok()) {
      return Field(previous.error(), "as_of");
    }
    session = cal.Session(*previous);
  }
  if (!session.ok()) {
    return Field(session.error(), "as_of");
  }
  out.used = session->regular_close;
  out.note = "Market closed: computed as of the " + FormatDate(session->date) + " close";
  return out;
}

Result<std::vector<InstrumentInfo>> CoachService::ResolveSymbols(std::span<const std::string> symbols,
                                                                 std::string_view field) const {
  std::vector<InstrumentInfo> out;
  for (std::size_t i = 0; i < symbols.size(); ++i) {
    const std::string name = std::string(field) + "[" + std::to_string(i) + "]";
    if (symbols[i].empty() || symbols[i].size() > 40) {
      return Error::InvalidArgument("symbol must be 1..40 characters", name);
    }
    auto info = market_.Resolve(symbols[i]);
    if (!info.ok()) {
      return Field(info.error(), name);
    }
    const bool duplicate =
        std::any_of(out.begin(), out.end(), [&](const InstrumentInfo& seen) { return seen.id == info->id; });
    if (!duplicate) {
      out.push_back(*info);
    }
  }
  if (out.empty()) {
    return Error::InvalidArgument("the universe is empty: give at least one symbol", std::string(field));
  }
  return out;
}

Result<std::vector<InstrumentInfo>> CoachService::ResolveUniverse(const plans::UserScope& scope,
                                                                  std::string_view universe, UnixNanos as_of) const {
  const std::string name = Lower(universe);
  std::vector<InstrumentInfo> out;
  const auto select = [&](auto keep) {
    for (const InstrumentInfo& info : market_.Instruments()) {
      const InstrumentFacts facts = FactsOrDefault(info);
      if (!facts.vol_index && keep(facts)) {
        out.push_back(info);
      }
    }
  };
  if (name == "all") {
    select([](const InstrumentFacts&) { return true; });
  } else if (name == "us") {
    select([](const InstrumentFacts& f) { return !f.india; });
  } else if (name == "india") {
    select([](const InstrumentFacts& f) { return f.india; });
  } else if (name == "top_liquidity" || name.starts_with("top_liquidity:")) {
    std::size_t count = kTopLiquidityDefault;
    if (name.size() > std::string_view("top_liquidity").size()) {
      const std::string digits = name.substr(std::string_view("top_liquidity:").size());
      if (digits.empty() || digits.size() > 3 ||
          !std::all_of(digits.begin(), digits.end(), [](unsigned char c) { return std::isdigit(c); }) ||
          std::stoul(digits) < 1 || std::stoul(digits) > 200) {
        return Error::InvalidArgument("top_liquidity:N needs N in 1..200, was '" + digits + "'", "universe");
      }
      count = std::stoul(digits);
    }
    // Traded value (price × volume) per session over the sessions before as_of: market cap plays no part.
    std::vector<std::pair<double, InstrumentInfo>> ranked;
    for (const InstrumentInfo& info : market_.Instruments()) {
      if (!FactsOrDefault(info).tradable) {
        continue;
      }
      auto bars = market_.Bars(info.id, BarSpec{1, BarUnit::kDay}, as_of - std::chrono::hours(24 * 40), as_of);
      if (!bars.ok() || bars->empty()) {
        continue;
      }
      const std::size_t take = std::min(bars->size(), kTrafficSessions);
      double value = 0.0;
      for (std::size_t i = bars->size() - take; i < bars->size(); ++i) {
        value += (*bars)[i].close.AsDouble() * (*bars)[i].volume.AsDouble();
      }
      ranked.emplace_back(value / static_cast<double>(take), info);
    }
    std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first > b.first : a.second.id < b.second.id;
    });
    for (std::size_t i = 0; i < ranked.size() && i < count; ++i) {
      out.push_back(ranked[i].second);
    }
  } else if (name.starts_with("watchlist:")) {
    const std::string list = std::string(universe.substr(std::string_view("watchlist:").size()));
    if (store_ == nullptr) {
      return Error::InvalidArgument("watchlists need the plan store (serve, or --data-dir)", "universe");
    }
    auto watchlist = store_->GetWatchlist(scope, list);
    if (!watchlist.ok()) {
      return Field(watchlist.error(), "universe");
    }
    auto resolved = ResolveSymbols(watchlist->symbols, "universe");
    if (!resolved.ok()) {
      Error error = resolved.error();
      error.message = "watchlist '" + list + "': " + error.message;
      error.field = "universe";
      return error;
    }
    return resolved;
  } else {
    return Error::InvalidArgument("unknown universe '" + std::string(universe) +
                                      "': use all, us, india, top_liquidity[:N], watchlist:NAME or a symbol list",
                                  "universe");
  }
  if (out.empty()) {
    return Error::InvalidArgument("the universe '" + std::string(universe) + "' has no instruments", "universe");
  }
  return out;
}

Result<scanner::SymbolInput> CoachService::BuildInput(const InstrumentInfo& info, UnixNanos as_of) const {
  const std::optional<InstrumentFacts> facts = FactsOrDefault(info);
  scanner::SymbolInput input;
  input.symbol = info.id.value();
  input.sector = facts->sector;
  input.instrument = facts->instrument;
  input.exchange = facts->exchange;
  const BarSpec minute{1, BarUnit::kMinute};
  auto intraday = market_.Bars(info.id, minute, as_of - std::chrono::hours(24 * kIntradayLookbackDays), as_of);
  if (!intraday.ok()) {
    return intraday.error();
  }
  input.intraday = BarSeries::FromBars(*intraday, minute);
  const auto& zone = calendar::ExchangeCalendar::Get(facts->exchange).time_zone();
  auto daily =
      market_.Bars(info.id, BarSpec{1, BarUnit::kDay}, as_of - std::chrono::hours(24 * kDailyLookbackDays), as_of);
  if (daily.ok()) {
    input.daily = DailySeries(*daily, zone, zone.LocalDate(as_of));
  }
  if (!facts->vol_index_id.empty()) {
    if (auto vol = market_.Resolve(facts->vol_index_id); vol.ok()) {
      auto bars = market_.Bars(vol->id, minute, as_of - std::chrono::hours(24 * kIntradayLookbackDays), as_of);
      if (bars.ok() && !bars->empty()) {
        input.vol_index = std::make_shared<const BarSeries>(BarSeries::FromBars(*bars, minute));
      }
    }
  }
  return input;
}

Result<scanner::SymbolContext> CoachService::BuildContextFor(const InstrumentInfo& info, UnixNanos as_of) const {
  auto input = BuildInput(info, as_of);
  if (!input.ok()) {
    return input.error();
  }
  return scanner::BuildContext(*input, as_of);
}

Result<ScanOutcome> CoachService::Scan(const plans::UserScope& scope, const ScanQuery& query) const {
  if (query.request.limit < 1 || query.request.limit > 50) {
    return Error::InvalidArgument("limit must be within 1..50", "limit");
  }
  // The instant is checked against the clock before anything is fetched.
  const UnixNanos now = clock_.Now();
  if (query.as_of && *query.as_of > now) {
    return Error::InvalidArgument("as_of " + query.as_of->ToIso8601() + " is in the future (now is " +
                                      now.ToIso8601() + ")",
                                  "as_of");
  }
  const UnixNanos requested = query.as_of.value_or(now);
  ScanOutcome outcome;
  Result<std::vector<InstrumentInfo>> universe = std::vector<InstrumentInfo>{};
  if (!query.symbols.empty()) {
    outcome.universe = "explicit";
    universe = ResolveSymbols(query.symbols, "universe");
  } else {
    outcome.universe = query.universe;
    universe = ResolveUniverse(scope, query.universe, requested);
  }
  if (!universe.ok()) {
    return universe.error();
  }
  // One exchange: a closed market is scanned as of its last close. Mixed exchanges: each context decides.
  calendar::Exchange exchange = calendar::Exchange::kNyse;
  bool one_exchange = true;
  for (std::size_t i = 0; i < universe->size(); ++i) {
    const calendar::Exchange e = FactsOrDefault((*universe)[i]).exchange;
    if (i == 0) {
      exchange = e;
    } else if (e != exchange) {
      one_exchange = false;
    }
  }
  if (one_exchange) {
    auto as_of = ResolveAsOf(query.as_of, exchange);
    if (!as_of.ok()) {
      return as_of.error();
    }
    outcome.as_of = *as_of;
  } else {
    outcome.as_of.requested = requested;
    outcome.as_of.used = requested;
    outcome.as_of.given = query.as_of.has_value();
  }
  std::vector<scanner::SymbolContext> contexts;
  std::vector<scanner::MissingSymbol> missing;
  contexts.reserve(universe->size());
  for (const InstrumentInfo& info : *universe) {
    outcome.symbols.push_back(info.id.value());
    auto ctx = BuildContextFor(info, outcome.as_of.used);
    if (ctx.ok()) {
      contexts.push_back(std::move(ctx).value());
    } else {
      missing.push_back({info.id.value(), ctx.error().message});
    }
  }
  auto page = scanner::Scan(contexts, missing, outcome.as_of.used, query.request);
  if (!page.ok()) {
    return page.error();
  }
  outcome.page = std::move(page).value();
  outcome.as_of.frozen = outcome.page.planning_context != "live";
  outcome.data_source = std::string(market_.source());
  return outcome;
}

Result<PlanComputation> CoachService::ComputePlan(const PlanQuery& query) const {
  if (query.symbol.empty() || query.symbol.size() > 40) {
    return Error::InvalidArgument("symbol must be 1..40 characters, e.g. SPY or NSE_INDEX:NIFTY", "symbol");
  }
  auto info = market_.Resolve(query.symbol);
  if (!info.ok()) {
    return Field(info.error(), "symbol");
  }
  const std::optional<InstrumentFacts> facts = FactsOrDefault(*info);
  if (facts->vol_index) {
    return Error::InvalidArgument(info->id.value() + " is a volatility index: it gates plans but is not planned",
                                  "symbol");
  }
  auto as_of = ResolveAsOf(query.as_of, facts->exchange);
  if (!as_of.ok()) {
    return as_of.error();
  }
  auto ctx = BuildContextFor(*info, as_of->used);
  if (!ctx.ok()) {
    return Error::Unprocessable("no market data for " + info->id.value() + " at or before " +
                                    as_of->used.ToIso8601() + ": " + ctx.error().message,
                                "as_of");
  }
  PlanComputation out;
  out.as_of = *as_of;
  out.exchange_time_zone = info->time_zone;
  out.last_price = ctx->price();
  out.data_source = std::string(market_.source());
  scanner::PlanOptions options;
  options.style = query.style;
  if (query.strategy) {
    const scanner::Detection detection = scanner::Detect(*query.strategy, *ctx);
    if (detection.status != scanner::DetectStatus::kSignal) {
      return Error::Unprocessable(std::string(scanner::Spec(*query.strategy).key) + " gives " +
                                      std::string(scanner::DetectStatusName(detection.status)) + " for " +
                                      info->id.value() + ": " + detection.reason,
                                  "strategy");
    }
    auto plan = scanner::BuildPlan(*ctx, *detection.signal, options);
    if (!plan.ok()) {
      return Error::Unprocessable(plan.error().message, "strategy");
    }
    out.plan = std::move(plan).value();
  } else {
    scanner::ScanRequest request;
    request.style = query.style;
    request.limit = 1;
    auto page = scanner::Scan(std::span<const scanner::SymbolContext>(&*ctx, 1), {}, as_of->used, request);
    if (page.ok() && !page->candidates.empty() && page->candidates.front().plan) {
      out.plan = *page->candidates.front().plan;
    } else {
      out.fallback = true;
      out.fallback_reason = "no " + std::string(scanner::StyleName(query.style)) + " detector fired for " +
                            info->id.value() + " as of " + as_of->used.ToIso8601();
      auto plan = scanner::BuildPlan(*ctx, TrendBiasSignal(*ctx), options);
      if (!plan.ok()) {
        return Error::Unprocessable("cannot build a " + std::string(scanner::StyleName(query.style)) + " plan for " +
                                        info->id.value() + ": " + plan.error().message,
                                    "style");
      }
      out.plan = std::move(plan).value();
      out.plan.warnings.push_back("Fallback plan: " + out.fallback_reason + "; direction from the trend bias");
    }
  }
  const bool closed_note = std::any_of(out.plan.notes.begin(), out.plan.notes.end(),
                                      [](const std::string& n) { return n.starts_with("Market closed"); });
  if (out.as_of.frozen && !out.as_of.note.empty() && !closed_note) {
    out.plan.notes.push_back(out.as_of.note);
  }
  out.zones = ZonesOf(*ctx);
  out.avwaps = AvwapsOf(*ctx);
  return out;
}

Result<plans::StoredPlan> CoachService::IssuePlan(const plans::UserScope& scope, PlanComputation computation,
                                                  const PlanRenderer& render) const {
  if (store_ == nullptr) {
    return Error{ErrorCode::kUnavailable, "the plan store is not open", {}};
  }
  plans::NewPlan plan;
  plan.symbol = computation.plan.symbol;
  plan.style = std::string(scanner::StyleName(computation.plan.style));
  plan.strategy = std::string(scanner::Spec(computation.plan.strategy).key);
  plan.reason = "created";
  plan.as_of = computation.plan.as_of;
  plan.layers_as_of = computation.plan.as_of;
  return store_->Create(scope, std::move(plan), [&](std::string_view plan_id, plans::NewPlan& fill) {
    RenderedPlan rendered = render(computation, plan_id, 1);
    fill.plan_json = std::move(rendered.plan_json);
    fill.layers_json = std::move(rendered.layers_json);
  });
}

}  // namespace td::system
