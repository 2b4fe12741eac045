// SPDX-License-Identifier: MIT
// Streaming == batch (bitwise), fused == separate (bitwise), accuracy against naive recomputation and
// invariants, all on six months of real SPY 1-minute bars.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <span>
#include <vector>

#include "indicators/batch.hpp"
#include "indicators/fused.hpp"
#include "indicators/ichimoku.hpp"
#include "indicators/session_levels.hpp"
#include "unit/indicators/test_data.hpp"

namespace td::indicators {
namespace {

using testing::FirstDifference;
using testing::MinuteBars;
using testing::SameBits;

class RealBars : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto loaded = testing::LoadMinuteBars(testing::kSpyMinutes);
    if (loaded && loaded->size() > 1000) {
      bars_ = new MinuteBars(std::move(*loaded));
    }
  }
  static void TearDownTestSuite() {
    delete bars_;
    bars_ = nullptr;
  }
  void SetUp() override {
    if (bars_ == nullptr) {
      GTEST_SKIP() << "market data absent: " << testing::kSpyMinutes;
    }
  }
  static const MinuteBars& bars() { return *bars_; }
  static std::vector<double> Buffer() { return std::vector<double>(bars_->size()); }

  static MinuteBars* bars_;
};
MinuteBars* RealBars::bars_ = nullptr;

TEST_F(RealBars, FileIsTheExpectedOne) {
  EXPECT_EQ(bars().size(), 49885u);
  EXPECT_EQ(bars().session.front(), 20250915);
  EXPECT_EQ(bars().session.back(), 20260319);
}

TEST_F(RealBars, SingleSeriesIndicatorsStreamEqualsBatch) {
  const auto& c = bars().close;
  const std::size_t n = c.size();
  auto batch = Buffer();
  std::vector<double> stream(n);

  SmaBatch(c, batch, 20);
  Sma sma(20);
  for (std::size_t i = 0; i < n; ++i) {
    sma.Update(c[i]);
    stream[i] = sma.Value();
  }
  EXPECT_EQ(FirstDifference(stream, batch), -1) << "SMA";

  for (const EmaSeed seed : {EmaSeed::kSma, EmaSeed::kFirstValue}) {
    EmaBatch(c, batch, 21, seed);
    Ema ema(21, seed);
    for (std::size_t i = 0; i < n; ++i) {
      ema.Update(c[i]);
      stream[i] = ema.Value();
    }
    EXPECT_EQ(FirstDifference(stream, batch), -1) << "EMA";
  }

  WmaBatch(c, batch, 9);
  Wma wma(9);
  for (std::size_t i = 0; i < n; ++i) {
    wma.Update(c[i]);
    stream[i] = wma.Value();
  }
  EXPECT_EQ(FirstDifference(stream, batch), -1) << "WMA";

  RsiBatch(c, batch, 14);
  Rsi rsi(14);
  for (std::size_t i = 0; i < n; ++i) {
    rsi.Update(c[i]);
    stream[i] = rsi.Value();
  }
  EXPECT_EQ(FirstDifference(stream, batch), -1) << "RSI";

  StochRsiBatch(c, batch, 14, 14);
  StochRsi stoch(14, 14);
  for (std::size_t i = 0; i < n; ++i) {
    stoch.Update(c[i]);
    stream[i] = stoch.Value();
  }
  EXPECT_EQ(FirstDifference(stream, batch), -1) << "StochRSI";

  ElderImpulseBatch(c, batch);
  ElderImpulse impulse;
  for (std::size_t i = 0; i < n; ++i) {
    impulse.Update(c[i]);
    stream[i] = impulse.Value();
  }
  EXPECT_EQ(FirstDifference(stream, batch), -1) << "Elder impulse";

  HistVolCloseToCloseBatch(c, batch, 30, 252.0 * 390.0);
  HistVolCloseToClose hv(30, 252.0 * 390.0);
  for (std::size_t i = 0; i < n; ++i) {
    hv.Update(c[i]);
    stream[i] = hv.Value();
  }
  EXPECT_EQ(FirstDifference(stream, batch), -1) << "HV close-to-close";

  std::vector<double> line = Buffer();
  std::vector<double> signal = Buffer();
  std::vector<double> hist = Buffer();
  MacdBatch(c, MacdOut{line, signal, hist});
  Macd macd;
  std::vector<double> s_line(n);
  std::vector<double> s_signal(n);
  std::vector<double> s_hist(n);
  for (std::size_t i = 0; i < n; ++i) {
    macd.Update(c[i]);
    s_line[i] = macd.Line();
    s_signal[i] = macd.Signal();
    s_hist[i] = macd.Histogram();
  }
  EXPECT_EQ(FirstDifference(s_line, line), -1) << "MACD line";
  EXPECT_EQ(FirstDifference(s_signal, signal), -1) << "MACD signal";
  EXPECT_EQ(FirstDifference(s_hist, hist), -1) << "MACD histogram";
}

TEST_F(RealBars, BarIndicatorsStreamEqualsBatch) {
  const auto& b = bars();
  const std::size_t n = b.size();
  std::vector<double> batch = Buffer();
  std::vector<double> stream(n);

  AtrBatch(b.high, b.low, b.close, batch, 14);
  Atr atr(14);
  for (std::size_t i = 0; i < n; ++i) {
    atr.Update(b.high[i], b.low[i], b.close[i]);
    stream[i] = atr.Value();
  }
  EXPECT_EQ(FirstDifference(stream, batch), -1) << "ATR";

  AtrEmaBatch(b.high, b.low, b.close, batch, 14, EmaSeed::kFirstValue);
  AtrEma atr_ema(14, EmaSeed::kFirstValue);
  for (std::size_t i = 0; i < n; ++i) {
    atr_ema.Update(b.high[i], b.low[i], b.close[i]);
    stream[i] = atr_ema.Value();
  }
  EXPECT_EQ(FirstDifference(stream, batch), -1) << "AtrEma";

  SqueezeBatch(b.high, b.low, b.close, batch);
  Squeeze squeeze;
  for (std::size_t i = 0; i < n; ++i) {
    squeeze.Update(b.high[i], b.low[i], b.close[i]);
    stream[i] = squeeze.Value();
  }
  EXPECT_EQ(FirstDifference(stream, batch), -1) << "Squeeze";

  std::vector<double> a = Buffer();
  std::vector<double> p = Buffer();
  std::vector<double> m = Buffer();
  AdxBatch(b.high, b.low, b.close, AdxOut{a, p, m});
  Adx adx;
  std::vector<double> sa(n);
  std::vector<double> sp(n);
  std::vector<double> sm(n);
  for (std::size_t i = 0; i < n; ++i) {
    adx.Update(b.high[i], b.low[i], b.close[i]);
    sa[i] = adx.Value();
    sp[i] = adx.PlusDi();
    sm[i] = adx.MinusDi();
  }
  EXPECT_EQ(FirstDifference(sa, a), -1) << "ADX";
  EXPECT_EQ(FirstDifference(sp, p), -1) << "+DI";
  EXPECT_EQ(FirstDifference(sm, m), -1) << "-DI";

  std::vector<double> line = Buffer();
  std::vector<double> dir = Buffer();
  SupertrendBatch(b.high, b.low, b.close, SupertrendOut{line, dir});
  Supertrend st;
  for (std::size_t i = 0; i < n; ++i) {
    st.Update(b.high[i], b.low[i], b.close[i]);
    stream[i] = st.Value();
    if (st.Ready()) {
      ASSERT_EQ(static_cast<double>(st.Direction()), dir[i]) << i;
    } else {
      ASSERT_TRUE(std::isnan(dir[i])) << i;
    }
  }
  EXPECT_EQ(FirstDifference(stream, line), -1) << "Supertrend";

  std::vector<double> long_stop = Buffer();
  std::vector<double> short_stop = Buffer();
  ChandelierBatch(b.high, b.low, b.close, ChandelierOut{long_stop, short_stop});
  ChandelierExit ce;
  std::vector<double> s_long(n);
  std::vector<double> s_short(n);
  for (std::size_t i = 0; i < n; ++i) {
    ce.Update(b.high[i], b.low[i], b.close[i]);
    s_long[i] = ce.LongStop();
    s_short[i] = ce.ShortStop();
  }
  EXPECT_EQ(FirstDifference(s_long, long_stop), -1) << "Chandelier long";
  EXPECT_EQ(FirstDifference(s_short, short_stop), -1) << "Chandelier short";

  HistVolParkinsonBatch(b.high, b.low, batch, 30, 252.0 * 390.0);
  HistVolParkinson park(30, 252.0 * 390.0);
  for (std::size_t i = 0; i < n; ++i) {
    park.Update(b.high[i], b.low[i]);
    stream[i] = park.Value();
  }
  EXPECT_EQ(FirstDifference(stream, batch), -1) << "Parkinson";

  HistVolGarmanKlassBatch(b.open, b.high, b.low, b.close, batch, 30, 252.0 * 390.0);
  HistVolGarmanKlass gk(30, 252.0 * 390.0);
  for (std::size_t i = 0; i < n; ++i) {
    gk.Update(b.open[i], b.high[i], b.low[i], b.close[i]);
    stream[i] = gk.Value();
  }
  EXPECT_EQ(FirstDifference(stream, batch), -1) << "Garman-Klass";

  std::vector<std::vector<double>> ich(6, Buffer());
  IchimokuBatch(b.high, b.low, b.close, IchimokuOut{ich[0], ich[1], ich[2], ich[3], ich[4], ich[5]});
  Ichimoku ichimoku;
  std::vector<std::vector<double>> s_ich(6, std::vector<double>(n));
  for (std::size_t i = 0; i < n; ++i) {
    ichimoku.Update(b.high[i], b.low[i], b.close[i]);
    s_ich[0][i] = ichimoku.Tenkan();
    s_ich[1][i] = ichimoku.Kijun();
    s_ich[2][i] = ichimoku.SenkouA();
    s_ich[3][i] = ichimoku.SenkouB();
    s_ich[4][i] = ichimoku.CloudA();
    s_ich[5][i] = ichimoku.CloudB();
  }
  for (int k = 0; k < 6; ++k) {
    EXPECT_EQ(FirstDifference(s_ich[static_cast<std::size_t>(k)], ich[static_cast<std::size_t>(k)]), -1)
        << "Ichimoku line " << k;
  }
}

TEST_F(RealBars, BandIndicatorsStreamEqualsBatch) {
  const auto& b = bars();
  const std::size_t n = b.size();
  std::vector<std::vector<double>> out(4, Buffer());
  BandsOut bands{out[0], out[1], out[2], out[3]};
  std::vector<std::vector<double>> s(4, std::vector<double>(n));

  BollingerBatch(b.close, bands, 20, 2.0);
  Bollinger bb(20, 2.0);
  for (std::size_t i = 0; i < n; ++i) {
    bb.Update(b.close[i]);
    s[0][i] = bb.Middle();
    s[1][i] = bb.Upper();
    s[2][i] = bb.Lower();
    s[3][i] = bb.Width();
  }
  for (std::size_t k = 0; k < 4; ++k) {
    EXPECT_EQ(FirstDifference(s[k], out[k]), -1) << "Bollinger line " << k;
  }

  KeltnerBatch(b.high, b.low, b.close, bands, 20, 10, 2.0);
  Keltner kc(20, 10, 2.0);
  for (std::size_t i = 0; i < n; ++i) {
    kc.Update(b.high[i], b.low[i], b.close[i]);
    s[0][i] = kc.Middle();
    s[1][i] = kc.Upper();
    s[2][i] = kc.Lower();
    s[3][i] = kc.Width();
  }
  for (std::size_t k = 0; k < 4; ++k) {
    EXPECT_EQ(FirstDifference(s[k], out[k]), -1) << "Keltner line " << k;
  }
}

TEST_F(RealBars, VolumeIndicatorsStreamEqualsBatch) {
  const auto& b = bars();
  const std::size_t n = b.size();
  std::vector<double> batch = Buffer();
  std::vector<double> stream(n);

  SessionVwapBatch(b.high, b.low, b.close, b.volume, b.session, batch);
  SessionVwap vwap;
  for (std::size_t i = 0; i < n; ++i) {
    vwap.Update(b.high[i], b.low[i], b.close[i], b.volume[i], b.session[i]);
    stream[i] = vwap.Value();
  }
  EXPECT_EQ(FirstDifference(stream, batch), -1) << "session VWAP";

  ObvBatch(b.close, b.volume, batch);
  Obv obv;
  for (std::size_t i = 0; i < n; ++i) {
    obv.Update(b.close[i], b.volume[i]);
    stream[i] = obv.Value();
  }
  EXPECT_EQ(FirstDifference(stream, batch), -1) << "OBV";

  RelVolumeBarsBatch(b.volume, batch, 20);
  RelVolumeBars rvol(20);
  for (std::size_t i = 0; i < n; ++i) {
    rvol.Update(b.volume[i]);
    stream[i] = rvol.Value();
  }
  EXPECT_EQ(FirstDifference(stream, batch), -1) << "relative volume (bars)";

  std::vector<double> cumulative = Buffer();
  RelVolumeTimeOfDayBatch(b.volume, b.session, b.slot, batch, cumulative, 390, 10);
  RelVolumeTimeOfDay tod(390, 10);
  std::vector<double> s_cum(n);
  for (std::size_t i = 0; i < n; ++i) {
    tod.Update(b.volume[i], b.session[i], b.slot[i]);
    stream[i] = tod.Value();
    s_cum[i] = tod.CumulativeValue();
  }
  EXPECT_EQ(FirstDifference(stream, batch), -1) << "relative volume (time of day)";
  EXPECT_EQ(FirstDifference(s_cum, cumulative), -1) << "cumulative relative volume";

  VolumeFlowBatch(b.close, b.volume, batch, 30);
  VolumeFlow flow(30);
  for (std::size_t i = 0; i < n; ++i) {
    flow.Update(b.close[i], b.volume[i]);
    stream[i] = flow.Ratio();
  }
  EXPECT_EQ(FirstDifference(stream, batch), -1) << "volume flow";
}

TEST_F(RealBars, FusedPassEqualsSeparateBatches) {
  const auto& b = bars();
  std::vector<std::vector<double>> fused(8, Buffer());
  FusedParams params;
  params.ema_period = 21;
  FusedBatch(FusedInputs{b.high, b.low, b.close, b.volume, b.session},
             FusedOutputs{fused[0], fused[1], fused[2], fused[3], fused[4], fused[5], fused[6], fused[7]}, params);
  std::vector<std::vector<double>> sep(8, Buffer());
  EmaBatch(b.close, sep[0], 21);
  RsiBatch(b.close, sep[1], 14);
  AtrBatch(b.high, b.low, b.close, sep[2], 14);
  BollingerBatch(b.close, BandsOut{sep[3], sep[4], sep[5], sep[6]}, 20, 2.0);
  SessionVwapBatch(b.high, b.low, b.close, b.volume, b.session, sep[7]);
  const char* names[] = {"ema", "rsi", "atr", "bb_middle", "bb_upper", "bb_lower", "bb_width", "vwap"};
  for (std::size_t k = 0; k < 8; ++k) {
    EXPECT_EQ(FirstDifference(fused[k], sep[k]), -1) << names[k];
  }
}

// The batch and fused passes run in blocks of 512 bars; warm-ups longer than a block, shorter than one, and
// slices that end mid-block must all stay bit-identical to streaming.
TEST_F(RealBars, BlockedPassesEqualStreamingAcrossBlockBoundaries) {
  const auto& b = bars();
  for (const std::size_t n : {std::size_t{1}, std::size_t{511}, std::size_t{513}, std::size_t{1537}, b.size()}) {
    const std::span<const double> close(b.close.data(), n);
    for (const int period : {1, 2, 20, 700}) {
      std::vector<double> rsi(n);
      std::vector<std::vector<double>> bands(4, std::vector<double>(n));
      RsiBatch(close, rsi, period);
      BollingerBatch(close, BandsOut{bands[0], bands[1], bands[2], bands[3]}, period, 2.0);
      Rsi rsi_stream(period);
      Bollinger bb_stream(period, 2.0);
      for (std::size_t i = 0; i < n; ++i) {
        rsi_stream.Update(close[i]);
        bb_stream.Update(close[i]);
        const Bands s = bb_stream.Values();
        ASSERT_TRUE(SameBits(rsi[i], rsi_stream.Value())) << "RSI " << period << " n " << n << " i " << i;
        ASSERT_TRUE(SameBits(bands[0][i], s.middle) && SameBits(bands[1][i], s.upper) &&
                    SameBits(bands[2][i], s.lower) && SameBits(bands[3][i], s.width))
            << "Bollinger " << period << " n " << n << " i " << i;
      }
    }
    FusedParams params;
    params.rsi_period = 600;
    params.bb_period = 530;
    params.ema_period = 300;  // the EMA/ATR loop leaves its warm-up part in the second block, when the ATR is ready
    params.atr_period = 700;
    std::vector<std::vector<double>> fused(8, std::vector<double>(n));
    std::vector<std::vector<double>> sep(8, std::vector<double>(n));
    FusedBatch(FusedInputs{{b.high.data(), n}, {b.low.data(), n}, close, {b.volume.data(), n}, {b.session.data(), n}},
               FusedOutputs{fused[0], fused[1], fused[2], fused[3], fused[4], fused[5], fused[6], fused[7]}, params);
    EmaBatch(close, sep[0], params.ema_period);
    RsiBatch(close, sep[1], params.rsi_period);
    AtrBatch({b.high.data(), n}, {b.low.data(), n}, close, sep[2], params.atr_period);
    BollingerBatch(close, BandsOut{sep[3], sep[4], sep[5], sep[6]}, params.bb_period, params.bb_k);
    SessionVwapBatch({b.high.data(), n}, {b.low.data(), n}, close, {b.volume.data(), n}, {b.session.data(), n}, sep[7]);
    for (std::size_t k = 0; k < 8; ++k) {
      EXPECT_EQ(FirstDifference(fused[k], sep[k]), -1) << "fused output " << k << " n " << n;
    }
  }
}

TEST_F(RealBars, RunningSumsStayAccurateOverTheWholeFile) {
  const auto& c = bars().close;
  const std::size_t n = c.size();
  std::vector<double> sma = Buffer();
  std::vector<double> wma = Buffer();
  std::vector<double> mid = Buffer();
  std::vector<double> up = Buffer();
  std::vector<double> lo = Buffer();
  std::vector<double> width = Buffer();
  constexpr std::size_t kPeriod = 20;
  SmaBatch(c, sma, kPeriod);
  WmaBatch(c, wma, kPeriod);
  BollingerBatch(c, BandsOut{mid, up, lo, width}, kPeriod, 2.0);
  for (std::size_t i = kPeriod - 1; i < n; i += 7) {
    double sum = 0.0;
    double weighted = 0.0;
    for (std::size_t k = 0; k < kPeriod; ++k) {
      sum += c[i + 1 - kPeriod + k];
      weighted += static_cast<double>(k + 1) * c[i + 1 - kPeriod + k];
    }
    const double mean = sum / kPeriod;
    double ss = 0.0;
    for (std::size_t k = 0; k < kPeriod; ++k) {
      const double d = c[i + 1 - kPeriod + k] - mean;
      ss += d * d;
    }
    const double sd = std::sqrt(ss / kPeriod);
    ASSERT_NEAR(sma[i], mean, 1e-10) << i;
    ASSERT_NEAR(wma[i], weighted / (kPeriod * (kPeriod + 1) / 2.0), 1e-10) << i;
    ASSERT_EQ(mid[i], sma[i]) << "Bollinger middle is the SMA, bit for bit";
    // Population σ to 1e-9 absolute even when σ is a few cents on a $600 price.
    ASSERT_NEAR(up[i] - mid[i], 2.0 * sd, 1e-9) << i;
  }
}

TEST_F(RealBars, RollingExtremesMatchNaiveScan) {
  const auto& h = bars().high;
  const auto& l = bars().low;
  std::vector<double> mx = Buffer();
  std::vector<double> mn = Buffer();
  for (const int period : {1, 2, 5, 60}) {
    RollingMaxBatch(h, mx, period);
    RollingMinBatch(l, mn, period);
    const auto p = static_cast<std::size_t>(period);
    for (std::size_t i = 0; i < h.size(); ++i) {
      if (i + 1 < p) {
        ASSERT_TRUE(std::isnan(mx[i]));
        continue;
      }
      const auto first = static_cast<std::ptrdiff_t>(i + 1 - p);
      const auto last = static_cast<std::ptrdiff_t>(i + 1);
      ASSERT_EQ(mx[i], *std::max_element(h.begin() + first, h.begin() + last)) << period << " " << i;
      ASSERT_EQ(mn[i], *std::min_element(l.begin() + first, l.begin() + last)) << period << " " << i;
    }
  }
}

TEST_F(RealBars, Invariants) {
  const auto& b = bars();
  const std::size_t n = b.size();
  std::vector<std::vector<double>> f(8, Buffer());
  FusedBatch(FusedInputs{b.high, b.low, b.close, b.volume, b.session},
             FusedOutputs{f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7]});
  SessionHighLow session_range;
  std::vector<double> kc_m = Buffer();
  std::vector<double> kc_u = Buffer();
  std::vector<double> kc_l = Buffer();
  std::vector<double> kc_w = Buffer();
  KeltnerBatch(b.high, b.low, b.close, BandsOut{kc_m, kc_u, kc_l, kc_w});
  std::vector<double> stoch = Buffer();
  StochRsiBatch(b.close, stoch);
  std::vector<double> st_line = Buffer();
  std::vector<double> st_dir = Buffer();
  SupertrendBatch(b.high, b.low, b.close, SupertrendOut{st_line, st_dir});
  for (std::size_t i = 0; i < n; ++i) {
    session_range.Update(b.high[i], b.low[i], b.session[i]);
    if (i >= 19) {
      ASSERT_GE(f[4][i], f[3][i]) << "upper >= middle at " << i;
      ASSERT_GE(f[3][i], f[5][i]) << "middle >= lower at " << i;
      ASSERT_GE(f[6][i], 0.0);
      ASSERT_GE(kc_u[i], kc_m[i]);
      ASSERT_GE(kc_m[i], kc_l[i]);
    }
    if (i >= 14) {
      ASSERT_GE(f[1][i], 0.0) << i;
      ASSERT_LE(f[1][i], 100.0) << i;
    }
    if (i >= 13) {
      ASSERT_GE(f[2][i], 0.0) << i;
    }
    if (i >= 27) {
      ASSERT_GE(stoch[i], 0.0);
      ASSERT_LE(stoch[i], 1.0);
    }
    if (!std::isnan(f[7][i])) {
      const double tolerance = 1e-12 * session_range.High();
      ASSERT_GE(f[7][i], session_range.Low() - tolerance) << "VWAP below the session low at " << i;
      ASSERT_LE(f[7][i], session_range.High() + tolerance) << "VWAP above the session high at " << i;
    }
    if (i >= 9) {
      // In an up-trend the Supertrend line is under the close, in a down-trend above it.
      if (st_dir[i] > 0) {
        ASSERT_LE(st_line[i], b.close[i]) << i;
      } else {
        ASSERT_GE(st_line[i], b.close[i]) << i;
      }
    }
  }
}

TEST_F(RealBars, BarOverloadsMatchDoubleOverloads) {
  const auto& b = bars();
  Atr from_bar(14);
  Atr from_doubles(14);
  SessionVwap vwap_bar;
  SessionVwap vwap_doubles;
  for (std::size_t i = 0; i < 2000; ++i) {
    Bar bar;
    bar.open = Price::FromDouble(b.open[i], 4).value();
    bar.high = Price::FromDouble(b.high[i], 4).value();
    bar.low = Price::FromDouble(b.low[i], 4).value();
    bar.close = Price::FromDouble(b.close[i], 4).value();
    bar.volume = Quantity::FromDouble(b.volume[i], 0).value();
    from_bar.Update(bar);
    from_doubles.Update(bar.high.AsDouble(), bar.low.AsDouble(), bar.close.AsDouble());
    vwap_bar.Update(bar, b.session[i]);
    vwap_doubles.Update(bar.high.AsDouble(), bar.low.AsDouble(), bar.close.AsDouble(), bar.volume.AsDouble(),
                        b.session[i]);
    ASSERT_TRUE(testing::SameBits(from_bar.Value(), from_doubles.Value())) << i;
    ASSERT_TRUE(testing::SameBits(vwap_bar.Value(), vwap_doubles.Value())) << i;
    ASSERT_NEAR(bar.close.AsDouble(), b.close[i], 1e-9);
  }
}

}  // namespace
}  // namespace td::indicators
