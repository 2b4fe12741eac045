// SPDX-License-Identifier: MIT
// Throughput of the data engine on the kernel thread: tick → bar aggregation through the engine (validation,
// cache, bus publish of trades and partial bars, 1m + 5m aggregation) and replay through the engine (k-way
// merge, simulated clock, resampling). Prints wall and thread-CPU rates (the build machine is shared).
#include <time.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "adapters/replay/replay_client.hpp"
#include "data/data_engine.hpp"
#include "runtime/cache.hpp"
#include "runtime/kernel.hpp"
#include "runtime/message_bus.hpp"

namespace {

using SteadyClock = std::chrono::steady_clock;
constexpr std::int64_t kSecond = 1'000'000'000;
constexpr std::int64_t kMinute = 60 * kSecond;

double CpuNow() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

struct Rate {
  double wall = 0;
  double cpu = 0;
};

/// A source the benchmark pushes ticks through, the way an I/O thread would.
class PushClient final : public td::data::DataClient {
 public:
  std::string_view name() const override { return "push"; }
  td::data::DataCapabilities capabilities() const override {
    td::data::DataCapabilities caps;
    caps.trades = true;
    return caps;
  }
  td::Status Connect(td::data::MarketEventSink& sink) override {
    sink_ = &sink;
    return {};
  }
  void Disconnect() override { sink_ = nullptr; }
  td::Status Subscribe(const td::data::Subscription&) override { return {}; }
  td::Status Unsubscribe(const td::data::Subscription&) override { return {}; }
  td::Result<std::vector<td::Bar>> RequestBars(const td::InstrumentId&, td::BarSpec, td::UnixNanos,
                                               td::UnixNanos) override {
    return std::vector<td::Bar>{};
  }
  td::data::MarketEventSink* sink_ = nullptr;
};

// Trading-hours timestamps: `per_day` ticks spread over 09:30–16:00 ET of consecutive weekdays in March 2024.
std::vector<std::int64_t> SessionTimes(std::size_t count, std::int64_t step) {
  std::vector<std::int64_t> out;
  out.reserve(count);
  std::int64_t day_open = td::UnixNanos::ParseIso8601("2024-03-04T14:30:00Z").value().nanos();
  const std::int64_t session = 390 * kMinute;
  std::int64_t offset = 0;
  int weekday = 0;
  while (out.size() < count) {
    out.push_back(day_open + offset);
    offset += step;
    if (offset >= session) {
      offset = 0;
      day_open += 86'400 * kSecond * (weekday == 4 ? 3 : 1);
      weekday = (weekday + 1) % 5;
    }
  }
  return out;
}

Rate BenchTicks(std::size_t ticks, std::uint64_t* bars_out) {
  const std::vector<std::int64_t> times = SessionTimes(ticks, 10'000'000);  // 100 ticks a second
  td::TestClock clock(td::UnixNanos(times.front() - kSecond));
  td::runtime::Kernel kernel(clock);
  td::runtime::MessageBus bus;
  td::runtime::Cache cache;
  PushClient client;
  td::data::DataEngine engine(bus, kernel, &cache, nullptr);
  (void)engine.AddClient(client);
  engine.Start();
  (void)engine.Connect("push");
  const td::InstrumentId spy = td::InstrumentId::Of("NYSE:SPY");
  (void)engine.Subscribe({spy, td::data::DataKind::kBars, {1, td::BarUnit::kMinute}}, "push");
  (void)engine.Subscribe({spy, td::data::DataKind::kBars, {5, td::BarUnit::kMinute}}, "push");
  std::uint64_t closed = 0;
  (void)bus.Subscribe<td::data::BarUpdate>("data.bars.NYSE:SPY.*", [&](const td::data::BarUpdate&) { ++closed; });
  std::mt19937_64 rng(7);
  std::int64_t price = 50'000;
  const auto wall_start = SteadyClock::now();
  const double cpu_start = CpuNow();
  constexpr std::size_t kBatch = 4096;
  for (std::size_t i = 0; i < times.size(); i += kBatch) {
    const std::size_t end = std::min(times.size(), i + kBatch);
    for (std::size_t j = i; j < end; ++j) {
      price += static_cast<std::int64_t>(rng() % 7) - 3;
      client.sink_->OnEvent(td::TradeTick{spy, td::Price::FromRaw(price * 10'000'000, 2),
                                          td::Quantity::FromUnits(static_cast<std::int64_t>(1 + rng() % 100)),
                                          td::AggressorSide::kNone, td::UnixNanos(times[j]), td::UnixNanos(times[j])});
    }
    kernel.RunUntil(td::UnixNanos(times[end - 1]));
  }
  kernel.RunUntil(td::UnixNanos(times.back() + 10 * kMinute));
  Rate rate;
  rate.wall = static_cast<double>(ticks) / std::chrono::duration<double>(SteadyClock::now() - wall_start).count();
  rate.cpu = static_cast<double>(ticks) / (CpuNow() - cpu_start);
  const auto counters = engine.Counters();
  if (counters.sources[0].ticks.accepted != ticks || counters.sources[0].queue_drops != 0) {
    std::fprintf(stderr, "unexpected: accepted %llu drops %llu\n",
                 static_cast<unsigned long long>(counters.sources[0].ticks.accepted),
                 static_cast<unsigned long long>(counters.sources[0].queue_drops));
  }
  *bars_out = closed;
  return rate;
}

Rate BenchReplayTrades(std::size_t per_instrument, int instruments, std::uint64_t* events_out) {
  td::adapters::replay::ReplayClient replay;
  std::vector<td::InstrumentId> ids;
  for (int k = 0; k < instruments; ++k) {
    ids.push_back(td::InstrumentId::Of("NYSE:S" + std::to_string(k)));
    const std::vector<std::int64_t> times = SessionTimes(per_instrument, 50'000'000 + k * 1'000'000);
    std::vector<td::TradeTick> trades;
    trades.reserve(times.size());
    std::int64_t price = 10'000 + k * 100;
    std::mt19937_64 rng(static_cast<std::uint64_t>(k));
    for (std::int64_t t : times) {
      price += static_cast<std::int64_t>(rng() % 5) - 2;
      trades.push_back(td::TradeTick{ids.back(), td::Price::FromRaw(price * 10'000'000, 2), td::Quantity::FromUnits(1),
                                     td::AggressorSide::kNone, td::UnixNanos(t), td::UnixNanos(t)});
    }
    (void)replay.AddTrades(std::move(trades));
  }
  td::TestClock clock(td::UnixNanos(td::UnixNanos::ParseIso8601("2024-03-04T14:00:00Z").value().nanos()));
  td::runtime::Kernel kernel(clock);
  td::runtime::MessageBus bus;
  td::runtime::Cache cache;
  td::data::DataEngineConfig config;
  config.dedup_trades = false;
  td::data::DataEngine engine(bus, kernel, &cache, nullptr, config);
  (void)engine.AddClient(replay);
  engine.Start();
  (void)engine.Connect("replay");
  for (const auto& id : ids) {
    (void)engine.Subscribe({id, td::data::DataKind::kBars, {1, td::BarUnit::kMinute}}, "replay");
  }
  const auto wall_start = SteadyClock::now();
  const double cpu_start = CpuNow();
  const std::size_t events = replay.PlayAll(kernel);
  Rate rate;
  rate.wall = static_cast<double>(events) / std::chrono::duration<double>(SteadyClock::now() - wall_start).count();
  rate.cpu = static_cast<double>(events) / (CpuNow() - cpu_start);
  *events_out = events;
  return rate;
}

Rate BenchReplayBars(int days, int instruments, std::uint64_t* events_out) {
  td::adapters::replay::ReplayClient replay;
  std::vector<td::InstrumentId> ids;
  const std::vector<std::int64_t> times = SessionTimes(static_cast<std::size_t>(days) * 390, kMinute);
  for (int k = 0; k < instruments; ++k) {
    ids.push_back(td::InstrumentId::Of("NYSE:B" + std::to_string(k)));
    td::data::BarColumns bars;
    bars.Reserve(times.size());
    std::int64_t price = 10'000 + k * 100;
    std::mt19937_64 rng(static_cast<std::uint64_t>(k) + 99);
    for (std::int64_t t : times) {
      const std::int64_t o = price;
      price += static_cast<std::int64_t>(rng() % 21) - 10;
      bars.Push(t, o * 10'000'000, (std::max(o, price) + 2) * 10'000'000, (std::min(o, price) - 2) * 10'000'000,
                price * 10'000'000, 1'000'000'000);
    }
    (void)replay.AddBars(ids.back(), {1, td::BarUnit::kMinute}, std::move(bars));
  }
  td::TestClock clock(td::UnixNanos(td::UnixNanos::ParseIso8601("2024-03-04T14:00:00Z").value().nanos()));
  td::runtime::Kernel kernel(clock);
  td::runtime::MessageBus bus;
  td::runtime::Cache cache;
  td::data::DataEngine engine(bus, kernel, &cache, nullptr);
  (void)engine.AddClient(replay);
  engine.Start();
  (void)engine.Connect("replay");
  for (const auto& id : ids) {
    (void)engine.Subscribe({id, td::data::DataKind::kBars, {1, td::BarUnit::kMinute}}, "replay");
    (void)engine.Subscribe({id, td::data::DataKind::kBars, {5, td::BarUnit::kMinute}}, "replay");
  }
  const auto wall_start = SteadyClock::now();
  const double cpu_start = CpuNow();
  const std::size_t events = replay.PlayAll(kernel);
  Rate rate;
  rate.wall = static_cast<double>(events) / std::chrono::duration<double>(SteadyClock::now() - wall_start).count();
  rate.cpu = static_cast<double>(events) / (CpuNow() - cpu_start);
  *events_out = events;
  return rate;
}

}  // namespace

int main() {
  std::printf("load average: %s\n", LoadAverage().c_str());
  std::uint64_t bars = 0;
  Rate best_ticks;
  for (int run = 0; run < 3; ++run) {
    const Rate r = BenchTicks(2'000'000, &bars);
    best_ticks.wall = std::max(best_ticks.wall, r.wall);
    best_ticks.cpu = std::max(best_ticks.cpu, r.cpu);
  }
  std::printf(
      "tick -> bar through the engine (1m + 5m, cache, trade + partial publish): %.2f M ticks/s wall, "
      "%.2f M ticks/s thread CPU (%llu closed bars)\n",
      best_ticks.wall / 1e6, best_ticks.cpu / 1e6, static_cast<unsigned long long>(bars));
  std::uint64_t events = 0;
  Rate best_trades;
  for (int run = 0; run < 3; ++run) {
    const Rate r = BenchReplayTrades(250'000, 4, &events);
    best_trades.wall = std::max(best_trades.wall, r.wall);
    best_trades.cpu = std::max(best_trades.cpu, r.cpu);
  }
  std::printf(
      "replay trades through the engine (4 instruments merged, simulated clock, 1m bars): %.2f M events/s "
      "wall, %.2f M events/s thread CPU (%llu events)\n",
      best_trades.wall / 1e6, best_trades.cpu / 1e6, static_cast<unsigned long long>(events));
  Rate best_bars;
  for (int run = 0; run < 3; ++run) {
    const Rate r = BenchReplayBars(60, 10, &events);
    best_bars.wall = std::max(best_bars.wall, r.wall);
    best_bars.cpu = std::max(best_bars.cpu, r.cpu);
  }
  std::printf(
      "replay 1m bars through the engine (10 instruments x 60 sessions, 1m pass-through + 5m resample): "
      "%.2f M events/s wall, %.2f M events/s thread CPU (%llu events)\n",
      best_bars.wall / 1e6, best_bars.cpu / 1e6, static_cast<unsigned long long>(events));
  std::printf("load average: %s\n", LoadAverage().c_str());
  return 0;
}
