// SPDX-License-Identifier: MIT
#include "api/error_response.hpp"

#include "api/json_writer.hpp"

namespace td::api {

int HttpStatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return 400;
    case ErrorCode::kUnprocessable:
      return 422;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kAlreadyExists:
      return 409;
    case ErrorCode::kConflict:
      return 409;
    case ErrorCode::kUnauthenticated:
      return 401;
    case ErrorCode::kPermissionDenied:
      return 403;
    case ErrorCode::kRateLimited:
      return 429;
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kTimeout:
      return 504;
    case ErrorCode::kCorruptData:
      return 500;
    case ErrorCode::kIo:
      return 500;
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

bool IsServerFault(ErrorCode code) {
  return code == ErrorCode::kInternal || code == ErrorCode::kIo || code == ErrorCode::kCorruptData;
}

std::string ErrorBody(std::string_view code, std::string_view message, std::string_view field) {
  JsonWriter writer(64 + message.size());
  writer.BeginObject().Key("error").BeginObject();
  writer.Key("code").String(code).Key("message").String(message).Key("field").StringOrNull(field);
  writer.EndObject().EndObject();
  return writer.Take();
}

Response ErrorResponse(int status, std::string_view code, std::string_view message, std::string_view field) {
  return Response::Json(ErrorBody(code, message, field), status);
}

Response ErrorResponse(const Error& error) {
  if (IsServerFault(error.code)) {
    return ErrorResponse(500, ErrorCodeName(ErrorCode::kInternal), kInternalErrorMessage);
  }
  Response response = ErrorResponse(HttpStatusFor(error.code), ErrorCodeName(error.code), error.message, error.field);
  if (error.code == ErrorCode::kUnauthenticated) {
    response.SetHeader("WWW-Authenticate", "Bearer");
  }
  return response;
}

}  // namespace td::api
