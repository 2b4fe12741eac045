// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <new>
#include <numeric>
#include <string>
#include <vector>

#include "adapters/simulator/market_simulator.hpp"
#include "calendar/exchange_calendar.hpp"

// Counts heap allocations while armed, to prove the tick path allocation-free. Not under AddressSanitizer,
// which owns operator new itself (and would flag malloc/delete pairs).
#if defined(__SANITIZE_ADDRESS__)
#define TD_COUNT_ALLOCATIONS 0
#else
#define TD_COUNT_ALLOCATIONS 1
#endif

namespace {
std::atomic<bool> g_count_allocations{false};
std::atomic<std::size_t> g_allocations{0};
}  // namespace

#if TD_COUNT_ALLOCATIONS
void* operator new(std::size_t size) {
  if (g_count_allocations.load(std::memory_order_relaxed)) {
    g_allocations.fetch_add(1, std::memory_order_relaxed);
  }
  if (void* p = std::malloc(size == 0 ? 1 : size)) {
    return p;
  }
  throw std::bad_alloc();
}
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
#pragma GCC diagnostic pop
#endif

namespace td::adapters::simulator {
namespace {

UnixNanos At(const char* iso) {
  return UnixNanos::ParseIso8601(iso).value();
}

/// FNV-1a over every field of every event: equal hashes mean identical streams.
class HashSink final : public TickSink {
 public:
  void OnQuote(const QuoteTick& q) override {
    Mix(q.instrument_id.value());
    Mix(q.bid.raw());
    Mix(q.ask.raw());
    Mix(q.bid_size.raw());
    Mix(q.ask_size.raw());
    Mix(q.ts_event.nanos());
    ++count;
  }
  void OnTrade(const TradeTick& t) override {
    Mix(t.instrument_id.value());
    Mix(t.price.raw());
    Mix(t.size.raw());
    Mix(static_cast<std::int64_t>(t.aggressor));
    Mix(t.ts_event.nanos());
    ++count;
  }
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  std::size_t count = 0;

 private:
  void Mix(std::int64_t v) {
    for (int i = 0; i < 8; ++i) {
      hash = (hash ^ static_cast<std::uint64_t>((v >> (8 * i)) & 0xff)) * 0x100000001b3ULL;
    }
  }
  void Mix(const std::string& s) {
    for (char c : s) {
      hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
    }
  }
};

struct Event {
  bool quote = false;
  QuoteTick q;
  TradeTick t;
  UnixNanos ts() const { return quote ? q.ts_event : t.ts_event; }
};

class CollectSink final : public TickSink {
 public:
  void OnQuote(const QuoteTick& q) override { events.push_back(Event{true, q, {}}); }
  void OnTrade(const TradeTick& t) override { events.push_back(Event{false, {}, t}); }
  std::vector<Event> events;
};

SimulatorConfig SmallConfig(std::uint64_t seed) {
  SimulatorConfig config;
  config.seed = seed;
  config.start = At("2026-01-14T00:00:00Z");
  config.history_days = 2;
  config.daily_history_sessions = 15;
  config.symbols = {"NIFTY", "SENSEX", "INDIAVIX", "SPX", "VIX", "SPY", "AAPL"};
  return config;
}

std::vector<double> LogReturns(const std::vector<Bar>& bars) {
  std::vector<double> out;
  for (std::size_t i = 1; i < bars.size(); ++i) {
    out.push_back(std::log(bars[i].close.AsDouble() / bars[i - 1].close.AsDouble()));
  }
  return out;
}

double Variance(const std::vector<double>& x) {
  const double mean = std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(x.size());
  double ss = 0.0;
  for (double v : x) {
    ss += (v - mean) * (v - mean);
  }
  return ss / static_cast<double>(x.size() - 1);
}

double Correlation(const std::vector<double>& a, const std::vector<double>& b) {
  const std::size_t n = std::min(a.size(), b.size());
  double ma = 0, mb = 0;
  for (std::size_t i = 0; i < n; ++i) {
    ma += a[i];
    mb += b[i];
  }
  ma /= static_cast<double>(n);
  mb /= static_cast<double>(n);
  double sab = 0, saa = 0, sbb = 0;
  for (std::size_t i = 0; i < n; ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  return sab / std::sqrt(saa * sbb);
}

TEST(SimulatorTest, UniverseHasTheRequiredUnderlyingsAndFiftyStocks) {
  SimulatorConfig config;
  config.start = At("2026-01-14T00:00:00Z");
  config.history_days = 0;
  config.daily_history_sessions = 1;
  auto sim = MarketSimulator::Create(config);
  ASSERT_TRUE(sim.ok()) << sim.error().ToString();
  std::map<std::string, const Instrument*> by_id;
  int stocks = 0;
  for (const Instrument& instrument : sim->Instruments()) {
    by_id[instrument.id.value()] = &instrument;
    EXPECT_TRUE(instrument.Validate().ok());
    const UnderlyingSpec* spec = sim->Spec(instrument.id);
    ASSERT_NE(spec, nullptr);
    stocks += spec->kind == UnderlyingKind::kStock ? 1 : 0;
  }
  for (const char* id : {"NSE_INDEX:NIFTY", "NSE_INDEX:BANKNIFTY", "BSE_INDEX:SENSEX", "NSE_INDEX:INDIAVIX", "US:SPY",
                         "US:QQQ", "GLOBAL_INDEX:SPX", "GLOBAL_INDEX:VIX"}) {
    EXPECT_TRUE(by_id.count(id)) << id;
  }
  EXPECT_GE(stocks, 50);
  EXPECT_EQ(sim->OptionUnderlyings().size(), 6u);
  EXPECT_EQ(sim->OptionContractSpec(InstrumentId::Of("NSE_INDEX:NIFTY"))->lot_size, Quantity::FromUnits(65));
  EXPECT_EQ(sim->OptionContractSpec(InstrumentId::Of("NSE_INDEX:BANKNIFTY"))->lot_size, Quantity::FromUnits(30));
  EXPECT_EQ(sim->OptionContractSpec(InstrumentId::Of("BSE_INDEX:SENSEX"))->lot_size, Quantity::FromUnits(20));
  EXPECT_EQ(sim->OptionContractSpec(InstrumentId::Of("US:SPY"))->multiplier, Quantity::FromUnits(100));
  config.symbols = {"NOPE"};
  EXPECT_FALSE(MarketSimulator::Create(config).ok());
}

TEST(SimulatorTest, SameSeedSameStreamDifferentSeedDifferentStream) {
  const UnixNanos end = At("2026-01-16T23:00:00Z");
  auto a = MarketSimulator::Create(SmallConfig(7));
  auto b = MarketSimulator::Create(SmallConfig(7));
  auto c = MarketSimulator::Create(SmallConfig(8));
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  HashSink ha, hb, hc;
  // Advance in different increments: the stream must not depend on how the caller slices time.
  a->AdvanceTo(end, ha);
  for (UnixNanos t = At("2026-01-14T00:00:00Z"); t < end; t += std::chrono::minutes(17)) {
    b->AdvanceTo(t, hb);
  }
  b->AdvanceTo(end, hb);
  c->AdvanceTo(end, hc);
  EXPECT_GT(ha.count, 100'000u);
  EXPECT_EQ(ha.count, hb.count);
  EXPECT_EQ(ha.hash, hb.hash);
  EXPECT_NE(ha.hash, hc.hash);
  // History is part of the reproducible state too.
  const InstrumentId nifty = InstrumentId::Of("NSE_INDEX:NIFTY");
  auto bars_a = a->History(nifty, BarSpec{1, BarUnit::kMinute}, UnixNanos(0), end);
  auto bars_b = b->History(nifty, BarSpec{1, BarUnit::kMinute}, UnixNanos(0), end);
  auto bars_c = c->History(nifty, BarSpec{1, BarUnit::kMinute}, UnixNanos(0), end);
  ASSERT_TRUE(bars_a.ok() && bars_b.ok() && bars_c.ok());
  ASSERT_EQ(bars_a->size(), bars_b->size());
  for (std::size_t i = 0; i < bars_a->size(); ++i) {
    ASSERT_EQ((*bars_a)[i].close, (*bars_b)[i].close) << i;
  }
  EXPECT_NE(bars_a->back().close, bars_c->back().close);
}

TEST(SimulatorTest, TicksOnlyInRegularSessionsOnTheGridAndTwoSided) {
  // 14-20 Jan 2026: NSE/BSE closed on Thu 15 Jan (municipal elections), NYSE closed on Mon 19 Jan (MLK day).
  auto sim = MarketSimulator::Create(SmallConfig(3));
  ASSERT_TRUE(sim.ok());
  CollectSink sink;
  const UnixNanos end = At("2026-01-21T00:00:00Z");
  sim->AdvanceTo(end, sink);
  ASSERT_FALSE(sink.events.empty());
  std::map<std::string, const Instrument*> by_id;
  for (const Instrument& instrument : sim->Instruments()) {
    by_id[instrument.id.value()] = &instrument;
  }
  std::map<std::string, std::map<std::int64_t, int>> per_day;  // instrument -> local day -> events
  UnixNanos last;
  for (const Event& e : sink.events) {
    ASSERT_GE(e.ts(), last) << "out of order";
    last = e.ts();
    const InstrumentId& id = e.quote ? e.q.instrument_id : e.t.instrument_id;
    const Instrument& instrument = *by_id.at(id.value());
    const UnderlyingSpec& spec = *sim->Spec(id);
    const auto& cal = calendar::ExchangeCalendar::Get(spec.session_calendar);
    auto status = cal.StatusAt(e.ts());
    ASSERT_TRUE(status.ok());
    ASSERT_EQ(status->status, calendar::MarketStatus::kOpen) << id.value() << " at " << e.ts().ToIso8601();
    per_day[id.value()][DaysFromCivil(status->trading_date)]++;
    if (e.quote) {
      ASSERT_LT(e.q.bid, e.q.ask);
      ASSERT_TRUE(e.q.bid.is_positive());
      ASSERT_TRUE(instrument.IsOnTick(e.q.bid) && instrument.IsOnTick(e.q.ask));
    } else {
      ASSERT_TRUE(instrument.IsOnTick(e.t.price));
      ASSERT_TRUE(e.t.price.is_positive());
    }
  }
  const auto day = [](const char* date) { return DaysFromCivil(calendar::ParseCivilDate(date).value()); };
  EXPECT_EQ(per_day["NSE_INDEX:NIFTY"].count(day("2026-01-15")), 0u);
  EXPECT_EQ(per_day["BSE_INDEX:SENSEX"].count(day("2026-01-15")), 0u);
  EXPECT_EQ(per_day["US:SPY"].count(day("2026-01-19")), 0u);
  EXPECT_EQ(per_day["NSE_INDEX:NIFTY"].size(), 4u);  // 14, 16, 19, 20 Jan
  EXPECT_EQ(per_day["US:SPY"].size(), 4u);           // 14, 15, 16, 20 Jan
  // One index value per second of the 09:15-15:30 session.
  EXPECT_EQ(per_day["NSE_INDEX:NIFTY"][day("2026-01-16")], 22'500);
}

TEST(SimulatorTest, RealisedVolatilityMatchesConfiguredLevel) {
  // Daily close-to-close vol over 4 x 900 sessions. With GARCH clustering, jumps and fat gaps the sampling
  // error of one 900-day vol is ~4% (1 sd); pooled over four seeds ~2%. Tolerance: 8% relative, so a wrong
  // annualisation (e.g. 365 vs 252 days, 19%) or a wrong variance split fails.
  for (const char* symbol : {"SPY", "NIFTY", "AAPL", "SENSEX", "SPX"}) {
    double var_sum = 0.0;
    double expected = 0.0;
    for (std::uint64_t seed : {11u, 12u, 13u, 14u}) {
      SimulatorConfig config;
      config.seed = seed;
      config.start = At("2026-06-15T00:00:00Z");
      config.history_days = 0;
      config.daily_history_sessions = 900;
      config.symbols = {symbol};
      auto sim = MarketSimulator::Create(config);
      ASSERT_TRUE(sim.ok()) << sim.error().ToString();
      const Instrument& instrument = sim->Instruments().front();
      expected = sim->Spec(instrument.id)->annual_vol;
      auto bars = sim->History(instrument.id, BarSpec{1, BarUnit::kDay}, UnixNanos(0), config.start);
      ASSERT_TRUE(bars.ok());
      ASSERT_GE(bars->size(), 899u);
      var_sum += Variance(LogReturns(*bars)) * 252.0;
    }
    const double realised = std::sqrt(var_sum / 4.0);
    std::printf("%s realised %.4f configured %.4f\n", symbol, realised, expected);
    EXPECT_NEAR(realised / expected, 1.0, 0.08) << symbol << " realised " << realised << " configured " << expected;
  }
}

TEST(SimulatorTest, IndicesAndStocksAreCorrelatedThroughTheirMarketFactor) {
  SimulatorConfig config;
  config.seed = 5;
  config.history_days = 0;
  config.start = At("2026-06-15T00:00:00Z");
  config.daily_history_sessions = 900;
  config.symbols = {"SPY", "QQQ", "SPX", "VIX", "NIFTY", "BANKNIFTY", "SENSEX", "KO"};
  auto sim = MarketSimulator::Create(config);
  ASSERT_TRUE(sim.ok());
  std::map<std::string, std::vector<double>> returns;
  for (const Instrument& instrument : sim->Instruments()) {
    auto bars = sim->History(instrument.id, BarSpec{1, BarUnit::kDay}, UnixNanos(0), config.start);
    ASSERT_TRUE(bars.ok());
    returns[std::string(instrument.id.symbol())] = LogReturns(*bars);
  }
  for (const char* pair : {"SPY SPX", "SPY QQQ", "NIFTY SENSEX", "NIFTY BANKNIFTY", "SPY KO", "SPX VIX", "SPY NIFTY"}) {
    const std::string text(pair);
    const std::string a = text.substr(0, text.find(' '));
    const std::string b = text.substr(text.find(' ') + 1);
    std::printf("corr %s %.3f\n", pair, Correlation(returns[a], returns[b]));
  }
  // Model correlations beta_i beta_j s_F^2 / (s_i s_j): SPY/SPX 0.955, SPY/QQQ 0.867, NIFTY/SENSEX 0.953,
  // NIFTY/BANKNIFTY 0.847 (trend regimes on the factor add a little). Thresholds allow for 900-day sampling.
  EXPECT_GT(Correlation(returns["SPY"], returns["SPX"]), 0.93);
  EXPECT_GT(Correlation(returns["SPY"], returns["QQQ"]), 0.80);
  EXPECT_GT(Correlation(returns["NIFTY"], returns["SENSEX"]), 0.93);
  EXPECT_GT(Correlation(returns["NIFTY"], returns["BANKNIFTY"]), 0.75);
  EXPECT_LT(Correlation(returns["SPY"], returns["KO"]), Correlation(returns["SPY"], returns["QQQ"]));
  // Leverage: the vol index rises when the index falls.
  EXPECT_LT(Correlation(returns["SPX"], returns["VIX"]), -0.4);
  // India and the US are independent markets in the simulator.
  EXPECT_LT(std::abs(Correlation(returns["SPY"], returns["NIFTY"])), 0.15);
}

TEST(SimulatorTest, IntradayVolumeIsUShaped) {
  SimulatorConfig config;
  config.seed = 9;
  config.start = At("2026-01-14T00:00:00Z");
  config.history_days = 40;
  config.daily_history_sessions = 40;
  config.symbols = {"SPY", "AAPL"};
  auto sim = MarketSimulator::Create(config);
  ASSERT_TRUE(sim.ok());
  const auto& cal = calendar::ExchangeCalendar::Get(calendar::Exchange::kNyse);
  for (const Instrument& instrument : sim->Instruments()) {
    auto bars = sim->History(instrument.id, BarSpec{1, BarUnit::kMinute}, UnixNanos(0), config.start);
    ASSERT_TRUE(bars.ok());
    double first = 0, last = 0, midday = 0;
    int n_first = 0, n_last = 0, n_mid = 0;
    for (const Bar& bar : *bars) {
      const auto local = cal.time_zone().ToLocal(bar.ts_event);
      const int minute = local.hour * 60 + local.minute;
      const double v = bar.volume.AsDouble();
      if (minute < 10 * 60) {
        first += v, ++n_first;
      } else if (minute >= 15 * 60 + 30) {
        last += v, ++n_last;
      } else if (minute >= 12 * 60 && minute < 13 * 60 + 30) {
        midday += v, ++n_mid;
      }
    }
    ASSERT_GT(n_first, 0);
    ASSERT_GT(n_mid, 0);
    ASSERT_GT(n_last, 0);
    // Profile 1 + 2.2 e^{-tau/0.07} + 1.6 e^{-(1-tau)/0.07}: the model ratios are ~2.5 (open) and ~2.0 (close).
    EXPECT_GT((first / n_first) / (midday / n_mid), 1.8) << instrument.id.value();
    EXPECT_GT((last / n_last) / (midday / n_mid), 1.5) << instrument.id.value();
  }
}

TEST(SimulatorTest, HistoryAggregatesAnchoredAtTheSessionOpen) {
  auto sim = MarketSimulator::Create(SmallConfig(21));
  ASSERT_TRUE(sim.ok());
  const InstrumentId nifty = InstrumentId::Of("NSE_INDEX:NIFTY");
  const InstrumentId spy = InstrumentId::Of("US:SPY");
  auto m1 = sim->History(spy, BarSpec{1, BarUnit::kMinute}, UnixNanos(0), At("2030-01-01T00:00:00Z"));
  auto m5 = sim->History(spy, BarSpec{5, BarUnit::kMinute}, UnixNanos(0), At("2030-01-01T00:00:00Z"));
  auto h1 = sim->History(nifty, BarSpec{1, BarUnit::kHour}, UnixNanos(0), At("2030-01-01T00:00:00Z"));
  auto d1 = sim->History(spy, BarSpec{1, BarUnit::kDay}, UnixNanos(0), At("2030-01-01T00:00:00Z"));
  ASSERT_TRUE(m1.ok() && m5.ok() && h1.ok() && d1.ok());
  EXPECT_EQ(m1->size(), 2u * 390u);  // two full sessions of 1-minute bars before start
  EXPECT_EQ(m5->size(), 2u * 78u);
  EXPECT_EQ(d1->size(), 15u);
  Quantity volume;
  double high = 0.0;
  for (std::size_t i = 0; i < 5; ++i) {
    volume += (*m1)[i].volume;
    high = std::max(high, (*m1)[i].high.AsDouble());
  }
  EXPECT_EQ((*m5)[0].volume, volume);
  EXPECT_DOUBLE_EQ((*m5)[0].high.AsDouble(), high);
  EXPECT_EQ((*m5)[0].open, (*m1)[0].open);
  EXPECT_EQ((*m5)[0].close, (*m1)[4].close);
  for (const auto* bars : {&*m1, &*m5, &*h1, &*d1}) {
    for (const Bar& bar : *bars) {
      ASSERT_TRUE(bar.IsConsistent());
    }
  }
  // NSE hourly bars start at 09:15 IST (03:45 UTC): 09:15, 10:15, ..., 15:15 -> 7 per session.
  EXPECT_EQ(h1->size(), 2u * 7u);
  EXPECT_EQ((*h1)[0].ts_event.ToIso8601().substr(11, 5), "03:45");
  // The last daily close equals the last minute close of the same session.
  EXPECT_EQ(d1->back().close, m1->back().close);
  auto seconds = sim->History(spy, BarSpec{15, BarUnit::kSecond}, UnixNanos(0), At("2030-01-01T00:00:00Z"));
  EXPECT_FALSE(seconds.ok());
  // Live minutes join the history.
  HashSink sink;
  sim->AdvanceTo(At("2026-01-14T15:00:00Z"), sink);
  // 14:30..14:59 complete, plus the 15:00 bar opened by the tick at 15:00:00 (the last price).
  auto live = sim->History(spy, BarSpec{1, BarUnit::kMinute}, At("2026-01-14T14:30:00Z"), At("2026-01-14T15:01:00Z"));
  ASSERT_TRUE(live.ok());
  EXPECT_EQ(live->size(), 31u);
  EXPECT_EQ(sim->LastPrice(spy), live->back().close);
}

TEST(SimulatorTest, TickPathDoesNotAllocate) {
  if (!TD_COUNT_ALLOCATIONS) {
    GTEST_SKIP() << "allocation counting is off under AddressSanitizer";
  }
  SimulatorConfig config;
  config.seed = 4;
  config.start = At("2026-01-14T00:00:00Z");
  config.history_days = 1;
  config.daily_history_sessions = 3;
  auto sim = MarketSimulator::Create(config);
  ASSERT_TRUE(sim.ok());
  HashSink sink;
  sim->AdvanceTo(At("2026-01-14T14:35:00Z"), sink);  // into the US session: the day's setup is done
  g_allocations = 0;
  g_count_allocations = true;
  const std::size_t events = sim->AdvanceTo(At("2026-01-14T15:35:00Z"), sink);
  g_count_allocations = false;
  EXPECT_GT(events, 3600u * 60u);
  EXPECT_EQ(g_allocations.load(), 0u);
}

TEST(SimulatorTest, InvalidConfigurationsAreErrors) {
  SimulatorConfig config = SmallConfig(1);
  config.tick_interval = std::chrono::seconds(7);
  EXPECT_FALSE(MarketSimulator::Create(config).ok());
  config = SmallConfig(1);
  config.daily_history_sessions = 10'000;  // before the calendars' coverage
  EXPECT_FALSE(MarketSimulator::Create(config).ok());
}

}  // namespace
}  // namespace td::adapters::simulator
