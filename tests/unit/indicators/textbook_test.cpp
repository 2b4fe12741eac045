// SPDX-License-Identifier: MIT
// Hand-computed values for indicators without a published sheet, and the warm-up table.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numbers>
#include <random>
#include <vector>

#include "indicators/batch.hpp"
#include "indicators/ichimoku.hpp"
#include "indicators/session_levels.hpp"

namespace td::indicators {
namespace {

std::vector<double> Feed(auto&& indicator, const std::vector<double>& xs) {
  std::vector<double> out;
  for (const double x : xs) {
    indicator.Update(x);
    out.push_back(indicator.Value());
  }
  return out;
}

TEST(Textbook, SmaEmaWmaWilder) {
  auto sma = Feed(Sma(3), {1, 2, 3, 4, 5});
  EXPECT_TRUE(std::isnan(sma[1]));
  EXPECT_DOUBLE_EQ(sma[2], 2.0);
  EXPECT_DOUBLE_EQ(sma[4], 4.0);

  // α = 2/(3+1) = 0.5; SMA seed (2+4+6)/3 = 4, then 6, 8.
  auto ema = Feed(Ema(3), {2, 4, 6, 8, 10});
  EXPECT_TRUE(std::isnan(ema[1]));
  EXPECT_DOUBLE_EQ(ema[2], 4.0);
  EXPECT_DOUBLE_EQ(ema[3], 6.0);
  EXPECT_DOUBLE_EQ(ema[4], 8.0);
  auto first = Feed(Ema(3, EmaSeed::kFirstValue), {2, 4, 6, 8, 10});
  EXPECT_DOUBLE_EQ(first[0], 2.0);
  EXPECT_DOUBLE_EQ(first[1], 3.0);
  EXPECT_DOUBLE_EQ(first[2], 4.5);
  EXPECT_DOUBLE_EQ(first[4], 8.125);

  auto wma = Feed(Wma(3), {1, 2, 3, 4, 10});
  EXPECT_DOUBLE_EQ(wma[2], 14.0 / 6.0);
  EXPECT_DOUBLE_EQ(wma[3], 20.0 / 6.0);
  EXPECT_DOUBLE_EQ(wma[4], (3.0 + 8.0 + 30.0) / 6.0);

  // Wilder(3): seed 6, then 6·2/3 + 3/3 = 5.
  auto wilder = Feed(Wilder(3), {3, 6, 9, 3});
  EXPECT_DOUBLE_EQ(wilder[2], 6.0);
  EXPECT_NEAR(wilder[3], 5.0, 1e-15);
}

TEST(Textbook, TrueRangeUsesPreviousClose) {
  TrueRange tr;
  tr.Update(10, 8, 9);
  EXPECT_DOUBLE_EQ(tr.Value(), 2.0);  // first bar: high − low
  tr.Update(12, 9.5, 11);
  EXPECT_DOUBLE_EQ(tr.Value(), 3.0);  // gap up: high − previous close
  tr.Update(10.5, 10, 10.2);
  EXPECT_DOUBLE_EQ(tr.Value(), 1.0);  // previous close − low
}

TEST(Textbook, AtrEmaIsNotWilder) {
  // Constant true range 1 then a jump to 4: Wilder(3) moves 1/3 of the gap, the EMA(3) half of it.
  Atr wilder(3);
  AtrEma ema(3);
  for (int i = 0; i < 3; ++i) {
    wilder.Update(11, 10, 10.5);
    ema.Update(11, 10, 10.5);
  }
  EXPECT_DOUBLE_EQ(wilder.Value(), 1.0);
  EXPECT_DOUBLE_EQ(ema.Value(), 1.0);
  wilder.Update(14, 10, 12);
  ema.Update(14, 10, 12);
  EXPECT_NEAR(wilder.Value(), 2.0, 1e-15);
  EXPECT_NEAR(ema.Value(), 2.5, 1e-15);
}

TEST(Textbook, RsiSmallCases) {
  // Changes +1, −0.5, +1. Seed g = 0.5, l = 0.25 → 66.67; then g = 0.75, l = 0.125 → 85.71.
  auto rsi = Feed(Rsi(2), {1, 2, 1.5, 2.5});
  EXPECT_TRUE(std::isnan(rsi[1]));
  EXPECT_NEAR(rsi[2], 200.0 / 3.0, 1e-12);
  EXPECT_NEAR(rsi[3], 600.0 / 7.0, 1e-12);
  EXPECT_DOUBLE_EQ(Feed(Rsi(3), {5, 5, 5, 5, 5}).back(), 50.0);
  EXPECT_DOUBLE_EQ(Feed(Rsi(3), {1, 2, 3, 4, 5}).back(), 100.0);
  EXPECT_DOUBLE_EQ(Feed(Rsi(3), {5, 4, 3, 2, 1}).back(), 0.0);
}

TEST(Textbook, HistoricalVolatility) {
  const std::vector<double> closes = {100, 101, 99, 102, 103.5};
  HistVolCloseToClose hv(4, 252.0);
  auto out = Feed(hv, closes);
  EXPECT_TRUE(std::isnan(out[3]));
  std::vector<double> r;
  for (std::size_t i = 1; i < closes.size(); ++i) {
    r.push_back(std::log(closes[i] / closes[i - 1]));
  }
  const double mean = (r[0] + r[1] + r[2] + r[3]) / 4.0;
  double ss = 0.0;
  for (const double x : r) {
    ss += (x - mean) * (x - mean);
  }
  EXPECT_NEAR(out[4], std::sqrt(ss / 3.0 * 252.0), 1e-14);
  // The coach's variant: simple returns, population stdev.
  HistVolCloseToClose coach(4, 252.0, ReturnKind::kSimple, StdDevKind::kPopulation);
  auto out2 = Feed(coach, closes);
  std::vector<double> s;
  for (std::size_t i = 1; i < closes.size(); ++i) {
    s.push_back(closes[i] / closes[i - 1] - 1.0);
  }
  const double smean = (s[0] + s[1] + s[2] + s[3]) / 4.0;
  double sss = 0.0;
  for (const double x : s) {
    sss += (x - smean) * (x - smean);
  }
  EXPECT_NEAR(out2[4], std::sqrt(sss / 4.0 * 252.0), 1e-14);

  // Parkinson on one bar H/L = 1.1: σ = ln 1.1 / √(4 ln 2) per period.
  HistVolParkinson park(1, 1.0);
  park.Update(110, 100);
  EXPECT_NEAR(park.Value(), std::log(1.1) / std::sqrt(4.0 * std::numbers::ln2), 1e-15);
  // Garman-Klass: open = close leaves ½ ln(H/L)²; a close away from the open lowers it by (2 ln 2 − 1) ln(C/O)².
  HistVolGarmanKlass gk(2, 252.0);
  gk.Update(100, 110, 100, 100);
  gk.Update(100, 104, 98, 103);
  const double a = 0.5 * std::pow(std::log(1.1), 2);
  const double b =
      0.5 * std::pow(std::log(104.0 / 98.0), 2) - (2.0 * std::numbers::ln2 - 1.0) * std::pow(std::log(1.03), 2);
  EXPECT_NEAR(gk.Value(), std::sqrt((a + b) / 2.0 * 252.0), 1e-14);
}

TEST(Textbook, Pivots) {
  const ClassicPivots p = ComputeClassicPivots(110, 100, 105);
  EXPECT_DOUBLE_EQ(p.pivot, 105);
  EXPECT_DOUBLE_EQ(p.r1, 110);
  EXPECT_DOUBLE_EQ(p.s1, 100);
  EXPECT_DOUBLE_EQ(p.r2, 115);
  EXPECT_DOUBLE_EQ(p.s2, 95);
  EXPECT_DOUBLE_EQ(p.r3, 120);
  EXPECT_DOUBLE_EQ(p.s3, 90);
  const CamarillaPivots c = ComputeCamarillaPivots(110, 100, 105);
  EXPECT_DOUBLE_EQ(c.r1, 105 + 11.0 / 12.0);
  EXPECT_DOUBLE_EQ(c.r2, 105 + 11.0 / 6.0);
  EXPECT_DOUBLE_EQ(c.r3, 107.75);
  EXPECT_DOUBLE_EQ(c.r4, 110.5);
  EXPECT_DOUBLE_EQ(c.s3, 102.25);
  EXPECT_DOUBLE_EQ(c.s4, 99.5);
}

TEST(Textbook, SupertrendBandsAndFlips) {
  Supertrend st(1, 1.0);  // ATR(1) = the bar's true range
  st.Update(10, 8, 9);    // bands 11 / 7; starts down
  EXPECT_EQ(st.Direction(), -1);
  EXPECT_DOUBLE_EQ(st.Value(), 11.0);
  st.Update(12, 10, 11.5);  // basic 14 / 8; upper held at 11; close > 11 flips up
  EXPECT_EQ(st.Direction(), 1);
  EXPECT_DOUBLE_EQ(st.Value(), 8.0);
  EXPECT_DOUBLE_EQ(st.UpperBand(), 11.0);
  st.Update(11.8, 11, 11.2);  // TR 0.8: bands 12.2 / 10.6; upper may rise (previous close broke above 11)
  EXPECT_EQ(st.Direction(), 1);
  EXPECT_DOUBLE_EQ(st.Value(), 10.6);
  EXPECT_DOUBLE_EQ(st.UpperBand(), 12.2);
  st.Update(11, 9, 9.5);  // TR 2.2: bands 12.2 / 7.8; lower held at 10.6; close < 10.6 flips down
  EXPECT_EQ(st.Direction(), -1);
  EXPECT_DOUBLE_EQ(st.Value(), 12.2);
  EXPECT_DOUBLE_EQ(st.LowerBand(), 10.6);
}

TEST(Textbook, IchimokuLinesAndShift) {
  Ichimoku ich(2, 3, 4, 2);
  const std::vector<double> highs = {10, 11, 12, 13, 14, 15};
  std::vector<double> a;
  std::vector<double> b;
  std::vector<double> ca;
  std::vector<double> cb;
  for (std::size_t i = 0; i < highs.size(); ++i) {
    ich.Update(highs[i], highs[i] - 2.0, highs[i] - 1.0);
    if (i == 1) {
      EXPECT_DOUBLE_EQ(ich.Tenkan(), 9.5);
      EXPECT_TRUE(std::isnan(ich.Kijun()));
    }
    if (i == 2) {
      EXPECT_DOUBLE_EQ(ich.Kijun(), 10.0);
      EXPECT_DOUBLE_EQ(ich.SenkouA(), 10.25);
      EXPECT_DOUBLE_EQ(ich.LaggedClose(), 9.0);
      EXPECT_TRUE(std::isnan(ich.SenkouB()));
    }
    if (i == 3) {
      EXPECT_DOUBLE_EQ(ich.SenkouB(), 10.5);
    }
    if (i == 4) {
      EXPECT_DOUBLE_EQ(ich.CloudA(), 10.25);  // senkou A of bar 2
      EXPECT_TRUE(std::isnan(ich.CloudB()));
      EXPECT_FALSE(ich.Ready());
    }
  }
  EXPECT_DOUBLE_EQ(ich.CloudB(), 10.5);  // senkou B of bar 3
  EXPECT_DOUBLE_EQ(ich.Chikou(), 14.0);
  EXPECT_TRUE(ich.Ready());
  EXPECT_EQ(ich.WarmupBars(), 6);
}

TEST(Textbook, ElderImpulseColours) {
  std::vector<double> growth;
  std::vector<double> flat(60, 50.0);
  for (int t = 0; t < 80; ++t) {
    growth.push_back(100.0 * std::pow(1.02, t));
  }
  auto green = Feed(ElderImpulse(), growth);
  EXPECT_TRUE(std::isnan(green[33]));
  for (std::size_t i = 34; i < green.size(); ++i) {
    EXPECT_EQ(green[i], 1.0) << i;  // an exponential rise: EMA and histogram both rise
  }
  // A flat market neither rises nor falls: blue for Elder, red for TOMIC's "not rising" rule.
  EXPECT_EQ(Feed(ElderImpulse(), flat).back(), 0.0);
  EXPECT_EQ(Feed(ElderImpulse(13, 12, 26, 9, EmaSeed::kSma, ImpulseRule::kNotRising), flat).back(), -1.0);
  std::vector<double> crash;
  for (std::size_t i = 0; i < 60; ++i) {
    crash.push_back(i < 40 ? 100.0 : 100.0 - std::pow(1.3, static_cast<double>(i - 40)));
  }
  EXPECT_EQ(Feed(ElderImpulse(), crash).back(), -1.0);  // an accelerating fall: both fall
}

TEST(Textbook, RelativeVolumeAndFlow) {
  auto rvol = Feed(RelVolumeBars(3), {10, 20, 30, 40, 0});
  EXPECT_TRUE(std::isnan(rvol[2]));
  EXPECT_DOUBLE_EQ(rvol[3], 2.0);  // 40 / mean(10, 20, 30)
  EXPECT_DOUBLE_EQ(rvol[4], 0.0);

  VolumeFlow flow(3);
  const std::vector<double> prices = {10, 11, 11, 10, 12};
  const std::vector<double> volumes = {5, 1, 2, 3, 4};
  std::vector<double> ratio;
  std::vector<double> imbalance;
  for (std::size_t i = 0; i < prices.size(); ++i) {
    flow.Update(prices[i], volumes[i]);
    ratio.push_back(flow.Ratio());
    imbalance.push_back(flow.Imbalance());
  }
  EXPECT_TRUE(std::isnan(ratio[1]));
  EXPECT_EQ(ratio[2], std::numeric_limits<double>::infinity());  // 5 unclassified, 1 + 2 up (unchanged keeps up)
  EXPECT_DOUBLE_EQ(imbalance[2], 1.0);
  EXPECT_DOUBLE_EQ(ratio[3], 1.0);  // up 1 + 2, down 3
  EXPECT_DOUBLE_EQ(ratio[4], 2.0);  // up 2 + 4, down 3
  EXPECT_DOUBLE_EQ(imbalance[4], 1.0 / 3.0);
}

TEST(Textbook, ChandelierAndSqueeze) {
  ChandelierExit ce(3, 2.0);
  ce.Update(10, 9, 9.5);
  ce.Update(11, 10, 10.5);
  EXPECT_FALSE(ce.Ready());
  ce.Update(12, 10.5, 11);
  // TRs 1, 1.5 (11 − 9.5), 1.5: ATR seed 4/3. Highest high 12, lowest low 9.
  EXPECT_NEAR(ce.LongStop(), 12.0 - 2.0 * 4.0 / 3.0, 1e-12);
  EXPECT_NEAR(ce.ShortStop(), 9.0 + 2.0 * 4.0 / 3.0, 1e-12);

  // A dead-flat close with wide bars: σ = 0, so the Bollinger bands sit inside the Keltner channel.
  Squeeze squeeze;
  for (int i = 0; i < 25; ++i) {
    squeeze.Update(101, 99, 100);
  }
  EXPECT_EQ(squeeze.Value(), 1.0);
  // A steady trend on narrow bars: σ of a 20-bar ramp is 5.8 points, the true range only 1, so no squeeze.
  Squeeze wide;
  for (int i = 0; i < 25; ++i) {
    const double c = 100.0 + i;
    wide.Update(c + 0.01, c - 0.01, c);
  }
  EXPECT_EQ(wide.Value(), 0.0);
}

// Every batch output is NaN for exactly WarmupBars() − 1 bars and a number from then on.
TEST(Textbook, WarmupLengths) {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> step(0.0, 0.5);
  const std::size_t n = 200;
  std::vector<double> o(n);
  std::vector<double> h(n);
  std::vector<double> l(n);
  std::vector<double> c(n);
  std::vector<double> v(n);
  double price = 100.0;
  for (std::size_t i = 0; i < n; ++i) {
    o[i] = price;
    price += step(rng);
    c[i] = price;
    h[i] = std::max(o[i], c[i]) + 0.2;
    l[i] = std::min(o[i], c[i]) - 0.2;
    v[i] = 1000.0 + static_cast<double>(i % 7) * 100.0;
  }
  std::vector<double> out(n);
  auto first_ready = [&]() {
    for (std::size_t i = 0; i < n; ++i) {
      if (!std::isnan(out[i])) {
        for (std::size_t j = i; j < n; ++j) {
          EXPECT_FALSE(std::isnan(out[j])) << "gap at " << j;
        }
        return static_cast<int>(i) + 1;
      }
    }
    return -1;
  };
  SmaBatch(c, out, 20);
  EXPECT_EQ(first_ready(), Sma(20).WarmupBars());
  EXPECT_EQ(Sma(20).WarmupBars(), 20);
  EmaBatch(c, out, 20);
  EXPECT_EQ(first_ready(), 20);
  EmaBatch(c, out, 20, EmaSeed::kFirstValue);
  EXPECT_EQ(first_ready(), 1);
  WmaBatch(c, out, 10);
  EXPECT_EQ(first_ready(), 10);
  RsiBatch(c, out, 14);
  EXPECT_EQ(first_ready(), Rsi(14).WarmupBars());
  EXPECT_EQ(Rsi(14).WarmupBars(), 15);
  StochRsiBatch(c, out, 14, 14);
  EXPECT_EQ(first_ready(), StochRsi(14, 14).WarmupBars());
  EXPECT_EQ(StochRsi(14, 14).WarmupBars(), 28);
  AtrBatch(h, l, c, out, 14);
  EXPECT_EQ(first_ready(), Atr(14).WarmupBars());
  EXPECT_EQ(Atr(14).WarmupBars(), 14);
  AtrEmaBatch(h, l, c, out, 14);
  EXPECT_EQ(first_ready(), 14);
  std::vector<double> out2(n);
  std::vector<double> out3(n);
  std::vector<double> out4(n);
  MacdBatch(c, MacdOut{out2, out, out3});
  EXPECT_EQ(first_ready(), Macd().WarmupBars());
  EXPECT_EQ(Macd().WarmupBars(), 34);
  AdxBatch(h, l, c, AdxOut{out, out2, out3});
  EXPECT_EQ(first_ready(), Adx(14).WarmupBars());
  EXPECT_EQ(Adx(14).WarmupBars(), 28);
  AdxBatch(h, l, c, AdxOut{out2, out, out3});
  EXPECT_EQ(first_ready(), Adx(14).DiWarmupBars());
  EXPECT_EQ(Adx(14).DiWarmupBars(), 15);
  ElderImpulseBatch(c, out);
  EXPECT_EQ(first_ready(), ElderImpulse().WarmupBars());
  EXPECT_EQ(ElderImpulse().WarmupBars(), 35);
  BollingerBatch(c, BandsOut{out, out2, out3, out4}, 20, 2.0);
  EXPECT_EQ(first_ready(), Bollinger(20, 2.0).WarmupBars());
  KeltnerBatch(h, l, c, BandsOut{out, out2, out3, out4}, 20, 10, 2.0);
  EXPECT_EQ(first_ready(), Keltner(20, 10, 2.0).WarmupBars());
  EXPECT_EQ(Keltner(20, 10, 2.0).WarmupBars(), 20);
  SqueezeBatch(h, l, c, out);
  EXPECT_EQ(first_ready(), Squeeze().WarmupBars());
  SupertrendBatch(h, l, c, SupertrendOut{out, out2});
  EXPECT_EQ(first_ready(), Supertrend(10, 3.0).WarmupBars());
  ChandelierBatch(h, l, c, ChandelierOut{out, out2});
  EXPECT_EQ(first_ready(), ChandelierExit().WarmupBars());
  EXPECT_EQ(ChandelierExit().WarmupBars(), 22);
  HistVolCloseToCloseBatch(c, out, 20, 252.0);
  EXPECT_EQ(first_ready(), 21);
  HistVolParkinsonBatch(h, l, out, 20, 252.0);
  EXPECT_EQ(first_ready(), 20);
  HistVolGarmanKlassBatch(o, h, l, c, out, 20, 252.0);
  EXPECT_EQ(first_ready(), 20);
  ObvBatch(c, v, out);
  EXPECT_EQ(first_ready(), 1);
  RelVolumeBarsBatch(v, out, 20);
  EXPECT_EQ(first_ready(), RelVolumeBars(20).WarmupBars());
  EXPECT_EQ(RelVolumeBars(20).WarmupBars(), 21);
  VolumeFlowBatch(c, v, out, 20);
  EXPECT_EQ(first_ready(), 20);
  std::vector<double> out5(n);
  std::vector<double> out6(n);
  IchimokuBatch(h, l, c, IchimokuOut{out2, out3, out4, out5, out6, out});
  EXPECT_EQ(first_ready(), Ichimoku().WarmupBars());
  EXPECT_EQ(Ichimoku().WarmupBars(), 78);
  IchimokuBatch(h, l, c, IchimokuOut{out, out3, out4, out5, out6, out2});
  EXPECT_EQ(first_ready(), 9);
  IchimokuBatch(h, l, c, IchimokuOut{out2, out3, out4, out, out6, out5});
  EXPECT_EQ(first_ready(), 52);
  RollingMaxBatch(h, out, 5);
  EXPECT_EQ(first_ready(), 5);
}

TEST(Textbook, ResetStartsOver) {
  Rsi rsi(3);
  Atr atr(3);
  Bollinger bb(3);
  Ichimoku ich(2, 3, 4, 2);
  double rsi_first = 0.0;
  double atr_first = 0.0;
  double bb_first = 0.0;
  double ich_first = 0.0;
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 10; ++i) {
      const double c = 100.0 + i * (i % 3 == 0 ? -1.0 : 1.5);
      rsi.Update(c);
      atr.Update(c + 1, c - 1, c);
      bb.Update(c);
      ich.Update(c + 1, c - 1, c);
    }
    EXPECT_TRUE(rsi.Ready() && atr.Ready() && bb.Ready() && ich.Ready());
    const double r = rsi.Value();
    const double a = atr.Value();
    const double m = bb.Upper();
    const double k = ich.CloudB();
    rsi.Reset();
    atr.Reset();
    bb.Reset();
    ich.Reset();
    EXPECT_FALSE(rsi.Ready() || atr.Ready() || bb.Ready() || ich.Ready());
    if (round == 1) {
      EXPECT_EQ(r, rsi_first);
      EXPECT_EQ(a, atr_first);
      EXPECT_EQ(m, bb_first);
      EXPECT_EQ(k, ich_first);
    }
    rsi_first = r;
    atr_first = a;
    bb_first = m;
    ich_first = k;
  }
}

}  // namespace
}  // namespace td::indicators
