// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "adapters/simulator/market_simulator.hpp"
#include "adapters/simulator/simulator_data_client.hpp"
#include "core/clock.hpp"

namespace td::adapters::simulator {
namespace {

UnixNanos At(const char* iso) {
  return UnixNanos::ParseIso8601(iso).value();
}

const InstrumentId kSpy = InstrumentId::Of("US:SPY");
const InstrumentId kAapl = InstrumentId::Of("US:AAPL");

SimulatorConfig Config() {
  SimulatorConfig config;
  config.seed = 7;
  config.start = At("2026-01-14T14:30:00Z");  // the NYSE open
  config.history_days = 2;
  config.daily_history_sessions = 10;
  config.symbols = {"SPY", "AAPL", "NIFTY"};
  return config;
}

MarketSimulator MakeSimulator() {
  auto sim = MarketSimulator::Create(Config());
  EXPECT_TRUE(sim.ok()) << (sim.ok() ? "" : sim.error().ToString());
  return std::move(sim).value();
}

/// A clock other threads may read while the test moves it.
class AtomicClock final : public Clock {
 public:
  explicit AtomicClock(UnixNanos start) : nanos_(start.nanos()) {}
  UnixNanos Now() const override { return UnixNanos(nanos_.load()); }
  void Set(UnixNanos t) { nanos_.store(t.nanos()); }

 private:
  std::atomic<std::int64_t> nanos_;
};

/// Records every event as one line of text, in order.
class RecordingSink final : public data::MarketEventSink {
 public:
  void OnEvent(data::MarketEvent event) override {
    std::lock_guard lock(mutex_);
    std::ostringstream line;
    if (const auto* q = std::get_if<QuoteTick>(&event)) {
      line << "Q " << q->instrument_id.value() << ' ' << q->ts_event.nanos() << ' ' << q->bid.raw() << ' '
           << q->ask.raw();
    } else if (const auto* t = std::get_if<TradeTick>(&event)) {
      line << "T " << t->instrument_id.value() << ' ' << t->ts_event.nanos() << ' ' << t->price.raw() << ' '
           << t->size.raw();
    } else if (const auto* s = std::get_if<data::FeedStatus>(&event)) {
      line << "S " << s->source << ' ' << (s->connected ? "up" : "down") << ' ' << s->reconnects;
      statuses.push_back(*s);
    } else {
      line << "other";
    }
    lines.push_back(line.str());
  }
  std::vector<std::string> Lines() const {
    std::lock_guard lock(mutex_);
    return lines;
  }

  std::vector<std::string> lines;
  std::vector<data::FeedStatus> statuses;

 private:
  mutable std::mutex mutex_;
};

/// Counts the raw simulator's events per (kind, instrument) for comparison.
class CountingTickSink final : public TickSink {
 public:
  void OnQuote(const QuoteTick& q) override { quotes += q.instrument_id == kSpy ? 1 : 0; }
  void OnTrade(const TradeTick& t) override { trades += t.instrument_id == kAapl ? 1 : 0; }
  std::size_t quotes = 0;
  std::size_t trades = 0;
};

SimulatorClientOptions Manual() {
  SimulatorClientOptions options;
  options.live = false;
  return options;
}

TEST(SimulatorDataClient, NameAndCapabilities) {
  TestClock clock(Config().start);
  SimulatorDataClient client(MakeSimulator(), clock, Manual());
  EXPECT_EQ(client.name(), "simulator");
  const data::DataCapabilities caps = client.capabilities();
  EXPECT_TRUE(caps.quotes);
  EXPECT_TRUE(caps.trades);
  EXPECT_TRUE(caps.history);
  EXPECT_TRUE(caps.chains);
  EXPECT_FALSE(caps.bars);
  EXPECT_FALSE(caps.depth);
}

TEST(SimulatorDataClient, DeliversOnlySubscribedStreams) {
  TestClock clock(Config().start);
  SimulatorDataClient client(MakeSimulator(), clock, Manual());
  RecordingSink sink;
  ASSERT_TRUE(client.Subscribe({kSpy, data::DataKind::kQuotes, {}}).ok());
  ASSERT_TRUE(client.Subscribe({kAapl, data::DataKind::kTrades, {}}).ok());
  EXPECT_EQ(client.Subscribe({InstrumentId::Of("US:NOPE"), data::DataKind::kQuotes, {}}).error().code,
            ErrorCode::kNotFound);
  EXPECT_EQ(client.Subscribe({kSpy, data::DataKind::kDepth, {}}).error().code, ErrorCode::kUnavailable);
  ASSERT_TRUE(client.Connect(sink).ok());
  const UnixNanos until = At("2026-01-14T14:40:00Z");
  const std::size_t delivered = client.Pump(until);

  CountingTickSink reference;
  MarketSimulator raw = MakeSimulator();
  raw.AdvanceTo(until, reference);
  ASSERT_GT(reference.quotes, 0U);
  ASSERT_GT(reference.trades, 0U);
  EXPECT_EQ(delivered, reference.quotes + reference.trades);

  std::size_t quotes = 0;
  std::size_t trades = 0;
  for (const std::string& line : sink.Lines()) {
    if (line.rfind("Q ", 0) == 0) {
      EXPECT_EQ(line.rfind("Q US:SPY ", 0), 0U) << line;
      ++quotes;
    } else if (line.rfind("T ", 0) == 0) {
      EXPECT_EQ(line.rfind("T US:AAPL ", 0), 0U) << line;
      ++trades;
    }
  }
  EXPECT_EQ(quotes, reference.quotes);
  EXPECT_EQ(trades, reference.trades);

  // After unsubscribing the SPY quotes, only AAPL trades arrive.
  ASSERT_TRUE(client.Unsubscribe({kSpy, data::DataKind::kQuotes, {}}).ok());
  EXPECT_EQ(client.Unsubscribe({kSpy, data::DataKind::kQuotes, {}}).error().code, ErrorCode::kNotFound);
  const std::size_t before = sink.Lines().size();
  EXPECT_GT(client.Pump(At("2026-01-14T14:50:00Z")), 0U);
  const std::vector<std::string> lines = sink.Lines();
  for (std::size_t i = before; i < lines.size(); ++i) {
    EXPECT_EQ(lines[i].rfind("T US:AAPL ", 0), 0U) << lines[i];
  }
  client.Disconnect();
}

TEST(SimulatorDataClient, PumpIsDeterministicWhateverTheSlicing) {
  std::vector<std::string> runs[2];
  for (int run = 0; run < 2; ++run) {
    TestClock clock(Config().start);
    SimulatorDataClient client(MakeSimulator(), clock, Manual());
    RecordingSink sink;
    ASSERT_TRUE(client.Subscribe({kSpy, data::DataKind::kQuotes, {}}).ok());
    ASSERT_TRUE(client.Subscribe({kSpy, data::DataKind::kTrades, {}}).ok());
    ASSERT_TRUE(client.Connect(sink).ok());
    const UnixNanos start = Config().start;
    if (run == 0) {
      client.Pump(start + std::chrono::minutes(5));
    } else {
      for (int s = 7; s <= 300; s += 7) {
        client.Pump(start + std::chrono::seconds(s));
      }
      client.Pump(start + std::chrono::minutes(5));
    }
    EXPECT_EQ(client.Now(), start + std::chrono::minutes(5));
    client.Disconnect();
    runs[run] = sink.Lines();
  }
  ASSERT_GT(runs[0].size(), 100U);
  EXPECT_EQ(runs[0], runs[1]);
  // Time order holds within the stream.
  std::int64_t last = 0;
  for (const std::string& line : runs[0]) {
    if (line[0] == 'Q' || line[0] == 'T') {
      std::istringstream in(line.substr(2));
      std::string id;
      std::int64_t ts = 0;
      in >> id >> ts;
      EXPECT_GE(ts, last);
      last = ts;
    }
  }
}

TEST(SimulatorDataClient, HistoryEqualsSimulatorHistory) {
  TestClock clock(Config().start);
  SimulatorDataClient client(MakeSimulator(), clock, Manual());
  const MarketSimulator reference = MakeSimulator();
  for (const char* spec_text : {"1m", "5m", "1h", "1D"}) {
    const BarSpec spec = BarSpec::Parse(spec_text).value();
    const UnixNanos from = At("2026-01-01T00:00:00Z");
    const UnixNanos to = Config().start;
    auto bars = client.RequestBars(kSpy, spec, from, to);
    auto expected = reference.History(kSpy, spec, from, to);
    ASSERT_TRUE(bars.ok()) << bars.error().ToString();
    ASSERT_TRUE(expected.ok());
    ASSERT_FALSE(bars->empty()) << spec_text;
    ASSERT_EQ(bars->size(), expected->size()) << spec_text;
    for (std::size_t i = 0; i < bars->size(); ++i) {
      EXPECT_EQ((*bars)[i].ts_event, (*expected)[i].ts_event);
      EXPECT_EQ((*bars)[i].open, (*expected)[i].open);
      EXPECT_EQ((*bars)[i].high, (*expected)[i].high);
      EXPECT_EQ((*bars)[i].low, (*expected)[i].low);
      EXPECT_EQ((*bars)[i].close, (*expected)[i].close);
      EXPECT_EQ((*bars)[i].volume, (*expected)[i].volume);
    }
  }
  EXPECT_EQ(client.RequestBars(InstrumentId::Of("US:NOPE"), BarSpec{}, At("2026-01-01T00:00:00Z"), Config().start)
                .error()
                .code,
            ErrorCode::kNotFound);
  EXPECT_FALSE(client.RequestBars(kSpy, BarSpec::Parse("5s").value(), At("2026-01-13T00:00:00Z"), Config().start).ok());
}

TEST(SimulatorDataClient, ChainRequestMatchesSimulatorAndFiltersExpiry) {
  TestClock clock(Config().start);
  SimulatorDataClient client(MakeSimulator(), clock, Manual());
  const MarketSimulator reference = MakeSimulator();
  auto chain = client.RequestChain(kSpy, std::nullopt);
  ASSERT_TRUE(chain.ok()) << chain.error().ToString();
  auto expected = reference.Chain(kSpy, reference.Now());
  ASSERT_TRUE(expected.ok());
  ASSERT_GE(chain->expiries.size(), 2U);
  EXPECT_EQ(chain->underlying, kSpy);
  EXPECT_EQ(chain->expiries, expected->expiries);
  EXPECT_EQ(chain->underlying_price, expected->underlying_price);

  const CivilDate second = chain->expiries[1].expiry;
  auto one = client.RequestChain(kSpy, second);
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->expiries.size(), 1U);
  EXPECT_EQ(one->expiries[0], chain->expiries[1]);

  EXPECT_EQ(client.RequestChain(kSpy, CivilDate{2026, 1, 17}).error().code, ErrorCode::kNotFound);  // a Saturday
  EXPECT_FALSE(client.RequestChain(kAapl, std::nullopt).ok());  // no options simulated for this stock
}

TEST(SimulatorDataClient, ConnectAndDisconnectTwice) {
  TestClock clock(Config().start);
  SimulatorDataClient client(MakeSimulator(), clock, Manual());
  RecordingSink sink;
  ASSERT_TRUE(client.Subscribe({kSpy, data::DataKind::kQuotes, {}}).ok());
  EXPECT_EQ(client.Pump(At("2026-01-14T14:31:00Z")), 0U);  // not connected: nothing delivered or advanced
  EXPECT_EQ(client.Now(), Config().start);

  ASSERT_TRUE(client.Connect(sink).ok());
  EXPECT_FALSE(client.Connect(sink).ok());
  EXPECT_TRUE(client.connected());
  EXPECT_GT(client.Pump(At("2026-01-14T14:31:00Z")), 0U);
  client.Disconnect();
  EXPECT_FALSE(client.connected());
  client.Disconnect();  // no-op
  const std::size_t after_first = sink.Lines().size();
  EXPECT_EQ(client.Pump(At("2026-01-14T14:32:00Z")), 0U);
  EXPECT_EQ(sink.Lines().size(), after_first);

  // Reconnecting skips the time spent disconnected: no backlog of stale ticks.
  clock.AdvanceTo(At("2026-01-14T14:35:00Z"));
  ASSERT_TRUE(client.Connect(sink).ok());
  EXPECT_EQ(client.Now(), At("2026-01-14T14:35:00Z"));
  EXPECT_GT(client.Pump(At("2026-01-14T14:36:00Z")), 0U);
  client.Disconnect();

  ASSERT_EQ(sink.statuses.size(), 4U);
  EXPECT_TRUE(sink.statuses[0].connected);
  EXPECT_FALSE(sink.statuses[1].connected);
  EXPECT_TRUE(sink.statuses[2].connected);
  EXPECT_FALSE(sink.statuses[3].connected);
  EXPECT_EQ(sink.statuses[2].reconnects, 1U);
  EXPECT_EQ(sink.statuses[0].source, "simulator");
  EXPECT_GT(sink.statuses[1].messages, 0U);
  EXPECT_EQ(sink.statuses[2].ts_event, At("2026-01-14T14:35:00Z"));
  const std::vector<std::string> lines = sink.Lines();
  EXPECT_EQ(lines.front(), "S simulator up 0");
  EXPECT_EQ(lines.back(), "S simulator down 1");
  for (const std::string& line : lines) {
    if (line[0] == 'Q') {
      std::istringstream in(line.substr(2));
      std::string id;
      std::int64_t ts = 0;
      in >> id >> ts;
      const bool first = ts <= At("2026-01-14T14:31:00Z").nanos();
      const bool second = ts > At("2026-01-14T14:35:00Z").nanos() && ts <= At("2026-01-14T14:36:00Z").nanos();
      EXPECT_TRUE(first || second) << line;
    }
  }
}

TEST(SimulatorDataClient, LiveThreadFollowsTheClockAndStopsOnDisconnect) {
  AtomicClock clock(Config().start);
  SimulatorClientOptions options;
  options.live = true;
  options.poll_interval = std::chrono::milliseconds(2);
  SimulatorDataClient client(MakeSimulator(), clock, options);
  RecordingSink sink;
  ASSERT_TRUE(client.Subscribe({kSpy, data::DataKind::kQuotes, {}}).ok());
  for (int round = 0; round < 2; ++round) {
    ASSERT_TRUE(client.Connect(sink).ok());
    const UnixNanos target = Config().start + std::chrono::minutes(round + 1);
    clock.Set(target);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (client.Now() < target && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    EXPECT_EQ(client.Now(), target);
    client.Disconnect();
    const std::size_t size = sink.Lines().size();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_EQ(sink.Lines().size(), size);  // nothing after Disconnect
    EXPECT_EQ(sink.Lines().back(), "S simulator down " + std::to_string(round));
  }
  std::size_t quotes = 0;
  for (const std::string& line : sink.Lines()) {
    quotes += line[0] == 'Q' ? 1 : 0;
  }
  EXPECT_GT(quotes, 60U);
}

/// Subscribes to AAPL trades from inside the sink on the first SPY quote, as a strategy reacting to data would.
class SubscribingSink final : public data::MarketEventSink {
 public:
  void OnEvent(data::MarketEvent event) override {
    if (std::holds_alternative<QuoteTick>(event) && !subscribed) {
      subscribed = client->Subscribe({kAapl, data::DataKind::kTrades, {}}).ok();
    }
    if (const auto* t = std::get_if<TradeTick>(&event)) {
      aapl_trades += t->instrument_id == kAapl ? 1 : 0;
    }
  }
  SimulatorDataClient* client = nullptr;
  bool subscribed = false;
  std::size_t aapl_trades = 0;
};

TEST(SimulatorDataClient, SubscribeFromInsideTheSink) {
  TestClock clock(Config().start);
  SimulatorDataClient client(MakeSimulator(), clock, Manual());
  SubscribingSink sink;
  sink.client = &client;
  ASSERT_TRUE(client.Subscribe({kSpy, data::DataKind::kQuotes, {}}).ok());
  ASSERT_TRUE(client.Connect(sink).ok());
  client.Pump(At("2026-01-14T14:31:00Z"));
  EXPECT_TRUE(sink.subscribed);
  client.Pump(At("2026-01-14T14:40:00Z"));  // the new subscription applies from the next pump
  EXPECT_GT(sink.aapl_trades, 0U);
  client.Disconnect();
}

}  // namespace
}  // namespace td::adapters::simulator
