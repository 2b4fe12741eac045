// SPDX-License-Identifier: MIT
#include "api/openalgo_response.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "api/error_response.hpp"
#include "api/json_writer.hpp"

namespace td::api {
namespace {

void WriteStructured(JsonWriter& json, const Error& error) {
  json.BeginObject();
  json.Key("code").String(ErrorCodeName(error.code));
  json.Key("message").String(error.message);
  json.Key("field").StringOrNull(error.field);
  json.EndObject();
}

}  // namespace

Response OpenAlgoError(const Error& error) {
  // ErrorResponse picks the status (and logs nothing); server faults never show their text.
  Response response = ErrorResponse(error);
  Error visible = error;
  if (IsServerFault(error.code)) {
    visible.message = std::string(kInternalErrorMessage);
    visible.field.clear();
  }
  JsonWriter json;
  json.BeginObject();
  json.Key("status").String("error");
  json.Key("message").String(visible.message);
  json.Key("error");
  WriteStructured(json, visible);
  json.EndObject();
  response.body = json.Take();
  return response;
}

Response OpenAlgoFieldErrors(const std::vector<Error>& errors) {
  if (errors.size() == 1) {
    return OpenAlgoError(errors.front());
  }
  std::string message;
  for (const Error& error : errors) {
    if (!message.empty()) {
      message += "; ";
    }
    message += error.field.empty() ? error.message : error.field + ": " + error.message;
  }
  Response response = ErrorResponse(errors.front());
  JsonWriter json;
  json.BeginObject();
  json.Key("status").String("error");
  json.Key("message").String(message);
  json.Key("error");
  WriteStructured(json, errors.front());
  json.Key("errors").BeginArray();
  for (const Error& error : errors) {
    WriteStructured(json, error);
  }
  json.EndArray();
  json.EndObject();
  response.body = json.Take();
  return response;
}

Response OpenAlgoInvalidKey() {
  return OpenAlgoError(Error{ErrorCode::kPermissionDenied, "Invalid openalgo apikey", "apikey"});
}

Response OpenAlgoRateLimited(std::int64_t retry_after_seconds) {
  Response response =
      OpenAlgoError(Error{ErrorCode::kRateLimited, "Rate limit exceeded. Please try again later.", {}});
  response.SetHeader("Retry-After", std::to_string(std::max<std::int64_t>(1, retry_after_seconds)));
  return response;
}

Result<std::string> JsonStringField(const boost::json::object& body, std::string_view name, bool required) {
  const auto* value = body.if_contains(name);
  if (value == nullptr || value->is_null()) {
    if (required) {
      return Error::InvalidArgument(std::string(name) + " is required", std::string(name));
    }
    return std::string();
  }
  if (!value->is_string()) {
    return Error::InvalidArgument(std::string(name) + " must be a string", std::string(name));
  }
  return std::string(value->as_string());
}

}  // namespace td::api
