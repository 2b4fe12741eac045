// SPDX-License-Identifier: MIT
#include "calendar/local_time.hpp"

#include <gtest/gtest.h>

namespace td::calendar {
namespace {

constexpr std::int64_t kHour = 3'600'000'000'000;

UnixNanos Utc(const char* iso) {
  return UnixNanos::ParseIso8601(iso).value();
}

LocalDateTime Local(int y, int mo, int d, int h, int mi, int s = 0) {
  return LocalDateTime{{y, mo, d}, h, mi, s, 0};
}

TimeZone NewYork() {
  return TimeZone::Locate("America/New_York").value();
}
TimeZone Kolkata() {
  return TimeZone::Locate("Asia/Kolkata").value();
}

TEST(CivilDateText, ParsesRealDatesOnly) {
  EXPECT_EQ(ParseCivilDate("2024-02-29").value(), (CivilDate{2024, 2, 29}));
  for (const char* bad : {"2023-02-29", "2024-02-30", "2024-13-01", "2024-00-10", "2024-04-31", "24-01-01",
                          "2024/01/01", "2024-1-1", "", "2024-01-01x"}) {
    auto parsed = ParseCivilDate(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(parsed.error().field, "date") << bad;
  }
  EXPECT_EQ(FormatCivilDate({2025, 9, 2}), "2025-09-02");
}

TEST(LocalDateTimeText, ParsesAndFormats) {
  auto value = ParseLocalDateTime("2024-03-10T02:30:15.5");
  ASSERT_TRUE(value.ok()) << value.error().ToString();
  EXPECT_EQ(value->date, (CivilDate{2024, 3, 10}));
  EXPECT_EQ(value->hour, 2);
  EXPECT_EQ(value->minute, 30);
  EXPECT_EQ(value->second, 15);
  EXPECT_EQ(value->nanosecond, 500'000'000);
  EXPECT_EQ(FormatLocalDateTime(*value), "2024-03-10T02:30:15.500000000");
  EXPECT_EQ(FormatLocalDateTime(ParseLocalDateTime("2024-11-03 01:30").value()), "2024-11-03T01:30:00");

  EXPECT_EQ(ParseLocalDateTime("2024-03-10 24:00").error().field, "hour");
  EXPECT_EQ(ParseLocalDateTime("2024-03-10 12:60").error().field, "minute");
  EXPECT_EQ(ParseLocalDateTime("2024-03-10 12:00:60").error().field, "second");
  EXPECT_EQ(ParseLocalDateTime("2023-02-29 12:00").error().field, "date");
  EXPECT_FALSE(ParseLocalDateTime("2024-03-10 1200").ok());
  EXPECT_FALSE(ParseLocalDateTime("2024-03-10 12:00:00.").ok());
  EXPECT_FALSE(ParseLocalDateTime("2024-03-10 12:00:00.1234567890").ok());
  EXPECT_FALSE(ParseLocalDateTime("2024-03-10 12:00-05:00").ok());
}

TEST(LocalDateTimeValidation, NamesTheBadField) {
  EXPECT_TRUE(ValidateLocalDateTime(Local(2024, 2, 29, 23, 59, 59)).ok());
  EXPECT_EQ(ValidateLocalDateTime(Local(2024, 2, 30, 0, 0)).error().field, "date");
  EXPECT_EQ(ValidateLocalDateTime(Local(2024, 2, 1, -1, 0)).error().field, "hour");
  LocalDateTime nanos = Local(2024, 2, 1, 0, 0);
  nanos.nanosecond = 1'000'000'000;
  EXPECT_EQ(ValidateLocalDateTime(nanos).error().field, "nanosecond");
}

TEST(TimeZone, UnknownZoneIsAnError) {
  auto zone = TimeZone::Locate("Mars/Olympus_Mons");
  ASSERT_FALSE(zone.ok());
  EXPECT_EQ(zone.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(zone.error().field, "tz");
}

TEST(TimeZone, ConvertsOrdinaryTimes) {
  const TimeZone ny = NewYork();
  EXPECT_EQ(ny.name(), "America/New_York");
  EXPECT_EQ(ny.ToUtc(Local(2024, 1, 15, 9, 30)).value(), Utc("2024-01-15T14:30:00Z"));
  EXPECT_EQ(ny.ToUtc(Local(2024, 7, 15, 9, 30)).value(), Utc("2024-07-15T13:30:00Z"));
  EXPECT_EQ(Kolkata().ToUtc(Local(2024, 7, 15, 9, 15)).value(), Utc("2024-07-15T03:45:00Z"));
  EXPECT_EQ(Kolkata().UtcOffset(Utc("2024-07-15T03:45:00Z")).count(), 5 * kHour + kHour / 2);
  EXPECT_EQ(ny.ToUtc(Local(2024, 2, 30, 9, 30)).error().field, "date");
}

TEST(TimeZone, SpringForwardGapIsRejectedOrShiftedForward) {
  const TimeZone ny = NewYork();
  auto strict = ny.ToUtc(Local(2024, 3, 10, 2, 30));
  ASSERT_FALSE(strict.ok());
  EXPECT_EQ(strict.error().field, "local_time");
  EXPECT_NE(strict.error().message.find("does not exist"), std::string::npos);

  const LocalTimePolicy shift{NonexistentPolicy::kShiftForward, AmbiguousPolicy::kReject};
  EXPECT_EQ(ny.ToUtc(Local(2024, 3, 10, 2, 30), shift).value(), Utc("2024-03-10T07:30:00Z"));
  EXPECT_EQ(ny.ToLocal(Utc("2024-03-10T07:30:00Z")), Local(2024, 3, 10, 3, 30));
  // Either side of the gap is an ordinary, unique time.
  EXPECT_EQ(ny.ToUtc(Local(2024, 3, 10, 1, 59, 59)).value(), Utc("2024-03-10T06:59:59Z"));
  EXPECT_EQ(ny.ToUtc(Local(2024, 3, 10, 3, 0)).value(), Utc("2024-03-10T07:00:00Z"));
}

TEST(TimeZone, FallBackOverlapIsRejectedOrResolved) {
  const TimeZone ny = NewYork();
  auto strict = ny.ToUtc(Local(2024, 11, 3, 1, 30));
  ASSERT_FALSE(strict.ok());
  EXPECT_EQ(strict.error().field, "local_time");
  EXPECT_NE(strict.error().message.find("ambiguous"), std::string::npos);

  EXPECT_EQ(ny.ToUtc(Local(2024, 11, 3, 1, 30), {NonexistentPolicy::kReject, AmbiguousPolicy::kEarliest}).value(),
            Utc("2024-11-03T05:30:00Z"));
  EXPECT_EQ(ny.ToUtc(Local(2024, 11, 3, 1, 30), {NonexistentPolicy::kReject, AmbiguousPolicy::kLatest}).value(),
            Utc("2024-11-03T06:30:00Z"));
  // Both instants read back as the same wall clock, with different offsets.
  EXPECT_EQ(ny.ToLocal(Utc("2024-11-03T05:30:00Z")), Local(2024, 11, 3, 1, 30));
  EXPECT_EQ(ny.ToLocal(Utc("2024-11-03T06:30:00Z")), Local(2024, 11, 3, 1, 30));
  EXPECT_EQ(ny.UtcOffset(Utc("2024-11-03T05:30:00Z")).count(), -4 * kHour);
  EXPECT_EQ(ny.UtcOffset(Utc("2024-11-03T06:30:00Z")).count(), -5 * kHour);
  EXPECT_EQ(ny.ToUtc(Local(2024, 11, 3, 0, 59)).value(), Utc("2024-11-03T04:59:00Z"));
  EXPECT_EQ(ny.ToUtc(Local(2024, 11, 3, 2, 0)).value(), Utc("2024-11-03T07:00:00Z"));
}

TEST(TimeZone, RoundTripsEveryInstantOfAYear) {
  const TimeZone ny = NewYork();
  const LocalTimePolicy earliest{NonexistentPolicy::kReject, AmbiguousPolicy::kEarliest};
  const LocalTimePolicy latest{NonexistentPolicy::kReject, AmbiguousPolicy::kLatest};
  std::int64_t ambiguous_seen = 0;
  for (UnixNanos t = Utc("2024-01-01T00:00:00Z"); t < Utc("2025-01-01T00:00:00Z"); t += std::chrono::minutes(17)) {
    const LocalDateTime local = ny.ToLocal(t);
    auto first = ny.ToUtc(local, earliest);
    auto second = ny.ToUtc(local, latest);
    ASSERT_TRUE(first.ok() && second.ok()) << FormatLocalDateTime(local);
    EXPECT_TRUE(*first == t || *second == t) << t.ToIso8601();
    ambiguous_seen += *first != *second ? 1 : 0;
  }
  // Only instants whose wall clock is the repeated 01:xx of 2024-11-03 read back two ways: that hour
  // passes twice (05:00-07:00 UTC), so 120 minutes / a 17-minute step gives 7 samples.
  EXPECT_EQ(ambiguous_seen, 7);
}

TEST(TimeZone, LocalDateFollowsTheZone) {
  EXPECT_EQ(NewYork().LocalDate(Utc("2024-03-11T03:00:00Z")), (CivilDate{2024, 3, 10}));
  EXPECT_EQ(Kolkata().LocalDate(Utc("2024-03-10T19:00:00Z")), (CivilDate{2024, 3, 11}));
}

}  // namespace
}  // namespace td::calendar
