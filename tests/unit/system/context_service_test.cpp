// SPDX-License-Identifier: MIT
// ContextService over the seeded simulator at fixed instants (TestClock) and a real SQLite IV history in a temp
// dir. Numbers are checked against independent computations: EMAs and HV recomputed here from the bars, IV rank
// and percentile from the stored rows, the backfill against the vol index's own closes.
#include "system/context_service.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <thread>

#include "adapters/simulator/market_simulator.hpp"
#include "calendar/exchange_calendar.hpp"
#include "unit/persistence/temp_dir.hpp"

namespace td::system {
namespace {

using persistence::testing::TempDir;

constexpr std::int64_t kMinute = 60'000'000'000;
constexpr std::int64_t kDay = 86'400'000'000'000;

UnixNanos At(const char* iso) {
  auto t = UnixNanos::ParseIso8601(iso);
  EXPECT_TRUE(t.ok()) << iso;
  return *t;
}

/// EMA with α = 2/(n+1) seeded by the SMA of the first n values (NaN before), written out longhand.
std::vector<double> ReferenceEma(const std::vector<double>& x, int n) {
  std::vector<double> out(x.size(), std::nan(""));
  if (x.size() < static_cast<std::size_t>(n)) return out;
  double sum = 0.0;
  for (int i = 0; i < n; ++i) sum += x[static_cast<std::size_t>(i)];
  double ema = sum / n;
  out[static_cast<std::size_t>(n - 1)] = ema;
  const double alpha = 2.0 / (n + 1.0);
  for (std::size_t i = static_cast<std::size_t>(n); i < x.size(); ++i) {
    ema = alpha * x[i] + (1.0 - alpha) * ema;
    out[i] = ema;
  }
  return out;
}

/// Annualised HV of the last n log returns, sample standard deviation, longhand.
double ReferenceHv(const std::vector<double>& closes, std::size_t n, double days_per_year) {
  std::vector<double> r;
  for (std::size_t i = closes.size() - n; i < closes.size(); ++i) r.push_back(std::log(closes[i] / closes[i - 1]));
  const double mean = std::accumulate(r.begin(), r.end(), 0.0) / static_cast<double>(n);
  double ss = 0.0;
  for (double v : r) ss += (v - mean) * (v - mean);
  return std::sqrt(ss / static_cast<double>(n - 1) * days_per_year);
}

class ContextServiceTest : public ::testing::Test {
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
    auto store = IvHistoryStore::Open(dir_ / "iv_history.db", *clock_);
    ASSERT_TRUE(store.ok()) << store.error().ToString();
    store_ = std::move(store).value();
    coach_ = std::make_unique<CoachService>(*market_, nullptr, *clock_);
    service_ = std::make_unique<ContextService>(*coach_, store_.get());
  }

  static TestClock* clock_;
  static MarketService* market_;
  TempDir dir_;
  std::unique_ptr<IvHistoryStore> store_;
  std::unique_ptr<CoachService> coach_;
  std::unique_ptr<ContextService> service_;
};

TestClock* ContextServiceTest::clock_ = nullptr;
MarketService* ContextServiceTest::market_ = nullptr;

TEST_F(ContextServiceTest, IntervalsParseTheUsualSpellings) {
  EXPECT_EQ(*ParseContextInterval("5m", "interval"), ContextInterval::k5m);
  EXPECT_EQ(*ParseContextInterval("60", "interval"), ContextInterval::k1h);
  EXPECT_EQ(*ParseContextInterval("4H", "interval"), ContextInterval::k4h);
  EXPECT_EQ(*ParseContextInterval("daily", "interval"), ContextInterval::k1D);
  EXPECT_EQ(*ParseContextInterval("1W", "interval"), ContextInterval::k1W);
  auto bad = ParseContextInterval("7m", "intervals[2]");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field, "intervals[2]");
  for (ContextInterval i : {ContextInterval::k1m, ContextInterval::k4h, ContextInterval::k1W}) {
    EXPECT_EQ(*ParseContextInterval(ContextIntervalName(i), "interval"), i);
  }
}

TEST_F(ContextServiceTest, ContextBarsEndAtAsOfAndSeriesMatchAnIndependentEma) {
  const UnixNanos as_of = At("2025-09-16T14:45:00Z");
  auto report = service_->Context({"SPY", ContextInterval::k5m, as_of});
  ASSERT_TRUE(report.ok()) << report.error().ToString();
  const IntervalContext& c = *report->interval;
  ASSERT_GT(c.bars.size(), 200U);
  EXPECT_EQ(c.bars.ts.back() + 5 * kMinute, as_of.nanos()) << "the last complete 5m bar";
  for (std::size_t i = 0; i < c.bars.size(); ++i) {
    ASSERT_LE(c.bars.ts[i] + 5 * kMinute, as_of.nanos() + 5 * kMinute);
    ASSERT_EQ((c.bars.ts[i] / kMinute) % 5, 0) << "5m bars start on the session's 5-minute grid";
  }
  EXPECT_EQ(c.indicators.ema20.size(), c.bars.size());
  EXPECT_EQ(c.indicators.rsi14.size(), c.bars.size());
  const std::vector<double> ema20 = ReferenceEma(c.bars.close, 20);
  const std::vector<double> ema200 = ReferenceEma(c.bars.close, 200);
  EXPECT_NEAR(c.indicators.ema20.back(), ema20.back(), 1e-9 * ema20.back());
  EXPECT_NEAR(c.indicators.ema200.back(), ema200.back(), 1e-9 * ema200.back());
  EXPECT_TRUE(std::isnan(c.indicators.ema20[18]));
  const double rsi = c.indicators.rsi14.back();
  EXPECT_TRUE(rsi >= 0.0 && rsi <= 100.0) << rsi;
  EXPECT_GT(c.indicators.atr14.back(), 0.0);
  EXPECT_GT(c.indicators.vwap.back(), 0.0);
  // A past as_of speaks from the bars, not from a quote taken now.
  EXPECT_EQ(report->base->snapshot.source, "bars");
  EXPECT_DOUBLE_EQ(report->base->snapshot.last, c.bars.close.back());
  EXPECT_FALSE(report->base->context->key_levels.levels().empty());
  EXPECT_TRUE(report->base->session_profile.present);
  EXPECT_TRUE(c.volume_profile.present);
  EXPECT_LE(c.volume_profile.val, c.volume_profile.poc);
  EXPECT_LE(c.volume_profile.poc, c.volume_profile.vah);
}

TEST_F(ContextServiceTest, FourHourAndWeeklyBarsAlignToTheExchangeSession) {
  auto report = service_->MultiContext({"SPY", {ContextInterval::k4h, ContextInterval::k1W, ContextInterval::k1D}, {}});
  ASSERT_TRUE(report.ok()) << report.error().ToString();
  ASSERT_EQ(report->intervals.size(), 3U);
  const IntervalContext& h4 = *report->intervals[0];
  ASSERT_GE(h4.bars.size(), 8U);
  const auto& cal = calendar::ExchangeCalendar::Get(calendar::Exchange::kNyse);
  for (std::size_t i = 0; i < h4.bars.size(); ++i) {
    const CivilDate date = cal.time_zone().LocalDate(UnixNanos(h4.bars.ts[i]));
    auto session = cal.Session(date);
    ASSERT_TRUE(session.ok());
    const std::int64_t offset = h4.bars.ts[i] - session->regular_open.nanos();
    EXPECT_TRUE(offset == 0 || offset == 240 * kMinute) << "4h bars start at the open or 4 hours after it";
  }
  EXPECT_TRUE(h4.last_bar_forming) << "11:00 ET is inside the first 4h bar of the day";
  const IntervalContext& w = *report->intervals[1];
  ASSERT_GE(w.bars.size(), 40U);
  for (std::int64_t ts : w.bars.ts) {
    EXPECT_EQ(Weekday(ts / kDay), 1) << "weekly bars are labelled by their Monday";
  }
  EXPECT_TRUE(report->intervals[2]->last_bar_forming);
  EXPECT_TRUE(std::isnan(report->intervals[2]->indicators.vwap.back())) << "no session VWAP on daily bars";
}

TEST_F(ContextServiceTest, HistoricalVolatilityMatchesDailyClosesAndTheExchangeYear) {
  auto report = service_->MultiContext({"SPY", {ContextInterval::k1D}, {}});
  ASSERT_TRUE(report.ok()) << report.error().ToString();
  const VolatilityBlock& v = *report->volatility;
  // Completed sessions before today, straight from the market.
  auto bars = market_->Bars(market_->Resolve("SPY")->id, BarSpec{1, BarUnit::kDay},
                            clock_->Now() - std::chrono::hours(24 * 420), clock_->Now());
  ASSERT_TRUE(bars.ok());
  std::vector<double> closes;
  const auto& cal = calendar::ExchangeCalendar::Get(calendar::Exchange::kNyse);
  for (const Bar& bar : *bars) {
    if (cal.time_zone().LocalDate(bar.ts_event) < CivilDate{2025, 9, 16}) closes.push_back(bar.close.AsDouble());
  }
  ASSERT_GT(closes.size(), 121U);
  auto days = cal.TradingDaysBetween(CivilDate{2024, 9, 16}, CivilDate{2025, 9, 16});
  ASSERT_TRUE(days.ok());
  EXPECT_EQ(v.trading_days_per_year, static_cast<double>(*days));
  EXPECT_GE(*days, 248);
  EXPECT_LE(*days, 253);
  ASSERT_TRUE(v.hv20.known()) << v.hv20.reason;
  EXPECT_NEAR(v.hv20.value, ReferenceHv(closes, 20, v.trading_days_per_year), 1e-12);
  EXPECT_NEAR(v.hv60.value, ReferenceHv(closes, 60, v.trading_days_per_year), 1e-12);
  EXPECT_NEAR(v.hv120.value, ReferenceHv(closes, 120, v.trading_days_per_year), 1e-12);
  ASSERT_TRUE(v.iv_hv_ratio.known());
  EXPECT_NEAR(v.iv_hv_ratio.value, v.atm_iv_30d.value / v.hv20.value, 1e-12);
}

TEST_F(ContextServiceTest, VolatilityFromTheChainAndRankFromTheStoredHistory) {
  auto report = service_->MultiContext({"SPY", {ContextInterval::k5m}, {}});
  ASSERT_TRUE(report.ok()) << report.error().ToString();
  const VolatilityBlock& v = *report->volatility;
  EXPECT_EQ(v.session, (CivilDate{2025, 9, 16}));
  for (const Metric* m : {&v.atm_iv_front, &v.front_days, &v.atm_iv_30d, &v.risk_reversal_25d, &v.butterfly_25d,
                          &v.term_slope, &v.expected_move_straddle, &v.expected_move_straddle_sigma,
                          &v.expected_move_iv, &v.iv_rank, &v.iv_percentile}) {
    EXPECT_TRUE(m->known()) << m->reason;
  }
  EXPECT_EQ(v.atm_iv_30d_source, kIvSourceChain);
  EXPECT_GT(v.atm_iv_30d.value, 0.05);
  EXPECT_LT(v.atm_iv_30d.value, 0.80);
  EXPECT_LT(v.risk_reversal_25d.value, 0.0) << "the simulated smile has put skew";
  EXPECT_GT(v.front_days.value, 1.0);
  // The IV-based expected move is price × IV × √T of the front expiry.
  const double spot = report->base->snapshot.last;
  EXPECT_NEAR(v.expected_move_iv.value, spot * v.atm_iv_front.value * std::sqrt(v.front_days.value / 365.0),
              0.01 * v.expected_move_iv.value);

  // Today's reading was recorded; the history before today is the simulator backfill.
  auto today = store_->At("US:SPY", CivilDate{2025, 9, 16});
  ASSERT_TRUE(today.ok() && *today);
  EXPECT_EQ((*today)->source, kIvSourceChain);
  EXPECT_DOUBLE_EQ((*today)->atm_iv_30d, v.atm_iv_30d.value);
  EXPECT_TRUE(v.recorded);
  auto rows = store_->Before("US:SPY", CivilDate{2025, 9, 16}, 252);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 252U);
  EXPECT_EQ(v.iv_history_days, 252U);
  double lo = 1e9, hi = -1e9;
  std::size_t below = 0;
  for (const IvHistoryRow& row : *rows) {
    EXPECT_EQ(row.source, kIvSourceSimulatorVolIndex);
    lo = std::min(lo, row.atm_iv_30d);
    hi = std::max(hi, row.atm_iv_30d);
    below += row.atm_iv_30d < v.atm_iv_30d.value ? 1 : 0;
  }
  const double rank = std::clamp((v.atm_iv_30d.value - lo) / (hi - lo) * 100.0, 0.0, 100.0);
  EXPECT_NEAR(v.iv_rank.value, rank, 1e-9);
  EXPECT_NEAR(v.iv_percentile.value, 100.0 * static_cast<double>(below) / 252.0, 1e-9);
}

TEST_F(ContextServiceTest, BackfillIsTheVolIndexCloseForItsOwnUnderlyingAndAgreesWithTheLiveChain) {
  auto spx = market_->Resolve("GLOBAL_INDEX:SPX");
  auto vix = market_->Resolve("GLOBAL_INDEX:VIX");
  ASSERT_TRUE(spx.ok() && vix.ok());
  auto added = service_->BackfillFromVolIndex(*spx, CivilDate{2025, 9, 16});
  ASSERT_TRUE(added.ok()) << added.error().ToString();
  EXPECT_GE(*added, 252U);
  auto bars = market_->Bars(vix->id, BarSpec{1, BarUnit::kDay}, clock_->Now() - std::chrono::hours(24 * 30),
                            clock_->Now());
  ASSERT_TRUE(bars.ok() && bars->size() > 5);
  const auto& zone = calendar::ExchangeCalendar::Get(calendar::Exchange::kNyse).time_zone();
  const Bar& friday = (*bars)[bars->size() - 3];
  auto row = store_->At("GLOBAL_INDEX:SPX", zone.LocalDate(friday.ts_event));
  ASSERT_TRUE(row.ok() && *row);
  EXPECT_NEAR((*row)->atm_iv_30d, friday.close.AsDouble() / 100.0, 1e-9);
  EXPECT_EQ((*row)->source, kIvSourceSimulatorVolIndex);
  // A second backfill adds nothing: rows are never replaced by a backfill.
  EXPECT_EQ(*service_->BackfillFromVolIndex(*spx, CivilDate{2025, 9, 16}), 0U);

  // Our live 30-day reading of the chain agrees with the simulator's own 30-day ATM vol (its vol index).
  auto report = service_->MultiContext({"GLOBAL_INDEX:SPX", {ContextInterval::k1h}, {}});
  ASSERT_TRUE(report.ok()) << report.error().ToString();
  auto vix_quote = market_->Quote(vix->id);
  ASSERT_TRUE(vix_quote.ok());
  EXPECT_NEAR(report->volatility->atm_iv_30d.value, vix_quote->ltp.AsDouble() / 100.0, 0.01);
}

TEST_F(ContextServiceTest, APastAsOfTakesItsIvFromTheStoredSessionAndSaysWhyChainFiguresAreMissing) {
  const UnixNanos friday_evening = At("2025-09-12T21:00:00Z");
  auto report = service_->MultiContext({"QQQ", {ContextInterval::k15m}, friday_evening});
  ASSERT_TRUE(report.ok()) << report.error().ToString();
  EXPECT_EQ(report->base->as_of.used, At("2025-09-12T20:00:00Z")) << "the close of the session";
  const VolatilityBlock& v = *report->volatility;
  EXPECT_EQ(v.session, (CivilDate{2025, 9, 12}));
  ASSERT_TRUE(v.atm_iv_30d.known()) << v.atm_iv_30d.reason;
  EXPECT_EQ(v.atm_iv_30d_source, kIvSourceSimulatorVolIndex);
  auto row = store_->At("US:QQQ", CivilDate{2025, 9, 12});
  ASSERT_TRUE(row.ok() && *row);
  EXPECT_DOUBLE_EQ(v.atm_iv_30d.value, (*row)->atm_iv_30d);
  EXPECT_FALSE(v.atm_iv_front.known());
  EXPECT_NE(v.atm_iv_front.reason.find("as of now only"), std::string::npos) << v.atm_iv_front.reason;
  EXPECT_FALSE(v.recorded);
  EXPECT_TRUE(v.iv_rank.known()) << v.iv_rank.reason;
  EXPECT_EQ(report->base->snapshot.source, "bars");
}

TEST_F(ContextServiceTest, ShortHistoryAndMissingChainsGiveReasonsNotNumbers) {
  ContextService::Options options;
  options.iv_history_min_sessions = 1000;
  ContextService strict(*coach_, store_.get(), options);
  auto report = strict.MultiContext({"SPY", {ContextInterval::k5m}, {}});
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->volatility->iv_rank.known());
  EXPECT_EQ(report->volatility->iv_rank.reason, "252 of 1000 required days of IV history");
  EXPECT_EQ(report->volatility->iv_percentile.reason, report->volatility->iv_rank.reason);

  // A stock without simulated options: every chain figure says why, HV is still there.
  auto stock = service_->MultiContext({"AAPL", {ContextInterval::k5m}, {}});
  ASSERT_TRUE(stock.ok()) << stock.error().ToString();
  const VolatilityBlock& v = *stock->volatility;
  EXPECT_FALSE(v.atm_iv_30d.known());
  EXPECT_NE(v.atm_iv_30d.reason.find("no option chain"), std::string::npos) << v.atm_iv_30d.reason;
  EXPECT_FALSE(v.iv_rank.known());
  EXPECT_FALSE(v.iv_hv_ratio.known());
  EXPECT_TRUE(v.hv20.known());

  // Without a store: rank is null and says so.
  ContextService bare(*coach_, nullptr);
  auto no_store = bare.MultiContext({"SPY", {ContextInterval::k5m}, {}});
  ASSERT_TRUE(no_store.ok());
  EXPECT_EQ(no_store->volatility->iv_rank.reason, "no IV history store is configured");
}

TEST_F(ContextServiceTest, ErrorsNameTheirField) {
  auto unknown = service_->Context({"NOPE", ContextInterval::k5m, {}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().field, "symbol");
  auto vix = service_->Context({"VIX", ContextInterval::k5m, {}});
  ASSERT_FALSE(vix.ok());
  EXPECT_EQ(vix.error().field, "symbol");
  auto future = service_->Context({"SPY", ContextInterval::k5m, clock_->Now() + std::chrono::hours(1)});
  ASSERT_FALSE(future.ok());
  EXPECT_EQ(future.error().field, "as_of");
  auto ancient = service_->Context({"SPY", ContextInterval::k5m, At("2024-01-10T15:00:00Z")});
  ASSERT_FALSE(ancient.ok());
  EXPECT_EQ(ancient.error().field, "as_of");
  auto none = service_->MultiContext({"SPY", {}, {}});
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().field, "intervals");
}

TEST_F(ContextServiceTest, CachesAreKeyedByAsOfAndLiveEntriesExpire) {
  ContextService::Options options;
  options.live_ttl = std::chrono::seconds(5);
  ContextService service(*coach_, store_.get(), options);
  auto first = service.Context({"QQQ", ContextInterval::k15m, {}});
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first->cached);
  auto second = service.Context({"QQQ", ContextInterval::k15m, {}});
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->cached);
  EXPECT_EQ(second->interval.get(), first->interval.get()) << "the same computation, not a copy";
  // Another interval reuses the symbol's base but computes its own bars.
  auto other = service.Context({"QQQ", ContextInterval::k1h, {}});
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(other->cached);
  EXPECT_EQ(other->base.get(), first->base.get());
  // A fixed as_of is its own entry.
  auto fixed = service.Context({"QQQ", ContextInterval::k15m, At("2025-09-16T14:00:00Z")});
  ASSERT_TRUE(fixed.ok());
  EXPECT_FALSE(fixed->cached);
  EXPECT_NE(fixed->interval.get(), first->interval.get());
  clock_->Advance(std::chrono::seconds(6));
  auto later = service.Context({"QQQ", ContextInterval::k15m, {}});
  ASSERT_TRUE(later.ok());
  EXPECT_FALSE(later->cached) << "a live entry lives a few seconds";
  auto fixed_again = service.Context({"QQQ", ContextInterval::k15m, At("2025-09-16T14:00:00Z")});
  ASSERT_TRUE(fixed_again.ok());
  EXPECT_TRUE(fixed_again->cached) << "a frozen entry outlives the live TTL";

  // Bounded: a tiny cache evicts the oldest entries.
  ContextService::Options tiny;
  tiny.max_entries = 2;
  ContextService small(*coach_, store_.get(), tiny);
  for (const char* when : {"2025-09-16T14:00:00Z", "2025-09-16T14:05:00Z", "2025-09-16T14:10:00Z"}) {
    ASSERT_TRUE(small.Context({"QQQ", ContextInterval::k15m, At(when)}).ok());
  }
  auto evicted = small.Context({"QQQ", ContextInterval::k15m, At("2025-09-16T14:00:00Z")});
  ASSERT_TRUE(evicted.ok());
  EXPECT_FALSE(evicted->cached);
  auto kept = small.Context({"QQQ", ContextInterval::k15m, At("2025-09-16T14:10:00Z")});
  ASSERT_TRUE(kept.ok());
  EXPECT_TRUE(kept->cached);
}

TEST(ContextRecorderTest, RecordsEachClosedSessionOnce) {
  // 21:00 UTC on a Tuesday: NYSE closed an hour ago, NSE hours ago.
  TestClock clock(At("2025-09-16T21:00:00Z"));
  auto market = MarketService::StartSimulator({.seed = 11, .history_days = 3}, clock);
  ASSERT_TRUE(market.ok()) << market.error().ToString();
  TempDir dir;
  auto store = IvHistoryStore::Open(dir / "iv.db", clock);
  ASSERT_TRUE(store.ok());
  CoachService coach(**market, nullptr, clock);
  ContextService service(coach, store->get());
  const std::size_t underlyings = (*market)->OptionUnderlyings().size();
  ASSERT_GE(underlyings, 4U);
  // The recorder thread does the recording; the test waits for its rows, then stops it.
  service.StartRecorder(std::chrono::milliseconds(20));
  const auto recorded = [&] {
    std::size_t n = 0;
    for (const InstrumentId& id : (*market)->OptionUnderlyings()) {
      auto row = (*store)->At(id.value(), CivilDate{2025, 9, 16});
      n += row.ok() && *row && (*row)->source == kIvSourceChain ? 1 : 0;
    }
    return n;
  };
  for (int i = 0; i < 600 && recorded() < underlyings; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  service.StopRecorder();
  EXPECT_EQ(recorded(), underlyings);
  EXPECT_EQ(service.RecordClosedSessions(), 0U) << "once per session";
  // A new session's close is recorded again, once.
  clock.Advance(std::chrono::hours(24));  // Wednesday 21:00 UTC: both markets closed for the day
  EXPECT_EQ(service.RecordClosedSessions(), underlyings);
  EXPECT_EQ(service.RecordClosedSessions(), 0U);
}

TEST(IvHistoryStoreTest, LiveReadingsReplaceBackfillNeverDoes) {
  TestClock clock(At("2025-09-16T21:00:00Z"));
  TempDir dir;
  auto store = IvHistoryStore::Open(dir / "iv.db", clock);
  ASSERT_TRUE(store.ok());
  IvHistoryStore& s = **store;
  const CivilDate day{2025, 9, 15};
  ASSERT_TRUE(s.Backfill("US:SPY", {{day, 0.15}, {CivilDate{2025, 9, 12}, 0.16}}, kIvSourceSimulatorVolIndex).ok());
  ASSERT_TRUE(s.Record("US:SPY", day, 0.17, kIvSourceChain).ok());
  EXPECT_EQ(*s.Backfill("US:SPY", {{day, 0.99}}, kIvSourceSimulatorVolIndex), 0U);
  EXPECT_DOUBLE_EQ((*s.At("US:SPY", day))->atm_iv_30d, 0.17);
  EXPECT_EQ((*s.At("US:SPY", day))->source, kIvSourceChain);
  EXPECT_FALSE(s.Record("US:SPY", day, -0.1, kIvSourceChain).ok());
  EXPECT_FALSE(s.Record("US:SPY", day, std::nan(""), kIvSourceChain).ok());
  auto before = s.Before("US:SPY", CivilDate{2025, 9, 16}, 10);
  ASSERT_TRUE(before.ok());
  ASSERT_EQ(before->size(), 2U);
  EXPECT_EQ(before->front().session, day) << "newest first";
  EXPECT_EQ(*s.Count("US:SPY"), 2);
  // The file is a WAL database that survives reopening.
  store->reset();
  auto reopened = IvHistoryStore::Open(dir / "iv.db", clock);
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ(*(*reopened)->Count("US:SPY"), 2);
  auto db = persistence::Database::Open(dir / "iv.db");
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(*db->JournalMode(), "wal");
}

TEST(SimulatorIvTest, VolIndexInversionIsExactForTheIndexOwnUnderlying) {
  auto spx = InstrumentId::Parse("GLOBAL_INDEX:SPX");
  auto spy = InstrumentId::Parse("US:SPY");
  ASSERT_TRUE(spx.ok() && spy.ok());
  EXPECT_NEAR(*adapters::simulator::AtmIv30FromVolIndex(*spx, 18.5), 0.185, 1e-12);
  // Higher index, higher IV for every underlying of the market.
  EXPECT_LT(*adapters::simulator::AtmIv30FromVolIndex(*spy, 15.0), *adapters::simulator::AtmIv30FromVolIndex(*spy, 25.0));
  EXPECT_FALSE(adapters::simulator::AtmIv30FromVolIndex(*spy, 0.0).ok());
  auto aapl = InstrumentId::Parse("US:AAPL");
  ASSERT_TRUE(aapl.ok());
  EXPECT_FALSE(adapters::simulator::AtmIv30FromVolIndex(*aapl, 20.0).ok());
}

}  // namespace
}  // namespace td::system
