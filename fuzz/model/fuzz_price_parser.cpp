// SPDX-License-Identifier: MIT
// Property: every text Price/Quantity::Parse accepts formats to text that parses back to the same value and
// precision, with and without an explicit precision (selected by the first byte).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/check.hpp"
#include "core/fixed_point.hpp"

namespace {

template <typename Fixed>
void CheckRoundTrip(std::string_view text) {
  auto parsed = Fixed::Parse(text);
  if (!parsed.ok()) {
    return;
  }
  const std::string formatted = parsed->ToString();
  auto again = Fixed::Parse(formatted);
  TD_CHECK(again.ok()) << "'" << formatted << "' from '" << text << "' does not parse: " << again.error().ToString();
  TD_CHECK(*again == *parsed) << "'" << text << "' -> '" << formatted << "' changed the value";
  TD_CHECK(again->precision() == parsed->precision()) << "'" << text << "' -> '" << formatted << "' changed precision";
  TD_CHECK(again->ToString() == formatted) << "format is not stable for '" << text << "'";
}

template <typename Fixed>
void CheckRoundTripAtPrecision(std::string_view text, int precision) {
  auto parsed = Fixed::Parse(text, precision);
  if (!parsed.ok()) {
    return;
  }
  TD_CHECK(parsed->precision() == precision) << "'" << text << "' at " << precision;
  const std::string formatted = parsed->ToString();
  auto again = Fixed::Parse(formatted, precision);
  TD_CHECK(again.ok()) << "'" << formatted << "' from '" << text << "' does not parse at " << precision;
  TD_CHECK(*again == *parsed) << "'" << text << "' -> '" << formatted << "' changed the value at " << precision;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  CheckRoundTrip<td::Price>(text);
  CheckRoundTrip<td::Quantity>(text);
  if (size > 0) {
    const int precision = data[0] % 10;
    CheckRoundTripAtPrecision<td::Price>(text.substr(1), precision);
    CheckRoundTripAtPrecision<td::Quantity>(text.substr(1), precision);
  }
  return 0;
}
