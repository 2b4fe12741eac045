// SPDX-License-Identifier: MIT
#include "model/symbology.hpp"

#include <gtest/gtest.h>

namespace td {
namespace {

Price P(const char* text) {
  return Price::Parse(text).value();
}

TEST(OpenAlgoSymbolTest, ParsesFuture) {
  auto symbol = OpenAlgoSymbol::Parse("NIFTY28NOV24FUT");
  ASSERT_TRUE(symbol.ok()) << symbol.error().ToString();
  EXPECT_EQ(symbol->kind, OpenAlgoSymbolKind::kFuture);
  EXPECT_EQ(symbol->base, "NIFTY");
  EXPECT_EQ(symbol->expiry, (CivilDate{2024, 11, 28}));
  EXPECT_EQ(symbol->ToString(), "NIFTY28NOV24FUT");
}

TEST(OpenAlgoSymbolTest, ParsesOptions) {
  auto call = OpenAlgoSymbol::Parse("NIFTY28NOV2424000CE");
  ASSERT_TRUE(call.ok()) << call.error().ToString();
  EXPECT_EQ(call->kind, OpenAlgoSymbolKind::kOption);
  EXPECT_EQ(call->base, "NIFTY");
  EXPECT_EQ(call->expiry, (CivilDate{2024, 11, 28}));
  EXPECT_EQ(call->strike, P("24000"));
  EXPECT_EQ(call->right, OptionRight::kCall);

  auto put = OpenAlgoSymbol::Parse("NIFTY28NOV2424000PE");
  ASSERT_TRUE(put.ok());
  EXPECT_EQ(put->right, OptionRight::kPut);
  EXPECT_NE(*put, *call);

  auto decimal = OpenAlgoSymbol::Parse("VEDL25APR24292.5CE");
  ASSERT_TRUE(decimal.ok()) << decimal.error().ToString();
  EXPECT_EQ(decimal->base, "VEDL");
  EXPECT_EQ(decimal->strike, P("292.5"));

  auto small = OpenAlgoSymbol::Parse("USDINR27JAN2583.25PE");
  ASSERT_TRUE(small.ok());
  EXPECT_EQ(small->strike, P("83.25"));
  EXPECT_EQ(small->expiry, (CivilDate{2025, 1, 27}));

  auto half = OpenAlgoSymbol::Parse("ABC28NOV2417.5PE");
  ASSERT_TRUE(half.ok());
  EXPECT_EQ(half->strike, P("17.5"));
}

TEST(OpenAlgoSymbolTest, BaseMayEndInDigitsOrHoldPunctuation) {
  auto nxt = OpenAlgoSymbol::Parse("NIFTYNXT5028NOV2470000CE");
  ASSERT_TRUE(nxt.ok()) << nxt.error().ToString();
  EXPECT_EQ(nxt->base, "NIFTYNXT50");
  EXPECT_EQ(nxt->strike, P("70000"));
  auto mm = OpenAlgoSymbol::Parse("M&M28NOV24FUT");
  ASSERT_TRUE(mm.ok());
  EXPECT_EQ(mm->base, "M&M");
  auto bajaj = OpenAlgoSymbol::Parse("BAJAJ-AUTO28NOV249000PE");
  ASSERT_TRUE(bajaj.ok());
  EXPECT_EQ(bajaj->base, "BAJAJ-AUTO");
  auto digit_first = OpenAlgoSymbol::Parse("360ONE28NOV24FUT");
  ASSERT_TRUE(digit_first.ok());
  EXPECT_EQ(digit_first->base, "360ONE");
}

TEST(OpenAlgoSymbolTest, PlainSymbolsIncludingOnesEndingInCe) {
  for (const char* plain : {"SBIN", "RELIANCE", "BAJFINANCE", "NIFTY", "INDIAVIX", "M&M", "NIFTYNXT50", "360ONE"}) {
    auto symbol = OpenAlgoSymbol::Parse(plain);
    ASSERT_TRUE(symbol.ok()) << plain << ": " << symbol.error().ToString();
    EXPECT_EQ(symbol->kind, OpenAlgoSymbolKind::kPlain) << plain;
    EXPECT_EQ(symbol->base, plain);
    EXPECT_EQ(symbol->ToString(), plain);
  }
}

TEST(OpenAlgoSymbolTest, RoundTripsExactly) {
  for (const char* text :
       {"NIFTY28NOV24FUT", "BANKNIFTY24APR24FUT", "SENSEX24APR24FUT", "NIFTY30JAN25FUT", "NIFTY28MAR2420800CE",
        "NIFTY30JAN2521500CE", "VEDL24APR25292.5CE", "USDINR27JAN2583.5PE", "NIFTY28NOV2424000PE",
        "CRUDEOIL19DEC246500CE", "GOLD05FEB2578000.25PE", "NIFTY29FEB2422000CE", "SBIN"}) {
    auto symbol = OpenAlgoSymbol::Parse(text);
    ASSERT_TRUE(symbol.ok()) << text << ": " << symbol.error().ToString();
    EXPECT_EQ(symbol->ToString(), text);
    EXPECT_EQ(OpenAlgoSymbol::Parse(symbol->ToString()).value(), *symbol);
  }
}

TEST(OpenAlgoSymbolTest, NormalisesLowerCase) {
  auto symbol = OpenAlgoSymbol::Parse("nifty28nov2424000ce");
  ASSERT_TRUE(symbol.ok()) << symbol.error().ToString();
  EXPECT_EQ(symbol->ToString(), "NIFTY28NOV2424000CE");
  EXPECT_EQ(*symbol, OpenAlgoSymbol::Parse("NIFTY28NOV2424000CE").value());
  EXPECT_EQ(OpenAlgoSymbol::Parse("Nifty28Nov24Fut")->ToString(), "NIFTY28NOV24FUT");
}

void ExpectRejected(const char* text, const char* message_part) {
  auto symbol = OpenAlgoSymbol::Parse(text);
  ASSERT_FALSE(symbol.ok()) << text << " parsed as " << symbol->ToString();
  EXPECT_EQ(symbol.error().field, "symbol") << text;
  EXPECT_EQ(symbol.error().code, ErrorCode::kInvalidArgument) << text;
  EXPECT_NE(symbol.error().message.find(message_part), std::string::npos)
      << text << ": '" << symbol.error().message << "' lacks '" << message_part << "'";
}

TEST(OpenAlgoSymbolTest, RejectsMalformedWithClearMessages) {
  ExpectRejected("NIFTY28NVX24FUT", "bad month 'NVX'");
  ExpectRejected("NIFTY28XYZ2424000CE", "bad month 'XYZ'");
  ExpectRejected("NIFTY30FEB24FUT", "impossible date 30FEB24");
  ExpectRejected("NIFTY29FEB23FUT", "impossible date 29FEB23");
  ExpectRejected("NIFTY31APR2424000CE", "impossible date 31APR24");
  ExpectRejected("NIFTY00NOV24FUT", "impossible date 00NOV24");
  ExpectRejected("NIFTY28NOV24CE", "missing strike");
  ExpectRejected("NIFTY28NOV24PE", "missing strike");
  ExpectRejected("NIFTY2424000CE", "BASE + DDMMMYY + strike");
  ExpectRejected("28NOV2424000CE", "BASE + DDMMMYY + strike");
  ExpectRejected("NIFTYFUT", "BASE + DDMMMYY + FUT");
  ExpectRejected("28NOV24FUT", "BASE + DDMMMYY + FUT");
  ExpectRejected("NIFTY8NOV24FUT", "DDMMMYY");
  ExpectRejected("NIFTY28NOV2424000.0CE", "malformed strike");
  ExpectRejected("NIFTY28NOV24024000CE", "leading zero");
  ExpectRejected("NIFTY28NOV2424000.CE", "malformed strike");
  ExpectRejected("NIFTY28NOV2424.0.5CE", "malformed strike");
  ExpectRejected("NIFTY28NOV240CE", "must be positive");
  ExpectRejected("NIFTY28NOV2410.12345CE", "more than 4 decimals");
  ExpectRejected("NIF TY", "in its name");
  ExpectRejected("NIFTY.X", "in its name");
  ExpectRejected("", "empty");
  ExpectRejected(std::string(65, 'A').c_str(), "longer than 64");
}

TEST(OpenAlgoSymbolTest, FactoriesValidate) {
  auto option = OpenAlgoSymbol::Option("nifty", CivilDate{2024, 11, 28}, P("24000.50"), OptionRight::kPut);
  ASSERT_TRUE(option.ok()) << option.error().ToString();
  EXPECT_EQ(option->ToString(), "NIFTY28NOV2424000.5PE");
  EXPECT_EQ(OpenAlgoSymbol::Parse(option->ToString()).value(), *option);
  EXPECT_EQ(OpenAlgoSymbol::Option("NIFTY", CivilDate{2024, 11, 28}, P("0"), OptionRight::kPut).error().field,
            "strike");
  EXPECT_EQ(OpenAlgoSymbol::Option("NIFTY", CivilDate{2024, 11, 28}, P("1.00001"), OptionRight::kPut).error().field,
            "strike");
  EXPECT_EQ(OpenAlgoSymbol::Future("NIFTY", CivilDate{2024, 2, 30}).error().field, "expiry_date");
  EXPECT_EQ(OpenAlgoSymbol::Future("NIFTY", CivilDate{1999, 12, 30}).error().field, "expiry_date");
  EXPECT_FALSE(OpenAlgoSymbol::Future("", CivilDate{2024, 2, 1}).ok());
  EXPECT_FALSE(OpenAlgoSymbol::Plain("A B").ok());
}

TEST(OpenAlgoExpiryTest, ParsesBothFormsAndFormats) {
  EXPECT_EQ(ParseOpenAlgoExpiry("30DEC25").value(), (CivilDate{2025, 12, 30}));
  EXPECT_EQ(ParseOpenAlgoExpiry("30-DEC-25").value(), (CivilDate{2025, 12, 30}));
  EXPECT_EQ(ParseOpenAlgoExpiry("30-dec-25").value(), (CivilDate{2025, 12, 30}));
  EXPECT_EQ(FormatOpenAlgoExpiry(CivilDate{2024, 2, 29}), "29FEB24");
  EXPECT_EQ(FormatOpenAlgoExpiry(CivilDate{2001, 1, 5}), "05JAN01");
  for (const char* bad : {"", "30FEB24", "30-FEB-24", "3DEC25", "30DEC2025", "30/DEC/25", "30DECX5", "30-DEC25"}) {
    auto date = ParseOpenAlgoExpiry(bad);
    ASSERT_FALSE(date.ok()) << bad;
    EXPECT_EQ(date.error().field, "expiry_date") << bad;
  }
}

TEST(OccSymbolTest, ParsesPaddedForm) {
  auto symbol = OccSymbol::Parse("SPY   240119C00470000");
  ASSERT_TRUE(symbol.ok()) << symbol.error().ToString();
  EXPECT_EQ(symbol->root, "SPY");
  EXPECT_EQ(symbol->expiry, (CivilDate{2024, 1, 19}));
  EXPECT_EQ(symbol->right, OptionRight::kCall);
  EXPECT_EQ(symbol->strike, P("470"));
  EXPECT_EQ(symbol->strike.ToString(), "470");
  EXPECT_EQ(symbol->ToString(), "SPY   240119C00470000");
  EXPECT_EQ(symbol->ToCompactString(), "SPY240119C00470000");
}

TEST(OccSymbolTest, ParsesCompactFormAndFractionalStrikes) {
  auto symbol = OccSymbol::Parse("AAPL250117P00172500");
  ASSERT_TRUE(symbol.ok()) << symbol.error().ToString();
  EXPECT_EQ(symbol->root, "AAPL");
  EXPECT_EQ(symbol->right, OptionRight::kPut);
  EXPECT_EQ(symbol->strike, P("172.5"));
  EXPECT_EQ(symbol->ToString(), "AAPL  250117P00172500");
  EXPECT_EQ(symbol->ToCompactString(), "AAPL250117P00172500");
  EXPECT_EQ(OccSymbol::Parse("X     240119C00002125").value().strike, P("2.125"));
  EXPECT_EQ(OccSymbol::Parse("SPXW  241220C99999999").value().strike, P("99999.999"));
}

TEST(OccSymbolTest, RoundTripsExactly) {
  for (const char* padded : {"SPY   240119C00470000", "SPXW  241220P05000000", "BRKB  250620C00450000",
                             "AAPL1 250117C00175000", "GOOGLE260116P00000500", "A     240229C00010000"}) {
    auto symbol = OccSymbol::Parse(padded);
    ASSERT_TRUE(symbol.ok()) << padded << ": " << symbol.error().ToString();
    EXPECT_EQ(symbol->ToString(), padded);
    auto compact = OccSymbol::Parse(symbol->ToCompactString());
    ASSERT_TRUE(compact.ok());
    EXPECT_EQ(*compact, *symbol);
    EXPECT_EQ(compact->ToString(), padded);
  }
  EXPECT_EQ(OccSymbol::Parse("spy240119c00470000").value().ToCompactString(), "SPY240119C00470000");
}

TEST(OccSymbolTest, RejectsBadDatesStrikesAndShapes) {
  for (const char* bad : {
           "SPY   240230C00470000",   // 30 Feb
           "SPY   230229C00470000",   // 29 Feb in a non-leap year
           "SPY   241301C00470000",   // month 13
           "SPY   240100C00470000",   // day 0
           "SPY   240119C00000000",   // zero strike
           "SPY   240119X00470000",   // neither C nor P
           "SPY   240119C0047000A",   // non-digit strike
           "SPY   240119C0047000",    // 7 strike digits
           "SPY  240119C00470000",    // padding short by one
           "S PY  240119C00470000",   // space inside the root
           "SPY240119C0047000",       // compact, too short
           "TOOLONG240119C00470000",  // 7-character root
           "240119C00470000",         // no root
           "1SPY  240119C00470000",   // root starting with a digit
           "SP-Y  240119C00470000",   // punctuation in the root
           "",
       }) {
    auto symbol = OccSymbol::Parse(bad);
    ASSERT_FALSE(symbol.ok()) << "'" << bad << "' parsed as " << symbol->ToString();
    EXPECT_EQ(symbol.error().code, ErrorCode::kInvalidArgument) << bad;
  }
  EXPECT_NE(OccSymbol::Parse("SPY   240230C00470000").error().message.find("impossible date"), std::string::npos);
  EXPECT_EQ(OccSymbol::Make("SPY", CivilDate{2024, 1, 19}, OptionRight::kCall, P("100000")).error().field, "strike");
  EXPECT_EQ(OccSymbol::Make("SPY", CivilDate{2024, 1, 19}, OptionRight::kCall, P("1.0005")).error().field, "strike");
}

TEST(WithMinimalPrecisionTest, DropsTrailingZeros) {
  EXPECT_EQ(WithMinimalPrecision(P("24000.50")).ToString(), "24000.5");
  EXPECT_EQ(WithMinimalPrecision(P("470.000")).ToString(), "470");
  EXPECT_EQ(WithMinimalPrecision(P("-0.000000001")).ToString(), "-0.000000001");
  EXPECT_EQ(WithMinimalPrecision(P("0")).ToString(), "0");
}

}  // namespace
}  // namespace td
