// SPDX-License-Identifier: MIT
// Helpers for the vendor adapter tests: fixtures, a scripted HTTP/WebSocket peer on plain POSIX sockets, and a
// sink that records what a client delivers.
#pragma once

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <poll.h>
#include <sys/socket.h>

#include <chrono>
#include <condition_variable>
#include <fstream>
#include <functional>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "data/data_client.hpp"
#include "unit/net/loopback_server.hpp"

namespace td::vendors_test {

using td::testing::LoopbackServer;

/// The text of tests/unit/vendors/fixtures/<name>, without trailing whitespace.
inline std::string Fixture(const std::string& name) {
  std::ifstream in(std::string(TD_SOURCE_DIR) + "/tests/unit/vendors/fixtures/" + name, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.pop_back();
  }
  if (text.empty()) {
    throw std::runtime_error("missing fixture " + name);
  }
  return text;
}

/// An HTTP/1.1 response with a JSON body.
inline std::string HttpResponse(int status, const std::string& body, const std::string& extra_headers = "") {
  return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nContent-Type: application/json\r\n" + extra_headers + "\r\n" + body;
}

/// The request line's target ("/v2/aggs/...?...") of a raw request.
inline std::string RequestTarget(const std::string& request) {
  const auto space = request.find(' ');
  const auto end = request.find(' ', space + 1);
  return space == std::string::npos || end == std::string::npos ? std::string() : request.substr(space + 1, end - space - 1);
}

/// The body of a raw request.
inline std::string RequestBody(const std::string& request) {
  const auto pos = request.find("\r\n\r\n");
  return pos == std::string::npos ? std::string() : request.substr(pos + 4);
}

/// The server side of RFC 6455, enough to script a feed.
class WsPeer {
 public:
  explicit WsPeer(int fd) : fd_(fd) {}

  /// Reads the upgrade request and accepts it; false when the peer went away.
  bool Accept() {
    const std::string request = LoopbackServer::ReadRequest(fd_);
    const std::string name = "Sec-WebSocket-Key: ";
    const auto pos = request.find(name);
    if (pos == std::string::npos) {
      return false;
    }
    const auto end = request.find("\r\n", pos);
    const std::string key = request.substr(pos + name.size(), end - pos - name.size());
    const std::string magic = key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    unsigned char digest[SHA_DIGEST_LENGTH];
    SHA1(reinterpret_cast<const unsigned char*>(magic.data()), magic.size(), digest);
    std::string accept(4 * ((SHA_DIGEST_LENGTH + 2) / 3), '\0');
    EVP_EncodeBlock(reinterpret_cast<unsigned char*>(accept.data()), digest, SHA_DIGEST_LENGTH);
    LoopbackServer::SendAll(fd_, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                 "Sec-WebSocket-Accept: " + accept + "\r\n\r\n");
    return true;
  }

  void Send(const std::string& payload, unsigned char opcode = 0x1) {
    std::string frame;
    frame += static_cast<char>(0x80 | opcode);
    if (payload.size() < 126) {
      frame += static_cast<char>(payload.size());
    } else {
      frame += static_cast<char>(126);
      frame += static_cast<char>((payload.size() >> 8) & 0xFF);
      frame += static_cast<char>(payload.size() & 0xFF);
    }
    LoopbackServer::SendAll(fd_, frame + payload);
  }

  /// The next text message within `timeout`, answering pings; empty when none came or the peer closed.
  std::string Receive(std::chrono::milliseconds timeout = std::chrono::milliseconds(2000)) {
    const auto wait_until = std::chrono::steady_clock::now() + timeout;
    while (true) {
      unsigned char head[2];
      if (!ReadExact(head, 2, wait_until)) {
        return {};
      }
      // Once a frame has started, read all of it: giving up midway would desynchronise the stream.
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
      const unsigned char opcode = head[0] & 0x0F;
      std::size_t length = head[1] & 0x7F;
      if (length == 126) {
        unsigned char ext[2];
        if (!ReadExact(ext, 2, deadline)) {
          return {};
        }
        length = (static_cast<std::size_t>(ext[0]) << 8) | ext[1];
      } else if (length == 127) {
        unsigned char ext[8];
        if (!ReadExact(ext, 8, deadline)) {
          return {};
        }
        length = 0;
        for (unsigned char byte : ext) {
          length = (length << 8) | byte;
        }
      }
      unsigned char mask[4] = {0, 0, 0, 0};
      if ((head[1] & 0x80) != 0 && !ReadExact(mask, 4, deadline)) {
        return {};
      }
      std::string payload(length, '\0');
      if (length > 0 && !ReadExact(reinterpret_cast<unsigned char*>(payload.data()), length, deadline)) {
        return {};
      }
      for (std::size_t i = 0; i < length; ++i) {
        payload[i] = static_cast<char>(payload[i] ^ mask[i % 4]);
      }
      if (opcode == 0x9) {
        Send(payload, 0xA);
        continue;
      }
      if (opcode == 0x8) {
        closed_ = true;
        return {};
      }
      if (opcode == 0x1 || opcode == 0x2) {
        return payload;
      }
    }
  }

  bool closed() const { return closed_; }

 private:
  bool ReadExact(unsigned char* out, std::size_t size, std::chrono::steady_clock::time_point deadline) {
    std::size_t got = 0;
    while (got < size) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) {
        return false;
      }
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
        return false;
      }
      const ssize_t n = ::recv(fd_, out + got, size - got, 0);
      if (n <= 0) {
        closed_ = true;
        return false;
      }
      got += static_cast<std::size_t>(n);
    }
    return true;
  }

  int fd_;
  bool closed_ = false;
};

/// Records every event a client delivers; thread-safe.
class RecordingSink final : public data::MarketEventSink {
 public:
  void OnEvent(data::MarketEvent event) override {
    {
      std::lock_guard lock(mutex_);
      events_.push_back(std::move(event));
    }
    cv_.notify_all();
  }
  void OnRawTick(const data::RawTick&) override {}

  template <typename T>
  std::vector<T> All() const {
    std::lock_guard lock(mutex_);
    std::vector<T> out;
    for (const auto& event : events_) {
      if (const T* value = std::get_if<T>(&event)) {
        out.push_back(*value);
      }
    }
    return out;
  }

  /// Waits until `predicate()` holds (checked whenever an event arrives and every 20 ms).
  bool WaitUntil(const std::function<bool()>& predicate,
                 std::chrono::milliseconds timeout = std::chrono::milliseconds(3000)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::unique_lock lock(mutex_);
    while (true) {
      lock.unlock();
      const bool done = predicate();
      lock.lock();
      if (done) {
        return true;
      }
      if (std::chrono::steady_clock::now() >= deadline) {
        return false;
      }
      cv_.wait_for(lock, std::chrono::milliseconds(20));
    }
  }

  template <typename T>
  bool WaitForCount(std::size_t count, std::chrono::milliseconds timeout = std::chrono::milliseconds(3000)) {
    return WaitUntil([&] { return All<T>().size() >= count; }, timeout);
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<data::MarketEvent> events_;
};

}  // namespace td::vendors_test
