// SPDX-License-Identifier: MIT
// Property: any WebSocket frame either decodes into a message whose ticks hold valid fixed-point values, or is a
// structured error; deriving trades never aborts.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "adapters/openalgo/parse.hpp"
#include "core/check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace td::adapters::openalgo;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const td::UnixNanos now = td::UnixNanos::FromSeconds(1732164400);
  auto message = ParseWsMessage(text, ParseOptions{}, now);
  if (!message.ok()) {
    TD_CHECK(!message.error().message.empty());
    return 0;
  }
  if (message->kind == WsMessageKind::kMarketData) {
    const MarketDataFrame& frame = message->market;
    TD_CHECK(frame.ltp.has_value() && frame.ltp->is_positive());
    if (frame.quote.has_value()) {
      TD_CHECK(!frame.quote->bid.is_negative() && !frame.quote->ask.is_negative());
    }
    TradeState state;
    auto first = DeriveTrade(frame, state, now);
    TD_CHECK(first.has_value());
    (void)DeriveTrade(frame, state, now);
  }
  return 0;
}
