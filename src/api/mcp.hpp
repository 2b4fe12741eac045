// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "api/router.hpp"

namespace td::api {

/// One MCP tool: an existing route, named by its OpenAPI operationId, offered under a tool name. The tool's
/// input schema is the route's own (request body for POST, path and query parameters for GET), so the MCP
/// surface and the HTTP surface can never disagree.
struct McpToolBinding {
  std::string tool_name;     // e.g. "scan"
  std::string operation_id;  // e.g. "gptScan"
  std::string description;   // empty: the route's summary and description
};

struct McpOptions {
  std::string server_name = "tradedesk";
  std::string server_version = "0.1.0";
  std::size_t max_sessions = 1024;                    // the least recently used session is dropped beyond this
  std::chrono::minutes session_idle_timeout{60};      // an idle session is forgotten (the client re-initialises)
  std::size_t max_tool_result_chars = 100000;         // larger tool results are cut, and say so
};

/// Registers MCP's streamable HTTP transport at `/mcp`: POST carries JSON-RPC 2.0 (single messages or batches;
/// initialize, notifications/initialized, ping, tools/list, tools/call), GET answers 405 (no server-initiated
/// stream), DELETE ends the session named by `Mcp-Session-Id`. A tool call runs the bound route through the
/// router with the caller's credentials, so authentication, per-key rate limits and validation are the route's
/// own. Bindings whose operationId is not registered are left out of tools/list. `router` must outlive the
/// server; routes may be added after this call (tools are resolved on first use, when the table is frozen).
/// `route_options` protects /mcp itself (typically AuthContext::Protected(): the same keys as the HTTP routes).
void AddMcpRoutes(Router& router, std::vector<McpToolBinding> tools, RouteOptions route_options,
                  McpOptions options = {});

/// The coach's tools: scan, plan, idea, chart_layers, chart_link, and (as their routes land) context,
/// multi_context and contracts.
std::vector<McpToolBinding> CoachMcpTools();

/// The protocol versions /mcp speaks, newest first.
const std::vector<std::string>& McpProtocolVersions();

}  // namespace td::api
