// SPDX-License-Identifier: MIT
#include "calendar/expiry.hpp"

#include <algorithm>
#include <array>
#include <map>

#include "calendar/exchange_calendar.hpp"
#include "calendar/local_time.hpp"

namespace td::calendar {
namespace {

constexpr int kMon = 1;
constexpr int kTue = 2;
constexpr int kWed = 3;
constexpr int kThu = 4;
constexpr int kFri = 5;
constexpr int kNone = -1;
constexpr auto kLast = MonthlyAnchor::kLastWeekday;
constexpr auto kThird = MonthlyAnchor::kThirdWeekday;

// The weekday change every NSE index shares from September 2025.
constexpr std::string_view kNseTuesday2025 =
    "NSE circular of June 2025 (after SEBI's direction to hold equity-derivative expiries on Tuesday or "
    "Thursday): NSE contracts expire on Tuesday (weekly) / the last Tuesday (monthly) from 1-Sep-2025";
constexpr std::string_view kNseThursday2025 =
    "NSE circular of 29-Nov-2024: BANKNIFTY, FINNIFTY and MIDCPNIFTY monthly contracts expire on the last "
    "Thursday of the month from 1-Jan-2025";

constexpr std::array<ExpiryRule, 2> kNifty = {{
    {{2019, 2, 11},
     {2025, 9, 1},
     kThu,
     kThu,
     kLast,
     false,
     "NSE contract specification of NIFTY options: weekly expiry on Thursday (weeklies since 11-Feb-2019), "
     "monthly on the last Thursday"},
    {{2025, 9, 1}, kOpenEnded, kTue, kTue, kLast, false, kNseTuesday2025},
}};

constexpr std::array<ExpiryRule, 6> kBankNifty = {{
    {{2019, 1, 1},
     {2023, 9, 4},
     kThu,
     kThu,
     kLast,
     false,
     "NSE contract specification of BANKNIFTY options: weekly on Thursday, monthly on the last Thursday"},
    {{2023, 9, 4},
     {2024, 3, 1},
     kWed,
     kThu,
     kLast,
     false,
     "NSE circular of August 2023: BANKNIFTY weekly expiry moves to Wednesday from 4-Sep-2023; the monthly "
     "stays on the last Thursday"},
    {{2024, 3, 1},
     {2024, 11, 14},
     kWed,
     kWed,
     kLast,
     false,
     "NSE circular of January 2024: BANKNIFTY monthly and quarterly contracts expire on the last Wednesday "
     "from 1-Mar-2024"},
    {{2024, 11, 14},
     {2025, 1, 1},
     kNone,
     kWed,
     kLast,
     false,
     "SEBI circular of 1-Oct-2024 (one weekly benchmark per exchange from 20-Nov-2024) and NSE circular of "
     "October 2024: BANKNIFTY weeklies withdrawn after the 13-Nov-2024 expiry"},
    {{2025, 1, 1}, {2025, 9, 1}, kNone, kThu, kLast, false, kNseThursday2025},
    {{2025, 9, 1}, kOpenEnded, kNone, kTue, kLast, false, kNseTuesday2025},
}};

constexpr std::array<ExpiryRule, 4> kFinNifty = {{
    {{2021, 1, 11},
     {2024, 11, 20},
     kTue,
     kTue,
     kLast,
     false,
     "NSE contract specification of FINNIFTY options: weekly on Tuesday, monthly on the last Tuesday"},
    {{2024, 11, 20},
     {2025, 1, 1},
     kNone,
     kTue,
     kLast,
     false,
     "SEBI circular of 1-Oct-2024 and NSE circular of October 2024: FINNIFTY weeklies withdrawn after the "
     "19-Nov-2024 expiry"},
    {{2025, 1, 1}, {2025, 9, 1}, kNone, kThu, kLast, false, kNseThursday2025},
    {{2025, 9, 1}, kOpenEnded, kNone, kTue, kLast, false, kNseTuesday2025},
}};

constexpr std::array<ExpiryRule, 4> kMidcpNifty = {{
    {{2024, 1, 1},
     {2024, 11, 19},
     kMon,
     kMon,
     kLast,
     false,
     "NSE contract specification of MIDCPNIFTY options (2024): weekly on Monday, monthly on the last Monday"},
    {{2024, 11, 19},
     {2025, 1, 1},
     kNone,
     kMon,
     kLast,
     false,
     "SEBI circular of 1-Oct-2024 and NSE circular of October 2024: MIDCPNIFTY weeklies withdrawn after the "
     "18-Nov-2024 expiry"},
    {{2025, 1, 1}, {2025, 9, 1}, kNone, kThu, kLast, false, kNseThursday2025},
    {{2025, 9, 1}, kOpenEnded, kNone, kTue, kLast, false, kNseTuesday2025},
}};

constexpr std::array<ExpiryRule, 3> kSensex = {{
    {{2023, 5, 15},
     {2025, 1, 1},
     kFri,
     kFri,
     kLast,
     false,
     "BSE notice of May 2023 (SENSEX derivatives relaunch): weekly expiry on Friday, monthly on the last Friday"},
    {{2025, 1, 1},
     {2025, 9, 1},
     kTue,
     kTue,
     kLast,
     false,
     "BSE notice of November 2024: SENSEX weekly expiry on Tuesday, monthly on the last Tuesday from 1-Jan-2025"},
    {{2025, 9, 1},
     kOpenEnded,
     kThu,
     kThu,
     kLast,
     false,
     "BSE notice of June 2025: SENSEX weekly expiry on Thursday, monthly on the last Thursday from 1-Sep-2025"},
}};

constexpr std::array<ExpiryRule, 1> kUsEquity = {{
    {{2022, 1, 1},
     kOpenEnded,
     kFri,
     kFri,
     kThird,
     false,
     "OCC / Cboe: standard monthly options expire on the third Friday, Weeklys on other Fridays; an expiry on an "
     "exchange holiday moves to the preceding business day"},
}};

constexpr std::array<ExpiryRule, 1> kSpx = {{
    {{2022, 5, 11},
     kOpenEnded,
     kFri,
     kFri,
     kThird,
     true,
     "Cboe: SPX Weeklys (SPXW) expire every trading day since Tuesday/Thursday expirations were added in May "
     "2022; the monthly is the third Friday"},
}};

constexpr std::array<ExpiryRule, 1> kSpyQqq = {{
    {{2022, 11, 14},
     kOpenEnded,
     kFri,
     kFri,
     kThird,
     true,
     "Cboe / OCC: SPY and QQQ options expire every trading day since Tuesday/Thursday expirations were listed "
     "in November 2022; the monthly is the third Friday"},
}};

struct UnderlyingRules {
  std::string_view symbol;
  bool indian;
  Exchange exchange;  // for Indian underlyings, the listing exchange
  std::span<const ExpiryRule> rules;
};

constexpr std::array<UnderlyingRules, 9> kUnderlyings = {{
    {"NIFTY", true, Exchange::kNse, kNifty},
    {"BANKNIFTY", true, Exchange::kNse, kBankNifty},
    {"FINNIFTY", true, Exchange::kNse, kFinNifty},
    {"MIDCPNIFTY", true, Exchange::kNse, kMidcpNifty},
    {"SENSEX", true, Exchange::kBse, kSensex},
    {"SPX", false, Exchange::kCboe, kSpx},
    {"SPXW", false, Exchange::kCboe, kSpx},
    {"SPY", false, Exchange::kNyse, kSpyQqq},
    {"QQQ", false, Exchange::kNyse, kSpyQqq},
}};

CivilDate AddDays(CivilDate date, std::int64_t days) {
  return CivilFromDays(DaysFromCivil(date) + days);
}
int WeekdayOf(CivilDate date) {
  return Weekday(DaysFromCivil(date));
}

int DaysInMonth(int year, int month) {
  const CivilDate next = month == 12 ? CivilDate{year + 1, 1, 1} : CivilDate{year, month + 1, 1};
  return static_cast<int>(DaysFromCivil(next) - DaysFromCivil(CivilDate{year, month, 1}));
}

CivilDate MonthlyDate(int year, int month, int weekday, MonthlyAnchor anchor) {
  if (anchor == MonthlyAnchor::kThirdWeekday) {
    const CivilDate first{year, month, 1};
    const int offset = (weekday - WeekdayOf(first) + 7) % 7;
    return AddDays(first, offset + 14);
  }
  const CivilDate last{year, month, DaysInMonth(year, month)};
  return AddDays(last, -((WeekdayOf(last) - weekday + 7) % 7));
}

bool InRule(const ExpiryRule& rule, CivilDate date) {
  return !(date < rule.effective_from) && date < rule.effective_until;
}

std::string Upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') {
      c = static_cast<char>(c - 'a' + 'A');
    }
  }
  return out;
}

bool IsPlausibleUsSymbol(std::string_view symbol) {
  if (symbol.empty() || symbol.size() > 10) {
    return false;
  }
  return std::all_of(symbol.begin(), symbol.end(),
                     [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.'; });
}

int KindRank(ExpiryKind kind) {
  switch (kind) {
    case ExpiryKind::kDaily:
      return 0;
    case ExpiryKind::kWeekly:
      return 1;
    case ExpiryKind::kMonthly:
      return 2;
  }
  TD_UNREACHABLE();
}

Status CheckDate(CivilDate date, std::string_view field) {
  if (!IsValidDate(date)) {
    return Error::InvalidArgument("no such calendar date: " + FormatCivilDate(date), std::string(field));
  }
  return {};
}

}  // namespace

std::string_view ExpiryKindName(ExpiryKind kind) {
  switch (kind) {
    case ExpiryKind::kDaily:
      return "daily";
    case ExpiryKind::kWeekly:
      return "weekly";
    case ExpiryKind::kMonthly:
      return "monthly";
  }
  TD_UNREACHABLE();
}

Result<std::span<const ExpiryRule>> ExpiryRulesFor(Exchange exchange, std::string_view underlying) {
  const std::string symbol = Upper(underlying);
  for (const UnderlyingRules& entry : kUnderlyings) {
    if (entry.symbol != symbol) {
      continue;
    }
    if (entry.indian ? entry.exchange == exchange : !IsIndian(exchange)) {
      return entry.rules;
    }
    return Error::NotFound(symbol + " options are not listed on " + std::string(ExchangeName(exchange)), "underlying");
  }
  if (!IsIndian(exchange) && IsPlausibleUsSymbol(symbol)) {
    return std::span<const ExpiryRule>(kUsEquity);
  }
  return Error::NotFound(
      "no expiry rules for underlying '" + std::string(underlying) + "' on " + std::string(ExchangeName(exchange)),
      "underlying");
}

Result<std::vector<Expiry>> ListExpiries(Exchange exchange, std::string_view underlying, CivilDate from, CivilDate to) {
  TD_TRY(CheckDate(from, "from"));
  TD_TRY(CheckDate(to, "to"));
  if (to < from) {
    return Error::InvalidArgument("'to' (" + FormatCivilDate(to) + ") is before 'from' (" + FormatCivilDate(from) + ")",
                                  "to");
  }
  auto rules = ExpiryRulesFor(exchange, underlying);
  if (!rules.ok()) {
    return rules.error();
  }
  const ExchangeCalendar& calendar = ExchangeCalendar::Get(exchange);
  if (to < calendar.first_date() || calendar.last_date() < to || from < calendar.first_date()) {
    return Error::InvalidArgument("range " + FormatCivilDate(from) + " .. " + FormatCivilDate(to) + " is outside the " +
                                      std::string(ExchangeName(exchange)) + " calendar (" +
                                      FormatCivilDate(calendar.first_date()) + " .. " +
                                      FormatCivilDate(calendar.last_date()) + ")",
                                  calendar.last_date() < to ? "to" : "from");
  }
  const CivilDate earliest_rule = rules->front().effective_from;
  if (from < earliest_rule) {
    return Error::InvalidArgument(
        "no expiry rule for " + Upper(underlying) + " before " + FormatCivilDate(earliest_rule), "from");
  }

  // A scheduled date after `to` can still land inside the range when the holiday shift pulls it back;
  // no exchange has closed more than a week in a row. Dates past the calendar's end cannot be checked.
  const CivilDate scan_end = std::min(AddDays(to, 7), calendar.last_date());

  // Monthly dates over a margin wide enough to decide which weeks hold a monthly.
  std::vector<std::pair<CivilDate, const ExpiryRule*>> monthlies;
  const CivilDate month_scan_start = AddDays(from, -7);
  for (int year = month_scan_start.year, month = month_scan_start.month;
       year < scan_end.year || (year == scan_end.year && month <= scan_end.month);) {
    for (const ExpiryRule& rule : *rules) {
      const CivilDate date = MonthlyDate(year, month, rule.monthly_weekday, rule.monthly_anchor);
      if (InRule(rule, date)) {
        monthlies.emplace_back(date, &rule);
      }
    }
    if (++month == 13) {
      month = 1;
      ++year;
    }
  }
  const auto week_has_monthly = [&](CivilDate date) {
    const CivilDate monday = AddDays(date, -((WeekdayOf(date) + 6) % 7));
    const CivilDate sunday = AddDays(monday, 6);
    return std::any_of(monthlies.begin(), monthlies.end(),
                       [&](const auto& entry) { return !(entry.first < monday) && !(sunday < entry.first); });
  };

  std::map<CivilDate, Expiry> by_date;
  const auto add = [&](CivilDate scheduled, ExpiryKind kind, const ExpiryRule& rule) -> Status {
    auto shifted = calendar.TradingDayOnOrBefore(scheduled);
    if (!shifted.ok()) {
      return shifted.error();
    }
    const CivilDate date = *shifted;
    if (date < from || to < date) {
      return {};
    }
    Expiry expiry{date, scheduled, kind, rule.source, calendar.holidays().IsProvisionalYear(scheduled.year)};
    auto [it, inserted] = by_date.try_emplace(date, expiry);
    if (!inserted && KindRank(kind) > KindRank(it->second.kind)) {
      it->second = expiry;
    }
    return {};
  };

  for (const auto& [date, rule] : monthlies) {
    if (!(date < from) && !(scan_end < date)) {
      TD_TRY(add(date, ExpiryKind::kMonthly, *rule));
    }
  }
  for (const ExpiryRule& rule : *rules) {
    const CivilDate start = std::max(from, rule.effective_from);
    const CivilDate end = std::min(scan_end, AddDays(rule.effective_until, -1));
    for (CivilDate day = start; !(end < day); day = AddDays(day, 1)) {
      const int weekday = WeekdayOf(day);
      if (weekday == rule.weekly_weekday && !week_has_monthly(day)) {
        TD_TRY(add(day, ExpiryKind::kWeekly, rule));
      } else if (rule.daily) {
        auto trades = calendar.IsTradingDay(day);
        if (!trades.ok()) {
          return trades.error();
        }
        // A daily expiry exists only on trading days; it never shifts.
        if (*trades) {
          TD_TRY(add(day, ExpiryKind::kDaily, rule));
        }
      }
    }
  }

  std::vector<Expiry> out;
  out.reserve(by_date.size());
  for (auto& [date, expiry] : by_date) {
    out.push_back(expiry);
  }
  return out;
}

Result<Expiry> NextExpiry(Exchange exchange, std::string_view underlying, CivilDate date) {
  TD_TRY(CheckDate(date, "date"));
  const ExchangeCalendar& calendar = ExchangeCalendar::Get(exchange);
  for (CivilDate window_start = date; !(calendar.last_date() < window_start);
       window_start = AddDays(window_start, 63)) {
    const CivilDate window_end = std::min(AddDays(window_start, 62), calendar.last_date());
    auto expiries = ListExpiries(exchange, underlying, window_start, window_end);
    if (!expiries.ok()) {
      return expiries.error();
    }
    if (!expiries->empty()) {
      return expiries->front();
    }
  }
  return Error::InvalidArgument("no " + Upper(underlying) + " expiry on or after " + FormatCivilDate(date) +
                                    " within the calendar (ends " + FormatCivilDate(calendar.last_date()) + ")",
                                "date");
}

Result<ExpiryKind> ClassifyExpiry(Exchange exchange, std::string_view underlying, CivilDate date) {
  auto expiries = ListExpiries(exchange, underlying, date, date);
  if (!expiries.ok()) {
    return expiries.error();
  }
  if (expiries->empty()) {
    return Error::NotFound(FormatCivilDate(date) + " is not an expiry of " + Upper(underlying), "date");
  }
  return expiries->front().kind;
}

Result<std::int64_t> DaysToExpiry(CivilDate today, CivilDate expiry) {
  TD_TRY(CheckDate(today, "today"));
  TD_TRY(CheckDate(expiry, "expiry"));
  if (expiry < today) {
    return Error::InvalidArgument("expiry " + FormatCivilDate(expiry) + " is before " + FormatCivilDate(today),
                                  "expiry");
  }
  return DaysFromCivil(expiry) - DaysFromCivil(today);
}

Result<std::int64_t> TradingDaysToExpiry(Exchange exchange, CivilDate today, CivilDate expiry) {
  TD_TRY(CheckDate(today, "today"));
  TD_TRY(CheckDate(expiry, "expiry"));
  if (expiry < today) {
    return Error::InvalidArgument("expiry " + FormatCivilDate(expiry) + " is before " + FormatCivilDate(today),
                                  "expiry");
  }
  return ExchangeCalendar::Get(exchange).TradingDaysBetween(today, expiry);
}

}  // namespace td::calendar
