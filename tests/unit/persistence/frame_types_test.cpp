// SPDX-License-Identifier: MIT
#include "persistence/frame_types.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <utility>
#include <vector>

namespace td::persistence {
namespace {

// The golden list. These ids are written into journals: a change here breaks every existing journal.
// Adding a new type appends a row; editing or removing a row is never allowed.
const std::vector<std::pair<std::uint32_t, std::string>> kGolden{
    {100, "quote_tick"},
    {101, "trade_tick"},
    {102, "bar"},
    {200, "submit_order"},
    {201, "modify_order"},
    {202, "cancel_order"},
    {300, "order_initialized"},
    {301, "order_denied"},
    {302, "order_submitted"},
    {303, "order_accepted"},
    {304, "order_rejected"},
    {305, "order_updated"},
    {306, "order_triggered"},
    {307, "order_filled"},
    {308, "order_canceled"},
    {309, "order_expired"},
    {400, "position_opened"},
    {401, "position_changed"},
    {402, "position_closed"},
    {410, "account_state"},
    {500, "trading_state_changed"},
    {600, "plan_created"},
    {601, "plan_updated"},
    {602, "plan_closed"},
    {700, "emulated_entry_created"},
    {701, "emulated_entry_moved"},
    {702, "emulated_entry_released"},
    {703, "emulated_entry_closed"},
    {710, "emulated_bracket_attached"},
    {711, "emulated_bracket_changed"},
    {712, "emulated_exit_released"},
    {713, "emulated_bracket_reduced"},
    {714, "emulated_exit_ended"},
    {715, "emulated_bracket_closed"},
    {900, "component_state_changed"},
    {901, "snapshot_marker"},
};

TEST(FrameTypesTest, RegistryMatchesTheGoldenList) {
  std::vector<std::pair<std::uint32_t, std::string>> actual;
  for (const FrameTypeInfo& info : kFrameTypes) {
    actual.emplace_back(info.id(), std::string(info.name));
  }
  EXPECT_EQ(actual, kGolden);
}

TEST(FrameTypesTest, IdsAndNamesAreUnique) {
  std::set<std::uint32_t> ids;
  std::set<std::string_view> names;
  for (const FrameTypeInfo& info : kFrameTypes) {
    EXPECT_TRUE(ids.insert(info.id()).second) << info.id();
    EXPECT_TRUE(names.insert(info.name).second) << info.name;
  }
  EXPECT_TRUE(FrameTypeRegistryIsValid());
}

TEST(FrameTypesTest, LooksUpByIdAndName) {
  EXPECT_EQ(FrameTypeName(307), "order_filled");
  EXPECT_EQ(FrameTypeName(static_cast<std::uint32_t>(FrameType::kBar)), "bar");
  EXPECT_EQ(FrameTypeName(0), std::nullopt);
  EXPECT_EQ(FrameTypeName(999), std::nullopt);
  EXPECT_EQ(FrameTypeFromName("submit_order"), FrameType::kSubmitOrder);
  EXPECT_EQ(FrameTypeFromName("nope"), std::nullopt);
  for (const FrameTypeInfo& info : kFrameTypes) {
    EXPECT_EQ(FrameTypeName(info.id()), info.name);
    EXPECT_EQ(FrameTypeFromName(info.name), info.type);
  }
}

}  // namespace
}  // namespace td::persistence
