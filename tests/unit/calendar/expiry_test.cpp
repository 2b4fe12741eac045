// SPDX-License-Identifier: MIT
#include "calendar/expiry.hpp"

#include <gtest/gtest.h>

#include "calendar/exchange_calendar.hpp"

namespace td::calendar {
namespace {

using Dates = std::vector<CivilDate>;

Dates DatesOf(const std::vector<Expiry>& expiries) {
  Dates out;
  for (const Expiry& e : expiries) {
    out.push_back(e.date);
  }
  return out;
}

std::vector<Expiry> List(Exchange exchange, const char* underlying, CivilDate from, CivilDate to) {
  auto result = ListExpiries(exchange, underlying, from, to);
  EXPECT_TRUE(result.ok()) << result.error().ToString();
  return result.ok() ? *result : std::vector<Expiry>{};
}

int WeekdayOf(CivilDate date) {
  return Weekday(DaysFromCivil(date));
}

TEST(NseExpiries, NiftyWeekliesAreThursdaysInAugust2025AndTuesdaysInSeptember) {
  const auto august = List(Exchange::kNse, "NIFTY", {2025, 8, 1}, {2025, 8, 31});
  EXPECT_EQ(DatesOf(august), (Dates{{2025, 8, 7}, {2025, 8, 14}, {2025, 8, 21}, {2025, 8, 28}}));
  for (const Expiry& e : august) {
    EXPECT_EQ(WeekdayOf(e.date), 4);
  }
  EXPECT_EQ(august.back().kind, ExpiryKind::kMonthly);
  EXPECT_EQ(august.front().kind, ExpiryKind::kWeekly);
  EXPECT_NE(august.front().source.find("Thursday"), std::string_view::npos);

  const auto september = List(Exchange::kNse, "NIFTY", {2025, 9, 1}, {2025, 9, 30});
  EXPECT_EQ(DatesOf(september), (Dates{{2025, 9, 2}, {2025, 9, 9}, {2025, 9, 16}, {2025, 9, 23}, {2025, 9, 30}}));
  for (const Expiry& e : september) {
    EXPECT_EQ(WeekdayOf(e.date), 2);
  }
  EXPECT_EQ(september.back().kind, ExpiryKind::kMonthly);
  EXPECT_NE(september.front().source.find("1-Sep-2025"), std::string_view::npos);
}

TEST(NseExpiries, HolidayMovesTheExpiryToThePreviousTradingDay) {
  // Thursday 10-Apr-2025 was Mahavir Jayanti: the weekly expired on Wednesday the 9th.
  const auto april = List(Exchange::kNse, "NIFTY", {2025, 4, 7}, {2025, 4, 13});
  ASSERT_EQ(april.size(), 1u);
  EXPECT_EQ(april[0].date, (CivilDate{2025, 4, 9}));
  EXPECT_EQ(april[0].scheduled, (CivilDate{2025, 4, 10}));
  EXPECT_EQ(april[0].kind, ExpiryKind::kWeekly);
  // Tuesday 21-Oct-2025 (Diwali): Monday the 20th.
  EXPECT_EQ(List(Exchange::kNse, "NIFTY", {2025, 10, 20}, {2025, 10, 24})[0].date, (CivilDate{2025, 10, 20}));
  // Republic Day 2023 was the last Thursday of January: the monthly expired on the 25th.
  const auto january = List(Exchange::kNse, "NIFTY", {2023, 1, 1}, {2023, 1, 31});
  EXPECT_EQ(DatesOf(january), (Dates{{2023, 1, 5}, {2023, 1, 12}, {2023, 1, 19}, {2023, 1, 25}}));
  EXPECT_EQ(january.back().kind, ExpiryKind::kMonthly);
  // BANKNIFTY December 2024: last Wednesday was Christmas.
  EXPECT_EQ(DatesOf(List(Exchange::kNse, "BANKNIFTY", {2024, 12, 1}, {2024, 12, 31})), (Dates{{2024, 12, 24}}));
}

TEST(NseExpiries, BankNiftyHistory) {
  // Sep 2023: weeklies on Wednesday, monthly still the last Thursday, no Wednesday weekly in that week.
  EXPECT_EQ(DatesOf(List(Exchange::kNse, "BANKNIFTY", {2023, 9, 1}, {2023, 9, 30})),
            (Dates{{2023, 9, 6}, {2023, 9, 13}, {2023, 9, 20}, {2023, 9, 28}}));
  // Nov 2024: the last weekly on the 13th, then the last-Wednesday monthly only.
  const auto november = List(Exchange::kNse, "BANKNIFTY", {2024, 11, 1}, {2024, 11, 30});
  EXPECT_EQ(DatesOf(november), (Dates{{2024, 11, 6}, {2024, 11, 13}, {2024, 11, 27}}));
  EXPECT_EQ(november.back().kind, ExpiryKind::kMonthly);
  // 2025: monthly only, last Thursday until August, last Tuesday from September.
  EXPECT_EQ(DatesOf(List(Exchange::kNse, "BANKNIFTY", {2025, 7, 1}, {2025, 10, 31})),
            (Dates{{2025, 7, 31}, {2025, 8, 28}, {2025, 9, 30}, {2025, 10, 28}}));
}

TEST(NseExpiries, FinNiftyAndMidcpNiftyLostTheirWeekliesInNovember2024) {
  EXPECT_EQ(DatesOf(List(Exchange::kNse, "FINNIFTY", {2024, 11, 12}, {2025, 1, 31})),
            (Dates{{2024, 11, 12}, {2024, 11, 19}, {2024, 11, 26}, {2024, 12, 31}, {2025, 1, 30}}));
  EXPECT_EQ(DatesOf(List(Exchange::kNse, "MIDCPNIFTY", {2024, 11, 11}, {2024, 12, 31})),
            (Dates{{2024, 11, 11}, {2024, 11, 18}, {2024, 11, 25}, {2024, 12, 30}}));
}

TEST(BseExpiries, SensexWeekdayChanges) {
  EXPECT_EQ(DatesOf(List(Exchange::kBse, "SENSEX", {2024, 12, 1}, {2024, 12, 31})),
            (Dates{{2024, 12, 6}, {2024, 12, 13}, {2024, 12, 20}, {2024, 12, 27}}));  // Fridays
  EXPECT_EQ(DatesOf(List(Exchange::kBse, "SENSEX", {2025, 8, 1}, {2025, 8, 31})),
            (Dates{{2025, 8, 5}, {2025, 8, 12}, {2025, 8, 19}, {2025, 8, 26}}));  // Tuesdays
  EXPECT_EQ(DatesOf(List(Exchange::kBse, "SENSEX", {2025, 9, 1}, {2025, 9, 30})),
            (Dates{{2025, 9, 4}, {2025, 9, 11}, {2025, 9, 18}, {2025, 9, 25}}));  // Thursdays
}

TEST(UsExpiries, SpyMonthliesAreThirdFridays) {
  Dates monthlies;
  for (const Expiry& e : List(Exchange::kNyse, "SPY", {2024, 1, 1}, {2024, 12, 31})) {
    if (e.kind == ExpiryKind::kMonthly) {
      monthlies.push_back(e.date);
    }
  }
  EXPECT_EQ(monthlies, (Dates{{2024, 1, 19},
                              {2024, 2, 16},
                              {2024, 3, 15},
                              {2024, 4, 19},
                              {2024, 5, 17},
                              {2024, 6, 21},
                              {2024, 7, 19},
                              {2024, 8, 16},
                              {2024, 9, 20},
                              {2024, 10, 18},
                              {2024, 11, 15},
                              {2024, 12, 20}}));
  // April 2025: the third Friday was Good Friday, so the monthly expired on Thursday.
  EXPECT_EQ(ClassifyExpiry(Exchange::kNyse, "SPY", {2025, 4, 17}).value(), ExpiryKind::kMonthly);
}

TEST(UsExpiries, DailyExpiriesEveryTradingDay) {
  const auto november = List(Exchange::kCboe, "SPX", {2024, 11, 1}, {2024, 11, 30});
  EXPECT_EQ(DatesOf(november),
            ExchangeCalendar::Get(Exchange::kCboe).TradingDays({2024, 11, 1}, {2024, 11, 30}).value());
  EXPECT_EQ(ClassifyExpiry(Exchange::kCboe, "SPX", {2024, 11, 12}).value(), ExpiryKind::kDaily);
  EXPECT_EQ(ClassifyExpiry(Exchange::kCboe, "spx", {2024, 11, 8}).value(), ExpiryKind::kWeekly);
  EXPECT_EQ(ClassifyExpiry(Exchange::kCboe, "SPX", {2024, 11, 15}).value(), ExpiryKind::kMonthly);
  EXPECT_EQ(ClassifyExpiry(Exchange::kNyse, "QQQ", {2024, 11, 27}).value(), ExpiryKind::kDaily);
  EXPECT_EQ(ClassifyExpiry(Exchange::kNyse, "QQQ", {2024, 11, 28}).error().code, ErrorCode::kNotFound);  // holiday
  // The Good Friday week: Thursday is the weekly.
  EXPECT_EQ(ClassifyExpiry(Exchange::kNyse, "SPY", {2024, 3, 28}).value(), ExpiryKind::kWeekly);
  EXPECT_EQ(ListExpiries(Exchange::kNyse, "SPY", {2022, 6, 1}, {2022, 6, 30}).error().field, "from");
}

TEST(UsExpiries, OtherSymbolsHaveFridayWeekliesAndThirdFridayMonthlies) {
  const auto march = List(Exchange::kNyse, "AAPL", {2024, 3, 1}, {2024, 3, 31});
  EXPECT_EQ(DatesOf(march), (Dates{{2024, 3, 1}, {2024, 3, 8}, {2024, 3, 15}, {2024, 3, 22}, {2024, 3, 28}}));
  EXPECT_EQ(march[2].kind, ExpiryKind::kMonthly);
  EXPECT_EQ(march[4].scheduled, (CivilDate{2024, 3, 29}));
  EXPECT_EQ(ClassifyExpiry(Exchange::kNyse, "AAPL", {2024, 3, 13}).error().field, "date");
}

TEST(Expiries, NearestAndDaysTo) {
  EXPECT_EQ(NextExpiry(Exchange::kNse, "NIFTY", {2025, 8, 29}).value().date, (CivilDate{2025, 9, 2}));
  EXPECT_EQ(NextExpiry(Exchange::kNse, "NIFTY", {2025, 9, 2}).value().date, (CivilDate{2025, 9, 2}));
  EXPECT_EQ(NextExpiry(Exchange::kNse, "BANKNIFTY", {2025, 8, 29}).value().date, (CivilDate{2025, 9, 30}));
  EXPECT_EQ(NextExpiry(Exchange::kCboe, "SPX", {2024, 6, 8}).value().date, (CivilDate{2024, 6, 10}));
  EXPECT_EQ(DaysToExpiry({2025, 8, 29}, {2025, 9, 2}).value(), 4);
  EXPECT_EQ(DaysToExpiry({2025, 9, 2}, {2025, 9, 2}).value(), 0);
  EXPECT_EQ(DaysToExpiry({2025, 9, 3}, {2025, 9, 2}).error().field, "expiry");
  EXPECT_EQ(DaysToExpiry({2025, 2, 29}, {2025, 9, 2}).error().field, "today");
  EXPECT_EQ(TradingDaysToExpiry(Exchange::kNse, {2025, 8, 29}, {2025, 9, 2}).value(), 2);
  EXPECT_EQ(TradingDaysToExpiry(Exchange::kNyse, {2024, 11, 27}, {2024, 11, 29}).value(), 1);
  EXPECT_EQ(NextExpiry(Exchange::kNse, "NIFTY", {2030, 12, 31}).value().date, (CivilDate{2030, 12, 31}));
  EXPECT_EQ(NextExpiry(Exchange::kNse, "NIFTY", {2031, 1, 1}).error().field, "date");
}

TEST(Expiries, ProvisionalYearsAreFlagged) {
  const auto expiries = List(Exchange::kNse, "NIFTY", {2027, 1, 1}, {2027, 1, 31});
  ASSERT_FALSE(expiries.empty());
  for (const Expiry& e : expiries) {
    EXPECT_TRUE(e.provisional);
  }
  EXPECT_FALSE(List(Exchange::kNse, "NIFTY", {2026, 1, 1}, {2026, 1, 31}).front().provisional);
  // Republic Day 2027 is the last Tuesday of January (provisional list): the monthly moves to Monday the 25th.
  EXPECT_EQ(ClassifyExpiry(Exchange::kNse, "NIFTY", {2027, 1, 25}).value(), ExpiryKind::kMonthly);
}

TEST(Expiries, BadRequestsAreStructuredErrors) {
  EXPECT_EQ(ListExpiries(Exchange::kNse, "RELIANCEX", {2025, 1, 1}, {2025, 1, 31}).error().field, "underlying");
  EXPECT_EQ(ListExpiries(Exchange::kNyse, "NIFTY", {2025, 1, 1}, {2025, 1, 31}).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(ListExpiries(Exchange::kNse, "SENSEX", {2025, 1, 1}, {2025, 1, 31}).error().field, "underlying");
  EXPECT_EQ(ListExpiries(Exchange::kNyse, "not a symbol", {2025, 1, 1}, {2025, 1, 31}).error().field, "underlying");
  EXPECT_EQ(ListExpiries(Exchange::kNse, "NIFTY", {2025, 2, 29}, {2025, 3, 31}).error().field, "from");
  EXPECT_EQ(ListExpiries(Exchange::kNse, "NIFTY", {2025, 3, 1}, {2025, 2, 1}).error().field, "to");
  EXPECT_EQ(ListExpiries(Exchange::kNse, "NIFTY", {2030, 1, 1}, {2031, 2, 1}).error().field, "to");
  EXPECT_EQ(ListExpiries(Exchange::kNse, "MIDCPNIFTY", {2023, 1, 1}, {2023, 2, 1}).error().field, "from");
  EXPECT_EQ(ExpiryKindName(ExpiryKind::kMonthly), "monthly");
}

}  // namespace
}  // namespace td::calendar
