// SPDX-License-Identifier: MIT
#pragma once

#include "execution/order.hpp"

namespace td::execution::testing {

inline SubmitOrder LimitBuy(std::string_view id, std::int64_t qty = 100, std::string_view px = "101.50") {
  SubmitOrder c;
  c.client_order_id = id.empty() ? ClientOrderId{} : ClientOrderId::Of(id);
  c.strategy_id = StrategyId::Of("ORB");
  c.instrument_id = InstrumentId::Of("NSE:SBIN");
  c.side = Side::kBuy;
  c.type = OrderType::kLimit;
  c.quantity = Quantity::FromUnits(qty);
  c.price = *Price::Parse(px);
  c.ts_init = UnixNanos::FromSeconds(1'700'000'000);
  return c;
}

inline OrderFilled Fill(const SubmitOrder& c, std::string_view trade, std::int64_t qty, std::string_view px,
                        std::int64_t cumulative) {
  OrderFilled f;
  f.client_order_id = c.client_order_id;
  f.venue_order_id = VenueOrderId::Of("V1");
  f.trade_id = TradeId::Of(trade);
  f.instrument_id = c.instrument_id;
  f.side = c.side;
  f.last_qty = Quantity::FromUnits(qty);
  f.last_px = *Price::Parse(px);
  f.cumulative_qty = Quantity::FromUnits(cumulative);
  f.ts_event = UnixNanos::FromSeconds(1'700'000'010);
  f.ts_init = f.ts_event;
  return f;
}

}  // namespace td::execution::testing
