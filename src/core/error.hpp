// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace td {

/// The kinds of expected failure. Each maps to one HTTP status at the API edge.
enum class ErrorCode : std::uint8_t {
  kInvalidArgument,   // bad input: a field's value is malformed or out of range (400)
  kUnprocessable,     // well-formed but not acceptable in this state (422)
  kNotFound,          // (404)
  kAlreadyExists,     // (409)
  kConflict,          // state moved on, e.g. stale layers (409)
  kUnauthenticated,   // (401)
  kPermissionDenied,  // (403)
  kRateLimited,       // (429)
  kUnavailable,       // a dependency is down or not ready (503)
  kTimeout,           // the outcome is unknown (504 at the edge; orders stay in flight)
  kCorruptData,       // a file or frame failed its checksum or format
  kIo,                // the operating system said no
  kInternal,          // a bug caught at an edge (500)
};

/// Returns the stable snake_case name of an error code, as used in API error bodies.
std::string_view ErrorCodeName(ErrorCode code);

/// A structured, expected failure: what went wrong, in words, and which input field it concerns.
struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  std::string field;  // dotted path of the offending input field; empty when none applies

  static Error InvalidArgument(std::string message, std::string field = {}) {
    return Error{ErrorCode::kInvalidArgument, std::move(message), std::move(field)};
  }
  static Error NotFound(std::string message, std::string field = {}) {
    return Error{ErrorCode::kNotFound, std::move(message), std::move(field)};
  }
  static Error Unprocessable(std::string message, std::string field = {}) {
    return Error{ErrorCode::kUnprocessable, std::move(message), std::move(field)};
  }
  static Error Corrupt(std::string message) { return Error{ErrorCode::kCorruptData, std::move(message), {}}; }
  static Error Io(std::string message) { return Error{ErrorCode::kIo, std::move(message), {}}; }
  static Error Internal(std::string message) { return Error{ErrorCode::kInternal, std::move(message), {}}; }

  /// Returns "code: message (field)" for logs and CLI output.
  std::string ToString() const;
};

}  // namespace td
