// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

namespace td::api {

class HttpServer;

/// Settings of the `serve` command.
struct ServeOptions {
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 8080;  // 0 = pick a free port (tests)
  std::filesystem::path data_dir = "var";
  std::filesystem::path static_dir;  // empty: no static files
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 1024 * 1024;
  std::chrono::milliseconds read_timeout{15000};
  std::chrono::milliseconds idle_timeout{60000};
  std::chrono::milliseconds shutdown_grace{10000};
  int io_threads = 2;
  std::function<void(std::uint16_t bound_port)> on_listening;  // called once the socket is bound
};

/// Runs the HTTP server until SIGINT/SIGTERM, then shuts down gracefully; returns the process exit code.
int Serve(const ServeOptions& options);

/// As Serve(options), with `configure` called to add routes and readiness checks before the server starts.
int Serve(const ServeOptions& options, const std::function<void(HttpServer&)>& configure);

}  // namespace td::api
