// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <span>

#include "core/time.hpp"
#include "indicators/momentum.hpp"
#include "indicators/moving_average.hpp"
#include "indicators/volatility.hpp"
#include "indicators/volume.hpp"

// Batch forms of every indicator: contiguous inputs in, one output per input bar, NaN during warm-up. Each runs
// the same arithmetic as its incremental object, so results are bitwise identical to calling Update() bar by
// bar (tests/unit/indicators checks this). Every span of one call must have the same length (aborts if not).

namespace td::indicators {

using Series = std::span<const double>;
using Out = std::span<double>;
using SessionKeys = std::span<const std::int64_t>;

void SmaBatch(Series in, Out out, int period);
void EmaBatch(Series in, Out out, int period, EmaSeed seed = EmaSeed::kSma);
void WilderBatch(Series in, Out out, int period);
void WmaBatch(Series in, Out out, int period);
void RsiBatch(Series close, Out out, int period = 14);
void StochRsiBatch(Series close, Out out, int rsi_period = 14, int stoch_period = 14);
/// The stochastic %K of a single series over its own last `period` values (the StochRSI step).
void RollingStochasticBatch(Series in, Out out, int period);
void RollingMaxBatch(Series in, Out out, int period);
void RollingMinBatch(Series in, Out out, int period);

struct MacdOut {
  Out line, signal, histogram;
};
void MacdBatch(Series close, const MacdOut& out, int fast = 12, int slow = 26, int signal = 9,
               EmaSeed seed = EmaSeed::kSma);

struct AdxOut {
  Out adx, plus_di, minus_di;
};
void AdxBatch(Series high, Series low, Series close, const AdxOut& out, int period = 14);

void ElderImpulseBatch(Series close, Out out, int ema_period = 13, int fast = 12, int slow = 26, int signal = 9,
                       EmaSeed seed = EmaSeed::kSma, ImpulseRule rule = ImpulseRule::kElder);

void TrueRangeBatch(Series high, Series low, Series close, Out out);
void AtrBatch(Series high, Series low, Series close, Out out, int period = 14);
void AtrEmaBatch(Series high, Series low, Series close, Out out, int period = 14, EmaSeed seed = EmaSeed::kSma);

struct BandsOut {
  Out middle, upper, lower, width;
};
void BollingerBatch(Series close, const BandsOut& out, int period = 20, double k = 2.0);
void KeltnerBatch(Series high, Series low, Series close, const BandsOut& out, int ema_period = 20, int atr_period = 10,
                  double mult = 2.0, EmaSeed seed = EmaSeed::kSma);
/// 1 while the squeeze is on, 0 off, NaN during warm-up.
void SqueezeBatch(Series high, Series low, Series close, Out out, int bb_period = 20, double bb_k = 2.0,
                  int kc_period = 20, int kc_atr_period = 20, double kc_mult = 1.5);

struct SupertrendOut {
  Out line, direction;  // direction +1 / −1, NaN during warm-up
};
void SupertrendBatch(Series high, Series low, Series close, const SupertrendOut& out, int atr_period = 10,
                     double mult = 3.0);

struct ChandelierOut {
  Out long_stop, short_stop;
};
void ChandelierBatch(Series high, Series low, Series close, const ChandelierOut& out, int period = 22,
                     double mult = 3.0);

void HistVolCloseToCloseBatch(Series close, Out out, int period, double periods_per_year,
                              ReturnKind returns = ReturnKind::kLog, StdDevKind stdev = StdDevKind::kSample);
void HistVolParkinsonBatch(Series high, Series low, Out out, int period, double periods_per_year);
void HistVolGarmanKlassBatch(Series open, Series high, Series low, Series close, Out out, int period,
                             double periods_per_year);

void SessionVwapBatch(Series high, Series low, Series close, Series volume, SessionKeys session, Out out,
                      VwapPrice price = VwapPrice::kTypical);
/// VWAP ± k·σ bands as well (σ volume-weighted, per session).
struct VwapBandsOut {
  Out vwap, upper, lower;
};
void SessionVwapBandsBatch(Series high, Series low, Series close, Series volume, SessionKeys session,
                           const VwapBandsOut& out, double k, VwapPrice price = VwapPrice::kTypical);
/// VWAP from bar `anchor` on; NaN before it.
void AnchoredVwapBatch(Series high, Series low, Series close, Series volume, std::size_t anchor, Out out,
                       VwapPrice price = VwapPrice::kTypical);
void ObvBatch(Series close, Series volume, Out out);
void RelVolumeBarsBatch(Series volume, Out out, int period);
/// Per-slot and cumulative time-of-day relative volume (either output may be empty to skip it).
void RelVolumeTimeOfDayBatch(Series volume, SessionKeys session, std::span<const std::int32_t> slot, Out out,
                             Out out_cumulative, int slots, int sessions);
void VolumeFlowBatch(Series price, Series volume, Out ratio, int period);

struct IchimokuOut {
  Out tenkan, kijun, senkou_a, senkou_b, cloud_a, cloud_b;
};
void IchimokuBatch(Series high, Series low, Series close, const IchimokuOut& out, int tenkan = 9, int kijun = 26,
                   int senkou_b = 52, int displacement = 26);

struct HighLowOut {
  Out high, low;
};
/// Opening range per session (keys = session open times, ns); NaN until the range of that session is complete.
void OpeningRangeBatch(Series high, Series low, SessionKeys bar_start_ns, SessionKeys session_open_ns,
                       const HighLowOut& out, Duration window, Duration bar_length);
void SessionHighLowBatch(Series high, Series low, SessionKeys session, const HighLowOut& out);
struct HlcOut {
  Out high, low, close;
};
void PriorSessionHlcBatch(Series high, Series low, Series close, SessionKeys session, const HlcOut& out);

}  // namespace td::indicators
