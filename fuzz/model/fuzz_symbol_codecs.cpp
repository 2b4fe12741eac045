// SPDX-License-Identifier: MIT
// Property: every accepted OpenAlgo or OCC symbol (and OpenAlgo expiry) formats to its canonical upper-case text,
// and that text parses back to the same structure.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/check.hpp"
#include "model/symbology.hpp"

namespace {

std::string Upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') {
      c = static_cast<char>(c - 'a' + 'A');
    }
  }
  return out;
}

void CheckOpenAlgo(std::string_view text) {
  auto symbol = td::OpenAlgoSymbol::Parse(text);
  if (!symbol.ok()) {
    return;
  }
  const std::string canonical = symbol->ToString();
  TD_CHECK(canonical == Upper(text)) << "'" << text << "' formats as '" << canonical << "'";
  auto again = td::OpenAlgoSymbol::Parse(canonical);
  TD_CHECK(again.ok()) << "'" << canonical << "' does not re-parse: " << again.error().ToString();
  TD_CHECK(*again == *symbol) << "'" << canonical << "' re-parses to a different symbol";
}

void CheckOcc(std::string_view text) {
  auto symbol = td::OccSymbol::Parse(text);
  if (!symbol.ok()) {
    return;
  }
  const std::string padded = symbol->ToString();
  const std::string compact = symbol->ToCompactString();
  TD_CHECK(padded.size() == 21) << "'" << padded << "'";
  const std::string upper = Upper(text);
  TD_CHECK(upper == (upper.find(' ') == std::string::npos ? compact : padded))
      << "'" << text << "' formats as '" << padded << "' / '" << compact << "'";
  for (const std::string& form : {padded, compact}) {
    auto again = td::OccSymbol::Parse(form);
    TD_CHECK(again.ok()) << "'" << form << "' does not re-parse: " << again.error().ToString();
    TD_CHECK(*again == *symbol) << "'" << form << "' re-parses to a different symbol";
  }
}

void CheckExpiry(std::string_view text) {
  auto date = td::ParseOpenAlgoExpiry(text);
  if (!date.ok()) {
    return;
  }
  const std::string formatted = td::FormatOpenAlgoExpiry(*date);
  auto again = td::ParseOpenAlgoExpiry(formatted);
  TD_CHECK(again.ok() && *again == *date) << "'" << text << "' -> '" << formatted << "'";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  CheckOpenAlgo(text);
  CheckOcc(text);
  CheckExpiry(text);
  return 0;
}
