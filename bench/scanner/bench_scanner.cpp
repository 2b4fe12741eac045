// SPDX-License-Identifier: MIT
// A full scan of 500 symbols × 400 one-minute bars through every detector, in milliseconds per scan (target:
// < 50 ms on one core). Plain main: prints the median and best of several runs and the machine's load average.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "calendar/exchange_calendar.hpp"
#include "scanner/scan.hpp"

namespace {

using td::scanner::SymbolInput;
constexpr std::int64_t kMinuteNs = 60'000'000'000;

std::vector<SymbolInput> MakeUniverse(std::size_t symbols, std::size_t bars) {
  const auto& cal = td::calendar::ExchangeCalendar::Get(td::calendar::Exchange::kNyse);
  std::vector<std::int64_t> times;
  td::CivilDate date{2025, 6, 2};
  while (times.size() < bars) {
    const auto session = cal.Session(date).value();
    for (std::int64_t t = session.regular_open.nanos(); t < session.regular_close.nanos() && times.size() < bars;
         t += kMinuteNs) {
      times.push_back(t);
    }
    date = cal.NextTradingDay(date).value();
  }
  std::mt19937_64 rng(42);
  std::normal_distribution<double> step(0.0, 0.0008);
  std::uniform_real_distribution<double> wick(0.0, 0.0006);
  std::uniform_real_distribution<double> start(10.0, 900.0);
  std::lognormal_distribution<double> vol(11.0, 0.8);
  const auto spec =
      td::ContractSpec{td::Price::Parse("0.01").value(), td::Quantity::FromUnits(1), td::Quantity::FromUnits(1), 2};
  std::vector<SymbolInput> out(symbols);
  for (std::size_t s = 0; s < symbols; ++s) {
    SymbolInput& in = out[s];
    in.symbol = "SYM" + std::to_string(s);
    in.sector = "SECTOR" + std::to_string(s % 11);
    in.instrument = td::Instrument::Equity(td::InstrumentId::Of("NYSE:" + in.symbol), spec).value();
    in.intraday.spec = td::BarSpec{1, td::BarUnit::kMinute};
    in.intraday.Reserve(bars);
    double price = start(rng);
    const double drift = step(rng) * 0.2;
    for (std::int64_t t : times) {
      const double open = price;
      price *= std::exp(step(rng) + drift);
      in.intraday.Push(t, open, std::max(open, price) * (1 + wick(rng)), std::min(open, price) * (1 - wick(rng)), price,
                       vol(rng));
    }
  }
  return out;
}

double LoadAverage() {
  std::ifstream in("/proc/loadavg");
  double one = -1.0;
  in >> one;
  return one;
}

template <typename F>
void Time(const char* name, int runs, F&& body) {
  // Wall time and this process's CPU time: on a loaded machine the CPU time is the one-core figure.
  std::vector<double> ms, cpu;
  std::size_t work = 0;
  for (int r = 0; r < runs; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    const std::clock_t c0 = std::clock();
    work += body();
    cpu.push_back(1000.0 * static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC);
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  std::sort(cpu.begin(), cpu.end());
  std::printf("%-58s wall median %7.2f ms best %7.2f | cpu median %7.2f ms best %7.2f (work %zu)\n", name,
              ms[ms.size() / 2], ms.front(), cpu[cpu.size() / 2], cpu.front(), work);
}

}  // namespace

int main() {
  constexpr std::size_t kSymbols = 500;
  constexpr std::size_t kBars = 400;
  const auto universe = MakeUniverse(kSymbols, kBars);
  const td::UnixNanos as_of(universe[0].intraday.ts.back() + kMinuteNs);
  std::printf("bench_scanner: %zu symbols x %zu 1m bars, load average %.2f\n", kSymbols, kBars, LoadAverage());

  std::vector<td::scanner::SymbolContext> contexts;
  Time("contexts only (500 x BuildContext)", 7, [&] {
    contexts.clear();
    for (const auto& in : universe)
      contexts.push_back(td::scanner::BuildContext(in, as_of).value());
    return contexts.size();
  });
  Time("every detector on prepared contexts (500 x 19)", 7, [&] {
    std::size_t signals = 0;
    for (const auto& c : contexts) {
      for (const auto& d : td::scanner::DetectAll(c))
        signals += d.status == td::scanner::DetectStatus::kSignal;
    }
    return signals;
  });
  Time("full scan: context + 19 detectors + plans for every signal", 7, [&] {
    std::size_t plans = 0;
    for (const auto& in : universe) {
      const auto ctx = td::scanner::BuildContext(in, as_of).value();
      for (const auto& d : td::scanner::DetectAll(ctx)) {
        if (d.signal)
          plans += td::scanner::BuildPlan(ctx, *d.signal).ok();
      }
    }
    return plans;
  });
  for (td::scanner::Style style : td::scanner::kAllStyles) {
    const std::string name = "ScanInputs (rank + page), style " + std::string(td::scanner::StyleName(style));
    Time(name.c_str(), 5, [&] {
      td::scanner::ScanRequest req;
      req.style = style;
      return td::scanner::ScanInputs(universe, as_of, req).value().total;
    });
  }
  std::printf("load average after: %.2f\n", LoadAverage());
  return 0;
}
