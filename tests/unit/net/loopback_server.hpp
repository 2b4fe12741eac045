// SPDX-License-Identifier: MIT
// A tiny scripted TCP server on 127.0.0.1 for client tests: plain POSIX sockets, one thread, so a test can
// make the peer misbehave (stall, close early, answer garbage) in ways a real server library would not.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <string>
#include <thread>

namespace td::testing {

class LoopbackServer {
 public:
  /// `on_connection` runs for each accepted socket on the server thread; it owns the fd until it returns.
  explicit LoopbackServer(std::function<void(int fd)> on_connection) : handler_(std::move(on_connection)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(listen_fd_, 16);
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Loop(); });
  }
  ~LoopbackServer() {
    stop_ = true;
    thread_.join();
    ::close(listen_fd_);
  }
  int port() const { return port_; }
  int connections() const { return connections_.load(); }
  std::string Url(const std::string& path = "/") const { return "http://127.0.0.1:" + std::to_string(port_) + path; }

  /// Reads one HTTP request head (and its Content-Length body) from fd; empty when the peer closed.
  static std::string ReadRequest(int fd) {
    std::string data;
    char buffer[4096];
    while (data.find("\r\n\r\n") == std::string::npos) {
      const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
      if (n <= 0) {
        return {};
      }
      data.append(buffer, static_cast<std::size_t>(n));
    }
    const std::size_t head_end = data.find("\r\n\r\n") + 4;
    std::size_t length = 0;
    for (const char* name : {"Content-Length: ", "content-length: "}) {
      if (auto pos = data.find(name); pos != std::string::npos && pos < head_end) {
        length = std::stoul(data.substr(pos + 16));
      }
    }
    while (data.size() < head_end + length) {
      const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
      if (n <= 0) {
        break;
      }
      data.append(buffer, static_cast<std::size_t>(n));
    }
    return data;
  }
  static void SendAll(int fd, const std::string& data) {
    std::size_t sent = 0;
    while (sent < data.size()) {
      const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) {
        return;
      }
      sent += static_cast<std::size_t>(n);
    }
  }

 private:
  void Loop() {
    while (!stop_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) {
        continue;
      }
      const int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) {
        continue;
      }
      ++connections_;
      handler_(fd);
      ::close(fd);
    }
  }

  std::function<void(int)> handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::thread thread_;
};

}  // namespace td::testing
