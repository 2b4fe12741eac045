// SPDX-License-Identifier: MIT
#pragma once

#include <string_view>

#include <boost/json/value.hpp>

#include "core/result.hpp"

namespace td::api {

/// Parses a request body as JSON. Malformed input gives invalid_argument with the byte offset, line and
/// column of the failure, so the 400 tells the client where to look.
Result<boost::json::value> ParseJsonBody(std::string_view body);

}  // namespace td::api
