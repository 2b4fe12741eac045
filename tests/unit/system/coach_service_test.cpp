// SPDX-License-Identifier: MIT
// CoachService over the seeded simulator at a fixed instant and a real SQLite plan store: as_of cuts the data,
// a closed market is planned as of its close, and the named universes resolve as documented.
#include "system/coach_service.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "calendar/exchange_calendar.hpp"
#include "unit/persistence/temp_dir.hpp"

namespace td::system {
namespace {

using persistence::testing::TempDir;

UnixNanos At(const char* iso) {
  auto t = UnixNanos::ParseIso8601(iso);
  EXPECT_TRUE(t.ok()) << iso;
  return *t;
}

class CoachServiceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // A Tuesday, 15:00 UTC = 11:00 ET: NYSE open, NSE closed for the day.
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
    coach_ = std::make_unique<CoachService>(*market_, store_.get(), *clock_);
  }

  InstrumentInfo Info(const char* symbol) {
    auto info = market_->Resolve(symbol);
    EXPECT_TRUE(info.ok()) << symbol;
    return *info;
  }

  static TestClock* clock_;
  static MarketService* market_;
  TempDir dir_;
  std::unique_ptr<plans::PlanStore> store_;
  std::unique_ptr<CoachService> coach_;
  const plans::UserScope alice_{"alice", false};
};

TestClock* CoachServiceTest::clock_ = nullptr;
MarketService* CoachServiceTest::market_ = nullptr;

TEST_F(CoachServiceTest, InputsHoldOnlyDataUpToAsOf) {
  const UnixNanos as_of = At("2025-09-16T14:30:00Z");
  auto input = coach_->BuildInput(Info("SPY"), as_of);
  ASSERT_TRUE(input.ok()) << input.error().ToString();
  ASSERT_FALSE(input->intraday.empty());
  for (std::int64_t ts : input->intraday.ts) {
    ASSERT_LE(ts + 60'000'000'000, as_of.nanos()) << "a 1m bar ends after as_of";
  }
  EXPECT_EQ(input->intraday.ts.back() + 60'000'000'000, as_of.nanos()) << "the last complete minute is used";
  // Several sessions of minutes for RVOL, about a year of daily bars for the daily EMAs, all before today.
  EXPECT_GE(input->intraday.size(), 390U * 4);
  ASSERT_GE(input->daily.size(), 200U);
  const std::int64_t today = DaysFromCivil(CivilDate{2025, 9, 16}) * 86'400'000'000'000;
  EXPECT_LT(input->daily.ts.back(), today);
  ASSERT_NE(input->vol_index, nullptr);
  EXPECT_LE(input->vol_index->ts.back() + 60'000'000'000, as_of.nanos());
  EXPECT_EQ(input->symbol, "US:SPY");
  EXPECT_FALSE(input->sector.empty());
  EXPECT_EQ(input->instrument.price_precision, 2);

  // An earlier instant reads strictly less data.
  auto earlier = coach_->BuildInput(Info("SPY"), At("2025-09-16T14:00:00Z"));
  ASSERT_TRUE(earlier.ok());
  EXPECT_EQ(earlier->intraday.size() + 30, input->intraday.size());
}

TEST_F(CoachServiceTest, PlanAsOfIsEchoedAndChangesTheResult) {
  PlanQuery query;
  query.symbol = "SPY";
  query.style = scanner::Style::kIntraday;
  query.as_of = At("2025-09-16T14:00:00Z");
  auto early = coach_->ComputePlan(query);
  ASSERT_TRUE(early.ok()) << early.error().ToString();
  query.as_of = At("2025-09-16T14:50:00Z");
  auto late = coach_->ComputePlan(query);
  ASSERT_TRUE(late.ok()) << late.error().ToString();
  EXPECT_EQ(early->plan.as_of, At("2025-09-16T14:00:00Z"));
  EXPECT_EQ(late->plan.as_of, At("2025-09-16T14:50:00Z"));
  EXPECT_EQ(early->plan.data_as_of, At("2025-09-16T14:00:00Z"));
  EXPECT_EQ(late->plan.data_as_of, At("2025-09-16T14:50:00Z"));
  EXPECT_FALSE(early->as_of.frozen);
  EXPECT_EQ(early->plan.planning_context, "live");
  EXPECT_NE(early->last_price, late->last_price);
  // The same instant gives the same plan.
  query.as_of = At("2025-09-16T14:00:00Z");
  auto again = coach_->ComputePlan(query);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->plan.entry, early->plan.entry);
  EXPECT_EQ(again->plan.stop, early->plan.stop);
}

TEST_F(CoachServiceTest, FutureAndUncoveredInstantsAreRejected) {
  auto future = coach_->ResolveAsOf(clock_->Now() + std::chrono::seconds(1), calendar::Exchange::kNyse);
  ASSERT_FALSE(future.ok());
  EXPECT_EQ(future.error().field, "as_of");
  PlanQuery query;
  query.symbol = "SPY";
  query.as_of = clock_->Now() + std::chrono::minutes(5);
  auto plan = coach_->ComputePlan(query);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(plan.error().field, "as_of");
  // Before the simulated history there is nothing to plan from.
  query.as_of = At("2024-03-05T15:00:00Z");
  auto old = coach_->ComputePlan(query);
  ASSERT_FALSE(old.ok());
  EXPECT_EQ(old.error().code, ErrorCode::kUnprocessable);
  EXPECT_EQ(old.error().field, "as_of");
}

TEST_F(CoachServiceTest, AfterTheCloseThePlanIsFrozenAtTheClose) {
  // Monday 2025-09-15 17:30 ET: the NYSE closed at 16:00 ET (20:00 UTC).
  auto as_of = coach_->ResolveAsOf(At("2025-09-15T21:30:00Z"), calendar::Exchange::kNyse);
  ASSERT_TRUE(as_of.ok());
  EXPECT_TRUE(as_of->frozen);
  EXPECT_EQ(as_of->used, At("2025-09-15T20:00:00Z"));
  EXPECT_NE(as_of->note.find("2025-09-15 close"), std::string::npos) << as_of->note;
  // Before Tuesday's open: still Monday's close. A weekend: Friday's close.
  auto pre = coach_->ResolveAsOf(At("2025-09-16T12:00:00Z"), calendar::Exchange::kNyse);
  ASSERT_TRUE(pre.ok());
  EXPECT_EQ(pre->used, At("2025-09-15T20:00:00Z"));
  auto weekend = coach_->ResolveAsOf(At("2025-09-13T15:00:00Z"), calendar::Exchange::kNyse);
  ASSERT_TRUE(weekend.ok());
  EXPECT_EQ(weekend->used, At("2025-09-12T20:00:00Z"));
  // While open nothing moves.
  auto open = coach_->ResolveAsOf(At("2025-09-16T14:00:00Z"), calendar::Exchange::kNyse);
  ASSERT_TRUE(open.ok());
  EXPECT_FALSE(open->frozen);
  EXPECT_EQ(open->used, At("2025-09-16T14:00:00Z"));

  PlanQuery query;
  query.symbol = "SPY";
  query.style = scanner::Style::kSwing;
  query.as_of = At("2025-09-15T21:30:00Z");
  auto plan = coach_->ComputePlan(query);
  ASSERT_TRUE(plan.ok()) << plan.error().ToString();
  EXPECT_EQ(plan->plan.as_of, At("2025-09-15T20:00:00Z"));
  EXPECT_EQ(plan->plan.planning_context, "frozen");
  EXPECT_EQ(plan->as_of.requested, At("2025-09-15T21:30:00Z"));
  EXPECT_TRUE(std::any_of(plan->plan.notes.begin(), plan->plan.notes.end(), [](const std::string& note) {
    return note.find("2025-09-15 close") != std::string::npos;
  }));
  // NSE at 15:00 UTC is closed: NIFTY is planned as of today's 15:30 IST close (10:00 UTC).
  query.symbol = "NIFTY";
  query.as_of.reset();
  auto nifty = coach_->ComputePlan(query);
  ASSERT_TRUE(nifty.ok()) << nifty.error().ToString();
  EXPECT_EQ(nifty->plan.as_of, At("2025-09-16T10:00:00Z"));
  EXPECT_FALSE(nifty->as_of.given);
}

TEST_F(CoachServiceTest, NamedUniverses) {
  const UnixNanos now = clock_->Now();
  auto us = coach_->ResolveUniverse(alice_, "us", now);
  auto india = coach_->ResolveUniverse(alice_, "INDIA", now);
  auto all = coach_->ResolveUniverse(alice_, "all", now);
  ASSERT_TRUE(us.ok() && india.ok() && all.ok());
  std::set<std::string> us_ids, india_ids;
  for (const auto& i : *us) us_ids.insert(i.id.value());
  for (const auto& i : *india) india_ids.insert(i.id.value());
  EXPECT_TRUE(us_ids.count("US:SPY"));
  EXPECT_TRUE(us_ids.count("GLOBAL_INDEX:SPX"));
  EXPECT_FALSE(us_ids.count("GLOBAL_INDEX:VIX")) << "volatility indices gate plans; they are not scanned";
  EXPECT_TRUE(india_ids.count("NSE_INDEX:NIFTY"));
  EXPECT_FALSE(india_ids.count("NSE_INDEX:INDIAVIX"));
  EXPECT_FALSE(india_ids.count("US:SPY"));
  EXPECT_EQ(all->size(), us->size() + india->size());

  // top_liquidity ranks tradable names by traded value (close × volume), not by price or market cap.
  auto top = coach_->ResolveUniverse(alice_, "top_liquidity:5", now);
  ASSERT_TRUE(top.ok()) << top.error().ToString();
  ASSERT_EQ(top->size(), 5U);
  std::map<std::string, double> traded_value;
  for (const InstrumentInfo& info : *all) {
    auto facts = FactsOf(info.id);
    ASSERT_TRUE(facts.has_value());
    if (!facts->tradable) continue;
    auto bars = market_->Bars(info.id, BarSpec{1, BarUnit::kDay}, now - std::chrono::hours(24 * 40), now);
    ASSERT_TRUE(bars.ok());
    const std::size_t take = std::min<std::size_t>(bars->size(), 20);
    double sum = 0;
    for (std::size_t i = bars->size() - take; i < bars->size(); ++i)
      sum += (*bars)[i].close.AsDouble() * (*bars)[i].volume.AsDouble();
    traded_value[info.id.value()] = sum / static_cast<double>(take);
  }
  std::set<std::string> top_ids;
  double previous = 1e300;
  for (const InstrumentInfo& info : *top) {
    ASSERT_TRUE(traded_value.count(info.id.value())) << info.id.value() << " is not tradable";
    EXPECT_LE(traded_value[info.id.value()], previous) << "ranked by traded value";
    previous = traded_value[info.id.value()];
    top_ids.insert(info.id.value());
  }
  for (const auto& [id, v] : traded_value) {
    if (!top_ids.count(id)) {
      EXPECT_LE(v, previous) << id << " trades more than a top-5 name";
    }
  }
  auto top_default = coach_->ResolveUniverse(alice_, "top_liquidity", now);
  ASSERT_TRUE(top_default.ok());
  EXPECT_EQ(top_default->size(), CoachService::kTopLiquidityDefault);
  // The first five of the default ranking are the top five.
  for (std::size_t i = 0; i < 5; ++i) {
    EXPECT_EQ((*top_default)[i].id, (*top)[i].id);
  }

  // Watchlists come from the store, per user.
  ASSERT_TRUE(store_->PutWatchlist(alice_, "mine", {"QQQ", "US:SPY", "nifty"}).ok());
  auto mine = coach_->ResolveUniverse(alice_, "watchlist:mine", now);
  ASSERT_TRUE(mine.ok()) << mine.error().ToString();
  ASSERT_EQ(mine->size(), 3U);
  EXPECT_EQ((*mine)[0].id.value(), "US:QQQ");
  EXPECT_EQ((*mine)[2].id.value(), "NSE_INDEX:NIFTY");
  auto bobs = coach_->ResolveUniverse(plans::UserScope{"bob", false}, "watchlist:mine", now);
  ASSERT_FALSE(bobs.ok());
  EXPECT_EQ(bobs.error().field, "universe");

  for (const char* bad : {"mars", "top_liquidity:0", "top_liquidity:x", "watchlist:nope"}) {
    auto r = coach_->ResolveUniverse(alice_, bad, now);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().field, "universe") << bad;
  }
  std::vector<std::string> symbols = {"SPY", "NOPE"};
  auto explicit_list = coach_->ResolveSymbols(symbols, "universe");
  ASSERT_FALSE(explicit_list.ok());
  EXPECT_EQ(explicit_list.error().field, "universe[1]");
  auto empty = coach_->ResolveSymbols({}, "universe");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().field, "universe");
}

TEST_F(CoachServiceTest, ScanReportsItsAsOfAndUniverse) {
  ScanQuery query;
  query.universe = "us";
  query.request.style = scanner::Style::kIntraday;
  query.request.limit = 10;
  auto now = coach_->Scan(alice_, query);
  ASSERT_TRUE(now.ok()) << now.error().ToString();
  EXPECT_EQ(now->universe, "us");
  EXPECT_FALSE(now->as_of.given);
  EXPECT_EQ(now->as_of.requested, clock_->Now());
  EXPECT_LE(now->page.candidates.size(), 10U);
  EXPECT_GT(now->page.universe_size, 50U);
  EXPECT_TRUE(now->page.data_quality.missing.empty());

  query.as_of = At("2025-09-15T21:30:00Z");
  auto closed = coach_->Scan(alice_, query);
  ASSERT_TRUE(closed.ok()) << closed.error().ToString();
  EXPECT_TRUE(closed->as_of.frozen);
  EXPECT_EQ(closed->as_of.used, At("2025-09-15T20:00:00Z"));
  EXPECT_EQ(closed->page.planning_context, "frozen");
  EXPECT_LE(closed->page.as_of, At("2025-09-15T20:00:00Z"));
  EXPECT_NE(closed->page.scan_id, now->page.scan_id);

  query.as_of = At("2024-03-05T15:00:00Z");
  auto before_history = coach_->Scan(alice_, query);
  ASSERT_TRUE(before_history.ok());
  EXPECT_EQ(before_history->page.mode, "empty");
  EXPECT_EQ(before_history->page.data_quality.error, "market_data_unavailable");

  query.as_of.reset();
  query.request.limit = 51;
  auto bad_limit = coach_->Scan(alice_, query);
  ASSERT_FALSE(bad_limit.ok());
  EXPECT_EQ(bad_limit.error().field, "limit");
}

TEST_F(CoachServiceTest, IssuedPlansAreStoredPerUser) {
  PlanQuery query;
  query.symbol = "QQQ";
  query.style = scanner::Style::kScalp;
  auto computed = coach_->ComputePlan(query);
  ASSERT_TRUE(computed.ok()) << computed.error().ToString();
  int renders = 0;
  auto stored = coach_->IssuePlan(alice_, *computed, [&](const PlanComputation& c, std::string_view id, int version) {
    ++renders;
    return RenderedPlan{"{\"plan_id\":\"" + std::string(id) + "\",\"version\":" + std::to_string(version) + "}",
                        "{\"as_of\":\"" + c.plan.as_of.ToIso8601() + "\"}"};
  });
  ASSERT_TRUE(stored.ok()) << stored.error().ToString();
  EXPECT_EQ(renders, 1);
  EXPECT_TRUE(stored->plan_id.starts_with("pl_"));
  EXPECT_EQ(stored->plan_json, "{\"plan_id\":\"" + stored->plan_id + "\",\"version\":1}");
  EXPECT_EQ(stored->symbol, "US:QQQ");
  EXPECT_EQ(stored->style, "scalp");
  EXPECT_EQ(stored->as_of, computed->plan.as_of);
  EXPECT_EQ(stored->layers_as_of, computed->plan.as_of);
  EXPECT_TRUE(store_->Get(alice_, stored->plan_id).ok());
  EXPECT_FALSE(store_->Get(plans::UserScope{"bob", false}, stored->plan_id).ok());

  // Without a store there is nothing to issue into.
  CoachService stateless(*market_, nullptr, *clock_);
  auto refused = stateless.IssuePlan(alice_, *computed, [](const PlanComputation&, std::string_view, int) {
    return RenderedPlan{"{}", "{}"};
  });
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kUnavailable);
}

TEST_F(CoachServiceTest, BadSymbolsAndStrategies) {
  PlanQuery query;
  query.symbol = "NOPE";
  auto unknown = coach_->ComputePlan(query);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(unknown.error().field, "symbol");
  query.symbol = "VIX";
  auto vol = coach_->ComputePlan(query);
  ASSERT_FALSE(vol.ok());
  EXPECT_EQ(vol.error().field, "symbol");
  // PMCC needs a LEAPS chain, which the simulator's inputs do not carry: the strategy is refused, not faked.
  query.symbol = "SPY";
  query.strategy = scanner::StrategyId::kPmcc;
  auto pmcc = coach_->ComputePlan(query);
  ASSERT_FALSE(pmcc.ok());
  EXPECT_EQ(pmcc.error().code, ErrorCode::kUnprocessable);
  EXPECT_EQ(pmcc.error().field, "strategy");
  EXPECT_NE(pmcc.error().message.find("not_applicable"), std::string::npos) << pmcc.error().message;
}

}  // namespace
}  // namespace td::system
