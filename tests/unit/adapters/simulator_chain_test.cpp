// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "adapters/simulator/chain_generator.hpp"
#include "adapters/simulator/market_simulator.hpp"
#include "adapters/simulator/vol_surface.hpp"
#include "calendar/exchange_calendar.hpp"
#include "calendar/expiry.hpp"
#include "options/chain.hpp"
#include "options/implied_vol.hpp"

namespace td::adapters::simulator {
namespace {

UnixNanos At(const char* iso) {
  return UnixNanos::ParseIso8601(iso).value();
}

class NullSink final : public TickSink {
 public:
  void OnQuote(const QuoteTick&) override {}
  void OnTrade(const TradeTick&) override {}
};

double Mid(const OptionQuote& q) {
  return 0.5 * (q.bid->AsDouble() + q.ask->AsDouble());
}

options::ChainSlice ToSlice(const ExpirySlice& slice, const ExpiryPoint& point, double spot, double rate) {
  options::ChainSlice out;
  out.underlying = spot;
  out.t_years = point.t_years;
  out.rate = rate;
  for (const StrikeRow& row : slice.rows) {
    options::StrikeQuote q;
    q.strike = row.strike.AsDouble();
    q.call_bid = row.call->bid->AsDouble();
    q.call_ask = row.call->ask->AsDouble();
    q.put_bid = row.put->bid->AsDouble();
    q.put_ask = row.put->ask->AsDouble();
    q.call_oi = row.call->open_interest.AsDouble();
    q.put_oi = row.put->open_interest.AsDouble();
    out.strikes.push_back(q);
  }
  return out;
}

/// The listing rule applied independently to the calendar's expiries.
std::vector<CivilDate> CalendarExpiries(const UnderlyingSpec& spec, UnixNanos at, const ListingPolicy& policy) {
  const auto& cal = calendar::ExchangeCalendar::Get(spec.expiry_calendar);
  const CivilDate today = cal.time_zone().LocalDate(at);
  auto all =
      calendar::ListExpiries(spec.expiry_calendar, spec.symbol, today, CivilFromDays(DaysFromCivil(today) + 200));
  EXPECT_TRUE(all.ok());
  std::vector<CivilDate> out;
  int monthlies = 0;
  for (const calendar::Expiry& e : *all) {
    const auto days = DaysFromCivil(e.date) - DaysFromCivil(today);
    const bool listed = e.kind == calendar::ExpiryKind::kMonthly  ? monthlies++ < policy.monthly_count
                        : e.kind == calendar::ExpiryKind::kWeekly ? days <= policy.weekly_days
                                                                  : days <= policy.daily_days;
    if (listed && cal.Session(e.date)->regular_close > at) {
      out.push_back(e.date);
    }
  }
  return out;
}

/// Every static no-arbitrage property of one snapshot; returns the number of checked quotes.
int CheckChain(const MarketSimulator& sim, const InstrumentId& underlying, UnixNanos at) {
  auto chain = sim.Chain(underlying, at);
  EXPECT_TRUE(chain.ok()) << (chain.ok() ? "" : chain.error().ToString());
  if (!chain.ok()) {
    return 0;
  }
  auto curve = sim.ExpiryCurve(underlying, at);
  EXPECT_TRUE(curve.ok());
  const UnderlyingSpec& spec = *sim.Spec(underlying);
  const ContractSpec contract = *sim.OptionContractSpec(underlying);
  const double tick = contract.tick_size.AsDouble();
  const double rate = ParamsOf(spec.market).rate;
  EXPECT_TRUE(chain->Validate().ok());
  EXPECT_EQ(chain->underlying_price, *sim.LastPrice(underlying));
  // Expiries are the calendar's, filtered by the listing policy.
  EXPECT_EQ(chain->Expiries(), CalendarExpiries(spec, at, ListingPolicy{}));
  EXPECT_EQ(chain->expiries.size(), curve->size());
  int checked = 0;
  const ExpirySlice* previous = nullptr;
  const ExpiryPoint* previous_point = nullptr;
  for (std::size_t e = 0; e < chain->expiries.size(); ++e) {
    const ExpirySlice& slice = chain->expiries[e];
    const ExpiryPoint& point = (*curve)[e];
    EXPECT_EQ(slice.expiry, point.expiry);
    const double df = point.discount;
    const double f = point.forward;
    // The forward implied by the quotes agrees with the model forward to a fraction of a strike step.
    auto implied = options::ImpliedForward(ToSlice(slice, point, chain->underlying_price.AsDouble(), rate));
    EXPECT_TRUE(implied.ok());
    EXPECT_NEAR(implied->forward, f, 0.1 * spec.strike_step) << underlying.value();
    for (std::size_t i = 0; i < slice.rows.size(); ++i) {
      const StrikeRow& row = slice.rows[i];
      const double k = row.strike.AsDouble();
      EXPECT_NEAR(std::fmod(k, spec.strike_step), 0.0, 1e-9);
      for (const OptionQuote* q : {&*row.call, &*row.put}) {
        EXPECT_TRUE(q->bid->IsMultipleOf(contract.tick_size) && q->ask->IsMultipleOf(contract.tick_size));
        EXPECT_LT(*q->bid, *q->ask);
        EXPECT_FALSE(q->bid->is_negative());
        EXPECT_TRUE(q->open_interest.raw() % contract.lot_size.raw() == 0);
        ++checked;
      }
      // Put-call parity within the spread: C_bid - P_ask <= df (F - K) <= C_ask - P_bid.
      const double parity = df * (f - k);
      EXPECT_LE(row.call->bid->AsDouble() - row.put->ask->AsDouble(), parity + 1e-9) << k;
      EXPECT_GE(row.call->ask->AsDouble() - row.put->bid->AsDouble(), parity - 1e-9) << k;
      if (i == 0) {
        continue;
      }
      const StrikeRow& lower = slice.rows[i - 1];
      const double dk = k - lower.strike.AsDouble();
      // Calls decrease in strike (mids exactly, weakly), puts increase; no executable vertical arbitrage.
      EXPECT_LE(Mid(*row.call), Mid(*lower.call) + 1e-9) << underlying.value() << " " << k;
      EXPECT_GE(Mid(*row.put), Mid(*lower.put) - 1e-9) << underlying.value() << " " << k;
      EXPECT_LE(row.call->bid->AsDouble(), lower.call->ask->AsDouble());
      EXPECT_LE(lower.call->bid->AsDouble() - row.call->ask->AsDouble(), df * dk + 1e-9);
      if (i + 1 < slice.rows.size()) {
        const StrikeRow& upper = slice.rows[i + 1];
        // Convexity: butterflies cost something at executable prices, and mids are convex within one tick
        // (mids sit within a quarter tick of the arbitrage-free theory).
        EXPECT_GE(lower.call->ask->AsDouble() + upper.call->ask->AsDouble() - 2.0 * row.call->bid->AsDouble(), 0.0);
        EXPECT_GE(lower.put->ask->AsDouble() + upper.put->ask->AsDouble() - 2.0 * row.put->bid->AsDouble(), 0.0);
        EXPECT_GE(Mid(*lower.call) + Mid(*upper.call) - 2.0 * Mid(*row.call), -tick - 1e-9) << k;
        EXPECT_GE(Mid(*lower.put) + Mid(*upper.put) - 2.0 * Mid(*row.put), -tick - 1e-9) << k;
      }
      // Mid-implied vol matches the published surface vol where the premium is many ticks.
      // Quotes are the surface's Black-76 premium at the published IV, the mid within a quarter tick of it;
      // so the mid-implied vol is within (a quarter tick / vega), up to curvature, of the published one.
      const double call_mid = Mid(*row.call);
      const options::Black76Market market{f, k, point.t_years, rate};
      for (OptionRight right : {OptionRight::kCall, OptionRight::kPut}) {
        const OptionQuote& q = right == OptionRight::kCall ? *row.call : *row.put;
        const auto type = right == OptionRight::kCall ? options::OptionType::kCall : options::OptionType::kPut;
        if (q.bid->is_positive()) {
          EXPECT_NEAR(Mid(q), options::Black76Price(type, market, *q.vendor_iv), 0.25 * tick + 1e-9) << k;
        }
      }
      const double vega = options::Black76Greeks(options::OptionType::kCall, market, *row.call->vendor_iv).vega;
      const double sd = *row.call->vendor_iv * std::sqrt(point.t_years);
      if (call_mid > 20 * tick && vega > 0.0 && std::abs(std::log(k / f)) < sd) {
        auto iv = options::ImpliedVolBlack76(options::OptionType::kCall, market, call_mid);
        EXPECT_TRUE(iv.ok());
        EXPECT_NEAR(iv.value_or(0.0), *row.call->vendor_iv, 1.5 * 0.25 * tick / vega + 1e-9) << k;
      }
    }
    // Calendar: total variance at a fixed forward moneyness does not fall with maturity.
    if (previous != nullptr) {
      for (const StrikeRow& row : previous->rows) {
        const double k = std::log(row.strike.AsDouble() / previous_point->forward);
        const double w1 = *row.call->vendor_iv * *row.call->vendor_iv * previous_point->t_years;
        // Interpolate this expiry's total variance at the same k.
        for (std::size_t i = 1; i < slice.rows.size(); ++i) {
          const double k0 = std::log(slice.rows[i - 1].strike.AsDouble() / f);
          const double k1 = std::log(slice.rows[i].strike.AsDouble() / f);
          if (k0 <= k && k <= k1) {
            const double w0 = std::pow(*slice.rows[i - 1].call->vendor_iv, 2) * point.t_years;
            const double w1b = std::pow(*slice.rows[i].call->vendor_iv, 2) * point.t_years;
            const double w2 = w0 + (w1b - w0) * (k - k0) / (k1 - k0);
            EXPECT_GE(w2, w1 * (1.0 - 1e-6)) << underlying.value() << " k=" << k;
            break;
          }
        }
      }
    }
    previous = &slice;
    previous_point = &point;
  }
  return checked;
}

SimulatorConfig ChainConfig() {
  SimulatorConfig config;
  config.seed = 17;
  config.start = At("2026-01-12T00:00:00Z");
  config.history_days = 1;
  config.daily_history_sessions = 30;
  config.symbols = {"NIFTY", "BANKNIFTY", "SENSEX", "INDIAVIX", "SPX", "VIX", "SPY", "QQQ"};
  return config;
}

TEST(SimulatorChainTest, QuoteOnGridBracketsTheoryAndKeepsMidsMonotone) {
  double previous_mid = 1e9;
  for (double theo = 50.0; theo >= 0.0; theo -= 0.0137) {
    const TickQuote q = QuoteOnGrid(theo, 0.05, 3);
    ASSERT_LT(q.bid_ticks, q.ask_ticks);
    ASSERT_GE(q.bid_ticks, 0);
    ASSERT_LE(q.bid_ticks * 0.05, theo + 1e-12);
    ASSERT_GE(q.ask_ticks * 0.05, theo - 1e-12);
    const double mid = 0.5 * 0.05 * static_cast<double>(q.bid_ticks + q.ask_ticks);
    ASSERT_LE(mid, previous_mid + 1e-12);
    if (q.bid_ticks > 0) {
      ASSERT_NEAR(mid, theo, 0.0125 + 1e-12);
    }
    previous_mid = mid;
  }
}

TEST(SimulatorChainTest, SsviSurfaceIsArbitrageFreeOnADenseGrid) {
  // Durrleman's butterfly condition g(k) >= 0 and calendar monotonicity, by finite differences.
  for (double rho : {-0.75, -0.6, -0.5}) {
    const SsviSurface surface(rho, 2.0 / (1.0 + std::abs(rho)));
    for (double theta : {1e-5, 1e-4, 1e-3, 0.01, 0.05}) {
      for (double k = -0.5; k <= 0.5; k += 0.005) {
        const double h = 1e-4;
        const double w = surface.TotalVariance(k, theta);
        const double w1 = (surface.TotalVariance(k + h, theta) - surface.TotalVariance(k - h, theta)) / (2 * h);
        const double w2 = (surface.TotalVariance(k + h, theta) - 2 * w + surface.TotalVariance(k - h, theta)) / (h * h);
        const double g = std::pow(1 - k * w1 / (2 * w), 2) - w1 * w1 / 4 * (1 / w + 0.25) + w2 / 2;
        EXPECT_GE(g, -1e-6) << rho << " " << theta << " " << k;
        EXPECT_GE(surface.TotalVariance(k, theta * 1.1), w) << rho << " " << theta << " " << k;
      }
    }
  }
}

TEST(SimulatorChainTest, EverySnapshotIsFreeOfStaticArbitrage) {
  auto sim = MarketSimulator::Create(ChainConfig());
  ASSERT_TRUE(sim.ok()) << sim.error().ToString();
  NullSink sink;
  int checked = 0;
  int snapshots = 0;
  // Two days, every 90 minutes, through both markets' sessions, closes and an NSE expiry day (Tue 13 Jan).
  for (UnixNanos t = At("2026-01-12T03:00:00Z"); t < At("2026-01-14T00:00:00Z"); t += std::chrono::minutes(90)) {
    sim->AdvanceTo(t, sink);
    for (const InstrumentId& underlying : sim->OptionUnderlyings()) {
      checked += CheckChain(*sim, underlying, t);
      ++snapshots;
    }
  }
  EXPECT_EQ(snapshots, 30 * 6);
  EXPECT_GT(checked, 100'000);
}

TEST(SimulatorChainTest, VolIndexEqualsThirtyDayAtmImpliedVolOfTheChain) {
  auto sim = MarketSimulator::Create(ChainConfig());
  ASSERT_TRUE(sim.ok());
  NullSink sink;
  struct Pair {
    const char* underlying;
    const char* index;
    const char* when;
  };
  for (const Pair& p : {Pair{"NSE_INDEX:NIFTY", "NSE_INDEX:INDIAVIX", "2026-01-12T06:00:00Z"},
                        Pair{"GLOBAL_INDEX:SPX", "GLOBAL_INDEX:VIX", "2026-01-12T17:00:00Z"},
                        Pair{"NSE_INDEX:NIFTY", "NSE_INDEX:INDIAVIX", "2026-01-13T09:59:00Z"},
                        Pair{"GLOBAL_INDEX:SPX", "GLOBAL_INDEX:VIX", "2026-01-13T20:59:00Z"}}) {
    const UnixNanos at = At(p.when);
    sim->AdvanceTo(at, sink);
    const InstrumentId underlying = InstrumentId::Of(p.underlying);
    auto chain = sim->Chain(underlying, at);
    auto curve = sim->ExpiryCurve(underlying, at);
    ASSERT_TRUE(chain.ok() && curve.ok());
    std::vector<options::TermPoint> points;
    for (std::size_t e = 0; e < chain->expiries.size(); ++e) {
      const ExpiryPoint& point = (*curve)[e];
      if (point.t_years < 1.0 / 365.0) {
        continue;  // an expiry in its last hours carries no time value to measure (and does not bracket 30 days)
      }
      const double rate = ParamsOf(sim->Spec(underlying)->market).rate;
      const auto slice = ToSlice(chain->expiries[e], point, chain->underlying_price.AsDouble(), rate);
      auto forward = options::ImpliedForward(slice);
      ASSERT_TRUE(forward.ok()) << forward.error().ToString() << " " << p.underlying << " " << point.t_years;
      const auto ivs = options::StrikeIvs(slice, forward->forward);
      auto atm = options::AtmIv(ivs, forward->forward);
      ASSERT_TRUE(atm.ok());
      points.push_back({point.t_years, *atm});
    }
    auto cm = options::ConstantMaturityIv(points);
    ASSERT_TRUE(cm.ok());
    const double index = sim->LastPrice(InstrumentId::Of(p.index))->AsDouble();
    // The index shows the model's 30-day ATM vol exactly (to its 0.01 tick); the chain's measured value differs
    // by quote rounding, strike interpolation and linear-in-T total variance: within 0.25 vol points.
    EXPECT_NEAR(index, *sim->VolIndexLevel(underlying), 0.006) << p.index;
    EXPECT_NEAR(index, 100.0 * *cm, 0.25) << p.index << " at " << p.when;
    EXPECT_GT(index, 5.0);
    EXPECT_LT(index, 60.0);
  }
}

TEST(SimulatorChainTest, OpenInterestPeaksNearTheMoneyAndSpreadsWidenAway) {
  auto sim = MarketSimulator::Create(ChainConfig());
  ASSERT_TRUE(sim.ok());
  NullSink sink;
  const UnixNanos at = At("2026-01-12T08:00:00Z");
  sim->AdvanceTo(at, sink);
  auto chain = sim->Chain(InstrumentId::Of("NSE_INDEX:NIFTY"), at);
  ASSERT_TRUE(chain.ok());
  const ExpirySlice& front = chain->expiries.front();
  const double spot = chain->underlying_price.AsDouble();
  double near_oi = 0, far_oi = 0, near_rel = 0, far_rel = 0;
  int n_near = 0, n_far = 0;
  for (const StrikeRow& row : front.rows) {
    const double m = std::abs(row.strike.AsDouble() / spot - 1.0);
    const double oi = row.call->open_interest.AsDouble() + row.put->open_interest.AsDouble();
    const OptionQuote& otm = row.strike.AsDouble() >= spot ? *row.call : *row.put;
    const double rel = (otm.ask->AsDouble() - otm.bid->AsDouble()) / std::max(Mid(otm), 0.05);
    if (m < 0.01) {
      near_oi += oi, near_rel += rel, ++n_near;
    } else if (m > 0.03) {
      far_oi += oi, far_rel += rel, ++n_far;
    }
  }
  ASSERT_GT(n_near, 0);
  ASSERT_GT(n_far, 0);
  EXPECT_GT(near_oi / n_near, 3.0 * far_oi / n_far);
  EXPECT_GT(far_rel / n_far, near_rel / n_near);
  // Contract ids follow OpenAlgo symbology on NFO.
  EXPECT_EQ(front.rows.front().call->instrument_id.exchange(), "NFO");
  auto spy = sim->Chain(InstrumentId::Of("US:SPY"), At("2026-01-12T18:00:00Z"));
  ASSERT_TRUE(spy.ok());
  EXPECT_EQ(spy->expiries.front().rows.front().put->instrument_id.exchange(), "OPRA");
}

}  // namespace
}  // namespace td::adapters::simulator
