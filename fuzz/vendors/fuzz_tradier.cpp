// SPDX-License-Identifier: MIT
// Property: expirations, chain and quote bodies decode to valid values or structured errors; chains validate.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "adapters/tradier/parse.hpp"
#include "core/check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace td::adapters::tradier;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const td::UnixNanos now = td::UnixNanos::FromSeconds(1705093300);
  if (auto dates = ParseExpirations(text); dates.ok()) {
    for (std::size_t i = 1; i < dates->size(); ++i) {
      TD_CHECK((*dates)[i - 1] < (*dates)[i]);
    }
  }
  const auto spy = td::InstrumentId::Of("US:SPY");
  if (auto chain = ParseChain(text, spy, td::Price::FromRaw(0, 2), ParseOptions{}, now); chain.ok()) {
    TD_CHECK(chain->chain.Validate().ok());
  }
  if (auto quotes = ParseQuotes(text, ParseOptions{}, now); quotes.ok()) {
    for (const auto& quote : quotes->quotes) {
      (void)quote.ToQuoteTick(now);
    }
  }
  (void)ErrorFromResponse(400, text);
  return 0;
}
