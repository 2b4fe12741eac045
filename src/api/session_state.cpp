// SPDX-License-Identifier: MIT
#include "api/session_state.hpp"

#include "calendar/exchange_calendar.hpp"
#include "system/coach_service.hpp"

namespace td::api {
namespace {

Error AsOfField(Error error) {
  error.field = "as_of";
  return error;
}

}  // namespace

Result<SessionState> SessionStateAt(calendar::Exchange exchange, UnixNanos at) {
  const auto& cal = calendar::ExchangeCalendar::Get(exchange);
  auto status = cal.StatusAt(at);
  if (!status.ok()) {
    return AsOfField(status.error());
  }
  SessionState state;
  state.status = std::string(calendar::MarketStatusName(status->status));
  state.next_open = status->next_open;
  state.tz = std::string(status->tz);
  state.as_of = at;
  if (status->status == calendar::MarketStatus::kOpen) {
    return state;
  }
  // Not open: the data speaks for the last regular close at or before `at`.
  auto day = cal.TradingDayOnOrBefore(cal.time_zone().LocalDate(at));
  if (!day.ok()) {
    return AsOfField(day.error());
  }
  auto session = cal.Session(*day);
  if (session.ok() && session->regular_close > at) {
    auto previous = cal.PreviousTradingDay(*day);
    if (!previous.ok()) {
      return AsOfField(previous.error());
    }
    session = cal.Session(*previous);
  }
  if (!session.ok()) {
    return AsOfField(session.error());
  }
  state.as_of = session->regular_close;
  return state;
}

Result<SessionState> SessionStateOf(const InstrumentId& id, std::string_view time_zone, UnixNanos at) {
  const auto facts = system::FactsOf(id);
  const calendar::Exchange exchange =
      facts ? facts->exchange : (time_zone == "Asia/Kolkata" ? calendar::Exchange::kNse : calendar::Exchange::kNyse);
  return SessionStateAt(exchange, at);
}

std::string SessionMember(const SessionState& state) {
  JsonWriter json(160);
  json.BeginObject();
  json.Key("session");
  WriteSessionState(json, state);
  json.EndObject();
  return json.Take();
}

std::string SessionHeaderValue(const SessionState& state) {
  return "status=" + state.status + "; as_of=" + state.as_of.ToIso8601() + "; next_open=" +
         state.next_open.ToIso8601() + "; tz=" + state.tz;
}

void WriteSessionState(JsonWriter& json, const SessionState& state) {
  json.BeginObject();
  json.Key("status").String(state.status);
  json.Key("as_of").String(state.as_of.ToIso8601());
  json.Key("next_open").String(state.next_open.ToIso8601());
  json.Key("tz").String(state.tz);
  json.EndObject();
}

Response& ApplySessionHeader(Response& response, const SessionState& state) {
  return response.SetHeader(std::string(kMarketSessionHeader), SessionHeaderValue(state));
}

}  // namespace td::api
