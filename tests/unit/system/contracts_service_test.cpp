// SPDX-License-Identifier: MIT
// ContractsService: over the seeded simulator (US OCC and Indian OpenAlgo chains, stored plans per user), and
// RankChain on real recorded chains — the NSE NIFTY snapshot of 29-Aug-2025 (quotes, OI, volume) and the
// QuantConnect GOOG universe of 23-Dec-2015 (daily closes, OI, volume) — with every gate shown rejecting
// contracts that really break it and the relaxation ladder firing. The real-data tests skip cleanly when
// $TRADEDESK_DATA_DIR (default ../shared/data) is absent.
#include "system/contracts_service.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <string>

#include "data/archive.hpp"
#include "model/symbology.hpp"
#include "options/chain.hpp"
#include "unit/options/nse_snapshot.hpp"
#include "unit/options/test_data.hpp"
#include "unit/persistence/temp_dir.hpp"

namespace td::system {
namespace {

using options::GateKind;
using persistence::testing::TempDir;

UnixNanos At(const char* iso) {
  auto t = UnixNanos::ParseIso8601(iso);
  EXPECT_TRUE(t.ok()) << iso;
  return *t;
}

Price Px(double v, int precision = 2) {
  return *Price::FromDouble(v, precision);
}
Quantity Qty(double v) {
  return *Quantity::FromDouble(v, 0);
}

std::vector<const ContractPick*> Picks(const ContractsAnswer& a) {
  std::vector<const ContractPick*> out;
  if (a.best)
    out.push_back(&*a.best);
  for (const ContractPick& p : a.alternatives)
    out.push_back(&p);
  return out;
}

/// Every returned contract passes the final gates; every listed rejection breaks the gate it names.
void ExpectConsistent(const ContractsAnswer& a) {
  const options::ContractGates& g = a.gates_used;
  for (const ContractPick* p : Picks(a)) {
    const double delta = std::fabs(p->analytics.greeks.delta);
    EXPECT_GE(delta, g.min_abs_delta - 1e-12);
    EXPECT_LE(delta, g.max_abs_delta + 1e-12);
    EXPECT_GE(p->quote.dte_days, g.min_dte);
    EXPECT_LE(p->quote.dte_days, g.max_dte);
    EXPECT_GE(p->quote.open_interest, g.min_open_interest);
    EXPECT_GE(p->quote.volume, g.min_volume);
    if (std::isfinite(p->analytics.spread_pct)) {
      EXPECT_LE(p->analytics.spread_pct, g.max_spread_pct);
    }
    EXPECT_EQ(p->quote.right, a.right);
    EXPECT_EQ(p->analytics.scenarios.size(), 2 + a.plan.intent.targets.size());
  }
  for (const ContractReject& r : a.rejected) {
    EXPECT_NE(r.gate, GateKind::kWrongRight) << "wrong-right rejections are only counted";
    EXPECT_FALSE(r.reason.empty());
    switch (r.gate) {
      case GateKind::kDte:
        EXPECT_TRUE(r.measured < g.min_dte || r.measured > g.max_dte) << r.reason;
        break;
      case GateKind::kSpread:
        EXPECT_GT(r.measured, g.max_spread_pct) << r.reason;
        break;
      case GateKind::kDelta:
        EXPECT_TRUE(r.measured < g.min_abs_delta || r.measured > g.max_abs_delta) << r.reason;
        break;
      case GateKind::kOpenInterest:
        EXPECT_LT(r.measured, g.min_open_interest) << r.reason;
        EXPECT_LT(r.contract.open_interest.AsDouble(), g.min_open_interest);
        break;
      case GateKind::kVolume:
        EXPECT_LT(r.measured, g.min_volume) << r.reason;
        EXPECT_LT(r.contract.volume.AsDouble(), g.min_volume);
        break;
      default:
        break;
    }
  }
  std::size_t counted = 0;
  for (const auto& [gate, n] : a.rejected_by_gate)
    counted += n;
  EXPECT_EQ(counted, a.rejected_total);
  EXPECT_EQ(a.rejected_total + Picks(a).size() <= a.contracts_considered, true);
  const auto wrong = a.rejected_by_gate.find("wrong_right");
  EXPECT_EQ(a.rejected.size() + (wrong == a.rejected_by_gate.end() ? 0 : wrong->second), a.rejected_total);
}

std::size_t Count(const ContractsAnswer& a, std::string_view gate) {
  auto it = a.rejected_by_gate.find(std::string(gate));
  return it == a.rejected_by_gate.end() ? 0 : it->second;
}

// ---- simulator-backed service ------------------------------------------------------------------------------

class ContractsServiceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // A Tuesday, 15:00 UTC = 11:00 ET: NYSE open.
    clock_ = new TestClock(At("2025-09-16T15:00:00Z"));
    auto market = MarketService::StartSimulator({.seed = 7, .history_days = 5}, *clock_);
    ASSERT_TRUE(market.ok()) << market.error().ToString();
    market_ = market->release();
  }
  static void TearDownTestSuite() {
    delete market_;
    delete clock_;
  }
  void SetUp() override {
    auto store = plans::PlanStore::Open(dir_ / "plans.db", *clock_);
    ASSERT_TRUE(store.ok()) << store.error().ToString();
    store_ = std::move(store).value();
    service_ = std::make_unique<ContractsService>(*market_, store_.get());
  }

  double Spot(const char* symbol) {
    auto info = market_->Resolve(symbol);
    EXPECT_TRUE(info.ok());
    auto chain = market_->Chain(info->id);
    EXPECT_TRUE(chain.ok());
    return chain->underlying_price.AsDouble();
  }

  ContractsQuery Explicit(const char* symbol, bool bullish, double spot) {
    ContractsQuery q;
    ContractsPlan plan;
    plan.symbol = symbol;
    plan.bias = bullish ? options::Bias::kBullish : options::Bias::kBearish;
    plan.entry = spot;
    plan.stop = bullish ? spot * 0.995 : spot * 1.005;
    plan.targets =
        bullish ? std::vector<double>{spot * 1.005, spot * 1.01} : std::vector<double>{spot * 0.995, spot * 0.99};
    q.plan = plan;
    return q;
  }

  static TestClock* clock_;
  static MarketService* market_;
  TempDir dir_;
  std::unique_ptr<plans::PlanStore> store_;
  std::unique_ptr<ContractsService> service_;
  const plans::UserScope alice_{"alice", false};
  const plans::UserScope bob_{"bob", false};
};

TestClock* ContractsServiceTest::clock_ = nullptr;
MarketService* ContractsServiceTest::market_ = nullptr;

TEST_F(ContractsServiceTest, UsPlanPicksOccCallsWithScenariosAndSizing) {
  const double spot = Spot("SPY");
  ASSERT_GT(spot, 0.0);
  ContractsQuery q = Explicit("SPY", true, spot);
  q.risk_amount = 500.0;
  auto a = service_->Select(alice_, q);
  ASSERT_TRUE(a.ok()) << a.error().ToString();
  EXPECT_EQ(a->symbology, "occ");
  EXPECT_EQ(a->data_source, "simulator");
  EXPECT_EQ(a->contract_size, 100.0);
  EXPECT_EQ(a->plan.source, "explicit");
  EXPECT_EQ(a->plan.style, scanner::Style::kIntraday);
  EXPECT_EQ(a->right, options::OptionType::kCall);
  EXPECT_EQ(a->base_gates.max_dte, 7.0);
  ASSERT_TRUE(a->best.has_value());
  ExpectConsistent(*a);
  for (const ContractPick* p : Picks(*a)) {
    EXPECT_EQ(p->contract.instrument_id.exchange(), "OPRA");
    auto occ = OccSymbol::Parse(p->contract.instrument_id.symbol());
    ASSERT_TRUE(occ.ok()) << p->contract.instrument_id.value();
    EXPECT_EQ(occ->root, "SPY");
    EXPECT_EQ(occ->right, OptionRight::kCall);
    EXPECT_EQ(occ->strike, p->contract.strike);
    EXPECT_EQ(occ->expiry, p->contract.expiry);
    EXPECT_TRUE(p->analytics.iv_solved) << "IV comes from the quote, not the vendor";
  }
  // A long call: stop < entry (flat) < T1 < T2, and the delta-gamma-vega-theta estimate is close for 0.5 % moves.
  const auto& s = a->best->analytics.scenarios;
  ASSERT_EQ(s.size(), 4u);
  EXPECT_LT(s[1].pnl_full, s[0].pnl_full);
  EXPECT_LT(s[0].pnl_full, s[2].pnl_full);
  EXPECT_LT(s[2].pnl_full, s[3].pnl_full);
  EXPECT_NEAR(s[2].pnl_taylor, s[2].pnl_full, 0.25 * std::fabs(s[2].pnl_full));
  const auto& sizing = a->best->analytics.sizing;
  ASSERT_TRUE(sizing.contracts.has_value());
  EXPECT_EQ(*sizing.contracts, static_cast<long>(std::floor(500.0 / sizing.loss_at_stop_per_contract)));
  EXPECT_NEAR(sizing.premium_per_contract, a->best->analytics.price * 100.0, 1e-9);
}

TEST_F(ContractsServiceTest, IndianPlanPicksOpenAlgoPutsOnNfoWithTheLot) {
  const double spot = Spot("NIFTY");
  ASSERT_GT(spot, 10000.0);
  ContractsQuery q = Explicit("NIFTY", false, spot);
  auto a = service_->Select(alice_, q);
  ASSERT_TRUE(a.ok()) << a.error().ToString();
  EXPECT_EQ(a->symbology, "openalgo");
  EXPECT_EQ(a->contract_size, 65.0);
  EXPECT_EQ(a->right, options::OptionType::kPut);
  ASSERT_TRUE(a->best.has_value());
  ExpectConsistent(*a);
  for (const ContractPick* p : Picks(*a)) {
    EXPECT_EQ(p->contract.instrument_id.exchange(), "NFO");
    auto symbol = OpenAlgoSymbol::Parse(p->contract.instrument_id.symbol());
    ASSERT_TRUE(symbol.ok()) << p->contract.instrument_id.value();
    EXPECT_EQ(symbol->kind, OpenAlgoSymbolKind::kOption);
    EXPECT_EQ(symbol->base, "NIFTY");
    EXPECT_EQ(symbol->right, OptionRight::kPut);
    EXPECT_EQ(symbol->expiry, p->contract.expiry);
  }
  // A long put gains as NIFTY falls.
  const auto& s = a->best->analytics.scenarios;
  EXPECT_LT(s[1].pnl_full, s[0].pnl_full);
  EXPECT_LT(s[0].pnl_full, s[2].pnl_full);
}

TEST_F(ContractsServiceTest, CreditPremiumSellsTheOtherRight) {
  const double spot = Spot("SPY");
  ContractsQuery q = Explicit("SPY", true, spot);
  q.premium = options::PremiumSide::kShort;
  q.filters.min_abs_delta = 0.15;
  q.filters.max_abs_delta = 0.35;
  auto a = service_->Select(alice_, q);
  ASSERT_TRUE(a.ok()) << a.error().ToString();
  EXPECT_EQ(a->right, options::OptionType::kPut);
  ASSERT_TRUE(a->best.has_value());
  ExpectConsistent(*a);
  // A short put gains when the underlying rises to the target and loses at the stop.
  const auto& s = a->best->analytics.scenarios;
  EXPECT_LT(s[1].pnl_full, 0.0);
  EXPECT_GT(s[2].pnl_full, 0.0);
}

TEST_F(ContractsServiceTest, StoredPlansAreScopedToTheirOwner) {
  const double spot = Spot("QQQ");
  plans::NewPlan plan;
  plan.symbol = "US:QQQ";
  plan.style = "swing";
  plan.strategy = "orb_retest";
  plan.as_of = clock_->Now();
  plan.layers_as_of = plan.as_of;
  plan.layers_json = "{}";
  char json[256];
  std::snprintf(json, sizeof(json), R"({"bias":"short","entry":%.2f,"stop":%.2f,"targets":[%.2f,%.2f]})", spot,
                spot * 1.02, spot * 0.98, spot * 0.96);
  plan.plan_json = json;
  auto stored = store_->Create(alice_, plan);
  ASSERT_TRUE(stored.ok()) << stored.error().ToString();

  ContractsQuery q;
  q.plan_id = stored->plan_id;
  auto a = service_->Select(alice_, q);
  ASSERT_TRUE(a.ok()) << a.error().ToString();
  EXPECT_EQ(a->plan.source, "plan");
  EXPECT_EQ(a->plan.plan_id, stored->plan_id);
  EXPECT_EQ(a->plan.plan_version, 1);
  EXPECT_EQ(a->plan.style, scanner::Style::kSwing) << "the stored plan's style";
  EXPECT_EQ(a->plan.intent.bias, options::Bias::kBearish);
  EXPECT_EQ(a->right, options::OptionType::kPut);
  EXPECT_EQ(a->base_gates.min_dte, 10.0);
  EXPECT_NEAR(a->plan.intent.horizon_days, 5.0, 1e-12);
  ExpectConsistent(*a);

  auto other = service_->Select(bob_, q);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(other.error().field, "plan_id");

  q.plan_version = 2;
  auto missing_version = service_->Select(alice_, q);
  ASSERT_FALSE(missing_version.ok());
  EXPECT_EQ(missing_version.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(missing_version.error().field, "version");
}

TEST_F(ContractsServiceTest, ErrorsNameTheField) {
  const double spot = Spot("SPY");
  ContractsQuery both = Explicit("SPY", true, spot);
  both.plan_id = "pl_000000000000000000000000";
  auto e = service_->Select(alice_, both);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().field, "plan_id");

  ContractsQuery unknown = Explicit("NOSUCH", true, spot);
  e = service_->Select(alice_, unknown);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(e.error().field, "symbol");

  ContractsQuery bad_stop = Explicit("SPY", true, spot);
  bad_stop.plan->stop = spot * 1.01;
  e = service_->Select(alice_, bad_stop);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().field, "stop");

  ContractsQuery inverted = Explicit("SPY", true, spot);
  inverted.filters.min_dte = 20.0;
  inverted.filters.max_dte = 5.0;
  e = service_->Select(alice_, inverted);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().field, "min_dte");

  ContractsQuery delta = Explicit("SPY", true, spot);
  delta.filters.max_abs_delta = 0.2;
  e = service_->Select(alice_, delta);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().field, "max_delta");

  // Anchors far from the market still rank, and the answer says so.
  auto far = service_->Select(alice_, Explicit("SPY", true, spot * 0.8));
  ASSERT_TRUE(far.ok()) << far.error().ToString();
  ASSERT_FALSE(far->notes.empty());
  EXPECT_NE(far->notes.front().find("-20.0% from the underlying"), std::string::npos) << far->notes.front();

  ContractsQuery expiry = Explicit("SPY", true, spot);
  expiry.expiry = CivilDate{2025, 9, 14};  // a Sunday: nothing lists it
  e = service_->Select(alice_, expiry);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().field, "expiry");
}

TEST_F(ContractsServiceTest, LadderFiresWhenTheGatesAreTooTight) {
  const double spot = Spot("SPY");
  ContractsQuery q = Explicit("SPY", true, spot);
  q.filters.max_spread_pct = 0.01;  // tighter than any simulated quote
  q.relax = false;
  auto strict = service_->Select(alice_, q);
  ASSERT_TRUE(strict.ok());
  EXPECT_FALSE(strict->best.has_value());
  EXPECT_TRUE(strict->relaxations.empty());
  EXPECT_GT(Count(*strict, "spread"), 0u);
  q.relax = true;
  auto exhausted = service_->Select(alice_, q);
  ASSERT_TRUE(exhausted.ok());
  EXPECT_FALSE(exhausted->relaxations.empty());
  EXPECT_EQ(exhausted->relaxations.front().step, options::Relaxation::kSpreadWidened);
  ExpectConsistent(*exhausted);
  // An OI floor no contract meets: every rung fires in order, and removing the floors lets contracts in.
  ContractsQuery floors = Explicit("SPY", true, spot);
  floors.filters.min_open_interest = 1e11;
  auto relaxed = service_->Select(alice_, floors);
  ASSERT_TRUE(relaxed.ok());
  ASSERT_EQ(relaxed->relaxations.size(), 5u);
  EXPECT_EQ(relaxed->relaxations.back().step, options::Relaxation::kFloorsRemoved);
  EXPECT_GE(relaxed->relaxations.back().passing, kContractsMinCandidates);
  ASSERT_TRUE(relaxed->best.has_value());
  EXPECT_EQ(relaxed->base_gates.min_open_interest, 1e11);
  EXPECT_EQ(relaxed->gates_used.min_open_interest, 0.0);
  ExpectConsistent(*relaxed);
}

// ---- real chains ---------------------------------------------------------------------------------------------

constexpr const char* kNseSnapshot = "20250829_123446";  // NSE as-of 29-Aug-2025 12:33:51 IST
constexpr double kInrRate = 0.065;

/// The NIFTY snapshot as the model's OptionChain (NSE: missing = 0, so zero prices stay unset). Spot is the
/// front expiry's parity forward (four days of carry, ~0.03 %): the snapshot has no underlying column.
struct RealChain {
  OptionChain chain;
  double spot = 0.0;
};

std::optional<RealChain> NiftyChain() {
  const std::string path = options::testing::DataFile("india/nifty_option_chain_snapshots/20250829_NIFTY.csv.gz");
  if (path.empty())
    return std::nullopt;
  const auto rows = options::testing::ReadNseSnapshot(path, kNseSnapshot);
  if (rows.empty())
    return std::nullopt;
  const UnixNanos ts = At("2025-08-29T07:03:51Z");
  // The front expiry's parity forward stands in for spot.
  std::map<long, std::vector<const options::testing::NseRow*>> by_expiry;
  for (const auto& r : rows)
    by_expiry[options::testing::NseDateDays(r.expiry)].push_back(&r);
  options::ChainSlice front;
  front.t_years =
      (static_cast<double>(by_expiry.begin()->first - options::testing::DaysFromCivil(2025, 8, 29)) + 0.1) / 365.0;
  front.rate = kInrRate;
  for (const auto* r : by_expiry.begin()->second)
    front.strikes.push_back(r->quote);
  auto forward = options::ImpliedForward(front);
  if (!forward.ok())
    return std::nullopt;
  RealChain out;
  out.spot = forward->forward;
  auto nifty = InstrumentId::Make("NSE_INDEX", "NIFTY");
  OptionChainBuilder builder(*nifty, ts, Px(out.spot));
  auto price = [](double v) -> std::optional<Price> { return v > 0.0 ? std::optional<Price>(Px(v)) : std::nullopt; };
  for (const auto& r : rows) {
    const CivilDate expiry = CivilFromDays(options::testing::NseDateDays(r.expiry));
    const Price strike = Px(r.quote.strike);
    for (OptionRight right : {OptionRight::kCall, OptionRight::kPut}) {
      const bool call = right == OptionRight::kCall;
      OptionQuote q;
      q.bid = price(call ? r.quote.call_bid : r.quote.put_bid);
      q.ask = price(call ? r.quote.call_ask : r.quote.put_ask);
      q.last = price(call ? r.quote.call_last : r.quote.put_last);
      if (q.bid && q.ask && *q.bid > *q.ask)
        q.bid.reset();  // a crossed NSE quote: keep the ask only
      q.open_interest = Qty(call ? r.quote.call_oi : r.quote.put_oi);
      q.volume = Qty(call ? r.quote.call_volume : r.quote.put_volume);
      EXPECT_TRUE(builder.Add(expiry, strike, right, q).ok());
    }
  }
  auto chain = builder.Build();
  EXPECT_TRUE(chain.ok()) << chain.error().ToString();
  if (!chain.ok())
    return std::nullopt;
  out.chain = std::move(chain).value();
  return out;
}

ResolvedContractsPlan PlanOn(std::string_view exchange, std::string_view symbol, bool bullish, double spot,
                             scanner::Style style, double move) {
  ResolvedContractsPlan plan;
  plan.source = "explicit";
  plan.underlying.id = *InstrumentId::Make(exchange, symbol);
  plan.style = style;
  plan.intent.bias = bullish ? options::Bias::kBullish : options::Bias::kBearish;
  plan.intent.entry = spot;
  plan.intent.stop = bullish ? spot * (1 - move) : spot * (1 + move);
  plan.intent.targets = bullish ? std::vector<double>{spot * (1 + move), spot * (1 + 2 * move)}
                                : std::vector<double>{spot * (1 - move), spot * (1 - 2 * move)};
  plan.intent.horizon_days = StyleHorizonDays(style);
  plan.intent.target_abs_delta = StyleTargetDelta(style);
  plan.intent.risk_amount = 20'000.0;
  return plan;
}

TEST(ContractsRealChainTest, NiftyEveryGateRejectsWhatBreaksIt) {
  auto nifty = NiftyChain();
  if (!nifty)
    GTEST_SKIP() << "NIFTY snapshots not found under " << options::testing::DataDir();
  const ResolvedContractsPlan plan = PlanOn("NSE_INDEX", "NIFTY", true, nifty->spot, scanner::Style::kIntraday, 0.01);
  ContractsQuery base;
  base.contract_size = 75.0;  // the NIFTY lot in August 2025
  base.relax = false;

  // One gate tightened at a time (the others wide open), the ladder off: each gate turns contracts down.
  struct Case {
    const char* gate;
    ContractFilterOverrides filters;
  };
  ContractFilterOverrides open;
  open.min_dte = 0.0;
  open.max_dte = 400.0;
  open.min_abs_delta = 0.0;
  open.max_abs_delta = 1.0;
  open.max_spread_pct = 1000.0;
  open.min_open_interest = 0.0;
  open.min_volume = 0.0;
  std::vector<Case> cases;
  cases.push_back({"dte", open});
  cases.back().filters.max_dte = 7.0;
  cases.push_back({"spread", open});
  cases.back().filters.max_spread_pct = 0.5;
  cases.push_back({"delta", open});
  cases.back().filters.min_abs_delta = 0.45;
  cases.back().filters.max_abs_delta = 0.55;
  cases.push_back({"open_interest", open});
  cases.back().filters.min_open_interest = 50'000.0;
  cases.push_back({"volume", open});
  cases.back().filters.min_volume = 200'000.0;
  for (const Case& c : cases) {
    ContractsQuery q = base;
    q.filters = c.filters;
    auto a = RankChain(plan, nifty->chain, q);
    ASSERT_TRUE(a.ok()) << c.gate << ": " << a.error().ToString();
    EXPECT_GT(Count(*a, c.gate), 0u) << c.gate;
    EXPECT_GT(Count(*a, "wrong_right"), 0u);
    ExpectConsistent(*a);
    ASSERT_TRUE(a->best.has_value()) << c.gate;
    EXPECT_EQ(a->symbology, "openalgo");
    const auto symbol = OpenAlgoSymbol::Parse(a->best->contract.instrument_id.symbol());
    ASSERT_TRUE(symbol.ok()) << a->best->contract.instrument_id.value();
    EXPECT_EQ(a->best->contract.instrument_id.exchange(), "NFO");
    EXPECT_EQ(symbol->strike, a->best->contract.strike);
    std::printf("NIFTY %-13s rejected %zu (of %zu), best %s score %.3f\n", c.gate, Count(*a, c.gate),
                a->contracts_considered, a->best->contract.instrument_id.value().c_str(),
                a->best->analytics.score.score);
  }
}

TEST(ContractsRealChainTest, NiftyLadderRelaxesRungByRung) {
  auto nifty = NiftyChain();
  if (!nifty)
    GTEST_SKIP() << "NIFTY snapshots not found";
  const ResolvedContractsPlan plan = PlanOn("NSE_INDEX", "NIFTY", false, nifty->spot, scanner::Style::kSwing, 0.02);
  ContractsQuery q;
  q.contract_size = 75.0;
  // Swing defaults with OI and volume floors no contract meets: the ladder widens the spread, then the delta
  // window, the DTE window, halves the floors and finally removes them, and only then do contracts pass.
  q.filters.max_spread_pct = 1.0;
  q.filters.min_open_interest = 1e9;
  q.filters.min_volume = 1e9;
  q.relax = false;
  auto strict = RankChain(plan, nifty->chain, q);
  ASSERT_TRUE(strict.ok()) << strict.error().ToString();
  EXPECT_FALSE(strict->best.has_value());
  q.relax = true;
  auto a = RankChain(plan, nifty->chain, q);
  ASSERT_TRUE(a.ok()) << a.error().ToString();
  ASSERT_FALSE(a->relaxations.empty());
  for (const auto& r : a->relaxations) {
    std::printf("  rung %.*s: passing %zu, spread<=%.4f%% |d| %.2f..%.2f dte %.1f..%.1f oi>=%.0f vol>=%.0f\n",
                static_cast<int>(options::RelaxationName(r.step).size()), options::RelaxationName(r.step).data(),
                r.passing, r.gates.max_spread_pct, r.gates.min_abs_delta, r.gates.max_abs_delta, r.gates.min_dte,
                r.gates.max_dte, r.gates.min_open_interest, r.gates.min_volume);
  }
  // Rungs come in the documented order; the ladder stopped at the first one that let enough through.
  for (std::size_t i = 1; i < a->relaxations.size(); ++i) {
    EXPECT_LT(static_cast<int>(a->relaxations[i - 1].step), static_cast<int>(a->relaxations[i].step));
  }
  EXPECT_EQ(a->relaxations.back().step, options::Relaxation::kFloorsRemoved);
  EXPECT_GE(a->relaxations.back().passing, kContractsMinCandidates);
  for (std::size_t i = 0; i + 1 < a->relaxations.size(); ++i) {
    EXPECT_LT(a->relaxations[i].passing, kContractsMinCandidates);
  }
  ASSERT_TRUE(a->best.has_value());
  EXPECT_EQ(a->right, options::OptionType::kPut);
  EXPECT_EQ(a->gates_used.min_open_interest, 0.0);
  EXPECT_EQ(a->relaxations.size(), 5u) << "every rung fired";
  EXPECT_NEAR(a->gates_used.max_spread_pct, 1.5, 1e-12);
  EXPECT_NEAR(a->gates_used.min_abs_delta, 0.25, 1e-12);
  EXPECT_NEAR(a->gates_used.max_abs_delta, 0.60, 1e-12);
  EXPECT_NEAR(a->gates_used.min_dte, 0.0, 1e-12);
  EXPECT_NEAR(a->gates_used.max_dte, 45.0 + 0.25 * 45.0, 1e-12);
  ExpectConsistent(*a);
  // The strict answer turned every put down for its floors or earlier gates, never silently passing one.
  EXPECT_GT(Count(*strict, "open_interest") + Count(*strict, "volume"), 0u);
}

TEST(ContractsRealChainTest, NiftyBestContractIsRankedAndPricedConsistently) {
  auto nifty = NiftyChain();
  if (!nifty)
    GTEST_SKIP() << "NIFTY snapshots not found";
  const ResolvedContractsPlan plan = PlanOn("NSE_INDEX", "NIFTY", true, nifty->spot, scanner::Style::kIntraday, 0.01);
  ContractsQuery q;
  q.contract_size = 75.0;
  auto a = RankChain(plan, nifty->chain, q);
  ASSERT_TRUE(a.ok()) << a.error().ToString();
  ASSERT_TRUE(a->best.has_value());
  ExpectConsistent(*a);
  // The ranking is by score: nothing returned outranks the best.
  for (const ContractPick& p : a->alternatives) {
    EXPECT_LE(p.analytics.score.score, a->best->analytics.score.score);
  }
  const ContractPick& best = *a->best;
  EXPECT_GT(best.analytics.iv, 0.05);
  EXPECT_LT(best.analytics.iv, 0.30);
  // P/L is per lot of 75 and the full repricing at T1 agrees with the Taylor estimate within a fifth.
  EXPECT_NEAR(best.analytics.sizing.premium_per_contract, best.analytics.price * 75.0, 1e-6);
  const auto& t1 = best.analytics.scenarios[2];
  EXPECT_NEAR(t1.pnl_taylor, t1.pnl_full, 0.2 * std::fabs(t1.pnl_full));
}

/// The QuantConnect GOOG universe of 23-Dec-2015 (daily closes, volume, OI; no quotes) as an OptionChain.
std::optional<RealChain> GoogChain() {
  const std::string path = options::testing::DataFile("us_options/lean/universes/option_universe_goog_20151223.csv");
  if (path.empty())
    return std::nullopt;
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);  // header
  std::getline(in, line);  // the underlying's daily bar
  const auto underlying = options::testing::SplitCsv(line);
  if (underlying.size() < 7)
    return std::nullopt;
  RealChain out;
  out.spot = std::stod(underlying[6]);
  OptionChainBuilder builder(*InstrumentId::Make("US", "GOOG"), At("2015-12-23T21:00:00Z"), Px(out.spot));
  while (std::getline(in, line)) {
    const auto f = options::testing::SplitCsv(line);
    if (f.size() < 9 || f[0].size() != 8)
      continue;
    const CivilDate expiry{std::stoi(f[0].substr(0, 4)), std::stoi(f[0].substr(4, 2)), std::stoi(f[0].substr(6, 2))};
    OptionQuote q;
    const double close = std::stod(f[6]);
    if (close > 0.0)
      q.last = Px(close);
    q.volume = Qty(std::stod(f[7]));
    q.open_interest = Qty(f[8].empty() ? 0.0 : std::stod(f[8]));
    const OptionRight right = f[2] == "C" ? OptionRight::kCall : OptionRight::kPut;
    EXPECT_TRUE(builder.Add(expiry, Px(std::stod(f[1])), right, q).ok()) << line;
  }
  auto chain = builder.Build();
  if (!chain.ok())
    return std::nullopt;
  out.chain = std::move(chain).value();
  return out;
}

TEST(ContractsRealChainTest, GoogUniverseRanksOccContractsFromCloses) {
  auto goog = GoogChain();
  if (!goog)
    GTEST_SKIP() << "Lean option universes not found under " << options::testing::DataDir();
  EXPECT_NEAR(goog->spot, 748.54, 1e-9);
  const ResolvedContractsPlan plan = PlanOn("US", "GOOG", true, goog->spot, scanner::Style::kSwing, 0.03);

  // Closes only: with the style's spread cap every contract fails the spread gate for want of a quote, and no
  // rung can help (an unknown spread stays unknown).
  ContractsQuery quoted;
  auto none = RankChain(plan, goog->chain, quoted);
  ASSERT_TRUE(none.ok()) << none.error().ToString();
  EXPECT_FALSE(none->best.has_value());
  EXPECT_GT(Count(*none, "spread"), 0u);
  EXPECT_FALSE(none->notes.empty());

  // The spread gate disabled: swing DTE 10..45, |delta| .30..55, OI >= 500, volume >= 10.
  ContractsQuery q;
  q.filters.max_spread_pct = std::numeric_limits<double>::infinity();
  auto a = RankChain(plan, goog->chain, q);
  ASSERT_TRUE(a.ok()) << a.error().ToString();
  ASSERT_TRUE(a->best.has_value());
  ExpectConsistent(*a);
  EXPECT_EQ(a->symbology, "occ");
  EXPECT_EQ(a->contract_size, 100.0);
  EXPECT_GT(Count(*a, "dte"), 0u);
  EXPECT_GT(Count(*a, "delta"), 0u);
  EXPECT_GT(Count(*a, "open_interest") + Count(*a, "volume"), 0u);
  const auto occ = OccSymbol::Parse(a->best->contract.instrument_id.symbol());
  ASSERT_TRUE(occ.ok()) << a->best->contract.instrument_id.value();
  EXPECT_EQ(occ->root, "GOOG");
  EXPECT_EQ(a->best->contract.instrument_id.exchange(), "OPRA");
  EXPECT_GE(a->best->quote.dte_days, 10.0);
  std::printf("GOOG best %s dte %.1f iv %.3f delta %.3f score %.3f\n", a->best->contract.instrument_id.value().c_str(),
              a->best->quote.dte_days, a->best->analytics.iv, a->best->analytics.greeks.delta,
              a->best->analytics.score.score);
}

/// A Lean CSV number; an empty field (a side without a quote) is 0.
double Field(const std::vector<std::string>& row, std::size_t i) {
  return i < row.size() && !row[i].empty() ? std::stod(row[i]) : 0.0;
}

/// Rows of every CSV member of a Lean minute zip, by member name (headerless `ms,...` rows, deci-cents).
std::map<std::string, std::vector<std::vector<std::string>>> ReadLeanZip(const std::string& path) {
  std::map<std::string, std::vector<std::vector<std::string>>> out;
  auto bytes = data::ReadWholeFile(path);
  if (!bytes.ok())
    return out;
  auto zip = data::ZipArchive::Parse(*bytes);
  if (!zip.ok())
    return out;
  for (const data::ZipEntry& entry : zip->entries()) {
    auto text = zip->Extract(entry);
    if (!text.ok())
      continue;
    auto& rows = out[entry.name];
    std::size_t start = 0;
    while (start < text->size()) {
      std::size_t end = text->find('\n', start);
      if (end == std::string::npos)
        end = text->size();
      std::string line = text->substr(start, end - start);
      if (!line.empty() && line.back() == '\r')
        line.pop_back();
      if (!line.empty())
        rows.push_back(options::testing::SplitCsv(line));
      start = end + 1;
    }
  }
  return out;
}

/// The contract key of a Lean member name "..._<call|put>_<strike*10000>_<expiry>.csv": "call_7500000".
std::string LeanContractKey(const std::string& name) {
  const auto right = name.find("_call_") != std::string::npos ? name.find("_call_") : name.find("_put_");
  const auto expiry = name.rfind('_');
  return right == std::string::npos ? std::string() : name.substr(right + 1, expiry - right - 1);
}

/// The GOOG 24-Dec-2015 expiry as quoted at 12:00 ET on 23-Dec-2015 (QuantConnect minute bars): each contract's
/// last bid/ask close at or before noon, its open interest, and the volume traded before noon; spot is the last
/// GOOG trade bar's close before noon.
std::optional<RealChain> GoogNoonChain() {
  const std::string dir = options::testing::DataDir() + "/us_options/lean/minute/";
  if (options::testing::DataFile("us_options/lean/minute/option_goog_20151223_quote_american.zip").empty()) {
    return std::nullopt;
  }
  constexpr double kNoonMs = 12.0 * 3600 * 1000;
  const auto quotes = ReadLeanZip(dir + "option_goog_20151223_quote_american.zip");
  const auto interest = ReadLeanZip(dir + "option_goog_20151223_openinterest_american.zip");
  const auto trades = ReadLeanZip(dir + "option_goog_20151223_trade_american.zip");
  const auto underlying = ReadLeanZip(dir + "equity_goog_20151223_trade.zip");
  if (quotes.empty() || underlying.empty())
    return std::nullopt;
  RealChain out;
  for (const auto& row : underlying.begin()->second) {
    if (row.size() >= 5 && Field(row, 0) <= kNoonMs)
      out.spot = Field(row, 4) / 10'000.0;
  }
  std::map<std::string, double> oi;
  for (const auto& [name, rows] : interest) {
    if (!rows.empty() && rows.back().size() >= 2)
      oi[LeanContractKey(name)] = Field(rows.back(), 1);
  }
  std::map<std::string, double> volume;
  for (const auto& [name, rows] : trades) {
    for (const auto& row : rows) {
      if (row.size() >= 6 && Field(row, 0) < kNoonMs)
        volume[LeanContractKey(name)] += Field(row, 5);
    }
  }
  OptionChainBuilder builder(*InstrumentId::Make("US", "GOOG"), At("2015-12-23T17:00:00Z"), Px(out.spot));
  for (const auto& [name, rows] : quotes) {
    const std::string key = LeanContractKey(name);
    const std::vector<std::string>* last = nullptr;
    for (const auto& row : rows) {
      if (row.size() >= 11 && Field(row, 0) <= kNoonMs)
        last = &row;
    }
    if (last == nullptr || key.empty())
      continue;
    OptionQuote q;
    const double bid = Field(*last, 4) / 10'000.0;
    const double ask = Field(*last, 9) / 10'000.0;
    if (bid > 0.0)
      q.bid = Px(bid);
    if (ask > 0.0)
      q.ask = Px(ask);
    q.open_interest = Qty(oi.count(key) ? oi[key] : 0.0);
    q.volume = Qty(volume.count(key) ? volume[key] : 0.0);
    const OptionRight right = key.starts_with("call") ? OptionRight::kCall : OptionRight::kPut;
    const double strike = std::stod(key.substr(key.find('_') + 1)) / 10'000.0;
    EXPECT_TRUE(builder.Add(CivilDate{2015, 12, 24}, Px(strike), right, q).ok()) << name;
  }
  auto chain = builder.Build();
  if (!chain.ok())
    return std::nullopt;
  out.chain = std::move(chain).value();
  return out;
}

TEST(ContractsRealChainTest, GoogNoonQuotesExerciseTheSpreadGateOnRealBidAsk) {
  auto goog = GoogNoonChain();
  if (!goog)
    GTEST_SKIP() << "Lean minute quotes not found under " << options::testing::DataDir();
  EXPECT_GT(goog->spot, 700.0);
  EXPECT_LT(goog->spot, 800.0);
  ASSERT_EQ(goog->chain.expiries.size(), 1u);
  // A one-day scalp into the 24-Dec expiry, floors off: the spread and delta gates decide (11 far strikes have
  // quotes below intrinsic, so no volatility; 36 have no two-sided quote at noon).
  const ResolvedContractsPlan plan = PlanOn("US", "GOOG", true, goog->spot, scanner::Style::kScalp, 0.004);
  ContractsQuery q;
  q.relax = false;
  q.filters.min_open_interest = 0.0;
  q.filters.min_volume = 0.0;
  q.filters.min_abs_delta = 0.2;
  q.filters.max_abs_delta = 0.8;
  q.filters.max_spread_pct = 10.0;  // a day before expiry even the at-the-money calls quote 8 % wide
  auto a = RankChain(plan, goog->chain, q);
  ASSERT_TRUE(a.ok()) << a.error().ToString();
  std::printf("GOOG noon: %zu contracts, spot %.2f, rejected:", a->contracts_considered, goog->spot);
  for (const auto& [gate, n] : a->rejected_by_gate)
    std::printf(" %s=%zu", gate.c_str(), n);
  std::printf("\n");
  ExpectConsistent(*a);
  EXPECT_GT(Count(*a, "spread"), 0u) << "far strikes quote wide on the day before expiry";
  EXPECT_GT(Count(*a, "delta"), 0u);
  ASSERT_TRUE(a->best.has_value());
  EXPECT_TRUE(std::isfinite(a->best->analytics.spread_pct));
  EXPECT_LE(a->best->analytics.spread_pct, 10.0);
  EXPECT_LT(a->best->quote.dte_days, 1.5);
  const auto occ = OccSymbol::Parse(a->best->contract.instrument_id.symbol());
  ASSERT_TRUE(occ.ok());
  EXPECT_EQ(occ->expiry, (CivilDate{2015, 12, 24}));
  // Every spread rejection really quotes wider than the cap.
  for (const ContractReject& r : a->rejected) {
    if (r.gate != GateKind::kSpread || !r.contract.bid || !r.contract.ask)
      continue;
    const double mid = 0.5 * (r.contract.bid->AsDouble() + r.contract.ask->AsDouble());
    EXPECT_NEAR(r.measured, (r.contract.ask->AsDouble() - r.contract.bid->AsDouble()) / mid * 100.0, 1e-9);
  }
  std::printf("GOOG noon best %s spread %.2f%% delta %.3f; rejected spread %zu delta %zu\n",
              a->best->contract.instrument_id.value().c_str(), a->best->analytics.spread_pct,
              a->best->analytics.greeks.delta, Count(*a, "spread"), Count(*a, "delta"));

  // With the scalp defaults' floors (OI 500, volume 100) few contracts qualify; the ladder halves and then removes
  // the floors, and the answer says which rungs it took.
  ContractsQuery floors;
  floors.filters.max_spread_pct = 10.0;
  auto relaxed = RankChain(plan, goog->chain, floors);
  ASSERT_TRUE(relaxed.ok());
  ASSERT_FALSE(relaxed->relaxations.empty());
  ExpectConsistent(*relaxed);
  std::printf("GOOG noon ladder:");
  for (const auto& r : relaxed->relaxations) {
    std::printf(" %.*s(%zu)", static_cast<int>(options::RelaxationName(r.step).size()),
                options::RelaxationName(r.step).data(), r.passing);
  }
  std::printf("\n");
}

}  // namespace
}  // namespace td::system
