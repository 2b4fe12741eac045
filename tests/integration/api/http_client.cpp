// SPDX-License-Identifier: MIT
#include "http_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>

namespace td::api::testing {

RawConnection::~RawConnection() {
  Close();
}

void RawConnection::Close() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
  buffer_.clear();
}

bool RawConnection::Connect(std::uint16_t port, int receive_buffer) {
  Close();
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) {
    return false;
  }
  if (receive_buffer > 0) {
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof(receive_buffer));
  }
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    Close();
    return false;
  }
  return true;
}

bool RawConnection::Send(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

bool RawConnection::Fill(std::chrono::steady_clock::time_point deadline) {
  if (fd_ < 0) {
    return false;
  }
  const auto remaining =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  if (remaining.count() <= 0) {
    return false;
  }
  pollfd pfd{fd_, POLLIN, 0};
  const int ready = ::poll(&pfd, 1, static_cast<int>(remaining.count()));
  if (ready <= 0) {
    return false;
  }
  char chunk[16384];
  const ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
  if (n <= 0) {
    return false;
  }
  buffer_.append(chunk, static_cast<std::size_t>(n));
  return true;
}

HttpResult RawConnection::ReadHead(std::chrono::milliseconds timeout) {
  HttpResult result;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::size_t header_end;
  while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (!Fill(deadline)) {
      return result;
    }
  }
  const std::string head = buffer_.substr(0, header_end);
  buffer_.erase(0, header_end + 4);
  std::size_t line_end = head.find("\r\n");
  const std::string status_line = head.substr(0, line_end);
  if (status_line.size() < 12) {
    return result;
  }
  result.status = std::atoi(status_line.substr(9, 3).c_str());
  std::size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
  while (pos < head.size()) {
    std::size_t next = head.find("\r\n", pos);
    if (next == std::string::npos)
      next = head.size();
    const std::string line = head.substr(pos, next - pos);
    const std::size_t colon = line.find(':');
    if (colon != std::string::npos) {
      std::string name = line.substr(0, colon);
      for (char& c : name)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ')
        value.erase(0, 1);
      result.headers[name] = value;
    }
    pos = next + 2;
  }
  result.ok = true;
  return result;
}

HttpResult RawConnection::ReadResponse(std::chrono::milliseconds timeout, bool head_request) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  HttpResult result = ReadHead(timeout);
  if (!result.ok) {
    return result;
  }
  result.ok = false;
  const bool no_body = head_request || result.status == 204 || result.status == 304 || result.status / 100 == 1;
  if (!no_body) {
    if (result.headers.count("content-length")) {
      const std::size_t length = std::strtoull(result.headers["content-length"].c_str(), nullptr, 10);
      while (buffer_.size() < length) {
        if (!Fill(deadline)) {
          return result;
        }
      }
      result.body = buffer_.substr(0, length);
      buffer_.erase(0, length);
    } else {
      while (Fill(deadline)) {
      }
      result.body = std::move(buffer_);
      buffer_.clear();
    }
  }
  result.ok = true;
  return result;
}

std::optional<std::string> RawConnection::ReadLine(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::size_t newline;
  while ((newline = buffer_.find('\n')) == std::string::npos) {
    if (!Fill(deadline)) {
      return std::nullopt;
    }
  }
  std::string line = buffer_.substr(0, newline);
  buffer_.erase(0, newline + 1);
  if (!line.empty() && line.back() == '\r')
    line.pop_back();
  return line;
}

bool RawConnection::WaitForClose(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (fd_ >= 0) {
    const auto remaining =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (remaining.count() <= 0) {
      return false;
    }
    pollfd pfd{fd_, POLLIN, 0};
    if (::poll(&pfd, 1, static_cast<int>(remaining.count())) <= 0) {
      return false;
    }
    char chunk[4096];
    const ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
    if (n <= 0) {
      return true;  // EOF or reset
    }
  }
  return true;
}

std::string BuildRequest(std::string_view method, std::string_view target, std::string_view extra_headers,
                         std::string_view body, bool close) {
  std::string request;
  request.append(method).append(" ").append(target).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
  request.append(extra_headers);
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
    request.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
  }
  if (close) {
    request.append("Connection: close\r\n");
  }
  request.append("\r\n").append(body);
  return request;
}

HttpResult Fetch(std::uint16_t port, std::string_view method, std::string_view target, std::string_view extra_headers,
                 std::string_view body) {
  RawConnection connection;
  if (!connection.Connect(port)) {
    return {};
  }
  connection.Send(BuildRequest(method, target, extra_headers, body, true));
  return connection.ReadResponse(std::chrono::seconds(5), method == "HEAD");
}

}  // namespace td::api::testing
