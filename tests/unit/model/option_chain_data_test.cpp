// SPDX-License-Identifier: MIT
// Builds option chains from NSE's end-of-day chain snapshot of 26-Aug-2025 (real data, skipped when absent).
#include <gtest/gtest.h>
#include <zlib.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "model/option_chain.hpp"
#include "model/symbology.hpp"

namespace td {
namespace {

std::filesystem::path DataDir() {
  if (const char* dir = std::getenv("TRADEDESK_DATA_DIR"); dir != nullptr && *dir != '\0') {
    return dir;
  }
  return std::filesystem::path(TD_SOURCE_DIR) / ".." / "shared" / "data";
}

std::vector<std::vector<std::string>> ReadGzipCsv(const std::filesystem::path& path) {
  std::vector<std::vector<std::string>> rows;
  gzFile file = gzopen(path.c_str(), "rb");
  if (file == nullptr) {
    return rows;
  }
  char buffer[4096];
  while (gzgets(file, buffer, sizeof buffer) != nullptr) {
    std::string line(buffer);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) {
      line.pop_back();
    }
    std::vector<std::string> fields;
    std::stringstream stream(line);
    std::string field;
    while (std::getline(stream, field, ',')) {
      fields.push_back(field);
    }
    rows.push_back(std::move(fields));
  }
  gzclose(file);
  return rows;
}

// NSE writes 0 for "not quoted".
std::optional<Price> QuotedPrice(const std::string& text) {
  auto price = Price::Parse(text);
  EXPECT_TRUE(price.ok()) << text;
  if (!price.ok() || price->is_zero()) {
    return std::nullopt;
  }
  return *price;
}

Quantity Count(const std::string& text) {
  return Quantity::FromDouble(std::stod(text), 3).value();
}

OptionQuote SideQuote(const std::vector<std::string>& row, std::size_t first) {
  // Column order per side: OI, Chng_in_OI, Volume, IV, LTP, Net_Chng, Bid_Qty, Bid_Price, Ask_Price, Ask_Qty.
  OptionQuote quote;
  quote.open_interest = Count(row[first]);
  quote.oi_change = std::llround(std::stod(row[first + 1]));
  quote.volume = Count(row[first + 2]);
  const double iv = std::stod(row[first + 3]);
  if (iv > 0.0) {
    quote.vendor_iv = iv / 100.0;
  }
  quote.last = QuotedPrice(row[first + 4]);
  quote.bid_qty = Count(row[first + 6]);
  quote.bid = QuotedPrice(row[first + 7]);
  quote.ask = QuotedPrice(row[first + 8]);
  quote.ask_qty = Count(row[first + 9]);
  return quote;
}

// "28-Aug-2025" -> civil date, through the OpenAlgo expiry parser ("28-AUG-25").
CivilDate NseDate(const std::string& text) {
  EXPECT_EQ(text.size(), 11U) << text;
  return ParseOpenAlgoExpiry(text.substr(0, 7) + text.substr(9, 2)).value();
}

TEST(OptionChainDataTest, BuildsNiftyEodChainFromNseSnapshot) {
  const auto path = DataDir() / "india" / "nifty_option_chain_snapshots" / "20250826_close.csv.gz";
  if (!std::filesystem::exists(path)) {
    GTEST_SKIP() << "no market data at " << path;
  }
  const auto rows = ReadGzipCsv(path);
  ASSERT_GT(rows.size(), 1U);
  ASSERT_EQ(rows[0][13], "Strike_Price");

  OptionChainBuilder builder(InstrumentId::Of("NSE_INDEX:NIFTY"),
                             UnixNanos::ParseIso8601("2025-08-26T10:00:00Z").value(), Price());
  std::size_t nifty_rows = 0;
  std::map<std::pair<CivilDate, std::int64_t>, std::pair<double, double>> last_prices;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto& row = rows[i];
    ASSERT_GE(row.size(), 24U) << "line " << i + 1;
    if (row[1] != "NIFTY") {
      continue;
    }
    ++nifty_rows;
    const CivilDate expiry = NseDate(row[2]);
    const Price strike = Price::Parse(row[13]).value();
    const OptionQuote call = SideQuote(row, 3);
    const OptionQuote put = SideQuote(row, 14);
    last_prices[{expiry, strike.raw()}] = {call.last ? call.last->AsDouble() : 0.0,
                                           put.last ? put.last->AsDouble() : 0.0};
    ASSERT_TRUE(builder.Add(expiry, strike, OptionRight::kCall, call).ok()) << "line " << i + 1;
    ASSERT_TRUE(builder.Add(expiry, strike, OptionRight::kPut, put).ok()) << "line " << i + 1;
  }
  EXPECT_EQ(nifty_rows, 767U);
  auto built = builder.Build();
  ASSERT_TRUE(built.ok()) << built.error().ToString();
  const OptionChain& chain = *built;

  const auto expiries = chain.Expiries();
  ASSERT_EQ(expiries.size(), 18U);
  EXPECT_EQ(expiries.front(), (CivilDate{2025, 8, 28}));
  EXPECT_EQ(expiries.back(), (CivilDate{2030, 6, 25}));
  std::size_t strikes = 0;
  for (const ExpirySlice& slice : chain.expiries) {
    strikes += slice.rows.size();
    for (const StrikeRow& row : slice.rows) {
      EXPECT_TRUE(row.call.has_value() && row.put.has_value());
    }
  }
  EXPECT_EQ(strikes, nifty_rows);

  // The front expiry two days out: put-call parity puts the forward where call minus put changes sign.
  const ExpirySlice* front = chain.NearestExpiryOnOrAfter(CivilDate{2025, 8, 26});
  ASSERT_NE(front, nullptr);
  ASSERT_EQ(front->expiry, (CivilDate{2025, 8, 28}));
  double forward = 0.0;
  double best = 1e18;
  for (const StrikeRow& row : front->rows) {
    const auto [call_last, put_last] = last_prices[{front->expiry, row.strike.raw()}];
    if (call_last > 0.0 && put_last > 0.0 && std::fabs(call_last - put_last) < best) {
      best = std::fabs(call_last - put_last);
      forward = row.strike.AsDouble() + call_last - put_last;
    }
  }
  // NIFTY closed at 24712.05 on 26-Aug-2025.
  EXPECT_NEAR(forward, 24712.05, 40.0);
  // The ATM strike for the close is 24700; for the (slightly higher) parity forward it is the nearest listed strike.
  EXPECT_EQ(front->AtmStrike(Price::Parse("24712.05").value()).value(), Price::FromUnits(24700));
  const Price atm = front->AtmStrike(Price::FromDouble(forward, 2).value()).value();
  double nearest = 0.0;
  for (const StrikeRow& row : front->rows) {
    if (std::fabs(row.strike.AsDouble() - forward) < std::fabs(nearest - forward)) {
      nearest = row.strike.AsDouble();
    }
  }
  EXPECT_EQ(atm.AsDouble(), nearest) << "forward " << forward;
  EXPECT_EQ(front->StrikeAtOffset(Price::FromDouble(forward, 2).value(), OptionRight::kCall, "ITM2").value(),
            front->rows[static_cast<std::size_t>(front->FindRow(atm) - front->rows.data()) - 2].strike);
  // The ATM contract's symbol in OpenAlgo form round-trips.
  const auto symbol =
      OpenAlgoSymbol::Option("NIFTY", front->expiry, Price::FromUnits(24700), OptionRight::kCall).value();
  EXPECT_EQ(symbol.ToString(), "NIFTY28AUG2524700CE");
  EXPECT_EQ(OpenAlgoSymbol::Parse(symbol.ToString()).value(), symbol);
}

}  // namespace
}  // namespace td
