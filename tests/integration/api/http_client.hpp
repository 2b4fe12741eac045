// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace td::api::testing {

/// A parsed HTTP response as a test sees it; header names lower-case.
struct HttpResult {
  int status = 0;
  std::map<std::string, std::string> headers;
  std::string body;
  bool ok = false;  // false when the connection failed or closed before a full response
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

/// A blocking client connection on raw POSIX sockets, so tests control every byte on the wire.
class RawConnection {
 public:
  RawConnection() = default;
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  /// Connects to 127.0.0.1:port; false when refused. `receive_buffer` > 0 sets SO_RCVBUF first.
  bool Connect(std::uint16_t port, int receive_buffer = 0);
  bool Send(std::string_view bytes);
  /// Reads a status line and headers only, leaving any body bytes buffered (for streams).
  HttpResult ReadHead(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  /// Reads one response; `head_request` means no body follows whatever Content-Length says.
  HttpResult ReadResponse(std::chrono::milliseconds timeout = std::chrono::seconds(5), bool head_request = false);
  /// Reads one line (without CRLF/LF) of a streamed body; nullopt on close or timeout.
  std::optional<std::string> ReadLine(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  /// True when the peer closes the connection within `timeout` (any data before that is discarded).
  bool WaitForClose(std::chrono::milliseconds timeout);
  void Close();
  int fd() const { return fd_; }

 private:
  /// Makes sure `buffer_` holds at least `n` bytes or a delimiter; false on close/timeout.
  bool Fill(std::chrono::steady_clock::time_point deadline);

  int fd_ = -1;
  std::string buffer_;
};

/// Builds a request with Host and Content-Length (when a body is given).
std::string BuildRequest(std::string_view method, std::string_view target, std::string_view extra_headers = {},
                         std::string_view body = {}, bool close = false);

/// One request on a fresh connection.
HttpResult Fetch(std::uint16_t port, std::string_view method, std::string_view target,
                 std::string_view extra_headers = {}, std::string_view body = {});

}  // namespace td::api::testing
