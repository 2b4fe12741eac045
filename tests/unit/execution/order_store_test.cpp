// SPDX-License-Identifier: MIT
#include "execution/order_store.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace td::execution {
namespace {

Order MakeOrder(std::uint64_t n) {
  SubmitOrder command;
  command.client_order_id = ClientOrderId::Sequenced(n % 2 == 0 ? "TD-" : "EMU-", n, 12);
  command.strategy_id = StrategyId::Of("TEST");
  command.instrument_id = InstrumentId::Of("NSE:INFY");
  command.quantity = Quantity::FromUnits(static_cast<std::int64_t>(n + 1));
  return Order(command);
}

TEST(OrderStore, KeepsCreationOrderAndAddressesAcrossChunks) {
  OrderStore store;
  store.Reserve(16);  // smaller than what follows: the index still grows
  std::vector<const Order*> addresses;
  const std::size_t count = 3 * OrderStore::kChunkSize + 5;
  for (std::uint64_t n = 0; n < count; ++n) {
    addresses.push_back(&store.Add(MakeOrder(n)));
  }
  ASSERT_EQ(store.size(), count);
  std::size_t i = 0;
  for (const Order& order : store) {  // creation order, not id order ("EMU-…" and "TD-…" interleave)
    EXPECT_EQ(&order, addresses[i]);
    EXPECT_EQ(order.quantity(), Quantity::FromUnits(static_cast<std::int64_t>(i + 1)));
    ++i;
  }
  EXPECT_EQ(i, count);
  for (std::uint64_t n = 0; n < count; ++n) {
    const ClientOrderId id = ClientOrderId::Sequenced(n % 2 == 0 ? "TD-" : "EMU-", n, 12);
    EXPECT_EQ(store.Find(id), addresses[n]) << id.value();
    EXPECT_EQ(&store.At(n), addresses[n]);
  }
  EXPECT_EQ(store.Find(ClientOrderId::Of("TD-999999999999")), nullptr);
}

TEST(OrderStore, ADuplicateIdIsABrokenInvariant) {
  OrderStore store;
  store.Add(MakeOrder(1));
  EXPECT_DEATH(store.Add(MakeOrder(1)), "added twice");
}

}  // namespace
}  // namespace td::execution
