// SPDX-License-Identifier: MIT
// Golden tests against StockCharts ChartSchool sheets (reference/ta_stockcharts, transcribed by the `ta`
// project). Where a sheet's seeding differs from ours the test says so and checks what is comparable.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "indicators/batch.hpp"
#include "indicators/momentum.hpp"
#include "indicators/moving_average.hpp"
#include "indicators/volatility.hpp"
#include "indicators/volume.hpp"
#include "unit/indicators/test_data.hpp"

namespace td::indicators {
namespace {

using testing::Csv;
using testing::DataDir;
using testing::ReadCsv;

Csv LoadSheet(const std::string& name) {
  auto csv = ReadCsv(DataDir() + "/reference/ta_stockcharts/" + name);
  if (!csv) {
    return Csv{};
  }
  return *csv;
}

#define TD_LOAD_SHEET(var, name)                         \
  const Csv var = LoadSheet(name);                       \
  if ((var).rows.empty()) {                              \
    GTEST_SKIP() << "reference data absent: " << (name); \
  }

// Compares where the sheet has a value; checks that we are NaN exactly where the sheet is blank, from `from`.
void ExpectSeriesNear(const std::vector<double>& ours, const std::vector<double>& sheet, double tolerance,
                      std::size_t from, const char* what) {
  ASSERT_EQ(ours.size(), sheet.size());
  int compared = 0;
  for (std::size_t i = from; i < sheet.size(); ++i) {
    if (std::isnan(sheet[i])) {
      continue;
    }
    ASSERT_FALSE(std::isnan(ours[i])) << what << " row " << i << " should be ready";
    EXPECT_NEAR(ours[i], sheet[i], tolerance) << what << " row " << i;
    ++compared;
  }
  EXPECT_GT(compared, 0) << what;
}

TEST(GoldenStockCharts, Atr14MatchesSheetIncludingSeed) {
  TD_LOAD_SHEET(sheet, "cs-atr.csv");
  const auto high = sheet.Doubles("High");
  const auto low = sheet.Doubles("Low");
  const auto close = sheet.Doubles("Close");
  std::vector<double> tr(close.size());
  std::vector<double> atr(close.size());
  TrueRangeBatch(high, low, close, tr);
  AtrBatch(high, low, close, atr, 14);
  // The sheet's first TR is high − low, as ours; its ATR is seeded with the mean of the first 14 TRs (row 13)
  // and prints 0 before that, where we give NaN.
  ExpectSeriesNear(tr, sheet.Doubles("TR"), 1e-9, 0, "TR");
  auto expected = sheet.Doubles("ATR");
  for (std::size_t i = 0; i < 13; ++i) {
    EXPECT_TRUE(std::isnan(atr[i])) << "ATR warm-up row " << i;
    expected[i] = NAN;
  }
  ExpectSeriesNear(atr, expected, 1e-8, 0, "ATR14");
}

TEST(GoldenStockCharts, Atr10MatchesSecondSheet) {
  TD_LOAD_SHEET(sheet, "cs-atr2.csv");
  const auto high = sheet.Doubles("High");
  const auto low = sheet.Doubles("Low");
  const auto close = sheet.Doubles("Close");
  std::vector<double> atr(close.size());
  AtrBatch(high, low, close, atr, 10);
  auto expected = sheet.Doubles("ATR");
  for (std::size_t i = 0; i < 9; ++i) {
    EXPECT_TRUE(std::isnan(atr[i]));
    expected[i] = NAN;
  }
  ExpectSeriesNear(atr, expected, 1e-10, 0, "ATR10");
}

TEST(GoldenStockCharts, AdxAndDirectionalIndicators) {
  TD_LOAD_SHEET(sheet, "cs-adx.csv");
  const auto high = sheet.Doubles("High");
  const auto low = sheet.Doubles("Low");
  const auto close = sheet.Doubles("Close");
  const std::size_t n = close.size();
  std::vector<double> adx(n);
  std::vector<double> plus(n);
  std::vector<double> minus(n);
  AdxBatch(high, low, close, AdxOut{adx, plus, minus}, 14);
  // The sheet keeps Wilder's running sums (TR14 = 14 × our average); DI and ADX are the same ratios.
  // Printed with 7 decimals.
  ExpectSeriesNear(plus, sheet.Doubles("+DI14"), 2e-6, 0, "+DI14");
  ExpectSeriesNear(minus, sheet.Doubles("-DI14"), 2e-6, 0, "-DI14");
  ExpectSeriesNear(adx, sheet.Doubles("ADX"), 2e-6, 0, "ADX14");
  EXPECT_TRUE(std::isnan(plus[13]));
  EXPECT_FALSE(std::isnan(plus[14]));
  EXPECT_TRUE(std::isnan(adx[26]));
  EXPECT_FALSE(std::isnan(adx[27]));
}

TEST(GoldenStockCharts, BollingerPopulationStdev) {
  TD_LOAD_SHEET(sheet, "cs-bbands.csv");
  const auto close = sheet.Doubles("Close");
  const std::size_t n = close.size();
  std::vector<double> middle(n);
  std::vector<double> upper(n);
  std::vector<double> lower(n);
  std::vector<double> width(n);
  BollingerBatch(close, BandsOut{middle, upper, lower, width}, 20, 2.0);
  ExpectSeriesNear(middle, sheet.Doubles("MiddleBand"), 1e-6, 0, "middle");
  ExpectSeriesNear(upper, sheet.Doubles("HighBand"), 1e-6, 0, "upper");
  ExpectSeriesNear(lower, sheet.Doubles("LowBand"), 1e-6, 0, "lower");
  // StockCharts prints BandWidth in percent; ours is the fraction.
  auto width_pct = width;
  for (double& w : width_pct) {
    w *= 100.0;
  }
  ExpectSeriesNear(width_pct, sheet.Doubles("WidthBand"), 1e-5, 0, "width");
  Bollinger bb(20, 2.0);
  const auto sd = sheet.Doubles("20-day Standard Deviation");
  const auto pct_b = sheet.Doubles("PercentageBand");
  for (std::size_t i = 0; i < n; ++i) {
    bb.Update(close[i]);
    if (!std::isnan(sd[i])) {
      EXPECT_NEAR(bb.StdDev(), sd[i], 1e-6) << "population stdev row " << i;
      EXPECT_NEAR(bb.PercentB(), pct_b[i], 1e-6) << "%B row " << i;
    }
  }
}

TEST(GoldenStockCharts, KeltnerFirstValueSeededMatchesSheet) {
  TD_LOAD_SHEET(sheet, "cs-kc.csv");
  const auto high = sheet.Doubles("High");
  const auto low = sheet.Doubles("Low");
  const auto close = sheet.Doubles("Close");
  const std::size_t n = close.size();
  std::vector<double> middle(n);
  std::vector<double> upper(n);
  std::vector<double> lower(n);
  std::vector<double> width(n);
  // This sheet comes from the `ta` project: EMA(20) seeded with the first close (our EmaSeed::kFirstValue),
  // bands at ± 2 × Wilder ATR(10); the bands start when the ATR is ready (row 9).
  KeltnerBatch(high, low, close, BandsOut{middle, upper, lower, width}, 20, 10, 2.0, EmaSeed::kFirstValue);
  const auto sheet_middle = sheet.Doubles("middle_band");
  ExpectSeriesNear(upper, sheet.Doubles("upper_band"), 1e-9, 0, "upper");
  ExpectSeriesNear(lower, sheet.Doubles("lower_band"), 1e-9, 0, "lower");
  for (std::size_t i = 9; i < n; ++i) {
    EXPECT_NEAR(middle[i], sheet_middle[i], 1e-9) << "middle row " << i;
  }
  EXPECT_TRUE(std::isnan(upper[8]));
  // The default (SMA-seeded) Keltner has the same band offsets: 2 × ATR10 around its own middle.
  KeltnerBatch(high, low, close, BandsOut{middle, upper, lower, width}, 20, 10, 2.0);
  const auto atr = sheet.Doubles("atr");
  for (std::size_t i = 19; i < n; ++i) {
    EXPECT_NEAR(upper[i] - middle[i], 2.0 * atr[i], 1e-9) << "row " << i;
    EXPECT_NEAR(middle[i] - lower[i], 2.0 * atr[i], 1e-9) << "row " << i;
  }
  EXPECT_TRUE(std::isnan(middle[18]));
}

TEST(GoldenStockCharts, MacdFirstValueSeededMatchesSheet) {
  TD_LOAD_SHEET(sheet, "cs-macd.csv");
  const auto close = sheet.Doubles("Close");
  const std::size_t n = close.size();
  std::vector<double> fast(n);
  std::vector<double> slow(n);
  EmaBatch(close, fast, 12, EmaSeed::kFirstValue);
  EmaBatch(close, slow, 26, EmaSeed::kFirstValue);
  // The `ta` sheet seeds every EMA with the first close (pandas adjust=False). Printed to ~10 significant digits.
  ExpectSeriesNear(fast, sheet.Doubles("short_ema"), 1e-7, 0, "EMA12");
  ExpectSeriesNear(slow, sheet.Doubles("long_ema"), 1e-7, 0, "EMA26");
  std::vector<double> line(n);
  std::vector<double> signal(n);
  std::vector<double> hist(n);
  MacdBatch(close, MacdOut{line, signal, hist}, 12, 26, 9, EmaSeed::kFirstValue);
  ExpectSeriesNear(line, sheet.Doubles("MACD_line"), 1e-8, 1, "MACD line");
  // The sheet's signal column starts from an unexplained value on row 2; the difference decays as 0.8^k, so
  // compare once it has faded (row 80 on: 0.8^78 × 0.14 < 1e-8).
  const auto sheet_signal = sheet.Doubles("MACD_signal");
  const auto sheet_hist = sheet.Doubles("MACD_diff");
  for (std::size_t i = 80; i < n; ++i) {
    EXPECT_NEAR(signal[i], sheet_signal[i], 1e-7) << "signal row " << i;
    EXPECT_NEAR(hist[i], sheet_hist[i], 1e-7) << "histogram row " << i;
  }
  // Our default seeds with SMAs (StockCharts' own method); the seed difference decays as (25/27)^k, so the
  // tail agrees with the sheet to 1e-3.
  MacdBatch(close, MacdOut{line, signal, hist});
  EXPECT_TRUE(std::isnan(line[24]));
  EXPECT_FALSE(std::isnan(line[25]));
  EXPECT_TRUE(std::isnan(signal[32]));
  EXPECT_FALSE(std::isnan(signal[33]));
  for (std::size_t i = 100; i < n; ++i) {
    EXPECT_NEAR(line[i], sheet.Doubles("MACD_line")[i], 1e-3) << "row " << i;
  }
}

TEST(GoldenStockCharts, ObvMatchesSheet) {
  TD_LOAD_SHEET(sheet, "cs-obv.csv");
  const auto close = sheet.Doubles("Close");
  auto volume = sheet.Doubles("Volume");
  volume[0] = 0.0;  // the sheet leaves the first bar's volume blank; OBV starts at 0 there
  std::vector<double> obv(close.size());
  ObvBatch(close, volume, obv);
  EXPECT_EQ(obv[0], 0.0);
  ExpectSeriesNear(obv, sheet.Doubles("OBV"), 0.0, 1, "OBV");
}

TEST(GoldenStockCharts, RsiMatchesPublishedChartSchoolValues) {
  TD_LOAD_SHEET(sheet, "cs-rsi.csv");
  const auto close = sheet.Doubles("Close");
  std::vector<double> rsi(close.size());
  RsiBatch(close, rsi, 14);
  // StockCharts' RSI article (same closes, SMA-seeded Wilder averages) prints these, to 2 decimals.
  const std::vector<double> published = {70.53, 66.32, 66.55, 69.41, 66.36, 57.97, 62.93, 63.26, 56.06, 62.38,
                                         54.71, 50.42, 39.99, 41.46, 41.87, 45.46, 37.30, 33.08, 37.77};
  ASSERT_EQ(close.size(), 14 + published.size());
  for (std::size_t i = 0; i < 14; ++i) {
    EXPECT_TRUE(std::isnan(rsi[i]));
  }
  for (std::size_t k = 0; k < published.size(); ++k) {
    EXPECT_NEAR(rsi[14 + k], published[k], 0.005 + 1e-9) << "row " << 14 + k;
  }
}

TEST(GoldenStockCharts, RsiSheetIsZeroSeededWilderAndConvergesToOurs) {
  TD_LOAD_SHEET(sheet, "cs-rsi.csv");
  // The transcribed sheet seeds its averages with 0 on the first bar instead of the mean of 14 changes
  // (its "Avg Gain" column shows 0.00425 = 0.0595/14 on row 2). Reproduce that with plain recursion to show
  // the sheet's smoothing constant is Wilder's 1/14, then check the gap to our SMA-seeded RSI shrinks.
  const auto close = sheet.Doubles("Close");
  const auto sheet_rsi = sheet.Doubles("RSI");
  const auto sheet_gain = sheet.Doubles("Avg Gain");
  double gain = 0.0;
  double loss = 0.0;
  for (std::size_t i = 1; i < close.size(); ++i) {
    const double change = close[i] - close[i - 1];
    gain = (gain * 13.0 + std::max(change, 0.0)) / 14.0;
    loss = (loss * 13.0 + std::max(-change, 0.0)) / 14.0;
    EXPECT_NEAR(gain, sheet_gain[i], 1e-6) << "row " << i;
    if (!std::isnan(sheet_rsi[i])) {
      EXPECT_NEAR(100.0 - 100.0 / (1.0 + gain / loss), sheet_rsi[i], 1e-5) << "row " << i;
    }
  }
  // Same recursion, different start: the gap between our average gain and the sheet's shrinks by exactly
  // 13/14 per bar (up to the sheet's 6 printed decimals).
  const auto sheet_loss = sheet.Doubles("Avg Loss");
  Rsi rsi(14);
  for (std::size_t i = 0; i < 15; ++i) {
    rsi.Update(close[i]);
  }
  const double gain_gap = rsi.AverageGain() - sheet_gain[14];
  const double loss_gap = rsi.AverageLoss() - sheet_loss[14];
  for (std::size_t i = 15; i < close.size(); ++i) {
    rsi.Update(close[i]);
    const double decay = std::pow(13.0 / 14.0, static_cast<double>(i - 14));
    EXPECT_NEAR(rsi.AverageGain() - sheet_gain[i], gain_gap * decay, 2e-6) << "row " << i;
    EXPECT_NEAR(rsi.AverageLoss() - sheet_loss[i], loss_gap * decay, 2e-6) << "row " << i;
  }
}

TEST(GoldenStockCharts, StochRsiOnTheSheetsRsi) {
  TD_LOAD_SHEET(sheet, "cs-stochrsi.csv");
  // The sheet's RSI is the zero-seeded variant (see above), so feed its RSI column to our StochRSI step.
  const auto rsi = sheet.Doubles("RSI");
  const auto expected = sheet.Doubles("StochRSI(14)");
  RollingStochastic stoch(14);
  RollingMax highest(14);
  RollingMin lowest(14);
  const auto sheet_high = sheet.Doubles("RSI Highest High (14)");
  const auto sheet_low = sheet.Doubles("RSI Lowest Low (14)");
  int compared = 0;
  for (std::size_t i = 14; i < rsi.size(); ++i) {
    stoch.Update(rsi[i]);
    highest.Update(rsi[i]);
    lowest.Update(rsi[i]);
    if (!std::isnan(expected[i])) {
      EXPECT_NEAR(stoch.Value(), expected[i], 1e-7) << "row " << i;
      EXPECT_NEAR(highest.Value(), sheet_high[i], 1e-7) << "row " << i;
      EXPECT_NEAR(lowest.Value(), sheet_low[i], 1e-7) << "row " << i;
      ++compared;
    } else {
      EXPECT_FALSE(stoch.Ready()) << "row " << i;
    }
  }
  EXPECT_EQ(compared, 6);
  // End to end on closes our StochRsi is ready on the same row as the sheet (rsi 15 + 14 − 1 = 28 closes).
  const auto close = sheet.Doubles("Close");
  std::vector<double> ours(close.size());
  StochRsiBatch(close, ours, 14, 14);
  EXPECT_TRUE(std::isnan(ours[26]));
  EXPECT_FALSE(std::isnan(ours[27]));
}

TEST(GoldenStockCharts, Wma9MatchesSheet) {
  TD_LOAD_SHEET(sheet, "cs-wma.csv");
  const auto close = sheet.Doubles("Close");
  std::vector<double> wma(close.size());
  WmaBatch(close, wma, 9);
  // The sheet continues from earlier history, so only rows 8 on are comparable; printed with 4 decimals.
  auto expected = sheet.Doubles("WMA");
  for (std::size_t i = 0; i < 8; ++i) {
    EXPECT_TRUE(std::isnan(wma[i]));
    expected[i] = NAN;
  }
  ExpectSeriesNear(wma, expected, 5e-5 + 1e-9, 0, "WMA9");
}

TEST(GoldenStockCharts, AnchoredVwapTypicalPrice) {
  TD_LOAD_SHEET(sheet, "cs-vwap.csv");
  const auto high = sheet.Doubles("High");
  const auto low = sheet.Doubles("Low");
  const auto close = sheet.Doubles("Close");
  const auto volume = sheet.Doubles("Volume");
  const auto expected = sheet.Doubles("vwap");
  std::vector<double> vwap(close.size());
  AnchoredVwapBatch(high, low, close, volume, 0, vwap);
  // The `ta` sheet is cumulative for its first 14 rows, then a rolling 14-bar window (not an indicator we
  // offer); compare the cumulative part.
  for (std::size_t i = 0; i < 14; ++i) {
    EXPECT_NEAR(vwap[i], expected[i], 1e-9) << "row " << i;
  }
  // Re-anchoring at row 1 reproduces the window that starts there, which the sheet prints on row 14.
  AnchoredVwapBatch(high, low, close, volume, 1, vwap);
  EXPECT_NEAR(vwap[14], expected[14], 1e-9);
}

}  // namespace
}  // namespace td::indicators
