// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string>
#include <variant>

#include "core/fixed_point.hpp"
#include "core/ids.hpp"
#include "core/time.hpp"
#include "model/order_types.hpp"

namespace td::execution {

/// Command: place a new order. Journaled (fsynced) before it is handed to a broker; immutable once built.
struct SubmitOrder {
  ClientOrderId client_order_id;  // empty when handed to ExecutionEngine::Submit: the engine assigns one
  std::string idempotency_key;    // caller's dedupe key; empty = none. Same key → same order, never a second
  StrategyId strategy_id;         // who asked: a strategy, "API", "EMULATOR", "EXTERNAL"
  InstrumentId instrument_id;
  Side side = Side::kBuy;
  OrderType type = OrderType::kMarket;
  Product product = Product::kMis;
  TimeInForce time_in_force = TimeInForce::kDay;
  Quantity quantity;
  std::optional<Price> price;          // LIMIT and SL
  std::optional<Price> trigger_price;  // SL and SL-M
  UnixNanos ts_init;

  friend bool operator==(const SubmitOrder&, const SubmitOrder&) = default;
};

/// Command: change quantity, price or trigger of a working order. Unset fields stay as they are.
struct ModifyOrder {
  ClientOrderId client_order_id;
  std::string idempotency_key;
  StrategyId strategy_id;
  std::optional<Quantity> quantity;
  std::optional<Price> price;
  std::optional<Price> trigger_price;
  UnixNanos ts_init;

  friend bool operator==(const ModifyOrder&, const ModifyOrder&) = default;
};

/// Command: cancel a working order.
struct CancelOrder {
  ClientOrderId client_order_id;
  std::string idempotency_key;
  StrategyId strategy_id;
  UnixNanos ts_init;

  friend bool operator==(const CancelOrder&, const CancelOrder&) = default;
};

/// Any order command, as journaled.
using OrderCommand = std::variant<SubmitOrder, ModifyOrder, CancelOrder>;

}  // namespace td::execution
