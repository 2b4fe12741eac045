// SPDX-License-Identifier: MIT
#include "api/mcp.hpp"

#include <sodium.h>

#include <algorithm>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <utility>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "api/error_response.hpp"
#include "api/json_writer.hpp"
#include "api/router.hpp"
#include "core/check.hpp"

namespace td::api {

namespace json = boost::json;

namespace {

// JSON-RPC 2.0 error codes.
constexpr int kParseError = -32700;
constexpr int kInvalidRequest = -32600;
constexpr int kMethodNotFound = -32601;
constexpr int kInvalidParams = -32602;

constexpr std::string_view kSessionHeader = "mcp-session-id";

/// A tool resolved against the frozen route table.
struct ResolvedTool {
  std::string name;
  std::string description;
  std::string input_schema;  // JSON Schema text, $refs inlined
  const Route* route = nullptr;
  std::vector<std::string> path_params;
};

struct Session {
  std::string principal;
  std::string protocol_version;
  std::chrono::steady_clock::time_point last_used;
  std::list<std::string>::iterator lru;
};

// Replaces {"$ref":"#/components/schemas/X"} by the schema itself (MCP clients do not resolve references).
json::value InlineRefs(const json::value& node, const json::object& schemas, int depth = 0) {
  if (depth > 32) {
    return json::object{};  // a recursive schema: stop inlining rather than loop
  }
  if (node.is_object()) {
    const json::object& object = node.get_object();
    if (const json::value* ref = object.if_contains("$ref"); ref != nullptr && ref->is_string()) {
      constexpr std::string_view kPrefix = "#/components/schemas/";
      const std::string_view target(ref->get_string().data(), ref->get_string().size());
      if (target.starts_with(kPrefix)) {
        if (const json::value* schema = schemas.if_contains(target.substr(kPrefix.size()))) {
          return InlineRefs(*schema, schemas, depth + 1);
        }
      }
    }
    json::object out;
    for (const auto& [key, value] : object) {
      out[key] = InlineRefs(value, schemas, depth + 1);
    }
    return out;
  }
  if (node.is_array()) {
    json::array out;
    for (const json::value& value : node.get_array()) {
      out.push_back(InlineRefs(value, schemas, depth + 1));
    }
    return out;
  }
  return node;
}

std::string RandomSessionId() {
  unsigned char bytes[16];
  randombytes_buf(bytes, sizeof bytes);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  for (unsigned char b : bytes) {
    id.push_back(kHex[b >> 4]);
    id.push_back(kHex[b & 15]);
  }
  return id;
}

std::string_view HostOf(std::string_view authority) {
  if (const auto scheme = authority.find("://"); scheme != std::string_view::npos) {
    authority.remove_prefix(scheme + 3);
  }
  if (authority.starts_with('[')) {
    const auto close = authority.find(']');
    return close == std::string_view::npos ? authority : authority.substr(0, close + 1);
  }
  return authority.substr(0, authority.find_first_of(":/"));
}

// DNS-rebinding guard: a browser page may only reach /mcp from the server's own host or loopback.
bool OriginAllowed(const Request& request) {
  const auto origin = request.Header("origin");
  if (!origin) {
    return true;
  }
  const std::string_view origin_host = HostOf(*origin);
  if (origin_host == "localhost" || origin_host == "127.0.0.1" || origin_host == "[::1]") {
    return true;
  }
  const auto host = request.Header("host");
  return host && HostOf(*host) == origin_host;
}

std::string ArgumentText(const json::value& value) {
  if (value.is_string()) {
    return std::string(value.get_string().c_str());
  }
  return json::serialize(value);
}

class McpServer : public std::enable_shared_from_this<McpServer> {
 public:
  McpServer(Router& router, std::vector<McpToolBinding> bindings, McpOptions options)
      : router_(router), bindings_(std::move(bindings)), options_(std::move(options)) {}

  Result<Response> HandlePost(const Request& request) {
    if (!OriginAllowed(request)) {
      return ErrorResponse(403, "forbidden_origin", "this Origin may not call /mcp", "origin");
    }
    if (const auto accept = request.Header("accept");
        accept && accept->find("application/json") == std::string_view::npos &&
        accept->find("*/*") == std::string_view::npos && accept->find("application/*") == std::string_view::npos) {
      return ErrorResponse(406, "not_acceptable", "/mcp answers with application/json", "accept");
    }
    boost::system::error_code ec;
    json::value message = json::parse(request.body, ec);
    if (ec) {
      return Response::Json(RpcError(json::value(nullptr), kParseError, "malformed JSON: " + ec.message()), 400);
    }
    const bool initializing = IsInitialize(message);
    std::string session_id;
    if (!initializing) {
      const auto header = request.Header(kSessionHeader);
      if (!header || header->empty()) {
        return Response::Json(
            RpcError(json::value(nullptr), kInvalidRequest, "Mcp-Session-Id is required after initialize"), 400);
      }
      session_id = std::string(*header);
      if (!TouchSession(session_id, request.principal)) {
        return Response::Json(RpcError(json::value(nullptr), kInvalidRequest, "unknown or expired session"), 404);
      }
    }
    std::vector<std::string> replies;
    if (message.is_array()) {
      if (message.get_array().empty()) {
        return Response::Json(RpcError(json::value(nullptr), kInvalidRequest, "empty batch"), 400);
      }
      for (const json::value& one : message.get_array()) {
        if (auto reply = HandleMessage(one, request, session_id)) {
          replies.push_back(std::move(*reply));
        }
      }
    } else if (auto reply = HandleMessage(message, request, session_id)) {
      replies.push_back(std::move(*reply));
    }
    if (replies.empty()) {
      Response accepted = Response::Text("", "application/json", 202);
      return accepted;
    }
    std::string body;
    if (message.is_array()) {
      body = "[";
      for (std::size_t i = 0; i < replies.size(); ++i) {
        body += (i == 0 ? "" : ",") + replies[i];
      }
      body += "]";
    } else {
      body = std::move(replies.front());
    }
    Response response = Response::Json(std::move(body));
    if (!session_id.empty()) {
      response.SetHeader("Mcp-Session-Id", session_id);
    }
    return response;
  }

  Result<Response> HandleDelete(const Request& request) {
    const auto header = request.Header(kSessionHeader);
    if (!header || header->empty()) {
      return Error::InvalidArgument("Mcp-Session-Id is required", "mcp-session-id");
    }
    std::lock_guard lock(mutex_);
    auto it = sessions_.find(std::string(*header));
    if (it == sessions_.end() || it->second.principal != request.principal) {
      return Error::NotFound("unknown or expired session", "mcp-session-id");
    }
    lru_.erase(it->second.lru);
    sessions_.erase(it);
    return Response::NoContent();
  }

 private:
  static bool IsInitialize(const json::value& message) {
    const json::object* object = message.if_object();
    const json::value* method = object == nullptr ? nullptr : object->if_contains("method");
    return method != nullptr && method->is_string() && method->get_string() == "initialize";
  }

  static std::string RpcError(const json::value& id, int code, std::string_view message) {
    JsonWriter w;
    w.BeginObject().Key("jsonrpc").String("2.0").Key("id").Raw(json::serialize(id));
    w.Key("error").BeginObject().Key("code").Int(code).Key("message").String(message).EndObject();
    w.EndObject();
    return w.Take();
  }

  static std::string RpcResult(const json::value& id, std::string_view result_json) {
    JsonWriter w;
    w.BeginObject().Key("jsonrpc").String("2.0").Key("id").Raw(json::serialize(id)).Key("result").Raw(result_json);
    w.EndObject();
    return w.Take();
  }

  // Returns the reply, or nothing for a notification (no id).
  std::optional<std::string> HandleMessage(const json::value& message, const Request& request,
                                           std::string& session_id) {
    const json::object* object = message.if_object();
    if (object == nullptr) {
      return RpcError(json::value(nullptr), kInvalidRequest, "a JSON-RPC message must be an object");
    }
    const json::value* id = object->if_contains("id");
    const json::value* method = object->if_contains("method");
    const json::value* version = object->if_contains("jsonrpc");
    const json::value id_value = id != nullptr ? *id : json::value(nullptr);
    if (version == nullptr || !version->is_string() || version->get_string() != "2.0") {
      return RpcError(id_value, kInvalidRequest, "jsonrpc must be \"2.0\"");
    }
    if (method == nullptr) {
      return std::nullopt;  // a response to a server request; we never send any, so nothing to match
    }
    if (!method->is_string()) {
      return RpcError(id_value, kInvalidRequest, "method must be a string");
    }
    const std::string_view name(method->get_string().data(), method->get_string().size());
    const json::value* params_value = object->if_contains("params");
    static const json::object kNoParams;
    const json::object& params =
        params_value != nullptr && params_value->is_object() ? params_value->get_object() : kNoParams;
    if (id == nullptr) {
      return std::nullopt;  // notifications/initialized, notifications/cancelled, ...: nothing to answer
    }
    if (name == "initialize") {
      return RpcResult(id_value, Initialize(params, request, session_id));
    }
    if (name == "ping") {
      return RpcResult(id_value, "{}");
    }
    if (name == "tools/list") {
      return RpcResult(id_value, ListTools());
    }
    if (name == "tools/call") {
      return CallTool(id_value, params, request);
    }
    return RpcError(id_value, kMethodNotFound, "unknown method " + std::string(name));
  }

  std::string Initialize(const json::object& params, const Request& request, std::string& session_id) {
    std::string version = McpProtocolVersions().front();
    if (const json::value* asked = params.if_contains("protocolVersion"); asked != nullptr && asked->is_string()) {
      const std::string wanted(asked->get_string().c_str());
      const auto& known = McpProtocolVersions();
      if (std::find(known.begin(), known.end(), wanted) != known.end()) {
        version = wanted;
      }
    }
    session_id = RandomSessionId();
    {
      std::lock_guard lock(mutex_);
      while (sessions_.size() >= options_.max_sessions && !lru_.empty()) {
        sessions_.erase(lru_.back());
        lru_.pop_back();
      }
      lru_.push_front(session_id);
      sessions_[session_id] = Session{request.principal, version, std::chrono::steady_clock::now(), lru_.begin()};
    }
    JsonWriter w;
    w.BeginObject().Key("protocolVersion").String(version);
    w.Key("capabilities").BeginObject().Key("tools").BeginObject().Key("listChanged").Bool(false).EndObject();
    w.EndObject();
    w.Key("serverInfo").BeginObject().Key("name").String(options_.server_name);
    w.Key("version").String(options_.server_version).EndObject();
    w.Key("instructions").String(
        "Trading coach tools: scan a universe for setups, build a trade plan for a symbol, read market context, "
        "rank option contracts and make a chart link. Prices are in the instrument's currency.");
    w.EndObject();
    return w.Take();
  }

  bool TouchSession(const std::string& id, const std::string& principal) {
    std::lock_guard lock(mutex_);
    auto it = sessions_.find(id);
    const auto now = std::chrono::steady_clock::now();
    if (it == sessions_.end()) {
      return false;
    }
    if (it->second.principal != principal || now - it->second.last_used > options_.session_idle_timeout) {
      if (it->second.principal == principal) {
        lru_.erase(it->second.lru);
        sessions_.erase(it);
      }
      return false;
    }
    it->second.last_used = now;
    lru_.splice(lru_.begin(), lru_, it->second.lru);
    return true;
  }

  const std::vector<ResolvedTool>& Tools() {
    std::call_once(resolved_once_, [this] { Resolve(); });
    return tools_;
  }

  void Resolve() {
    const json::value document = json::parse(router_.OpenApiJson());
    const json::object& root = document.get_object();
    json::object schemas;
    if (const json::value* components = root.if_contains("components")) {
      if (const json::value* s = components->get_object().if_contains("schemas")) {
        schemas = s->get_object();
      }
    }
    for (const McpToolBinding& binding : bindings_) {
      const Route* route = nullptr;
      for (const auto& candidate : router_.routes()) {
        if (candidate->kind == RouteKind::kHandler && candidate->doc.operation_id == binding.operation_id) {
          route = candidate.get();
          break;
        }
      }
      if (route == nullptr) {
        continue;
      }
      ResolvedTool tool;
      tool.name = binding.tool_name;
      tool.route = route;
      tool.description = binding.description.empty()
                             ? route->doc.summary + (route->doc.description.empty() ? "" : " " + route->doc.description)
                             : binding.description;
      json::object properties;
      json::array required;
      json::object schema{{"type", "object"}};
      if (!route->doc.request_body_schema.empty()) {
        json::value body = InlineRefs(json::parse(route->doc.request_body_schema), schemas);
        if (body.is_object()) {
          schema = body.get_object();
          if (const json::value* p = schema.if_contains("properties"); p != nullptr && p->is_object()) {
            properties = p->get_object();
          }
          if (const json::value* r = schema.if_contains("required"); r != nullptr && r->is_array()) {
            required = r->get_array();
          }
        }
      }
      for (const Route::Segment& segment : route->segments) {
        if (segment.is_param) {
          tool.path_params.push_back(segment.text);
          properties[segment.text] = json::object{{"type", "string"}};
          required.push_back(json::value(segment.text));
        }
      }
      for (const ParamDoc& param : route->doc.parameters) {
        if (param.in == ParamLocation::kHeader) {
          continue;
        }
        json::value param_schema = InlineRefs(json::parse(param.schema), schemas);
        if (param_schema.is_object() && !param.description.empty()) {
          param_schema.get_object()["description"] = param.description;
        }
        properties[param.name] = std::move(param_schema);
        if (param.required && std::find(required.begin(), required.end(), json::value(param.name)) == required.end()) {
          required.push_back(json::value(param.name));
        }
      }
      schema["type"] = "object";
      schema["properties"] = std::move(properties);
      if (!required.empty()) {
        schema["required"] = std::move(required);
      }
      tool.input_schema = json::serialize(schema);
      tools_.push_back(std::move(tool));
    }
  }

  std::string ListTools() {
    JsonWriter w;
    w.BeginObject().Key("tools").BeginArray();
    for (const ResolvedTool& tool : Tools()) {
      w.BeginObject().Key("name").String(tool.name).Key("description").String(tool.description);
      w.Key("inputSchema").Raw(tool.input_schema).EndObject();
    }
    w.EndArray().EndObject();
    return w.Take();
  }

  std::string CallTool(const json::value& id, const json::object& params, const Request& outer) {
    const json::value* name = params.if_contains("name");
    if (name == nullptr || !name->is_string()) {
      return RpcError(id, kInvalidParams, "params.name must name a tool");
    }
    const std::string tool_name(name->get_string().c_str());
    const auto& tools = Tools();
    const auto tool = std::find_if(tools.begin(), tools.end(), [&](const ResolvedTool& t) { return t.name == tool_name; });
    if (tool == tools.end()) {
      return RpcError(id, kInvalidParams, "unknown tool " + tool_name);
    }
    const json::value* arguments_value = params.if_contains("arguments");
    if (arguments_value != nullptr && !arguments_value->is_object() && !arguments_value->is_null()) {
      return RpcError(id, kInvalidParams, "params.arguments must be an object");
    }
    json::object arguments =
        arguments_value != nullptr && arguments_value->is_object() ? arguments_value->get_object() : json::object{};

    Request inner;
    inner.method = tool->route->method;
    inner.headers = outer.headers;
    inner.remote_address = outer.remote_address;
    inner.request_id = outer.request_id;
    inner.route_pattern = tool->route->pattern;
    std::string path;
    for (const Route::Segment& segment : tool->route->segments) {
      std::string text = segment.text;
      if (segment.is_param) {
        const json::value* value = arguments.if_contains(segment.text);
        if (value == nullptr) {
          return RpcError(id, kInvalidParams, "missing argument " + segment.text);
        }
        text = ArgumentText(*value);
        inner.path_params.emplace_back(segment.text, text);
        arguments.erase(segment.text);
      }
      path += "/" + text;
    }
    inner.path = path.empty() ? "/" : path;
    inner.target = inner.path;
    if (inner.method == Method::kGet) {
      for (const auto& [key, value] : arguments) {
        inner.query.emplace_back(std::string(key), ArgumentText(value));
      }
    } else {
      inner.body = json::serialize(arguments);
      inner.headers.erase(std::remove_if(inner.headers.begin(), inner.headers.end(),
                                         [](const auto& h) { return h.first == "content-length"; }),
                          inner.headers.end());
    }
    Response response = router_.Invoke(*tool->route, inner);
    std::string text = std::move(response.body);
    bool truncated = false;
    if (text.size() > options_.max_tool_result_chars) {
      text.resize(options_.max_tool_result_chars);
      truncated = true;
    }
    JsonWriter w;
    w.BeginObject().Key("content").BeginArray();
    w.BeginObject().Key("type").String("text").Key("text").String(text).EndObject();
    if (truncated) {
      w.BeginObject().Key("type").String("text");
      w.Key("text").String("[truncated: the result exceeded " + std::to_string(options_.max_tool_result_chars) +
                           " characters; ask for fewer items]");
      w.EndObject();
    }
    w.EndArray();
    if (!truncated && response.content_type.starts_with("application/json") && !text.empty() && text.front() == '{') {
      w.Key("structuredContent").Raw(text);
    }
    w.Key("isError").Bool(response.status >= 400).EndObject();
    return RpcResult(id, w.Take());
  }

  Router& router_;
  const std::vector<McpToolBinding> bindings_;
  const McpOptions options_;
  std::once_flag resolved_once_;
  std::vector<ResolvedTool> tools_;
  std::mutex mutex_;
  std::map<std::string, Session> sessions_;
  std::list<std::string> lru_;  // most recently used first
};

}  // namespace

const std::vector<std::string>& McpProtocolVersions() {
  static const std::vector<std::string> kVersions = {"2025-06-18", "2025-03-26", "2024-11-05"};
  return kVersions;
}

std::vector<McpToolBinding> CoachMcpTools() {
  return {
      {"scan", "coachScan", ""},
      {"plan", "coachPlan", ""},
      {"idea", "getIdea", ""},
      {"chart_layers", "getChartLayers", ""},
      {"chart_link", "coachChartUrl", ""},
      {"context", "coachContext", ""},
      {"multi_context", "coachMultiContext", ""},
      {"contracts", "coachContracts", ""},
  };
}

void AddMcpRoutes(Router& router, std::vector<McpToolBinding> tools, RouteOptions route_options, McpOptions options) {
  TD_CHECK(sodium_init() >= 0) << "libsodium failed to initialise";
  auto server = std::make_shared<McpServer>(router, std::move(tools), options);

  RouteDoc post = MakeDoc("Model Context Protocol endpoint (streamable HTTP, JSON-RPC 2.0)", "mcpPost", {"mcp"});
  post.description = "initialize, tools/list and tools/call over JSON-RPC 2.0; the tools are this API's routes.";
  post.request_body_schema = R"({"type":["object","array"]})";
  post.hidden = true;
  router.Post("/mcp", [server](const Request& r) { return server->HandlePost(r); }, std::move(post), route_options);

  RouteDoc get = MakeDoc("MCP server-initiated stream (not offered)", "mcpGet", {"mcp"});
  get.hidden = true;
  router.Get(
      "/mcp",
      [](const Request&) -> Result<Response> {
        Response response = ErrorResponse(405, "method_not_allowed", "this server opens no server-initiated stream");
        response.SetHeader("Allow", "POST, DELETE");
        return response;
      },
      std::move(get), route_options);

  RouteDoc del = MakeDoc("End an MCP session", "mcpDelete", {"mcp"});
  del.hidden = true;
  router.Add(Method::kDelete, "/mcp", [server](const Request& r) { return server->HandleDelete(r); }, std::move(del),
             route_options);
}

}  // namespace td::api
