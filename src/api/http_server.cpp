// SPDX-License-Identifier: MIT
// The only translation unit that includes Beast: every session type lives here.
#include "api/http_server.hpp"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include "api/error_response.hpp"
#include "api/json_writer.hpp"
#include "api/log.hpp"
#include "api/static_files.hpp"
#include "core/check.hpp"

namespace td::api {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kReadChunk = 4096;
constexpr std::size_t kMaxRequestIdLength = 64;
constexpr auto kLingerTimeout = std::chrono::milliseconds(500);

/// Keeps [A-Za-z0-9._:-] of a client-supplied request id, at most 64 characters, so it is safe in logs
/// and headers.
std::string SanitizeRequestId(std::string_view text) {
  std::string out;
  for (char c : text) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                    c == '_' || c == '.' || c == ':';
    if (ok) {
      out += c;
      if (out.size() == kMaxRequestIdLength) {
        break;
      }
    }
  }
  return out;
}

std::string GenerateRequestId() {
  thread_local std::mt19937_64 random(std::random_device{}() ^
                                      std::hash<std::thread::id>{}(std::this_thread::get_id()));
  static constexpr char kHex[] = "0123456789abcdef";
  std::uint64_t bits = random();
  std::string id(16, '0');
  for (char& c : id) {
    c = kHex[bits & 0xf];
    bits >>= 4;
  }
  return id;
}

std::string RequestIdFrom(std::string_view header) {
  std::string id = SanitizeRequestId(header);
  return id.empty() ? GenerateRequestId() : id;
}

bool IsHttpParseError(const beast::error_code& ec) {
  return &ec.category() == &http::make_error_code(http::error::bad_target).category();
}

bool StatusHasNoBody(int status) {
  return (status >= 100 && status < 200) || status == 204 || status == 304;
}

/// Appends one event in SSE wire format; multi-line data becomes several data: lines.
void AppendSseFrame(std::string& out, const StreamEvent& event) {
  if (event.id != 0) {
    out += "id: ";
    out += std::to_string(event.id);
    out += '\n';
  }
  if (!event.event.empty()) {
    out += "event: ";
    for (char c : event.event) {
      out += (c == '\n' || c == '\r') ? ' ' : c;
    }
    out += '\n';
  }
  std::string_view data = event.data;
  while (true) {
    const std::size_t newline = data.find('\n');
    std::string_view line = data.substr(0, newline);
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    out += "data: ";
    out += line;
    out += '\n';
    if (newline == std::string_view::npos) {
      break;
    }
    data.remove_prefix(newline + 1);
  }
  out += '\n';
}

}  // namespace

/// Anything the server must be able to wind down on Stop().
class SessionBase {
 public:
  virtual ~SessionBase() = default;
  /// Graceful: idle connections close now, busy ones after their current response. Thread-safe.
  virtual void Shutdown() = 0;
  /// Immediate close. Thread-safe.
  virtual void ForceClose() = 0;
};

struct HttpServer::Impl {
  explicit Impl(HttpServerOptions opts) : options(std::move(opts)) {
    if (!options.static_dir.empty()) {
      static_files.emplace(options.static_dir);
    }
  }

  void Register(const std::shared_ptr<SessionBase>& session) {
    bool stop_now = false;
    {
      std::lock_guard lock(sessions_mutex);
      sessions.emplace(session.get(), session);
      stop_now = stopping.load();
    }
    if (stop_now) {
      session->Shutdown();
    }
  }

  void Unregister(const SessionBase* session) {
    std::lock_guard lock(sessions_mutex);
    sessions.erase(session);
    sessions_cv.notify_all();
  }

  void TrackStreamClient(const std::shared_ptr<StreamClient>& client) {
    std::lock_guard lock(sessions_mutex);
    std::erase_if(stream_clients, [](const std::weak_ptr<StreamClient>& weak) { return weak.expired(); });
    stream_clients.push_back(client);
  }

  std::vector<std::shared_ptr<SessionBase>> LiveSessions() {
    std::vector<std::shared_ptr<SessionBase>> live;
    std::lock_guard lock(sessions_mutex);
    for (auto& [key, weak] : sessions) {
      if (auto session = weak.lock()) {
        live.push_back(std::move(session));
      }
    }
    return live;
  }

  bool WaitForSessions(Clock::time_point deadline) {
    std::unique_lock lock(sessions_mutex);
    return sessions_cv.wait_until(lock, deadline, [&] { return sessions.empty(); });
  }

  void DoAccept();
  Response Readiness();

  HttpServerOptions options;
  Router router;
  HttpMetrics metrics;
  std::optional<StaticFiles> static_files;
  std::string openapi_json;

  std::mutex readiness_mutex;
  std::vector<std::pair<std::string, std::function<Status()>>> readiness_checks;

  std::unique_ptr<net::io_context> ioc;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::unique_ptr<net::steady_timer> accept_retry_timer;
  std::vector<std::thread> threads;
  std::atomic<bool> stopping{false};
  std::mutex lifecycle_mutex;
  bool started = false;
  bool stopped = false;
  std::uint16_t port = 0;

  mutable std::mutex sessions_mutex;
  std::condition_variable sessions_cv;
  std::unordered_map<const SessionBase*, std::weak_ptr<SessionBase>> sessions;
  std::vector<std::weak_ptr<StreamClient>> stream_clients;
};

namespace {

using Impl = HttpServer::Impl;

// ---------------------------------------------------------------------------------------------------------
/// A server-sent-events connection: writes queued events, heartbeats when idle, closes on overflow.
class SseSession : public SessionBase, public std::enable_shared_from_this<SseSession> {
 public:
  SseSession(Impl& impl, beast::tcp_stream stream, std::shared_ptr<StreamClient> client, std::string head)
      : impl_(impl),
        stream_(std::move(stream)),
        client_(std::move(client)),
        heartbeat_(stream_.get_executor()),
        out_(std::move(head)) {
    impl_.metrics.StreamOpened();
    impl_.metrics.ConnectionOpened();
  }

  ~SseSession() override {
    client_->Close(CloseReason::kDisconnected);
    impl_.metrics.StreamClosed(dropped_);
    impl_.metrics.ConnectionClosed();
    impl_.Unregister(this);
  }

  void Start() {
    if (impl_.options.stream_send_buffer_bytes > 0) {
      beast::error_code ec;
      stream_.socket().set_option(net::socket_base::send_buffer_size(impl_.options.stream_send_buffer_bytes), ec);
    }
    std::weak_ptr<SseSession> weak = shared_from_this();
    auto executor = stream_.get_executor();
    client_->SetWaker([weak, executor] {
      net::post(executor, [weak] {
        if (auto self = weak.lock()) {
          self->Pump();
        }
      });
    });
    ReadUntilDisconnect();
    ScheduleHeartbeat();
    StartWrite();  // the response head and retry hint are already in out_
  }

  void Shutdown() override {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      self->client_->Close(CloseReason::kShutdown);
      self->CloseSocket();
    });
  }
  void ForceClose() override {
    net::post(stream_.get_executor(), [self = shared_from_this()] { self->CloseSocket(); });
  }

 private:
  void Pump() {
    if (closed_) {
      return;
    }
    if (writing_) {
      // A write is parked (slow reader): events stay in the bounded client queue; only react to overflow.
      if (client_->close_reason() == CloseReason::kOverflow) {
        Drop();
      }
      return;
    }
    batch_.clear();
    const CloseReason reason = client_->Drain(batch_);
    if (reason == CloseReason::kOverflow) {
      Drop();
      return;
    }
    for (const auto& event : batch_) {
      AppendSseFrame(out_, *event);
    }
    batch_.clear();
    if (out_.empty()) {
      if (reason != CloseReason::kOpen) {
        CloseSocket();
      }
      return;
    }
    StartWrite();
  }

  void StartWrite() {
    writing_ = true;
    // A write that cannot finish within the idle timeout means a dead or stalled reader.
    stream_.expires_after(impl_.options.idle_timeout);
    net::async_write(stream_, net::buffer(out_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->writing_ = false;
      self->out_.clear();
      if (ec) {
        self->CloseSocket();
        return;
      }
      self->stream_.expires_never();
      self->wrote_since_heartbeat_ = true;
      self->Pump();
    });
  }

  void ReadUntilDisconnect() {
    stream_.async_read_some(net::buffer(read_buffer_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        self->client_->Close(CloseReason::kDisconnected);
        self->CloseSocket();
        return;
      }
      self->ReadUntilDisconnect();
    });
  }

  void ScheduleHeartbeat() {
    if (impl_.options.sse_heartbeat.count() <= 0) {
      return;
    }
    heartbeat_.expires_after(impl_.options.sse_heartbeat);
    heartbeat_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec || self->closed_) {
        return;
      }
      if (!self->writing_ && !self->wrote_since_heartbeat_) {
        self->out_ = ": heartbeat\n\n";
        self->StartWrite();
      }
      self->wrote_since_heartbeat_ = false;
      self->ScheduleHeartbeat();
    });
  }

  void Drop() {
    dropped_ = true;
    Log(LogLevel::kWarn, "SSE client dropped: its queue overflowed", client_->request_id());
    CloseSocket();
  }

  void CloseSocket() {
    if (closed_) {
      return;
    }
    closed_ = true;
    client_->Close(CloseReason::kDisconnected);
    heartbeat_.cancel();
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

  Impl& impl_;
  beast::tcp_stream stream_;
  std::shared_ptr<StreamClient> client_;
  net::steady_timer heartbeat_;
  std::string out_;
  std::deque<std::shared_ptr<const StreamEvent>> batch_;
  std::array<char, 512> read_buffer_{};
  bool writing_ = false;
  bool closed_ = false;
  bool dropped_ = false;
  bool wrote_since_heartbeat_ = false;
};

// ---------------------------------------------------------------------------------------------------------
/// A WebSocket connection: text messages both ways, automatic pong and idle pings, bounded send queue.
class WsSession : public SessionBase, public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(Impl& impl, beast::tcp_stream stream, const Route& route, std::shared_ptr<StreamClient> client,
            http::request<http::string_body> upgrade)
      : impl_(impl), ws_(std::move(stream)), route_(route), client_(std::move(client)), upgrade_(std::move(upgrade)) {
    impl_.metrics.StreamOpened();
    impl_.metrics.ConnectionOpened();
  }

  ~WsSession() override {
    client_->Close(CloseReason::kDisconnected);
    if (route_.ws_handler.on_close) {
      try {
        route_.ws_handler.on_close(client_);
      } catch (const std::exception& e) {
        Log(LogLevel::kError, std::string("websocket on_close threw: ") + e.what(), client_->request_id());
      }
    }
    impl_.metrics.StreamClosed(dropped_);
    impl_.metrics.ConnectionClosed();
    impl_.Unregister(this);
  }

  void Start() {
    if (impl_.options.stream_send_buffer_bytes > 0) {
      beast::error_code ec;
      beast::get_lowest_layer(ws_).socket().set_option(
          net::socket_base::send_buffer_size(impl_.options.stream_send_buffer_bytes), ec);
    }
    beast::get_lowest_layer(ws_).expires_never();
    websocket::stream_base::timeout timeout;
    timeout.handshake_timeout = impl_.options.read_timeout;
    timeout.idle_timeout = impl_.options.idle_timeout;
    timeout.keep_alive_pings = true;
    ws_.set_option(timeout);
    const std::string request_id = client_->request_id();
    ws_.set_option(websocket::stream_base::decorator(
        [request_id](websocket::response_type& response) { response.set("X-Request-Id", request_id); }));
    ws_.read_message_max(impl_.options.max_body_bytes);
    ws_.async_accept(upgrade_, [self = shared_from_this()](beast::error_code ec) { self->OnAccept(ec); });
  }

  void Shutdown() override {
    net::post(ws_.get_executor(), [self = shared_from_this()] {
      self->client_->Close(CloseReason::kShutdown);
      if (!self->accepted_ || self->writing_ || self->closing_) {
        self->HardClose();
        return;
      }
      self->closing_ = true;
      self->ws_.async_close(websocket::close_code::going_away, [self](beast::error_code) { self->HardClose(); });
    });
  }
  void ForceClose() override {
    net::post(ws_.get_executor(), [self = shared_from_this()] { self->HardClose(); });
  }

 private:
  void OnAccept(beast::error_code ec) {
    if (ec) {
      HardClose();
      return;
    }
    accepted_ = true;
    std::weak_ptr<WsSession> weak = shared_from_this();
    auto executor = ws_.get_executor();
    client_->SetWaker([weak, executor] {
      net::post(executor, [weak] {
        if (auto self = weak.lock()) {
          self->Pump();
        }
      });
    });
    DoRead();
    Pump();
  }

  void DoRead() {
    ws_.async_read(read_buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        self->client_->Close(CloseReason::kDisconnected);
        self->HardClose();
        return;
      }
      if (self->ws_.got_text() && self->route_.ws_handler.on_message) {
        const std::string message = beast::buffers_to_string(self->read_buffer_.data());
        try {
          self->route_.ws_handler.on_message(self->client_, message);
        } catch (const std::exception& e) {
          Log(LogLevel::kError, std::string("websocket on_message threw: ") + e.what(), self->client_->request_id());
        }
      }
      self->read_buffer_.consume(self->read_buffer_.size());
      self->DoRead();
    });
  }

  void Pump() {
    if (closed_ || closing_ || !accepted_) {
      return;
    }
    if (writing_) {
      if (client_->close_reason() == CloseReason::kOverflow) {
        Drop();
      }
      return;
    }
    const CloseReason reason = client_->Drain(outbox_);
    if (reason == CloseReason::kOverflow) {
      Drop();
      return;
    }
    if (!outbox_.empty()) {
      WriteFront();
      return;
    }
    if (reason != CloseReason::kOpen) {
      closing_ = true;
      ws_.async_close(websocket::close_code::normal,
                      [self = shared_from_this()](beast::error_code) { self->HardClose(); });
    }
  }

  void WriteFront() {
    writing_ = true;
    ws_.text(true);
    ws_.async_write(net::buffer(outbox_.front()->data), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->writing_ = false;
      if (ec) {
        self->HardClose();
        return;
      }
      self->outbox_.pop_front();
      if (!self->outbox_.empty() && !self->closed_) {
        if (self->client_->close_reason() == CloseReason::kOverflow) {
          self->Drop();
          return;
        }
        self->WriteFront();
        return;
      }
      self->Pump();
    });
  }

  void Drop() {
    dropped_ = true;
    Log(LogLevel::kWarn, "WebSocket client dropped: its queue overflowed", client_->request_id());
    HardClose();
  }

  void HardClose() {
    if (closed_) {
      return;
    }
    closed_ = true;
    client_->Close(CloseReason::kDisconnected);
    beast::error_code ec;
    beast::get_lowest_layer(ws_).socket().shutdown(tcp::socket::shutdown_both, ec);
    beast::get_lowest_layer(ws_).close();
  }

  Impl& impl_;
  websocket::stream<beast::tcp_stream> ws_;
  const Route& route_;
  std::shared_ptr<StreamClient> client_;
  http::request<http::string_body> upgrade_;
  beast::flat_buffer read_buffer_;
  std::deque<std::shared_ptr<const StreamEvent>> outbox_;
  bool accepted_ = false;
  bool writing_ = false;
  bool closing_ = false;
  bool closed_ = false;
  bool dropped_ = false;
};

// ---------------------------------------------------------------------------------------------------------
/// One HTTP/1.1 connection: reads requests one after another (keep-alive), routes them, writes responses.
class HttpSession : public SessionBase, public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(Impl& impl, tcp::socket socket)
      : impl_(impl), stream_(std::move(socket)), executor_(stream_.get_executor()) {
    beast::error_code ec;
    const auto endpoint = stream_.socket().remote_endpoint(ec);
    if (!ec) {
      remote_ = endpoint.address().to_string();
    }
    stream_.socket().set_option(tcp::no_delay(true), ec);
    impl_.metrics.ConnectionOpened();
  }

  ~HttpSession() override {
    impl_.metrics.ConnectionClosed();
    impl_.Unregister(this);
  }

  void Start() {
    net::dispatch(executor_, [self = shared_from_this()] { self->WaitForRequest(); });
  }

  // The executor is kept apart from stream_ because an upgrade moves the stream away.
  void Shutdown() override {
    net::post(executor_, [self = shared_from_this()] {
      self->shutdown_ = true;
      if (self->state_ == State::kIdle) {
        self->CloseSocket();
      }
    });
  }
  void ForceClose() override {
    net::post(executor_, [self = shared_from_this()] { self->CloseSocket(); });
  }

 private:
  enum class State : std::uint8_t { kIdle, kReading, kBusy, kClosing, kClosed, kUpgraded };

  void WaitForRequest() {
    if (shutdown_) {
      CloseSocket();
      return;
    }
    if (buffer_.size() > 0) {
      ReadRequest();  // a pipelined request is already buffered
      return;
    }
    state_ = State::kIdle;
    stream_.expires_after(first_request_ ? impl_.options.read_timeout : impl_.options.idle_timeout);
    stream_.async_read_some(buffer_.prepare(kReadChunk),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              if (ec) {
                                self->CloseSocket();  // idle timeout, EOF, reset or shutdown
                                return;
                              }
                              self->buffer_.commit(n);
                              self->ReadRequest();
                            });
  }

  void ReadRequest() {
    state_ = State::kReading;
    parser_.emplace();
    parser_->header_limit(
        static_cast<std::uint32_t>(std::min<std::size_t>(impl_.options.max_header_bytes, UINT32_MAX)));
    // The body limit is applied after the header so an oversized Content-Length is answered with the
    // request's own id; until then Beast must not reject it mid-header.
    parser_->body_limit(boost::none);
    stream_.expires_after(impl_.options.read_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) {
      OnReadError(ec);
      return;
    }
    const auto length = parser_->content_length();
    if (length && *length > impl_.options.max_body_bytes) {
      OnReadError(http::error::body_limit);
      return;
    }
    parser_->body_limit(impl_.options.max_body_bytes);  // bounds chunked bodies too
    if (parser_->is_done()) {
      OnRead({});
      return;
    }
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code read_ec, std::size_t) { self->OnRead(read_ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec) {
      OnReadError(ec);
      return;
    }
    state_ = State::kBusy;
    Dispatch(parser_->release());
  }

  void OnReadError(beast::error_code ec) {
    if (ec == http::error::header_limit) {
      SendMalformed(431, "header_too_large",
                    "request headers exceed " + std::to_string(impl_.options.max_header_bytes) + " bytes");
    } else if (ec == http::error::body_limit) {
      SendMalformed(413, "payload_too_large",
                    "request body exceeds " + std::to_string(impl_.options.max_body_bytes) + " bytes");
    } else if (IsHttpParseError(ec) && ec != http::error::end_of_stream && ec != http::error::partial_message) {
      SendMalformed(400, "invalid_argument", "malformed HTTP request: " + ec.message());
    } else {
      CloseSocket();  // EOF, reset, timeout or shutdown: nobody to answer
    }
  }

  void SendMalformed(int status, std::string_view code, const std::string& message) {
    state_ = State::kBusy;
    impl_.metrics.RequestStarted();
    Request request;
    request.method = Method::kOther;
    std::string_view id_header;
    if (parser_ && parser_->is_header_done()) {
      request.method = ParseMethod(std::string_view(parser_->get().method_string()));
      id_header = std::string_view(parser_->get()["X-Request-Id"]);
    }
    request.request_id = RequestIdFrom(id_header);
    Write(request, ErrorResponse(status, code, message), false, HttpMetrics::kMalformed, Clock::now());
  }

  void Dispatch(http::request<http::string_body> raw) {
    const auto start = Clock::now();
    impl_.metrics.RequestStarted();
    Request request;
    request.method = ParseMethod(std::string_view(raw.method_string()));
    request.target = std::string(raw.target());
    request.headers.reserve(8);
    for (const auto& field : raw) {
      std::string name(field.name_string());
      for (char& c : name) {
        if (c >= 'A' && c <= 'Z')
          c = static_cast<char>(c - 'A' + 'a');
      }
      request.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    request.request_id = RequestIdFrom(std::string_view(raw["X-Request-Id"]));
    request.remote_address = remote_;
    request.body = std::move(raw.body());
    const bool keep_alive = raw.keep_alive();

    int slot = HttpMetrics::kUnmatched;
    std::optional<Response> response;
    auto target = ParseTarget(request.target);
    if (!target.ok()) {
      slot = HttpMetrics::kMalformed;
      response = ErrorResponse(target.error());
    } else {
      request.path = std::move(target->path);
      request.query = std::move(target->query);
      Resolution resolution = impl_.router.Resolve(request.method, target->segments);
      if (resolution.route != nullptr) {
        const Route& route = *resolution.route;
        request.path_params = std::move(resolution.params);
        request.route_pattern = route.pattern;
        slot = route.metrics_slot;
        switch (route.kind) {
          case RouteKind::kHandler:
            response = impl_.router.Invoke(route, request);
            break;
          case RouteKind::kSse:
            response = StartSse(route, request, slot, start);
            break;
          case RouteKind::kWebSocket:
            response = StartWebSocket(route, request, std::move(raw), slot, start);
            break;
        }
        if (!response) {
          return;  // the connection now belongs to a stream session
        }
      } else if (resolution.path_exists()) {
        if (request.method == Method::kOptions) {
          response = Response::NoContent();
        } else {
          response = ErrorResponse(405, "method_not_allowed",
                                   std::string(request.method == Method::kOther ? std::string_view(raw.method_string())
                                                                                : MethodName(request.method)) +
                                       " is not allowed on " + request.path);
        }
        response->SetHeader("Allow", resolution.allow);
      } else if (impl_.static_files && (request.method == Method::kGet || request.method == Method::kHead)) {
        slot = HttpMetrics::kStatic;
        response = impl_.static_files->Serve(request, target->segments);
      } else {
        response = ErrorResponse(404, "not_found", "no route for " + request.path);
      }
    }
    Write(request, std::move(*response), keep_alive, slot, start);
  }

  /// Answers an SSE route: either a refusal (returned) or the stream takes over the socket (nullopt).
  std::optional<Response> StartSse(const Route& route, Request& request, int slot, Clock::time_point start) {
    if (auto refusal = impl_.router.Admit(route, request)) {
      return refusal;
    }
    auto client = std::make_shared<StreamClient>(impl_.options.stream_queue_capacity);
    const auto last_event_id = request.Header("last-event-id");
    client->SetConnectionInfo(last_event_id ? std::optional<std::string>(std::string(*last_event_id)) : std::nullopt,
                              request.request_id);
    if (auto refusal =
            RunOpenHandler(route.pattern, request, client, [&] { return route.sse_handler(request, client); })) {
      return refusal;
    }
    std::string head =
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
        "X-Accel-Buffering: no\r\nConnection: close\r\nX-Request-Id: " +
        request.request_id + "\r\n\r\nretry: 2000\n\n";
    FinishStreamHandshake(request.method, 200, slot, start);
    impl_.TrackStreamClient(client);
    auto session = std::make_shared<SseSession>(impl_, std::move(stream_), client, std::move(head));
    impl_.Register(session);
    session->Start();
    return std::nullopt;
  }

  std::optional<Response> StartWebSocket(const Route& route, Request& request, http::request<http::string_body> raw,
                                         int slot, Clock::time_point start) {
    if (!websocket::is_upgrade(raw)) {
      Response response = ErrorResponse(426, "upgrade_required", "this route needs a WebSocket upgrade");
      response.SetHeader("Upgrade", "websocket");
      return response;
    }
    if (auto refusal = impl_.router.Admit(route, request)) {
      return refusal;
    }
    auto client = std::make_shared<StreamClient>(impl_.options.stream_queue_capacity);
    client->SetConnectionInfo(std::nullopt, request.request_id);
    if (route.ws_handler.on_open) {
      if (auto refusal = RunOpenHandler(route.pattern, request, client,
                                        [&] { return route.ws_handler.on_open(request, client); })) {
        return refusal;
      }
    }
    FinishStreamHandshake(request.method, 101, slot, start);
    impl_.TrackStreamClient(client);
    auto session = std::make_shared<WsSession>(impl_, std::move(stream_), route, client, std::move(raw));
    impl_.Register(session);
    session->Start();
    return std::nullopt;
  }

  template <typename Fn>
  std::optional<Response> RunOpenHandler(const std::string& pattern, const Request& request,
                                         const std::shared_ptr<StreamClient>& client, Fn&& open) {
    try {
      Status status = open();
      if (status.ok()) {
        return std::nullopt;
      }
      client->Close();
      if (IsServerFault(status.error().code)) {
        Log(LogLevel::kError, "stream " + pattern + " refused: " + status.error().ToString(), request.request_id);
      }
      return ErrorResponse(status.error());
    } catch (const std::exception& e) {
      Log(LogLevel::kError, "stream " + pattern + " threw: " + e.what(), request.request_id);
    } catch (...) {
      Log(LogLevel::kError, "stream " + pattern + " threw a non-standard exception", request.request_id);
    }
    client->Close();
    return ErrorResponse(500, "internal", kInternalErrorMessage);
  }

  void FinishStreamHandshake(Method method, int status, int slot, Clock::time_point start) {
    state_ = State::kUpgraded;
    impl_.metrics.Record(slot, method, status, Clock::now() - start);
    impl_.metrics.RequestFinished();
  }

  void Write(const Request& request, Response response, bool keep_alive, int slot, Clock::time_point start) {
    keep_alive = keep_alive && !shutdown_ && !impl_.stopping.load(std::memory_order_relaxed);
    auto& res = response_;
    res = {};
    res.version(11);
    res.result(static_cast<unsigned>(response.status));
    if (!response.content_type.empty()) {
      res.set(http::field::content_type, response.content_type);
    }
    for (const auto& [name, value] : response.headers) {
      res.set(name, value);
    }
    res.set("X-Request-Id", request.request_id);
    if (!StatusHasNoBody(response.status)) {
      res.content_length(response.body.size());
      if (request.method != Method::kHead) {
        res.body() = std::move(response.body);
      }
    }
    res.keep_alive(keep_alive);
    impl_.metrics.Record(slot, request.method, response.status, Clock::now() - start);
    impl_.metrics.RequestFinished();

    state_ = State::kBusy;
    stream_.expires_after(impl_.options.read_timeout);
    http::async_write(stream_, res, [self = shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
      if (ec) {
        self->CloseSocket();
        return;
      }
      if (!keep_alive) {
        self->LingeringClose();
        return;
      }
      self->first_request_ = false;
      self->WaitForRequest();
    });
  }

  /// Half-closes and discards what the client still sends (an oversized body, say), so the kernel does not
  /// answer unread data with a reset that could destroy the response in flight.
  void LingeringClose() {
    state_ = State::kClosing;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.expires_after(kLingerTimeout);
    Discard();
  }

  void Discard() {
    stream_.async_read_some(net::buffer(discard_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        self->CloseSocket();
        return;
      }
      self->Discard();
    });
  }

  void CloseSocket() {
    if (state_ == State::kClosed || state_ == State::kUpgraded) {
      return;
    }
    state_ = State::kClosed;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

  Impl& impl_;
  beast::tcp_stream stream_;
  net::any_io_executor executor_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
  std::array<char, 4096> discard_{};
  std::string remote_;
  State state_ = State::kIdle;
  bool first_request_ = true;
  bool shutdown_ = false;
};

}  // namespace

// ---------------------------------------------------------------------------------------------------------

void HttpServer::Impl::DoAccept() {
  acceptor->async_accept(net::make_strand(*ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor->is_open()) {
      return;
    }
    if (ec) {
      // Out of descriptors and similar: back off briefly instead of spinning.
      Log(LogLevel::kWarn, "accept failed: " + ec.message());
      accept_retry_timer->expires_after(std::chrono::milliseconds(50));
      accept_retry_timer->async_wait([this](beast::error_code wait_ec) {
        if (!wait_ec && !stopping.load()) {
          DoAccept();
        }
      });
      return;
    }
    if (stopping.load()) {
      beast::error_code close_ec;
      socket.close(close_ec);
      return;
    }
    auto session = std::make_shared<HttpSession>(*this, std::move(socket));
    Register(session);
    session->Start();
    DoAccept();
  });
}

Response HttpServer::Impl::Readiness() {
  std::vector<std::pair<std::string, std::function<Status()>>> checks;
  {
    std::lock_guard lock(readiness_mutex);
    checks = readiness_checks;
  }
  JsonWriter w(256);
  std::string failed_names;
  w.BeginObject().Key("checks").BeginArray();
  for (const auto& [name, check] : checks) {
    std::optional<Status> status;
    try {
      status.emplace(check());
    } catch (const std::exception& e) {
      status.emplace(Error::Internal(std::string("check threw: ") + e.what()));
    }
    w.BeginObject().Key("name").String(name).Key("ok").Bool(status->ok());
    if (!status->ok()) {
      w.Key("message").String(status->error().message);
      failed_names += failed_names.empty() ? name : ", " + name;
    }
    w.EndObject();
  }
  w.EndArray();
  w.Key("status").String(failed_names.empty() ? "ready" : "not_ready");
  if (!failed_names.empty()) {
    w.Key("error").BeginObject().Key("code").String("unavailable");
    w.Key("message").String("readiness checks failed: " + failed_names).Key("field").Null().EndObject();
  }
  w.EndObject();
  return Response::Json(w.Take(), failed_names.empty() ? 200 : 503);
}

HttpServer::HttpServer(HttpServerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {
  TD_CHECK(impl_->options.io_threads >= 1) << "io_threads must be at least 1";
  if (!impl_->options.builtin_routes) {
    return;
  }
  Impl* impl = impl_.get();
  Router& router = impl_->router;
  const std::string status_schema = R"({"type":"object","properties":{"status":{"type":"string"}}})";
  RouteDoc healthz = MakeDoc("Liveness: answers 200 while the process is up", "getHealthz", {"system"});
  healthz.responses = {{200, "The process is alive", status_schema, "application/json"}};
  router.Get(
      "/healthz", [](const Request&) -> Result<Response> { return Response::Json(R"({"status":"ok"})"); },
      std::move(healthz));

  RouteDoc readyz =
      MakeDoc("Readiness: 200 when every check passes, else 503 naming the failures", "getReadyz", {"system"});
  readyz.responses = {{200, "Ready", status_schema, "application/json"},
                      {503, "Not ready", status_schema, "application/json"}};
  router.Get(
      "/readyz", [impl](const Request&) -> Result<Response> { return impl->Readiness(); }, std::move(readyz));

  RouteDoc metrics = MakeDoc("Prometheus metrics (text exposition format 0.0.4)", "getMetrics", {"system"});
  metrics.responses = {{200, "Metrics", R"({"type":"string"})", "text/plain"}};
  metrics.hidden = true;
  router.Get(
      "/metrics",
      [impl](const Request&) -> Result<Response> {
        return Response::Text(impl->metrics.Render(), "text/plain; version=0.0.4; charset=utf-8");
      },
      std::move(metrics));

  RouteDoc openapi = MakeDoc("This OpenAPI 3.1 document", "getOpenApi", {"system"});
  openapi.responses = {{200, "The OpenAPI document", R"({"type":"object"})", "application/json"}};
  openapi.hidden = true;
  router.Get(
      "/openapi.json", [impl](const Request&) -> Result<Response> { return Response::Json(impl->openapi_json); },
      std::move(openapi));
}

HttpServer::~HttpServer() {
  Stop();
}

Router& HttpServer::router() {
  return impl_->router;
}
HttpMetrics& HttpServer::metrics() {
  return impl_->metrics;
}
const HttpServerOptions& HttpServer::options() const {
  return impl_->options;
}

void HttpServer::AddReadinessCheck(std::string name, std::function<Status()> check) {
  std::lock_guard lock(impl_->readiness_mutex);
  impl_->readiness_checks.emplace_back(std::move(name), std::move(check));
}

Status HttpServer::Start() {
  Impl& impl = *impl_;
  std::lock_guard lifecycle(impl.lifecycle_mutex);
  if (impl.started) {
    return Error{ErrorCode::kConflict, "server already started", {}};
  }
  impl.router.Freeze();
  for (auto& route : impl.router.mutable_routes()) {
    route->metrics_slot = impl.metrics.RegisterRoute(route->pattern);
  }
  impl.openapi_json = impl.router.OpenApiJson();

  beast::error_code ec;
  const auto address = net::ip::make_address(impl.options.listen_host, ec);
  if (ec) {
    return Error::InvalidArgument("listen address '" + impl.options.listen_host + "' is not an IP address",
                                  "listen_host");
  }
  impl.ioc = std::make_unique<net::io_context>(impl.options.io_threads);
  impl.acceptor = std::make_unique<tcp::acceptor>(net::make_strand(*impl.ioc));
  impl.accept_retry_timer = std::make_unique<net::steady_timer>(impl.acceptor->get_executor());
  const tcp::endpoint endpoint(address, impl.options.listen_port);
  const std::string where = impl.options.listen_host + ":" + std::to_string(impl.options.listen_port);
  auto fail = [&](std::string_view step) -> Status {
    const std::string message = "cannot " + std::string(step) + " " + where + ": " + ec.message();
    impl.accept_retry_timer.reset();
    impl.acceptor.reset();
    impl.ioc.reset();
    return Error::Io(message);
  };
  impl.acceptor->open(endpoint.protocol(), ec);
  if (ec)
    return fail("open");
  impl.acceptor->set_option(net::socket_base::reuse_address(true), ec);
  if (ec)
    return fail("configure");
  impl.acceptor->bind(endpoint, ec);
  if (ec)
    return fail("bind");
  impl.acceptor->listen(net::socket_base::max_listen_connections, ec);
  if (ec)
    return fail("listen on");
  impl.port = impl.acceptor->local_endpoint().port();

  impl.work.emplace(net::make_work_guard(*impl.ioc));
  impl.DoAccept();
  for (int i = 0; i < impl.options.io_threads; ++i) {
    impl.threads.emplace_back([&impl] {
      while (true) {
        try {
          impl.ioc->run();
          return;
        } catch (const std::exception& e) {
          Log(LogLevel::kError, std::string("io thread caught: ") + e.what());
        }
      }
    });
  }
  impl.started = true;
  return {};
}

void HttpServer::Stop() {
  Impl& impl = *impl_;
  {
    std::lock_guard lifecycle(impl.lifecycle_mutex);
    if (!impl.started || impl.stopped) {
      return;
    }
    impl.stopped = true;
  }
  impl.stopping.store(true);

  // 1. Refuse new connections: close the listening socket on its own strand.
  std::promise<void> acceptor_closed;
  net::post(impl.acceptor->get_executor(), [&] {
    beast::error_code ec;
    impl.acceptor->close(ec);
    impl.accept_retry_timer->cancel();
    acceptor_closed.set_value();
  });
  acceptor_closed.get_future().wait();

  // 2. Idle connections and streams close now; in-flight requests finish, answered with Connection: close.
  for (const auto& session : impl.LiveSessions()) {
    session->Shutdown();
  }
  if (!impl.WaitForSessions(Clock::now() + impl.options.shutdown_grace)) {
    Log(LogLevel::kWarn, "shutdown grace elapsed; closing remaining connections");
    for (const auto& session : impl.LiveSessions()) {
      session->ForceClose();
    }
    impl.WaitForSessions(Clock::now() + std::chrono::seconds(2));
  }

  // 3. Stop the io threads, then detach producers from sessions before the io_context goes away.
  impl.work.reset();
  impl.ioc->stop();
  for (auto& thread : impl.threads) {
    thread.join();
  }
  impl.threads.clear();
  {
    std::vector<std::weak_ptr<StreamClient>> clients;
    {
      std::lock_guard lock(impl.sessions_mutex);
      clients.swap(impl.stream_clients);
    }
    for (const auto& weak : clients) {
      if (auto client = weak.lock()) {
        client->Close(CloseReason::kShutdown);
      }
    }
  }
  impl.accept_retry_timer.reset();
  impl.acceptor.reset();
  impl.ioc.reset();
}

std::uint16_t HttpServer::port() const {
  return impl_->port;
}

std::size_t HttpServer::open_connections() const {
  std::lock_guard lock(impl_->sessions_mutex);
  return impl_->sessions.size();
}

}  // namespace td::api
