// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

namespace td::api {

class HttpServer;
struct AuthContext;

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
  // Authentication is on unless turned off (`serve --no-auth`, allowed only on a loopback listen address).
  bool auth_enabled = true;
  double key_rate_per_second = 50;  // per-key token bucket on protected routes
  double key_burst = 100;
  std::string key_pepper;  // config auth.pepper; empty: env TRADEDESK_KEY_PEPPER, else <data_dir>/key_pepper
  std::function<void(std::uint16_t bound_port)> on_listening;  // called once the socket is bound
};

/// Runs the HTTP server until SIGINT/SIGTERM, then shuts down gracefully; returns the process exit code.
int Serve(const ServeOptions& options);

/// As Serve(options), with `configure` called to add routes and readiness checks before the server starts.
int Serve(const ServeOptions& options, const std::function<void(HttpServer&)>& configure);

/// As above, and `configure` also receives the authentication context (key store, view-token signer, per-key
/// rate limiter) so route modules can protect their routes with `auth.Protected()` / `auth.PlanRead()`.
int Serve(const ServeOptions& options, const std::function<void(HttpServer&, const AuthContext&)>& configure);

/// True for listen hosts that only this machine can reach (127.0.0.0/8, ::1, localhost).
bool IsLoopbackHost(std::string_view host);

}  // namespace td::api
