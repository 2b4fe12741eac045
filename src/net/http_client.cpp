// SPDX-License-Identifier: MIT
// The only translation unit of net/ that includes Beast (each one costs ~25 s to compile).
#include "net/http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/url/parse.hpp>
#include <deque>
#include <map>
#include <optional>
#include <strings.h>

namespace td::net {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {

struct Endpoint {
  bool tls = false;
  std::string host;
  std::string port;
  std::string target;  // path + query
  std::string Key() const { return (tls ? "https://" : "http://") + host + ":" + port; }
};

Result<Endpoint> ParseUrl(const std::string& url, bool websocket) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) {
    return Error::InvalidArgument("malformed URL '" + url + "': " + parsed.error().message(), "url");
  }
  Endpoint endpoint;
  const std::string scheme(parsed->scheme());
  if (scheme == (websocket ? "wss" : "https")) {
    endpoint.tls = true;
  } else if (scheme != (websocket ? "ws" : "http")) {
    return Error::InvalidArgument("unsupported URL scheme '" + scheme + "'", "url");
  }
  endpoint.host = std::string(parsed->encoded_host());
  if (endpoint.host.empty()) {
    return Error::InvalidArgument("URL has no host: '" + url + "'", "url");
  }
  if (endpoint.host.front() == '[' && endpoint.host.back() == ']') {
    endpoint.host = endpoint.host.substr(1, endpoint.host.size() - 2);
  }
  endpoint.port = parsed->has_port() ? std::string(parsed->port()) : (endpoint.tls ? "443" : "80");
  endpoint.target = std::string(parsed->encoded_path());
  if (endpoint.target.empty()) {
    endpoint.target = "/";
  }
  if (parsed->has_query()) {
    endpoint.target += "?" + std::string(parsed->encoded_query());
  }
  return endpoint;
}

Error FromErrorCode(const beast::error_code& ec, std::string_view what) {
  const std::string message = std::string(what) + ": " + ec.message();
  if (ec == beast::error::timeout || ec == asio::error::timed_out || ec == asio::error::operation_aborted) {
    return Error{ErrorCode::kTimeout, message, {}};
  }
  return Error{ErrorCode::kUnavailable, message, {}};
}

// Runs the context until `done` or nothing is left to run.
void RunUntil(asio::io_context& ioc, const bool& done) {
  ioc.restart();
  while (!done && ioc.run_one() > 0) {
  }
}

template <typename Stream>
beast::tcp_stream& Lowest(Stream& stream) {
  return beast::get_lowest_layer(stream);
}

// Resolves and connects the lowest layer of `stream` within the stream's current expiry.
template <typename Stream>
beast::error_code Connect(asio::io_context& ioc, Stream& stream, const Endpoint& endpoint) {
  tcp::resolver resolver(ioc);
  beast::error_code ec;
  const auto results = resolver.resolve(endpoint.host, endpoint.port, ec);
  if (ec) {
    return ec;
  }
  bool done = false;
  Lowest(stream).async_connect(results, [&](beast::error_code e, const tcp::endpoint&) {
    ec = e;
    done = true;
  });
  RunUntil(ioc, done);
  return ec;
}

template <typename Stream>
beast::error_code Handshake(asio::io_context& ioc, Stream& stream, const Endpoint& endpoint) {
  if constexpr (std::is_same_v<Stream, beast::ssl_stream<beast::tcp_stream>>) {
    if (!SSL_set_tlsext_host_name(stream.native_handle(), endpoint.host.c_str())) {
      return beast::error_code(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category());
    }
    beast::error_code ec;
    bool done = false;
    stream.async_handshake(ssl::stream_base::client, [&](beast::error_code e) {
      ec = e;
      done = true;
    });
    RunUntil(ioc, done);
    return ec;
  } else {
    (void)ioc;
    (void)stream;
    (void)endpoint;
    return {};
  }
}

class HttpConnection {
 public:
  virtual ~HttpConnection() = default;
  virtual Result<HttpResponse> Exchange(const HttpRequest& request, const Endpoint& endpoint,
                                        const HttpClientOptions& options) = 0;
};

template <typename Stream>
class HttpConnectionImpl final : public HttpConnection {
 public:
  template <typename... Args>
  explicit HttpConnectionImpl(asio::io_context& ioc, Args&&... args) : ioc_(ioc), stream_(std::forward<Args>(args)...) {}

  Result<HttpResponse> Exchange(const HttpRequest& request, const Endpoint& endpoint,
                                const HttpClientOptions& options) override {
    Lowest(stream_).expires_after(request.timeout);
    if (!connected_) {
      if (auto ec = Connect(ioc_, stream_, endpoint)) {
        return FromErrorCode(ec, "connect to " + endpoint.Key());
      }
      if (auto ec = Handshake(ioc_, stream_, endpoint)) {
        return FromErrorCode(ec, "TLS handshake with " + endpoint.Key());
      }
      connected_ = true;
    }
    http::request<http::string_body> req;
    req.method_string(request.method);
    req.target(endpoint.target);
    req.version(11);
    req.set(http::field::host, endpoint.host);
    req.set(http::field::user_agent, options.user_agent);
    for (const auto& [name, value] : request.headers) {
      req.set(name, value);
    }
    req.body() = request.body;
    req.prepare_payload();
    req.keep_alive(true);

    beast::error_code ec;
    bool done = false;
    http::async_write(stream_, req, [&](beast::error_code e, std::size_t) {
      ec = e;
      done = true;
    });
    RunUntil(ioc_, done);
    if (ec) {
      connected_ = false;
      return FromErrorCode(ec, "send to " + endpoint.Key());
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(options.max_body_bytes);
    done = false;
    http::async_read(stream_, buffer_, parser, [&](beast::error_code e, std::size_t) {
      ec = e;
      done = true;
    });
    RunUntil(ioc_, done);
    if (ec) {
      connected_ = false;
      // The request was written: its outcome is unknown to us.
      Error error = FromErrorCode(ec, "read from " + endpoint.Key());
      error.code = ErrorCode::kTimeout;
      error.message += " (after the request was sent: outcome unknown)";
      return error;
    }
    auto& res = parser.get();
    HttpResponse response;
    response.status = static_cast<int>(res.result_int());
    for (const auto& field : res) {
      response.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    response.body = std::move(res.body());
    if (!res.keep_alive()) {
      connected_ = false;
      beast::error_code ignored;
      Lowest(stream_).socket().shutdown(tcp::socket::shutdown_both, ignored);
    }
    return response;
  }

  bool connected() const { return connected_; }

 private:
  asio::io_context& ioc_;
  Stream stream_;
  beast::flat_buffer buffer_;
  bool connected_ = false;
};

}  // namespace

std::string_view HttpResponse::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key.size() == name.size() && ::strncasecmp(key.data(), name.data(), name.size()) == 0) {
      return value;
    }
  }
  return {};
}

struct HttpClient::Impl {
  HttpClientOptions options;
  asio::io_context ioc;
  ssl::context tls{ssl::context::tls_client};
  std::map<std::string, std::unique_ptr<HttpConnection>> connections;

  explicit Impl(HttpClientOptions o) : options(std::move(o)) {
    tls.set_default_verify_paths();
    tls.set_verify_mode(options.verify_tls ? ssl::verify_peer : ssl::verify_none);
  }

  HttpConnection& ConnectionFor(const Endpoint& endpoint) {
    auto& slot = connections[endpoint.Key()];
    if (!slot) {
      if (endpoint.tls) {
        slot = std::make_unique<HttpConnectionImpl<beast::ssl_stream<beast::tcp_stream>>>(ioc, ioc, tls);
      } else {
        slot = std::make_unique<HttpConnectionImpl<beast::tcp_stream>>(ioc, ioc);
      }
    }
    return *slot;
  }
};

HttpClient::HttpClient(HttpClientOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
HttpClient::~HttpClient() = default;

Result<HttpResponse> HttpClient::Send(const HttpRequest& request) {
  auto endpoint = ParseUrl(request.url, false);
  if (!endpoint.ok()) {
    return endpoint.error();
  }
  auto result = impl_->ConnectionFor(*endpoint).Exchange(request, *endpoint, impl_->options);
  if (!result.ok()) {
    impl_->connections.erase(endpoint->Key());  // a failed connection is never reused
  }
  return result;
}

Result<HttpResponse> HttpClient::Get(const std::string& url, Headers headers) {
  return Send(HttpRequest{"GET", url, std::move(headers), {}, std::chrono::milliseconds(10000)});
}

Result<HttpResponse> HttpClient::PostJson(const std::string& url, std::string body, Headers headers) {
  headers.emplace_back("Content-Type", "application/json");
  return Send(HttpRequest{"POST", url, std::move(headers), std::move(body), std::chrono::milliseconds(10000)});
}

namespace {

class WsConnection {
 public:
  virtual ~WsConnection() = default;
  virtual Status Open(const Endpoint& endpoint, const Headers& headers, std::chrono::milliseconds timeout) = 0;
  virtual Status Send(std::string_view text, std::chrono::milliseconds timeout) = 0;
  virtual Result<std::string> Receive(std::chrono::milliseconds timeout) = 0;
  virtual void Close() = 0;
  virtual bool open() const = 0;
};

template <typename Next>
class WsConnectionImpl final : public WsConnection {
 public:
  template <typename... Args>
  explicit WsConnectionImpl(asio::io_context& ioc, Args&&... args) : ioc_(ioc), ws_(std::forward<Args>(args)...) {}

  Status Open(const Endpoint& endpoint, const Headers& headers, std::chrono::milliseconds timeout) override {
    Lowest(ws_).expires_after(timeout);
    if (auto ec = Connect(ioc_, ws_.next_layer(), endpoint)) {
      return FromErrorCode(ec, "connect to " + endpoint.Key());
    }
    if (auto ec = Handshake(ioc_, ws_.next_layer(), endpoint)) {
      return FromErrorCode(ec, "TLS handshake with " + endpoint.Key());
    }
    Lowest(ws_).expires_never();  // the websocket stream keeps its own timeouts from here on
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
    ws_.set_option(websocket::stream_base::decorator([headers](websocket::request_type& req) {
      req.set(beast::http::field::user_agent, "tradedesk");
      for (const auto& [name, value] : headers) {
        req.set(name, value);
      }
    }));
    beast::error_code ec;
    bool done = false;
    asio::steady_timer guard(ioc_, timeout);
    guard.async_wait([&](beast::error_code e) {
      if (!e && !done) {
        beast::get_lowest_layer(ws_).cancel();
      }
    });
    ws_.async_handshake(endpoint.host + ":" + endpoint.port, endpoint.target, [&](beast::error_code e) {
      ec = e;
      done = true;
    });
    RunUntil(ioc_, done);
    guard.cancel();
    RunPending();
    if (ec) {
      return FromErrorCode(ec, "WebSocket upgrade at " + endpoint.Key() + endpoint.target);
    }
    open_ = true;
    StartRead();
    return {};
  }

  Status Send(std::string_view text, std::chrono::milliseconds timeout) override {
    if (!open_) {
      return Error{ErrorCode::kUnavailable, closed_reason_.empty() ? "not connected" : closed_reason_, {}};
    }
    beast::error_code ec;
    bool done = false;
    ws_.text(true);
    asio::steady_timer guard(ioc_, timeout);
    bool timed_out = false;
    guard.async_wait([&](beast::error_code e) {
      if (!e && !done) {
        timed_out = true;
        beast::get_lowest_layer(ws_).cancel();
      }
    });
    ws_.async_write(asio::buffer(text.data(), text.size()), [&](beast::error_code e, std::size_t) {
      ec = e;
      done = true;
    });
    RunUntil(ioc_, done);
    guard.cancel();
    RunPending();
    if (ec) {
      open_ = false;
      return timed_out ? Error{ErrorCode::kTimeout, "WebSocket send timed out", {}} : FromErrorCode(ec, "WebSocket send");
    }
    return {};
  }

  Result<std::string> Receive(std::chrono::milliseconds timeout) override {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    ioc_.restart();
    while (inbox_.empty() && open_ && std::chrono::steady_clock::now() < deadline) {
      ioc_.run_one_until(deadline);
      if (ioc_.stopped()) {
        ioc_.restart();
      }
    }
    if (!inbox_.empty()) {
      std::string message = std::move(inbox_.front());
      inbox_.pop_front();
      return message;
    }
    if (!open_) {
      return Error{ErrorCode::kUnavailable, closed_reason_.empty() ? "connection closed" : closed_reason_, {}};
    }
    return Error{ErrorCode::kTimeout, "no message within the timeout", {}};
  }

  void Close() override {
    if (open_) {
      open_ = false;
      bool done = false;
      asio::steady_timer guard(ioc_, std::chrono::milliseconds(1000));
      guard.async_wait([&](beast::error_code e) {
        if (!e && !done) {
          beast::get_lowest_layer(ws_).cancel();
        }
      });
      ws_.async_close(websocket::close_code::normal, [&](beast::error_code) { done = true; });
      RunUntil(ioc_, done);
      guard.cancel();
    }
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
    RunPending();
  }

  bool open() const override { return open_; }

 private:
  void StartRead() {
    ws_.async_read(buffer_, [this](beast::error_code ec, std::size_t) {
      if (ec) {
        open_ = false;
        closed_reason_ = ec == websocket::error::closed ? "closed by the server" : "WebSocket read: " + ec.message();
        return;
      }
      inbox_.push_back(beast::buffers_to_string(buffer_.data()));
      buffer_.consume(buffer_.size());
      StartRead();
    });
  }

  void RunPending() {
    ioc_.restart();
    ioc_.poll();
  }

  asio::io_context& ioc_;
  websocket::stream<Next> ws_;
  beast::flat_buffer buffer_;
  std::deque<std::string> inbox_;
  std::string closed_reason_;
  bool open_ = false;
};

}  // namespace

struct WebSocketClient::Impl {
  asio::io_context ioc;
  ssl::context tls{ssl::context::tls_client};
  std::unique_ptr<WsConnection> connection;
  Impl() { tls.set_default_verify_paths(); tls.set_verify_mode(ssl::verify_peer); }
};

WebSocketClient::WebSocketClient() : impl_(std::make_unique<Impl>()) {}
WebSocketClient::~WebSocketClient() {
  if (impl_->connection) {
    impl_->connection->Close();
  }
}

Status WebSocketClient::Connect(const std::string& url, const Headers& headers, std::chrono::milliseconds timeout) {
  auto endpoint = ParseUrl(url, true);
  if (!endpoint.ok()) {
    return endpoint.error();
  }
  if (impl_->connection) {
    impl_->connection->Close();
  }
  if (endpoint->tls) {
    impl_->connection = std::make_unique<WsConnectionImpl<beast::ssl_stream<beast::tcp_stream>>>(impl_->ioc, impl_->ioc, impl_->tls);
  } else {
    impl_->connection = std::make_unique<WsConnectionImpl<beast::tcp_stream>>(impl_->ioc, impl_->ioc);
  }
  return impl_->connection->Open(*endpoint, headers, timeout);
}

Status WebSocketClient::Send(std::string_view text, std::chrono::milliseconds timeout) {
  if (!impl_->connection) {
    return Error{ErrorCode::kUnavailable, "not connected", {}};
  }
  return impl_->connection->Send(text, timeout);
}

Result<std::string> WebSocketClient::Receive(std::chrono::milliseconds timeout) {
  if (!impl_->connection) {
    return Error{ErrorCode::kUnavailable, "not connected", {}};
  }
  return impl_->connection->Receive(timeout);
}

void WebSocketClient::Close() {
  if (impl_->connection) {
    impl_->connection->Close();
  }
}

bool WebSocketClient::connected() const { return impl_->connection && impl_->connection->open(); }

}  // namespace td::net
