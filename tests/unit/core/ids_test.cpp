// SPDX-License-Identifier: MIT
#include "core/ids.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <type_traits>
#include <unordered_set>
#include <vector>

namespace td {
namespace {

TEST(InstrumentIdTest, NormalisesToUpperCase) {
  auto id = InstrumentId::Parse("nse:nifty");
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->value(), "NSE:NIFTY");
  EXPECT_EQ(id->exchange(), "NSE");
  EXPECT_EQ(id->symbol(), "NIFTY");
  EXPECT_EQ(InstrumentId::Parse("NSE:M&M")->symbol(), "M&M");
  EXPECT_EQ(InstrumentId::Parse("cboe:^vix")->value(), "CBOE:^VIX");
  EXPECT_EQ(InstrumentId::Parse("NSE_INDEX:NIFTY")->exchange(), "NSE_INDEX");
}

TEST(InstrumentIdTest, RejectsMalformed) {
  for (const char* bad : {"", "NIFTY", ":NIFTY", "NSE:", "NS E:NIFTY", "NSE:NIF TY", "NSE:NIFTY:X", "N-SE:NIFTY"}) {
    auto id = InstrumentId::Parse(bad);
    EXPECT_FALSE(id.ok()) << bad;
    if (!id.ok()) {
      EXPECT_EQ(id.error().field, "symbol");
    }
  }
}

TEST(InstrumentIdTest, HashesAndOrders) {
  std::unordered_set<InstrumentId> set{InstrumentId::Of("NSE:NIFTY"), InstrumentId::Of("nse:nifty")};
  EXPECT_EQ(set.size(), 1U);
  EXPECT_LT(InstrumentId::Of("A:B"), InstrumentId::Of("A:C"));
}

TEST(StrongIdTest, ValidatesAndKeepsKindsApart) {
  EXPECT_TRUE(ClientOrderId::Parse("O-20241128-0001").ok());
  EXPECT_FALSE(ClientOrderId::Parse("").ok());
  EXPECT_FALSE(ClientOrderId::Parse("has space").ok());
  EXPECT_FALSE(ClientOrderId::Parse(std::string(65, 'x')).ok());
  static_assert(!std::is_convertible_v<ClientOrderId, StrategyId>);
}

TEST(InstrumentIdTest, IsInternedSoEqualTextIsOneIdentity) {
  static_assert(sizeof(InstrumentId) == sizeof(void*), "a copy must be one pointer");
  const InstrumentId a = InstrumentId::Of("NFO:NIFTY28NOV2424000CE");
  const InstrumentId b = *InstrumentId::Make("nfo", "nifty28nov2424000ce");
  EXPECT_EQ(a, b);
  EXPECT_EQ(&a.value(), &b.value());  // one stored text
  EXPECT_EQ(std::hash<InstrumentId>{}(a), std::hash<std::string_view>{}("NFO:NIFTY28NOV2424000CE"));
  EXPECT_NE(a, InstrumentId::Of("NFO:NIFTY28NOV2424000PE"));
  const InstrumentId none;
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(none.value(), "");
  EXPECT_EQ(none.exchange(), "");
  EXPECT_LT(none, a);  // ordered by text: "" first
  EXPECT_EQ(a <=> b, std::strong_ordering::equal);
}

TEST(InstrumentIdTest, InterningFromManyThreadsGivesOneIdentityPerText) {
  constexpr int kThreads = 4;
  constexpr int kSymbols = 500;
  std::vector<std::vector<InstrumentId>> seen(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t, &seen] {
      for (int i = 0; i < kSymbols; ++i) {
        seen[t].push_back(InstrumentId::Of("RACE:SYM" + std::to_string((i * (t + 1)) % kSymbols)));
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kSymbols; ++i) {
      const InstrumentId expected = InstrumentId::Of("RACE:SYM" + std::to_string((i * (t + 1)) % kSymbols));
      EXPECT_EQ(seen[t][i], expected);
      EXPECT_EQ(&seen[t][i].value(), &expected.value());
    }
  }
}

TEST(StrongIdTest, IsTriviallyCopyableAndComparesByText) {
  static_assert(std::is_trivially_copyable_v<ClientOrderId>, "ids are copied on every event");
  const ClientOrderId a = ClientOrderId::Of("EMU-0000000001-000001");
  const ClientOrderId b = *ClientOrderId::Parse("EMU-0000000001-000001");
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.hash(), b.hash());
  EXPECT_EQ(a.value(), "EMU-0000000001-000001");
  EXPECT_EQ(a.str(), "EMU-0000000001-000001");
  EXPECT_NE(a, ClientOrderId::Of("EMU-0000000001-000002"));
  EXPECT_NE(ClientOrderId::Of("AB"), ClientOrderId::Of("ABC"));
  EXPECT_LT(ClientOrderId::Of("AB"), ClientOrderId::Of("ABC"));
  EXPECT_LT(ClientOrderId::Of("TD-9"), ClientOrderId::Of("TD-A"));
  EXPECT_TRUE(ClientOrderId().empty());
  EXPECT_NE(ClientOrderId(), a);
  const std::string longest(64, 'x');
  EXPECT_EQ(ClientOrderId::Of(longest).value(), longest);
  std::unordered_set<ClientOrderId> set{a, b, ClientOrderId::Of("X")};
  EXPECT_EQ(set.size(), 2U);
}

TEST(StrongIdTest, SequencedPadsTheCounterAndEqualsTheParsedText) {
  EXPECT_EQ(ClientOrderId::Sequenced("TD-", 123, 12), ClientOrderId::Of("TD-000000000123"));
  EXPECT_EQ(TradeId::Sequenced("PAPER-F", 0, 3).value(), "PAPER-F000");
  EXPECT_EQ(TradeId::Sequenced("P-", 18'446'744'073'709'551'615ULL, 12).value(), "P-18446744073709551615");
  EXPECT_EQ(VenueOrderId::Sequenced("", 7, 1).value(), "7");
  EXPECT_EQ(ClientOrderId::Sequenced("TD-", 42, 12).hash(), ClientOrderId::Of("TD-000000000042").hash());
  EXPECT_DEATH((void)ClientOrderId::Sequenced(std::string(60, 'x'), 1, 12), "longer than 64");
  EXPECT_DEATH((void)ClientOrderId::Sequenced("BAD PREFIX-", 1, 1), "printable");
}

}  // namespace
}  // namespace td
