// SPDX-License-Identifier: MIT
#pragma once

#include <string_view>

#include "core/result.hpp"

namespace td::runtime {

/// Longest topic or pattern accepted, in bytes.
inline constexpr std::size_t kMaxTopicLength = 256;

/// Checks a concrete topic: dot-separated non-empty segments ("data.bars.NSE:NIFTY.1m") of printable ASCII
/// without spaces, and no wildcard characters '*' or '>'.
Status ValidateTopic(std::string_view topic);

/// Checks a subscription pattern: a topic whose segments may also be '*' (exactly one segment) or, as the
/// last segment only, '>' (one or more remaining segments) — the NATS subject rules, so bus topics map
/// one-to-one onto NATS subjects when the bus is scaled out.
Status ValidatePattern(std::string_view pattern);

/// True when the valid pattern `pattern` matches the valid topic `topic`.
bool TopicMatches(std::string_view pattern, std::string_view topic);

}  // namespace td::runtime
