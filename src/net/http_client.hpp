// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace td::net {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "GET";
  std::string url;  // http:// or https://, with query
  Headers headers;
  std::string body;
  std::chrono::milliseconds timeout{10000};  // whole exchange: connect, write, read
};

struct HttpResponse {
  int status = 0;
  Headers headers;
  std::string body;
  /// The first header with this name (case-insensitive), or empty.
  std::string_view Header(std::string_view name) const;
};

struct HttpClientOptions {
  std::string user_agent = "tradedesk";
  std::size_t max_body_bytes = 64 * 1024 * 1024;
  bool verify_tls = true;
};

/// A blocking HTTP/1.1 client with one kept-alive connection per scheme://host:port, for I/O threads.
/// Outcomes: a response of any status is a value; a refused connection is kUnavailable; a timeout is
/// kTimeout — the request may or may not have reached the server, so callers must not blindly resend
/// anything that is not idempotent. Not thread-safe: one client per thread.
class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  Result<HttpResponse> Send(const HttpRequest& request);
  Result<HttpResponse> Get(const std::string& url, Headers headers = {});
  Result<HttpResponse> PostJson(const std::string& url, std::string body, Headers headers = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// A blocking WebSocket client (text frames), for a feed's I/O thread. Reconnection policy belongs to the
/// caller (see Backoff). Not thread-safe.
class WebSocketClient {
 public:
  WebSocketClient();
  ~WebSocketClient();
  WebSocketClient(const WebSocketClient&) = delete;
  WebSocketClient& operator=(const WebSocketClient&) = delete;

  /// Connects to ws:// or wss:// and completes the upgrade handshake.
  Status Connect(const std::string& url, const Headers& headers = {},
                 std::chrono::milliseconds timeout = std::chrono::milliseconds(10000));
  Status Send(std::string_view text, std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));
  /// Waits up to `timeout` for one text or binary message; kTimeout when none came, kUnavailable when closed.
  Result<std::string> Receive(std::chrono::milliseconds timeout);
  /// Sends a close frame (best effort) and drops the connection.
  void Close();
  bool connected() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace td::net
