// SPDX-License-Identifier: MIT
#include "options/contracts.hpp"

#include <cmath>
#include <limits>
#include <vector>

#include <gtest/gtest.h>

namespace td::options {
namespace {

constexpr double kSpot = 100.0;
constexpr double kRate = 0.03;
constexpr double kVol = 0.25;

// A contract priced by BSM at kVol, quoted with a symmetric spread of `spread_pct` of the mid.
ContractQuote Priced(OptionType right, double strike, double dte, double spread_pct = 2.0, double oi = 5000.0,
                     double volume = 1000.0) {
  ContractQuote c;
  c.right = right;
  c.strike = strike;
  c.dte_days = dte;
  c.underlying = kSpot;
  c.rate = kRate;
  c.multiplier = 100.0;
  const double mid = BsmPrice(right, {kSpot, strike, dte / 365.0, kRate, 0.0}, kVol);
  c.bid = mid * (1.0 - spread_pct / 200.0);
  c.ask = mid * (1.0 + spread_pct / 200.0);
  c.last = mid;
  c.open_interest = oi;
  c.volume = volume;
  return c;
}

TradeIntent BullishBuy() {
  TradeIntent intent;
  intent.side = PremiumSide::kLong;
  intent.bias = Bias::kBullish;
  intent.entry = 100.0;
  intent.stop = 97.0;
  intent.targets = {104.0, 108.0};
  intent.horizon_days = 5.0;
  return intent;
}

ContractGates Gates() {
  ContractGates g;
  g.max_spread_pct = 10.0;
  g.min_abs_delta = 0.30;
  g.max_abs_delta = 0.60;
  g.min_dte = 7.0;
  g.max_dte = 45.0;
  g.min_open_interest = 500.0;
  g.min_volume = 100.0;
  return g;
}

SelectionOptions NoLadder() {
  SelectionOptions o;
  o.relaxation.enabled = false;
  return o;
}

const ContractRejection* RejectionOf(const ContractSelection& s, std::size_t index) {
  for (const ContractRejection& r : s.rejected) {
    if (r.index == index) {
      return &r;
    }
  }
  return nullptr;
}

TEST(ContractsTest, RightFollowsSideAndBias) {
  EXPECT_EQ(RightFor(PremiumSide::kLong, Bias::kBullish), OptionType::kCall);
  EXPECT_EQ(RightFor(PremiumSide::kLong, Bias::kBearish), OptionType::kPut);
  EXPECT_EQ(RightFor(PremiumSide::kShort, Bias::kBullish), OptionType::kPut);
  EXPECT_EQ(RightFor(PremiumSide::kShort, Bias::kBearish), OptionType::kCall);
}

TEST(ContractsTest, EachGateRejectsAContractThatFailsOnlyThatGate) {
  // Index 0 is the reference: ATM call, 30 DTE, 2 % spread, deep OI and volume; it passes everything.
  std::vector<ContractQuote> chain;
  chain.push_back(Priced(OptionType::kCall, 100.0, 30.0));
  chain.push_back(Priced(OptionType::kPut, 100.0, 30.0));  // 1: wrong right
  ContractQuote no_price = Priced(OptionType::kCall, 100.0, 30.0);
  no_price.bid = no_price.ask = no_price.last = 0.0;
  chain.push_back(no_price);  // 2
  ContractQuote below_intrinsic = Priced(OptionType::kCall, 90.0, 30.0);
  below_intrinsic.bid = below_intrinsic.ask = below_intrinsic.last = 9.0;      // < S - K e^{-rT}
  chain.push_back(below_intrinsic);                                            // 3: no volatility
  chain.push_back(Priced(OptionType::kCall, 100.0, 60.0));                     // 4: DTE above
  chain.push_back(Priced(OptionType::kCall, 100.0, 3.0));                      // 5: DTE below
  chain.push_back(Priced(OptionType::kCall, 100.0, 30.0, 20.0));               // 6: spread 20 %
  chain.push_back(Priced(OptionType::kCall, 115.0, 30.0));                     // 7: delta below 0.30
  chain.push_back(Priced(OptionType::kCall, 85.0, 30.0));                      // 8: delta above 0.60
  chain.push_back(Priced(OptionType::kCall, 100.0, 30.0, 2.0, 100.0));         // 9: OI
  chain.push_back(Priced(OptionType::kCall, 100.0, 30.0, 2.0, 5000.0, 10.0));  // 10: volume

  const auto sel = SelectContracts(chain, BullishBuy(), Gates(), NoLadder());
  ASSERT_TRUE(sel.ok()) << sel.error().ToString();
  ASSERT_TRUE(sel->best.has_value());
  EXPECT_EQ(sel->best->index, 0u);
  EXPECT_TRUE(sel->alternatives.empty());
  EXPECT_TRUE(sel->relaxations.empty());
  ASSERT_EQ(sel->rejected.size(), chain.size() - 1);

  const struct {
    std::size_t index;
    GateKind gate;
    double measured;
    double limit;
  } expected[] = {
      {4, GateKind::kDte, 60.0, 45.0},      {5, GateKind::kDte, 3.0, 7.0},
      {6, GateKind::kSpread, 20.0, 10.0},   {7, GateKind::kDelta, 0.0, 0.30},
      {8, GateKind::kDelta, 0.0, 0.60},     {9, GateKind::kOpenInterest, 100.0, 500.0},
      {10, GateKind::kVolume, 10.0, 100.0},
  };
  for (const auto& e : expected) {
    const ContractRejection* r = RejectionOf(*sel, e.index);
    ASSERT_NE(r, nullptr) << e.index;
    EXPECT_EQ(r->gate, e.gate) << e.index << " " << GateName(r->gate);
    EXPECT_DOUBLE_EQ(r->limit, e.limit) << e.index;
    if (e.gate != GateKind::kDelta) {
      EXPECT_NEAR(r->measured, e.measured, 1e-9) << e.index;
    }
  }
  EXPECT_EQ(RejectionOf(*sel, 1)->gate, GateKind::kWrongRight);
  EXPECT_EQ(RejectionOf(*sel, 2)->gate, GateKind::kNoPrice);
  EXPECT_EQ(RejectionOf(*sel, 3)->gate, GateKind::kNoVolatility);
  EXPECT_LT(RejectionOf(*sel, 7)->measured, 0.30);
  EXPECT_GT(RejectionOf(*sel, 8)->measured, 0.60);

  // "Only that gate": disabling the gate lets exactly that contract through.
  const auto passes_with = [&](std::size_t index, ContractGates g) {
    const auto s = SelectContracts(chain, BullishBuy(), g, NoLadder());
    return s.ok() && RejectionOf(*s, index) == nullptr;
  };
  ContractGates g = Gates();
  g.max_dte = 1e9;
  EXPECT_TRUE(passes_with(4, g));
  g = Gates();
  g.min_dte = 0.0;
  EXPECT_TRUE(passes_with(5, g));
  g = Gates();
  g.max_spread_pct = std::numeric_limits<double>::infinity();
  EXPECT_TRUE(passes_with(6, g));
  g = Gates();
  g.min_abs_delta = 0.0;
  EXPECT_TRUE(passes_with(7, g));
  g = Gates();
  g.max_abs_delta = 1.0;
  EXPECT_TRUE(passes_with(8, g));
  g = Gates();
  g.min_open_interest = 0.0;
  EXPECT_TRUE(passes_with(9, g));
  g = Gates();
  g.min_volume = 0.0;
  EXPECT_TRUE(passes_with(10, g));
}

TEST(ContractsTest, MissingQuoteFailsTheSpreadGateUnlessItIsDisabled) {
  ContractQuote c = Priced(OptionType::kCall, 100.0, 30.0);
  const double last = c.last;
  c.bid = 0.0;
  c.ask = 0.0;
  std::vector<ContractQuote> chain{c};
  auto sel = SelectContracts(chain, BullishBuy(), Gates(), NoLadder());
  ASSERT_TRUE(sel.ok());
  ASSERT_EQ(sel->rejected.size(), 1u);
  EXPECT_EQ(sel->rejected[0].gate, GateKind::kSpread);
  EXPECT_TRUE(std::isinf(sel->rejected[0].measured));
  ContractGates g = Gates();
  g.max_spread_pct = std::numeric_limits<double>::infinity();
  sel = SelectContracts(chain, BullishBuy(), g, NoLadder());
  ASSERT_TRUE(sel.ok() && sel->best.has_value());
  EXPECT_DOUBLE_EQ(sel->best->price, last);
  EXPECT_TRUE(std::isnan(sel->best->spread_pct));
  // The IV was solved from the last price and recovers the pricing volatility.
  EXPECT_TRUE(sel->best->iv_solved);
  EXPECT_NEAR(sel->best->iv, kVol, 1e-12);
}

TEST(ContractsTest, QuotedIvIsUsedAsGiven) {
  ContractQuote c = Priced(OptionType::kCall, 100.0, 30.0);
  c.iv = 0.31;
  std::vector<ContractQuote> chain{c};
  const auto sel = SelectContracts(chain, BullishBuy(), Gates(), NoLadder());
  ASSERT_TRUE(sel.ok() && sel->best.has_value());
  EXPECT_FALSE(sel->best->iv_solved);
  EXPECT_EQ(sel->best->iv, 0.31);
  EXPECT_DOUBLE_EQ(sel->best->greeks.delta,
                   BsmGreeks(OptionType::kCall, {kSpot, 100.0, 30.0 / 365.0, kRate, 0.0}, 0.31).delta);
}

// Which rungs were applied, by name.
std::vector<Relaxation> Rungs(const ContractSelection& s) {
  std::vector<Relaxation> out;
  for (const RelaxationApplied& r : s.relaxations) {
    out.push_back(r.step);
  }
  return out;
}

TEST(ContractsTest, LadderRelaxesInOrderAndStopsAtTheFirstRungWithCandidates) {
  const TradeIntent intent = BullishBuy();
  // Spread 12 % against 10 %: the first rung (x1.5 -> 15 %) suffices.
  {
    std::vector<ContractQuote> chain{Priced(OptionType::kCall, 100.0, 30.0, 12.0)};
    const auto sel = SelectContracts(chain, intent, Gates());
    ASSERT_TRUE(sel.ok());
    EXPECT_EQ(Rungs(*sel), (std::vector<Relaxation>{Relaxation::kSpreadWidened}));
    EXPECT_DOUBLE_EQ(sel->gates_used.max_spread_pct, 15.0);
    EXPECT_EQ(sel->relaxations[0].passing, 1u);
    ASSERT_TRUE(sel->best.has_value());
  }
  // Delta just outside the window: spread rung (no help), then delta rung.
  {
    std::vector<ContractQuote> chain{Priced(OptionType::kCall, 105.0, 30.0)};
    const auto base = SelectContracts(chain, intent, Gates(), NoLadder());
    ASSERT_TRUE(base.ok());
    ASSERT_EQ(base->rejected.size(), 1u);
    ASSERT_EQ(base->rejected[0].gate, GateKind::kDelta);
    ASSERT_GT(base->rejected[0].measured, 0.25);  // within one rung of 0.30
    const auto sel = SelectContracts(chain, intent, Gates());
    ASSERT_TRUE(sel.ok());
    EXPECT_EQ(Rungs(*sel), (std::vector<Relaxation>{Relaxation::kSpreadWidened, Relaxation::kDeltaWidened}));
    EXPECT_EQ(sel->relaxations[0].passing, 0u);
    EXPECT_EQ(sel->relaxations[1].passing, 1u);
    EXPECT_DOUBLE_EQ(sel->gates_used.min_abs_delta, 0.25);
    EXPECT_DOUBLE_EQ(sel->gates_used.max_abs_delta, 0.65);
    EXPECT_TRUE(sel->best.has_value());
  }
  // DTE 50 against 45: spread, delta, then DTE (+max(2, 0.25 * 45) = 11.25 days).
  {
    std::vector<ContractQuote> chain{Priced(OptionType::kCall, 100.0, 50.0)};
    const auto sel = SelectContracts(chain, intent, Gates());
    ASSERT_TRUE(sel.ok());
    EXPECT_EQ(Rungs(*sel), (std::vector<Relaxation>{Relaxation::kSpreadWidened, Relaxation::kDeltaWidened,
                                                    Relaxation::kDteWidened}));
    EXPECT_DOUBLE_EQ(sel->gates_used.max_dte, 56.25);
    EXPECT_DOUBLE_EQ(sel->gates_used.min_dte, 0.0);
  }
  // OI 300 against 500: floors halved (250) is enough; OI 100 needs the floors removed.
  {
    std::vector<ContractQuote> chain{Priced(OptionType::kCall, 100.0, 30.0, 2.0, 300.0)};
    const auto sel = SelectContracts(chain, intent, Gates());
    ASSERT_TRUE(sel.ok());
    EXPECT_EQ(Rungs(*sel).size(), 4u);
    EXPECT_EQ(Rungs(*sel).back(), Relaxation::kFloorsHalved);
    EXPECT_DOUBLE_EQ(sel->gates_used.min_open_interest, 250.0);
    EXPECT_DOUBLE_EQ(sel->gates_used.min_volume, 50.0);
    chain[0].open_interest = 100.0;
    const auto sel2 = SelectContracts(chain, intent, Gates());
    ASSERT_TRUE(sel2.ok());
    EXPECT_EQ(Rungs(*sel2).back(), Relaxation::kFloorsRemoved);
    EXPECT_EQ(Rungs(*sel2).size(), 5u);
    EXPECT_TRUE(sel2->best.has_value());
  }
  // Nothing can pass (only puts for a call intent): every rung is tried, every contract stays rejected.
  {
    std::vector<ContractQuote> chain{Priced(OptionType::kPut, 100.0, 30.0), Priced(OptionType::kPut, 95.0, 30.0)};
    const auto sel = SelectContracts(chain, intent, Gates());
    ASSERT_TRUE(sel.ok());
    EXPECT_FALSE(sel->best.has_value());
    EXPECT_EQ(Rungs(*sel).size(), 5u);
    ASSERT_EQ(sel->rejected.size(), 2u);
    EXPECT_EQ(sel->rejected[0].gate, GateKind::kWrongRight);
  }
  // A rung that changes nothing is skipped: with no floors, the ladder has three rungs at most.
  {
    ContractGates g = Gates();
    g.min_open_interest = 0.0;
    g.min_volume = 0.0;
    std::vector<ContractQuote> chain{Priced(OptionType::kPut, 100.0, 30.0)};
    const auto sel = SelectContracts(chain, intent, g);
    ASSERT_TRUE(sel.ok());
    EXPECT_EQ(Rungs(*sel).size(), 3u);
  }
  // min_candidates: with two needed, one passing contract is not enough at the base gates.
  {
    std::vector<ContractQuote> chain{Priced(OptionType::kCall, 100.0, 30.0),
                                     Priced(OptionType::kCall, 100.0, 30.0, 12.0)};
    SelectionOptions o;
    o.relaxation.min_candidates = 2;
    const auto sel = SelectContracts(chain, intent, Gates(), o);
    ASSERT_TRUE(sel.ok());
    EXPECT_EQ(Rungs(*sel), (std::vector<Relaxation>{Relaxation::kSpreadWidened}));
    EXPECT_EQ(sel->alternatives.size(), 1u);
    const auto one = SelectContracts(chain, intent, Gates());
    ASSERT_TRUE(one.ok());
    EXPECT_TRUE(one->relaxations.empty());
  }
}

TEST(ContractsTest, ScoreIsBoundedAndMonotonicInSpreadAndOpenInterest) {
  const ScoreWeights w;
  auto score = [&](double spread, double oi) {
    return TradeabilityScore(spread, oi, 500.0, 0.45, 0.45, 20.0, 20.0, 0.2, 0.2, PremiumSide::kLong, w);
  };
  double previous = 2.0;
  for (double spread = 0.0; spread <= 60.0; spread += 0.5) {
    const double s = score(spread, 2000.0).score;
    EXPECT_LT(s, previous) << spread;
    EXPECT_GE(s, 0.0);
    EXPECT_LE(s, 1.0);
    previous = s;
  }
  previous = -1.0;
  for (double oi = 0.0; oi < w.oi_full; oi = oi * 1.5 + 1.0) {
    const double s = score(2.0, oi).score;
    EXPECT_GT(s, previous) << oi;
    previous = s;
  }
  // Saturation above oi_full, and the perfect contract scores 1 only with every feature at 1.
  EXPECT_DOUBLE_EQ(score(2.0, w.oi_full).open_interest, 1.0);
  EXPECT_DOUBLE_EQ(score(2.0, 10.0 * w.oi_full).score, score(2.0, w.oi_full).score);
  const ScoreBreakdown perfect =
      TradeabilityScore(0.0, 1e6, 1e6, 0.5, 0.5, 10.0, 10.0, 0.15, 0.2, PremiumSide::kLong, w);
  EXPECT_DOUBLE_EQ(perfect.spread, 1.0);
  EXPECT_DOUBLE_EQ(perfect.delta, 1.0);
  EXPECT_DOUBLE_EQ(perfect.dte, 1.0);
  EXPECT_DOUBLE_EQ(perfect.iv, 1.0);  // 25 % below the median when buying
  EXPECT_DOUBLE_EQ(perfect.score, 1.0);
  // Selling premium prefers the rich side; delta fit falls off linearly to zero at the tolerance.
  EXPECT_GT(TradeabilityScore(2.0, 1e3, 1e3, 0.5, 0.5, 10, 10, 0.25, 0.2, PremiumSide::kShort, w).iv, 0.5);
  EXPECT_DOUBLE_EQ(TradeabilityScore(2.0, 1e3, 1e3, 0.5, 0.75, 10, 10, 0.2, 0.2, PremiumSide::kLong, w).delta, 0.0);
  EXPECT_NEAR(TradeabilityScore(2.0, 1e3, 1e3, 0.5, 0.6, 10, 10, 0.2, 0.2, PremiumSide::kLong, w).delta, 0.6, 1e-12);
}

TEST(ContractsTest, RankingPrefersTighterSpreadAndDeeperOpenInterest) {
  std::vector<ContractQuote> chain{
      Priced(OptionType::kCall, 100.0, 30.0, 6.0, 5000.0),  // wider
      Priced(OptionType::kCall, 100.0, 30.0, 2.0, 800.0),   // shallower
      Priced(OptionType::kCall, 100.0, 30.0, 2.0, 5000.0),  // best
  };
  const auto sel = SelectContracts(chain, BullishBuy(), Gates());
  ASSERT_TRUE(sel.ok() && sel->best.has_value());
  EXPECT_EQ(sel->best->index, 2u);
  ASSERT_EQ(sel->alternatives.size(), 2u);
  EXPECT_GT(sel->best->score.score, sel->alternatives[0].score.score);
  EXPECT_GE(sel->alternatives[0].score.score, sel->alternatives[1].score.score);
}

TEST(ContractsTest, FullRepricingEqualsPricingTheOptionAtTheScenario) {
  TradeIntent intent = BullishBuy();
  intent.vol_shift = -0.02;
  std::vector<ContractQuote> chain{Priced(OptionType::kCall, 102.0, 30.0)};
  const auto sel = SelectContracts(chain, intent, Gates());
  ASSERT_TRUE(sel.ok() && sel->best.has_value());
  const RankedContract& best = *sel->best;
  ASSERT_EQ(best.scenarios.size(), 4u);
  EXPECT_EQ(best.scenarios[0].anchor, AnchorKind::kEntry);
  EXPECT_EQ(best.scenarios[1].anchor, AnchorKind::kStop);
  EXPECT_EQ(best.scenarios[3].target_index, 1);
  const double t_left = (30.0 - 5.0) / 365.0;
  for (const ScenarioPnl& s : best.scenarios) {
    const double direct = BsmPrice(OptionType::kCall, {s.underlying, 102.0, t_left, kRate, 0.0}, best.iv - 0.02);
    EXPECT_NEAR(s.option_price, direct, 1e-12 * direct);
    EXPECT_NEAR(s.pnl_full, (direct - best.price) * 100.0, 1e-9);
  }
  // Long call: loss at the stop, gain at both targets, more at the farther one.
  EXPECT_LT(best.scenarios[1].pnl_full, 0.0);
  EXPECT_GT(best.scenarios[2].pnl_full, 0.0);
  EXPECT_GT(best.scenarios[3].pnl_full, best.scenarios[2].pnl_full);

  // Selling premium flips the sign: a bearish short call collects at the target.
  TradeIntent short_intent;
  short_intent.side = PremiumSide::kShort;
  short_intent.bias = Bias::kBearish;
  short_intent.entry = 100.0;
  short_intent.stop = 103.0;
  short_intent.targets = {96.0};
  short_intent.horizon_days = 5.0;
  const auto short_sel = SelectContracts(chain, short_intent, Gates());
  ASSERT_TRUE(short_sel.ok() && short_sel->best.has_value());
  EXPECT_EQ(short_sel->right, OptionType::kCall);
  EXPECT_GT(short_sel->best->scenarios[2].pnl_full, 0.0);
  EXPECT_LT(short_sel->best->scenarios[1].pnl_full, 0.0);
}

TEST(ContractsTest, TaylorEstimateIsCloseForSmallMovesAndDivergesForLargeOnes) {
  const ContractQuote c = Priced(OptionType::kCall, 100.0, 30.0);
  const double t = 30.0 / 365.0;
  const Greeks g = BsmGreeks(OptionType::kCall, {kSpot, 100.0, t, kRate, 0.0}, kVol);
  const double premium = g.price * c.multiplier;
  auto error_at = [&](double move, double horizon_days, double vol_shift) {
    const ScenarioPnl s =
        PriceScenario(c, t, kVol, g.price, g, PremiumSide::kLong, kSpot * (1.0 + move), horizon_days, vol_shift);
    return std::fabs(s.pnl_taylor - s.pnl_full);
  };
  // Small: a 0.5 % move, an hour, a quarter vol point -> error well below 1 % of the premium.
  EXPECT_LT(error_at(0.005, 1.0 / 24.0, 0.0025), 0.01 * premium);
  // The remaining error is third order in the move: doubling a small move multiplies it by ~8.
  const double e1 = error_at(0.01, 0.0, 0.0);
  const double e2 = error_at(0.02, 0.0, 0.0);
  EXPECT_GT(e2 / e1, 6.0);
  EXPECT_LT(e2 / e1, 10.0);
  // Large: a 20 % crash. The quadratic term grows without bound while the option can lose at most its
  // premium, so the estimate misses by more than half the premium; the full repricing stays above -premium.
  const ScenarioPnl crash = PriceScenario(c, t, kVol, g.price, g, PremiumSide::kLong, 80.0, 1.0, 0.0);
  EXPECT_GE(crash.pnl_full, -premium);
  EXPECT_GT(std::fabs(crash.pnl_taylor - crash.pnl_full), 0.5 * premium);
}

TEST(ContractsTest, SizingFromTheLossAtTheStopAndRiskNeverFilters) {
  std::vector<ContractQuote> chain{Priced(OptionType::kCall, 100.0, 30.0), Priced(OptionType::kCall, 104.0, 30.0),
                                   Priced(OptionType::kCall, 96.0, 30.0)};
  TradeIntent intent = BullishBuy();
  intent.risk_amount = 1000.0;
  const auto sel = SelectContracts(chain, intent, Gates());
  ASSERT_TRUE(sel.ok() && sel->best.has_value());
  const RankedContract& best = *sel->best;
  const Sizing& z = best.sizing;
  const double loss = -best.scenarios[1].pnl_full;
  ASSERT_GT(loss, 0.0);
  EXPECT_DOUBLE_EQ(z.loss_at_stop_per_contract, loss);
  ASSERT_TRUE(z.contracts.has_value());
  const long n = *z.contracts;
  EXPECT_EQ(n, static_cast<long>(std::floor(1000.0 / loss)));
  EXPECT_LE(static_cast<double>(n) * loss, 1000.0);
  EXPECT_GT(static_cast<double>(n + 1) * loss, 1000.0);
  EXPECT_DOUBLE_EQ(z.max_loss, static_cast<double>(n) * loss);
  EXPECT_DOUBLE_EQ(z.best_target_pnl, static_cast<double>(n) * best.scenarios[3].pnl_full);
  EXPECT_DOUBLE_EQ(z.premium_per_contract, best.price * 100.0);

  // A risk amount smaller than one contract's loss sizes to zero but selects exactly the same contracts.
  TradeIntent tiny = intent;
  tiny.risk_amount = 1.0;
  const auto small = SelectContracts(chain, tiny, Gates());
  ASSERT_TRUE(small.ok() && small->best.has_value());
  EXPECT_EQ(small->best->index, best.index);
  EXPECT_EQ(small->alternatives.size(), sel->alternatives.size());
  EXPECT_EQ(small->rejected.size(), sel->rejected.size());
  EXPECT_EQ(*small->best->sizing.contracts, 0);
  // Without a risk amount there is no count.
  const auto none = SelectContracts(chain, BullishBuy(), Gates());
  ASSERT_TRUE(none.ok() && none->best.has_value());
  EXPECT_FALSE(none->best->sizing.contracts.has_value());
}

TEST(ContractsTest, InvalidIntentsAreStructuredErrors) {
  std::vector<ContractQuote> chain{Priced(OptionType::kCall, 100.0, 30.0)};
  TradeIntent wrong_stop = BullishBuy();
  wrong_stop.stop = 101.0;
  auto r = SelectContracts(chain, wrong_stop, Gates());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "stop");
  TradeIntent wrong_target = BullishBuy();
  wrong_target.targets = {99.0};
  r = SelectContracts(chain, wrong_target, Gates());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "targets");
  TradeIntent bad_risk = BullishBuy();
  bad_risk.risk_amount = -5.0;
  r = SelectContracts(chain, bad_risk, Gates());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "risk_amount");
  ContractGates inverted = Gates();
  inverted.min_abs_delta = 0.7;
  r = SelectContracts(chain, BullishBuy(), inverted);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "gates");
}

}  // namespace
}  // namespace td::options
