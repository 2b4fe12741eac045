// SPDX-License-Identifier: MIT
// The live plan engine's cost per bar: a PlanBook routing quiet bars (nothing changes) to the followers of one
// symbol, and a follower walking a full ladder (events on most bars).
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "plans/plan_follower.hpp"

namespace td::plans {
namespace {

const UnixNanos kIssued = UnixNanos::ParseIso8601("2025-09-16T14:00:00Z").value();
constexpr std::int64_t kMinute = 60'000'000'000;

Price P(double value) {
  return Price::FromDouble(value, 2).value();
}

scanner::Plan SwingPlan(const std::string& id, const std::string& symbol) {
  scanner::Plan p;
  p.plan_id = id;
  p.symbol = symbol;
  p.style = scanner::Style::kSwing;  // no session end: the quiet path can run for as long as the benchmark likes
  p.entry = P(100.0);
  p.stop = P(99.0);
  for (double t : {101.0, 102.0, 103.0}) {
    scanner::Target target;
    target.price = P(t);
    p.targets.push_back(target);
  }
  p.tick_size = P(0.01);
  p.runner.timeframe = "5m";
  p.runner.length = 14;
  p.runner.multiplier = 1.8;
  p.ladder.atr = 1.0;
  p.as_of = kIssued;
  p.data_as_of = kIssued;
  return p;
}

Bar MakeBar(std::int64_t minute, double o, double h, double l, double c) {
  Bar b;
  b.ts_event = kIssued + Duration(minute * kMinute);
  b.ts_init = b.ts_event;
  b.open = P(o);
  b.high = P(h);
  b.low = P(l);
  b.close = P(c);
  b.volume = Quantity::FromUnits(100);
  return b;
}

// One bar for a symbol followed by `range(0)` plans (half in a position, half waiting), of 100 symbols.
void BM_PlanBookQuietBar(benchmark::State& state) {
  std::size_t events = 0;
  PlanBook book([&](const PlanDelta&) { ++events; });
  FollowerOptions options;
  options.entry_window = std::chrono::hours(24 * 365 * 20);
  options.history_bars = static_cast<std::size_t>(state.range(1));
  const BarSpec spec{1, BarUnit::kMinute};
  std::vector<std::string> symbols;
  for (int s = 0; s < 100; ++s)
    symbols.push_back("SYM" + std::to_string(s));
  for (const std::string& symbol : symbols) {
    for (int k = 0; k < state.range(0); ++k) {
      if (!book.Follow(SwingPlan(symbol + "-" + std::to_string(k), symbol), options).ok())
        state.SkipWithError("follow failed");
    }
    book.OnBar(symbol, MakeBar(0, 99.6, 99.8, 99.55, 99.7), spec);
  }
  // Enter half of them through a second book pass on the first symbol's plans is not needed: a bar that
  // trades 100.00 enters all plans of a symbol; do it for every other symbol.
  for (std::size_t i = 0; i < symbols.size(); i += 2)
    book.OnBar(symbols[i], MakeBar(1, 99.7, 100.1, 99.65, 99.9), spec);
  Bar quiet = MakeBar(2, 99.8, 99.9, 99.7, 99.85);
  std::size_t i = 0;
  for (auto _ : state) {
    book.OnBar(symbols[i], quiet, spec);
    if (++i == symbols.size()) {
      i = 0;
      quiet.ts_event += Duration(kMinute);
    }
  }
  benchmark::DoNotOptimize(events);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PlanBookQuietBar)->Args({1, 512})->Args({4, 512})->Args({16, 512})->Args({16, 0});

// A follower created, entered, scaled, trailed and stopped out: eight bars, about a dozen events.
void BM_FollowerFullLadder(benchmark::State& state) {
  const std::vector<Bar> bars = {MakeBar(0, 99.6, 100.1, 99.1, 100.0),   MakeBar(1, 100.0, 101.0, 100.0, 101.0),
                                 MakeBar(2, 101.0, 102.0, 101.0, 102.0), MakeBar(3, 102.0, 103.0, 102.0, 103.0),
                                 MakeBar(4, 103.0, 104.0, 103.0, 104.0), MakeBar(5, 104.0, 104.5, 103.5, 104.4),
                                 MakeBar(6, 104.4, 105.0, 104.3, 104.9), MakeBar(7, 104.9, 104.9, 101.0, 101.5)};
  const BarSpec spec{1, BarUnit::kMinute};
  std::vector<PlanDelta> out;
  out.reserve(64);
  std::size_t events = 0;
  for (auto _ : state) {
    auto follower = PlanFollower::Create(SwingPlan("B-1", "SPY"));
    for (const Bar& b : bars)
      follower->OnBar(b, spec, out);
    events += out.size();
    out.clear();
  }
  state.counters["events_per_run"] = static_cast<double>(events) / static_cast<double>(state.iterations());
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(bars.size()));
}
BENCHMARK(BM_FollowerFullLadder);

}  // namespace
}  // namespace td::plans

BENCHMARK_MAIN();
