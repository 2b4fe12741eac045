// SPDX-License-Identifier: MIT
// Property: any chart body is a set of consistent, strictly increasing bars or a structured error.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "adapters/yahoo/parse.hpp"
#include "core/check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace td::adapters::yahoo;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto chart = ParseChart(text, ParseOptions{}, td::UnixNanos::FromSeconds(1704600000));
  if (chart.ok()) {
    for (std::size_t i = 0; i < chart->bars.size(); ++i) {
      TD_CHECK(chart->bars[i].IsConsistent());
      TD_CHECK(i == 0 || chart->bars[i - 1].ts_event < chart->bars[i].ts_event);
    }
  }
  (void)ErrorFromResponse(404, text);
  return 0;
}
