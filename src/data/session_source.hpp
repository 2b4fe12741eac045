// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "calendar/exchange.hpp"
#include "calendar/exchange_calendar.hpp"
#include "core/ids.hpp"
#include "core/time.hpp"
#include "data/bar_aggregator.hpp"
#include "data/zone.hpp"

namespace td::data {

/// Everything bar boundaries need about one instrument's market: its zone, the regular hours used outside
/// the calendar's coverage, and the per-date sessions (holidays, half days) from the calendar.
struct SessionRule {
  std::string time_zone = "UTC";
  std::optional<SessionTemplate> regular;  // none: bars anchored at local midnight, no session filter
  SessionLookup sessions;                  // per-date sessions; empty: `regular` every day
  std::optional<calendar::Exchange> exchange;
};

/// The calendar exchange whose sessions an instrument id's exchange code follows: NSE, NFO, CDS,
/// NSE_INDEX → NSE; BSE, BFO, BSE_INDEX → BSE; US, NYSE, NASDAQ, ARCA, AMEX, BATS → NYSE; CBOE, OPRA →
/// CBOE; nullopt for anything else (MCX, GLOBAL_INDEX, FX...).
std::optional<calendar::Exchange> CalendarExchangeFor(std::string_view exchange_code);

/// Per-date regular sessions of `calendar`: a holiday or weekend is closed, a half day closes early, a
/// special session opens. Dates outside the calendar's coverage fall back to `fallback` on weekdays
/// (closed on weekends), so old files (Lean 2013) still aggregate.
SessionLookup CalendarSessions(const calendar::ExchangeCalendar& calendar, SessionTemplate fallback);

/// The regular hours of a calendar exchange as a template (NSE/BSE 09:15–15:30 IST, NYSE 09:30–16:00 ET,
/// CBOE 09:30–16:15 ET).
SessionTemplate RegularTemplate(calendar::Exchange exchange);

/// The session rule of an instrument: calendar-driven for the exchanges the calendar knows, otherwise
/// UTC days without a session.
SessionRule DefaultSessionRule(const InstrumentId& instrument);

/// True when some instant of [from, to) lies inside a regular session under `rule` (always true without
/// a session). Used to tell a real gap in stored bars from a night, weekend or holiday.
bool RangeHasSession(const SessionRule& rule, UnixNanos from, UnixNanos to);

}  // namespace td::data
