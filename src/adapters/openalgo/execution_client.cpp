// SPDX-License-Identifier: MIT
#include "adapters/openalgo/execution_client.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <utility>

#include "core/check.hpp"

namespace td::adapters::openalgo {

namespace {

using Steady = std::chrono::steady_clock;
using std::chrono::milliseconds;

double SteadySeconds() {
  return std::chrono::duration<double>(Steady::now().time_since_epoch()).count();
}

bool SameFields(const WireOrderFields& a, const WireOrderFields& b) {
  return a.symbol.symbol == b.symbol.symbol && a.symbol.exchange == b.symbol.exchange && a.side == b.side &&
         a.type == b.type && a.product == b.product && a.quantity.raw() == b.quantity.raw() &&
         a.price.has_value() == b.price.has_value() && (!a.price || a.price->raw() == b.price->raw()) &&
         a.trigger_price.has_value() == b.trigger_price.has_value() &&
         (!a.trigger_price || a.trigger_price->raw() == b.trigger_price->raw());
}

// Fill ids must be stable across runs (a repeated report is recognised as the same fill) and at most 64
// printable characters; long broker order ids are shortened to their FNV-1a digest.
std::string TradeIdText(const std::string& venue, Quantity cumulative) {
  std::string text = "OA-" + venue + "-" + std::to_string(cumulative.raw());
  if (text.size() <= 64) {
    return text;
  }
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (const char c : venue) {
    hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  }
  char digest[17];
  std::snprintf(digest, sizeof digest, "%016llx", static_cast<unsigned long long>(hash));
  return "OA-" + std::string(digest) + "-" + std::to_string(cumulative.raw());
}

}  // namespace

Status OpenAlgoExecutionConfig::Validate() const {
  if (!rest_base_url.starts_with("http://") && !rest_base_url.starts_with("https://")) {
    return Error::InvalidArgument("must start with http:// or https://", "rest_base_url");
  }
  if (api_key.empty()) {
    return Error::InvalidArgument("the OpenAlgo API key is required", "api_key");
  }
  if (strategy.empty() || strategy.size() > 64) {
    return Error::InvalidArgument("must be 1..64 characters", "strategy");
  }
  if (price_precision < 0 || price_precision > 6) {
    return Error::InvalidArgument("must be within 0..6", "price_precision");
  }
  if (quantity_precision < 0 || quantity_precision > 6) {
    return Error::InvalidArgument("must be within 0..6", "quantity_precision");
  }
  if (http_timeout <= milliseconds(0)) {
    return Error::InvalidArgument("must be positive", "http_timeout");
  }
  if (!(orders_per_second > 0.0) || !(order_burst >= 1.0)) {
    return Error::InvalidArgument("rate must be positive and burst at least 1", "orders_per_second");
  }
  if (max_rate_limit_retries < 0 || max_rate_limit_retries > 20) {
    return Error::InvalidArgument("must be within 0..20", "max_rate_limit_retries");
  }
  if (poll_interval < milliseconds(0)) {
    return Error::InvalidArgument("must not be negative", "poll_interval");
  }
  return {};
}

OpenAlgoExecutionClient::OpenAlgoExecutionClient(OpenAlgoExecutionConfig config, const Clock& clock,
                                                 KernelPost post)
    : config_(std::move(config)),
      clock_(clock),
      post_(std::move(post)),
      bucket_(config_.orders_per_second, config_.order_burst) {
  const Status valid = config_.Validate();
  TD_CHECK(valid.ok()) << "invalid OpenAlgo execution config: " << valid.error().ToString();
  TD_CHECK(post_ != nullptr) << "the OpenAlgo execution client needs a way to post events to the kernel";
  thread_ = std::thread([this] { Run(); });
}

OpenAlgoExecutionClient::~OpenAlgoExecutionClient() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void OpenAlgoExecutionClient::SetSink(execution::ExecutionEventSink* sink) {
  std::lock_guard lock(mutex_);
  sink_ = sink;
}

void OpenAlgoExecutionClient::Submit(const execution::SubmitOrder& command) {
  Enqueue(SubmitJob{command});
}

void OpenAlgoExecutionClient::Modify(const execution::ModifyOrder& command,
                                     const std::optional<VenueOrderId>& venue_order_id) {
  Enqueue(ModifyJob{command, venue_order_id});
}

void OpenAlgoExecutionClient::Cancel(const execution::CancelOrder& command,
                                     const std::optional<VenueOrderId>& venue_order_id) {
  Enqueue(CancelJob{command, venue_order_id});
}

void OpenAlgoExecutionClient::ExpectInFlight(const execution::SubmitOrder& command, UnixNanos last_event) {
  auto wire = ToWireSymbol(command.instrument_id, config_.normalise_index_exchanges);
  if (!wire.ok()) {
    return;
  }
  std::lock_guard lock(mutex_);
  Tracked tracked;
  tracked.submit = command;
  tracked.fields = WireOrderFields{*wire,           command.side,  command.type,         command.product,
                                   command.quantity, command.price, command.trigger_price};
  tracked.sent_at = last_event;
  tracked_.emplace(command.client_order_id, std::move(tracked));
}

void OpenAlgoExecutionClient::Poll() {
  Enqueue(PollJob{});
}

void OpenAlgoExecutionClient::WaitIdle() {
  std::unique_lock lock(mutex_);
  cv_.wait(lock, [&] { return (queue_.empty() && !busy_) || stop_; });
}

OpenAlgoExecutionClient::Counters OpenAlgoExecutionClient::counters() const {
  std::lock_guard lock(mutex_);
  return counters_;
}

void OpenAlgoExecutionClient::Enqueue(Job job) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(job));
  }
  cv_.notify_all();
}

void OpenAlgoExecutionClient::Run() {
  const bool auto_poll = config_.poll_interval > milliseconds(0);
  auto next_poll = Steady::now() + config_.poll_interval;
  std::unique_lock lock(mutex_);
  while (!stop_) {
    if (queue_.empty()) {
      if (!auto_poll) {
        cv_.wait(lock);
        continue;
      }
      if (Steady::now() < next_poll) {
        cv_.wait_until(lock, next_poll);
        continue;
      }
      next_poll = Steady::now() + config_.poll_interval;
      const bool open_orders =
          std::any_of(tracked_.begin(), tracked_.end(), [](const auto& entry) { return !entry.second.terminal; });
      if (!open_orders) {
        continue;
      }
      queue_.push_back(PollJob{});
    }
    Job job = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    std::visit([this](const auto& j) { Handle(j); }, job);
    lock.lock();
    busy_ = false;
    cv_.notify_all();
  }
}

std::string OpenAlgoExecutionClient::Url(std::string_view path) const {
  std::string url = config_.rest_base_url;
  while (!url.empty() && url.back() == '/') {
    url.pop_back();
  }
  return url + "/api/v1/" + std::string(path);
}

ParseOptions OpenAlgoExecutionClient::Options() const {
  ParseOptions options;
  options.price_precision = config_.price_precision;
  options.volume_precision = config_.quantity_precision;
  options.utc_offset_minutes = config_.exchange_utc_offset_minutes;
  return options;
}

OpenAlgoExecutionClient::CallOutcome OpenAlgoExecutionClient::Call(std::string_view path, const std::string& body) {
  net::Backoff backoff(milliseconds(200), config_.max_retry_wait, 7);
  for (int attempt = 0;; ++attempt) {
    while (!bucket_.TryTake(SteadySeconds())) {
      std::this_thread::sleep_for(std::chrono::duration<double>(std::max(0.001, bucket_.WaitSeconds(SteadySeconds()))));
    }
    {
      std::lock_guard lock(mutex_);
      ++counters_.requests;
    }
    net::HttpRequest request;
    request.method = "POST";
    request.url = Url(path);
    request.headers = {{"Content-Type", "application/json"}};
    request.body = body;
    request.timeout = config_.http_timeout;
    auto response = http_.Send(request);
    if (!response.ok()) {
      return CallOutcome{CallOutcome::Kind::kUnknown, {}, response.error().message};
    }
    if (response->status == 429) {
      const milliseconds wait = net::ParseRetryAfter(response->Header("Retry-After")).value_or(backoff.Next());
      {
        std::lock_guard lock(mutex_);
        ++counters_.rate_limited;
      }
      if (attempt >= config_.max_rate_limit_retries || wait > config_.max_retry_wait) {
        return CallOutcome{CallOutcome::Kind::kRefused, {}, "rate limited by OpenAlgo (HTTP 429)"};
      }
      logger_.Warn("openalgo order request rate limited; waiting", {{"path", path}, {"wait_ms", wait.count()}});
      std::this_thread::sleep_for(wait);
      continue;
    }
    if (response->status >= 500) {
      return CallOutcome{CallOutcome::Kind::kUnknown, {},
                         "OpenAlgo answered HTTP " + std::to_string(response->status)};
    }
    if (response->status >= 400) {
      const Error error = ErrorFromResponse(response->status, response->body);
      return CallOutcome{CallOutcome::Kind::kRefused, {}, error.message};
    }
    return CallOutcome{CallOutcome::Kind::kAnswered, std::move(response->body), {}};
  }
}

void OpenAlgoExecutionClient::Emit(execution::OrderEvent event) {
  execution::ExecutionEventSink* sink = nullptr;
  {
    std::lock_guard lock(mutex_);
    sink = sink_;
  }
  if (sink == nullptr) {
    logger_.Warn("openalgo order event without a sink dropped", {{"event", execution::EventName(event)}});
    return;
  }
  post_([sink, event = std::move(event)] { sink->OnOrderEvent(event); });
}

void OpenAlgoExecutionClient::Handle(const SubmitJob& job) {
  const execution::SubmitOrder& command = job.command;
  auto wire = ToWireSymbol(command.instrument_id, config_.normalise_index_exchanges);
  const UnixNanos now = clock_.Now();
  if (!wire.ok()) {
    Emit(execution::OrderRejected{command.client_order_id, "not an OpenAlgo symbol: " + wire.error().message, now, now});
    return;
  }
  WireOrderFields fields{*wire, command.side, command.type, command.product, command.quantity, command.price,
                         command.trigger_price};
  {
    std::lock_guard lock(mutex_);
    if (tracked_.contains(command.client_order_id)) {
      logger_.Warn("openalgo submit of a known client order id ignored", {{"id", command.client_order_id.value()}});
      return;
    }
    Tracked tracked;
    tracked.submit = command;
    tracked.fields = fields;
    tracked.sent_at = now;
    tracked_.emplace(command.client_order_id, std::move(tracked));
  }
  const CallOutcome outcome = Call("placeorder", PlaceOrderBody(config_.api_key, config_.strategy, fields));
  const UnixNanos done = clock_.Now();
  if (outcome.kind == CallOutcome::Kind::kUnknown) {
    {
      std::lock_guard lock(mutex_);
      ++counters_.timed_out;
    }
    Emit(execution::OrderUpdateTimedOut{command.client_order_id, execution::PendingRequest::kSubmit, outcome.reason,
                                        done, done});
    return;
  }
  if (outcome.kind == CallOutcome::Kind::kRefused) {
    {
      std::lock_guard lock(mutex_);
      ++counters_.rejected;
      Tracked& tracked = tracked_.at(command.client_order_id);
      tracked.answered = true;
      tracked.terminal = true;
    }
    Emit(execution::OrderRejected{command.client_order_id, outcome.reason, done, done});
    return;
  }
  auto order_id = ParseOrderIdAnswer(outcome.body);
  if (!order_id.ok() && order_id.error().code == ErrorCode::kUnprocessable) {
    {
      std::lock_guard lock(mutex_);
      ++counters_.rejected;
      Tracked& tracked = tracked_.at(command.client_order_id);
      tracked.answered = true;
      tracked.terminal = true;
    }
    Emit(execution::OrderRejected{command.client_order_id, order_id.error().message, done, done});
    return;
  }
  auto venue = order_id.ok() ? VenueOrderId::Parse(*order_id) : Result<VenueOrderId>(order_id.error());
  if (!venue.ok()) {
    // Sent and answered, but we cannot read which order it made: the outcome is unknown, never a reject.
    {
      std::lock_guard lock(mutex_);
      ++counters_.timed_out;
    }
    Emit(execution::OrderUpdateTimedOut{command.client_order_id, execution::PendingRequest::kSubmit,
                                        "unreadable place answer: " + venue.error().message, done, done});
    return;
  }
  {
    std::lock_guard lock(mutex_);
    Tracked& tracked = tracked_.at(command.client_order_id);
    tracked.answered = true;
    tracked.venue_order_id = *venue;
    tracked.ack_reported = true;
    by_venue_[venue->str()] = command.client_order_id;
  }
  Emit(execution::OrderAccepted{command.client_order_id, *venue, done, done});
}

void OpenAlgoExecutionClient::Handle(const ModifyJob& job) {
  const execution::ModifyOrder& command = job.command;
  std::optional<VenueOrderId> venue = job.venue_order_id;
  std::optional<WireOrderFields> fields;
  {
    std::lock_guard lock(mutex_);
    if (auto it = tracked_.find(command.client_order_id); it != tracked_.end()) {
      fields = it->second.fields;
      if (!venue) {
        venue = it->second.venue_order_id;
      }
    }
  }
  const UnixNanos now = clock_.Now();
  if (!venue) {
    Emit(execution::OrderModifyRejected{command.client_order_id, "the broker has not acknowledged the order yet", now,
                                        now});
    return;
  }
  if (!fields) {
    // Placed by an earlier run: read the order's current fields from the broker before rewriting them.
    const CallOutcome status = Call("orderstatus", OrderStatusBody(config_.api_key, config_.strategy, venue->value()));
    auto row = status.kind == CallOutcome::Kind::kAnswered
                   ? ParseOrderStatus(status.body, venue->value(), Options())
                   : Result<WireOrderRow>(Error::Unprocessable(status.reason));
    if (!row.ok()) {
      Emit(execution::OrderModifyRejected{command.client_order_id,
                                          "cannot read the order from the broker: " + row.error().message, now, now});
      return;
    }
    fields = row->fields;
  }
  WireOrderFields updated = *fields;
  if (command.quantity) {
    updated.quantity = *command.quantity;
  }
  if (command.price) {
    updated.price = *command.price;
  }
  if (command.trigger_price) {
    updated.trigger_price = *command.trigger_price;
  }
  const CallOutcome outcome =
      Call("modifyorder", ModifyOrderBody(config_.api_key, config_.strategy, venue->value(), updated));
  const UnixNanos done = clock_.Now();
  if (outcome.kind == CallOutcome::Kind::kUnknown) {
    Emit(execution::OrderUpdateTimedOut{command.client_order_id, execution::PendingRequest::kModify, outcome.reason,
                                        done, done});
    return;
  }
  auto answer = outcome.kind == CallOutcome::Kind::kAnswered ? ParseOrderIdAnswer(outcome.body)
                                                             : Result<std::string>(Error::Unprocessable(outcome.reason));
  if (!answer.ok()) {
    Emit(execution::OrderModifyRejected{command.client_order_id, answer.error().message, done, done});
    return;
  }
  {
    std::lock_guard lock(mutex_);
    if (auto it = tracked_.find(command.client_order_id); it != tracked_.end()) {
      it->second.fields = updated;
    }
  }
  Emit(execution::OrderModified{command.client_order_id, updated.quantity, updated.price, updated.trigger_price, done,
                                done});
}

void OpenAlgoExecutionClient::Handle(const CancelJob& job) {
  const execution::CancelOrder& command = job.command;
  std::optional<VenueOrderId> venue = job.venue_order_id;
  if (!venue) {
    std::lock_guard lock(mutex_);
    if (auto it = tracked_.find(command.client_order_id); it != tracked_.end()) {
      venue = it->second.venue_order_id;
    }
  }
  const UnixNanos now = clock_.Now();
  if (!venue) {
    Emit(execution::OrderCancelRejected{command.client_order_id, "the broker has not acknowledged the order yet", now,
                                        now});
    return;
  }
  const CallOutcome outcome = Call("cancelorder", CancelOrderBody(config_.api_key, config_.strategy, venue->value()));
  const UnixNanos done = clock_.Now();
  if (outcome.kind == CallOutcome::Kind::kUnknown) {
    Emit(execution::OrderUpdateTimedOut{command.client_order_id, execution::PendingRequest::kCancel, outcome.reason,
                                        done, done});
    return;
  }
  auto answer = outcome.kind == CallOutcome::Kind::kAnswered ? ParseOrderIdAnswer(outcome.body)
                                                             : Result<std::string>(Error::Unprocessable(outcome.reason));
  if (!answer.ok()) {
    Emit(execution::OrderCancelRejected{command.client_order_id, answer.error().message, done, done});
    return;
  }
  // Accepted for cancelling; the book says whether it was cancelled or filled first.
  Handle(PollJob{});
}

void OpenAlgoExecutionClient::Handle(const PollJob&) {
  const CallOutcome orders = Call("orderbook", BookBody(config_.api_key));
  const CallOutcome trades = orders.kind == CallOutcome::Kind::kAnswered
                                 ? Call("tradebook", BookBody(config_.api_key))
                                 : CallOutcome{};
  auto rows = orders.kind == CallOutcome::Kind::kAnswered ? ParseOrderBook(orders.body, Options())
                                                          : Result<std::vector<WireOrderRow>>(Error::Unprocessable(orders.reason));
  auto fills = trades.kind == CallOutcome::Kind::kAnswered
                   ? ParseTradeBook(trades.body, Options())
                   : Result<std::vector<WireTradeRow>>(Error::Unprocessable(trades.reason));
  if (!rows.ok() || !fills.ok()) {
    std::lock_guard lock(mutex_);
    ++counters_.poll_errors;
    logger_.Warn("openalgo book poll failed",
                 {{"error", !rows.ok() ? rows.error().ToString() : fills.error().ToString()}});
    return;
  }
  std::vector<execution::OrderEvent> events;
  {
    std::lock_guard lock(mutex_);
    const UnixNanos now = clock_.Now();
    MatchLateOrders(*rows, now);
    events = ReportFromBooks(*rows, *fills, now);
  }
  for (execution::OrderEvent& event : events) {
    Emit(std::move(event));
  }
}

void OpenAlgoExecutionClient::MatchLateOrders(const std::vector<WireOrderRow>& rows, UnixNanos now) {
  const auto window = std::chrono::duration_cast<std::chrono::nanoseconds>(config_.match_window);
  const auto skew = std::chrono::duration_cast<std::chrono::nanoseconds>(config_.clock_skew);
  std::vector<const WireOrderRow*> unmapped;
  for (const WireOrderRow& row : rows) {
    if (!by_venue_.contains(row.order_id)) {
      unmapped.push_back(&row);
    }
  }
  for (auto& [id, tracked] : tracked_) {
    if (tracked.answered || tracked.venue_order_id || now - tracked.sent_at > window) {
      continue;
    }
    const WireOrderRow* match = nullptr;
    int row_matches = 0;
    for (const WireOrderRow* row : unmapped) {
      const bool in_time = !row->timestamp || *row->timestamp + skew >= tracked.sent_at;
      if (in_time && SameFields(row->fields, tracked.fields) && !by_venue_.contains(row->order_id)) {
        match = row;
        ++row_matches;
      }
    }
    if (row_matches != 1) {
      continue;
    }
    int submit_matches = 0;
    for (const auto& [other_id, other] : tracked_) {
      if (!other.answered && !other.venue_order_id && SameFields(other.fields, match->fields)) {
        ++submit_matches;
      }
    }
    if (submit_matches != 1) {
      continue;
    }
    auto venue = VenueOrderId::Parse(match->order_id);
    if (!venue.ok()) {
      continue;
    }
    tracked.venue_order_id = *venue;
    by_venue_[match->order_id] = id;
    ++counters_.matched_late;
    logger_.Info("openalgo order found in the book after an unanswered submit",
                 {{"client_order_id", id.value()}, {"orderid", match->order_id}});
  }
}

std::vector<execution::OrderEvent> OpenAlgoExecutionClient::ReportFromBooks(const std::vector<WireOrderRow>& rows,
                                                                           const std::vector<WireTradeRow>& trades,
                                                                           UnixNanos now) {
  struct Filled {
    Quantity quantity;
    double notional = 0.0;
  };
  std::map<std::string, Filled> filled;
  for (const WireTradeRow& trade : trades) {
    Filled& f = filled[trade.order_id];
    f.quantity += trade.quantity;
    f.notional += trade.quantity.AsDouble() * trade.average_price.AsDouble();
  }
  std::vector<execution::OrderEvent> events;
  for (const WireOrderRow& row : rows) {
    auto mapped = by_venue_.find(row.order_id);
    if (mapped == by_venue_.end()) {
      continue;
    }
    Tracked& tracked = tracked_.at(mapped->second);
    if (tracked.terminal) {
      continue;
    }
    const ClientOrderId& id = mapped->second;
    const VenueOrderId venue = *tracked.venue_order_id;
    if (!tracked.ack_reported) {
      events.emplace_back(execution::OrderAccepted{id, venue, now, now});
      tracked.ack_reported = true;
    }
    const execution::BrokerOrderStatus status = StatusFromWire(row.order_status);
    Filled total = filled.count(row.order_id) != 0 ? filled[row.order_id] : Filled{};
    if (status == execution::BrokerOrderStatus::kFilled && total.quantity.raw() < row.fields.quantity.raw() &&
        row.average_price) {
      total = Filled{row.fields.quantity, row.fields.quantity.AsDouble() * row.average_price->AsDouble()};
    }
    if (total.quantity.raw() > tracked.reported_filled.raw()) {
      const Quantity last_qty = total.quantity - tracked.reported_filled;
      const double last_notional = total.notional - tracked.reported_notional;
      auto last_px = Price::FromDouble(last_notional / last_qty.AsDouble(), 6);
      if (last_px.ok()) {
        events.emplace_back(execution::OrderFilled{id, venue, TradeId::Of(TradeIdText(row.order_id, total.quantity)),
                                                   tracked.submit.instrument_id, tracked.fields.side, last_qty,
                                                   *last_px, total.quantity, row.timestamp.value_or(now), now});
        tracked.reported_filled = total.quantity;
        tracked.reported_notional = total.notional;
      }
    }
    const bool fully_filled = tracked.reported_filled.raw() >= tracked.fields.quantity.raw();
    switch (status) {
      case execution::BrokerOrderStatus::kFilled:
        tracked.terminal = fully_filled;
        break;
      case execution::BrokerOrderStatus::kRejected:
        if (tracked.reported_filled.is_zero()) {
          events.emplace_back(execution::OrderRejected{
              id, row.reason.empty() ? std::string("rejected by the broker") : row.reason, now, now});
          tracked.terminal = true;
        }
        break;
      case execution::BrokerOrderStatus::kCanceled:
        events.emplace_back(execution::OrderCanceled{id, now, now});
        tracked.terminal = true;
        break;
      case execution::BrokerOrderStatus::kExpired:
        events.emplace_back(execution::OrderExpired{id, now, now});
        tracked.terminal = true;
        break;
      case execution::BrokerOrderStatus::kOpen:
        break;
    }
  }
  return events;
}

Result<std::string> OpenAlgoExecutionClient::CallForBody(net::HttpClient& http, std::string_view path,
                                                         const std::string& body) {
  net::HttpRequest request;
  request.method = "POST";
  request.url = Url(path);
  request.headers = {{"Content-Type", "application/json"}};
  request.body = body;
  request.timeout = config_.http_timeout;
  auto response = http.Send(request);
  if (!response.ok()) {
    return response.error();
  }
  if (response->status != 200) {
    return ErrorFromResponse(response->status, response->body);
  }
  return std::move(response->body);
}

Result<execution::BrokerOrderSnapshot> OpenAlgoExecutionClient::QueryOrders() {
  std::lock_guard query_lock(query_mutex_);
  auto orders_body = CallForBody(query_http_, "orderbook", BookBody(config_.api_key));
  if (!orders_body.ok()) {
    return orders_body.error();
  }
  auto trades_body = CallForBody(query_http_, "tradebook", BookBody(config_.api_key));
  if (!trades_body.ok()) {
    return trades_body.error();
  }
  auto rows = ParseOrderBook(*orders_body, Options());
  if (!rows.ok()) {
    return rows.error();
  }
  auto trades = ParseTradeBook(*trades_body, Options());
  if (!trades.ok()) {
    return trades.error();
  }
  std::map<std::string, std::pair<Quantity, double>> filled;
  for (const WireTradeRow& trade : *trades) {
    auto& [qty, notional] = filled[trade.order_id];
    qty += trade.quantity;
    notional += trade.quantity.AsDouble() * trade.average_price.AsDouble();
  }
  std::lock_guard lock(mutex_);
  const UnixNanos now = clock_.Now();
  MatchLateOrders(*rows, now);
  execution::BrokerOrderSnapshot snapshot;
  snapshot.as_of = now;
  snapshot.complete = true;
  for (const WireOrderRow& row : *rows) {
    auto venue = VenueOrderId::Parse(row.order_id);
    auto instrument = FromWireSymbol(row.fields.symbol);
    if (!venue.ok() || !instrument.ok()) {
      // A row we cannot name cannot be matched or adopted; the snapshot no longer proves absence.
      snapshot.complete = false;
      continue;
    }
    execution::BrokerOrderReport report;
    report.venue_order_id = *venue;
    if (auto mapped = by_venue_.find(row.order_id); mapped != by_venue_.end()) {
      report.client_order_id = mapped->second;
    }
    report.instrument_id = *instrument;
    report.side = row.fields.side;
    report.type = row.fields.type;
    report.product = row.fields.product;
    report.quantity = row.fields.quantity;
    report.price = row.fields.price;
    report.trigger_price = row.fields.trigger_price;
    report.status = StatusFromWire(row.order_status);
    report.reason = row.reason;
    auto it = filled.find(row.order_id);
    Quantity filled_qty = it != filled.end() ? it->second.first : Quantity();
    double notional = it != filled.end() ? it->second.second : 0.0;
    if (report.status == execution::BrokerOrderStatus::kFilled && filled_qty.raw() < row.fields.quantity.raw() &&
        row.average_price) {
      filled_qty = row.fields.quantity;
      notional = filled_qty.AsDouble() * row.average_price->AsDouble();
    }
    report.filled_qty = filled_qty;
    if (report.client_order_id) {
      // The engine reconciles to this report; later polls report only what changes after it.
      Tracked& tracked = tracked_.at(*report.client_order_id);
      tracked.ack_reported = true;
      if (filled_qty.raw() > tracked.reported_filled.raw()) {
        tracked.reported_filled = filled_qty;
        tracked.reported_notional = notional;
      }
      tracked.terminal = tracked.terminal || report.status != execution::BrokerOrderStatus::kOpen;
    }
    if (!filled_qty.is_zero()) {
      auto average = Price::FromDouble(notional / filled_qty.AsDouble(), 6);
      if (average.ok()) {
        report.avg_fill_px = *average;
      }
    }
    snapshot.orders.push_back(std::move(report));
  }
  return snapshot;
}

}  // namespace td::adapters::openalgo
