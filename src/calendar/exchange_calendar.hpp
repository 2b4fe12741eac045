// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "calendar/exchange.hpp"
#include "calendar/holiday_table.hpp"
#include "calendar/local_time.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace td::calendar {

/// A named stretch of an exchange's trading day.
enum class SessionPhase : std::uint8_t {
  kPreOpenOrderEntry,   // NSE/BSE 09:00-09:08: orders collected, nothing matches
  kPreOpenMatching,     // NSE/BSE 09:08-09:15: call-auction matching and buffer
  kPreMarket,           // NYSE 04:00-09:30 ET
  kGlobalTradingHours,  // Cboe index options 20:15 ET (the evening before) - 09:25 ET
  kRegular,             // the continuous regular session
  kClosingPrice,        // NSE/BSE 15:30-15:40: closing price calculation
  kPostClose,           // NSE/BSE 15:40-16:00: trades at the closing price
  kPostMarket,          // NYSE 16:00-20:00 ET (17:00 on early-close days)
  kCurb,                // Cboe index options 16:15-17:00 ET
};

/// The coarse state of a market at an instant, as shown to users.
enum class MarketStatus : std::uint8_t { kPre, kOpen, kPost, kClosed };

/// "pre_open_order_entry", "regular", ... (stable snake_case, for APIs and logs).
std::string_view SessionPhaseName(SessionPhase phase);
/// "pre", "open", "post" or "closed".
std::string_view MarketStatusName(MarketStatus status);
/// The status a phase shows as: pre-open phases are kPre, kRegular is kOpen, the rest kPost.
MarketStatus StatusOfPhase(SessionPhase phase);

/// One phase of one trading day as UTC instants, half-open [start, end).
struct PhaseWindow {
  SessionPhase phase = SessionPhase::kRegular;
  UnixNanos start;
  UnixNanos end;
};

/// Everything about one trading day: its phases in time order and its regular session.
struct TradingSession {
  CivilDate date;
  std::vector<PhaseWindow> phases;
  UnixNanos regular_open;
  UnixNanos regular_close;
  bool early_close = false;      // a half day (regular session shortened)
  bool special_session = false;  // a session on a normally closed day
  bool provisional = false;      // built from a year the exchange has not published yet
};

/// `{status, as_of, next_open, next_close, tz}` for one instant, plus the phase and the session it belongs to.
struct SessionStatus {
  MarketStatus status = MarketStatus::kClosed;
  std::optional<SessionPhase> phase;  // empty when closed
  UnixNanos as_of;
  UnixNanos next_open;     // the next regular-session open strictly after as_of
  UnixNanos next_close;    // the end of the current regular session when open, else of the next one
  CivilDate trading_date;  // the session of the current phase; when closed, the session of next_open
  std::string_view tz;     // IANA name of the exchange zone
};

/// Sessions, holidays and trading-day arithmetic of one exchange, in the exchange's own time zone.
/// Dates outside the holiday file's coverage are errors (field "date"): beyond it we cannot know.
class ExchangeCalendar {
 public:
  /// The built-in calendar of an exchange, made once from the embedded holiday files and the OS tz
  /// database. A corrupt embedded file or a missing tz database aborts: the binary cannot work without them.
  static const ExchangeCalendar& Get(Exchange exchange);

  /// A calendar over a given holiday table (tests, or holiday lists loaded at run time).
  ExchangeCalendar(Exchange exchange, std::shared_ptr<const HolidayTable> holidays, TimeZone zone);

  Exchange exchange() const { return exchange_; }
  const TimeZone& time_zone() const { return zone_; }
  const HolidayTable& holidays() const { return *holidays_; }
  /// The first and last date the calendar is complete for.
  CivilDate first_date() const;
  CivilDate last_date() const;

  /// True when the exchange holds a regular session that day.
  Result<bool> IsTradingDay(CivilDate date) const;
  /// The listed holiday, half day or special session on `date`, or nullptr for an ordinary day.
  Result<const SpecialDay*> SpecialDayOn(CivilDate date) const;
  /// The first trading day strictly after `date`.
  Result<CivilDate> NextTradingDay(CivilDate date) const;
  /// The last trading day strictly before `date`.
  Result<CivilDate> PreviousTradingDay(CivilDate date) const;
  /// `date` itself when it trades, else the last trading day before it (the expiry holiday shift).
  Result<CivilDate> TradingDayOnOrBefore(CivilDate date) const;
  /// Trading days d with from < d <= to (Friday to the next Monday is 1); negative when to < from.
  Result<std::int64_t> TradingDaysBetween(CivilDate from, CivilDate to) const;
  /// Every trading day in [first, last].
  Result<std::vector<CivilDate>> TradingDays(CivilDate first, CivilDate last) const;
  /// The phases of one trading day; an Error when the exchange does not trade that day.
  Result<TradingSession> Session(CivilDate date) const;
  /// The market status at an instant.
  Result<SessionStatus> StatusAt(UnixNanos as_of) const;

 private:
  Status CheckCovered(CivilDate date, std::string_view field) const;
  bool TradesOn(CivilDate date) const;  // date must be covered

  Exchange exchange_;
  std::shared_ptr<const HolidayTable> holidays_;
  TimeZone zone_;
};

}  // namespace td::calendar
