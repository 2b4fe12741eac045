// SPDX-License-Identifier: MIT
// Contract selection on real chains: the NSE NIFTY snapshot of 29-Aug-2025 (quotes, OI, volume; IV solved
// from mids) and the QuantConnect GOOG universe of 23-Dec-2015 (daily closes only: no quotes, so the spread
// gate is disabled and IV is solved from the close; QuantConnect's own IV column has failed solves and is
// not used). Both skip cleanly when the data folder is absent.
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "nse_snapshot.hpp"
#include "options/chain.hpp"
#include "options/contracts.hpp"
#include "test_data.hpp"

namespace td::options {
namespace {

// Every rejection names a gate whose limit the measured value really breaks (against the final gates), and
// every returned contract passes all of them.
void ExpectConsistent(const ContractSelection& sel, const std::vector<ContractQuote>& chain) {
  const ContractGates& g = sel.gates_used;
  for (const ContractRejection& r : sel.rejected) {
    const ContractQuote& c = chain[r.index];
    switch (r.gate) {
      case GateKind::kWrongRight:
        EXPECT_NE(c.right, sel.right);
        break;
      case GateKind::kDte:
        EXPECT_TRUE(c.dte_days < g.min_dte || c.dte_days > g.max_dte);
        EXPECT_EQ(r.measured, c.dte_days);
        break;
      case GateKind::kSpread:
        EXPECT_GT(r.measured, g.max_spread_pct);
        break;
      case GateKind::kDelta:
        EXPECT_TRUE(r.measured < g.min_abs_delta || r.measured > g.max_abs_delta) << r.measured;
        break;
      case GateKind::kOpenInterest:
        EXPECT_LT(c.open_interest, g.min_open_interest);
        break;
      case GateKind::kVolume:
        EXPECT_LT(c.volume, g.min_volume);
        break;
      case GateKind::kNoPrice:
      case GateKind::kNoVolatility:
        break;
    }
  }
  std::vector<const RankedContract*> returned;
  if (sel.best.has_value()) {
    returned.push_back(&*sel.best);
  }
  for (const RankedContract& r : sel.alternatives) {
    returned.push_back(&r);
  }
  for (const RankedContract* r : returned) {
    const ContractQuote& c = chain[r->index];
    EXPECT_EQ(c.right, sel.right);
    EXPECT_GE(std::fabs(r->greeks.delta), g.min_abs_delta);
    EXPECT_LE(std::fabs(r->greeks.delta), g.max_abs_delta);
    EXPECT_GE(c.dte_days, g.min_dte);
    EXPECT_LE(c.dte_days, g.max_dte);
    EXPECT_GE(c.open_interest, g.min_open_interest);
    EXPECT_GE(c.volume, g.min_volume);
    if (std::isfinite(r->spread_pct)) {
      EXPECT_LE(r->spread_pct, g.max_spread_pct);
    }
    EXPECT_GE(r->score.score, 0.0);
    EXPECT_LE(r->score.score, 1.0);
  }
  for (std::size_t i = 1; i < returned.size(); ++i) {
    EXPECT_GE(returned[i - 1]->score.score, returned[i]->score.score);
  }
}

void PrintSelection(const char* title, const ContractSelection& sel, const std::vector<ContractQuote>& chain) {
  std::map<std::string_view, int> by_gate;
  for (const ContractRejection& r : sel.rejected) {
    ++by_gate[GateName(r.gate)];
  }
  std::printf("%s: %zu contracts, %zu rejected (", title, chain.size(), sel.rejected.size());
  for (const auto& [name, n] : by_gate) {
    std::printf(" %.*s=%d", static_cast<int>(name.size()), name.data(), n);
  }
  std::printf(" ), relaxations:");
  for (const RelaxationApplied& r : sel.relaxations) {
    const std::string_view name = RelaxationName(r.step);
    std::printf(" %.*s(%zu)", static_cast<int>(name.size()), name.data(), r.passing);
  }
  std::printf("\n");
  auto row = [&](const RankedContract& r) {
    const ContractQuote& c = chain[r.index];
    std::printf("  K=%-8.1f dte=%6.2f px=%8.2f spread=%5.2f%% iv=%5.1f%% delta=%+.3f oi=%8.0f vol=%8.0f score=%.3f",
                c.strike, c.dte_days, r.price, r.spread_pct, 100.0 * r.iv, r.greeks.delta, c.open_interest, c.volume,
                r.score.score);
    for (const ScenarioPnl& s : r.scenarios) {
      std::printf(" | %.0f: %.0f (taylor %.0f)", s.underlying, s.pnl_full, s.pnl_taylor);
    }
    if (r.sizing.contracts.has_value()) {
      std::printf(" | n=%ld", *r.sizing.contracts);
    }
    std::printf("\n");
  };
  if (sel.best.has_value()) {
    row(*sel.best);
  }
  for (std::size_t i = 0; i < sel.alternatives.size() && i < 3; ++i) {
    row(sel.alternatives[i]);
  }
}

// The scenario P/L of a long option rises with the underlying for a call (falls for a put).
void ExpectScenarioOrder(const RankedContract& r, bool call) {
  ASSERT_GE(r.scenarios.size(), 4u);
  const double stop = r.scenarios[1].pnl_full;
  const double entry = r.scenarios[0].pnl_full;
  const double t1 = r.scenarios[2].pnl_full;
  const double t2 = r.scenarios[3].pnl_full;
  EXPECT_LT(stop, entry);
  EXPECT_LT(entry, t1);
  EXPECT_LT(t1, t2);
  EXPECT_GE(stop, -r.price * 1e6) << call;  // finite
  ASSERT_TRUE(r.sizing.contracts.has_value());
  EXPECT_EQ(*r.sizing.contracts,
            static_cast<long>(std::floor(*r.sizing.risk_amount / r.sizing.loss_at_stop_per_contract)));
}

constexpr const char* kNseSnapshot = "20250829_123446";  // NSE as-of 29-Aug-2025 12:33:51 IST
constexpr double kNseAsOfDayFraction = (12.0 * 3600.0 + 33.0 * 60.0 + 51.0) / 86400.0;
constexpr double kNseExpiryDayFraction = 15.5 / 24.0;
constexpr double kInrRate = 0.065;
constexpr double kNiftyLot = 75.0;

// NIFTY contracts of every expiry within `max_days`: spot proxied by the front expiry's parity forward (four
// days of carry, ~0.03 %), each expiry's own forward reproduced through an implied yield q = r - ln(F/S)/T.
std::vector<ContractQuote> NiftyContracts(const std::vector<testing::NseRow>& rows, double max_days, double* spot) {
  const long as_of = testing::DaysFromCivil(2025, 8, 29);
  std::map<long, std::vector<const testing::NseRow*>> by_expiry;
  for (const testing::NseRow& r : rows) {
    const long day = testing::NseDateDays(r.expiry);
    if (day >= as_of && static_cast<double>(day - as_of) <= max_days) {
      by_expiry[day].push_back(&r);
    }
  }
  std::vector<ContractQuote> out;
  *spot = 0.0;
  for (const auto& [day, expiry_rows] : by_expiry) {
    const double days = static_cast<double>(day - as_of) + kNseExpiryDayFraction - kNseAsOfDayFraction;
    ChainSlice slice;
    slice.t_years = days / 365.0;
    slice.rate = kInrRate;
    for (const testing::NseRow* r : expiry_rows) {
      slice.strikes.push_back(r->quote);
    }
    const auto forward = ImpliedForward(slice);
    if (!forward.ok()) {
      continue;
    }
    if (*spot == 0.0) {
      *spot = forward->forward;
    }
    const double q = kInrRate - std::log(forward->forward / *spot) / slice.t_years;
    for (const testing::NseRow* r : expiry_rows) {
      for (OptionType right : {OptionType::kCall, OptionType::kPut}) {
        const bool call = right == OptionType::kCall;
        ContractQuote c;
        c.right = right;
        c.strike = r->quote.strike;
        c.dte_days = days;
        c.bid = call ? r->quote.call_bid : r->quote.put_bid;
        c.ask = call ? r->quote.call_ask : r->quote.put_ask;
        c.last = call ? r->quote.call_last : r->quote.put_last;
        c.open_interest = call ? r->quote.call_oi : r->quote.put_oi;
        c.volume = call ? r->quote.call_volume : r->quote.put_volume;
        c.underlying = *spot;
        c.rate = kInrRate;
        c.dividend_yield = q;
        c.multiplier = kNiftyLot;
        out.push_back(c);
      }
    }
  }
  return out;
}

TEST(ContractsDataTest, NiftySnapshotDirectionalBuys) {
  const std::string path = testing::DataFile("india/nifty_option_chain_snapshots/20250829_NIFTY.csv.gz");
  if (path.empty()) {
    GTEST_SKIP() << "NIFTY snapshots not found under " << testing::DataDir();
  }
  const auto rows = testing::ReadNseSnapshot(path, kNseSnapshot);
  ASSERT_GT(rows.size(), 700u);
  double spot = 0.0;
  const std::vector<ContractQuote> chain = NiftyContracts(rows, 60.0, &spot);
  ASSERT_GT(chain.size(), 500u);
  EXPECT_GT(spot, 24000.0);
  EXPECT_LT(spot, 25000.0);

  ContractGates gates;
  gates.max_spread_pct = 3.0;
  gates.min_abs_delta = 0.30;
  gates.max_abs_delta = 0.60;
  gates.min_dte = 0.0;
  gates.max_dte = 45.0;
  gates.min_open_interest = 5000.0;
  gates.min_volume = 10000.0;

  for (Bias bias : {Bias::kBullish, Bias::kBearish}) {
    const bool bullish = bias == Bias::kBullish;
    TradeIntent intent;
    intent.side = PremiumSide::kLong;
    intent.bias = bias;
    intent.entry = spot;
    intent.stop = bullish ? spot * 0.99 : spot * 1.01;
    intent.targets =
        bullish ? std::vector<double>{spot * 1.01, spot * 1.02} : std::vector<double>{spot * 0.99, spot * 0.98};
    intent.horizon_days = 2.0;
    intent.risk_amount = 20'000.0;  // INR
    const auto sel = SelectContracts(chain, intent, gates);
    ASSERT_TRUE(sel.ok()) << sel.error().ToString();
    PrintSelection(bullish ? "NIFTY long call" : "NIFTY long put", *sel, chain);
    ASSERT_TRUE(sel->best.has_value());
    EXPECT_EQ(sel->right, bullish ? OptionType::kCall : OptionType::kPut);
    ExpectConsistent(*sel, chain);
    // Every contract of the other right is rejected for its right and nothing else.
    std::size_t wrong_right = 0;
    for (const ContractRejection& r : sel->rejected) {
      wrong_right += r.gate == GateKind::kWrongRight ? 1 : 0;
    }
    EXPECT_EQ(wrong_right, chain.size() / 2);
    const RankedContract& best = *sel->best;
    EXPECT_TRUE(best.iv_solved);
    EXPECT_GT(best.iv, 0.05);
    EXPECT_LT(best.iv, 0.30);
    // A long put gains as the underlying falls: flip the anchors' order for the check.
    if (bullish) {
      ExpectScenarioOrder(best, true);
    } else {
      ASSERT_GE(best.scenarios.size(), 4u);
      EXPECT_LT(best.scenarios[1].pnl_full, best.scenarios[0].pnl_full);
      EXPECT_LT(best.scenarios[0].pnl_full, best.scenarios[2].pnl_full);
      EXPECT_LT(best.scenarios[2].pnl_full, best.scenarios[3].pnl_full);
    }
    // Full repricing at the first target is the BSM price there.
    const ContractQuote& c = chain[best.index];
    const double t_left = (c.dte_days - intent.horizon_days) / 365.0;
    const double direct = BsmPrice(c.right, {intent.targets[0], c.strike, t_left, c.rate, c.dividend_yield}, best.iv);
    EXPECT_NEAR(best.scenarios[2].option_price, direct, 1e-9 * direct);
    // A 1 % move over two days: the Taylor estimate is within a fifth of the full P/L.
    EXPECT_NEAR(best.scenarios[2].pnl_taylor, best.scenarios[2].pnl_full, 0.2 * std::fabs(best.scenarios[2].pnl_full));
  }
}

TEST(ContractsDataTest, NiftyLadderRelaxesTightGatesOnTheRealChain) {
  const std::string path = testing::DataFile("india/nifty_option_chain_snapshots/20250829_NIFTY.csv.gz");
  if (path.empty()) {
    GTEST_SKIP() << "NIFTY snapshots not found";
  }
  const auto rows = testing::ReadNseSnapshot(path, kNseSnapshot);
  double spot = 0.0;
  const std::vector<ContractQuote> chain = NiftyContracts(rows, 60.0, &spot);
  ASSERT_FALSE(chain.empty());
  // A spread cap of 0.05 % is tighter than every liquid near-the-money call on this snapshot (the tightest
  // is ~0.07 %): the first rung (x1.5 -> 0.075 %) admits it and the ladder stops there.
  ContractGates gates;
  gates.max_spread_pct = 0.05;
  gates.min_abs_delta = 0.30;
  gates.max_abs_delta = 0.60;
  gates.max_dte = 45.0;
  gates.min_open_interest = 1000.0;
  TradeIntent intent;
  intent.entry = spot;
  intent.stop = spot * 0.99;
  intent.targets = {spot * 1.01, spot * 1.02};
  SelectionOptions no_ladder;
  no_ladder.relaxation.enabled = false;
  const auto base = SelectContracts(chain, intent, gates, no_ladder);
  ASSERT_TRUE(base.ok());
  EXPECT_FALSE(base->best.has_value());
  const auto sel = SelectContracts(chain, intent, gates);
  ASSERT_TRUE(sel.ok());
  PrintSelection("NIFTY tight spread", *sel, chain);
  ASSERT_EQ(sel->relaxations.size(), 1u);
  EXPECT_EQ(sel->relaxations[0].step, Relaxation::kSpreadWidened);
  EXPECT_GE(sel->relaxations[0].passing, 1u);
  ASSERT_TRUE(sel->best.has_value());
  EXPECT_GT(sel->best->spread_pct, 0.05);
  EXPECT_LE(sel->best->spread_pct, 0.075);
  ExpectConsistent(*sel, chain);
  // Contracts rejected for a spread in (0.05 %, 0.075 %] at the base gates are no longer rejected for their
  // spread; they either pass or fail a later gate (delta, OI, volume).
  for (const ContractRejection& r : base->rejected) {
    if (r.gate == GateKind::kSpread && r.measured <= 0.075) {
      for (const ContractRejection& now : sel->rejected) {
        if (now.index == r.index) {
          EXPECT_GT(static_cast<int>(now.gate), static_cast<int>(GateKind::kSpread)) << chain[r.index].strike;
        }
      }
    }
  }
}

// QuantConnect universe rows: expiry,strike,right,open,high,low,close,volume,open_interest,iv,delta,...
TEST(ContractsDataTest, GoogUniverseFromDailyCloses) {
  const std::string path = testing::DataFile("us_options/lean/universes/option_universe_goog_20151223.csv");
  if (path.empty()) {
    GTEST_SKIP() << "Lean option universes not found under " << testing::DataDir();
  }
  std::ifstream in(path);
  ASSERT_TRUE(in.good());
  std::string line;
  std::getline(in, line);  // header
  std::getline(in, line);  // the underlying's daily bar
  const auto underlying_fields = testing::SplitCsv(line);
  ASSERT_GE(underlying_fields.size(), 7u);
  const double spot = std::stod(underlying_fields[6]);
  EXPECT_NEAR(spot, 748.54, 1e-9);
  const long as_of = testing::DaysFromCivil(2015, 12, 23);
  std::vector<ContractQuote> chain;
  while (std::getline(in, line)) {
    const auto f = testing::SplitCsv(line);
    if (f.size() < 9 || f[0].size() != 8) {
      continue;
    }
    const long expiry =
        testing::DaysFromCivil(std::stol(f[0].substr(0, 4)), static_cast<unsigned>(std::stoul(f[0].substr(4, 2))),
                               static_cast<unsigned>(std::stoul(f[0].substr(6, 2))));
    ContractQuote c;
    c.right = f[2] == "C" ? OptionType::kCall : OptionType::kPut;
    c.strike = std::stod(f[1]);
    c.dte_days = static_cast<double>(expiry - as_of);
    c.last = std::stod(f[6]);
    c.volume = std::stod(f[7]);
    c.open_interest = f[8].empty() ? 0.0 : std::stod(f[8]);
    c.underlying = spot;
    c.rate = 0.005;  // US T-bills, Dec 2015
    c.multiplier = 100.0;
    chain.push_back(c);
  }
  ASSERT_GT(chain.size(), 2000u);
  ContractGates gates;
  gates.max_spread_pct = std::numeric_limits<double>::infinity();  // closes only, no quotes
  gates.min_abs_delta = 0.30;
  gates.max_abs_delta = 0.60;
  gates.min_dte = 7.0;
  gates.max_dte = 60.0;
  gates.min_open_interest = 200.0;
  gates.min_volume = 20.0;
  TradeIntent intent;
  intent.entry = spot;
  intent.stop = 730.0;
  intent.targets = {770.0, 790.0};
  intent.horizon_days = 5.0;
  intent.risk_amount = 2000.0;
  const auto sel = SelectContracts(chain, intent, gates);
  ASSERT_TRUE(sel.ok()) << sel.error().ToString();
  PrintSelection("GOOG long call", *sel, chain);
  ASSERT_TRUE(sel->best.has_value());
  ExpectConsistent(*sel, chain);
  ExpectScenarioOrder(*sel->best, true);
  EXPECT_GT(sel->best->iv, 0.1);
  EXPECT_LT(sel->best->iv, 0.8);
  // Stale closes outside the no-arbitrage bounds are rejected for their volatility, not silently used.
  std::size_t no_vol = 0;
  for (const ContractRejection& r : sel->rejected) {
    no_vol += r.gate == GateKind::kNoVolatility ? 1 : 0;
  }
  std::printf("GOOG: %zu calls without a solvable IV\n", no_vol);
}

}  // namespace
}  // namespace td::options
