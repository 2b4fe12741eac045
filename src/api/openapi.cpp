// SPDX-License-Identifier: MIT
#include <algorithm>
#include <map>

#include "api/json_writer.hpp"
#include "api/router.hpp"

namespace td::api {
namespace {

std::string_view LocationName(ParamLocation location) {
  switch (location) {
    case ParamLocation::kPath:
      return "path";
    case ParamLocation::kQuery:
      return "query";
    case ParamLocation::kHeader:
      return "header";
  }
  return "query";
}

std::string LowerMethod(Method method) {
  std::string name(MethodName(method));
  for (char& c : name) {
    c = static_cast<char>(c - 'A' + 'a');
  }
  return name;
}

constexpr std::string_view kErrorRef = R"({"$ref":"#/components/schemas/Error"})";

void WriteErrorResponse(JsonWriter& w, std::string_view status, std::string_view description) {
  w.Key(status).BeginObject().Key("description").String(description);
  w.Key("content").BeginObject().Key("application/json").BeginObject().Key("schema").Raw(kErrorRef);
  w.EndObject().EndObject().EndObject();
}

void WriteOperation(JsonWriter& w, const Route& route) {
  const RouteDoc& doc = route.doc;
  w.BeginObject();
  w.Key("operationId").String(doc.operation_id);
  w.Key("summary").String(doc.summary.empty() ? std::string(MethodName(route.method)) + " " + route.pattern
                                              : doc.summary);
  if (!doc.description.empty()) {
    w.Key("description").String(doc.description);
  }
  if (!doc.tags.empty()) {
    w.Key("tags").BeginArray();
    for (const std::string& tag : doc.tags) {
      w.String(tag);
    }
    w.EndArray();
  }
  // Every path parameter must be declared; undocumented ones become required strings.
  std::vector<ParamDoc> parameters = doc.parameters;
  for (const Route::Segment& segment : route.segments) {
    if (!segment.is_param) {
      continue;
    }
    const bool declared = std::any_of(parameters.begin(), parameters.end(), [&](const ParamDoc& p) {
      return p.in == ParamLocation::kPath && p.name == segment.text;
    });
    if (!declared) {
      parameters.push_back(ParamDoc{segment.text, ParamLocation::kPath, true, {}, R"({"type":"string"})"});
    }
  }
  if (!parameters.empty()) {
    w.Key("parameters").BeginArray();
    for (const ParamDoc& param : parameters) {
      w.BeginObject().Key("name").String(param.name).Key("in").String(LocationName(param.in));
      w.Key("required").Bool(param.in == ParamLocation::kPath || param.required);
      if (!param.description.empty()) {
        w.Key("description").String(param.description);
      }
      w.Key("schema").Raw(param.schema.empty() ? R"({"type":"string"})" : param.schema);
      w.EndObject();
    }
    w.EndArray();
  }
  if (!doc.request_body_schema.empty()) {
    w.Key("requestBody").BeginObject().Key("required").Bool(doc.request_body_required);
    w.Key("content").BeginObject().Key("application/json").BeginObject();
    w.Key("schema").Raw(doc.request_body_schema).EndObject().EndObject().EndObject();
  }
  w.Key("responses").BeginObject();
  std::vector<ResponseDoc> responses = doc.responses;
  if (responses.empty()) {
    if (route.kind == RouteKind::kWebSocket) {
      responses.push_back(ResponseDoc{101, "Switching Protocols: a WebSocket carrying text messages", {}, {}});
    } else if (route.kind == RouteKind::kSse) {
      responses.push_back(ResponseDoc{200, "A server-sent event stream", R"({"type":"string"})", "text/event-stream"});
    } else {
      responses.push_back(ResponseDoc{});
    }
  }
  for (const ResponseDoc& response : responses) {
    w.Key(std::to_string(response.status)).BeginObject().Key("description").String(response.description);
    if (!response.schema.empty()) {
      w.Key("content").BeginObject().Key(response.content_type).BeginObject().Key("schema").Raw(response.schema);
      w.EndObject().EndObject();
    }
    w.EndObject();
  }
  if (route.options.requires_auth) {
    WriteErrorResponse(w, "401", "Missing or invalid credentials");
  }
  if (route.options.rate_limiter) {
    WriteErrorResponse(w, "429", "Rate limit exceeded; see the Retry-After header");
  }
  WriteErrorResponse(w, "default", "Error");
  w.EndObject();
  if (route.options.requires_auth) {
    w.Key("security").BeginArray().BeginObject().Key("bearerAuth").BeginArray().EndArray().EndObject();
    if (route.options.credentials_optional) {
      w.BeginObject().EndObject();  // {} = anonymous is allowed too (e.g. with a `vt` view token)
    }
    w.EndArray();
  }
  if (route.method != Method::kGet || doc.consequential) {
    w.Key("x-openai-isConsequential").Bool(doc.consequential);
  }
  w.EndObject();
}

}  // namespace

std::string Router::OpenApiJson() const {
  JsonWriter w(16 * 1024);
  w.BeginObject();
  w.Key("openapi").String("3.1.0");
  w.Key("info").BeginObject().Key("title").String(title_).Key("version").String(version_);
  if (!description_.empty()) {
    w.Key("description").String(description_);
  }
  w.EndObject();
  w.Key("servers").BeginArray();
  for (const std::string& url : servers_) {
    w.BeginObject().Key("url").String(url).EndObject();
  }
  w.EndArray();

  // Group operations by pattern; std::map keeps the document stable across runs.
  std::map<std::string, std::vector<const Route*>> paths;
  bool any_auth = false;
  for (const auto& route : routes_) {
    if (route->doc.hidden) {
      continue;
    }
    paths[route->pattern].push_back(route.get());
    any_auth = any_auth || route->options.requires_auth;
  }
  w.Key("paths").BeginObject();
  for (const auto& [pattern, routes] : paths) {
    w.Key(pattern).BeginObject();
    for (const Route* route : routes) {
      w.Key(LowerMethod(route->method));
      WriteOperation(w, *route);
    }
    w.EndObject();
  }
  w.EndObject();

  w.Key("components").BeginObject().Key("schemas").BeginObject();
  for (const auto& [name, schema] : schemas_) {
    w.Key(name).Raw(schema);
  }
  w.EndObject();
  if (any_auth) {
    w.Key("securitySchemes").BeginObject().Key("bearerAuth").BeginObject();
    w.Key("type").String("http").Key("scheme").String("bearer").EndObject().EndObject();
  }
  w.EndObject();
  w.EndObject();
  return w.Take();
}

}  // namespace td::api
