// SPDX-License-Identifier: MIT
// SSE, WebSocket and Serve() over real sockets. The WebSocket client is Beast's, so Beast stays in this one TU.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <future>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>

#include "api/demo_routes.hpp"
#include "api/http_server.hpp"
#include "api/server.hpp"
#include "http_client.hpp"

namespace td::api {
namespace {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using namespace std::chrono_literals;
using testing::BuildRequest;
using testing::Fetch;
using testing::HttpResult;
using testing::RawConnection;

struct SseEvent {
  std::string id;
  std::string event;
  std::string data;
};

/// Reads the next event (skipping comments and retry hints); nullopt on close or timeout.
std::optional<SseEvent> ReadEvent(RawConnection& connection, std::chrono::milliseconds timeout = 5s) {
  SseEvent event;
  bool any = false;
  while (true) {
    auto line = connection.ReadLine(timeout);
    if (!line) {
      return std::nullopt;
    }
    if (line->empty()) {
      if (any) {
        return event;
      }
      continue;
    }
    if (line->front() == ':' || line->rfind("retry:", 0) == 0) {
      continue;
    }
    any = true;
    if (line->rfind("id: ", 0) == 0)
      event.id = line->substr(4);
    if (line->rfind("event: ", 0) == 0)
      event.event = line->substr(7);
    if (line->rfind("data: ", 0) == 0)
      event.data += (event.data.empty() ? "" : "\n") + line->substr(6);
  }
}

template <typename Predicate>
bool WaitUntil(Predicate predicate, std::chrono::milliseconds timeout = 3s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (predicate())
      return true;
    std::this_thread::sleep_for(5ms);
  }
  return predicate();
}

class StreamTest : public ::testing::Test {
 protected:
  void Start(HttpServerOptions options = {}) {
    options.listen_port = 0;
    server_ = std::make_unique<HttpServer>(options);
    hub_ = std::make_shared<Broadcaster>(100);
    RegisterDemoRoutes(server_->router(), hub_);
    ASSERT_TRUE(server_->Start().ok());
    port_ = server_->port();
  }
  void TearDown() override {
    if (server_)
      server_->Stop();
  }

  /// Opens the heartbeat stream and checks the response head.
  void OpenStream(RawConnection& connection, std::string_view extra_headers = {}, int receive_buffer = 0) {
    ASSERT_TRUE(connection.Connect(port_, receive_buffer));
    connection.Send(BuildRequest("GET", "/stream/heartbeat", extra_headers));
    const HttpResult head = connection.ReadHead();
    ASSERT_EQ(head.status, 200);
    EXPECT_EQ(head.Header("content-type"), "text/event-stream");
    EXPECT_EQ(head.Header("cache-control"), "no-cache");
    EXPECT_FALSE(head.Header("x-request-id").empty());
  }

  std::unique_ptr<HttpServer> server_;
  std::shared_ptr<Broadcaster> hub_;
  std::uint16_t port_ = 0;
};

TEST_F(StreamTest, SseDeliversOrderedEventsAndResumesFromLastEventId) {
  Start();
  {
    RawConnection client;
    OpenStream(client);
    ASSERT_EQ(hub_->client_count(), 1u);
    for (int i = 1; i <= 5; ++i)
      hub_->Publish("tick", "{\"n\":" + std::to_string(i) + "}");
    for (int i = 1; i <= 5; ++i) {
      auto event = ReadEvent(client);
      ASSERT_TRUE(event) << i;
      EXPECT_EQ(event->id, std::to_string(i));
      EXPECT_EQ(event->event, "tick");
      EXPECT_EQ(event->data, "{\"n\":" + std::to_string(i) + "}");
    }
  }
  hub_->Publish("tick", "missed-6");
  hub_->Publish("multi", "line one\nline two");

  RawConnection resumed;
  OpenStream(resumed, "Last-Event-ID: 5\r\n");
  auto event = ReadEvent(resumed);
  ASSERT_TRUE(event);
  EXPECT_EQ(event->id, "6");
  EXPECT_EQ(event->data, "missed-6");
  event = ReadEvent(resumed);
  ASSERT_TRUE(event);
  EXPECT_EQ(event->id, "7");
  EXPECT_EQ(event->data, "line one\nline two");
  hub_->Publish("tick", "live-8");
  event = ReadEvent(resumed);
  ASSERT_TRUE(event);
  EXPECT_EQ(event->id, "8");
  EXPECT_EQ(server_->metrics().RequestCount("/stream/heartbeat", Method::kGet, 200), 2u);
}

TEST_F(StreamTest, SseSendsHeartbeatCommentsWhenIdle) {
  HttpServerOptions options;
  options.sse_heartbeat = 100ms;
  Start(options);
  RawConnection client;
  OpenStream(client);
  bool saw_heartbeat = false;
  for (int i = 0; i < 6 && !saw_heartbeat; ++i) {
    auto line = client.ReadLine(1s);
    ASSERT_TRUE(line);
    saw_heartbeat = *line == ": heartbeat";
  }
  EXPECT_TRUE(saw_heartbeat);
}

TEST_F(StreamTest, StalledClientIsDroppedWhileHealthyClientKeepsReceiving) {
  HttpServerOptions options;
  options.stream_queue_capacity = 256;
  options.stream_send_buffer_bytes = 4096;
  Start(options);

  RawConnection stalled;
  OpenStream(stalled, {}, 4096);  // reads the head, then never reads again
  RawConnection healthy;
  OpenStream(healthy);
  ASSERT_EQ(hub_->client_count(), 2u);

  constexpr int kEvents = 2000;
  const std::string payload(2048, 'p');
  std::atomic<int> received{0};
  std::thread reader([&] {
    for (int i = 1; i <= kEvents; ++i) {
      auto event = ReadEvent(healthy, 10s);
      if (!event || event->id != std::to_string(i) || event->data != payload)
        break;
      received.store(i);
    }
  });
  // The producer never waits for the stalled reader. It paces itself on the healthy reader only so that
  // reader's own bounded queue (256) is not the thing under test.
  for (int i = 0; i < kEvents; ++i) {
    ASSERT_TRUE(WaitUntil([&] { return i - received.load() < 128; }, 10s)) << "healthy reader stuck at " << received;
    hub_->Publish("bulk", payload);
  }
  reader.join();
  EXPECT_EQ(received.load(), kEvents) << "the healthy client got every event, in order";

  EXPECT_EQ(hub_->dropped_count(), 1u);
  EXPECT_EQ(hub_->client_count(), 1u);
  EXPECT_TRUE(stalled.WaitForClose(5s)) << "the stalled client's connection is closed";
  EXPECT_TRUE(WaitUntil([&] { return server_->metrics().dropped_streams() == 1; }));
}

TEST_F(StreamTest, WebSocketEchoesTextAndAnswersPings) {
  Start();
  net::io_context ioc;
  net::ip::tcp::socket socket(ioc);
  socket.connect({net::ip::make_address("127.0.0.1"), port_});
  websocket::stream<net::ip::tcp::socket> ws(std::move(socket));
  websocket::response_type handshake;
  ws.handshake(handshake, "127.0.0.1", "/api/v1/echo/ws");
  EXPECT_EQ(handshake.result_int(), 101);
  EXPECT_FALSE(std::string(handshake["X-Request-Id"]).empty());

  beast::flat_buffer buffer;
  for (const std::string& message :
       std::vector<std::string>{"hello", "{\"op\":\"subscribe\"}", std::string(70000, 'w')}) {
    ws.text(true);
    ws.write(net::buffer(message));
    ws.read(buffer);
    EXPECT_TRUE(ws.got_text());
    EXPECT_EQ(beast::buffers_to_string(buffer.data()), message);
    buffer.consume(buffer.size());
  }

  std::string pong_payload;
  ws.control_callback([&](websocket::frame_type kind, beast::string_view payload) {
    if (kind == websocket::frame_type::pong)
      pong_payload = std::string(payload);
  });
  ws.ping("are-you-there");
  ws.write(net::buffer(std::string("after-ping")));
  ws.read(buffer);
  EXPECT_EQ(beast::buffers_to_string(buffer.data()), "after-ping");
  EXPECT_EQ(pong_payload, "are-you-there");
  ws.close(websocket::close_code::normal);
  EXPECT_TRUE(WaitUntil([&] { return server_->open_connections() == 0; }));
}

TEST_F(StreamTest, WebSocketRouteWithoutUpgradeIs426) {
  Start();
  const HttpResult r = Fetch(port_, "GET", "/api/v1/echo/ws");
  EXPECT_EQ(r.status, 426);
  EXPECT_EQ(boost::json::parse(r.body).at("error").at("code").as_string(), "upgrade_required");
}

TEST_F(StreamTest, StopClosesStreams) {
  Start();
  RawConnection client;
  OpenStream(client);
  const auto start = std::chrono::steady_clock::now();
  server_->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_TRUE(client.WaitForClose(1s));
  EXPECT_EQ(hub_->Publish("after", "stop"), 1u);  // producers outlive the server safely
}

TEST(Serve, SigtermFinishesInFlightRequestThenExitsZero) {
  const auto data_dir = std::filesystem::temp_directory_path() / ("td_api_serve_" + std::to_string(::getpid()));
  std::filesystem::remove_all(data_dir);
  ServeOptions options;
  options.listen_port = 0;
  options.data_dir = data_dir;
  options.shutdown_grace = 5s;
  std::promise<std::uint16_t> bound;
  options.on_listening = [&](std::uint16_t port) { bound.set_value(port); };
  std::future<int> exit_code = std::async(std::launch::async, [&] {
    return Serve(options, [](HttpServer& server) {
      server.router().Get("/slow", [](const Request&) -> Result<Response> {
        std::this_thread::sleep_for(300ms);
        return Response::Json(R"({"slow":true})");
      });
    });
  });
  auto port_future = bound.get_future();
  ASSERT_EQ(port_future.wait_for(10s), std::future_status::ready);
  const std::uint16_t port = port_future.get();
  EXPECT_TRUE(std::filesystem::is_directory(data_dir));
  EXPECT_EQ(Fetch(port, "GET", "/readyz").status, 200);

  RawConnection slow;
  ASSERT_TRUE(slow.Connect(port));
  slow.Send(BuildRequest("GET", "/slow"));
  std::this_thread::sleep_for(50ms);
  ASSERT_EQ(::kill(::getpid(), SIGTERM), 0);
  const HttpResult r = slow.ReadResponse();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"slow":true})");
  ASSERT_EQ(exit_code.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(exit_code.get(), 0);
  RawConnection late;
  EXPECT_FALSE(late.Connect(port));
  std::filesystem::remove_all(data_dir);
}

TEST(Serve, BindFailureReturnsNonZero) {
  HttpServer blocker;
  ASSERT_TRUE(blocker.Start().ok());
  ServeOptions options;
  options.listen_port = blocker.port();
  options.data_dir = std::filesystem::temp_directory_path() / ("td_api_bind_" + std::to_string(::getpid()));
  EXPECT_NE(Serve(options), 0);
  std::filesystem::remove_all(options.data_dir);
}

}  // namespace
}  // namespace td::api
