// SPDX-License-Identifier: MIT
#pragma once

// Internal to the module: the loops shared by the batch functions (batch.cpp) and the fused pass (fused.cpp),
// so both run literally the same code and stay bitwise identical to each other and to streaming Update/Value.
//
// Each loop copies the indicator into a local (all are trivially copyable, or keep their state in one via
// UpdateMany), so its state lives in registers, and writes it back at the end. Indicators whose value needs a
// division or a square root run in blocks of kBlock bars: a first pass runs the recurrence and parks its raw
// sums per bar, a second pass turns them into values with a branch-free loop the compiler vectorises
// (divpd/sqrtpd on plain SSE2), taking the divider off the recurrence's critical path. The finishing formulas
// are the indicators' own static ones (Rsi::FromAverages, Bollinger::BandsOf, VwapAccumulator::ValueOf).

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "indicators/momentum.hpp"
#include "indicators/moving_average.hpp"
#include "indicators/volatility.hpp"
#include "indicators/volume.hpp"

namespace td::indicators::kernels {

/// Bars per block of the two-pass loops: the parked sums (a few arrays of 4 KiB) stay in L1.
inline constexpr std::size_t kBlock = 512;

/// One input, one output, value read after every update.
template <typename Indicator>
void SeriesRun(Indicator& indicator, const double* __restrict src, double* __restrict dst, std::size_t n) {
  static_assert(std::is_trivially_copyable_v<Indicator>);
  Indicator local = indicator;
  for (std::size_t i = 0; i < n; ++i) {
    local.Update(src[i]);
    dst[i] = local.Value();
  }
  indicator = local;
}

/// High/low/close in, one output.
template <typename Indicator>
void HlcRun(Indicator& indicator, const double* __restrict high, const double* __restrict low,
            const double* __restrict close, double* __restrict dst, std::size_t n) {
  static_assert(std::is_trivially_copyable_v<Indicator>);
  Indicator local = indicator;
  for (std::size_t i = 0; i < n; ++i) {
    local.Update(high[i], low[i], close[i]);
    dst[i] = local.Value();
  }
  indicator = local;
}

/// RSI in blocks: pass 1 parks the Wilder averages, pass 2 divides. Readiness is monotone, so the bars before
/// it are a prefix of the block and are set to NaN afterwards.
inline void RsiRun(Rsi& rsi, const double* __restrict close, double* __restrict out, std::size_t n) {
  static_assert(std::is_trivially_copyable_v<Rsi>);
  Rsi local = rsi;
  double loss[kBlock];
  for (std::size_t base = 0; base < n; base += kBlock) {
    const std::size_t len = n - base < kBlock ? n - base : kBlock;
    const double* const c = close + base;
    double* const o = out + base;
    std::size_t not_ready = 0;
    for (std::size_t j = 0; j < len; ++j) {
      local.Update(c[j]);
      not_ready = local.Ready() ? not_ready : j + 1;
      o[j] = local.RawAverageGain();
      loss[j] = local.RawAverageLoss();
    }
    for (std::size_t j = 0; j < len; ++j) {
      o[j] = Rsi::FromAverages(o[j], loss[j]);
    }
    for (std::size_t j = 0; j < not_ready; ++j) {
      o[j] = kNaN;
    }
  }
  rsi = local;
}

/// Bollinger in blocks: pass 1 parks the window sums (shift, s1, s2) in the middle/upper/lower outputs, pass 2
/// turns them into the four lines in place (one sqrt and one division per bar, two bars per instruction).
inline void BollingerRun(Bollinger& bb, const double* __restrict close, double* __restrict middle,
                         double* __restrict upper, double* __restrict lower, double* __restrict width, std::size_t n) {
  const int period = bb.period();
  const double inv_period = bb.inv_period();
  const double k = bb.k();
  for (std::size_t base = 0; base < n; base += kBlock) {
    const std::size_t len = n - base < kBlock ? n - base : kBlock;
    double* const mid = middle + base;
    double* const up = upper + base;
    double* const lo = lower + base;
    double* const wid = width + base;
    std::size_t not_ready = 0;
    bb.UpdateMany(close + base, len, [&](std::size_t j, const RollingMoments::State& st) {
      not_ready = st.count < period ? j + 1 : not_ready;
      mid[j] = st.shift;
      up[j] = st.s1;
      lo[j] = st.s2;
    });
    for (std::size_t j = 0; j < len; ++j) {
      RollingMoments::State st;
      st.shift = mid[j];
      st.s1 = up[j];
      st.s2 = lo[j];
      const Bands b = Bollinger::BandsOf(st, inv_period, k);
      mid[j] = b.middle;
      up[j] = b.upper;
      lo[j] = b.lower;
      wid[j] = b.width;
    }
    for (std::size_t j = 0; j < not_ready; ++j) {
      mid[j] = up[j] = lo[j] = wid[j] = kNaN;
    }
  }
}

/// EMA, ATR and session VWAP in one loop. Each is a serial recurrence whose speed is set by its dependency
/// chain's latency, not by the work; three independent chains in one loop overlap in the CPU, so together they
/// cost about as much as the slowest one. (All five at once spilled registers: RSI and Bollinger keep their
/// own blocked two-pass loops.) Bitwise identical to running the three loops one after another.
///
/// Once the EMA and the ATR are both ready (readiness never goes back), the rest of the block runs their
/// UpdateReady and RawValue: the same arithmetic without the warm-up and readiness tests the loop paid for every
/// bar (56 instructions per bar instead of 63; the fused pass 36.4-37.1 -> 34.7-35.3 cycles per bar).
inline void EmaAtrVwapRun(Ema& ema, Atr& atr, SessionVwap& vwap, const double* __restrict high,
                          const double* __restrict low, const double* __restrict close,
                          const double* __restrict volume, const std::int64_t* __restrict session,
                          double* __restrict ema_out, double* __restrict atr_out, double* __restrict vwap_out,
                          std::size_t n) {
  static_assert(std::is_trivially_copyable_v<Ema> && std::is_trivially_copyable_v<Atr> &&
                std::is_trivially_copyable_v<SessionVwap>);
  Ema e = ema;
  Atr a = atr;
  SessionVwap v = vwap;
  std::size_t i = 0;
  for (; i < n && !(e.Ready() && a.Ready()); ++i) {
    e.Update(close[i]);
    a.Update(high[i], low[i], close[i]);
    v.Update(high[i], low[i], close[i], volume[i], session[i]);
    ema_out[i] = e.Value();
    atr_out[i] = a.Value();
    vwap_out[i] = v.Value();
  }
  for (; i < n; ++i) {
    e.UpdateReady(close[i]);
    a.UpdateReady(high[i], low[i], close[i]);
    v.Update(high[i], low[i], close[i], volume[i], session[i]);
    ema_out[i] = e.RawValue();
    atr_out[i] = a.RawValue();
    vwap_out[i] = v.Value();
  }
  ema = e;
  atr = a;
  vwap = v;
}

/// Session VWAP, one pass. A two-pass form (park the sums, divide in a vectorised loop) measured slower: the
/// division is off the critical path here and the extra stores and loads cost more than it saves.
inline void SessionVwapRun(SessionVwap& vwap, const double* __restrict high, const double* __restrict low,
                           const double* __restrict close, const double* __restrict volume,
                           const std::int64_t* __restrict session, double* __restrict out, std::size_t n) {
  static_assert(std::is_trivially_copyable_v<SessionVwap>);
  SessionVwap local = vwap;
  for (std::size_t i = 0; i < n; ++i) {
    local.Update(high[i], low[i], close[i], volume[i], session[i]);
    out[i] = local.Value();
  }
  vwap = local;
}

}  // namespace td::indicators::kernels
