// SPDX-License-Identifier: MIT
#include "calendar/exchange_calendar.hpp"

#include <gtest/gtest.h>

namespace td::calendar {
namespace {

UnixNanos Utc(const char* iso) {
  return UnixNanos::ParseIso8601(iso).value();
}

const ExchangeCalendar& Nse() {
  return ExchangeCalendar::Get(Exchange::kNse);
}
const ExchangeCalendar& Bse() {
  return ExchangeCalendar::Get(Exchange::kBse);
}
const ExchangeCalendar& Nyse() {
  return ExchangeCalendar::Get(Exchange::kNyse);
}
const ExchangeCalendar& Cboe() {
  return ExchangeCalendar::Get(Exchange::kCboe);
}

// The instant of a wall-clock reading in the exchange's zone (strict: never in a DST gap here).
UnixNanos At(const ExchangeCalendar& calendar, int y, int mo, int d, int h, int mi, int s = 0) {
  return calendar.time_zone().ToUtc(LocalDateTime{{y, mo, d}, h, mi, s, 0}).value();
}

bool Trades(const ExchangeCalendar& calendar, CivilDate date) {
  return calendar.IsTradingDay(date).value();
}

TEST(ExchangeCodes, ParseAndName) {
  EXPECT_EQ(ParseExchange("nse").value(), Exchange::kNse);
  EXPECT_EQ(ParseExchange("NFO").value(), Exchange::kNse);
  EXPECT_EQ(ParseExchange("bfo").value(), Exchange::kBse);
  EXPECT_EQ(ParseExchange("Cboe").value(), Exchange::kCboe);
  EXPECT_EQ(ParseExchange("LSE").error().field, "exchange");
  for (Exchange exchange : kAllExchanges) {
    EXPECT_EQ(ParseExchange(ExchangeName(exchange)).value(), exchange);
    EXPECT_EQ(ExchangeCalendar::Get(exchange).time_zone().name(), ExchangeTimeZoneName(exchange));
    EXPECT_EQ(ExchangeCalendar::Get(exchange).exchange(), exchange);
  }
}

TEST(TradingDays, HolidaysHalfDaysAndWeekends) {
  EXPECT_FALSE(Trades(Nse(), {2024, 1, 26}));  // Republic Day
  EXPECT_FALSE(Trades(Bse(), {2024, 1, 26}));
  EXPECT_EQ(Nse().SpecialDayOn({2024, 1, 26}).value()->name, "Republic Day");
  EXPECT_TRUE(Trades(Nse(), {2024, 1, 25}));
  EXPECT_FALSE(Trades(Nse(), {2024, 1, 22}));  // declared by circular days before
  EXPECT_TRUE(Trades(Nse(), {2024, 1, 20}));   // a Saturday with a full session
  EXPECT_FALSE(Trades(Nse(), {2024, 1, 27}));  // an ordinary Saturday
  EXPECT_FALSE(Trades(Nse(), {2024, 1, 28}));  // Sunday

  EXPECT_TRUE(Trades(Nyse(), {2024, 7, 3}));  // half day, still a trading day
  EXPECT_FALSE(Trades(Nyse(), {2024, 7, 4}));
  EXPECT_TRUE(Trades(Nyse(), {2024, 11, 29}));
  EXPECT_FALSE(Trades(Nyse(), {2025, 1, 9}));  // National Day of Mourning
  EXPECT_FALSE(Trades(Cboe(), {2025, 1, 9}));
  EXPECT_FALSE(Trades(Nyse(), {2024, 3, 29}));  // Good Friday
  EXPECT_TRUE(Trades(Nse(), {2025, 1, 9}));     // a US-only closure
  EXPECT_FALSE(Trades(Nyse(), {2024, 6, 8}));
  EXPECT_FALSE(Trades(Nyse(), {2024, 6, 9}));
  EXPECT_EQ(Nyse().SpecialDayOn({2024, 6, 10}).value(), nullptr);
}

TEST(TradingDays, ImpossibleAndUncoveredDatesAreErrors) {
  for (CivilDate bad :
       {CivilDate{2024, 2, 30}, CivilDate{2023, 2, 29}, CivilDate{2024, 13, 1}, CivilDate{2024, 4, 0}}) {
    auto result = Nyse().IsTradingDay(bad);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(result.error().field, "date");
  }
  EXPECT_TRUE(Nyse().IsTradingDay({2024, 2, 29}).ok());
  auto before = Nse().IsTradingDay({2021, 12, 31});
  ASSERT_FALSE(before.ok());
  EXPECT_NE(before.error().message.find("outside"), std::string::npos);
  EXPECT_FALSE(Nyse().IsTradingDay({2029, 1, 2}).ok());
  EXPECT_TRUE(Nse().IsTradingDay({2030, 12, 31}).ok());
  EXPECT_FALSE(Nse().NextTradingDay({2030, 12, 31}).ok());
  EXPECT_FALSE(Nse().PreviousTradingDay({2022, 1, 3}).ok());
  EXPECT_EQ(Nyse().TradingDaysBetween({2024, 2, 30}, {2024, 3, 1}).error().field, "from");
  EXPECT_EQ(Nyse().TradingDays({2024, 3, 1}, {2024, 2, 1}).error().field, "last");
}

TEST(TradingDays, NextPreviousAndBetween) {
  EXPECT_EQ(Nyse().NextTradingDay({2024, 7, 3}).value(), (CivilDate{2024, 7, 5}));
  EXPECT_EQ(Nyse().PreviousTradingDay({2024, 7, 5}).value(), (CivilDate{2024, 7, 3}));
  EXPECT_EQ(Nyse().NextTradingDay({2024, 3, 28}).value(), (CivilDate{2024, 4, 1}));  // over Good Friday
  EXPECT_EQ(Nse().NextTradingDay({2024, 1, 25}).value(), (CivilDate{2024, 1, 29}));
  EXPECT_EQ(Nse().PreviousTradingDay({2024, 1, 23}).value(), (CivilDate{2024, 1, 20}));  // the Saturday session
  EXPECT_EQ(Nse().TradingDayOnOrBefore({2024, 1, 26}).value(), (CivilDate{2024, 1, 25}));
  EXPECT_EQ(Nse().TradingDayOnOrBefore({2024, 1, 25}).value(), (CivilDate{2024, 1, 25}));

  EXPECT_EQ(Nyse().TradingDaysBetween({2024, 6, 7}, {2024, 6, 10}).value(), 1);  // Friday -> Monday
  EXPECT_EQ(Nyse().TradingDaysBetween({2024, 6, 10}, {2024, 6, 7}).value(), -1);
  EXPECT_EQ(Nyse().TradingDaysBetween({2024, 6, 10}, {2024, 6, 10}).value(), 0);
  // Published session counts: NYSE traded 252 days in 2024 and 250 in 2025 (with the 9-Jan closure).
  EXPECT_EQ(Nyse().TradingDaysBetween({2023, 12, 31}, {2024, 12, 31}).value(), 252);
  EXPECT_EQ(Nyse().TradingDays({2025, 1, 1}, {2025, 12, 31}).value().size(), 250u);
  const auto july = Nyse().TradingDays({2024, 7, 1}, {2024, 7, 8}).value();
  EXPECT_EQ(july, (std::vector<CivilDate>{{2024, 7, 1}, {2024, 7, 2}, {2024, 7, 3}, {2024, 7, 5}, {2024, 7, 8}}));
}

TEST(Sessions, NseDayHasItsPhasesInIst) {
  const TradingSession day = Nse().Session({2024, 7, 15}).value();
  ASSERT_EQ(day.phases.size(), 5u);
  EXPECT_EQ(day.phases[0].phase, SessionPhase::kPreOpenOrderEntry);
  EXPECT_EQ(day.phases[0].start, Utc("2024-07-15T03:30:00Z"));
  EXPECT_EQ(day.phases[1].start, Utc("2024-07-15T03:38:00Z"));
  EXPECT_EQ(day.regular_open, Utc("2024-07-15T03:45:00Z"));
  EXPECT_EQ(day.regular_close, Utc("2024-07-15T10:00:00Z"));
  EXPECT_EQ(day.phases[4].phase, SessionPhase::kPostClose);
  EXPECT_EQ(day.phases[4].start, Utc("2024-07-15T10:10:00Z"));
  EXPECT_EQ(day.phases[4].end, Utc("2024-07-15T10:30:00Z"));
  // India keeps no daylight saving: the same UTC open in January.
  EXPECT_EQ(Nse().Session({2024, 1, 15}).value().regular_open, Utc("2024-01-15T03:45:00Z"));
  EXPECT_TRUE(Nse().Session({2024, 1, 20}).value().special_session);
  auto holiday = Nse().Session({2024, 1, 26});
  ASSERT_FALSE(holiday.ok());
  EXPECT_EQ(holiday.error().code, ErrorCode::kUnprocessable);
  EXPECT_NE(holiday.error().message.find("Republic Day"), std::string::npos);
  EXPECT_TRUE(Nse().Session({2027, 7, 15}).value().provisional);
}

TEST(Sessions, UsHalfDaysCloseAtOnePm) {
  const TradingSession half = Nyse().Session({2024, 7, 3}).value();
  EXPECT_TRUE(half.early_close);
  EXPECT_EQ(half.regular_open, Utc("2024-07-03T13:30:00Z"));
  EXPECT_EQ(half.regular_close, Utc("2024-07-03T17:00:00Z"));  // 13:00 EDT
  EXPECT_EQ(half.phases.back().phase, SessionPhase::kPostMarket);
  EXPECT_EQ(half.phases.back().end, Utc("2024-07-03T21:00:00Z"));  // late trading to 17:00
  EXPECT_EQ(Nyse().Session({2024, 11, 29}).value().regular_close, Utc("2024-11-29T18:00:00Z"));  // 13:00 EST
  EXPECT_EQ(Nyse().Session({2024, 12, 24}).value().regular_close, Utc("2024-12-24T18:00:00Z"));
  EXPECT_EQ(Cboe().Session({2024, 11, 29}).value().regular_close, Utc("2024-11-29T18:15:00Z"));  // options 13:15
  EXPECT_EQ(Cboe().Session({2024, 11, 27}).value().regular_close, Utc("2024-11-27T21:15:00Z"));  // 16:15 EST
  EXPECT_FALSE(Nyse().Session({2024, 11, 27}).value().early_close);
}

TEST(Sessions, MondayAfterEachUsClockChangeOpensAtTheRightInstant) {
  // 2024-03-10 spring forward: EST (UTC-5) before, EDT (UTC-4) after.
  EXPECT_EQ(Nyse().Session({2024, 3, 8}).value().regular_open, Utc("2024-03-08T14:30:00Z"));
  EXPECT_EQ(Nyse().Session({2024, 3, 11}).value().regular_open, Utc("2024-03-11T13:30:00Z"));
  EXPECT_EQ(Nyse().Session({2024, 3, 11}).value().regular_close, Utc("2024-03-11T20:00:00Z"));
  EXPECT_EQ(Nyse().Session({2024, 3, 11}).value().phases.front().start, Utc("2024-03-11T08:00:00Z"));
  // 2024-11-03 fall back.
  EXPECT_EQ(Nyse().Session({2024, 11, 1}).value().regular_open, Utc("2024-11-01T13:30:00Z"));
  EXPECT_EQ(Nyse().Session({2024, 11, 4}).value().regular_open, Utc("2024-11-04T14:30:00Z"));
  EXPECT_EQ(Nyse().Session({2024, 11, 4}).value().regular_close, Utc("2024-11-04T21:00:00Z"));
  // 2025 changes (03-09 and 11-02).
  EXPECT_EQ(Nyse().Session({2025, 3, 10}).value().regular_open, Utc("2025-03-10T13:30:00Z"));
  EXPECT_EQ(Nyse().Session({2025, 11, 3}).value().regular_open, Utc("2025-11-03T14:30:00Z"));
  // Cboe GTH for Monday 2024-03-11 starts Sunday 20:15, already on daylight time.
  const TradingSession cboe = Cboe().Session({2024, 3, 11}).value();
  EXPECT_EQ(cboe.phases.front().phase, SessionPhase::kGlobalTradingHours);
  EXPECT_EQ(cboe.phases.front().start, Utc("2024-03-11T00:15:00Z"));
  EXPECT_EQ(cboe.phases.front().end, Utc("2024-03-11T13:25:00Z"));
  // ... and for Monday 2024-11-04 on Sunday 20:15 EST.
  EXPECT_EQ(Cboe().Session({2024, 11, 4}).value().phases.front().start, Utc("2024-11-04T01:15:00Z"));
}

struct Expected {
  int hour;
  int minute;
  int second;
  MarketStatus status;
  std::optional<SessionPhase> phase;
};

void ExpectStatuses(const ExchangeCalendar& calendar, CivilDate date, std::initializer_list<Expected> cases) {
  for (const Expected& want : cases) {
    const UnixNanos t = At(calendar, date.year, date.month, date.day, want.hour, want.minute, want.second);
    auto status = calendar.StatusAt(t);
    ASSERT_TRUE(status.ok()) << status.error().ToString();
    EXPECT_EQ(status->status, want.status)
        << want.hour << ":" << want.minute << ":" << want.second << " got " << MarketStatusName(status->status);
    EXPECT_EQ(status->phase, want.phase) << want.hour << ":" << want.minute << ":" << want.second;
    EXPECT_EQ(status->as_of, t);
    EXPECT_EQ(status->tz, calendar.time_zone().name());
  }
}

TEST(Status, NyseTransitionsAroundEachBoundary) {
  using enum MarketStatus;
  ExpectStatuses(Nyse(), {2024, 3, 11},
                 {{3, 59, 59, kClosed, std::nullopt},
                  {4, 0, 0, kPre, SessionPhase::kPreMarket},
                  {9, 29, 59, kPre, SessionPhase::kPreMarket},
                  {9, 30, 0, kOpen, SessionPhase::kRegular},
                  {15, 59, 59, kOpen, SessionPhase::kRegular},
                  {16, 0, 0, kPost, SessionPhase::kPostMarket},
                  {19, 59, 59, kPost, SessionPhase::kPostMarket},
                  {20, 0, 0, kClosed, std::nullopt}});
  ExpectStatuses(Nyse(), {2024, 11, 29},
                 {{12, 59, 59, kOpen, SessionPhase::kRegular},
                  {13, 0, 0, kPost, SessionPhase::kPostMarket},
                  {16, 59, 59, kPost, SessionPhase::kPostMarket},
                  {17, 0, 0, kClosed, std::nullopt}});
  ExpectStatuses(Nyse(), {2024, 7, 4}, {{11, 0, 0, kClosed, std::nullopt}});
}

TEST(Status, NextOpenAndNextClose) {
  // Before the pre-market on the Monday after spring forward.
  auto early = Nyse().StatusAt(At(Nyse(), 2024, 3, 11, 3, 0)).value();
  EXPECT_EQ(early.next_open, Utc("2024-03-11T13:30:00Z"));
  EXPECT_EQ(early.next_close, Utc("2024-03-11T20:00:00Z"));
  EXPECT_EQ(early.trading_date, (CivilDate{2024, 3, 11}));
  // While open, next_close is today's close and next_open tomorrow's open.
  auto open = Nyse().StatusAt(At(Nyse(), 2024, 3, 11, 10, 0)).value();
  EXPECT_EQ(open.next_close, Utc("2024-03-11T20:00:00Z"));
  EXPECT_EQ(open.next_open, Utc("2024-03-12T13:30:00Z"));
  // Friday evening before the change: the next open is on daylight time.
  auto friday = Nyse().StatusAt(At(Nyse(), 2024, 3, 8, 20, 30)).value();
  EXPECT_EQ(friday.status, MarketStatus::kClosed);
  EXPECT_EQ(friday.next_open, Utc("2024-03-11T13:30:00Z"));
  EXPECT_EQ(friday.trading_date, (CivilDate{2024, 3, 11}));
  // Over a holiday weekend: Thanksgiving -> the half day.
  auto thanksgiving = Nyse().StatusAt(At(Nyse(), 2024, 11, 28, 12, 0)).value();
  EXPECT_EQ(thanksgiving.status, MarketStatus::kClosed);
  EXPECT_EQ(thanksgiving.next_open, Utc("2024-11-29T14:30:00Z"));
  EXPECT_EQ(thanksgiving.next_close, Utc("2024-11-29T18:00:00Z"));
  // Past the end of the calendar there is no answer.
  EXPECT_FALSE(Nyse().StatusAt(Utc("2029-06-01T15:00:00Z")).ok());
  EXPECT_FALSE(Nyse().StatusAt(Utc("2028-12-29T22:00:00Z")).ok());  // the next open would be in 2029
}

TEST(Status, NseTransitionsAroundEachBoundary) {
  using enum MarketStatus;
  ExpectStatuses(Nse(), {2024, 1, 25},
                 {{8, 59, 59, kClosed, std::nullopt},
                  {9, 0, 0, kPre, SessionPhase::kPreOpenOrderEntry},
                  {9, 7, 59, kPre, SessionPhase::kPreOpenOrderEntry},
                  {9, 8, 0, kPre, SessionPhase::kPreOpenMatching},
                  {9, 15, 0, kOpen, SessionPhase::kRegular},
                  {15, 29, 59, kOpen, SessionPhase::kRegular},
                  {15, 30, 0, kPost, SessionPhase::kClosingPrice},
                  {15, 40, 0, kPost, SessionPhase::kPostClose},
                  {16, 0, 0, kClosed, std::nullopt}});
  // After the close on the eve of Republic Day (a Friday), the next open is Monday.
  auto status = Nse().StatusAt(At(Nse(), 2024, 1, 25, 16, 0)).value();
  EXPECT_EQ(status.next_open, Utc("2024-01-29T03:45:00Z"));
  EXPECT_EQ(status.next_close, Utc("2024-01-29T10:00:00Z"));
  EXPECT_EQ(status.tz, "Asia/Kolkata");
  ExpectStatuses(Nse(), {2024, 1, 20}, {{10, 0, 0, kOpen, SessionPhase::kRegular}});
  ExpectStatuses(Nse(), {2024, 1, 27}, {{10, 0, 0, kClosed, std::nullopt}});
}

TEST(Status, CboeIndexOptionHours) {
  using enum MarketStatus;
  // Sunday evening is already Monday's Global Trading Hours session.
  auto sunday = Cboe().StatusAt(At(Cboe(), 2024, 3, 10, 21, 0)).value();
  EXPECT_EQ(sunday.status, kPre);
  EXPECT_EQ(sunday.phase, SessionPhase::kGlobalTradingHours);
  EXPECT_EQ(sunday.trading_date, (CivilDate{2024, 3, 11}));
  EXPECT_EQ(sunday.next_open, Utc("2024-03-11T13:30:00Z"));
  ExpectStatuses(Cboe(), {2024, 3, 11},
                 {{9, 24, 59, kPre, SessionPhase::kGlobalTradingHours},
                  {9, 27, 0, kClosed, std::nullopt},
                  {16, 10, 0, kOpen, SessionPhase::kRegular},
                  {16, 15, 0, kPost, SessionPhase::kCurb},
                  {17, 0, 0, kClosed, std::nullopt},
                  {20, 15, 0, kPre, SessionPhase::kGlobalTradingHours}});
  // Saturday evening: no session starts until Sunday 20:15.
  ExpectStatuses(Cboe(), {2024, 3, 9}, {{21, 0, 0, kClosed, std::nullopt}});
}

TEST(Sessions, CustomTableDrivesTheCalendar) {
  auto table = HolidayTable::Parse(
      "# exchanges: NYSE\n# coverage: 2024 2024\n# provisional:\n# source t: test\n"
      "date,weekday,kind,hours,name,source\n"
      "2024-06-12,Wed,early_close,12:00,Test half day,t\n"
      "2024-06-15,Sat,session,10:00-14:00,Test Saturday,t\n",
      "custom.csv");
  ASSERT_TRUE(table.ok()) << table.error().ToString();
  const ExchangeCalendar calendar(Exchange::kNyse, std::make_shared<const HolidayTable>(std::move(table).value()),
                                  TimeZone::Locate("America/New_York").value());
  EXPECT_EQ(calendar.Session({2024, 6, 12}).value().regular_close, Utc("2024-06-12T16:00:00Z"));
  const TradingSession saturday = calendar.Session({2024, 6, 15}).value();
  EXPECT_EQ(saturday.regular_open, Utc("2024-06-15T14:00:00Z"));
  EXPECT_EQ(saturday.regular_close, Utc("2024-06-15T18:00:00Z"));
  EXPECT_EQ(saturday.phases.front().start, Utc("2024-06-15T08:30:00Z"));  // pre-market moves with the open
  EXPECT_EQ(calendar.TradingDays({2024, 6, 10}, {2024, 6, 16}).value().size(), 6u);
  EXPECT_FALSE(calendar.IsTradingDay({2025, 1, 2}).ok());
}

}  // namespace
}  // namespace td::calendar
