// SPDX-License-Identifier: MIT
// Indicator throughput on 10 million synthetic bars (a seeded random walk, generated once). The "per_bar"
// counter is CPU time per bar (printed with an SI prefix, e.g. "3.2ns"). Aims (issue "Analytics"; TA-Lib measured on
// this machine class): EMA 3.5, RSI 8, ATR 8, Bollinger 7.5, VWAP 2.5 ns/bar; fused EMA+RSI+ATR+Bollinger+VWAP < 12
// ns/bar; each streaming Update < 5 ns (scripts/check_analytics_aims.py judges them). The batch and streaming
// benchmarks also report "cycles_per_bar": the core's own cycle count (this thread, user mode) per bar, which does
// not move with the host's clock (absent where the kernel refuses the counter; see common/cycle_counter.hpp).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "common/cycle_counter.hpp"
#include "indicators/batch.hpp"
#include "indicators/fused.hpp"
#include "indicators/ichimoku.hpp"
#include "indicators/session_levels.hpp"

namespace td::indicators {
namespace {

using td::bench::StartCycles;
using td::bench::StopCycles;

constexpr std::size_t kBars = 10'000'000;
constexpr std::size_t kBarsPerSession = 390;

struct Data {
  std::vector<double> open, high, low, close, volume;
  std::vector<std::int64_t> session;
  std::vector<std::int32_t> slot;
  std::vector<std::vector<double>> out;

  Data() {
    open.resize(kBars);
    high.resize(kBars);
    low.resize(kBars);
    close.resize(kBars);
    volume.resize(kBars);
    session.resize(kBars);
    slot.resize(kBars);
    std::mt19937_64 rng(20240917);
    std::normal_distribution<double> step(0.0, 0.0008);
    std::exponential_distribution<double> wick(2500.0);
    std::lognormal_distribution<double> vol(8.0, 0.7);
    double price = 500.0;
    for (std::size_t i = 0; i < kBars; ++i) {
      open[i] = price;
      price *= std::exp(step(rng));
      close[i] = price;
      high[i] = std::max(open[i], close[i]) * (1.0 + wick(rng));
      low[i] = std::min(open[i], close[i]) * (1.0 - wick(rng));
      volume[i] = std::floor(vol(rng));
      session[i] = static_cast<std::int64_t>(i / kBarsPerSession);
      slot[i] = static_cast<std::int32_t>(i % kBarsPerSession);
    }
    out.assign(8, std::vector<double>(kBars));
  }
};

Data& D() {
  static Data data;
  return data;
}

// Streaming benchmarks also report the minimum over repetitions (run with --benchmark_repetitions=5): on the
// shared machine the minimum is the least disturbed figure, the median the typical one.
double MinimumOf(const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); }
#define TD_STREAM_BENCHMARK(fn) BENCHMARK(fn)->ComputeStatistics("min", MinimumOf)

/// Reports the cycles of a benchmark's timed loop per bar. StartCycles and StopCycles sit around the
/// loop in the benchmark itself: a lambda holding the loop captured the indicator by reference, and GCC then
/// kept some of its fields in memory (Parkinson 42.2 → 48.0 instructions per bar).
void ReportCyclesPerBar(benchmark::State& state, double cycles) {
  td::bench::ReportCycles(state, "cycles_per_bar", cycles, static_cast<double>(kBars));
}

void PerBar(benchmark::State& state) {
  state.counters["per_bar"] = benchmark::Counter(
      static_cast<double>(kBars), benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

/// A batch benchmark: `run` over the whole series per iteration, with its cycles and CPU time per bar. The batch
/// functions are out-of-line calls, so the lambda around them does not change their code.
template <typename Run>
void BatchRun(benchmark::State& state, Run run) {
  StartCycles();
  for (auto _ : state) {
    run();
    benchmark::ClobberMemory();
  }
  ReportCyclesPerBar(state, StopCycles());
  PerBar(state);
}

// ---- baseline: the memory traffic floor of reading one series and writing one ----

void BM_BaselineCopyOneSeries(benchmark::State& state) {
  auto& d = D();
  BatchRun(state, [&] { std::copy(d.close.begin(), d.close.end(), d.out[0].begin()); });
}
BENCHMARK(BM_BaselineCopyOneSeries);

// ---- batch ----

void BM_SmaBatch(benchmark::State& state) {
  auto& d = D();
  BatchRun(state, [&] { SmaBatch(d.close, d.out[0], 20); });
}
BENCHMARK(BM_SmaBatch);

void BM_EmaBatch(benchmark::State& state) {
  auto& d = D();
  BatchRun(state, [&] { EmaBatch(d.close, d.out[0], 20); });
}
BENCHMARK(BM_EmaBatch);

void BM_WmaBatch(benchmark::State& state) {
  auto& d = D();
  BatchRun(state, [&] { WmaBatch(d.close, d.out[0], 20); });
}
BENCHMARK(BM_WmaBatch);

void BM_RsiBatch(benchmark::State& state) {
  auto& d = D();
  BatchRun(state, [&] { RsiBatch(d.close, d.out[0], 14); });
}
BENCHMARK(BM_RsiBatch);

void BM_StochRsiBatch(benchmark::State& state) {
  auto& d = D();
  BatchRun(state, [&] { StochRsiBatch(d.close, d.out[0], 14, 14); });
}
BENCHMARK(BM_StochRsiBatch);

void BM_AtrBatch(benchmark::State& state) {
  auto& d = D();
  BatchRun(state, [&] { AtrBatch(d.high, d.low, d.close, d.out[0], 14); });
}
BENCHMARK(BM_AtrBatch);

void BM_AtrEmaBatch(benchmark::State& state) {
  auto& d = D();
  BatchRun(state, [&] { AtrEmaBatch(d.high, d.low, d.close, d.out[0], 14); });
}
BENCHMARK(BM_AtrEmaBatch);

void BM_AdxBatch(benchmark::State& state) {
  auto& d = D();
  BatchRun(state, [&] { AdxBatch(d.high, d.low, d.close, AdxOut{d.out[0], d.out[1], d.out[2]}, 14); });
}
BENCHMARK(BM_AdxBatch);

void BM_MacdBatch(benchmark::State& state) {
  auto& d = D();
  BatchRun(state, [&] { MacdBatch(d.close, MacdOut{d.out[0], d.out[1], d.out[2]}); });
}
BENCHMARK(BM_MacdBatch);

void BM_ElderImpulseBatch(benchmark::State& state) {
  auto& d = D();
  BatchRun(state, [&] { ElderImpulseBatch(d.close, d.out[0]); });
}
BENCHMARK(BM_ElderImpulseBatch);

void BM_BollingerBatch(benchmark::State& state) {
  auto& d = D();
  BatchRun(state, [&] { BollingerBatch(d.close, BandsOut{d.out[0], d.out[1], d.out[2], d.out[3]}, 20, 2.0); });
}
BENCHMARK(BM_BollingerBatch);

void BM_KeltnerBatch(benchmark::State& state) {
  auto& d = D();
  BatchRun(state, [&] { KeltnerBatch(d.high, d.low, d.close, BandsOut{d.out[0], d.out[1], d.out[2], d.out[3]}); });
}
BENCHMARK(BM_KeltnerBatch);

void BM_SqueezeBatch(benchmark::State& state) {
  auto& d = D();
  BatchRun(state, [&] { SqueezeBatch(d.high, d.low, d.close, d.out[0]); });
}
BENCHMARK(BM_SqueezeBatch);

void BM_SupertrendBatch(benchmark::State& state) {
  auto& d = D();
  BatchRun(state, [&] { SupertrendBatch(d.high, d.low, d.close, SupertrendOut{d.out[0], d.out[1]}); });
}
BENCHMARK(BM_SupertrendBatch);

void BM_ChandelierBatch(benchmark::State& state) {
  auto& d = D();
  BatchRun(state, [&] { ChandelierBatch(d.high, d.low, d.close, ChandelierOut{d.out[0], d.out[1]}); });
}
BENCHMARK(BM_ChandelierBatch);

void BM_IchimokuBatch(benchmark::State& state) {
  auto& d = D();
  BatchRun(state, [&] {
    IchimokuBatch(d.high, d.low, d.close, IchimokuOut{d.out[0], d.out[1], d.out[2], d.out[3], d.out[4], d.out[5]});
  });
}
BENCHMARK(BM_IchimokuBatch);

void BM_RollingMaxBatch(benchmark::State& state) {
  auto& d = D();
  BatchRun(state, [&] { RollingMaxBatch(d.high, d.out[0], 20); });
}
BENCHMARK(BM_RollingMaxBatch);

void BM_HvCloseToCloseBatch(benchmark::State& state) {
  auto& d = D();
  BatchRun(state, [&] { HistVolCloseToCloseBatch(d.close, d.out[0], 20, 252.0); });
}
BENCHMARK(BM_HvCloseToCloseBatch);

void BM_HvParkinsonBatch(benchmark::State& state) {
  auto& d = D();
  BatchRun(state, [&] { HistVolParkinsonBatch(d.high, d.low, d.out[0], 20, 252.0); });
}
BENCHMARK(BM_HvParkinsonBatch);

void BM_HvGarmanKlassBatch(benchmark::State& state) {
  auto& d = D();
  BatchRun(state, [&] { HistVolGarmanKlassBatch(d.open, d.high, d.low, d.close, d.out[0], 20, 252.0); });
}
BENCHMARK(BM_HvGarmanKlassBatch);

void BM_SessionVwapBatch(benchmark::State& state) {
  auto& d = D();
  BatchRun(state, [&] { SessionVwapBatch(d.high, d.low, d.close, d.volume, d.session, d.out[0]); });
}
BENCHMARK(BM_SessionVwapBatch);

void BM_ObvBatch(benchmark::State& state) {
  auto& d = D();
  BatchRun(state, [&] { ObvBatch(d.close, d.volume, d.out[0]); });
}
BENCHMARK(BM_ObvBatch);

void BM_RelVolumeBarsBatch(benchmark::State& state) {
  auto& d = D();
  BatchRun(state, [&] { RelVolumeBarsBatch(d.volume, d.out[0], 20); });
}
BENCHMARK(BM_RelVolumeBarsBatch);

void BM_RelVolumeTimeOfDayBatch(benchmark::State& state) {
  auto& d = D();
  BatchRun(state, [&] { RelVolumeTimeOfDayBatch(d.volume, d.session, d.slot, d.out[0], d.out[1], 390, 20); });
}
BENCHMARK(BM_RelVolumeTimeOfDayBatch);

void BM_VolumeFlowBatch(benchmark::State& state) {
  auto& d = D();
  BatchRun(state, [&] { VolumeFlowBatch(d.close, d.volume, d.out[0], 50); });
}
BENCHMARK(BM_VolumeFlowBatch);

// ---- fused vs the same five separately ----

void BM_FusedEmaRsiAtrBollingerVwap(benchmark::State& state) {
  auto& d = D();
  const FusedInputs in{d.high, d.low, d.close, d.volume, d.session};
  const FusedOutputs out{d.out[0], d.out[1], d.out[2], d.out[3], d.out[4], d.out[5], d.out[6], d.out[7]};
  BatchRun(state, [&] { FusedBatch(in, out); });
}
BENCHMARK(BM_FusedEmaRsiAtrBollingerVwap);

void BM_SeparateEmaRsiAtrBollingerVwap(benchmark::State& state) {
  auto& d = D();
  BatchRun(state, [&] {
    EmaBatch(d.close, d.out[0], 20);
    RsiBatch(d.close, d.out[1], 14);
    AtrBatch(d.high, d.low, d.close, d.out[2], 14);
    BollingerBatch(d.close, BandsOut{d.out[3], d.out[4], d.out[5], d.out[6]}, 20, 2.0);
    SessionVwapBatch(d.high, d.low, d.close, d.volume, d.session, d.out[7]);
  });
}
BENCHMARK(BM_SeparateEmaRsiAtrBollingerVwap);

// ---- streaming: one Update plus reading the value(s), per bar ----

// Every value read is folded into a sink so none can be skipped; the state may stay in registers, as in a
// handler's tight loop. BM_StreamEmaInMemory shows the cost when the state goes through memory every update.
// Indicators with several lines have a variant that reads all of them every bar (a consumer that plots or
// tests every line pays for every line).
template <typename Indicator, typename Step, typename Read>
void Stream(benchmark::State& state, const Indicator& prototype, Step step, Read read) {
  auto& d = D();
  Indicator indicator = prototype;
  StartCycles();
  for (auto _ : state) {
    double sink = 0.0;
    for (std::size_t i = 0; i < kBars; ++i) {
      step(indicator, d, i);
      sink += read(indicator);
    }
    benchmark::DoNotOptimize(sink);
  }
  ReportCyclesPerBar(state, StopCycles());
  PerBar(state);
}

template <typename Indicator, typename Step>
void Stream(benchmark::State& state, const Indicator& prototype, Step step) {
  Stream(state, prototype, step, [](const Indicator& x) { return x.Value(); });
}

// Synthetic session clock for the session-keyed indicators: one-minute bars, a session opens every day.
constexpr std::int64_t kNsPerMinute = 60'000'000'000;
constexpr std::int64_t kNsPerDay = 1440 * kNsPerMinute;
std::int64_t SessionOpenNs(const Data& d, std::size_t i) { return d.session[i] * kNsPerDay; }
std::int64_t BarStartNs(const Data& d, std::size_t i) {
  return SessionOpenNs(d, i) + static_cast<std::int64_t>(d.slot[i]) * kNsPerMinute;
}

// Moving averages

void BM_StreamSma(benchmark::State& state) {
  Stream(state, Sma(20), [](Sma& x, const Data& d, std::size_t i) { x.Update(d.close[i]); });
}
TD_STREAM_BENCHMARK(BM_StreamSma);

/// The divider's floor, for the rows whose read needs a quotient and a square root (the historical
/// volatilities, the VWAP bands, Bollinger's width): one division and one square root of every bar's inputs
/// and nothing else, through the same harness. Zen 3 runs both on one divider (~4.5 + ~8.5 cycles per bar).
class QuotientPlusRoot {
 public:
  void Update(double numerator, double denominator, double radicand) {
    value_ = numerator / denominator + detail::SqrtOfClamped(radicand);
  }
  double Value() const { return value_; }

 private:
  double value_ = 0.0;
};

void BM_StreamFloorQuotientAndRoot(benchmark::State& state) {
  Stream(state, QuotientPlusRoot(), [](QuotientPlusRoot& x, const Data& d, std::size_t i) {
    x.Update(d.close[i], d.high[i], d.volume[i]);
  });
}
TD_STREAM_BENCHMARK(BM_StreamFloorQuotientAndRoot);

void BM_StreamEma(benchmark::State& state) {
  Stream(state, Ema(20), [](Ema& x, const Data& d, std::size_t i) { x.Update(d.close[i]); });
}
TD_STREAM_BENCHMARK(BM_StreamEma);

void BM_StreamEmaInMemory(benchmark::State& state) {
  auto& d = D();
  Ema ema(20);
  for (auto _ : state) {
    for (std::size_t i = 0; i < kBars; ++i) {
      ema.Update(d.close[i]);
      benchmark::DoNotOptimize(ema.Value());
    }
  }
  PerBar(state);
}
TD_STREAM_BENCHMARK(BM_StreamEmaInMemory);

void BM_StreamWilder(benchmark::State& state) {
  Stream(state, Wilder(14), [](Wilder& x, const Data& d, std::size_t i) { x.Update(d.close[i]); });
}
TD_STREAM_BENCHMARK(BM_StreamWilder);

void BM_StreamWma(benchmark::State& state) {
  Stream(state, Wma(20), [](Wma& x, const Data& d, std::size_t i) { x.Update(d.close[i]); });
}
TD_STREAM_BENCHMARK(BM_StreamWma);

// Momentum

void BM_StreamRsi(benchmark::State& state) {
  Stream(state, Rsi(14), [](Rsi& x, const Data& d, std::size_t i) { x.Update(d.close[i]); });
}
TD_STREAM_BENCHMARK(BM_StreamRsi);

void BM_StreamStochRsi(benchmark::State& state) {
  Stream(state, StochRsi(14, 14), [](StochRsi& x, const Data& d, std::size_t i) { x.Update(d.close[i]); });
}
TD_STREAM_BENCHMARK(BM_StreamStochRsi);

void BM_StreamMacd(benchmark::State& state) {
  Stream(state, Macd(), [](Macd& x, const Data& d, std::size_t i) { x.Update(d.close[i]); });
}
TD_STREAM_BENCHMARK(BM_StreamMacd);

void BM_StreamMacdAllLines(benchmark::State& state) {
  Stream(
      state, Macd(), [](Macd& x, const Data& d, std::size_t i) { x.Update(d.close[i]); },
      [](const Macd& x) { return x.Line() + x.Signal() + x.Histogram(); });
}
TD_STREAM_BENCHMARK(BM_StreamMacdAllLines);

void BM_StreamAdx(benchmark::State& state) {
  Stream(state, Adx(14), [](Adx& x, const Data& d, std::size_t i) { x.Update(d.high[i], d.low[i], d.close[i]); });
}
TD_STREAM_BENCHMARK(BM_StreamAdx);

void BM_StreamAdxWithDi(benchmark::State& state) {
  Stream(
      state, Adx(14), [](Adx& x, const Data& d, std::size_t i) { x.Update(d.high[i], d.low[i], d.close[i]); },
      [](const Adx& x) { return x.Value() + x.PlusDi() + x.MinusDi(); });
}
TD_STREAM_BENCHMARK(BM_StreamAdxWithDi);

void BM_StreamElderImpulse(benchmark::State& state) {
  Stream(state, ElderImpulse(), [](ElderImpulse& x, const Data& d, std::size_t i) { x.Update(d.close[i]); });
}
TD_STREAM_BENCHMARK(BM_StreamElderImpulse);

// Volatility

void BM_StreamTrueRange(benchmark::State& state) {
  Stream(state, TrueRange(),
         [](TrueRange& x, const Data& d, std::size_t i) { x.Update(d.high[i], d.low[i], d.close[i]); });
}
TD_STREAM_BENCHMARK(BM_StreamTrueRange);

void BM_StreamAtr(benchmark::State& state) {
  Stream(state, Atr(14), [](Atr& x, const Data& d, std::size_t i) { x.Update(d.high[i], d.low[i], d.close[i]); });
}
TD_STREAM_BENCHMARK(BM_StreamAtr);

void BM_StreamAtrEma(benchmark::State& state) {
  Stream(state, AtrEma(14), [](AtrEma& x, const Data& d, std::size_t i) { x.Update(d.high[i], d.low[i], d.close[i]); });
}
TD_STREAM_BENCHMARK(BM_StreamAtrEma);

void BM_StreamBollinger(benchmark::State& state) {
  Stream(
      state, Bollinger(20, 2.0), [](Bollinger& x, const Data& d, std::size_t i) { x.Update(d.close[i]); },
      [](const Bollinger& x) {
        const Bands b = x.Values();
        return b.upper + b.lower + b.width;
      });
}
TD_STREAM_BENCHMARK(BM_StreamBollinger);

void BM_StreamKeltner(benchmark::State& state) {
  Stream(
      state, Keltner(), [](Keltner& x, const Data& d, std::size_t i) { x.Update(d.high[i], d.low[i], d.close[i]); },
      [](const Keltner& x) {
        const Bands b = x.Values();
        return b.upper + b.lower + b.width;
      });
}
TD_STREAM_BENCHMARK(BM_StreamKeltner);

void BM_StreamSqueeze(benchmark::State& state) {
  Stream(state, Squeeze(), [](Squeeze& x, const Data& d, std::size_t i) { x.Update(d.high[i], d.low[i], d.close[i]); });
}
TD_STREAM_BENCHMARK(BM_StreamSqueeze);

void BM_StreamSupertrend(benchmark::State& state) {
  Stream(state, Supertrend(),
         [](Supertrend& x, const Data& d, std::size_t i) { x.Update(d.high[i], d.low[i], d.close[i]); });
}
TD_STREAM_BENCHMARK(BM_StreamSupertrend);

void BM_StreamSupertrendWithDirection(benchmark::State& state) {
  Stream(
      state, Supertrend(),
      [](Supertrend& x, const Data& d, std::size_t i) { x.Update(d.high[i], d.low[i], d.close[i]); },
      [](const Supertrend& x) { return x.Value() + static_cast<double>(x.Direction()); });
}
TD_STREAM_BENCHMARK(BM_StreamSupertrendWithDirection);

void BM_StreamChandelier(benchmark::State& state) {
  Stream(
      state, ChandelierExit(),
      [](ChandelierExit& x, const Data& d, std::size_t i) { x.Update(d.high[i], d.low[i], d.close[i]); },
      [](const ChandelierExit& x) { return x.LongStop() + x.ShortStop(); });
}
TD_STREAM_BENCHMARK(BM_StreamChandelier);

void BM_StreamHvCloseToClose(benchmark::State& state) {
  Stream(state, HistVolCloseToClose(20, 252.0),
         [](HistVolCloseToClose& x, const Data& d, std::size_t i) { x.Update(d.close[i]); });
}
TD_STREAM_BENCHMARK(BM_StreamHvCloseToClose);

void BM_StreamHvParkinson(benchmark::State& state) {
  Stream(state, HistVolParkinson(20, 252.0),
         [](HistVolParkinson& x, const Data& d, std::size_t i) { x.Update(d.high[i], d.low[i]); });
}
TD_STREAM_BENCHMARK(BM_StreamHvParkinson);

void BM_StreamHvGarmanKlass(benchmark::State& state) {
  Stream(state, HistVolGarmanKlass(20, 252.0), [](HistVolGarmanKlass& x, const Data& d, std::size_t i) {
    x.Update(d.open[i], d.high[i], d.low[i], d.close[i]);
  });
}
TD_STREAM_BENCHMARK(BM_StreamHvGarmanKlass);

// Rolling windows

void BM_StreamRollingMax(benchmark::State& state) {
  Stream(state, RollingMax(20), [](RollingMax& x, const Data& d, std::size_t i) { x.Update(d.high[i]); });
}
TD_STREAM_BENCHMARK(BM_StreamRollingMax);

void BM_StreamRollingMin(benchmark::State& state) {
  Stream(state, RollingMin(20), [](RollingMin& x, const Data& d, std::size_t i) { x.Update(d.low[i]); });
}
TD_STREAM_BENCHMARK(BM_StreamRollingMin);

void BM_StreamIchimoku(benchmark::State& state) {
  Stream(
      state, Ichimoku(),
      [](Ichimoku& x, const Data& d, std::size_t i) { x.Update(d.high[i], d.low[i], d.close[i]); },
      [](const Ichimoku& x) { return x.CloudA() + x.Tenkan(); });
}
TD_STREAM_BENCHMARK(BM_StreamIchimoku);

void BM_StreamIchimokuAllLines(benchmark::State& state) {
  Stream(
      state, Ichimoku(),
      [](Ichimoku& x, const Data& d, std::size_t i) { x.Update(d.high[i], d.low[i], d.close[i]); },
      [](const Ichimoku& x) {
        return x.Tenkan() + x.Kijun() + x.SenkouA() + x.SenkouB() + x.CloudA() + x.CloudB() + x.LaggedClose();
      });
}
TD_STREAM_BENCHMARK(BM_StreamIchimokuAllLines);

// Volume

void BM_StreamSessionVwap(benchmark::State& state) {
  Stream(state, SessionVwap(), [](SessionVwap& x, const Data& d, std::size_t i) {
    x.Update(d.high[i], d.low[i], d.close[i], d.volume[i], d.session[i]);
  });
}
TD_STREAM_BENCHMARK(BM_StreamSessionVwap);

void BM_StreamSessionVwapBands(benchmark::State& state) {
  Stream(
      state, SessionVwap(),
      [](SessionVwap& x, const Data& d, std::size_t i) {
        x.Update(d.high[i], d.low[i], d.close[i], d.volume[i], d.session[i]);
      },
      [](const SessionVwap& x) { return x.Upper(2.0) + x.Lower(2.0); });
}
TD_STREAM_BENCHMARK(BM_StreamSessionVwapBands);

void BM_StreamAnchoredVwap(benchmark::State& state) {
  Stream(state, AnchoredVwap(), [](AnchoredVwap& x, const Data& d, std::size_t i) {
    x.Update(d.high[i], d.low[i], d.close[i], d.volume[i]);
  });
}
TD_STREAM_BENCHMARK(BM_StreamAnchoredVwap);

void BM_StreamObv(benchmark::State& state) {
  Stream(state, Obv(), [](Obv& x, const Data& d, std::size_t i) { x.Update(d.close[i], d.volume[i]); });
}
TD_STREAM_BENCHMARK(BM_StreamObv);

void BM_StreamRelVolumeBars(benchmark::State& state) {
  Stream(state, RelVolumeBars(20), [](RelVolumeBars& x, const Data& d, std::size_t i) { x.Update(d.volume[i]); });
}
TD_STREAM_BENCHMARK(BM_StreamRelVolumeBars);

void BM_StreamRelVolumeTimeOfDay(benchmark::State& state) {
  Stream(state, RelVolumeTimeOfDay(390, 20),
         [](RelVolumeTimeOfDay& x, const Data& d, std::size_t i) { x.Update(d.volume[i], d.session[i], d.slot[i]); });
}
TD_STREAM_BENCHMARK(BM_StreamRelVolumeTimeOfDay);

void BM_StreamRelVolumeTimeOfDayBoth(benchmark::State& state) {
  Stream(
      state, RelVolumeTimeOfDay(390, 20),
      [](RelVolumeTimeOfDay& x, const Data& d, std::size_t i) { x.Update(d.volume[i], d.session[i], d.slot[i]); },
      [](const RelVolumeTimeOfDay& x) { return x.Value() + x.CumulativeValue(); });
}
TD_STREAM_BENCHMARK(BM_StreamRelVolumeTimeOfDayBoth);

void BM_StreamVolumeFlow(benchmark::State& state) {
  Stream(
      state, VolumeFlow(50), [](VolumeFlow& x, const Data& d, std::size_t i) { x.Update(d.close[i], d.volume[i]); },
      [](const VolumeFlow& x) { return x.Ratio() + x.Imbalance(); });
}
TD_STREAM_BENCHMARK(BM_StreamVolumeFlow);

// Session levels

void BM_StreamOpeningRange(benchmark::State& state) {
  Stream(
      state, OpeningRange(Duration(15 * kNsPerMinute), Duration(kNsPerMinute)),
      [](OpeningRange& x, const Data& d, std::size_t i) {
        x.Update(d.high[i], d.low[i], BarStartNs(d, i), SessionOpenNs(d, i));
      },
      [](const OpeningRange& x) { return x.High() + x.Low(); });
}
TD_STREAM_BENCHMARK(BM_StreamOpeningRange);

void BM_StreamSessionHighLow(benchmark::State& state) {
  Stream(
      state, SessionHighLow(),
      [](SessionHighLow& x, const Data& d, std::size_t i) { x.Update(d.high[i], d.low[i], d.session[i]); },
      [](const SessionHighLow& x) { return x.High() + x.Low(); });
}
TD_STREAM_BENCHMARK(BM_StreamSessionHighLow);

void BM_StreamPriorSessionHlc(benchmark::State& state) {
  Stream(
      state, PriorSessionHlc(),
      [](PriorSessionHlc& x, const Data& d, std::size_t i) {
        x.Update(d.high[i], d.low[i], d.close[i], d.session[i]);
      },
      [](const PriorSessionHlc& x) { return x.High() + x.Low() + x.Close(); });
}
TD_STREAM_BENCHMARK(BM_StreamPriorSessionHlc);

// Pivots are computed once per session from the prior session's H/L/C; per call here, every bar.
void BM_PivotsClassicAndCamarilla(benchmark::State& state) {
  auto& d = D();
  for (auto _ : state) {
    double sink = 0.0;
    for (std::size_t i = 0; i < kBars; ++i) {
      const ClassicPivots p = ComputeClassicPivots(d.high[i], d.low[i], d.close[i]);
      const CamarillaPivots c = ComputeCamarillaPivots(d.high[i], d.low[i], d.close[i]);
      sink += p.pivot + p.r1 + p.r2 + p.r3 + p.s1 + p.s2 + p.s3 + c.r1 + c.r2 + c.r3 + c.r4 + c.s1 + c.s2 + c.s3 +
              c.s4;
    }
    benchmark::DoNotOptimize(sink);
  }
  PerBar(state);
}
TD_STREAM_BENCHMARK(BM_PivotsClassicAndCamarilla);

// ---- streaming, updates alone ----

// The update by itself, for the indicators whose update-plus-read rows above are over 5 ns or within a tenth of
// it at the machine's quiet clock: the value is read once after the run, so no update can be skipped, and what
// Value() computes on demand (HV's square root, the VWAP and Bollinger bands, ADX's DI, the squeeze test) is left
// out. Those costs are in the rows above; these rows split a bar's cost into what an update costs and what
// reading costs.
template <typename Indicator, typename Step, typename Read>
void UpdatesAlone(benchmark::State& state, const Indicator& prototype, Step step, Read read) {
  auto& d = D();
  Indicator indicator = prototype;
  StartCycles();
  for (auto _ : state) {
    for (std::size_t i = 0; i < kBars; ++i) {
      step(indicator, d, i);
    }
    double value = read(indicator);
    benchmark::DoNotOptimize(value);
  }
  ReportCyclesPerBar(state, StopCycles());
  PerBar(state);
}

template <typename Indicator, typename Step>
void UpdatesAlone(benchmark::State& state, const Indicator& prototype, Step step) {
  UpdatesAlone(state, prototype, step, [](const Indicator& x) { return x.Value(); });
}

void BM_UpdateAdx(benchmark::State& state) {
  UpdatesAlone(state, Adx(14), [](Adx& x, const Data& d, std::size_t i) { x.Update(d.high[i], d.low[i], d.close[i]); });
}
TD_STREAM_BENCHMARK(BM_UpdateAdx);

void BM_UpdateSqueeze(benchmark::State& state) {
  UpdatesAlone(state, Squeeze(),
               [](Squeeze& x, const Data& d, std::size_t i) { x.Update(d.high[i], d.low[i], d.close[i]); });
}
TD_STREAM_BENCHMARK(BM_UpdateSqueeze);

void BM_UpdateHvCloseToClose(benchmark::State& state) {
  UpdatesAlone(state, HistVolCloseToClose(20, 252.0),
               [](HistVolCloseToClose& x, const Data& d, std::size_t i) { x.Update(d.close[i]); });
}
TD_STREAM_BENCHMARK(BM_UpdateHvCloseToClose);

void BM_UpdateHvParkinson(benchmark::State& state) {
  UpdatesAlone(state, HistVolParkinson(20, 252.0),
               [](HistVolParkinson& x, const Data& d, std::size_t i) { x.Update(d.high[i], d.low[i]); });
}
TD_STREAM_BENCHMARK(BM_UpdateHvParkinson);

void BM_UpdateHvGarmanKlass(benchmark::State& state) {
  UpdatesAlone(state, HistVolGarmanKlass(20, 252.0), [](HistVolGarmanKlass& x, const Data& d, std::size_t i) {
    x.Update(d.open[i], d.high[i], d.low[i], d.close[i]);
  });
}
TD_STREAM_BENCHMARK(BM_UpdateHvGarmanKlass);

void BM_UpdateIchimoku(benchmark::State& state) {
  UpdatesAlone(
      state, Ichimoku(), [](Ichimoku& x, const Data& d, std::size_t i) { x.Update(d.high[i], d.low[i], d.close[i]); },
      [](const Ichimoku& x) { return x.CloudA() + x.Tenkan(); });
}
TD_STREAM_BENCHMARK(BM_UpdateIchimoku);

void BM_UpdateSessionVwap(benchmark::State& state) {
  UpdatesAlone(state, SessionVwap(), [](SessionVwap& x, const Data& d, std::size_t i) {
    x.Update(d.high[i], d.low[i], d.close[i], d.volume[i], d.session[i]);
  });
}
TD_STREAM_BENCHMARK(BM_UpdateSessionVwap);

void BM_UpdateRelVolumeTimeOfDay(benchmark::State& state) {
  UpdatesAlone(state, RelVolumeTimeOfDay(390, 20), [](RelVolumeTimeOfDay& x, const Data& d, std::size_t i) {
    x.Update(d.volume[i], d.session[i], d.slot[i]);
  });
}
TD_STREAM_BENCHMARK(BM_UpdateRelVolumeTimeOfDay);

void BM_UpdateBollinger(benchmark::State& state) {
  UpdatesAlone(
      state, Bollinger(20, 2.0), [](Bollinger& x, const Data& d, std::size_t i) { x.Update(d.close[i]); },
      [](const Bollinger& x) {
        const Bands b = x.Values();
        return b.upper + b.lower + b.width;
      });
}
TD_STREAM_BENCHMARK(BM_UpdateBollinger);

void BM_UpdateSupertrend(benchmark::State& state) {
  UpdatesAlone(
      state, Supertrend(),
      [](Supertrend& x, const Data& d, std::size_t i) { x.Update(d.high[i], d.low[i], d.close[i]); },
      [](const Supertrend& x) { return x.Value() + static_cast<double>(x.Direction()); });
}
TD_STREAM_BENCHMARK(BM_UpdateSupertrend);

void BM_UpdateVolumeFlow(benchmark::State& state) {
  UpdatesAlone(
      state, VolumeFlow(50), [](VolumeFlow& x, const Data& d, std::size_t i) { x.Update(d.close[i], d.volume[i]); },
      [](const VolumeFlow& x) { return x.Ratio() + x.Imbalance(); });
}
TD_STREAM_BENCHMARK(BM_UpdateVolumeFlow);

}  // namespace
}  // namespace td::indicators

BENCHMARK_MAIN();
