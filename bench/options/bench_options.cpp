// SPDX-License-Identifier: MIT
// Targets: implied vol < 0.5 us per solve; IV + all greeks for a NIFTY-sized chain (~1,500 options) < 1 ms.
#include <benchmark/benchmark.h>

#include <cmath>
#include <random>
#include <vector>

#include "options/black.hpp"
#include "options/implied_vol.hpp"

namespace td::options {
namespace {

struct Case {
  OptionType type;
  Black76Market market;
  double price;
};

// Random options in the round-trip test's box: |ln F/K| <= 3 sd, vol 5..100 %, T 1 day..2 years.
std::vector<Case> RandomCases(std::size_t n) {
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<Case> cases;
  cases.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double sigma = 0.05 + 0.95 * unit(rng);
    const double t = 1.0 / 365.0 + 2.0 * unit(rng);
    const double x = (2.0 * unit(rng) - 1.0) * 3.0 * sigma * std::sqrt(t);
    const OptionType type = unit(rng) < 0.5 ? OptionType::kCall : OptionType::kPut;
    const Black76Market m{100.0, 100.0 * std::exp(-x), t, 0.05};
    cases.push_back({type, m, Black76Price(type, m, sigma)});
  }
  return cases;
}

// Calibration on a shared machine: one std::erfc plus one std::exp, the building block of every price.
void BM_BaselineErfcExp(benchmark::State& state) {
  const auto cases = RandomCases(4096);
  std::size_t i = 0;
  for (auto _ : state) {
    const Case& c = cases[i++ & 4095];
    benchmark::DoNotOptimize(std::erfc(c.market.strike * 0.01 - 1.0) + std::exp(c.market.t_years));
  }
}
BENCHMARK(BM_BaselineErfcExp);

void BM_ImpliedVol(benchmark::State& state) {
  const auto cases = RandomCases(4096);
  std::size_t i = 0;
  for (auto _ : state) {
    const Case& c = cases[i++ & 4095];
    auto iv = ImpliedVolBlack76(c.type, c.market, c.price);
    benchmark::DoNotOptimize(iv);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_ImpliedVol);

void BM_PriceAndAllGreeksBsm(benchmark::State& state) {
  const auto cases = RandomCases(4096);
  std::size_t i = 0;
  for (auto _ : state) {
    const Case& c = cases[i++ & 4095];
    const BsmMarket m{c.market.forward, c.market.strike, c.market.t_years, c.market.rate, 0.01};
    benchmark::DoNotOptimize(BsmGreeks(c.type, m, 0.2));
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_PriceAndAllGreeksBsm);

void BM_Black76Price(benchmark::State& state) {
  const auto cases = RandomCases(4096);
  std::size_t i = 0;
  for (auto _ : state) {
    const Case& c = cases[i++ & 4095];
    benchmark::DoNotOptimize(Black76Price(c.type, c.market, 0.2));
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_Black76Price);

// A NIFTY-shaped snapshot: 18 expiries from 4 days to 5 years, strikes 12,000..31,000 around F = 24,500
// with denser grids near the money (764 strike rows, 1,528 options), prices from a skewed smile.
std::vector<Case> NiftyLikeChain() {
  std::vector<Case> options;
  const double f = 24500.0;
  const double expiries_days[] = {4, 11, 18, 25, 32, 60, 90, 123, 182, 213, 305, 365, 487, 670, 852, 1035, 1217, 1400};
  const int strikes_per_expiry[] = {86, 86, 83, 83, 106, 86, 71, 20, 13, 18, 20, 16, 13, 12, 13, 13, 12, 13};
  for (int e = 0; e < 18; ++e) {
    const double t = expiries_days[e] / 365.0;
    const int n = strikes_per_expiry[e];
    const double width = std::min(0.45, 0.08 + 0.15 * std::sqrt(t));
    for (int j = 0; j < n; ++j) {
      const double k = std::round(f * (1.0 - width + 2.0 * width * j / (n - 1)) / 50.0) * 50.0;
      const double vol = 0.12 - 0.25 * std::log(k / f) * std::exp(-t);
      for (OptionType type : {OptionType::kCall, OptionType::kPut}) {
        const Black76Market m{f, k, t, 0.065};
        options.push_back({type, m, Black76Price(type, m, vol)});
      }
    }
  }
  return options;
}

void BM_NiftyChainIvAndGreeks(benchmark::State& state) {
  const auto chain = NiftyLikeChain();
  for (auto _ : state) {
    double sum = 0.0;
    for (const Case& c : chain) {
      auto iv = ImpliedVolBlack76(c.type, c.market, c.price);
      if (iv.ok() && *iv > 0.0) {
        const Greeks g = Black76Greeks(c.type, c.market, *iv);
        sum += g.delta + g.gamma + g.vega + g.theta + g.rho + g.vanna + g.charm;
      }
    }
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * chain.size()));
  state.counters["options"] = static_cast<double>(chain.size());
}
BENCHMARK(BM_NiftyChainIvAndGreeks)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace td::options
