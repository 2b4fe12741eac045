// SPDX-License-Identifier: MIT
#include "core/result.hpp"

#include <gtest/gtest.h>

namespace td {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) {
    return Error::InvalidArgument("odd", "x");
  }
  return x / 2;
}

Result<int> Quarter(int x) {
  auto half = Half(x);
  TD_TRY(half);
  return Half(*half);
}

TEST(ResultTest, CarriesValueOrError) {
  EXPECT_EQ(*Half(4), 2);
  EXPECT_EQ(Half(3).error().field, "x");
  EXPECT_EQ(Half(3).error().ToString(), "invalid_argument: odd (x)");
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_FALSE(Quarter(6).ok());
  EXPECT_EQ(Half(3).value_or(-1), -1);
  Status ok;
  EXPECT_TRUE(ok.ok());
}

TEST(ResultDeathTest, WrongSideAborts) {
  EXPECT_DEATH((void)Half(3).value(), "Result::value\\(\\) on an error");
}

}  // namespace
}  // namespace td
