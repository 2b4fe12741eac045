// SPDX-License-Identifier: MIT
#include "api/server.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <memory>

#include "api/auth_context.hpp"
#include "api/demo_routes.hpp"
#include "api/http_server.hpp"
#include "api/log.hpp"
#include "core/clock.hpp"

namespace td::api {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;

// The write end of the self-pipe that turns an async signal into a readable byte.
std::atomic<int> g_signal_fd{-1};

extern "C" void OnTerminationSignal(int signal_number) {
  const int saved_errno = errno;
  const int fd = g_signal_fd.load();
  if (fd >= 0) {
    const char byte = static_cast<char>(signal_number);
    if (::write(fd, &byte, 1) < 0) {
      // Nothing useful can be done inside a signal handler; the pipe is non-blocking.
    }
  }
  errno = saved_errno;
}

/// Installs SIGINT/SIGTERM handlers for its lifetime and restores the previous ones afterwards.
class SignalWaiter {
 public:
  SignalWaiter() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
      return;
    }
    read_fd_ = fds[0];
    write_fd_ = fds[1];
    ::fcntl(write_fd_, F_SETFL, ::fcntl(write_fd_, F_GETFL) | O_NONBLOCK);
    g_signal_fd.store(write_fd_);
    struct sigaction action {};
    action.sa_handler = OnTerminationSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    ::sigaction(SIGINT, &action, &previous_int_);
    ::sigaction(SIGTERM, &action, &previous_term_);
    installed_ = true;
  }

  ~SignalWaiter() {
    if (installed_) {
      ::sigaction(SIGINT, &previous_int_, nullptr);
      ::sigaction(SIGTERM, &previous_term_, nullptr);
      g_signal_fd.store(-1);
    }
    if (read_fd_ >= 0)
      ::close(read_fd_);
    if (write_fd_ >= 0)
      ::close(write_fd_);
  }

  bool ok() const { return installed_; }

  /// Blocks until SIGINT or SIGTERM arrives; returns the signal number.
  int Wait() {
    char byte = 0;
    while (true) {
      const ssize_t n = ::read(read_fd_, &byte, 1);
      if (n == 1) {
        return static_cast<unsigned char>(byte);
      }
      if (n < 0 && errno == EINTR) {
        continue;
      }
      return SIGTERM;  // the pipe broke: treat as a request to stop
    }
  }

 private:
  int read_fd_ = -1;
  int write_fd_ = -1;
  bool installed_ = false;
  struct sigaction previous_int_ {};
  struct sigaction previous_term_ {};
};

}  // namespace

bool IsLoopbackHost(std::string_view host) {
  return host == "localhost" || host == "::1" || host == "[::1]" || host.rfind("127.", 0) == 0;
}

int Serve(const ServeOptions& options) {
  return Serve(options, std::function<void(HttpServer&, const AuthContext&)>{});
}

int Serve(const ServeOptions& options, const std::function<void(HttpServer&)>& configure) {
  return Serve(options, [&configure](HttpServer& server, const AuthContext&) {
    if (configure) {
      configure(server);
    }
  });
}

int Serve(const ServeOptions& options, const std::function<void(HttpServer&, const AuthContext&)>& configure) {
  if (!options.auth_enabled && !IsLoopbackHost(options.listen_host)) {
    Log(LogLevel::kError, "--no-auth is allowed only on a loopback address (127.0.0.1, ::1), not " +
                              options.listen_host + "; create a key with `tradedesk keys create --user NAME` instead");
    return kExitFailure;
  }
  std::error_code ec;
  std::filesystem::create_directories(options.data_dir, ec);
  if (ec) {
    Log(LogLevel::kError, "cannot create data directory " + options.data_dir.string() + ": " + ec.message());
    return kExitFailure;
  }

  HttpServerOptions server_options;
  server_options.listen_host = options.listen_host;
  server_options.listen_port = options.listen_port;
  server_options.static_dir = options.static_dir;
  server_options.max_header_bytes = options.max_header_bytes;
  server_options.max_body_bytes = options.max_body_bytes;
  server_options.read_timeout = options.read_timeout;
  server_options.idle_timeout = options.idle_timeout;
  server_options.shutdown_grace = options.shutdown_grace;
  server_options.io_threads = options.io_threads;
  HttpServer server(server_options);

  const std::filesystem::path data_dir = options.data_dir;
  server.AddReadinessCheck("data_dir", [data_dir]() -> Status {
    if (::access(data_dir.c_str(), W_OK) != 0) {
      return Error::Io("data directory " + data_dir.string() + " is not writable: " + std::strerror(errno));
    }
    return {};
  });
  static const LiveClock clock;
  AuthSettings auth_settings;
  auth_settings.enabled = options.auth_enabled;
  auth_settings.rate_per_second = options.key_rate_per_second;
  auth_settings.burst = options.key_burst;
  auth_settings.pepper = options.key_pepper;
  auto auth = OpenAuth(options.data_dir, auth_settings, clock);
  if (!auth.ok()) {
    Log(LogLevel::kError, "cannot set up authentication: " + auth.error().ToString());
    return kExitFailure;
  }
  InstallAuth(server.router(), *auth);
  if (!auth->enabled) {
    Log(LogLevel::kWarn, "authentication is OFF (--no-auth): every request acts as admin user 'local'; "
                         "never expose this server beyond this machine");
  } else if (auto keys = auth->keys->List(); keys.ok() && keys->empty()) {
    Log(LogLevel::kWarn, "authentication is on and no API key exists yet: create one with "
                         "`tradedesk keys create --user NAME --data-dir " + options.data_dir.string() + "`");
  }

  auto heartbeat = std::make_shared<Broadcaster>(64);
  RegisterDemoRoutes(server.router(), heartbeat);
  if (configure) {
    configure(server, *auth);
  }

  SignalWaiter signals;
  if (!signals.ok()) {
    Log(LogLevel::kError, std::string("cannot install signal handlers: ") + std::strerror(errno));
    return kExitFailure;
  }
  if (Status started = server.Start(); !started.ok()) {
    Log(LogLevel::kError, "server failed to start: " + started.error().ToString());
    return kExitFailure;
  }
  HeartbeatTicker ticker(heartbeat, std::chrono::seconds(1));
  Log(LogLevel::kInfo, "listening on " + options.listen_host + ":" + std::to_string(server.port()));
  if (options.on_listening) {
    options.on_listening(server.port());
  }

  const int signal_number = signals.Wait();
  Log(LogLevel::kInfo,
      std::string("received ") + (signal_number == SIGINT ? "SIGINT" : "SIGTERM") + "; shutting down gracefully");
  ticker.Stop();
  server.Stop();
  Log(LogLevel::kInfo, "server stopped");
  return kExitOk;
}

}  // namespace td::api
