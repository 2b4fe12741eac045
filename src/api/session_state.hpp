// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <string_view>

#include "api/http_types.hpp"
#include "api/json_writer.hpp"
#include "calendar/exchange.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "model/instrument.hpp"

namespace td::api {

/// The response header that carries the session state (GPT Actions cannot read headers, so bodies carry it too).
inline constexpr std::string_view kMarketSessionHeader = "X-Market-Session";

/// Where an exchange's session stands at an instant, as the GPT surface reports it on every response.
struct SessionState {
  std::string status;   // "pre", "open", "post" or "closed" (the exchange calendar's status)
  UnixNanos as_of;      // the instant the data speaks for: `at` while open, else the last regular close
  UnixNanos next_open;  // the next regular-session open strictly after `at`
  std::string tz;       // IANA zone of the exchange, e.g. "America/New_York"
};

/// The session state of `exchange` at `at`. Errors (field "as_of") when `at` is outside the calendar's coverage.
Result<SessionState> SessionStateAt(calendar::Exchange exchange, UnixNanos at);

/// The session state of the exchange an instrument trades on (the simulator's facts; otherwise NSE for an
/// Asia/Kolkata zone and NYSE for the rest).
Result<SessionState> SessionStateOf(const InstrumentId& id, std::string_view time_zone, UnixNanos at);

/// "status=open; as_of=2025-09-16T15:00:00Z; next_open=2025-09-17T13:30:00Z; tz=America/New_York".
std::string SessionHeaderValue(const SessionState& state);

/// Writes the state as a JSON object value: {"status","as_of","next_open","tz"}.
void WriteSessionState(JsonWriter& json, const SessionState& state);

/// `{"session":{...}}`, an object to splice into an answer.
std::string SessionMember(const SessionState& state);

/// Sets the X-Market-Session header on a response.
Response& ApplySessionHeader(Response& response, const SessionState& state);

}  // namespace td::api
