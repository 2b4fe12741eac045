// SPDX-License-Identifier: MIT
// The in-process trading path, measured per event:
// 1. tick -> emulator trigger -> risk gate -> engine (journal) -> paper broker fill -> events back to the emulator
//    and the portfolio: latency of the tick that fires a TRIGGER entry, p50/p99 (aim: p99 under 10 µs);
// 2. orders per second through the full path: submit -> risk gate -> engine (journal) -> paper broker -> fill ->
//    portfolio (market orders filled at once).
// Durability: `--fsync none` (default) writes both journals buffered, never synced, so the figures are the
// process's own cost; `--fsync every` is the production mode (each frame fdatasync'ed before the order leaves),
// where the disk's sync time adds to every order; `--fsync batch` is group commit. The mode is printed.
// Latencies are this thread's CPU time per event, so other load on the machine does not inflate them; wall
// clock percentiles are printed beside them, and so are the page faults taken inside timed fires. The heap is
// prefaulted as `tradedesk serve` prefaults it (server.prefault_heap_mb); `--prefault-mb 0` shows the cost of
// page faults on a growing heap. `--only latency|orders` runs one part.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "adapters/paper/paper_broker.hpp"
#include "core/clock.hpp"
#include "config/config.hpp"
#include "core/log.hpp"
#include "core/memory.hpp"
#include "execution/execution_engine.hpp"
#include "execution/order_emulator.hpp"
#include "portfolio/portfolio.hpp"
#include "risk/risk_engine.hpp"

namespace td {
namespace {

const InstrumentId kOption = InstrumentId::Of("NFO:NIFTY28NOV2424000CE");

double ThreadCpuNanos() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

Price P(std::int64_t hundredths) {
  return Price::FromUnits(hundredths, 2);
}

persistence::FsyncPolicy g_fsync = persistence::FsyncPolicy::kNone;

const char* FsyncName(persistence::FsyncPolicy policy) {
  switch (policy) {
    case persistence::FsyncPolicy::kEveryFrame:
      return "every frame fdatasync'ed (production)";
    case persistence::FsyncPolicy::kBatch:
      return "group commit (batch)";
    case persistence::FsyncPolicy::kNone:
      return "buffered, never synced";
  }
  return "?";
}

/// Engine, risk, paper broker, emulator and portfolio wired as the trading service wires them.
class Desk {
 public:
  Desk() : dir_(std::filesystem::temp_directory_path() / ("td-bench-desk-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    instrument_ = *Instrument::Option(kOption, InstrumentId::Of("NSE:NIFTY"), CivilDate{2024, 11, 28},
                                      *Price::Parse("24000"), OptionRight::kCall,
                                      ContractSpec{*Price::Parse("0.05"), Quantity::FromUnits(25), Quantity::FromUnits(1), 2});
    portfolio_.RegisterInstrument(instrument_);
    adapters::paper::PaperBrokerConfig config;
    config.enforce_market_hours = false;
    config.starting_capital = 1e12;
    broker_ = std::make_unique<adapters::paper::PaperBroker>(
        config, clock_, std::make_unique<adapters::paper::FullFillModel>(),
        std::make_unique<adapters::paper::ZeroFeeModel>(),
        std::make_unique<adapters::paper::FixedLatencyModel>(Duration{}, Duration{}));
    (void)broker_->AddInstrument(instrument_);
    execution::ExecutionEngineOptions options;
    options.journal_path = dir_ / "orders.journal";
    options.journal.fsync = g_fsync;
    options.on_event = [this](const execution::OrderEvent& event) {
      if (const auto* denied = std::get_if<execution::OrderDenied>(&event)) {
        std::fprintf(stderr, "denied: %s\n", denied->reason.c_str());
      }
      if (const auto* rejected = std::get_if<execution::OrderRejected>(&event)) {
        std::fprintf(stderr, "rejected: %s\n", rejected->reason.c_str());
      }
      (void)risk::ApplyToPortfolio(portfolio_, event);
      if (emulator_) {
        emulator_->OnOrderEvent(event);
      }
    };
    engine_ = std::move(execution::ExecutionEngine::Open(options, clock_, *broker_).value());
    risk::RiskLimits limits;
    limits.submit_rate_per_second = 1e9;
    limits.submit_burst = 1e9;
    risk_ = std::make_unique<risk::RiskEngine>(clock_, limits, portfolio_, [this] { return engine_->OpenOrderCount(); });
    risk_->AddInstrument(instrument_);
    engine_->SetGate(risk_.get());
    execution::OrderEmulatorOptions emulator_options;
    emulator_options.journal_path = dir_ / "emulator.journal";
    emulator_options.journal.fsync = g_fsync;
    emulator_options.instruments = {instrument_};
    emulator_ = std::move(execution::OrderEmulator::Open(emulator_options, clock_, *engine_).value());
  }
  ~Desk() {
    emulator_.reset();
    engine_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  /// One market event as the data engine delivers it: the quote and print reach risk, broker and emulator.
  void Tick(Price px) {
    clock_.Advance(std::chrono::microseconds(100));
    const UnixNanos now = clock_.Now();
    quote_.bid = px - tick_;
    quote_.ask = px;
    quote_.ts_event = quote_.ts_init = now;
    trade_.price = px;
    trade_.ts_event = trade_.ts_init = now;
    risk_->UpdateReferencePrice(kOption, px, now);
    broker_->OnQuote(quote_);
    broker_->OnTrade(trade_);
    emulator_->OnTrade(trade_);
  }

  /// Closes the position outside the emulator and tells it so (its record is trimmed).
  void Flatten() {
    execution::SubmitOrder order;
    order.strategy_id = StrategyId::Of("BENCH");
    order.instrument_id = kOption;
    order.side = Side::kSell;
    order.type = OrderType::kMarket;
    order.quantity = Quantity::FromUnits(25);
    (void)engine_->Submit(order);
    (void)emulator_->SyncPosition(execution::PositionReport{kOption, Product::kMis, Side::kBuy, Quantity(), clock_.Now()});
  }

  execution::OrderEmulator& emulator() { return *emulator_; }
  execution::ExecutionEngine& engine() { return *engine_; }
  const portfolio::Portfolio& portfolio() const { return portfolio_; }

 private:
  std::filesystem::path dir_;
  TestClock clock_{UnixNanos::FromSeconds(1'732'164'300)};
  Instrument instrument_;
  portfolio::Portfolio portfolio_;
  std::unique_ptr<adapters::paper::PaperBroker> broker_;
  std::unique_ptr<execution::ExecutionEngine> engine_;
  std::unique_ptr<risk::RiskEngine> risk_;
  std::unique_ptr<execution::OrderEmulator> emulator_;
  const Price tick_ = *Price::Parse("0.05");
  QuoteTick quote_{kOption, Price{}, Price{}, Quantity::FromUnits(10'000), Quantity::FromUnits(10'000), {}, {}};
  TradeTick trade_{kOption, Price{}, Quantity::FromUnits(25), AggressorSide::kNone, {}, {}};
};

/// The timed step on its own symbol, so a profiler can collect exactly this (callgrind --toggle-collect).
[[gnu::noinline]] void FiringTick(Desk& desk, Price px) {
  desk.Tick(px);
}

/// The 1-minute load average: other processes share this machine's caches and cores, so it goes beside figures.
std::string LoadAverage() {
  std::FILE* file = std::fopen("/proc/loadavg", "r");
  if (file == nullptr) {
    return "unknown";
  }
  char text[32] = {};
  const int read = std::fscanf(file, "%31s", text);
  std::fclose(file);
  return read == 1 ? std::string(text) : std::string("unknown");
}

long MinorFaults() {
  rusage usage{};
  getrusage(RUSAGE_THREAD, &usage);
  return usage.ru_minflt;
}

double Percentile(std::vector<double>& v, double q) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())))];
}

void TickToFill() {
  const std::string load_before = LoadAverage();
  Desk desk;
  const int kSamples = g_fsync == persistence::FsyncPolicy::kEveryFrame ? 2'000 : 20'000;
  std::vector<double> cpu;
  std::vector<double> wall;
  cpu.reserve(kSamples);
  wall.reserve(kSamples);
  desk.Tick(P(10'000));
  int filled = 0;
  long timed_faults = 0;
  int fires_with_faults = 0;
  for (int i = 0; i < kSamples + 1'000; ++i) {
    const bool buy = true;  // a BUY trigger above the market; flattened untimed after each fill
    execution::EntryRequest request;
    request.instrument_id = kOption;
    request.side = buy ? Side::kBuy : Side::kSell;
    request.kind = execution::EntryKind::kTrigger;
    request.quantity = Quantity::FromUnits(25);
    request.price = buy ? P(10'010) : P(9'990);
    auto id = desk.emulator().PlaceEntry(request);
    if (!id.ok()) {
      std::fprintf(stderr, "bench_tick_to_fill: entry refused: %s\n", id.error().ToString().c_str());
      std::exit(1);
    }
    const long faults_before = MinorFaults();
    const auto wall_start = std::chrono::steady_clock::now();
    const double cpu_start = ThreadCpuNanos();
    FiringTick(desk, buy ? P(10'010) : P(9'990));  // fires: release -> risk -> engine -> paper fill -> events
    const double cpu_ns = ThreadCpuNanos() - cpu_start;
    const double wall_ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - wall_start).count();
    const long faults = MinorFaults() - faults_before;
    // The fill reached the portfolio: the position is 25 after a BUY and flat after a SELL.
    const std::int64_t expected = Quantity::FromUnits(25).raw();
    if (desk.portfolio().NetQuantityRaw(kOption) != expected) {
      std::fprintf(stderr, "bench_tick_to_fill: the trigger did not end in a fill (iteration %d)\n", i);
      std::exit(1);
    }
    ++filled;
    desk.Tick(P(10'000));  // back to the middle, untimed
    desk.Flatten();
    if (i >= 1'000) {  // warm-up excluded
      timed_faults += faults;
      fires_with_faults += faults > 0 ? 1 : 0;
      cpu.push_back(cpu_ns);
      wall.push_back(wall_ns);
    }
  }
  struct Summary {
    double p50, p99, p999, max;
  };
  auto summarise = [](std::vector<double>& v) {
    return Summary{Percentile(v, 0.50) / 1e3, Percentile(v, 0.99) / 1e3, Percentile(v, 0.999) / 1e3,
                   *std::max_element(v.begin(), v.end()) / 1e3};
  };
  const Summary c = summarise(cpu);
  const Summary w = summarise(wall);
  std::printf("tick -> trigger -> risk -> paper fill (%zu timed fills, journals %s):\n"
              "  CPU  p50 %.2f us, p99 %.2f us, p99.9 %.2f us, max %.2f us\n"
              "  wall p50 %.2f us, p99 %.2f us, p99.9 %.2f us, max %.2f us\n"
              "  aim CPU p99 < 10 us (the process's own cost, so measured with buffered journals): %s\n",
              cpu.size(), FsyncName(g_fsync), c.p50, c.p99, c.p999, c.max, w.p50, w.p99, w.p999, w.max,
              g_fsync != persistence::FsyncPolicy::kNone ? "n/a (the disk's sync time is in every order)"
              : c.p99 < 10.0                             ? "met"
                                                         : "MISSED");
  std::printf("  CPU  p75 %.2f us, p90 %.2f us, p95 %.2f us, p98 %.2f us\n", Percentile(cpu, 0.75) / 1e3,
              Percentile(cpu, 0.90) / 1e3, Percentile(cpu, 0.95) / 1e3, Percentile(cpu, 0.98) / 1e3);
  std::printf("  page faults in timed fires: %ld (%d of %zu fires had one)\n", timed_faults, fires_with_faults,
              cpu.size());
  std::printf("  load average (1 min) before/after: %s / %s\n", load_before.c_str(), LoadAverage().c_str());
  (void)filled;
}

void OrdersPerSecond() {
  Desk desk;
  desk.Tick(P(10'000));
  const int kOrders = g_fsync == persistence::FsyncPolicy::kEveryFrame ? 5'000 : 200'000;
  const double cpu_start = ThreadCpuNanos();
  const auto wall_start = std::chrono::steady_clock::now();
  for (int i = 0; i < kOrders; ++i) {
    if (i % 100 == 0) {
      desk.Tick(P(10'000));  // fresh displayed size at the touch
    }
    execution::SubmitOrder order;
    order.strategy_id = StrategyId::Of("BENCH");
    order.instrument_id = kOption;
    order.side = i % 2 == 0 ? Side::kBuy : Side::kSell;
    order.type = OrderType::kMarket;
    order.quantity = Quantity::FromUnits(25);
    auto result = desk.engine().Submit(order);
    if (!result.ok() || result->status != execution::OrderStatus::kFilled) {
      const execution::Order* o = result.ok() ? desk.engine().FindOrder(result->client_order_id) : nullptr;
      std::fprintf(stderr, "bench_tick_to_fill: order %d did not fill: %s\n", i,
                   !result.ok() ? result.error().ToString().c_str()
                                : std::string(execution::ToString(o->status())).c_str());
      std::exit(1);
    }
  }
  const double cpu_s = (ThreadCpuNanos() - cpu_start) * 1e-9;
  const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  std::printf("orders through submit -> risk -> engine -> paper broker -> fill -> portfolio (journals %s):\n"
              "  %d orders, %.0f orders per CPU second (wall %.0f/s)\n",
              FsyncName(g_fsync), kOrders, kOrders / cpu_s, kOrders / wall_s);
}

}  // namespace
}  // namespace td

int main(int argc, char** argv) {
  td::SetLogLevel(td::LogLevel::kWarn);
  std::size_t prefault_mb = static_cast<std::size_t>(td::config::ServerConfig{}.prefault_heap_mb);
  std::string only;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--fsync" && i + 1 < argc) {
      const std::string mode = argv[++i];
      if (mode == "none") {
        td::g_fsync = td::persistence::FsyncPolicy::kNone;
      } else if (mode == "batch") {
        td::g_fsync = td::persistence::FsyncPolicy::kBatch;
      } else if (mode == "every") {
        td::g_fsync = td::persistence::FsyncPolicy::kEveryFrame;
      } else {
        std::fprintf(stderr, "--fsync takes none, batch or every\n");
        return 2;
      }
    } else if (arg == "--prefault-mb" && i + 1 < argc) {
      prefault_mb = static_cast<std::size_t>(std::stoul(argv[++i]));
    } else if (arg == "--only" && i + 1 < argc) {
      only = argv[++i];
    } else {
      std::fprintf(stderr,
                   "usage: bench_tick_to_fill [--fsync none|batch|every] [--only latency|orders] [--prefault-mb N]\n");
      return 2;
    }
  }
  // As `tradedesk serve` does before its trading thread starts (server.prefault_heap_mb).
  if (prefault_mb > 0) {
    const td::HeapReserve reserve = td::PrefaultHeap(prefault_mb << 20);
    std::printf("heap prefaulted: %zu MiB%s (server.prefault_heap_mb; --prefault-mb 0 turns it off)\n",
                reserve.bytes >> 20, reserve.supported ? "" : " (not supported by this allocator)");
  } else {
    std::printf("heap not prefaulted (--prefault-mb 0)\n");
  }
  if (only.empty() || only == "latency") {
    td::TickToFill();
  }
  if (only.empty() || only == "orders") {
    td::OrdersPerSecond();
  }
  return 0;
}
