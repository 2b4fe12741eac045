// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "adapters/openalgo/order_wire.hpp"
#include "core/clock.hpp"
#include "core/log.hpp"
#include "execution/execution_client.hpp"
#include "net/backoff.hpp"
#include "net/http_client.hpp"

namespace td::adapters::openalgo {

/// Everything the OpenAlgo execution client needs.
struct OpenAlgoExecutionConfig {
  std::string rest_base_url = "http://127.0.0.1:5000";  // "/api/v1/..." is appended
  std::string api_key;                                   // the instance's 64-hex key
  std::string strategy = "tradedesk";                    // OpenAlgo's strategy tag on every request
  int price_precision = 2;
  int quantity_precision = 0;
  int exchange_utc_offset_minutes = 330;  // broker order times are exchange-local
  bool normalise_index_exchanges = false;
  std::chrono::milliseconds http_timeout{5000};
  double orders_per_second = 10.0;  // OpenAlgo's ORDER_RATE_LIMIT
  double order_burst = 5.0;
  int max_rate_limit_retries = 3;                   // a 429 proves the order was not taken: waiting is safe
  std::chrono::milliseconds max_retry_wait{10000};  // a longer Retry-After rejects instead of waiting
  std::chrono::milliseconds poll_interval{1000};    // order/trade book polling while orders are open; 0 = only Poll()
  std::chrono::milliseconds match_window{300000};   // how long an unanswered submit may be matched to a book row
  std::chrono::milliseconds clock_skew{5000};       // broker order times may run this far behind ours
  /// Checks the URL, the key and every limit; the error names the offending field.
  Status Validate() const;
};

/// Runs a task on the kernel thread (e.g. runtime::Kernel::Post). Every event reaches the sink through it.
using KernelPost = std::function<void(std::function<void()>)>;

/// Any broker behind an OpenAlgo instance, as an ExecutionClient.
///
/// Requests go out in order on the client's own I/O thread; outcomes come back as events posted to the kernel.
/// The rules that keep an order from being lost or doubled:
/// - Only proof of non-acceptance is a reject: an answer with status "error" or a 4xx. A timeout, a dropped
///   connection, a 5xx or an unreadable answer after sending is OrderUpdateTimedOut, and nothing is ever
///   resent. A 429 proves the request was not taken, so it is retried after Retry-After (bounded).
/// - OpenAlgo's place request carries no client tag. An order whose place answer was lost is recognised in the
///   broker's book by its exact fields (symbol, side, type, product, quantity, price, trigger) placed after
///   we sent it, when exactly one unmatched row and exactly one unanswered submit agree; the row then carries
///   our client order id in QueryOrders and the late acknowledgement and fills are reported. Anything
///   ambiguous is left to the engine's reconciliation (adopted as external, never doubled).
/// - Fills come from the trade book (summed per order), or from the order book's average price when a
///   complete order has no trades listed yet; each increase of the filled quantity is one OrderFilled with the
///   deterministic fill id "OA-<orderid>-<cumulative raw>", so a repeated poll never doubles a fill.
/// - A successful cancel answer is not yet a cancel: OrderCanceled is reported when the book says cancelled
///   (the order may have filled in between).
class OpenAlgoExecutionClient final : public execution::ExecutionClient {
 public:
  OpenAlgoExecutionClient(OpenAlgoExecutionConfig config, const Clock& clock, KernelPost post);
  /// Stops the I/O thread. Requests still queued are not sent (the engine's journal has them in flight).
  ~OpenAlgoExecutionClient() override;
  OpenAlgoExecutionClient(const OpenAlgoExecutionClient&) = delete;
  OpenAlgoExecutionClient& operator=(const OpenAlgoExecutionClient&) = delete;

  void SetSink(execution::ExecutionEventSink* sink) override;
  void Submit(const execution::SubmitOrder& command) override;
  void Modify(const execution::ModifyOrder& command, const std::optional<VenueOrderId>& venue_order_id) override;
  void Cancel(const execution::CancelOrder& command, const std::optional<VenueOrderId>& venue_order_id) override;
  /// The order book joined with the trade book (blocking; any thread). Complete: OpenAlgo lists the whole day.
  /// Meant for the engine's reconciliation: what it reports for our orders is taken as known to the engine.
  Result<execution::BrokerOrderSnapshot> QueryOrders() override;
  /// Remembers an order a previous run sent without an answer, so the book row it made is recognised.
  void ExpectInFlight(const execution::SubmitOrder& command, UnixNanos last_event) override;

  /// Queues one order/trade book poll (in order with the requests).
  void Poll();
  /// Blocks until every queued request and poll has been handled (tests, orderly shutdown).
  void WaitIdle();

  /// Requests sent and answers by kind, for /metrics and tests.
  struct Counters {
    std::uint64_t requests = 0;
    std::uint64_t rate_limited = 0;
    std::uint64_t timed_out = 0;
    std::uint64_t rejected = 0;
    std::uint64_t matched_late = 0;  // unanswered submits found in the book
    std::uint64_t poll_errors = 0;
  };
  Counters counters() const;

 private:
  struct SubmitJob {
    execution::SubmitOrder command;
  };
  struct ModifyJob {
    execution::ModifyOrder command;
    std::optional<VenueOrderId> venue_order_id;
  };
  struct CancelJob {
    execution::CancelOrder command;
    std::optional<VenueOrderId> venue_order_id;
  };
  struct PollJob {};
  using Job = std::variant<SubmitJob, ModifyJob, CancelJob, PollJob>;

  /// What the client knows of one of our orders.
  struct Tracked {
    execution::SubmitOrder submit;
    WireOrderFields fields;
    std::optional<VenueOrderId> venue_order_id;
    UnixNanos sent_at;
    bool answered = false;        // the place request was answered (accepted or rejected)
    bool ack_reported = false;    // OrderAccepted was posted
    bool terminal = false;        // filled, cancelled, rejected or expired was posted
    Quantity reported_filled;     // sum of posted fills
    double reported_notional = 0.0;
  };

  /// The answer of one REST call once 429s were waited out.
  struct CallOutcome {
    enum class Kind : std::uint8_t { kAnswered, kRefused, kUnknown } kind = Kind::kUnknown;
    std::string body;    // kAnswered
    std::string reason;  // kRefused / kUnknown
  };

  void Enqueue(Job job);
  void Run();
  void Handle(const SubmitJob& job);
  void Handle(const ModifyJob& job);
  void Handle(const CancelJob& job);
  void Handle(const PollJob& job);
  CallOutcome Call(std::string_view path, const std::string& body);
  Result<std::string> CallForBody(net::HttpClient& http, std::string_view path, const std::string& body);
  void Emit(execution::OrderEvent event);
  /// Matches unmapped book rows to unanswered submits (mutex held).
  void MatchLateOrders(const std::vector<WireOrderRow>& rows, UnixNanos now);
  /// The acknowledgements, fills and terminal states the books show for our orders (mutex held).
  std::vector<execution::OrderEvent> ReportFromBooks(const std::vector<WireOrderRow>& rows, const std::vector<WireTradeRow>& trades, UnixNanos now);
  ParseOptions Options() const;
  std::string Url(std::string_view path) const;

  const OpenAlgoExecutionConfig config_;
  const Clock& clock_;
  const KernelPost post_;
  Logger logger_{"openalgo.exec"};

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Job> queue_;
  bool busy_ = false;
  bool stop_ = false;
  execution::ExecutionEventSink* sink_ = nullptr;
  std::map<ClientOrderId, Tracked> tracked_;
  std::map<std::string, ClientOrderId> by_venue_;
  Counters counters_;

  // I/O thread only.
  net::HttpClient http_;
  net::TokenBucket bucket_;
  // QueryOrders callers.
  std::mutex query_mutex_;
  net::HttpClient query_http_;

  std::thread thread_;
};

}  // namespace td::adapters::openalgo
