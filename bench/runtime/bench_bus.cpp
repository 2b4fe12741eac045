// SPDX-License-Identifier: MIT
#include <benchmark/benchmark.h>

#include <thread>

#include "model/tick.hpp"
#include "runtime/kernel.hpp"
#include "runtime/message_bus.hpp"
#include "runtime/mpsc_queue.hpp"

namespace td::runtime {
namespace {

QuoteTick SampleQuote() {
  QuoteTick quote;
  quote.instrument_id = InstrumentId::Of("NSE:NIFTY");
  quote.bid = Price::FromUnits(24000, 2);
  quote.ask = Price::FromUnits(24001, 2);
  return quote;
}

// Publish by topic string to `handlers` subscribers (half exact, half by pattern); cost per message.
void BM_BusPublishByTopic(benchmark::State& state) {
  MessageBus bus;
  std::int64_t sink = 0;
  for (int i = 0; i < state.range(0); ++i) {
    const char* pattern = i % 2 == 0 ? "data.quotes.NSE:NIFTY" : "data.quotes.>";
    static_cast<void>(bus.Subscribe<QuoteTick>(pattern, [&sink](const QuoteTick& q) { sink += q.bid.raw(); }));
  }
  const QuoteTick quote = SampleQuote();
  for (auto _ : state) {
    benchmark::DoNotOptimize(bus.Publish("data.quotes.NSE:NIFTY", quote));
  }
  benchmark::DoNotOptimize(sink);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BusPublishByTopic)->Arg(1)->Arg(4);

// Publish through a resolved TopicHandle: no string hashing on the hot path.
void BM_BusPublishByHandle(benchmark::State& state) {
  MessageBus bus;
  std::int64_t sink = 0;
  for (int i = 0; i < state.range(0); ++i) {
    static_cast<void>(bus.Subscribe<QuoteTick>("data.quotes.>", [&sink](const QuoteTick& q) { sink += q.bid.raw(); }));
  }
  const TopicHandle topic = bus.Topic("data.quotes.NSE:NIFTY");
  const QuoteTick quote = SampleQuote();
  for (auto _ : state) {
    benchmark::DoNotOptimize(bus.Publish(topic, quote));
  }
  benchmark::DoNotOptimize(sink);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BusPublishByHandle)->Arg(1)->Arg(4);

// Single-threaded push then pop of one item: the uncontended cost of the ring.
void BM_QueuePushPop(benchmark::State& state) {
  MpscQueue<std::uint64_t> queue(1024);
  std::uint64_t value = 0;
  for (auto _ : state) {
    queue.TryPush(value);
    queue.TryPop(value);
    ++value;
  }
  benchmark::DoNotOptimize(value);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_QueuePushPop);

// One producer thread per benchmark thread, one consumer draining; items per second across producers.
void BM_QueueContended(benchmark::State& state) {
  static MpscQueue<std::uint64_t>* queue = nullptr;
  static std::thread* consumer = nullptr;
  static std::atomic<bool> stop{false};
  if (state.thread_index() == 0) {
    queue = new MpscQueue<std::uint64_t>(1u << 16);
    stop = false;
    consumer = new std::thread([] {
      std::uint64_t item = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        while (queue->TryPop(item)) {
        }
      }
      while (queue->TryPop(item)) {
      }
    });
  }
  std::uint64_t drops = 0;
  for (auto _ : state) {
    while (!queue->TryPush(1)) {
      ++drops;
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["full_retries"] = static_cast<double>(drops);
  if (state.thread_index() == 0) {
    stop = true;
    consumer->join();
    delete consumer;
    delete queue;
  }
}
BENCHMARK(BM_QueueContended)->Threads(1)->Threads(2)->UseRealTime();

// Kernel.Post + RunOnce of a task carrying a quote: the I/O-thread-to-kernel hand-off, without threads.
void BM_KernelPostAndRun(benchmark::State& state) {
  TestClock clock;
  Kernel kernel(clock, KernelConfig{.queue_capacity = 4096, .max_batch = 256});
  QuoteTick quote = SampleQuote();  // non-const: a const capture would not be nothrow-movable
  std::int64_t sink = 0;
  for (auto _ : state) {
    for (int i = 0; i < 256; ++i) {
      kernel.Post([quote, &sink] { sink += quote.bid.raw(); });
    }
    kernel.RunOnce();
  }
  benchmark::DoNotOptimize(sink);
  state.SetItemsProcessed(state.iterations() * 256);
}
BENCHMARK(BM_KernelPostAndRun);

}  // namespace
}  // namespace td::runtime

BENCHMARK_MAIN();
