// SPDX-License-Identifier: MIT
#include "data/session_source.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <utility>

#include "calendar/local_time.hpp"

namespace td::data {
namespace {

constexpr std::int64_t kNanos = 1'000'000'000;

std::int64_t SecondsOfDay(const calendar::LocalDateTime& local) {
  return std::int64_t{local.hour} * 3600 + std::int64_t{local.minute} * 60 + local.second;
}

}  // namespace

std::optional<calendar::Exchange> CalendarExchangeFor(std::string_view exchange_code) {
  static constexpr std::array<std::pair<std::string_view, calendar::Exchange>, 15> kMap{{
      {"NSE", calendar::Exchange::kNse},
      {"NFO", calendar::Exchange::kNse},
      {"CDS", calendar::Exchange::kNse},
      {"NSE_INDEX", calendar::Exchange::kNse},
      {"BSE", calendar::Exchange::kBse},
      {"BFO", calendar::Exchange::kBse},
      {"BSE_INDEX", calendar::Exchange::kBse},
      {"US", calendar::Exchange::kNyse},
      {"NYSE", calendar::Exchange::kNyse},
      {"NASDAQ", calendar::Exchange::kNyse},
      {"ARCA", calendar::Exchange::kNyse},
      {"AMEX", calendar::Exchange::kNyse},
      {"BATS", calendar::Exchange::kNyse},
      {"CBOE", calendar::Exchange::kCboe},
      {"OPRA", calendar::Exchange::kCboe},
  }};
  for (const auto& [code, exchange] : kMap) {
    if (code == exchange_code) {
      return exchange;
    }
  }
  return std::nullopt;
}

SessionTemplate RegularTemplate(calendar::Exchange exchange) {
  using std::chrono::hours;
  using std::chrono::minutes;
  switch (exchange) {
    case calendar::Exchange::kNse:
    case calendar::Exchange::kBse:
      return NseRegularSession();
    case calendar::Exchange::kNyse:
      return NyseRegularSession();
    case calendar::Exchange::kCboe:
      return SessionTemplate{"America/New_York", hours(9) + minutes(30), hours(16) + minutes(15)};
  }
  return NyseRegularSession();
}

SessionLookup CalendarSessions(const calendar::ExchangeCalendar& calendar, SessionTemplate fallback) {
  const calendar::ExchangeCalendar* cal = &calendar;
  return [cal, fallback = std::move(fallback)](CivilDate date) -> std::optional<DaySession> {
    if (date < cal->first_date() || date > cal->last_date()) {
      const int weekday = Weekday(DaysFromCivil(date));
      if (weekday == 0 || weekday == 6) {
        return std::nullopt;
      }
      return DaySession{fallback.open.count(), fallback.close.count()};
    }
    auto session = cal->Session(date);
    if (!session.ok()) {
      return std::nullopt;  // a holiday or a weekend
    }
    const calendar::TimeZone& zone = cal->time_zone();
    return DaySession{SecondsOfDay(zone.ToLocal(session->regular_open)),
                      SecondsOfDay(zone.ToLocal(session->regular_close))};
  };
}

SessionRule DefaultSessionRule(const InstrumentId& instrument) {
  SessionRule rule;
  const auto exchange = CalendarExchangeFor(instrument.exchange());
  if (!exchange) {
    return rule;
  }
  SessionTemplate regular = RegularTemplate(*exchange);
  rule.time_zone = regular.time_zone;
  rule.sessions = CalendarSessions(calendar::ExchangeCalendar::Get(*exchange), regular);
  rule.regular = std::move(regular);
  rule.exchange = exchange;
  return rule;
}

bool RangeHasSession(const SessionRule& rule, UnixNanos from, UnixNanos to) {
  if (to <= from) {
    return false;
  }
  if (!rule.regular && !rule.sessions) {
    return true;
  }
  auto zone = ZoneConverter::Create(rule.time_zone);
  if (!zone.ok()) {
    return true;
  }
  const std::int64_t first_day = zone->ToLocal(from.seconds()) / 86'400 - 1;
  const std::int64_t last_day = zone->ToLocal(to.seconds()) / 86'400 + 1;
  for (std::int64_t day = first_day; day <= last_day; ++day) {
    std::optional<DaySession> hours;
    if (rule.sessions) {
      hours = rule.sessions(CivilFromDays(day));
    } else {
      hours = DaySession{rule.regular->open.count(), rule.regular->close.count()};
    }
    if (!hours) {
      continue;
    }
    const std::int64_t open = zone->ToUtc(day * 86'400 + hours->open) * kNanos;
    const std::int64_t close = zone->ToUtc(day * 86'400 + hours->close) * kNanos;
    if (std::max(open, from.nanos()) < std::min(close, to.nanos())) {
      return true;
    }
  }
  return false;
}

}  // namespace td::data
