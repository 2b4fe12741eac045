// SPDX-License-Identifier: MIT
#pragma once

#include <string_view>

#include "api/http_types.hpp"
#include "core/error.hpp"

namespace td::api {

/// The HTTP status for an ErrorCode (invalid_argument 400, unprocessable 422, unauthenticated 401, ...).
int HttpStatusFor(ErrorCode code);

/// True for codes whose message is for the operator's log, not for the client (internal, io, corrupt data).
bool IsServerFault(ErrorCode code);

/// The one error body of the API: {"error":{"code":..,"message":..,"field":..|null}}.
std::string ErrorBody(std::string_view code, std::string_view message, std::string_view field = {});

/// A JSON error response with an explicit status and code (for HTTP-level failures such as 405 or 413).
Response ErrorResponse(int status, std::string_view code, std::string_view message, std::string_view field = {});

/// Maps an Error to its response. Server faults get a generic message so internals never leak.
Response ErrorResponse(const Error& error);

/// The generic message used for 500 responses.
inline constexpr std::string_view kInternalErrorMessage = "internal server error";

}  // namespace td::api
