// SPDX-License-Identifier: MIT
// Replaces the global allocation functions of this test program to count allocations made while a
// counting window is open, proving that Publish and Kernel::Post allocate nothing per message.
#include <gtest/gtest.h>

#include <cstdlib>
#include <new>

#include "model/tick.hpp"
#include "runtime/kernel.hpp"
#include "runtime/message_bus.hpp"

namespace {
thread_local bool g_counting = false;
thread_local std::size_t g_allocations = 0;

void* CountedAlloc(std::size_t size) {
  if (g_counting) {
    ++g_allocations;
  }
  if (void* p = std::malloc(size == 0 ? 1 : size)) {
    return p;
  }
  throw std::bad_alloc();
}
}  // namespace

void* operator new(std::size_t size) {
  return CountedAlloc(size);
}
void* operator new[](std::size_t size) {
  return CountedAlloc(size);
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

namespace td::runtime {
namespace {

class AllocationWindow {
 public:
  AllocationWindow() {
    g_allocations = 0;
    g_counting = true;
  }
  ~AllocationWindow() { g_counting = false; }
  std::size_t count() const { return g_allocations; }
};

TEST(BusAllocationTest, PublishAllocatesNothingOnceTheTopicIsKnown) {
  MessageBus bus;
  std::int64_t sum = 0;
  ASSERT_TRUE(bus.Subscribe<QuoteTick>("data.quotes.>", [&](const QuoteTick& q) { sum += q.bid.raw(); }).ok());
  ASSERT_TRUE(bus.Subscribe<QuoteTick>("data.quotes.NSE:NIFTY", [&](const QuoteTick& q) { sum += q.ask.raw(); }).ok());
  QuoteTick quote;
  quote.instrument_id = InstrumentId::Of("NSE:NIFTY");
  quote.bid = Price::FromUnits(100, 2);
  quote.ask = Price::FromUnits(101, 2);
  const TopicHandle handle = bus.Topic("data.quotes.NSE:NIFTY");
  bus.Publish("data.quotes.NSE:NIFTY", quote);  // first publish resolves the topic (allowed to allocate)

  std::size_t allocations = 0;
  {
    AllocationWindow window;
    for (int i = 0; i < 1000; ++i) {
      bus.Publish("data.quotes.NSE:NIFTY", quote);
      bus.Publish(handle, quote);
    }
    allocations = window.count();
  }
  EXPECT_EQ(allocations, 0U);
  EXPECT_EQ(sum, 2001 * (quote.bid.raw() + quote.ask.raw()));
}

TEST(BusAllocationTest, KernelPostAndRunAllocateNothing) {
  TestClock clock;
  Kernel kernel(clock, KernelConfig{.queue_capacity = 1024});
  QuoteTick quote;
  quote.instrument_id = InstrumentId::Of("NSE:NIFTY");
  std::int64_t seen = 0;
  int accepted = 0;
  std::size_t allocations = 0;
  {
    AllocationWindow window;
    for (int i = 0; i < 500; ++i) {
      accepted += kernel.Post([quote, &seen] { seen += quote.ts_event.nanos() + 1; }) ? 1 : 0;
    }
    kernel.RunOnce();
    kernel.RunOnce();
    allocations = window.count();
  }
  EXPECT_EQ(allocations, 0U);
  EXPECT_EQ(accepted, 500);
  EXPECT_EQ(seen, 500);
}

}  // namespace
}  // namespace td::runtime
