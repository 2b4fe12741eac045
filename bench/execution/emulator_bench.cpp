// SPDX-License-Identifier: MIT
// Tick -> order emulator -> release decision, in process, on the kernel thread's code path.
//
// - BM_EmulatorTickNoTrigger: a tick that fires nothing, with N resting lines on the instrument (the common
//   case). Reports allocations per tick (counted by the global operator new below): it must be 0.
// - BM_EmulatorTickTrailingScan: every tick makes a new best for N trailing records (a full scan, no stop move).
// - BM_EmulatorTriggerRelease / BM_EmulatorExitRelease: the tick that fires a TRIGGER entry / a record's stop,
//   through the journal append (buffered, kNone: the fsync cost of kEveryFrame is the disk's, measured in
//   bench_journal) and ExecutionEngine::Submit to a client that only records. Per-iteration latency is timed
//   manually around the tick call alone and reported as p50/p99 counters (ns).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <new>
#include <string>
#include <vector>

#include "execution/order_emulator.hpp"

namespace {
std::atomic<std::uint64_t> g_allocations{0};
}  // namespace

// The replacement allocator below pairs malloc with free; GCC cannot see that operator new is replaced and
// flags every inlined delete as mismatched.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

void* operator new(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) {
    return p;
  }
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) {
  return ::operator new(size);
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}

namespace td::execution {
namespace {

/// Records nothing but the sink: the broker side is not what is measured here.
class NullClient final : public ExecutionClient {
 public:
  void SetSink(ExecutionEventSink* sink) override { sink_ = sink; }
  void Submit(const SubmitOrder&) override { ++submits; }
  void Modify(const ModifyOrder&, const std::optional<VenueOrderId>&) override {}
  void Cancel(const CancelOrder&, const std::optional<VenueOrderId>&) override {}
  Result<BrokerOrderSnapshot> QueryOrders() override { return BrokerOrderSnapshot{}; }
  ExecutionEventSink* sink() const { return sink_; }
  std::uint64_t submits = 0;

 private:
  ExecutionEventSink* sink_ = nullptr;
};

const InstrumentId kInstrument = InstrumentId::Of("NFO:NIFTY24NOV24000CE");

Price P(std::int64_t hundredths) {
  return Price::FromRaw(hundredths * 10'000'000, 2);
}

/// An engine + emulator pair on buffered journals in a private temp dir.
class Rig {
 public:
  Rig() : dir_(std::filesystem::temp_directory_path() / ("td-bench-emulator-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    ExecutionEngineOptions engine_options;
    engine_options.journal_path = dir_ / "orders.journal";
    engine_options.journal.fsync = persistence::FsyncPolicy::kNone;
    engine_options.on_event = [this](const OrderEvent& event) {
      if (emulator) {
        emulator->OnOrderEvent(event);
      }
    };
    engine = std::move(ExecutionEngine::Open(engine_options, clock, client).value());
    OrderEmulatorOptions options;
    options.journal_path = dir_ / "emulator.journal";
    options.journal.fsync = persistence::FsyncPolicy::kNone;
    options.instruments = {*Instrument::Option(kInstrument, InstrumentId::Of("NSE:NIFTY"), CivilDate{2024, 11, 28},
                                               P(2'400'000), OptionRight::kCall,
                                               ContractSpec{P(5), Quantity::FromUnits(25), Quantity::FromUnits(1), 2})};
    emulator = std::move(OrderEmulator::Open(options, clock, *engine).value());
  }
  ~Rig() {
    emulator.reset();
    engine.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  /// The tick object arrives built (by the data engine); only its price and times change here.
  void Tick(Price px) {
    tick_.price = px;
    tick_.ts_event = clock.Now();
    tick_.ts_init = tick_.ts_event;
    emulator->OnTrade(tick_);
  }
  BracketRequest Bracket(Price entry, std::optional<Price> tp, std::optional<Price> sl) const {
    BracketRequest request;
    request.instrument_id = kInstrument;
    request.quantity = Quantity::FromUnits(25);
    request.entry_price = entry;
    request.take_profit = tp;
    request.stop_loss = sl;
    return request;
  }

  std::filesystem::path dir_;
  TestClock clock{UnixNanos::FromSeconds(1'700'000'000)};
  NullClient client;
  std::unique_ptr<ExecutionEngine> engine;
  std::unique_ptr<OrderEmulator> emulator;

 private:
  TradeTick tick_{kInstrument, Price{}, Quantity::FromUnits(1), AggressorSide::kNone, UnixNanos{}, UnixNanos{}};
};

constexpr int kCountedTicks = 100'000;

void ReportPercentiles(benchmark::State& state, std::vector<double>& samples) {
  if (samples.empty()) {
    return;
  }
  std::sort(samples.begin(), samples.end());
  state.counters["p50_ns"] = samples[samples.size() / 2];
  state.counters["p99_ns"] = samples[std::min(samples.size() - 1, samples.size() * 99 / 100)];
}

void BM_EmulatorTickNoTrigger(benchmark::State& state) {
  Rig rig;
  rig.Tick(P(10'000));
  const auto lines = state.range(0);
  for (std::int64_t i = 0; i < lines; ++i) {
    (void)rig.emulator->AttachBracket(rig.Bracket(P(10'000), P(20'000 + i * 5), P(5'000 - i * 5)));
  }
  std::int64_t step = 0;
  // Counted on a separate pass so the harness's own allocations between batches do not blur the figure; the
  // first tick after lines change rebuilds the book's lists (a state change, not the per-tick path).
  rig.Tick(P(9'000));
  const std::uint64_t before = g_allocations.load();
  for (int i = 0; i < kCountedTicks; ++i) {
    rig.Tick(P(9'000 + (step++ % 200) * 5));
  }
  state.counters["allocs_per_tick"] = static_cast<double>(g_allocations.load() - before) / kCountedTicks;
  for (auto _ : state) {
    rig.Tick(P(9'000 + (step++ % 200) * 5));  // wanders between 90.00 and 99.95: nothing fires
  }
  state.SetItemsProcessed(state.iterations());
  if (rig.client.submits != 0) {
    state.SkipWithError("a line fired");
  }
}
BENCHMARK(BM_EmulatorTickNoTrigger)->Arg(1)->Arg(16)->Arg(256);

void BM_EmulatorTickTrailingScan(benchmark::State& state) {
  Rig rig;
  rig.Tick(P(10'000));
  const auto lines = state.range(0);
  for (std::int64_t i = 0; i < lines; ++i) {
    BracketRequest request = rig.Bracket(P(10'000), std::nullopt, P(5'000));
    // A stage so far away that it is never reached: each new best is tracked, the stop never moves.
    request.trailing.stages = {{P(900'000'000'000), TrailStage::Mode::kTrail, P(100)}};
    (void)rig.emulator->AttachBracket(request);
  }
  std::int64_t px = 10'000;
  rig.Tick(P(px));
  const std::uint64_t before = g_allocations.load();
  for (int i = 0; i < kCountedTicks; ++i) {
    px += 5;
    rig.Tick(P(px));
  }
  state.counters["allocs_per_tick"] = static_cast<double>(g_allocations.load() - before) / kCountedTicks;
  for (auto _ : state) {
    px += 5;
    rig.Tick(P(px));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EmulatorTickTrailingScan)->Arg(1)->Arg(16)->Arg(256);

void BM_EmulatorTriggerRelease(benchmark::State& state) {
  Rig rig;
  rig.Tick(P(10'000));
  std::vector<double> samples;
  samples.reserve(1 << 20);
  for (auto _ : state) {
    rig.Tick(P(10'000));
    EntryRequest request;
    request.instrument_id = kInstrument;
    request.kind = EntryKind::kTrigger;
    request.quantity = Quantity::FromUnits(25);
    request.price = P(10'005);
    const auto id = rig.emulator->PlaceEntry(request);
    const auto start = std::chrono::steady_clock::now();
    rig.Tick(P(10'005));  // fires: journal the release, submit through the engine (journal, gate, client)
    const auto end = std::chrono::steady_clock::now();
    const double ns = std::chrono::duration<double, std::nano>(end - start).count();
    state.SetIterationTime(ns * 1e-9);
    samples.push_back(ns);
    // Untimed: the broker cancels it, so the emulator holds one line at a time.
    const EmulatedEntry* entry = rig.emulator->FindEntry(*id);
    if (entry == nullptr || !entry->order_id) {
      state.SkipWithError("the trigger did not fire");
      break;
    }
    rig.client.sink()->OnOrderEvent(OrderAccepted{*entry->order_id, VenueOrderId::Of("V"), rig.clock.Now(), {}});
    rig.client.sink()->OnOrderEvent(OrderCanceled{*entry->order_id, rig.clock.Now(), {}});
  }
  ReportPercentiles(state, samples);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EmulatorTriggerRelease)->UseManualTime()->Iterations(50'000);

void BM_EmulatorExitRelease(benchmark::State& state) {
  Rig rig;
  std::vector<double> samples;
  samples.reserve(1 << 20);
  for (auto _ : state) {
    rig.Tick(P(10'000));
    const auto id = rig.emulator->AttachBracket(rig.Bracket(P(10'000), P(10'500), P(9'500)));
    const auto start = std::chrono::steady_clock::now();
    rig.Tick(P(9'500));  // the stop fires: one exit for the record's quantity
    const auto end = std::chrono::steady_clock::now();
    const double ns = std::chrono::duration<double, std::nano>(end - start).count();
    state.SetIterationTime(ns * 1e-9);
    samples.push_back(ns);
    const EmulatedBracket* record = rig.emulator->FindBracket(*id);
    if (record == nullptr || !record->exit_order) {
      state.SkipWithError("the stop did not fire");
      break;
    }
    const ClientOrderId order = *record->exit_order;
    OrderFilled fill;
    fill.client_order_id = order;
    fill.venue_order_id = VenueOrderId::Of("V");
    fill.trade_id = TradeId::Of("T" + order.str());
    fill.instrument_id = kInstrument;
    fill.side = Side::kSell;
    fill.last_qty = Quantity::FromUnits(25);
    fill.last_px = P(9'500);
    fill.cumulative_qty = fill.last_qty;
    rig.client.sink()->OnOrderEvent(fill);
  }
  ReportPercentiles(state, samples);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EmulatorExitRelease)->UseManualTime()->Iterations(50'000);

}  // namespace
}  // namespace td::execution

BENCHMARK_MAIN();
