// SPDX-License-Identifier: MIT
#pragma once

// OpenAlgo's order REST surface on the wire: the request bodies tradedesk sends and the answers it reads.
// Bodies carry numbers as strings, as OpenAlgo's own SDK sends them; answers accept numbers or strings.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/openalgo/parse.hpp"
#include "core/fixed_point.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "execution/execution_client.hpp"
#include "model/order_types.hpp"

namespace td::adapters::openalgo {

/// The fields of an order as OpenAlgo's place and modify requests carry them.
struct WireOrderFields {
  WireSymbol symbol;
  Side side = Side::kBuy;
  OrderType type = OrderType::kMarket;
  Product product = Product::kMis;
  Quantity quantity;
  std::optional<Price> price;
  std::optional<Price> trigger_price;
};

/// POST /api/v1/placeorder body.
std::string PlaceOrderBody(std::string_view api_key, std::string_view strategy, const WireOrderFields& order);
/// POST /api/v1/modifyorder body: every field is required by OpenAlgo, so the unchanged ones are sent as they are.
std::string ModifyOrderBody(std::string_view api_key, std::string_view strategy, std::string_view order_id,
                            const WireOrderFields& order);
/// POST /api/v1/cancelorder and /orderstatus bodies.
std::string CancelOrderBody(std::string_view api_key, std::string_view strategy, std::string_view order_id);
std::string OrderStatusBody(std::string_view api_key, std::string_view strategy, std::string_view order_id);
/// POST /api/v1/orderbook and /tradebook bodies: {apikey}.
std::string BookBody(std::string_view api_key);

/// {status:"success", orderid} -> the broker's order id. A status "error" answer is kUnprocessable with
/// OpenAlgo's message; anything else unreadable is kInvalidArgument.
Result<std::string> ParseOrderIdAnswer(std::string_view body);

/// OpenAlgo's order_status values mapped to the broker-report status. "complete" is filled; "open",
/// "pending", "trigger pending", "validation pending", "put order req received" and the like are open.
execution::BrokerOrderStatus StatusFromWire(std::string_view order_status);

/// One row of the order book (or the data of /orderstatus).
struct WireOrderRow {
  std::string order_id;
  WireOrderFields fields;
  std::string order_status;  // as sent, lower-cased
  std::optional<Price> average_price;
  std::optional<UnixNanos> timestamp;
  std::string reason;  // rejection or cancellation text, when the broker gives one
};
/// One row of the trade book.
struct WireTradeRow {
  std::string order_id;
  Quantity quantity;
  Price average_price;
};

/// {status, data:{orders:[...], statistics}} (some brokers send data as the list itself). Rows that cannot be
/// read are errors naming the row ("data.orders[2].quantity"): an order book we cannot read completely must
/// not be taken as complete.
Result<std::vector<WireOrderRow>> ParseOrderBook(std::string_view body, const ParseOptions& options);
/// {status, data:{action, ..., order_status, ...}} of /orderstatus.
Result<WireOrderRow> ParseOrderStatus(std::string_view body, std::string_view order_id, const ParseOptions& options);
/// {status, data:[{orderid, quantity, average_price, ...}]}.
Result<std::vector<WireTradeRow>> ParseTradeBook(std::string_view body, const ParseOptions& options);

}  // namespace td::adapters::openalgo
