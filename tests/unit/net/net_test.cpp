// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <set>

#include "loopback_server.hpp"
#include "net/backoff.hpp"
#include "net/http_client.hpp"

using namespace std::chrono_literals;

namespace td::net {
namespace {

using td::testing::LoopbackServer;

std::string Response(int status, const std::string& body, const std::string& extra = "") {
  return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nContent-Type: application/json\r\n" + extra + "\r\n" + body;
}

TEST(HttpClientTest, GetAndPostReuseOneKeptAliveConnection) {
  std::vector<std::string> requests;
  LoopbackServer server([&](int fd) {
    while (true) {
      std::string request = LoopbackServer::ReadRequest(fd);
      if (request.empty()) {
        return;
      }
      requests.push_back(request);
      LoopbackServer::SendAll(fd, Response(200, "{\"n\":" + std::to_string(requests.size()) + "}", "X-Seen: yes\r\n"));
    }
  });
  HttpClient client;
  auto first = client.Get(server.Url("/api/v1/quotes?symbol=NIFTY"), {{"Authorization", "Bearer k"}});
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->body, "{\"n\":1}");
  EXPECT_EQ(first->Header("x-seen"), "yes");
  auto second = client.PostJson(server.Url("/api/v1/placeorder"), "{\"symbol\":\"NIFTY\"}");
  ASSERT_TRUE(second.ok()) << second.error().ToString();
  EXPECT_EQ(second->body, "{\"n\":2}");
  EXPECT_EQ(server.connections(), 1);
  ASSERT_EQ(requests.size(), 2U);
  EXPECT_NE(requests[0].find("GET /api/v1/quotes?symbol=NIFTY HTTP/1.1"), std::string::npos);
  EXPECT_NE(requests[0].find("Authorization: Bearer k"), std::string::npos);
  EXPECT_NE(requests[1].find("POST /api/v1/placeorder"), std::string::npos);
  EXPECT_NE(requests[1].find("{\"symbol\":\"NIFTY\"}"), std::string::npos);
}

TEST(HttpClientTest, StatusCodesAreValuesAndConnectionCloseReconnects) {
  LoopbackServer server([&](int fd) {
    if (!LoopbackServer::ReadRequest(fd).empty()) {
      LoopbackServer::SendAll(fd, Response(429, "{}", "Retry-After: 2\r\nConnection: close\r\n"));
    }
  });
  HttpClient client;
  for (int i = 0; i < 2; ++i) {
    auto response = client.Get(server.Url());
    ASSERT_TRUE(response.ok()) << response.error().ToString();
    EXPECT_EQ(response->status, 429);
    EXPECT_EQ(response->Header("Retry-After"), "2");
  }
  EXPECT_EQ(server.connections(), 2);
}

TEST(HttpClientTest, RefusedConnectionIsUnavailable) {
  int port = 0;
  {
    LoopbackServer server([](int) {});
    port = server.port();
  }
  HttpClient client;
  auto response = client.Get("http://127.0.0.1:" + std::to_string(port) + "/");
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().code, ErrorCode::kUnavailable);
}

TEST(HttpClientTest, SilentServerTimesOutWithUnknownOutcome) {
  LoopbackServer server([](int fd) {
    LoopbackServer::ReadRequest(fd);
    std::this_thread::sleep_for(400ms);  // never answers within the client's timeout
  });
  HttpClient client;
  HttpRequest request;
  request.method = "POST";
  request.url = server.Url("/api/v1/placeorder");
  request.body = "{}";
  request.timeout = 150ms;
  auto response = client.Send(request);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().code, ErrorCode::kTimeout);
  EXPECT_NE(response.error().message.find("outcome unknown"), std::string::npos);
}

TEST(HttpClientTest, ServerClosingMidResponseIsAnError) {
  LoopbackServer server([](int fd) {
    LoopbackServer::ReadRequest(fd);
    LoopbackServer::SendAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"partial\":");
  });
  HttpClient client;
  auto response = client.Get(server.Url());
  ASSERT_FALSE(response.ok());
}

TEST(HttpClientTest, RejectsBadUrls) {
  HttpClient client;
  EXPECT_EQ(client.Get("not a url").error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(client.Get("ftp://127.0.0.1/").error().field, "url");
}

// --- WebSocket: a minimal RFC 6455 server side, enough to test the client. ---

std::string Base64(const unsigned char* data, std::size_t size) {
  std::string out(4 * ((size + 2) / 3), '\0');
  EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(size));
  return out;
}

std::string AcceptKey(const std::string& request) {
  const std::string name = "Sec-WebSocket-Key: ";
  auto pos = request.find(name);
  if (pos == std::string::npos) {
    pos = request.find("sec-websocket-key: ");
  }
  const std::string key = request.substr(pos + name.size(), request.find("\r\n", pos) - pos - name.size());
  const std::string magic = key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(magic.data()), magic.size(), digest);
  return Base64(digest, sizeof digest);
}

std::string Frame(const std::string& payload, unsigned char opcode = 0x1) {
  std::string frame;
  frame += static_cast<char>(0x80 | opcode);
  if (payload.size() < 126) {
    frame += static_cast<char>(payload.size());
  } else {
    frame += static_cast<char>(126);
    frame += static_cast<char>((payload.size() >> 8) & 0xFF);
    frame += static_cast<char>(payload.size() & 0xFF);
  }
  return frame + payload;
}

// Reads one masked client frame; returns its opcode and payload (opcode -1 on EOF).
std::pair<int, std::string> ReadFrame(int fd) {
  unsigned char head[2];
  if (::recv(fd, head, 2, MSG_WAITALL) != 2) {
    return {-1, {}};
  }
  std::size_t length = head[1] & 0x7F;
  if (length == 126) {
    unsigned char ext[2];
    ::recv(fd, ext, 2, MSG_WAITALL);
    length = (static_cast<std::size_t>(ext[0]) << 8) | ext[1];
  }
  unsigned char mask[4];
  ::recv(fd, mask, 4, MSG_WAITALL);
  std::string payload(length, '\0');
  if (length > 0) {
    ::recv(fd, payload.data(), length, MSG_WAITALL);
  }
  for (std::size_t i = 0; i < length; ++i) {
    payload[i] = static_cast<char>(payload[i] ^ mask[i % 4]);
  }
  return {head[0] & 0x0F, payload};
}

TEST(WebSocketClientTest, UpgradesReceivesInOrderEchoesAndSeesClose) {
  std::string upgrade_request;
  LoopbackServer server([&](int fd) {
    upgrade_request = LoopbackServer::ReadRequest(fd);
    LoopbackServer::SendAll(fd, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                "Sec-WebSocket-Accept: " + AcceptKey(upgrade_request) + "\r\n\r\n");
    LoopbackServer::SendAll(fd, Frame("{\"type\":\"auth\",\"status\":\"success\"}") + Frame("{\"seq\":1}"));
    auto [opcode, text] = ReadFrame(fd);
    if (opcode == 1) {
      LoopbackServer::SendAll(fd, Frame("echo:" + text));
    }
    LoopbackServer::SendAll(fd, Frame(std::string("\x03\xE8", 2), 0x8));  // close, 1000
    ReadFrame(fd);
  });
  WebSocketClient ws;
  const Status connected = ws.Connect("ws://127.0.0.1:" + std::to_string(server.port()) + "/ws", {{"X-Api-Key", "abc"}});
  ASSERT_TRUE(connected.ok()) << connected.error().ToString();
  EXPECT_TRUE(ws.connected());
  EXPECT_EQ(*ws.Receive(2s), "{\"type\":\"auth\",\"status\":\"success\"}");
  EXPECT_EQ(*ws.Receive(2s), "{\"seq\":1}");
  ASSERT_TRUE(ws.Send("{\"action\":\"subscribe\"}").ok());
  EXPECT_EQ(*ws.Receive(2s), "echo:{\"action\":\"subscribe\"}");
  auto closed = ws.Receive(2s);
  ASSERT_FALSE(closed.ok());
  EXPECT_EQ(closed.error().code, ErrorCode::kUnavailable);
  EXPECT_FALSE(ws.connected());
  EXPECT_NE(upgrade_request.find("X-Api-Key: abc"), std::string::npos);
  EXPECT_NE(upgrade_request.find("GET /ws HTTP/1.1"), std::string::npos);
}

TEST(WebSocketClientTest, ReceiveTimesOutWhenQuietAndRefusedUpgradeFails) {
  LoopbackServer server([&](int fd) {
    const std::string request = LoopbackServer::ReadRequest(fd);
    if (request.find("/quiet") != std::string::npos) {
      LoopbackServer::SendAll(fd, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                  "Sec-WebSocket-Accept: " + AcceptKey(request) + "\r\n\r\n");
      ReadFrame(fd);
    } else {
      LoopbackServer::SendAll(fd, Response(401, "{\"error\":\"bad key\"}"));
    }
  });
  WebSocketClient ws;
  ASSERT_TRUE(ws.Connect("ws://127.0.0.1:" + std::to_string(server.port()) + "/quiet").ok());
  auto nothing = ws.Receive(100ms);
  ASSERT_FALSE(nothing.ok());
  EXPECT_EQ(nothing.error().code, ErrorCode::kTimeout);
  ws.Close();
  WebSocketClient refused;
  EXPECT_FALSE(refused.Connect("ws://127.0.0.1:" + std::to_string(server.port()) + "/denied").ok());
  EXPECT_FALSE(refused.Send("x").ok());
}

TEST(BackoffTest, GrowsWithJitterStaysCappedAndIsReproducible) {
  Backoff a(100ms, 2000ms, 7);
  Backoff b(100ms, 2000ms, 7);
  for (int n = 0; n < 12; ++n) {
    const auto delay = a.Next();
    EXPECT_EQ(delay, b.Next());
    const double ceiling = std::min(2000.0, 100.0 * static_cast<double>(1 << n));
    EXPECT_GE(static_cast<double>(delay.count()), ceiling / 2 - 1) << n;
    EXPECT_LE(static_cast<double>(delay.count()), ceiling) << n;
  }
  a.Reset();
  EXPECT_EQ(a.attempts(), 0);
  EXPECT_LE(a.Next().count(), 100);
}

TEST(TokenBucketTest, AllowsBurstThenRefillsAtRate) {
  TokenBucket bucket(2.0, 3.0);
  EXPECT_TRUE(bucket.TryTake(0.0));
  EXPECT_TRUE(bucket.TryTake(0.0));
  EXPECT_TRUE(bucket.TryTake(0.0));
  EXPECT_FALSE(bucket.TryTake(0.0));
  EXPECT_NEAR(bucket.WaitSeconds(0.0), 0.5, 1e-12);
  EXPECT_TRUE(bucket.TryTake(0.5));
  EXPECT_FALSE(bucket.TryTake(0.6));
  EXPECT_TRUE(bucket.TryTake(10.0));
}

}  // namespace
}  // namespace td::net
