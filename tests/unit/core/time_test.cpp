// SPDX-License-Identifier: MIT
#include "core/time.hpp"

#include <gtest/gtest.h>

namespace td {
namespace {

TEST(TimeTest, CivilRoundTripOverFourCenturies) {
  for (std::int64_t day = -146097; day <= 146097 * 2; day += 7) {
    const CivilDate date = CivilFromDays(day);
    ASSERT_TRUE(IsValidDate(date));
    ASSERT_EQ(DaysFromCivil(date), day);
  }
  EXPECT_EQ(DaysFromCivil({2000, 3, 1}), 11017);
  EXPECT_EQ(Weekday(DaysFromCivil({2024, 11, 28})), 4);  // a Thursday
}

TEST(TimeTest, ImpossibleDatesAreInvalid) {
  EXPECT_FALSE(IsValidDate({2023, 2, 29}));
  EXPECT_TRUE(IsValidDate({2024, 2, 29}));
  EXPECT_FALSE(IsValidDate({1900, 2, 29}));
  EXPECT_TRUE(IsValidDate({2000, 2, 29}));
  EXPECT_FALSE(IsValidDate({2024, 13, 1}));
  EXPECT_FALSE(IsValidDate({2024, 4, 31}));
  EXPECT_FALSE(UnixNanos::ParseIso8601("2023-02-29").ok());
}

TEST(TimeTest, ParsesIsoWithOffsets) {
  // 2024-03-11 09:30 EDT (just after the US spring-forward) is 13:30 UTC.
  auto t = UnixNanos::ParseIso8601("2024-03-11T09:30:00-04:00");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->ToIso8601(), "2024-03-11T13:30:00.000Z");
  EXPECT_EQ(UnixNanos::ParseIso8601("2024-02-20 04:00:00-05:00")->ToIso8601(), "2024-02-20T09:00:00.000Z");
  EXPECT_EQ(UnixNanos::ParseIso8601("2025-08-29T09:15:00+05:30")->ToIso8601(), "2025-08-29T03:45:00.000Z");
  EXPECT_EQ(UnixNanos::ParseIso8601("2025-08-29T09:15:00+0530")->ToIso8601(), "2025-08-29T03:45:00.000Z");
  EXPECT_EQ(UnixNanos::ParseIso8601("1970-01-01T00:00:01.5Z")->nanos(), 1'500'000'000);
  EXPECT_EQ(UnixNanos::ParseIso8601("2024-01-02")->ToIso8601(), "2024-01-02T00:00:00.000Z");
}

TEST(TimeTest, RejectsMalformedTimes) {
  for (const char* bad : {"", "2024", "2024-1-02", "2024-01-02T24:00", "2024-01-02T10:60", "2024-01-02T10:00:61",
                          "2024-01-02T10:00Zjunk", "2024-01-02T10:00+25:00", "2024-01-02T10:00:00.", "24-01-02"}) {
    EXPECT_FALSE(UnixNanos::ParseIso8601(bad).ok()) << bad;
  }
}

TEST(TimeTest, NegativeTimesFloor) {
  EXPECT_EQ(UnixNanos(-1).seconds(), -1);
  EXPECT_EQ(UnixNanos(-1).ToIso8601(), "1969-12-31T23:59:59.999Z");
}

}  // namespace
}  // namespace td
