// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "api/metrics.hpp"
#include "api/router.hpp"
#include "core/result.hpp"

namespace td::api {

/// Settings of the in-process HTTP server.
struct HttpServerOptions {
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 0;  // 0: the OS picks a free port (see port())
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 1024 * 1024;
  std::chrono::milliseconds read_timeout{15000};  // to receive one whole request (and to write a response)
  std::chrono::milliseconds idle_timeout{60000};  // between requests on a keep-alive connection
  std::chrono::milliseconds shutdown_grace{10000};
  int io_threads = 2;
  std::filesystem::path static_dir;                // empty: no static files
  std::size_t stream_queue_capacity = 1024;        // per SSE/WebSocket client; overflow drops the client
  std::chrono::milliseconds sse_heartbeat{15000};  // comment line on idle SSE streams; 0 disables
  int stream_send_buffer_bytes = 0;                // SO_SNDBUF for stream sockets; 0: the OS default
  bool builtin_routes = true;                      // /healthz, /readyz, /metrics, /openapi.json
};

/// HTTP/1.1 server on Boost.Beast (kept inside one .cpp): keep-alive, size limits and timeouts, N io
/// threads, the Router, JSON errors, request ids, metrics, static files, SSE and WebSocket streams, and a
/// graceful Stop(). Add routes before Start().
class HttpServer {
 public:
  explicit HttpServer(HttpServerOptions options = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  Router& router();
  HttpMetrics& metrics();
  const HttpServerOptions& options() const;

  /// Registers a readiness check for /readyz (thread-safe, any time). A failing Status names the problem.
  void AddReadinessCheck(std::string name, std::function<Status()> check);

  /// Binds, listens and starts the io threads. Fails (io_error) when the address cannot be bound.
  Status Start();
  /// Graceful stop: stops accepting (new connections are refused), closes idle connections and streams,
  /// lets in-flight requests finish within shutdown_grace, then closes everything and joins the threads.
  /// Idempotent; must not be called from a handler.
  void Stop();

  /// The bound port (after Start).
  std::uint16_t port() const;
  /// Connections currently open (HTTP, SSE and WebSocket).
  std::size_t open_connections() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace td::api
