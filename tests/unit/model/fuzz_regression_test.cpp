// SPDX-License-Identifier: MIT
// Inputs that once broke, or nearly broke, the round-trip properties checked by fuzz/model/.
#include <gtest/gtest.h>

#include <string>

#include "core/fixed_point.hpp"
#include "model/symbology.hpp"

namespace td {
namespace {

std::string Upper(std::string text) {
  for (char& c : text) {
    if (c >= 'a' && c <= 'z') {
      c = static_cast<char>(c - 'a' + 'A');
    }
  }
  return text;
}

TEST(FuzzRegressionTest, PriceRoundTripsAtTheEdges) {
  for (const char* text : {"0", "-0", "-0.0", ".5", "5.", "9223372036.854775807", "-9223372036.854775807",
                           "0.0000000001000", "1.1234567890", "000000000000000000000001"}) {
    auto price = Price::Parse(text);
    if (!price.ok()) {
      continue;
    }
    auto again = Price::Parse(price->ToString());
    ASSERT_TRUE(again.ok()) << text << " -> " << price->ToString();
    EXPECT_EQ(*again, *price) << text;
    EXPECT_EQ(again->precision(), price->precision()) << text;
  }
}

TEST(FuzzRegressionTest, SymbolsFormatBackToTheirUpperCaseText) {
  for (const char* text : {"a28nov24fut", "-28NOV24FUT", "&00JAN001CE", "_29FEB000.0001PE", "Z31DEC99 1CE", "9CE", "CE",
                           "PE", "FUT", "1.CE", "x01jan001pe"}) {
    auto symbol = OpenAlgoSymbol::Parse(text);
    if (!symbol.ok()) {
      continue;
    }
    EXPECT_EQ(symbol->ToString(), Upper(text));
    EXPECT_EQ(OpenAlgoSymbol::Parse(symbol->ToString()).value(), *symbol);
  }
  for (const char* text : {"a     000229c00000001", "a000229p00000001", "ZZZZZZ991231C99999999"}) {
    auto symbol = OccSymbol::Parse(text);
    ASSERT_TRUE(symbol.ok()) << text << ": " << symbol.error().ToString();
    const std::string upper = Upper(text);
    EXPECT_EQ(upper.find(' ') == std::string::npos ? symbol->ToCompactString() : symbol->ToString(), upper);
  }
}

}  // namespace
}  // namespace td
