// SPDX-License-Identifier: MIT
// End-to-end scan cost over the seeded simulator: fetching bars from MarketService, building every context and
// ranking, per style, for the whole universe and for the US subset. Prints milliseconds per scan.
//   bench_coach_scan [repeats=3]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

#include "core/clock.hpp"
#include "system/coach_service.hpp"
#include "system/market_service.hpp"

int main(int argc, char** argv) {
  using namespace td;
  const int repeats = argc > 1 ? std::max(1, std::atoi(argv[1])) : 3;
  // A Tuesday 15:00 UTC: NYSE open (live contexts), NSE closed (frozen at its close).
  TestClock clock(*UnixNanos::ParseIso8601("2025-09-16T15:00:00Z"));
  const auto start = std::chrono::steady_clock::now();
  auto market = system::MarketService::StartSimulator({.seed = 42, .history_days = 5}, clock);
  if (!market.ok()) {
    std::fprintf(stderr, "simulator: %s\n", market.error().ToString().c_str());
    return 1;
  }
  const double build_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("simulator history built in %.2f s\n", build_s);
  system::CoachService coach(**market, nullptr, clock);
  {
    // Data access alone: every input of the universe, as a scan builds them.
    const auto instruments = (*market)->Instruments();
    const std::clock_t c0 = std::clock();
    std::size_t bars = 0;
    for (const auto& info : instruments) {
      auto input = coach.BuildInput(info, clock.Now());
      if (input.ok()) bars += input->intraday.size() + input->daily.size();
    }
    std::printf("inputs for %zu instruments (%zu bars): %.1f ms cpu\n", instruments.size(), bars,
                1000.0 * static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC);
  }
  const plans::UserScope scope{"bench", false};
  for (const char* universe : {"all", "us"}) {
    for (scanner::Style style : scanner::kAllStyles) {
      system::ScanQuery query;
      query.universe = universe;
      query.request.style = style;
      query.request.limit = 20;
      double total_ms = 0.0;
      double cpu_ms = 0.0;
      std::size_t symbols = 0;
      std::size_t candidates = 0;
      for (int i = 0; i < repeats; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        const std::clock_t c0 = std::clock();
        auto outcome = coach.Scan(scope, query);
        cpu_ms += 1000.0 * static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
        total_ms += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        if (!outcome.ok()) {
          std::fprintf(stderr, "scan failed: %s\n", outcome.error().ToString().c_str());
          return 1;
        }
        symbols = outcome->symbols.size();
        candidates = outcome->page.total;
      }
      std::printf("universe=%-4s style=%-8s symbols=%3zu candidates=%3zu  %8.1f ms/scan wall  %8.1f ms/scan cpu\n",
                  universe, std::string(scanner::StyleName(style)).c_str(), symbols, candidates, total_ms / repeats,
                  cpu_ms / repeats);
    }
  }
  return 0;
}
