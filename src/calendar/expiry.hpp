// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "calendar/exchange.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace td::calendar {

/// How an expiry is classified: the standard monthly, a weekly, or one of the other daily (0DTE) expiries.
enum class ExpiryKind : std::uint8_t { kDaily, kWeekly, kMonthly };

/// "daily", "weekly" or "monthly".
std::string_view ExpiryKindName(ExpiryKind kind);

/// Which day of a month the monthly expiry is scheduled on.
enum class MonthlyAnchor : std::uint8_t {
  kLastWeekday,   // NSE/BSE: the last <weekday> of the month
  kThirdWeekday,  // US listed options: the third <weekday> (Friday) of the month
};

inline constexpr CivilDate kOpenEnded{9999, 12, 31};

/// One era of an underlying's expiry schedule. Eras are chosen by the scheduled (pre-shift) date:
/// a rule applies to scheduled dates in [effective_from, effective_until).
struct ExpiryRule {
  CivilDate effective_from;
  CivilDate effective_until;  // exclusive; kOpenEnded when still in force
  int weekly_weekday;         // 0 = Sunday .. 6 = Saturday; -1 when there are no weeklies
  int monthly_weekday;        // 0 = Sunday .. 6 = Saturday
  MonthlyAnchor monthly_anchor;
  bool daily;               // every trading day is also an expiry (SPX, SPY, QQQ)
  std::string_view source;  // the exchange circular / notice the era comes from, with its effective date
};

/// One expiry date of an underlying's listed options.
struct Expiry {
  CivilDate date;       // when contracts expire, after the holiday shift
  CivilDate scheduled;  // the date the rule gives before the holiday shift
  ExpiryKind kind = ExpiryKind::kWeekly;
  std::string_view source;   // ExpiryRule::source of the era that produced it
  bool provisional = false;  // the shift relied on a year the exchange has not published yet
};

/// The expiry eras of an underlying on an exchange, oldest first. NSE: NIFTY, BANKNIFTY, FINNIFTY,
/// MIDCPNIFTY; BSE: SENSEX; NYSE/CBOE: SPX (and SPXW), SPY, QQQ with daily expiries, and any other
/// equity/ETF symbol with Friday weeklies and third-Friday monthlies.
Result<std::span<const ExpiryRule>> ExpiryRulesFor(Exchange exchange, std::string_view underlying);

/// Every expiry whose (shifted) date lies in [from, to], in date order. A scheduled expiry on a
/// non-trading day moves to the previous trading day; on one date the monthly wins over the weekly,
/// and the weekly over the daily. A weekly in the same Monday-Sunday week as a monthly is not listed.
Result<std::vector<Expiry>> ListExpiries(Exchange exchange, std::string_view underlying, CivilDate from, CivilDate to);
/// The first expiry on or after `date`.
Result<Expiry> NextExpiry(Exchange exchange, std::string_view underlying, CivilDate date);
/// The kind of the expiry on `date`; NotFound when `date` is not an expiry of the underlying.
Result<ExpiryKind> ClassifyExpiry(Exchange exchange, std::string_view underlying, CivilDate date);
/// Calendar days from `today` to `expiry` (0 on expiry day); an Error when the expiry is past.
Result<std::int64_t> DaysToExpiry(CivilDate today, CivilDate expiry);
/// Trading sessions after `today` up to and including `expiry` on the exchange (0 on expiry day).
Result<std::int64_t> TradingDaysToExpiry(Exchange exchange, CivilDate today, CivilDate expiry);

}  // namespace td::calendar
