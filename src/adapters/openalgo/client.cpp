// SPDX-License-Identifier: MIT
#include "adapters/openalgo/client.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <utility>

#include "core/clock.hpp"
#include "model/symbology.hpp"

namespace td::adapters::openalgo {

namespace {

using Steady = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds kReceiveSlice{50};
constexpr std::size_t kSymbolsPerMessage = 100;

UnixNanos WallNow() { return LiveClock().Now(); }

double SteadySeconds() {
  return std::chrono::duration<double>(Steady::now().time_since_epoch()).count();
}

StreamMode ModeFor(const std::set<data::DataKind>& kinds) {
  if (kinds.contains(data::DataKind::kDepth)) {
    return StreamMode::kDepth;
  }
  if (kinds.contains(data::DataKind::kQuotes)) {
    return StreamMode::kQuote;
  }
  return StreamMode::kLtp;
}

CivilDate LocalDate(UnixNanos t, int offset_minutes) {
  const std::int64_t seconds = (t + std::chrono::minutes(offset_minutes)).seconds();
  const std::int64_t days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400;
  return CivilFromDays(days);
}

bool IsAuthCode(std::string_view code) { return code == "AUTHENTICATION_ERROR" || code == "NOT_AUTHENTICATED"; }

}  // namespace

OpenAlgoDataClient::OpenAlgoDataClient(OpenAlgoConfig config)
    : config_(std::move(config)),
      bucket_(config_.rest_rate_per_second, config_.rest_burst),
      rest_backoff_(config_.reconnect_base, config_.max_retry_wait, config_.backoff_seed) {
  status_.source = "openalgo";
}

OpenAlgoDataClient::~OpenAlgoDataClient() { Disconnect(); }

data::DataCapabilities OpenAlgoDataClient::capabilities() const {
  data::DataCapabilities caps;
  caps.quotes = true;
  caps.trades = true;
  caps.depth = true;
  caps.history = true;
  caps.chains = true;
  return caps;
}

ParseOptions OpenAlgoDataClient::Options() const {
  return ParseOptions{config_.price_precision, config_.volume_precision, config_.exchange_utc_offset_minutes};
}

// ---- lifecycle ---------------------------------------------------------------------------------------------

Status OpenAlgoDataClient::Connect(data::MarketEventSink& sink) {
  TD_TRY(config_.Validate());
  std::unique_lock lock(mutex_);
  if (thread_.joinable()) {
    if (!finished_) {
      return Error{ErrorCode::kAlreadyExists, "openalgo feed is already connected", {}};
    }
    lock.unlock();
    thread_.join();  // a feed that gave up (bad key, attempts exhausted) may be connected again
    lock.lock();
  }
  sink_ = &sink;
  stop_ = false;
  finished_ = false;
  startup_ = Startup::kPending;
  active_.clear();
  thread_ = std::thread([this] {
    Run();
    std::lock_guard done(mutex_);
    finished_ = true;
  });
  cv_.wait(lock, [this] { return startup_ != Startup::kPending; });
  if (startup_ == Startup::kUp) {
    return {};
  }
  Error error = startup_error_;
  lock.unlock();
  thread_.join();
  lock.lock();
  sink_ = nullptr;
  return error;
}

void OpenAlgoDataClient::Disconnect() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
  std::lock_guard lock(mutex_);
  sink_ = nullptr;
  status_.connected = false;
}

bool OpenAlgoDataClient::Stopping() const {
  std::lock_guard lock(mutex_);
  return stop_;
}

void OpenAlgoDataClient::Run() {
  net::Backoff backoff(config_.reconnect_base, config_.reconnect_max, config_.backoff_seed);
  bool ever_up = false;
  int failures = 0;
  while (true) {
    net::WebSocketClient ws;
    bool established = false;
    Status result = Session(ws, established);
    ws.Close();
    const bool stopping = Stopping();
    if (!ever_up && !established) {
      std::lock_guard lock(mutex_);
      startup_ = Startup::kFailed;
      startup_error_ = result.ok() ? Error{ErrorCode::kUnavailable, "openalgo feed stopped", {}} : result.error();
      status_.connected = false;
      status_.last_error = startup_error_.message;
      cv_.notify_all();
      return;
    }
    ever_up = ever_up || established;
    {
      std::lock_guard lock(mutex_);
      status_.connected = false;
      if (!result.ok()) {
        status_.last_error = result.error().message;
      }
    }
    PublishStatus();
    if (stopping) {
      return;
    }
    if (!result.ok() && result.error().code == ErrorCode::kUnauthenticated) {
      logger_.Error("openalgo feed authentication failed; not reconnecting", {{"error", result.error().message}});
      return;
    }
    if (established) {
      backoff.Reset();
      failures = 0;
    }
    ++failures;
    if (config_.max_reconnect_attempts > 0 && failures > config_.max_reconnect_attempts) {
      logger_.Error("openalgo feed gave up reconnecting", {{"attempts", failures - 1}});
      return;
    }
    const milliseconds delay = backoff.Next();
    logger_.Warn("openalgo feed disconnected; reconnecting",
                 {{"error", result.ok() ? std::string() : result.error().message}, {"delay_ms", delay.count()}});
    std::unique_lock lock(mutex_);
    if (cv_.wait_for(lock, delay, [this] { return stop_; })) {
      return;
    }
  }
}

Status OpenAlgoDataClient::AwaitAuth(net::WebSocketClient& ws) {
  TD_TRY(ws.Send(AuthenticateMessage(config_.api_key)));
  const auto deadline = Steady::now() + config_.auth_timeout;
  while (true) {
    if (Stopping()) {
      return Error{ErrorCode::kUnavailable, "stopped while authenticating", {}};
    }
    const auto now = Steady::now();
    if (now >= deadline) {
      return Error{ErrorCode::kTimeout, "no authentication reply within the auth timeout", {}};
    }
    auto frame = ws.Receive(std::min<milliseconds>(kReceiveSlice, std::chrono::duration_cast<milliseconds>(deadline - now) + milliseconds(1)));
    if (!frame.ok()) {
      if (frame.error().code == ErrorCode::kTimeout) {
        continue;
      }
      return Error{ErrorCode::kUnavailable, "connection closed during authentication: " + frame.error().message, {}};
    }
    auto message = ParseWsMessage(*frame, Options(), WallNow());
    {
      std::lock_guard lock(mutex_);
      ++status_.messages;
      status_.last_message = WallNow();
      if (!message.ok()) {
        ++status_.rejects;
      }
    }
    if (!message.ok()) {
      continue;
    }
    if (message->kind == WsMessageKind::kAuth) {
      if (message->success) {
        return {};
      }
      return Error{ErrorCode::kUnauthenticated, "auth_failed: " + message->message, "api_key"};
    }
    if (message->kind == WsMessageKind::kError) {
      return Error{ErrorCode::kUnauthenticated,
                   "auth_failed: " + (message->code.empty() ? std::string() : message->code + ": ") + message->message,
                   "api_key"};
    }
  }
}

Status OpenAlgoDataClient::Session(net::WebSocketClient& ws, bool& established) {
  TD_TRY(ws.Connect(config_.ws_url, {}, config_.connect_timeout));
  TD_TRY(AwaitAuth(ws));
  established = true;
  bool first = false;
  {
    std::lock_guard lock(mutex_);
    first = startup_ == Startup::kPending;
    if (first) {
      startup_ = Startup::kUp;
    } else {
      ++status_.reconnects;
    }
    status_.connected = true;
    active_.clear();
    dirty_ = true;
  }
  cv_.notify_all();
  trade_states_.clear();
  logger_.Info(first ? "openalgo feed connected" : "openalgo feed reconnected", {{"url", config_.ws_url}});
  PublishStatus();

  auto last_rx = Steady::now();
  auto last_ping = Steady::now();
  auto last_status = Steady::now();
  while (true) {
    bool dirty = false;
    {
      std::lock_guard lock(mutex_);
      if (stop_) {
        return {};
      }
      dirty = dirty_;
    }
    if (dirty) {
      TD_TRY(Reconcile(ws));
    }
    auto frame = ws.Receive(kReceiveSlice);
    const auto now = Steady::now();
    if (frame.ok()) {
      last_rx = now;
      bool session_error = false;
      Error error;
      HandleFrame(*frame, session_error, error);
      if (session_error) {
        return error;
      }
    } else if (frame.error().code != ErrorCode::kTimeout) {
      return Error{ErrorCode::kUnavailable, "connection lost: " + frame.error().message, {}};
    }
    if (now - last_rx >= config_.ping_interval + config_.pong_timeout) {
      return Error{ErrorCode::kUnavailable, "heartbeat timeout: nothing received after ping", {}};
    }
    if (now - last_rx >= config_.ping_interval && now - last_ping >= config_.ping_interval) {
      last_ping = now;
      TD_TRY(ws.Send(PingMessage(WallNow())));
    }
    if (now - last_status >= config_.status_interval) {
      last_status = now;
      PublishStatus();
    }
  }
}

Status OpenAlgoDataClient::Reconcile(net::WebSocketClient& ws) {
  std::map<WireSymbol, StreamMode> desired;
  std::map<WireSymbol, StreamMode> active;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [wire, wanted] : wanted_) {
      desired.emplace(wire, ModeFor(wanted.kinds));
    }
    active = active_;
    dirty_ = false;
  }
  std::map<StreamMode, std::vector<WireSymbol>> subscribe;
  std::map<StreamMode, std::vector<WireSymbol>> unsubscribe;
  for (const auto& [wire, mode] : desired) {
    auto it = active.find(wire);
    if (it == active.end()) {
      subscribe[mode].push_back(wire);
    } else if (it->second != mode) {
      subscribe[mode].push_back(wire);
      unsubscribe[it->second].push_back(wire);
    }
  }
  for (const auto& [wire, mode] : active) {
    if (!desired.contains(wire)) {
      unsubscribe[mode].push_back(wire);
    }
  }
  auto send_chunks = [&](const std::map<StreamMode, std::vector<WireSymbol>>& groups, bool is_subscribe) -> Status {
    for (const auto& [mode, symbols] : groups) {
      for (std::size_t i = 0; i < symbols.size(); i += kSymbolsPerMessage) {
        std::vector<WireSymbol> chunk(symbols.begin() + static_cast<std::ptrdiff_t>(i),
                                      symbols.begin() + static_cast<std::ptrdiff_t>(std::min(symbols.size(), i + kSymbolsPerMessage)));
        TD_TRY(ws.Send(is_subscribe ? SubscribeMessage(chunk, mode, config_.depth_levels)
                                    : UnsubscribeMessage(chunk, mode)));
      }
    }
    return {};
  };
  TD_TRY(send_chunks(subscribe, true));
  TD_TRY(send_chunks(unsubscribe, false));
  std::lock_guard lock(mutex_);
  active_ = std::move(desired);
  return {};
}

void OpenAlgoDataClient::HandleFrame(const std::string& text, bool& session_error, Error& error) {
  const UnixNanos now = WallNow();
  auto message = ParseWsMessage(text, Options(), now);
  {
    std::lock_guard lock(mutex_);
    ++status_.messages;
    status_.last_message = now;
    if (!message.ok()) {
      ++status_.rejects;
      status_.last_error = "rejected frame: " + message.error().ToString();
    }
  }
  if (!message.ok()) {
    logger_.Debug("openalgo frame rejected", {{"error", message.error().ToString()}});
    return;
  }
  switch (message->kind) {
    case WsMessageKind::kMarketData: {
      MarketDataFrame& frame = message->market;
      bool wants_trades = false;
      bool wants_quotes = false;
      {
        std::lock_guard lock(mutex_);
        auto it = wanted_.find(frame.wire);
        if (it == wanted_.end()) {
          return;  // a frame still in flight for something just unsubscribed
        }
        frame.instrument = it->second.instrument;
        wants_trades = it->second.kinds.contains(data::DataKind::kTrades);
        wants_quotes = it->second.kinds.contains(data::DataKind::kQuotes) ||
                       it->second.kinds.contains(data::DataKind::kDepth);
      }
      if (frame.quote.has_value()) {
        frame.quote->instrument_id = frame.instrument;
      }
      if (wants_trades) {
        if (auto trade = DeriveTrade(frame, trade_states_[frame.instrument], now)) {
          Emit(*trade);
        }
      }
      if (wants_quotes && frame.quote.has_value()) {
        Emit(*frame.quote);
      }
      return;
    }
    case WsMessageKind::kSubscribe:
    case WsMessageKind::kUnsubscribe:
      if (!message->success) {
        std::string text_error = message->type + " " + message->status + ": " + message->message;
        for (const auto& failed : message->failed) {
          text_error += "; " + failed;
        }
        logger_.Warn("openalgo subscription not fully accepted", {{"detail", text_error}});
        NoteError(std::move(text_error));
      }
      return;
    case WsMessageKind::kError:
      if (IsAuthCode(message->code)) {
        session_error = true;
        error = Error{ErrorCode::kUnavailable, "server dropped authentication: " + message->message, {}};
        return;
      }
      NoteError((message->code.empty() ? std::string("error") : message->code) + ": " + message->message);
      return;
    case WsMessageKind::kPong:
    case WsMessageKind::kAuth:
    case WsMessageKind::kOther:
      return;
  }
}

void OpenAlgoDataClient::Emit(data::MarketEvent event) {
  data::MarketEventSink* sink = nullptr;
  {
    std::lock_guard lock(mutex_);
    sink = sink_;
  }
  if (sink != nullptr) {
    sink->OnEvent(std::move(event));
  }
}

void OpenAlgoDataClient::NoteError(std::string message) {
  std::lock_guard lock(mutex_);
  status_.last_error = std::move(message);
}

void OpenAlgoDataClient::PublishStatus() {
  data::PublishFeedStatus(mutex_, status_, sink_, WallNow());
}

data::FeedStatus OpenAlgoDataClient::status() const {
  std::lock_guard lock(mutex_);
  data::FeedStatus copy = status_;
  copy.ts_event = WallNow();
  return copy;
}

std::map<WireSymbol, StreamMode> OpenAlgoDataClient::ActiveSubscriptions() const {
  std::lock_guard lock(mutex_);
  return active_;
}

// ---- subscriptions ---------------------------------------------------------------------------------------

Status OpenAlgoDataClient::Subscribe(const data::Subscription& subscription) {
  if (subscription.kind == data::DataKind::kBars || subscription.kind == data::DataKind::kChain) {
    return Error::Unprocessable("openalgo streams trades, quotes and depth; bars and chains are requested", "kind");
  }
  auto wire = ToWireSymbol(subscription.instrument, config_.normalise_index_exchanges);
  if (!wire.ok()) {
    return wire.error();
  }
  std::lock_guard lock(mutex_);
  auto [it, inserted] = wanted_.try_emplace(*wire, Wanted{subscription.instrument, {}});
  if (!inserted && it->second.instrument != subscription.instrument) {
    return Error{ErrorCode::kConflict,
                 subscription.instrument.value() + " and " + it->second.instrument.value() +
                     " are the same OpenAlgo symbol",
                 "instrument"};
  }
  if (it->second.kinds.insert(subscription.kind).second) {
    dirty_ = true;
  }
  return {};
}

Status OpenAlgoDataClient::Unsubscribe(const data::Subscription& subscription) {
  auto wire = ToWireSymbol(subscription.instrument, config_.normalise_index_exchanges);
  if (!wire.ok()) {
    return wire.error();
  }
  std::lock_guard lock(mutex_);
  auto it = wanted_.find(*wire);
  if (it == wanted_.end() || it->second.kinds.erase(subscription.kind) == 0) {
    return Error::NotFound("not subscribed: " + subscription.instrument.value(), "instrument");
  }
  if (it->second.kinds.empty()) {
    wanted_.erase(it);
  }
  dirty_ = true;
  return {};
}

// ---- REST ------------------------------------------------------------------------------------------------

Result<net::HttpResponse> OpenAlgoDataClient::Post(std::string_view path, std::string body) {
  std::lock_guard rest_lock(rest_mutex_);
  net::HttpRequest request;
  request.method = "POST";
  request.url = config_.rest_base_url + std::string(path);
  request.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
  request.body = std::move(body);
  request.timeout = config_.http_timeout;
  for (int attempt = 0;; ++attempt) {
    while (!bucket_.TryTake(SteadySeconds())) {
      std::this_thread::sleep_for(std::chrono::duration<double>(std::max(0.001, bucket_.WaitSeconds(SteadySeconds()))));
    }
    auto response = http_.Send(request);
    if (!response.ok()) {
      NoteError(response.error().message);
      return response.error();
    }
    if (response->status != 429 || attempt >= config_.max_rate_limit_retries) {
      if (response->status == 200) {
        rest_backoff_.Reset();
      }
      return response;
    }
    const milliseconds wait = net::ParseRetryAfter(response->Header("Retry-After")).value_or(rest_backoff_.Next());
    if (wait > config_.max_retry_wait) {
      return response;
    }
    logger_.Warn("openalgo rate limited; waiting", {{"path", path}, {"wait_ms", wait.count()}});
    std::this_thread::sleep_for(wait);
  }
}

namespace {

/// The error of a failed exchange or of a non-200 answer.
Error HttpFailure(const Result<net::HttpResponse>& response) {
  if (!response.ok()) {
    return response.error();
  }
  return ErrorFromResponse(response->status, response->body);
}

}  // namespace

Result<std::vector<Bar>> OpenAlgoDataClient::RequestBars(const InstrumentId& instrument, BarSpec spec,
                                                         UnixNanos from, UnixNanos to) {
  auto wire = ToWireSymbol(instrument, config_.normalise_index_exchanges);
  if (!wire.ok()) {
    return wire.error();
  }
  auto interval = IntervalFor(spec);
  if (!interval.ok()) {
    return interval.error();
  }
  if (to <= from) {
    return std::vector<Bar>{};
  }
  const int offset = config_.exchange_utc_offset_minutes;
  auto response = Post("/api/v1/history", HistoryRequestBody(config_.api_key, *wire, *interval,
                                                              LocalDate(from, offset), LocalDate(to - Duration(1), offset)));
  if (!response.ok() || response->status != 200) {
    Error error = HttpFailure(response);
    NoteError(error.message);
    return error;
  }
  auto parsed = ParseHistory(response->body, Options(), WallNow());
  if (!parsed.ok()) {
    std::lock_guard lock(mutex_);
    ++status_.rejects;
    status_.last_error = "history: " + parsed.error().ToString();
    return parsed.error();
  }
  {
    std::lock_guard lock(mutex_);
    ++status_.messages;
    status_.rejects += parsed->rejected;
    if (parsed->rejected > 0) {
      status_.last_error = "history rows rejected: " + parsed->first_reject;
    }
  }
  if (parsed->rejected > 0) {
    logger_.Warn("openalgo history rows rejected",
                 {{"instrument", instrument.value()}, {"rejected", parsed->rejected}, {"first", parsed->first_reject}});
  }
  std::vector<Bar> bars;
  for (const Bar& bar : parsed->bars) {
    if (bar.ts_event >= from && bar.ts_event < to) {
      bars.push_back(bar);
    }
  }
  return bars;
}

Result<QuoteSnapshot> OpenAlgoDataClient::RequestQuote(const InstrumentId& instrument) {
  auto wire = ToWireSymbol(instrument, config_.normalise_index_exchanges);
  if (!wire.ok()) {
    return wire.error();
  }
  auto response = Post("/api/v1/quotes", QuotesRequestBody(config_.api_key, *wire));
  if (!response.ok() || response->status != 200) {
    return HttpFailure(response);
  }
  auto quote = ParseQuotes(response->body, instrument, Options(), WallNow());
  std::lock_guard lock(mutex_);
  if (quote.ok()) {
    ++status_.messages;
  } else {
    ++status_.rejects;
    status_.last_error = "quotes: " + quote.error().ToString();
  }
  return quote;
}

Result<std::vector<CivilDate>> OpenAlgoDataClient::RequestExpiries(const InstrumentId& underlying) {
  auto wire = ToWireSymbol(underlying, config_.normalise_index_exchanges);
  if (!wire.ok()) {
    return wire.error();
  }
  const std::string_view segment = OptionExchangeFor(wire->exchange);
  if (segment.empty()) {
    return Error::InvalidArgument("no option segment for " + underlying.value(), "underlying");
  }
  auto symbol = OpenAlgoSymbol::Parse(wire->symbol);
  const std::string base = symbol.ok() ? symbol->base : wire->symbol;
  auto response = Post("/api/v1/expiry", ExpiryRequestBody(config_.api_key, base, segment));
  if (!response.ok() || response->status != 200) {
    return HttpFailure(response);
  }
  auto dates = ParseExpiries(response->body);
  std::lock_guard lock(mutex_);
  if (dates.ok()) {
    ++status_.messages;
  } else {
    ++status_.rejects;
    status_.last_error = "expiry: " + dates.error().ToString();
  }
  return dates;
}

Result<OptionChain> OpenAlgoDataClient::RequestChain(const InstrumentId& underlying,
                                                     std::optional<CivilDate> expiry) {
  auto wire = ToWireSymbol(underlying, config_.normalise_index_exchanges);
  if (!wire.ok()) {
    return wire.error();
  }
  const std::string_view segment = OptionExchangeFor(wire->exchange);
  if (segment.empty()) {
    return Error::InvalidArgument("no option segment for " + underlying.value(), "underlying");
  }
  std::vector<CivilDate> expiries;
  if (expiry.has_value()) {
    expiries.push_back(*expiry);
  } else {
    auto listed = RequestExpiries(underlying);
    if (!listed.ok()) {
      return listed.error();
    }
    expiries = std::move(*listed);
    if (config_.chain_max_expiries > 0 && expiries.size() > static_cast<std::size_t>(config_.chain_max_expiries)) {
      expiries.resize(static_cast<std::size_t>(config_.chain_max_expiries));
    }
    if (expiries.empty()) {
      return Error::NotFound("no listed expiries for " + underlying.value(), "underlying");
    }
  }
  std::optional<OptionChain> merged;
  for (const CivilDate& date : expiries) {
    auto response = Post("/api/v1/optionchain",
                         OptionChainRequestBody(config_.api_key, *wire, date, config_.chain_strike_count));
    if (!response.ok() || response->status != 200) {
      return HttpFailure(response);
    }
    auto chain = ParseOptionChain(response->body, underlying, segment, date, Options(), WallNow());
    {
      std::lock_guard lock(mutex_);
      if (chain.ok()) {
        ++status_.messages;
      } else {
        ++status_.rejects;
        status_.last_error = "optionchain: " + chain.error().ToString();
      }
    }
    if (!chain.ok()) {
      return chain.error();
    }
    if (!merged.has_value()) {
      merged = std::move(*chain);
      continue;
    }
    if (chain->underlying_price.is_positive()) {
      merged->underlying_price = chain->underlying_price;
      merged->ts = chain->ts;
    }
    for (auto& slice : chain->expiries) {
      if (merged->Find(slice.expiry) == nullptr) {
        merged->expiries.push_back(std::move(slice));
      }
    }
  }
  std::sort(merged->expiries.begin(), merged->expiries.end(),
            [](const ExpirySlice& a, const ExpirySlice& b) { return a.expiry < b.expiry; });
  TD_TRY(merged->Validate());
  return std::move(*merged);
}

Result<std::vector<BarSpec>> OpenAlgoDataClient::RequestIntervals() {
  auto response = Post("/api/v1/intervals", IntervalsRequestBody(config_.api_key));
  if (!response.ok() || response->status != 200) {
    return HttpFailure(response);
  }
  return ParseIntervals(response->body);
}

}  // namespace td::adapters::openalgo
