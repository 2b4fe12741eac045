// SPDX-License-Identifier: MIT
// Prices, greeks and implied volatility against vollib's published test vectors (Black-Scholes, no
// dividends; theta per year, vega per 1.00 vol, rho per 1.00 rate — the raw units of Greeks).
#include <boost/json.hpp>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "options/black.hpp"
#include "options/implied_vol.hpp"
#include "test_data.hpp"

namespace td::options {
namespace {

struct Row {
  std::map<std::string, double> values;
  double operator[](const std::string& key) const { return values.at(key); }
};

std::vector<Row> LoadVollib() {
  const std::string path = testing::DataFile("reference/black_scholes/vollib_test_data.json");
  if (path.empty()) {
    return {};
  }
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  const boost::json::value doc = boost::json::parse(text.str());
  const auto& columns = doc.at("columns").as_array();
  std::vector<Row> rows;
  for (const auto& data : doc.at("data").as_array()) {
    Row row;
    const auto& cells = data.as_array();
    for (std::size_t i = 0; i < columns.size(); ++i) {
      row.values[std::string(columns[i].as_string())] = cells[i].to_number<double>();
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

// The file carries 6-10 significant digits; compare with a relative tolerance plus a floor.
void ExpectClose(double actual, double expected, double floor, const std::string& what) {
  EXPECT_NEAR(actual, expected, 2e-6 * std::fabs(expected) + floor) << what;
}

TEST(VollibTest, PricesAndGreeksMatch) {
  const auto rows = LoadVollib();
  if (rows.empty()) {
    GTEST_SKIP() << "vollib_test_data.json not found under " << testing::DataDir();
  }
  ASSERT_EQ(rows.size(), 101u);
  for (const Row& r : rows) {
    const BsmMarket m{.spot = r["S"], .strike = r["K"], .t_years = r["t"], .rate = r["R"]};
    const std::string tag =
        "S=" + std::to_string(r["S"]) + " t=" + std::to_string(r["t"]) + " v=" + std::to_string(r["v"]);
    const Greeks c = BsmGreeks(OptionType::kCall, m, r["v"]);
    const Greeks p = BsmGreeks(OptionType::kPut, m, r["v"]);
    ExpectClose(c.price, r["bs_call"], 1e-6, "call " + tag);
    ExpectClose(c.price, r["call_vals"], 1e-9, "call_vals " + tag);
    ExpectClose(p.price, r["bs_put"], 1e-6, "put " + tag);
    ExpectClose(c.delta, r["CD"], 1e-9, "CD " + tag);
    ExpectClose(c.gamma, r["CG"], 1e-9, "CG " + tag);
    ExpectClose(c.theta, r["CT"], 1e-6, "CT " + tag);
    ExpectClose(c.vega, r["CV"], 1e-6, "CV " + tag);
    ExpectClose(c.rho, r["CR"], 1e-6, "CR " + tag);
    ExpectClose(p.delta, r["PD"], 1e-9, "PD " + tag);
    ExpectClose(p.gamma, r["PG"], 1e-9, "PG " + tag);
    ExpectClose(p.theta, r["PT"], 1e-6, "PT " + tag);
    ExpectClose(p.vega, r["PV"], 1e-6, "PV " + tag);
    ExpectClose(p.rho, r["PR"], 1e-6, "PR " + tag);
  }
}

TEST(VollibTest, ImpliedVolatilityRecoversTheInputVolatility) {
  const auto rows = LoadVollib();
  if (rows.empty()) {
    GTEST_SKIP() << "vollib_test_data.json not found";
  }
  int solved = 0;
  for (const Row& r : rows) {
    const BsmMarket m{.spot = r["S"], .strike = r["K"], .t_years = r["t"], .rate = r["R"]};
    for (OptionType type : {OptionType::kCall, OptionType::kPut}) {
      // The file's prices agree with exact Black-Scholes to about 2e-6 relative (rounding and vollib's own
      // numerics), so the recovered vol can differ by that price error over the vega. Rows where this
      // exceeds 1e-4 vol (no information left in the time value) are skipped.
      const double price = type == OptionType::kCall ? r["call_vals"] : r["bs_put"];
      const Greeks g = BsmGreeks(type, m, r["v"]);
      const double rounding = 2e-6 * std::fabs(price) + 1e-9;
      if (g.vega < rounding / 1e-4) {
        continue;
      }
      auto iv = ImpliedVolBsm(type, m, price);
      ASSERT_TRUE(iv.ok()) << iv.error().ToString();
      EXPECT_NEAR(*iv, r["v"], 2.0 * rounding / g.vega + 1e-12) << "S=" << r["S"] << " t=" << r["t"];
      ++solved;
    }
  }
  EXPECT_GT(solved, 100);
}

TEST(VollibTest, OurPricesRoundTripThroughImpliedVolOnEveryRow) {
  // Full-precision round trip on the same inputs, including the deep wings and 200 % volatility.
  const auto rows = LoadVollib();
  if (rows.empty()) {
    GTEST_SKIP() << "vollib_test_data.json not found";
  }
  for (const Row& r : rows) {
    const BsmMarket m{.spot = r["S"], .strike = r["K"], .t_years = r["t"], .rate = r["R"]};
    for (OptionType type : {OptionType::kCall, OptionType::kPut}) {
      const Greeks g = BsmGreeks(type, m, r["v"]);
      auto iv = ImpliedVolBsm(type, m, g.price);
      if (!iv.ok() || *iv == 0.0) {
        // The time value is below one ulp of the price (deep ITM) or underflows (deep OTM).
        const double time_value = g.price - std::max(0.0, (type == OptionType::kCall ? 1.0 : -1.0) *
                                                              (r["S"] - r["K"] * std::exp(-r["R"] * r["t"])));
        EXPECT_LT(std::fabs(time_value), 1e-12 * std::max(1.0, g.price));
        continue;
      }
      // Error bound from conditioning: a few ulp of the price over the vega.
      EXPECT_NEAR(*iv, r["v"], 8e-16 * std::max(1.0, g.price) / g.vega + 1e-13) << "S=" << r["S"];
    }
  }
}

}  // namespace
}  // namespace td::options
