// SPDX-License-Identifier: MIT
#include "calendar/exchange_calendar.hpp"

#include <algorithm>
#include <array>

#include "calendar/embedded_data.hpp"

namespace td::calendar {
namespace {

// A phase of the standard day, in minutes after local midnight of the trading date (negative: the evening before).
struct PhaseTemplate {
  SessionPhase phase;
  int start_minute;
  int end_minute;
};

// Exchange circulars / trading-hours pages: NSE and BSE equity market timings (pre-open 09:00-09:15,
// normal market 09:15-15:30, closing session 15:40-16:00); NYSE Holidays & Trading Hours (early trading
// 04:00, core 09:30-16:00, late trading to 20:00); Cboe index options (SPX) hours (GTH 20:15-09:25,
// regular 09:30-16:15, curb 16:15-17:00).
constexpr std::array<PhaseTemplate, 5> kIndiaDay = {{
    {SessionPhase::kPreOpenOrderEntry, 9 * 60, 9 * 60 + 8},
    {SessionPhase::kPreOpenMatching, 9 * 60 + 8, 9 * 60 + 15},
    {SessionPhase::kRegular, 9 * 60 + 15, 15 * 60 + 30},
    {SessionPhase::kClosingPrice, 15 * 60 + 30, 15 * 60 + 40},
    {SessionPhase::kPostClose, 15 * 60 + 40, 16 * 60},
}};
constexpr std::array<PhaseTemplate, 3> kNyseDay = {{
    {SessionPhase::kPreMarket, 4 * 60, 9 * 60 + 30},
    {SessionPhase::kRegular, 9 * 60 + 30, 16 * 60},
    {SessionPhase::kPostMarket, 16 * 60, 20 * 60},
}};
constexpr std::array<PhaseTemplate, 3> kCboeDay = {{
    {SessionPhase::kGlobalTradingHours, -(3 * 60 + 45), 9 * 60 + 25},
    {SessionPhase::kRegular, 9 * 60 + 30, 16 * 60 + 15},
    {SessionPhase::kCurb, 16 * 60 + 15, 17 * 60},
}};
// Early-close hours in the US file are the NYSE equity close; every exchange shifts its closing phases
// by the same amount (NYSE 16:00 -> 13:00 and late trading to 17:00; Cboe options 16:15 -> 13:15).
constexpr int kUsReferenceClose = 16 * 60;

std::span<const PhaseTemplate> DayTemplate(Exchange exchange) {
  switch (exchange) {
    case Exchange::kNse:
    case Exchange::kBse:
      return kIndiaDay;
    case Exchange::kNyse:
      return kNyseDay;
    case Exchange::kCboe:
      return kCboeDay;
  }
  TD_UNREACHABLE();
}

CivilDate AddDays(CivilDate date, std::int64_t days) {
  return CivilFromDays(DaysFromCivil(date) + days);
}

bool IsWeekend(CivilDate date) {
  const int weekday = Weekday(DaysFromCivil(date));
  return weekday == 0 || weekday == 6;
}

std::shared_ptr<const HolidayTable> LoadEmbedded(std::string_view text, std::string_view file_name) {
  auto table = HolidayTable::Parse(text, file_name);
  TD_CHECK(table.ok()) << "embedded holiday file is corrupt: " << table.error().ToString();
  return std::make_shared<const HolidayTable>(std::move(table).value());
}

}  // namespace

std::string_view SessionPhaseName(SessionPhase phase) {
  switch (phase) {
    case SessionPhase::kPreOpenOrderEntry:
      return "pre_open_order_entry";
    case SessionPhase::kPreOpenMatching:
      return "pre_open_matching";
    case SessionPhase::kPreMarket:
      return "pre_market";
    case SessionPhase::kGlobalTradingHours:
      return "global_trading_hours";
    case SessionPhase::kRegular:
      return "regular";
    case SessionPhase::kClosingPrice:
      return "closing_price";
    case SessionPhase::kPostClose:
      return "post_close";
    case SessionPhase::kPostMarket:
      return "post_market";
    case SessionPhase::kCurb:
      return "curb";
  }
  TD_UNREACHABLE();
}

std::string_view MarketStatusName(MarketStatus status) {
  switch (status) {
    case MarketStatus::kPre:
      return "pre";
    case MarketStatus::kOpen:
      return "open";
    case MarketStatus::kPost:
      return "post";
    case MarketStatus::kClosed:
      return "closed";
  }
  TD_UNREACHABLE();
}

MarketStatus StatusOfPhase(SessionPhase phase) {
  switch (phase) {
    case SessionPhase::kPreOpenOrderEntry:
    case SessionPhase::kPreOpenMatching:
    case SessionPhase::kPreMarket:
    case SessionPhase::kGlobalTradingHours:
      return MarketStatus::kPre;
    case SessionPhase::kRegular:
      return MarketStatus::kOpen;
    case SessionPhase::kClosingPrice:
    case SessionPhase::kPostClose:
    case SessionPhase::kPostMarket:
    case SessionPhase::kCurb:
      return MarketStatus::kPost;
  }
  TD_UNREACHABLE();
}

const ExchangeCalendar& ExchangeCalendar::Get(Exchange exchange) {
  static const std::array<std::unique_ptr<ExchangeCalendar>, kAllExchanges.size()> calendars = [] {
    const auto india = LoadEmbedded(data::kIndiaNseBseCsv, "india_nse_bse.csv");
    const auto us = LoadEmbedded(data::kUsNyseCboeCsv, "us_nyse_cboe.csv");
    std::array<std::unique_ptr<ExchangeCalendar>, kAllExchanges.size()> out;
    for (Exchange each : kAllExchanges) {
      auto zone = TimeZone::Locate(ExchangeTimeZoneName(each));
      TD_CHECK(zone.ok()) << zone.error().ToString() << " (is the tzdata package installed?)";
      out[static_cast<std::size_t>(each)] =
          std::make_unique<ExchangeCalendar>(each, IsIndian(each) ? india : us, *zone);
    }
    return out;
  }();
  return *calendars[static_cast<std::size_t>(exchange)];
}

ExchangeCalendar::ExchangeCalendar(Exchange exchange, std::shared_ptr<const HolidayTable> holidays, TimeZone zone)
    : exchange_(exchange), holidays_(std::move(holidays)), zone_(zone) {
  TD_CHECK(holidays_ != nullptr);
  const auto& names = holidays_->exchanges();
  TD_CHECK(std::find(names.begin(), names.end(), ExchangeName(exchange_)) != names.end())
      << holidays_->file_name() << " does not describe " << ExchangeName(exchange_);
}

CivilDate ExchangeCalendar::first_date() const {
  return CivilDate{holidays_->first_year(), 1, 1};
}
CivilDate ExchangeCalendar::last_date() const {
  return CivilDate{holidays_->last_year(), 12, 31};
}

Status ExchangeCalendar::CheckCovered(CivilDate date, std::string_view field) const {
  if (!IsValidDate(date)) {
    return Error::InvalidArgument("no such calendar date: " + FormatCivilDate(date), std::string(field));
  }
  if (date < first_date() || last_date() < date) {
    return Error::InvalidArgument(FormatCivilDate(date) + " is outside the " + std::string(ExchangeName(exchange_)) +
                                      " calendar (" + FormatCivilDate(first_date()) + " .. " +
                                      FormatCivilDate(last_date()) + ")",
                                  std::string(field));
  }
  return {};
}

bool ExchangeCalendar::TradesOn(CivilDate date) const {
  const SpecialDay* special = holidays_->Find(date);
  if (special != nullptr) {
    return special->kind != DayKind::kClosed;
  }
  return !IsWeekend(date);
}

Result<bool> ExchangeCalendar::IsTradingDay(CivilDate date) const {
  TD_TRY(CheckCovered(date, "date"));
  return TradesOn(date);
}

Result<const SpecialDay*> ExchangeCalendar::SpecialDayOn(CivilDate date) const {
  TD_TRY(CheckCovered(date, "date"));
  return holidays_->Find(date);
}

Result<CivilDate> ExchangeCalendar::NextTradingDay(CivilDate date) const {
  TD_TRY(CheckCovered(date, "date"));
  for (CivilDate day = AddDays(date, 1); !(last_date() < day); day = AddDays(day, 1)) {
    if (TradesOn(day)) {
      return day;
    }
  }
  return Error::InvalidArgument("no trading day after " + FormatCivilDate(date) + " within the calendar (ends " +
                                    FormatCivilDate(last_date()) + ")",
                                "date");
}

Result<CivilDate> ExchangeCalendar::PreviousTradingDay(CivilDate date) const {
  TD_TRY(CheckCovered(date, "date"));
  for (CivilDate day = AddDays(date, -1); !(day < first_date()); day = AddDays(day, -1)) {
    if (TradesOn(day)) {
      return day;
    }
  }
  return Error::InvalidArgument("no trading day before " + FormatCivilDate(date) + " within the calendar (starts " +
                                    FormatCivilDate(first_date()) + ")",
                                "date");
}

Result<CivilDate> ExchangeCalendar::TradingDayOnOrBefore(CivilDate date) const {
  TD_TRY(CheckCovered(date, "date"));
  if (TradesOn(date)) {
    return date;
  }
  return PreviousTradingDay(date);
}

Result<std::int64_t> ExchangeCalendar::TradingDaysBetween(CivilDate from, CivilDate to) const {
  TD_TRY(CheckCovered(from, "from"));
  TD_TRY(CheckCovered(to, "to"));
  const bool reversed = to < from;
  const CivilDate low = reversed ? to : from;
  const CivilDate high = reversed ? from : to;
  std::int64_t count = 0;
  for (CivilDate day = AddDays(low, 1); !(high < day); day = AddDays(day, 1)) {
    count += TradesOn(day) ? 1 : 0;
  }
  return reversed ? -count : count;
}

Result<std::vector<CivilDate>> ExchangeCalendar::TradingDays(CivilDate first, CivilDate last) const {
  TD_TRY(CheckCovered(first, "first"));
  TD_TRY(CheckCovered(last, "last"));
  if (last < first) {
    return Error::InvalidArgument(
        "last (" + FormatCivilDate(last) + ") is before first (" + FormatCivilDate(first) + ")", "last");
  }
  std::vector<CivilDate> days;
  for (CivilDate day = first; !(last < day); day = AddDays(day, 1)) {
    if (TradesOn(day)) {
      days.push_back(day);
    }
  }
  return days;
}

Result<TradingSession> ExchangeCalendar::Session(CivilDate date) const {
  TD_TRY(CheckCovered(date, "date"));
  if (!TradesOn(date)) {
    const SpecialDay* special = holidays_->Find(date);
    return Error::Unprocessable(std::string(ExchangeName(exchange_)) + " does not trade on " + FormatCivilDate(date) +
                                    (special != nullptr ? " (" + special->name + ")" : std::string(" (weekend)")),
                                "date");
  }
  const std::span<const PhaseTemplate> day_template = DayTemplate(exchange_);
  const auto regular = std::find_if(day_template.begin(), day_template.end(),
                                    [](const PhaseTemplate& p) { return p.phase == SessionPhase::kRegular; });
  TD_CHECK(regular != day_template.end());

  // Phases before the regular session move with its open, phases after it with its close.
  int open_shift = 0;
  int close_shift = 0;
  TradingSession session;
  session.date = date;
  session.provisional = holidays_->IsProvisionalYear(date.year);
  if (const SpecialDay* special = holidays_->Find(date); special != nullptr) {
    if (special->kind == DayKind::kEarlyClose) {
      session.early_close = true;
      close_shift = special->close_minute - (IsIndian(exchange_) ? regular->end_minute : kUsReferenceClose);
    } else if (special->kind == DayKind::kSpecialSession) {
      session.special_session = true;
      open_shift = special->open_minute - regular->start_minute;
      close_shift = special->close_minute - regular->end_minute;
    }
  }

  const std::int64_t day_number = DaysFromCivil(date);
  const auto to_utc = [&](int minute) -> Result<UnixNanos> {
    const std::int64_t day_offset = minute >= 0 ? minute / 1440 : -((-minute + 1439) / 1440);
    const int minute_of_day = static_cast<int>(minute - day_offset * 1440);
    LocalDateTime local;
    local.date = CivilFromDays(day_number + day_offset);
    local.hour = minute_of_day / 60;
    local.minute = minute_of_day % 60;
    // Session boundaries never sit in a DST gap or overlap today; should a rule change put one there,
    // take the instant the wall clock shows first rather than fail a whole day.
    return zone_.ToUtc(local, {NonexistentPolicy::kShiftForward, AmbiguousPolicy::kEarliest});
  };
  bool after_regular = false;
  for (const PhaseTemplate& phase : day_template) {
    int start = phase.start_minute;
    int end = phase.end_minute;
    if (phase.phase == SessionPhase::kRegular) {
      start += open_shift;
      end += close_shift;
      after_regular = true;
    } else if (after_regular) {
      start += close_shift;
      end += close_shift;
    } else {
      start += open_shift;
      end += open_shift;
    }
    auto start_utc = to_utc(start);
    auto end_utc = to_utc(end);
    if (!start_utc.ok()) {
      return start_utc.error();
    }
    if (!end_utc.ok()) {
      return end_utc.error();
    }
    session.phases.push_back(PhaseWindow{phase.phase, *start_utc, *end_utc});
    if (phase.phase == SessionPhase::kRegular) {
      session.regular_open = *start_utc;
      session.regular_close = *end_utc;
    }
  }
  return session;
}

Result<SessionStatus> ExchangeCalendar::StatusAt(UnixNanos as_of) const {
  const CivilDate local_date = zone_.LocalDate(as_of);
  if (auto covered = CheckCovered(local_date, "as_of"); !covered.ok()) {
    return covered.error();
  }
  SessionStatus status;
  status.as_of = as_of;
  status.tz = zone_.name();

  // Walk sessions forward from the local date. A phase may start the evening before its trading date
  // (Cboe GTH), so the session after the local date can already be running.
  bool have_open = false;
  bool have_close = false;
  CivilDate day = local_date;
  if (!TradesOn(day)) {
    auto next = NextTradingDay(day);
    if (!next.ok()) {
      return next.error();
    }
    day = *next;
  }
  for (int sessions_seen = 0; !(have_open && have_close); ++sessions_seen) {
    auto session = Session(day);
    if (!session.ok()) {
      return session.error();
    }
    if (sessions_seen < 2 && !status.phase.has_value()) {
      for (const PhaseWindow& window : session->phases) {
        if (window.start <= as_of && as_of < window.end) {
          status.phase = window.phase;
          status.status = StatusOfPhase(window.phase);
          status.trading_date = day;
        }
      }
    }
    if (!have_open && as_of < session->regular_open) {
      status.next_open = session->regular_open;
      have_open = true;
      if (!status.phase.has_value()) {
        status.trading_date = day;
      }
    }
    if (!have_close && as_of < session->regular_close) {
      status.next_close = session->regular_close;
      have_close = true;
    }
    if (!(have_open && have_close)) {
      auto next = NextTradingDay(day);
      if (!next.ok()) {
        return next.error();
      }
      day = *next;
    }
  }
  return status;
}

}  // namespace td::calendar
