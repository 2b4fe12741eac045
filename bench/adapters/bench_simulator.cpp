// SPDX-License-Identifier: MIT
// Simulator throughput: live events per second across the whole universe, and option-chain snapshots per second.
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "adapters/simulator/market_simulator.hpp"

namespace {

using td::adapters::simulator::MarketSimulator;
using td::adapters::simulator::SimulatorConfig;

class CountingSink final : public td::adapters::simulator::TickSink {
 public:
  void OnQuote(const td::QuoteTick& q) override {
    checksum += q.bid.raw() & 0xff;
    ++quotes;
  }
  void OnTrade(const td::TradeTick& t) override {
    checksum += t.price.raw() & 0xff;
    ++trades;
  }
  std::uint64_t quotes = 0;
  std::uint64_t trades = 0;
  std::uint64_t checksum = 0;
};

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

}  // namespace

int main() {
  SimulatorConfig config;
  config.seed = 42;
  config.start = td::UnixNanos::ParseIso8601("2026-01-12T00:00:00Z").value();
  config.history_days = 5;
  config.daily_history_sessions = 260;

  auto t0 = std::chrono::steady_clock::now();
  auto sim = MarketSimulator::Create(config);
  if (!sim.ok()) {
    std::fprintf(stderr, "create failed: %s\n", sim.error().ToString().c_str());
    return 1;
  }
  const double create_s = Seconds(t0);
  std::printf("instruments: %zu, history 260 sessions (1-minute steps) + 5 sessions of 1m bars: %.2f s\n",
              sim->Instruments().size(), create_s);

  // Five calendar days (both markets' sessions) of 1-second ticks.
  CountingSink sink;
  t0 = std::chrono::steady_clock::now();
  const std::size_t events = sim->AdvanceTo(config.start + std::chrono::hours(24 * 5), sink);
  const double tick_s = Seconds(t0);
  std::printf("live ticks: %zu events (%llu quotes, %llu trades) in %.3f s = %.2f M events/s (checksum %llu)\n", events,
              static_cast<unsigned long long>(sink.quotes), static_cast<unsigned long long>(sink.trades), tick_s,
              static_cast<double>(events) / tick_s / 1e6, static_cast<unsigned long long>(sink.checksum));

  // Chain snapshots of every optionable underlying, at a US mid-session instant.
  const td::UnixNanos at = sim->Now();
  std::size_t quotes = 0;
  int snapshots = 0;
  t0 = std::chrono::steady_clock::now();
  while (Seconds(t0) < 2.0) {
    for (const td::InstrumentId& underlying : sim->OptionUnderlyings()) {
      auto chain = sim->Chain(underlying, at);
      if (!chain.ok()) {
        std::fprintf(stderr, "chain failed: %s\n", chain.error().ToString().c_str());
        return 1;
      }
      for (const auto& slice : chain->expiries) {
        quotes += 2 * slice.rows.size();
      }
      ++snapshots;
    }
  }
  const double chain_s = Seconds(t0);
  std::printf("chain snapshots: %d in %.3f s = %.1f snapshots/s (%.0f option quotes per snapshot, %.2f M quotes/s)\n",
              snapshots, chain_s, snapshots / chain_s, static_cast<double>(quotes) / snapshots,
              static_cast<double>(quotes) / chain_s / 1e6);
  return EXIT_SUCCESS;
}
