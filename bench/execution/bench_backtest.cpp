// SPDX-License-Identifier: MIT
// Bar-replay backtest of an EMA(10)/EMA(30) cross through the production path: each bar becomes a quote and a
// trade for the paper broker and a reference price for risk; the strategy's orders go through the
// ExecutionEngine (journal, idempotency), the RiskEngine gate and the paper broker, and fills reach the
// portfolio. Prints events per second (events = bars + the ticks made from them + order events), wall clock on
// one core. Aim (issue "Trading core"): above 2 million events per second.
//
// Data: the real SPY 1-minute file from TRADEDESK_DATA_DIR replayed end to end several times when present,
// plus a seeded random walk of 2 million bars, so the figure does not depend on the data being there.
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "adapters/paper/paper_broker.hpp"
#include "core/clock.hpp"
#include "core/log.hpp"
#include "execution/execution_engine.hpp"
#include "indicators/moving_average.hpp"
#include "portfolio/portfolio.hpp"
#include "risk/risk_engine.hpp"

namespace td {
namespace {

struct BarRow {
  std::int64_t ts_ns;
  double close;
};

std::vector<BarRow> RandomWalk(std::size_t n) {
  std::vector<BarRow> bars(n);
  std::mt19937_64 rng(20261121);
  std::normal_distribution<double> step(0.0, 0.0007);
  double price = 450.0;
  const std::int64_t start = 1'700'000'000LL * 1'000'000'000LL;
  for (std::size_t i = 0; i < n; ++i) {
    price *= std::exp(step(rng));
    bars[i] = {start + static_cast<std::int64_t>(i) * 60'000'000'000LL, std::round(price * 100.0) / 100.0};
  }
  return bars;
}

// The shared data's SPY regular-hours 1-minute file: "datetime,open,high,low,close,volume".
std::vector<BarRow> LoadSpy() {
  const char* dir = std::getenv("TRADEDESK_DATA_DIR");
  if (dir == nullptr) {
    return {};
  }
  for (const char* name : {"us_equity/intraday/SPY_1min_20250915_20260319_rth.csv"}) {
    std::ifstream in(std::filesystem::path(dir) / name);
    if (!in) {
      continue;
    }
    std::vector<BarRow> bars;
    std::string line;
    std::getline(in, line);
    std::int64_t t = 1'700'000'000LL * 1'000'000'000LL;
    while (std::getline(in, line)) {
      std::stringstream row(line);
      std::string field;
      std::vector<std::string> fields;
      while (std::getline(row, field, ',')) {
        fields.push_back(field);
      }
      if (fields.size() < 5) {
        continue;
      }
      const double close = std::strtod(fields[4].c_str(), nullptr);
      if (close > 0.0) {
        bars.push_back({t, std::round(close * 100.0) / 100.0});
        t += 60'000'000'000LL;  // replayed as consecutive minutes: the bench measures the path, not the calendar
      }
    }
    return bars;
  }
  return {};
}

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct RunResult {
  std::size_t bars = 0;
  std::size_t ticks = 0;
  std::size_t order_events = 0;
  std::size_t orders = 0;
  double seconds = 0.0;      // wall clock
  double cpu_seconds = 0.0;  // this thread's CPU time: the figure that does not depend on other load
  double pnl = 0.0;
};

RunResult Backtest(const std::vector<BarRow>& bars, int repeats) {
  const auto dir = std::filesystem::temp_directory_path() / ("td-backtest-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  RunResult result;
  {
    TestClock clock(UnixNanos(bars.front().ts_ns));
    const InstrumentId spy = InstrumentId::Of("US:SPY");
    const Instrument instrument =
        *Instrument::Equity(spy, ContractSpec{*Price::Parse("0.01"), Quantity::FromUnits(1), Quantity::FromUnits(1), 2});
    portfolio::Portfolio portfolio;
    portfolio.RegisterInstrument(instrument);

    adapters::paper::PaperBrokerConfig config;
    config.enforce_market_hours = false;  // consecutive minutes, not a calendar
    config.starting_capital = 1e12;
    adapters::paper::PaperBroker broker(config, clock, std::make_unique<adapters::paper::FullFillModel>(),
                                        std::make_unique<adapters::paper::ZeroFeeModel>(),
                                        std::make_unique<adapters::paper::FixedLatencyModel>(Duration{}, Duration{}));
    if (!broker.AddInstrument(instrument).ok()) {
      std::fprintf(stderr, "bench_backtest: instrument refused\n");
      std::exit(1);
    }
    execution::ExecutionEngineOptions options;
    options.journal_path = dir / "orders.journal";
    options.journal.fsync = persistence::FsyncPolicy::kNone;
    options.on_event = [&](const execution::OrderEvent& event) {
      ++result.order_events;
      if (const auto* rejected = std::get_if<execution::OrderRejected>(&event)) {
        std::fprintf(stderr, "bench_backtest: rejected: %s\n", rejected->reason.c_str());
      }
      (void)risk::ApplyToPortfolio(portfolio, event);
    };
    auto engine = std::move(execution::ExecutionEngine::Open(options, clock, broker)).value();
    risk::RiskLimits limits;
    limits.submit_rate_per_second = 1e9;
    limits.submit_burst = 1e9;
    risk::RiskEngine risk(clock, limits, portfolio, [&] { return engine->OpenOrderCount(); });
    risk.AddInstrument(instrument);
    engine->SetGate(&risk);

    const Quantity size = Quantity::FromUnits(100);
    const Price half_spread = *Price::Parse("0.01");
    const auto start = std::chrono::steady_clock::now();
    const double cpu_start = ThreadCpuSeconds();
    for (int r = 0; r < repeats; ++r) {
      indicators::Ema fast(10);
      indicators::Ema slow(30);
      int side = 0;  // -1 short, 0 flat, +1 long
      const std::int64_t shift = static_cast<std::int64_t>(r) * (bars.back().ts_ns - bars.front().ts_ns + 60'000'000'000LL);
      for (const BarRow& bar : bars) {
        const UnixNanos ts(bar.ts_ns + shift);
        clock.AdvanceTo(ts);
        const Price close = *Price::FromDouble(bar.close, 2);
        broker.OnQuote(QuoteTick{spy, close - half_spread, close + half_spread, size * 10, size * 10, ts, ts});
        broker.OnTrade(TradeTick{spy, close, size, AggressorSide::kNone, ts, ts});
        risk.UpdateReferencePrice(spy, close, ts);
        portfolio.UpdateMark(spy, close);
        result.ticks += 2;
        ++result.bars;
        fast.Update(bar.close);
        slow.Update(bar.close);
        if (!slow.Ready()) {
          continue;
        }
        const int want = fast.Value() > slow.Value() ? 1 : -1;
        if (want == side) {
          continue;
        }
        execution::SubmitOrder order;
        order.strategy_id = StrategyId::Of("EMA_CROSS");
        order.instrument_id = spy;
        order.side = want > 0 ? Side::kBuy : Side::kSell;
        order.type = OrderType::kMarket;
        order.product = Product::kMis;  // intraday: long and short allowed
        order.quantity = side == 0 ? size : size * 2;  // flat: open; otherwise reverse
        auto submitted = engine->Submit(order);
        if (submitted.ok() && submitted->status == execution::OrderStatus::kFilled) {
          side = want;
          ++result.orders;
        } else {
          const execution::Order* o = submitted.ok() ? engine->FindOrder(submitted->client_order_id) : nullptr;
          std::fprintf(stderr, "bench_backtest: the strategy's order did not fill: %s\n",
                       submitted.ok() ? std::string(execution::ToString(o->status())).c_str()
                                      : submitted.error().ToString().c_str());
          std::exit(1);
        }
      }
    }
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    result.cpu_seconds = ThreadCpuSeconds() - cpu_start;
    result.pnl = portfolio.RealisedPnl() + portfolio.UnrealisedPnl();
  }
  std::filesystem::remove_all(dir);
  return result;
}

void Report(const char* name, const RunResult& r) {
  const double events = static_cast<double>(r.bars + r.ticks + r.order_events);
  const double per_cpu_second = events / r.cpu_seconds;
  std::printf("%s: %zu bars, %zu ticks, %zu order events, %zu orders filled, P&L %.2f\n", name, r.bars, r.ticks,
              r.order_events, r.orders, r.pnl);
  std::printf("  %.2f M events per CPU second (wall %.2f M/s; %.3f s CPU, %.3f s wall)  aim > 2 M: %s\n",
              per_cpu_second / 1e6, events / r.seconds / 1e6, r.cpu_seconds, r.seconds,
              per_cpu_second > 2e6 ? "met" : "MISSED");
}

}  // namespace
}  // namespace td

int main() {
  td::SetLogLevel(td::LogLevel::kWarn);  // the engine's info logs are not part of the path measured
  const auto walk = td::RandomWalk(2'000'000);
  td::Backtest(td::RandomWalk(50'000), 1);  // warm-up
  td::Report("random walk, 2,000,000 bars", td::Backtest(walk, 1));
  const auto spy = td::LoadSpy();
  if (!spy.empty()) {
    const int repeats = static_cast<int>(std::max<std::size_t>(1, 2'000'000 / spy.size()));
    char name[64];
    std::snprintf(name, sizeof name, "SPY 1m real, %zu bars x %d", spy.size(), repeats);
    td::Report(name, td::Backtest(spy, repeats));
  } else {
    std::printf("SPY 1m real data: not found under TRADEDESK_DATA_DIR (skipped)\n");
  }
  return 0;
}
