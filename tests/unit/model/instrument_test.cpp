// SPDX-License-Identifier: MIT
#include "model/instrument.hpp"

#include <gtest/gtest.h>

namespace td {
namespace {

Price P(const char* text) {
  return Price::Parse(text).value();
}

ContractSpec NseFno(int lot) {
  return ContractSpec{P("0.05"), Quantity::FromUnits(lot), Quantity::FromUnits(1), 2};
}

TEST(InstrumentTest, BuildsEachKind) {
  auto equity = Instrument::Equity(InstrumentId::Of("NSE:SBIN"), NseFno(1));
  ASSERT_TRUE(equity.ok()) << equity.error().ToString();
  EXPECT_EQ(equity->kind, InstrumentKind::kEquity);
  EXPECT_EQ(equity->exchange(), "NSE");
  EXPECT_FALSE(equity->IsDerivative());

  auto index = Instrument::Index(InstrumentId::Of("NSE_INDEX:NIFTY"), 2);
  ASSERT_TRUE(index.ok());
  EXPECT_EQ(index->tick_size, P("0.01"));
  EXPECT_EQ(index->lot_size, Quantity::FromUnits(1));

  auto future = Instrument::Future(InstrumentId::Of("NFO:NIFTY28NOV24FUT"), InstrumentId::Of("NSE_INDEX:NIFTY"),
                                   CivilDate{2024, 11, 28}, NseFno(25));
  ASSERT_TRUE(future.ok()) << future.error().ToString();
  EXPECT_TRUE(future->IsDerivative());
  EXPECT_FALSE(future->strike.has_value());

  auto option = Instrument::Option(InstrumentId::Of("NFO:NIFTY28NOV2424000CE"), InstrumentId::Of("NSE_INDEX:NIFTY"),
                                   CivilDate{2024, 11, 28}, P("24000"), OptionRight::kCall, NseFno(25));
  ASSERT_TRUE(option.ok()) << option.error().ToString();
  EXPECT_EQ(*option->strike, P("24000"));
  EXPECT_EQ(*option->right, OptionRight::kCall);
  EXPECT_EQ(option->underlying.value(), "NSE_INDEX:NIFTY");

  auto us_option = Instrument::Option(InstrumentId::Of("OPRA:SPY240119C00470000"), InstrumentId::Of("US:SPY"),
                                      CivilDate{2024, 1, 19}, P("470"), OptionRight::kCall,
                                      ContractSpec{P("0.01"), Quantity::FromUnits(1), Quantity::FromUnits(100), 2});
  ASSERT_TRUE(us_option.ok()) << us_option.error().ToString();
  EXPECT_EQ(us_option->multiplier, Quantity::FromUnits(100));
}

struct BadCase {
  const char* name;
  void (*mutate)(Instrument&);
  const char* field;
};

TEST(InstrumentTest, ValidateNamesTheBadField) {
  const Instrument good = Instrument::Option(InstrumentId::Of("NFO:VEDL25APR24292.5CE"), InstrumentId::Of("NSE:VEDL"),
                                             CivilDate{2024, 4, 25}, P("292.5"), OptionRight::kCall, NseFno(1150))
                              .value();
  ASSERT_TRUE(good.Validate().ok());
  const BadCase cases[] = {
      {"no id", [](Instrument& i) { i.id = InstrumentId(); }, "id"},
      {"zero tick", [](Instrument& i) { i.tick_size = P("0"); }, "tick_size"},
      {"negative tick", [](Instrument& i) { i.tick_size = P("-0.05"); }, "tick_size"},
      {"tick finer than precision", [](Instrument& i) { i.tick_size = P("0.005"); }, "tick_size"},
      {"precision 10", [](Instrument& i) { i.price_precision = 10; }, "price_precision"},
      {"negative precision", [](Instrument& i) { i.price_precision = -1; }, "price_precision"},
      {"zero lot", [](Instrument& i) { i.lot_size = Quantity(); }, "lot_size"},
      {"zero multiplier", [](Instrument& i) { i.multiplier = Quantity(); }, "multiplier"},
      {"no underlying", [](Instrument& i) { i.underlying = InstrumentId(); }, "underlying"},
      {"own underlying", [](Instrument& i) { i.underlying = i.id; }, "underlying"},
      {"no expiry", [](Instrument& i) { i.expiry.reset(); }, "expiry"},
      {"30 Feb",
       [](Instrument& i) {
         i.expiry = CivilDate{2024, 2, 30};
       },
       "expiry"},
      {"29 Feb non-leap",
       [](Instrument& i) {
         i.expiry = CivilDate{2023, 2, 29};
       },
       "expiry"},
      {"month 13",
       [](Instrument& i) {
         i.expiry = CivilDate{2024, 13, 1};
       },
       "expiry"},
      {"no strike", [](Instrument& i) { i.strike.reset(); }, "strike"},
      {"zero strike", [](Instrument& i) { i.strike = P("0"); }, "strike"},
      {"negative strike", [](Instrument& i) { i.strike = P("-100"); }, "strike"},
      {"strike off grid", [](Instrument& i) { i.strike = P("292.53"); }, "strike"},
      {"no right", [](Instrument& i) { i.right.reset(); }, "option_type"},
  };
  for (const BadCase& c : cases) {
    Instrument bad = good;
    c.mutate(bad);
    const Status status = bad.Validate();
    ASSERT_FALSE(status.ok()) << c.name;
    EXPECT_EQ(status.error().field, c.field) << c.name << ": " << status.error().ToString();
    EXPECT_EQ(status.error().code, ErrorCode::kInvalidArgument) << c.name;
  }
}

TEST(InstrumentTest, KindsRejectFieldsTheyDoNotHave) {
  Instrument equity = Instrument::Equity(InstrumentId::Of("NSE:SBIN"), NseFno(1)).value();
  Instrument with_expiry = equity;
  with_expiry.expiry = CivilDate{2024, 11, 28};
  EXPECT_EQ(with_expiry.Validate().error().field, "expiry");
  Instrument with_underlying = equity;
  with_underlying.underlying = InstrumentId::Of("NSE_INDEX:NIFTY");
  EXPECT_EQ(with_underlying.Validate().error().field, "underlying");

  Instrument future = Instrument::Future(InstrumentId::Of("NFO:NIFTY28NOV24FUT"), InstrumentId::Of("NSE_INDEX:NIFTY"),
                                         CivilDate{2024, 11, 28}, NseFno(25))
                          .value();
  Instrument with_strike = future;
  with_strike.strike = P("24000");
  EXPECT_EQ(with_strike.Validate().error().field, "strike");
  Instrument with_right = future;
  with_right.right = OptionRight::kPut;
  EXPECT_EQ(with_right.Validate().error().field, "option_type");

  EXPECT_FALSE(Instrument::Index(InstrumentId::Of("NSE_INDEX:NIFTY"), 12).ok());
  EXPECT_FALSE(
      Instrument::Future(InstrumentId::Of("NFO:X"), InstrumentId::Of("NSE:X"), CivilDate{2024, 2, 30}, NseFno(1)).ok());
}

TEST(InstrumentTest, RoundsToTickAtItsPrecision) {
  const Instrument option =
      Instrument::Option(InstrumentId::Of("NFO:NIFTY28NOV2424000PE"), InstrumentId::Of("NSE_INDEX:NIFTY"),
                         CivilDate{2024, 11, 28}, P("24000"), OptionRight::kPut, NseFno(25))
          .value();
  EXPECT_EQ(option.RoundToTick(P("101.03")).ToString(), "101.05");
  EXPECT_EQ(option.RoundToTick(P("101.02")).ToString(), "101.00");
  EXPECT_EQ(option.RoundToTick(P("101.01"), RoundingMode::kUp).ToString(), "101.05");
  EXPECT_EQ(option.RoundToTick(P("101.09"), RoundingMode::kDown).ToString(), "101.05");
  EXPECT_TRUE(option.IsOnTick(P("101.05")));
  EXPECT_FALSE(option.IsOnTick(P("101.06")));
  EXPECT_FALSE(option.IsExpiredAsOf(CivilDate{2024, 11, 28}));
  EXPECT_TRUE(option.IsExpiredAsOf(CivilDate{2024, 11, 29}));
}

TEST(InstrumentTest, KindAndRightNames) {
  for (InstrumentKind kind :
       {InstrumentKind::kEquity, InstrumentKind::kIndex, InstrumentKind::kFuture, InstrumentKind::kOption}) {
    EXPECT_EQ(ParseInstrumentKind(ToString(kind)).value(), kind);
  }
  EXPECT_EQ(ParseInstrumentKind("Option").value(), InstrumentKind::kOption);
  EXPECT_EQ(ParseInstrumentKind("bond").error().field, "kind");
  for (const char* call : {"CE", "ce", "C", "call", "CALL"}) {
    EXPECT_EQ(ParseOptionRight(call).value(), OptionRight::kCall) << call;
  }
  for (const char* put : {"PE", "p", "Put"}) {
    EXPECT_EQ(ParseOptionRight(put).value(), OptionRight::kPut) << put;
  }
  for (const char* bad : {"", "X", "CEE", "CA"}) {
    EXPECT_FALSE(ParseOptionRight(bad).ok()) << bad;
  }
  EXPECT_EQ(ToString(OptionRight::kCall), "call");
}

}  // namespace
}  // namespace td
