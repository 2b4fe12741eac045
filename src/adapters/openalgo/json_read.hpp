// SPDX-License-Identifier: MIT
#pragma once

// Internal to the OpenAlgo adapter: reading OpenAlgo's JSON, where numbers often arrive as strings.

#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "core/fixed_point.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace td::adapters::openalgo::detail {

/// Parses text; malformed JSON is kInvalidArgument.
Result<boost::json::value> ParseJson(std::string_view text);
/// A string or integer value as text; empty for anything else or nullptr.
std::string Str(const boost::json::value* v);
/// A JSON number or numeric string. Missing, null and "" are nullopt; anything else non-numeric is an error.
Result<std::optional<double>> Number(const boost::json::object& o, std::string_view key);
/// As Number, with a missing value an error naming the key.
Result<double> RequiredNumber(const boost::json::object& o, std::string_view key);
/// Non-negative value at a precision; the error names the field.
Result<Price> ToPrice(double value, int precision, std::string_view field);
Result<Quantity> ToQuantity(double value, int precision, std::string_view field);
Result<std::optional<Price>> OptionalPrice(const boost::json::object& o, std::string_view key, int precision);
Result<std::optional<Quantity>> OptionalQuantity(const boost::json::object& o, std::string_view key, int precision);
/// Epoch seconds or milliseconds (by magnitude) as a number or digit string, or an ISO time string; naive
/// strings are exchange-local (`utc_offset_minutes` east of UTC).
Result<UnixNanos> Timestamp(const boost::json::value& v, int utc_offset_minutes);
/// Prefixes the error's field ("data[3]" + "high" -> "data[3].high").
Error WithField(Error error, const std::string& prefix);
/// The top-level object of a REST answer, checked for {"status":"success"}; status "error" is kUnprocessable
/// with OpenAlgo's message.
Result<boost::json::object> SuccessObject(const boost::json::value& root);

}  // namespace td::adapters::openalgo::detail
