// SPDX-License-Identifier: MIT
// Replaces the global allocation functions of this test program to count allocations made while a counting
// window is open, proving that a PlanBook bar that changes nothing allocates nothing.
#include <gtest/gtest.h>

#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "plans/plan_follower.hpp"

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

namespace td::plans {
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

Price P(double value) {
  return Price::FromDouble(value, 2).value();
}

const UnixNanos kIssued = UnixNanos::ParseIso8601("2025-09-16T14:00:00Z").value();
constexpr std::int64_t kMinute = 60'000'000'000;

/// Entry 100, stop 99, targets 101/102/103 on `symbol`.
scanner::Plan Plan(const std::string& id, const std::string& symbol) {
  scanner::Plan p;
  p.plan_id = id;
  p.symbol = symbol;
  p.style = scanner::Style::kIntraday;
  p.entry = P(100.0);
  p.stop = P(99.0);
  for (double t : {101.0, 102.0, 103.0}) {
    scanner::Target target;
    target.price = P(t);
    p.targets.push_back(target);
  }
  p.tick_size = P(0.01);
  p.runner.timeframe = "5m";
  p.runner.length = 3;
  p.runner.multiplier = 1.0;
  p.ladder.atr = 1.0;
  p.as_of = kIssued;
  p.data_as_of = kIssued;
  return p;
}

Bar MakeBar(int minute, double o, double h, double l, double c) {
  Bar b;
  b.ts_event = kIssued + Duration(minute * kMinute);
  b.ts_init = b.ts_event;
  b.open = P(o);
  b.high = P(h);
  b.low = P(l);
  b.close = P(c);
  b.volume = Quantity::FromUnits(100);
  return b;
}

TEST(PlanBookAllocationTest, ABarThatChangesNothingAllocatesNothing) {
  std::size_t events = 0;
  PlanBook book([&](const PlanDelta&) { ++events; });
  std::vector<std::string> symbols;
  for (int s = 0; s < 50; ++s)
    symbols.push_back("SYM" + std::to_string(s));
  // Four plans per symbol; half of them enter on the first bar so both the flat and the in-position paths run.
  for (const std::string& symbol : symbols) {
    for (int k = 0; k < 4; ++k)
      ASSERT_TRUE(book.Follow(Plan(symbol + "-" + std::to_string(k), symbol)).ok());
  }
  const BarSpec spec{1, BarUnit::kMinute};
  for (std::size_t i = 0; i < symbols.size(); ++i)
    book.OnBar(symbols[i], MakeBar(0, 99.6, i % 2 == 0 ? 100.1 : 99.8, 99.55, 99.7), spec);
  ASSERT_EQ(events, symbols.size() / 2 * 4);  // the entries

  // Quiet bars: inside the entry and the stop's midpoint, below TP1 — no fill, no target, no health change.
  std::size_t allocations = 0;
  for (int minute = 1; minute < 60; ++minute) {
    AllocationWindow window;
    for (const std::string& symbol : symbols)
      book.OnBar(symbol, MakeBar(minute, 99.7, 99.9, 99.6, 99.75), spec);
    book.AdvanceTo(kIssued + Duration((minute + 1) * kMinute));
    allocations += window.count();
  }
  EXPECT_EQ(allocations, 0u);
  EXPECT_EQ(events, symbols.size() / 2 * 4);
}

}  // namespace
}  // namespace td::plans
