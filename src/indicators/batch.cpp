// SPDX-License-Identifier: MIT
#include "indicators/batch.hpp"

#include <initializer_list>
#include <type_traits>

#include "indicators/block_kernels.hpp"
#include "indicators/ichimoku.hpp"
#include "indicators/session_levels.hpp"

namespace td::indicators {
namespace {

void CheckSizes(std::size_t n, std::initializer_list<std::size_t> sizes) {
  for (const std::size_t s : sizes) {
    TD_CHECK(s == n) << "batch span of length " << s << " where " << n << " was expected";
  }
}

/// Runs a single-input, single-output indicator over a series.
// Restrict-qualified pointers tell the compiler the output never aliases the indicator's state, which then
// stays in registers across the stores.
template <typename Indicator>
void SeriesLoop(Indicator& indicator, const double* __restrict src, double* __restrict dst, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    indicator.Update(src[i]);
    dst[i] = indicator.Value();
  }
}

template <typename Indicator>
void RunSeries(Indicator& indicator, Series in, Out out) {
  CheckSizes(in.size(), {out.size()});
  if constexpr (std::is_trivially_copyable_v<Indicator>) {
    kernels::SeriesRun(indicator, in.data(), out.data(), in.size());
  } else {
    SeriesLoop(indicator, in.data(), out.data(), in.size());
  }
}

/// Runs a high/low/close indicator with a single output.
template <typename Indicator>
void HlcLoop(Indicator& indicator, const double* __restrict high, const double* __restrict low,
             const double* __restrict close, double* __restrict dst, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    indicator.Update(high[i], low[i], close[i]);
    dst[i] = indicator.Value();
  }
}

template <typename Indicator>
void RunHlc(Indicator& indicator, Series high, Series low, Series close, Out out) {
  CheckSizes(close.size(), {high.size(), low.size(), out.size()});
  if constexpr (std::is_trivially_copyable_v<Indicator>) {
    kernels::HlcRun(indicator, high.data(), low.data(), close.data(), out.data(), close.size());
  } else {
    HlcLoop(indicator, high.data(), low.data(), close.data(), out.data(), close.size());
  }
}

}  // namespace

void SmaBatch(Series in, Out out, int period) {
  Sma sma(period);
  RunSeries(sma, in, out);
}

void EmaBatch(Series in, Out out, int period, EmaSeed seed) {
  Ema ema(period, seed);
  RunSeries(ema, in, out);
}

void WilderBatch(Series in, Out out, int period) {
  Wilder wilder(period);
  RunSeries(wilder, in, out);
}

void WmaBatch(Series in, Out out, int period) {
  Wma wma(period);
  RunSeries(wma, in, out);
}

void RsiBatch(Series close, Out out, int period) {
  CheckSizes(close.size(), {out.size()});
  Rsi rsi(period);
  kernels::RsiRun(rsi, close.data(), out.data(), close.size());
}

void StochRsiBatch(Series close, Out out, int rsi_period, int stoch_period) {
  StochRsi stoch(rsi_period, stoch_period);
  RunSeries(stoch, close, out);
}

void RollingStochasticBatch(Series in, Out out, int period) {
  RollingStochastic stoch(period);
  RunSeries(stoch, in, out);
}

void RollingMaxBatch(Series in, Out out, int period) {
  RollingMax max(period);
  RunSeries(max, in, out);
}

void RollingMinBatch(Series in, Out out, int period) {
  RollingMin min(period);
  RunSeries(min, in, out);
}

void MacdBatch(Series close, const MacdOut& out, int fast, int slow, int signal, EmaSeed seed) {
  CheckSizes(close.size(), {out.line.size(), out.signal.size(), out.histogram.size()});
  Macd macd(fast, slow, signal, seed);
  for (std::size_t i = 0; i < close.size(); ++i) {
    macd.Update(close[i]);
    out.line[i] = macd.Line();
    out.signal[i] = macd.Signal();
    out.histogram[i] = macd.Histogram();
  }
}

void AdxBatch(Series high, Series low, Series close, const AdxOut& out, int period) {
  CheckSizes(close.size(), {high.size(), low.size(), out.adx.size(), out.plus_di.size(), out.minus_di.size()});
  Adx adx(period);
  for (std::size_t i = 0; i < close.size(); ++i) {
    adx.Update(high[i], low[i], close[i]);
    out.adx[i] = adx.Value();
    out.plus_di[i] = adx.PlusDi();
    out.minus_di[i] = adx.MinusDi();
  }
}

void ElderImpulseBatch(Series close, Out out, int ema_period, int fast, int slow, int signal, EmaSeed seed,
                       ImpulseRule rule) {
  ElderImpulse impulse(ema_period, fast, slow, signal, seed, rule);
  RunSeries(impulse, close, out);
}

void TrueRangeBatch(Series high, Series low, Series close, Out out) {
  TrueRange tr;
  RunHlc(tr, high, low, close, out);
}

void AtrBatch(Series high, Series low, Series close, Out out, int period) {
  Atr atr(period);
  RunHlc(atr, high, low, close, out);
}

void AtrEmaBatch(Series high, Series low, Series close, Out out, int period, EmaSeed seed) {
  AtrEma atr(period, seed);
  RunHlc(atr, high, low, close, out);
}

void BollingerBatch(Series close, const BandsOut& out, int period, double k) {
  CheckSizes(close.size(), {out.middle.size(), out.upper.size(), out.lower.size(), out.width.size()});
  Bollinger bb(period, k);
  kernels::BollingerRun(bb, close.data(), out.middle.data(), out.upper.data(), out.lower.data(), out.width.data(),
                        close.size());
}

void KeltnerBatch(Series high, Series low, Series close, const BandsOut& out, int ema_period, int atr_period,
                  double mult, EmaSeed seed) {
  CheckSizes(close.size(),
             {high.size(), low.size(), out.middle.size(), out.upper.size(), out.lower.size(), out.width.size()});
  Keltner kc(ema_period, atr_period, mult, seed);
  for (std::size_t i = 0; i < close.size(); ++i) {
    kc.Update(high[i], low[i], close[i]);
    const Bands b = kc.Values();
    out.middle[i] = b.middle;
    out.upper[i] = b.upper;
    out.lower[i] = b.lower;
    out.width[i] = b.width;
  }
}

void SqueezeBatch(Series high, Series low, Series close, Out out, int bb_period, double bb_k, int kc_period,
                  int kc_atr_period, double kc_mult) {
  Squeeze squeeze(bb_period, bb_k, kc_period, kc_atr_period, kc_mult);
  RunHlc(squeeze, high, low, close, out);
}

void SupertrendBatch(Series high, Series low, Series close, const SupertrendOut& out, int atr_period, double mult) {
  CheckSizes(close.size(), {high.size(), low.size(), out.line.size(), out.direction.size()});
  Supertrend st(atr_period, mult);
  for (std::size_t i = 0; i < close.size(); ++i) {
    st.Update(high[i], low[i], close[i]);
    out.line[i] = st.Value();
    out.direction[i] = st.Ready() ? static_cast<double>(st.Direction()) : kNaN;
  }
}

void ChandelierBatch(Series high, Series low, Series close, const ChandelierOut& out, int period, double mult) {
  CheckSizes(close.size(), {high.size(), low.size(), out.long_stop.size(), out.short_stop.size()});
  ChandelierExit ce(period, mult);
  for (std::size_t i = 0; i < close.size(); ++i) {
    ce.Update(high[i], low[i], close[i]);
    out.long_stop[i] = ce.LongStop();
    out.short_stop[i] = ce.ShortStop();
  }
}

void HistVolCloseToCloseBatch(Series close, Out out, int period, double periods_per_year, ReturnKind returns,
                              StdDevKind stdev) {
  HistVolCloseToClose hv(period, periods_per_year, returns, stdev);
  RunSeries(hv, close, out);
}

void HistVolParkinsonBatch(Series high, Series low, Out out, int period, double periods_per_year) {
  CheckSizes(high.size(), {low.size(), out.size()});
  HistVolParkinson hv(period, periods_per_year);
  for (std::size_t i = 0; i < high.size(); ++i) {
    hv.Update(high[i], low[i]);
    out[i] = hv.Value();
  }
}

void HistVolGarmanKlassBatch(Series open, Series high, Series low, Series close, Out out, int period,
                             double periods_per_year) {
  CheckSizes(close.size(), {open.size(), high.size(), low.size(), out.size()});
  HistVolGarmanKlass hv(period, periods_per_year);
  for (std::size_t i = 0; i < close.size(); ++i) {
    hv.Update(open[i], high[i], low[i], close[i]);
    out[i] = hv.Value();
  }
}

void SessionVwapBatch(Series high, Series low, Series close, Series volume, SessionKeys session, Out out,
                      VwapPrice price) {
  CheckSizes(close.size(), {high.size(), low.size(), volume.size(), session.size(), out.size()});
  SessionVwap vwap(price);
  kernels::SessionVwapRun(vwap, high.data(), low.data(), close.data(), volume.data(), session.data(), out.data(),
                          close.size());
}

void SessionVwapBandsBatch(Series high, Series low, Series close, Series volume, SessionKeys session,
                           const VwapBandsOut& out, double k, VwapPrice price) {
  CheckSizes(close.size(), {high.size(), low.size(), volume.size(), session.size(), out.vwap.size(), out.upper.size(),
                            out.lower.size()});
  SessionVwap vwap(price);
  for (std::size_t i = 0; i < close.size(); ++i) {
    vwap.Update(high[i], low[i], close[i], volume[i], session[i]);
    out.vwap[i] = vwap.Value();
    out.upper[i] = vwap.Upper(k);
    out.lower[i] = vwap.Lower(k);
  }
}

void AnchoredVwapBatch(Series high, Series low, Series close, Series volume, std::size_t anchor, Out out,
                       VwapPrice price) {
  CheckSizes(close.size(), {high.size(), low.size(), volume.size(), out.size()});
  AnchoredVwap vwap(price);
  for (std::size_t i = 0; i < close.size(); ++i) {
    if (i < anchor) {
      out[i] = kNaN;
      continue;
    }
    vwap.Update(high[i], low[i], close[i], volume[i]);
    out[i] = vwap.Value();
  }
}

void ObvBatch(Series close, Series volume, Out out) {
  CheckSizes(close.size(), {volume.size(), out.size()});
  Obv obv;
  for (std::size_t i = 0; i < close.size(); ++i) {
    obv.Update(close[i], volume[i]);
    out[i] = obv.Value();
  }
}

void RelVolumeBarsBatch(Series volume, Out out, int period) {
  RelVolumeBars rvol(period);
  RunSeries(rvol, volume, out);
}

void RelVolumeTimeOfDayBatch(Series volume, SessionKeys session, std::span<const std::int32_t> slot, Out out,
                             Out out_cumulative, int slots, int sessions) {
  CheckSizes(volume.size(), {session.size(), slot.size()});
  TD_CHECK(out.empty() || out.size() == volume.size()) << "per-slot output has the wrong length";
  TD_CHECK(out_cumulative.empty() || out_cumulative.size() == volume.size())
      << "cumulative output has the wrong length";
  RelVolumeTimeOfDay rvol(slots, sessions);
  for (std::size_t i = 0; i < volume.size(); ++i) {
    rvol.Update(volume[i], session[i], slot[i]);
    if (!out.empty()) {
      out[i] = rvol.Value();
    }
    if (!out_cumulative.empty()) {
      out_cumulative[i] = rvol.CumulativeValue();
    }
  }
}

void VolumeFlowBatch(Series price, Series volume, Out ratio, int period) {
  CheckSizes(price.size(), {volume.size(), ratio.size()});
  VolumeFlow flow(period);
  for (std::size_t i = 0; i < price.size(); ++i) {
    flow.Update(price[i], volume[i]);
    ratio[i] = flow.Ratio();
  }
}

void IchimokuBatch(Series high, Series low, Series close, const IchimokuOut& out, int tenkan, int kijun, int senkou_b,
                   int displacement) {
  CheckSizes(close.size(), {high.size(), low.size(), out.tenkan.size(), out.kijun.size(), out.senkou_a.size(),
                            out.senkou_b.size(), out.cloud_a.size(), out.cloud_b.size()});
  Ichimoku ichimoku(tenkan, kijun, senkou_b, displacement);
  for (std::size_t i = 0; i < close.size(); ++i) {
    ichimoku.Update(high[i], low[i], close[i]);
    out.tenkan[i] = ichimoku.Tenkan();
    out.kijun[i] = ichimoku.Kijun();
    out.senkou_a[i] = ichimoku.SenkouA();
    out.senkou_b[i] = ichimoku.SenkouB();
    out.cloud_a[i] = ichimoku.CloudA();
    out.cloud_b[i] = ichimoku.CloudB();
  }
}

void OpeningRangeBatch(Series high, Series low, SessionKeys bar_start_ns, SessionKeys session_open_ns,
                       const HighLowOut& out, Duration window, Duration bar_length) {
  CheckSizes(high.size(), {low.size(), bar_start_ns.size(), session_open_ns.size(), out.high.size(), out.low.size()});
  OpeningRange range(window, bar_length);
  for (std::size_t i = 0; i < high.size(); ++i) {
    range.Update(high[i], low[i], bar_start_ns[i], session_open_ns[i]);
    out.high[i] = range.High();
    out.low[i] = range.Low();
  }
}

void SessionHighLowBatch(Series high, Series low, SessionKeys session, const HighLowOut& out) {
  CheckSizes(high.size(), {low.size(), session.size(), out.high.size(), out.low.size()});
  SessionHighLow hl;
  for (std::size_t i = 0; i < high.size(); ++i) {
    hl.Update(high[i], low[i], session[i]);
    out.high[i] = hl.High();
    out.low[i] = hl.Low();
  }
}

void PriorSessionHlcBatch(Series high, Series low, Series close, SessionKeys session, const HlcOut& out) {
  CheckSizes(close.size(),
             {high.size(), low.size(), session.size(), out.high.size(), out.low.size(), out.close.size()});
  PriorSessionHlc prior;
  for (std::size_t i = 0; i < close.size(); ++i) {
    prior.Update(high[i], low[i], close[i], session[i]);
    out.high[i] = prior.High();
    out.low[i] = prior.Low();
    out.close[i] = prior.Close();
  }
}

}  // namespace td::indicators
