// SPDX-License-Identifier: MIT
// Property: any aggregates body is a page of consistent, strictly increasing bars or a structured error.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "adapters/polygon/parse.hpp"
#include "core/check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace td::adapters::polygon;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto page = ParseAggregates(text, ParseOptions{}, td::UnixNanos::FromSeconds(1704300000));
  if (page.ok()) {
    for (std::size_t i = 0; i < page->bars.size(); ++i) {
      TD_CHECK(page->bars[i].IsConsistent());
      TD_CHECK(i == 0 || page->bars[i - 1].ts_event < page->bars[i].ts_event);
    }
  }
  (void)ErrorFromResponse(429, text);
  return 0;
}
