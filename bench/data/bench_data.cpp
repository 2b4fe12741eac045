// SPDX-License-Identifier: MIT
// Throughput of the data module's hot paths, printed against the targets of the "Market data" issue:
// CSV import > 5M rows/s, store replay > 50M bars/s, tick aggregation > 20M ticks/s (one core).
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>

#include "data/bar_aggregator.hpp"
#include "data/bar_import.hpp"
#include "data/bar_store.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using td::data::BarColumns;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

// CPU time of this thread: on a shared, oversubscribed machine wall time mostly measures the neighbours.
double CpuNow() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Best rate over runs, by wall time and by thread CPU time.
struct Rate {
  double wall = 0;
  double cpu = 0;
  void Add(double items, Clock::time_point wall_start, double cpu_start) {
    wall = std::max(wall, items / Seconds(wall_start));
    cpu = std::max(cpu, items / (CpuNow() - cpu_start));
  }
};

// A generic OHLCV CSV like the vendor files: ISO time, naive New York time, 4-decimal prices.
std::string MakeCsv(std::size_t rows) {
  std::string text = "datetime,open,high,low,close,volume\n";
  text.reserve(rows * 64);
  std::mt19937_64 rng(42);
  std::int64_t price = 4'500'000;  // 450.0000 in 1e-4
  char line[128];
  std::int64_t minute = 0;
  int day = 1;
  int month = 1;
  int year = 2015;
  for (std::size_t i = 0; i < rows; ++i) {
    if (minute == 390) {
      minute = 0;
      if (++day > 28) {
        day = 1;
        if (++month > 12) {
          month = 1;
          ++year;
        }
      }
    }
    const std::int64_t open = price;
    const std::int64_t close = open + static_cast<std::int64_t>(rng() % 201) - 100;
    const std::int64_t high = std::max(open, close) + static_cast<std::int64_t>(rng() % 50);
    const std::int64_t low = std::min(open, close) - static_cast<std::int64_t>(rng() % 50);
    price = close;
    const int m = static_cast<int>(570 + minute);
    const int n = std::snprintf(
        line, sizeof line, "%04d-%02d-%02d %02d:%02d:00,%lld.%04lld,%lld.%04lld,%lld.%04lld,%lld.%04lld,%llu\n", year,
        month, day, m / 60, m % 60, static_cast<long long>(open / 10000), static_cast<long long>(open % 10000),
        static_cast<long long>(high / 10000), static_cast<long long>(high % 10000), static_cast<long long>(low / 10000),
        static_cast<long long>(low % 10000), static_cast<long long>(close / 10000),
        static_cast<long long>(close % 10000), static_cast<unsigned long long>(1000 + rng() % 100000));
    text.append(line, static_cast<std::size_t>(n));
    ++minute;
  }
  return text;
}

void Report(const char* what, const Rate& rate, double target, const char* unit) {
  std::printf("%-34s %8.2f M %s/s CPU   %8.2f M/s wall   (target %4.0f M/s: %s)\n", what, rate.cpu / 1e6, unit,
              rate.wall / 1e6, target / 1e6, rate.cpu >= target ? "met" : "MISSED");
}

}  // namespace

int main() {
  constexpr std::size_t kRows = 5'000'000;
  std::printf("bench_data: %zu rows / bars / ticks per run, best of 3\n", kRows);
  const std::string csv = MakeCsv(kRows);

  td::data::ImportOptions options;
  options.time_zone = "America/New_York";
  options.spec = td::BarSpec{1, td::BarUnit::kMinute};
  Rate import_rate;
  BarColumns bars;
  for (int run = 0; run < 3; ++run) {
    const auto start = Clock::now();
    const double cpu = CpuNow();
    auto parsed = td::data::ParseBarText(csv, "synthetic.csv", options);
    import_rate.Add(static_cast<double>(kRows), start, cpu);
    if (!parsed.ok() || parsed->bars.size() != kRows) {
      std::fprintf(stderr, "import failed: %s\n", parsed.ok() ? "row count" : parsed.error().ToString().c_str());
      return 1;
    }
    bars = std::move(parsed->bars);
  }
  Report("CSV import (generic, ISO + tz)", import_rate, 5e6, "rows");
  std::printf("%-34s %8.1f MB/s CPU\n", "  input bytes",
              import_rate.cpu * static_cast<double>(csv.size()) / kRows / 1e6);

  const auto root = std::filesystem::temp_directory_path() / ("td_bench_data_" + std::to_string(::getpid()));
  td::data::BarStore store(root);
  const auto instrument = td::InstrumentId::Of("NYSE:SPY");
  const td::BarSpec spec{1, td::BarUnit::kMinute};
  auto appended = store.Append(instrument, spec, bars);
  if (!appended.ok()) {
    std::fprintf(stderr, "append failed: %s\n", appended.error().ToString().c_str());
    return 1;
  }
  Rate replay_rate;
  std::int64_t checksum = 0;
  for (int run = 0; run < 3; ++run) {
    const auto start = Clock::now();
    const double cpu = CpuNow();
    auto series = store.Open(instrument, spec);
    if (!series.ok()) {
      return 1;
    }
    const auto ts = series->ts();
    const auto open = series->open();
    const auto high = series->high();
    const auto low = series->low();
    const auto close = series->close();
    const auto volume = series->volume();
    std::int64_t sum = 0;
    for (std::size_t i = 0; i < series->size(); ++i) {
      sum += ts[i] ^ (open[i] + high[i] + low[i] + close[i] + volume[i]);
    }
    checksum += sum;
    replay_rate.Add(static_cast<double>(series->size()), start, cpu);
  }
  Report("store replay (open + scan 6 cols)", replay_rate, 50e6, "bars");

  // Ticks: 5M trades, ~20 per second, through 1-minute bars in the NYSE session.
  std::vector<std::int64_t> tick_ts(kRows);
  std::vector<td::Price> tick_px(kRows);
  std::mt19937_64 rng(7);
  std::int64_t t = td::UnixNanos::ParseIso8601("2024-01-02T14:30:00Z").value().nanos();
  std::int64_t p = 450'000'000'000;
  for (std::size_t i = 0; i < kRows; ++i) {
    t += 50'000'000;
    p += static_cast<std::int64_t>(rng() % 21) * 10'000'000 - 100'000'000;
    tick_ts[i] = t;
    tick_px[i] = td::Price::FromRaw(p, 2);
  }
  td::data::AggregatorOptions agg_options;
  agg_options.spec = spec;
  agg_options.session = td::data::NyseRegularSession();
  agg_options.outside_session = td::data::OutsideSession::kKeep;
  Rate tick_rate;
  std::size_t emitted = 0;
  for (int run = 0; run < 3; ++run) {
    auto agg = td::data::TickBarAggregator::Create(agg_options).value();
    const td::Quantity size = td::Quantity::FromUnits(100);
    const auto start = Clock::now();
    const double cpu = CpuNow();
    for (std::size_t i = 0; i < kRows; ++i) {
      if (agg.OnTrade(td::UnixNanos(tick_ts[i]), tick_px[i], size)) {
        ++emitted;
      }
    }
    tick_rate.Add(static_cast<double>(kRows), start, cpu);
  }
  Report("tick aggregation (1m, NYSE)", tick_rate, 20e6, "ticks");

  Rate resample_rate;
  for (int run = 0; run < 3; ++run) {
    td::data::ResampleOptions resample;
    resample.target = td::BarSpec{5, td::BarUnit::kMinute};
    resample.session = td::data::NyseRegularSession();
    const auto start = Clock::now();
    const double cpu = CpuNow();
    auto five = td::data::ResampleBars(bars, spec, resample);
    resample_rate.Add(static_cast<double>(bars.size()), start, cpu);
    emitted += five.ok() ? five->size() : 0;
  }
  Report("resample 1m -> 5m (NYSE)", resample_rate, 20e6, "bars");
  std::printf("(checksum %lld, bars emitted %zu)\n", static_cast<long long>(checksum), emitted);
  std::error_code ec;
  std::filesystem::remove_all(root, ec);
  return 0;
}
