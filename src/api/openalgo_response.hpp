// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "api/http_types.hpp"
#include "core/error.hpp"
#include "core/result.hpp"

namespace boost::json {
class object;
}

namespace td::api {

/// OpenAlgo answers failures as {"status":"error","message":...}; our structured error ({"code","message",
/// "field"}) rides beside it under "error", so a client written for either shape understands the answer. The
/// HTTP status follows the error code (400, 403, 404, 429, 500...).
Response OpenAlgoError(const Error& error);
/// Several bad fields at once: "message" joins them ("quantity: ...; price: ..."), "error" is the first and
/// "errors" lists every one with its field.
Response OpenAlgoFieldErrors(const std::vector<Error>& errors);
/// OpenAlgo's refusal of a missing, wrong or revoked key: 403 {"status":"error","message":"Invalid openalgo apikey"}.
Response OpenAlgoInvalidKey();
/// OpenAlgo's rate-limit answer: 429 with Retry-After (whole seconds, at least 1).
Response OpenAlgoRateLimited(std::int64_t retry_after_seconds);

/// A string member of a JSON object body: missing or null is "" (or an error naming the field when
/// `required`); any other type is an error naming the field.
Result<std::string> JsonStringField(const boost::json::object& body, std::string_view name, bool required);

}  // namespace td::api
