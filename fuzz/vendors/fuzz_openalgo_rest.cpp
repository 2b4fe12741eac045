// SPDX-License-Identifier: MIT
// Property: every OpenAlgo REST decoder returns a value or a structured error on any body; bars it accepts are
// consistent and sorted, chains it accepts validate.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "adapters/openalgo/parse.hpp"
#include "core/check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace td::adapters::openalgo;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const td::UnixNanos now = td::UnixNanos::FromSeconds(1732164400);
  if (auto history = ParseHistory(text, ParseOptions{}, now); history.ok()) {
    for (std::size_t i = 0; i < history->bars.size(); ++i) {
      TD_CHECK(history->bars[i].IsConsistent());
      TD_CHECK(i == 0 || history->bars[i - 1].ts_event < history->bars[i].ts_event);
    }
  }
  const auto nifty = td::InstrumentId::Of("NSE:NIFTY");
  if (auto chain = ParseOptionChain(text, nifty, "NFO", {2024, 11, 28}, ParseOptions{}, now); chain.ok()) {
    TD_CHECK(chain->Validate().ok());
  }
  (void)ParseQuotes(text, nifty, ParseOptions{}, now);
  (void)ParseExpiries(text);
  (void)ParseIntervals(text);
  (void)ErrorFromResponse(500, text);
  return 0;
}
