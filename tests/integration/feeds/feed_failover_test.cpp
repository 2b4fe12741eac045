// SPDX-License-Identifier: MIT
// Failover over real sockets: two loopback servers speak OpenAlgo's WebSocket market-data protocol (and its
// REST history) to two OpenAlgoDataClients registered with one DataEngine under a FeedManager. The primary's
// socket is closed mid-session, it reconnects and then stalls without data; the feed fails over to the
// backup within the staleness threshold, the missing bar is backfilled from the backup's history, the
// primary resumes and the feed fails back after the hysteresis. The published 1-minute bars equal the bars
// of the whole tick stream: no tick lost or counted twice across either switch.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json/parse.hpp>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>

#include "adapters/openalgo/client.hpp"
#include "data/bar_aggregator.hpp"
#include "data/data_engine.hpp"
#include "data/feed_manager.hpp"
#include "data/session_source.hpp"
#include "runtime/kernel.hpp"
#include "runtime/message_bus.hpp"
#include "unit/vendors/test_support.hpp"

using namespace std::chrono_literals;

namespace td {
namespace {

namespace json = boost::json;
using vendors_test::Fixture;
using vendors_test::HttpResponse;
using vendors_test::LoopbackServer;
using vendors_test::RequestBody;
using vendors_test::RequestTarget;
using vendors_test::WsPeer;

constexpr std::int64_t kSecond = 1'000'000'000;
const InstrumentId kSbin = InstrumentId::Of("NSE:SBIN");
const BarSpec kOneMinute{1, BarUnit::kMinute};
// Thursday 21-Nov-2024 10:15:00 IST: NSE is in its regular session.
const std::int64_t kStart = UnixNanos::ParseIso8601("2024-11-21T04:45:00Z").value().nanos();

struct Tick {
  std::int64_t ts = 0;     // ns
  std::int64_t paise = 0;  // price in 0.01 rupees
  std::int64_t size = 0;
};

/// One print per second at hh:mm:ss.5; consecutive prices always differ.
std::vector<Tick> MakeTicks(int count) {
  std::vector<Tick> ticks;
  for (int i = 0; i < count; ++i) {
    ticks.push_back({kStart + i * kSecond + kSecond / 2, 81'000 + (i * 7919) % 200 - 100 + i / 60, 1 + i % 7});
  }
  return ticks;
}

std::string Rupees(std::int64_t paise) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%lld.%02lld", static_cast<long long>(paise / 100),
                static_cast<long long>(paise % 100));
  return buffer;
}

/// An LTP-mode market_data frame as OpenAlgo's proxy sends it (timestamp in epoch milliseconds).
std::string LtpFrame(const Tick& tick) {
  return R"({"type":"market_data","symbol":"SBIN","exchange":"NSE","mode":1,"broker":"zerodha","data":{"ltp":)" +
         Rupees(tick.paise) + R"(,"ltq":)" + std::to_string(tick.size) +
         R"(,"timestamp":)" + std::to_string(tick.ts / 1'000'000) + "}}";
}

TradeTick ToTrade(const Tick& tick) {
  return TradeTick{kSbin, Price::FromRaw(tick.paise * 10'000'000, 2), Quantity::FromUnits(tick.size),
                   AggressorSide::kNone, UnixNanos(tick.ts), UnixNanos(tick.ts)};
}

/// 1-minute bars of the ticks before `until` under NSE's calendar sessions; the forming bar included.
std::vector<Bar> BarsOf(const std::vector<Tick>& ticks, std::int64_t until) {
  const data::SessionRule rule = data::DefaultSessionRule(kSbin);
  data::AggregatorOptions options;
  options.spec = kOneMinute;
  options.time_zone = rule.time_zone;
  options.session = rule.regular;
  options.sessions = rule.sessions;
  options.trade_dedup = data::TradeDedup::kOff;
  auto aggregator = data::TickBarAggregator::Create(options).value();
  std::vector<Bar> bars;
  for (const Tick& tick : ticks) {
    if (tick.ts >= until) {
      break;
    }
    if (auto bar = aggregator.OnTrade(ToTrade(tick))) {
      bars.push_back(*bar);
    }
  }
  if (auto bar = aggregator.Flush()) {
    bars.push_back(*bar);
  }
  return bars;
}

/// OpenAlgo's /api/v1/history answer for `bars` (epoch-second bar starts).
std::string HistoryJson(const std::vector<Bar>& bars) {
  std::string out = R"({"status":"success","data":[)";
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const Bar& bar = bars[i];
    out += (i == 0 ? "" : ",");
    out += R"({"timestamp":)" + std::to_string(bar.ts_event.nanos() / kSecond) + R"(,"open":)" +
           Rupees(bar.open.raw() / 10'000'000) + R"(,"high":)" + Rupees(bar.high.raw() / 10'000'000) +
           R"(,"low":)" + Rupees(bar.low.raw() / 10'000'000) + R"(,"close":)" +
           Rupees(bar.close.raw() / 10'000'000) + R"(,"volume":)" + std::to_string(bar.volume.raw() / 1'000'000'000) +
           R"(,"oi":0})";
  }
  return out + "]}";
}

/// The scripted OpenAlgo WebSocket proxy of one vendor: authenticates, acknowledges the subscription, then
/// sends whatever the test pushes; Drop() closes the current connection (the client then reconnects).
class FeedPeer {
 public:
  void Push(std::string frame) {
    std::lock_guard lock(mutex_);
    outbox_.push_back(std::move(frame));
  }
  void Drop() {
    std::lock_guard lock(mutex_);
    drop_ = true;
  }
  /// Connections that got as far as a subscription.
  int sessions() const { return sessions_.load(); }
  std::vector<std::string> subscribe_messages() const {
    std::lock_guard lock(mutex_);
    return subscribes_;
  }

  void Serve(int fd) {
    WsPeer peer(fd);
    if (!peer.Accept()) {
      return;
    }
    boost::system::error_code ec;
    auto auth = json::parse(peer.Receive(), ec);
    if (ec || !auth.is_object() || auth.as_object().if_contains("action") == nullptr ||
        auth.as_object().at("action") != "authenticate" || auth.as_object().at("api_key") != "k3y") {
      return;
    }
    peer.Send(Fixture("openalgo/ws_auth_success.json"));
    const std::string subscribe = peer.Receive();
    if (subscribe.empty()) {
      return;
    }
    peer.Send(R"({"type":"subscribe","status":"success","subscriptions":[{"symbol":"SBIN","exchange":"NSE",)"
              R"("status":"success","mode":"LTP","broker":"zerodha"}],"message":"Subscription processing complete"})");
    {
      std::lock_guard lock(mutex_);
      subscribes_.push_back(subscribe);
    }
    ++sessions_;
    while (true) {
      std::deque<std::string> frames;
      {
        std::lock_guard lock(mutex_);
        if (drop_) {
          drop_ = false;
          outbox_.clear();
          return;  // LoopbackServer closes the socket
        }
        frames.swap(outbox_);
      }
      for (const std::string& frame : frames) {
        peer.Send(frame);
      }
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 2) > 0) {
        peer.Receive(100ms);  // answers pings, notices a close
        if (peer.closed()) {
          return;
        }
      }
    }
  }

 private:
  mutable std::mutex mutex_;
  std::deque<std::string> outbox_;
  std::vector<std::string> subscribes_;
  bool drop_ = false;
  std::atomic<int> sessions_{0};
};

/// The vendor's REST side: /api/v1/history answers the bars of every tick before the test's clock (a vendor's
/// history is complete even while its stream is down).
class HistoryPeer {
 public:
  HistoryPeer(const std::vector<Tick>& ticks, const std::atomic<std::int64_t>& now) : ticks_(ticks), now_(now) {}
  void Serve(int fd) {
    while (true) {
      const std::string request = LoopbackServer::ReadRequest(fd);
      if (request.empty()) {
        return;
      }
      ++calls_;
      if (RequestTarget(request) != "/api/v1/history" || RequestBody(request).find("\"1m\"") == std::string::npos) {
        LoopbackServer::SendAll(fd, HttpResponse(400, R"({"status":"error","message":"unexpected request"})"));
        continue;
      }
      LoopbackServer::SendAll(fd, HttpResponse(200, HistoryJson(BarsOf(ticks_, now_.load()))));
    }
  }
  int calls() const { return calls_.load(); }

 private:
  const std::vector<Tick>& ticks_;
  const std::atomic<std::int64_t>& now_;
  std::atomic<int> calls_{0};
};

/// Gives a client a name of its own (two OpenAlgo instances on one engine) and counts the ticks it hands
/// to the engine's sink, so the test knows when a pushed frame has reached the kernel's queue.
class NamedFeed final : public data::DataClient {
 public:
  NamedFeed(std::string name, data::DataClient& inner) : name_(std::move(name)), inner_(inner) {}

  std::string_view name() const override { return name_; }
  data::DataCapabilities capabilities() const override { return inner_.capabilities(); }
  Status Connect(data::MarketEventSink& sink) override {
    counting_.target = &sink;
    return inner_.Connect(counting_);
  }
  void Disconnect() override { inner_.Disconnect(); }
  Status Subscribe(const data::Subscription& subscription) override { return inner_.Subscribe(subscription); }
  Status Unsubscribe(const data::Subscription& subscription) override { return inner_.Unsubscribe(subscription); }
  Result<std::vector<Bar>> RequestBars(const InstrumentId& instrument, BarSpec spec, UnixNanos from,
                                       UnixNanos to) override {
    return inner_.RequestBars(instrument, spec, from, to);
  }
  std::uint64_t ticks_delivered() const { return counting_.ticks.load(); }

 private:
  struct CountingSink final : data::MarketEventSink {
    void OnEvent(data::MarketEvent event) override {
      const bool tick = std::holds_alternative<TradeTick>(event) || std::holds_alternative<QuoteTick>(event);
      target->OnEvent(std::move(event));
      ticks += tick ? 1 : 0;
    }
    void OnRawTick(const data::RawTick& tick) override {
      target->OnRawTick(tick);
      ++ticks;
    }
    data::MarketEventSink* target = nullptr;
    std::atomic<std::uint64_t> ticks{0};
  };
  std::string name_;
  data::DataClient& inner_;
  CountingSink counting_;
};

adapters::openalgo::OpenAlgoConfig FeedConfigFor(int ws_port, int rest_port) {
  adapters::openalgo::OpenAlgoConfig config;
  config.api_key = "k3y";
  config.ws_url = "ws://127.0.0.1:" + std::to_string(ws_port);
  config.rest_base_url = "http://127.0.0.1:" + std::to_string(rest_port);
  config.connect_timeout = 2000ms;
  config.auth_timeout = 2000ms;
  config.reconnect_base = 20ms;
  config.reconnect_max = 100ms;
  config.ping_interval = 60000ms;  // the test's wall time is short; a ping would only add noise
  config.status_interval = 200ms;
  config.http_timeout = 5000ms;
  return config;
}

/// Waits (wall time) until `done()`, draining the kernel's queue without moving the simulated clock.
bool Await(runtime::Kernel& kernel, UnixNanos now, const std::function<bool()>& done,
           std::chrono::milliseconds timeout = 5000ms) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    kernel.RunUntil(now);
    if (done()) {
      return true;
    }
    std::this_thread::sleep_for(1ms);
  }
  kernel.RunUntil(now);
  return done();
}

struct Switch {
  std::string to;
  std::int64_t at = 0;
};

TEST(FeedFailover, PrimaryDiesMidSessionBackupTakesOverGapIsBackfilledAndPrimaryComesBack) {
  constexpr int kTicks = 420;     // 10:15:00 .. 10:22:00 IST
  constexpr int kPrimaryDies = 178;  // its last tick is 10:17:57.5
  constexpr int kPrimaryBack = 240;  // streams again from 10:19:00.5
  const std::vector<Tick> ticks = MakeTicks(kTicks);
  std::atomic<std::int64_t> history_now{kStart};

  FeedPeer primary_ws;
  FeedPeer backup_ws;
  HistoryPeer primary_rest(ticks, history_now);
  HistoryPeer backup_rest(ticks, history_now);
  LoopbackServer primary_ws_server([&](int fd) { primary_ws.Serve(fd); });
  LoopbackServer backup_ws_server([&](int fd) { backup_ws.Serve(fd); });
  LoopbackServer primary_rest_server([&](int fd) { primary_rest.Serve(fd); });
  LoopbackServer backup_rest_server([&](int fd) { backup_rest.Serve(fd); });

  adapters::openalgo::OpenAlgoDataClient primary_client(FeedConfigFor(primary_ws_server.port(), primary_rest_server.port()));
  adapters::openalgo::OpenAlgoDataClient backup_client(FeedConfigFor(backup_ws_server.port(), backup_rest_server.port()));
  NamedFeed primary("openalgo-primary", primary_client);
  NamedFeed backup("openalgo-backup", backup_client);

  TestClock clock(UnixNanos(kStart - kSecond));
  runtime::Kernel kernel(clock);
  runtime::MessageBus bus;
  data::DataEngineConfig engine_config;
  // A bar is closed by a timer only after the feed could have failed over (threshold + one check), so a
  // primary that dies in the last seconds of a minute never gets its incomplete bar published.
  engine_config.bar_close_delay = 7s;
  data::DataEngine engine(bus, kernel, nullptr, nullptr, engine_config);
  ASSERT_TRUE(engine.AddClient(primary).ok());
  ASSERT_TRUE(engine.AddClient(backup).ok());
  engine.Start();
  ASSERT_TRUE(engine.Connect("openalgo-primary").ok());
  ASSERT_TRUE(engine.Connect("openalgo-backup").ok());
  data::FeedManager feeds(bus, clock, engine);
  feeds.Start();
  // Whatever happens below, the clients stop calling into the engine before it goes away.
  struct StopClients {
    adapters::openalgo::OpenAlgoDataClient& a;
    adapters::openalgo::OpenAlgoDataClient& b;
    ~StopClients() {
      a.Disconnect();
      b.Disconnect();
    }
  } stop_clients{primary_client, backup_client};

  std::vector<Bar> bars;
  ASSERT_TRUE(bus.Subscribe<data::BarUpdate>(data::BarTopic(kSbin, kOneMinute),
                                             [&](const data::BarUpdate& u) { bars.push_back(u.bar); })
                  .ok());
  std::vector<Switch> switches;
  std::string active = "openalgo-primary";
  ASSERT_TRUE(bus.Subscribe<data::FeedHealth>(data::FeedTopic("NSE equity"),
                                              [&](const data::FeedHealth& h) {
                                                if (h.active_source != active) {
                                                  active = h.active_source;
                                                  switches.push_back({h.active_source, h.ts_event.nanos()});
                                                }
                                              })
                  .ok());

  data::FeedConfig config;
  config.name = "NSE equity";
  config.primary = "openalgo-primary";
  config.fallback = "openalgo-backup";
  config.subscriptions = {data::Subscription{kSbin, data::DataKind::kBars, kOneMinute}};
  config.default_staleness = 5s;
  config.failback_after = 60s;
  ASSERT_TRUE(feeds.AddFeed(config).ok());
  ASSERT_TRUE(Await(kernel, clock.Now(), [&] { return primary_ws.sessions() == 1 && backup_ws.sessions() == 1; }))
      << "both feeds authenticate and subscribe";
  EXPECT_NE(primary_ws.subscribe_messages().front().find(R"("mode":"LTP")"), std::string::npos);

  std::uint64_t primary_sent = 0;
  std::uint64_t backup_sent = 0;
  for (int i = 0; i < kTicks; ++i) {
    const UnixNanos at(ticks[static_cast<std::size_t>(i)].ts);
    history_now = at.nanos();
    kernel.RunUntil(at);  // feed checks at each whole second run first
    if (i == kPrimaryDies) {
      // The socket closes; the client reconnects, authenticates and resubscribes; then the server stalls.
      primary_ws.Drop();
      ASSERT_TRUE(Await(kernel, at, [&] {
        const data::FeedStatus* status = engine.SourceStatus("openalgo-primary");
        return primary_ws.sessions() == 2 && status != nullptr && status->connected && status->reconnects >= 1;
      })) << "the primary reconnects";
    }
    const std::string frame = LtpFrame(ticks[static_cast<std::size_t>(i)]);
    const bool primary_streams = i < kPrimaryDies || i >= kPrimaryBack;
    if (primary_streams) {
      primary_ws.Push(frame);
      ++primary_sent;
    }
    backup_ws.Push(frame);
    ++backup_sent;
    ASSERT_TRUE(Await(kernel, at, [&] {
      return primary.ticks_delivered() >= primary_sent && backup.ticks_delivered() >= backup_sent;
    })) << "tick " << i << " reaches the engine";
  }
  const std::int64_t end = kStart + kTicks * kSecond;
  history_now = end + 120 * kSecond;
  kernel.RunUntil(UnixNanos(end + 120 * kSecond));

  // Failover within the threshold plus one check after the primary's last tick; failback only after the
  // primary has streamed for the hysteresis period.
  ASSERT_EQ(switches.size(), 2U);
  const std::int64_t last_primary_tick = ticks[kPrimaryDies - 1].ts;
  EXPECT_EQ(switches[0].to, "openalgo-backup");
  EXPECT_GT(switches[0].at, last_primary_tick + 5 * kSecond);
  EXPECT_LE(switches[0].at, last_primary_tick + 6 * kSecond);
  EXPECT_EQ(switches[1].to, "openalgo-primary");
  const std::int64_t primary_back = ticks[kPrimaryBack].ts;
  EXPECT_GE(switches[1].at, primary_back + 60 * kSecond);
  EXPECT_LE(switches[1].at, primary_back + 62 * kSecond);

  // Every bar equals the bar of the whole tick stream: nothing lost, nothing counted twice.
  const std::vector<Bar> expected = BarsOf(ticks, end);
  ASSERT_EQ(expected.size(), 7U);
  ASSERT_EQ(bars.size(), expected.size());
  for (std::size_t i = 0; i < bars.size(); ++i) {
    EXPECT_EQ(bars[i].ts_event.nanos(), kStart + static_cast<std::int64_t>(i) * 60 * kSecond) << i;
    EXPECT_EQ(bars[i].open.raw(), expected[i].open.raw()) << i;
    EXPECT_EQ(bars[i].high.raw(), expected[i].high.raw()) << i;
    EXPECT_EQ(bars[i].low.raw(), expected[i].low.raw()) << i;
    EXPECT_EQ(bars[i].close.raw(), expected[i].close.raw()) << i;
    EXPECT_EQ(bars[i].volume.raw(), expected[i].volume.raw()) << i;
  }

  const data::FeedHealth* health = feeds.Health("NSE equity");
  ASSERT_NE(health, nullptr);
  EXPECT_EQ(health->failovers, 1U);
  EXPECT_EQ(health->failbacks, 1U);
  EXPECT_EQ(health->active_source, "openalgo-primary");
  EXPECT_FALSE(health->on_fallback);
  // The 10:17 bar the primary left incomplete came whole from the backup's history.
  EXPECT_EQ(health->gaps, 1U);
  EXPECT_EQ(health->backfilled_bars, 1U);
  EXPECT_GE(health->primary.reconnects, 1U);
  EXPECT_TRUE(health->primary.connected);
  EXPECT_EQ(backup_rest.calls(), 1) << "one backfill on failover";
  EXPECT_EQ(primary_rest.calls(), 1) << "one backfill on failback";
  EXPECT_EQ(primary_ws.sessions(), 2);
  EXPECT_EQ(engine.Counters().sources[0].ticks.rejected(), 0U);
  EXPECT_EQ(engine.Counters().sources[1].ticks.rejected(), 0U);

  feeds.Stop();
  engine.Disconnect("openalgo-primary");
  engine.Disconnect("openalgo-backup");
}

}  // namespace
}  // namespace td
