// SPDX-License-Identifier: MIT
#include "core/clock.hpp"

#include <gtest/gtest.h>

using namespace std::chrono_literals;

namespace td {
namespace {

TEST(TestClockTest, FiresTimersInTimeOrderAtTheirOwnTime) {
  TestClock clock(UnixNanos::FromSeconds(100));
  std::vector<std::pair<std::string, std::int64_t>> seen;
  auto record = [&](const TimeEvent& e) { seen.emplace_back(e.name, clock.Now().seconds()); };
  ASSERT_TRUE(clock.SetTimer("bar", 60s, UnixNanos::FromSeconds(160), std::nullopt, record).ok());
  ASSERT_TRUE(clock.SetAlarm("alarm", UnixNanos::FromSeconds(170), record).ok());
  EXPECT_EQ(clock.AdvanceTo(UnixNanos::FromSeconds(279)), 3U);
  ASSERT_EQ(seen.size(), 3U);
  EXPECT_EQ(seen[0], (std::pair<std::string, std::int64_t>{"bar", 160}));
  EXPECT_EQ(seen[1], (std::pair<std::string, std::int64_t>{"alarm", 170}));
  EXPECT_EQ(seen[2], (std::pair<std::string, std::int64_t>{"bar", 220}));
  EXPECT_EQ(clock.Now().seconds(), 279);
  EXPECT_FALSE(clock.HasTimer("alarm"));
  EXPECT_EQ(clock.NextDeadline()->seconds(), 280);
}

TEST(TestClockTest, StopEndsTimerAndCancelWorksFromCallback) {
  TestClock clock;
  int count = 0;
  ASSERT_TRUE(clock.SetTimer("t", 10s, UnixNanos::FromSeconds(10), UnixNanos::FromSeconds(30),
                             [&](const TimeEvent&) { ++count; }).ok());
  clock.AdvanceTo(UnixNanos::FromSeconds(100));
  EXPECT_EQ(count, 3);
  EXPECT_FALSE(clock.HasTimer("t"));

  int fired = 0;
  ASSERT_TRUE(clock.SetTimer("self", 1s, UnixNanos::FromSeconds(101), std::nullopt, [&](const TimeEvent&) {
    ++fired;
    clock.Cancel("self");
  }).ok());
  clock.AdvanceTo(UnixNanos::FromSeconds(200));
  EXPECT_EQ(fired, 1);
}

TEST(ClockTest, RejectsBadTimers) {
  TestClock clock;
  auto noop = [](const TimeEvent&) {};
  EXPECT_FALSE(clock.SetTimer("", 1s, UnixNanos{}, std::nullopt, noop).ok());
  EXPECT_FALSE(clock.SetTimer("x", 0s, UnixNanos{}, std::nullopt, noop).ok());
  EXPECT_FALSE(clock.SetTimer("x", 1s, UnixNanos::FromSeconds(5), UnixNanos::FromSeconds(1), noop).ok());
  EXPECT_EQ(clock.SetTimer("x", 1s, UnixNanos{}, std::nullopt, nullptr).error().field, "callback");
}

TEST(TestClockDeathTest, BackwardsAborts) {
  TestClock clock(UnixNanos::FromSeconds(10));
  EXPECT_DEATH(clock.AdvanceTo(UnixNanos::FromSeconds(5)), "moved backwards");
}

TEST(LiveClockTest, IsNearWallTime) {
  LiveClock clock;
  const auto now = clock.Now();
  EXPECT_GT(now.seconds(), 1'700'000'000);
}

}  // namespace
}  // namespace td
