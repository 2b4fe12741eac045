// SPDX-License-Identifier: MIT
#include "runtime/kernel.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;

namespace td::runtime {
namespace {

TEST(TaskTest, RunsMovesAndDestroysInlineCallables) {
  auto counter = std::make_shared<int>(0);
  Task task([counter] { ++*counter; });
  EXPECT_TRUE(static_cast<bool>(task));
  Task moved = std::move(task);
  EXPECT_FALSE(static_cast<bool>(task));  // NOLINT(bugprone-use-after-move): checking the moved-from state
  moved();
  moved();
  EXPECT_EQ(*counter, 2);
  EXPECT_EQ(counter.use_count(), 2);
  moved = Task();
  EXPECT_EQ(counter.use_count(), 1);
}

TEST(KernelTest, InterleavesMessagesAndTestClockTimersDeterministically) {
  TestClock clock(UnixNanos::FromSeconds(1000));
  Kernel kernel(clock);
  std::vector<std::string> log;
  auto record = [&](const std::string& what) { log.push_back(what + "@" + std::to_string(clock.Now().seconds())); };

  ASSERT_TRUE(clock
                  .SetTimer("tick", 10s, UnixNanos::FromSeconds(1010), std::nullopt,
                            [&](const TimeEvent&) {
                              record("tick");
                              // A message posted by a timer runs before the clock moves on to the next timer.
                              ASSERT_TRUE(kernel.Post([&] { record("after-tick"); }));
                            })
                  .ok());
  ASSERT_TRUE(clock.SetAlarm("alarm", UnixNanos::FromSeconds(1015), [&](const TimeEvent&) { record("alarm"); }).ok());
  ASSERT_TRUE(kernel.Post([&] { record("m1"); }));
  ASSERT_TRUE(kernel.Post([&] {
    record("m2");
    ASSERT_TRUE(kernel.Post([&] { record("m3"); }));
  }));

  const std::size_t work = kernel.RunUntil(UnixNanos::FromSeconds(1025));
  const std::vector<std::string> expected{"m1@1000",         "m2@1000",    "m3@1000",   "tick@1010",
                                          "after-tick@1010", "alarm@1015", "tick@1020", "after-tick@1020"};
  EXPECT_EQ(log, expected);
  EXPECT_EQ(work, 8U);
  EXPECT_EQ(clock.Now().seconds(), 1025);
  EXPECT_EQ(kernel.messages_handled(), 5U);

  log.clear();
  ASSERT_TRUE(kernel.Post([&] { record("late"); }));
  kernel.RunUntil(UnixNanos::FromSeconds(1030));
  EXPECT_EQ(log, (std::vector<std::string>{"late@1025", "tick@1030", "after-tick@1030"}));
}

TEST(KernelTest, CountsDropsWhenTheQueueIsFull) {
  TestClock clock;
  Kernel kernel(clock, KernelConfig{.queue_capacity = 4});
  int ran = 0;
  int accepted = 0;
  for (int i = 0; i < 10; ++i) {
    accepted += kernel.Post([&] { ++ran; }) ? 1 : 0;
  }
  EXPECT_EQ(accepted, 4);
  EXPECT_EQ(kernel.messages_dropped(), 6U);
  EXPECT_EQ(kernel.RunOnce(), 4U);
  EXPECT_EQ(ran, 4);
}

TEST(KernelTest, RunOnceHandlesAtMostOneBatch) {
  TestClock clock;
  Kernel kernel(clock, KernelConfig{.queue_capacity = 16, .max_batch = 3});
  int ran = 0;
  for (int i = 0; i < 7; ++i) {
    ASSERT_TRUE(kernel.Post([&] { ++ran; }));
  }
  EXPECT_EQ(kernel.RunOnce(), 3U);
  EXPECT_EQ(kernel.RunOnce(), 3U);
  EXPECT_EQ(kernel.RunOnce(), 1U);
  EXPECT_EQ(ran, 7);
}

TEST(KernelTest, LiveRunHandlesMessagesFromOtherThreadsFiresTimersAndStops) {
  LiveClock clock;
  Kernel kernel(clock);
  std::atomic<int> handled{0};
  std::atomic<int> fired{0};
  ASSERT_TRUE(clock.SetTimer("heartbeat", 2ms, clock.Now(), std::nullopt, [&](const TimeEvent&) { ++fired; }).ok());

  std::thread loop([&] { kernel.Run(); });
  constexpr int kMessages = 1000;
  std::vector<std::thread> producers;
  for (int p = 0; p < 2; ++p) {
    producers.emplace_back([&] {
      for (int i = 0; i < kMessages; ++i) {
        while (!kernel.Post([&] { ++handled; })) {
          std::this_thread::yield();
        }
      }
    });
  }
  for (auto& producer : producers) {
    producer.join();
  }
  const auto give_up = std::chrono::steady_clock::now() + 30s;
  while ((handled.load() < 2 * kMessages || fired.load() < 3) && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(1ms);
  }
  kernel.Stop();
  loop.join();
  EXPECT_EQ(handled.load(), 2 * kMessages);
  EXPECT_GE(fired.load(), 3);
}

TEST(KernelTest, StopFromAnotherThreadWakesAnIdleKernel) {
  LiveClock clock;
  Kernel kernel(clock, KernelConfig{.max_idle = std::chrono::hours(1)});
  std::thread loop([&] { kernel.Run(); });
  std::this_thread::sleep_for(10ms);
  const auto start = std::chrono::steady_clock::now();
  kernel.Stop();
  loop.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
  EXPECT_TRUE(kernel.stop_requested());
}

TEST(KernelDeathTest, RunUntilNeedsATestClock) {
  LiveClock clock;
  Kernel kernel(clock);
  EXPECT_DEATH(kernel.RunUntil(UnixNanos::FromSeconds(1)), "TestClock");
}

}  // namespace
}  // namespace td::runtime
