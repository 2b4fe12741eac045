// SPDX-License-Identifier: MIT
// Indicator throughput on 10 million synthetic bars (a seeded random walk, generated once). The "per_bar"
// counter is CPU time per bar (printed with an SI prefix, e.g. "3.2ns"). Aims (issue "Analytics"; TA-Lib measured on
// this machine class): EMA 3.5, RSI 8, ATR 8, Bollinger 7.5, VWAP 2.5 ns/bar; fused EMA+RSI+ATR+Bollinger+VWAP < 12
// ns/bar; each streaming Update < 5 ns.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "indicators/batch.hpp"
#include "indicators/fused.hpp"
#include "indicators/ichimoku.hpp"

namespace td::indicators {
namespace {

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

void PerBar(benchmark::State& state) {
  state.counters["per_bar"] = benchmark::Counter(
      static_cast<double>(kBars), benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

// ---- baseline: the memory traffic floor of reading one series and writing one ----

void BM_BaselineCopyOneSeries(benchmark::State& state) {
  auto& d = D();
  for (auto _ : state) {
    std::copy(d.close.begin(), d.close.end(), d.out[0].begin());
    benchmark::ClobberMemory();
  }
  PerBar(state);
}
BENCHMARK(BM_BaselineCopyOneSeries);

// ---- batch ----

void BM_SmaBatch(benchmark::State& state) {
  auto& d = D();
  for (auto _ : state) {
    SmaBatch(d.close, d.out[0], 20);
    benchmark::ClobberMemory();
  }
  PerBar(state);
}
BENCHMARK(BM_SmaBatch);

void BM_EmaBatch(benchmark::State& state) {
  auto& d = D();
  for (auto _ : state) {
    EmaBatch(d.close, d.out[0], 20);
    benchmark::ClobberMemory();
  }
  PerBar(state);
}
BENCHMARK(BM_EmaBatch);

void BM_WmaBatch(benchmark::State& state) {
  auto& d = D();
  for (auto _ : state) {
    WmaBatch(d.close, d.out[0], 20);
    benchmark::ClobberMemory();
  }
  PerBar(state);
}
BENCHMARK(BM_WmaBatch);

void BM_RsiBatch(benchmark::State& state) {
  auto& d = D();
  for (auto _ : state) {
    RsiBatch(d.close, d.out[0], 14);
    benchmark::ClobberMemory();
  }
  PerBar(state);
}
BENCHMARK(BM_RsiBatch);

void BM_StochRsiBatch(benchmark::State& state) {
  auto& d = D();
  for (auto _ : state) {
    StochRsiBatch(d.close, d.out[0], 14, 14);
    benchmark::ClobberMemory();
  }
  PerBar(state);
}
BENCHMARK(BM_StochRsiBatch);

void BM_AtrBatch(benchmark::State& state) {
  auto& d = D();
  for (auto _ : state) {
    AtrBatch(d.high, d.low, d.close, d.out[0], 14);
    benchmark::ClobberMemory();
  }
  PerBar(state);
}
BENCHMARK(BM_AtrBatch);

void BM_AtrEmaBatch(benchmark::State& state) {
  auto& d = D();
  for (auto _ : state) {
    AtrEmaBatch(d.high, d.low, d.close, d.out[0], 14);
    benchmark::ClobberMemory();
  }
  PerBar(state);
}
BENCHMARK(BM_AtrEmaBatch);

void BM_AdxBatch(benchmark::State& state) {
  auto& d = D();
  for (auto _ : state) {
    AdxBatch(d.high, d.low, d.close, AdxOut{d.out[0], d.out[1], d.out[2]}, 14);
    benchmark::ClobberMemory();
  }
  PerBar(state);
}
BENCHMARK(BM_AdxBatch);

void BM_MacdBatch(benchmark::State& state) {
  auto& d = D();
  for (auto _ : state) {
    MacdBatch(d.close, MacdOut{d.out[0], d.out[1], d.out[2]});
    benchmark::ClobberMemory();
  }
  PerBar(state);
}
BENCHMARK(BM_MacdBatch);

void BM_ElderImpulseBatch(benchmark::State& state) {
  auto& d = D();
  for (auto _ : state) {
    ElderImpulseBatch(d.close, d.out[0]);
    benchmark::ClobberMemory();
  }
  PerBar(state);
}
BENCHMARK(BM_ElderImpulseBatch);

void BM_BollingerBatch(benchmark::State& state) {
  auto& d = D();
  for (auto _ : state) {
    BollingerBatch(d.close, BandsOut{d.out[0], d.out[1], d.out[2], d.out[3]}, 20, 2.0);
    benchmark::ClobberMemory();
  }
  PerBar(state);
}
BENCHMARK(BM_BollingerBatch);

void BM_KeltnerBatch(benchmark::State& state) {
  auto& d = D();
  for (auto _ : state) {
    KeltnerBatch(d.high, d.low, d.close, BandsOut{d.out[0], d.out[1], d.out[2], d.out[3]});
    benchmark::ClobberMemory();
  }
  PerBar(state);
}
BENCHMARK(BM_KeltnerBatch);

void BM_SqueezeBatch(benchmark::State& state) {
  auto& d = D();
  for (auto _ : state) {
    SqueezeBatch(d.high, d.low, d.close, d.out[0]);
    benchmark::ClobberMemory();
  }
  PerBar(state);
}
BENCHMARK(BM_SqueezeBatch);

void BM_SupertrendBatch(benchmark::State& state) {
  auto& d = D();
  for (auto _ : state) {
    SupertrendBatch(d.high, d.low, d.close, SupertrendOut{d.out[0], d.out[1]});
    benchmark::ClobberMemory();
  }
  PerBar(state);
}
BENCHMARK(BM_SupertrendBatch);

void BM_ChandelierBatch(benchmark::State& state) {
  auto& d = D();
  for (auto _ : state) {
    ChandelierBatch(d.high, d.low, d.close, ChandelierOut{d.out[0], d.out[1]});
    benchmark::ClobberMemory();
  }
  PerBar(state);
}
BENCHMARK(BM_ChandelierBatch);

void BM_IchimokuBatch(benchmark::State& state) {
  auto& d = D();
  for (auto _ : state) {
    IchimokuBatch(d.high, d.low, d.close, IchimokuOut{d.out[0], d.out[1], d.out[2], d.out[3], d.out[4], d.out[5]});
    benchmark::ClobberMemory();
  }
  PerBar(state);
}
BENCHMARK(BM_IchimokuBatch);

void BM_RollingMaxBatch(benchmark::State& state) {
  auto& d = D();
  for (auto _ : state) {
    RollingMaxBatch(d.high, d.out[0], 20);
    benchmark::ClobberMemory();
  }
  PerBar(state);
}
BENCHMARK(BM_RollingMaxBatch);

void BM_HvCloseToCloseBatch(benchmark::State& state) {
  auto& d = D();
  for (auto _ : state) {
    HistVolCloseToCloseBatch(d.close, d.out[0], 20, 252.0);
    benchmark::ClobberMemory();
  }
  PerBar(state);
}
BENCHMARK(BM_HvCloseToCloseBatch);

void BM_HvParkinsonBatch(benchmark::State& state) {
  auto& d = D();
  for (auto _ : state) {
    HistVolParkinsonBatch(d.high, d.low, d.out[0], 20, 252.0);
    benchmark::ClobberMemory();
  }
  PerBar(state);
}
BENCHMARK(BM_HvParkinsonBatch);

void BM_HvGarmanKlassBatch(benchmark::State& state) {
  auto& d = D();
  for (auto _ : state) {
    HistVolGarmanKlassBatch(d.open, d.high, d.low, d.close, d.out[0], 20, 252.0);
    benchmark::ClobberMemory();
  }
  PerBar(state);
}
BENCHMARK(BM_HvGarmanKlassBatch);

void BM_SessionVwapBatch(benchmark::State& state) {
  auto& d = D();
  for (auto _ : state) {
    SessionVwapBatch(d.high, d.low, d.close, d.volume, d.session, d.out[0]);
    benchmark::ClobberMemory();
  }
  PerBar(state);
}
BENCHMARK(BM_SessionVwapBatch);

void BM_ObvBatch(benchmark::State& state) {
  auto& d = D();
  for (auto _ : state) {
    ObvBatch(d.close, d.volume, d.out[0]);
    benchmark::ClobberMemory();
  }
  PerBar(state);
}
BENCHMARK(BM_ObvBatch);

void BM_RelVolumeBarsBatch(benchmark::State& state) {
  auto& d = D();
  for (auto _ : state) {
    RelVolumeBarsBatch(d.volume, d.out[0], 20);
    benchmark::ClobberMemory();
  }
  PerBar(state);
}
BENCHMARK(BM_RelVolumeBarsBatch);

void BM_RelVolumeTimeOfDayBatch(benchmark::State& state) {
  auto& d = D();
  for (auto _ : state) {
    RelVolumeTimeOfDayBatch(d.volume, d.session, d.slot, d.out[0], d.out[1], 390, 20);
    benchmark::ClobberMemory();
  }
  PerBar(state);
}
BENCHMARK(BM_RelVolumeTimeOfDayBatch);

void BM_VolumeFlowBatch(benchmark::State& state) {
  auto& d = D();
  for (auto _ : state) {
    VolumeFlowBatch(d.close, d.volume, d.out[0], 50);
    benchmark::ClobberMemory();
  }
  PerBar(state);
}
BENCHMARK(BM_VolumeFlowBatch);

// ---- fused vs the same five separately ----

void BM_FusedEmaRsiAtrBollingerVwap(benchmark::State& state) {
  auto& d = D();
  const FusedInputs in{d.high, d.low, d.close, d.volume, d.session};
  const FusedOutputs out{d.out[0], d.out[1], d.out[2], d.out[3], d.out[4], d.out[5], d.out[6], d.out[7]};
  for (auto _ : state) {
    FusedBatch(in, out);
    benchmark::ClobberMemory();
  }
  PerBar(state);
}
BENCHMARK(BM_FusedEmaRsiAtrBollingerVwap);

void BM_SeparateEmaRsiAtrBollingerVwap(benchmark::State& state) {
  auto& d = D();
  for (auto _ : state) {
    EmaBatch(d.close, d.out[0], 20);
    RsiBatch(d.close, d.out[1], 14);
    AtrBatch(d.high, d.low, d.close, d.out[2], 14);
    BollingerBatch(d.close, BandsOut{d.out[3], d.out[4], d.out[5], d.out[6]}, 20, 2.0);
    SessionVwapBatch(d.high, d.low, d.close, d.volume, d.session, d.out[7]);
    benchmark::ClobberMemory();
  }
  PerBar(state);
}
BENCHMARK(BM_SeparateEmaRsiAtrBollingerVwap);

// ---- streaming: one Update plus reading the value, per bar ----

// Every value is folded into a sink so none can be skipped; the state may stay in registers, as in a
// handler's tight loop. BM_StreamEmaInMemory shows the cost when the state goes through memory every update.
template <typename Indicator, typename Step>
void Stream(benchmark::State& state, const Indicator& prototype, Step step) {
  auto& d = D();
  Indicator indicator = prototype;
  for (auto _ : state) {
    double sink = 0.0;
    for (std::size_t i = 0; i < kBars; ++i) {
      step(indicator, d, i);
      sink += indicator.Value();
    }
    benchmark::DoNotOptimize(sink);
  }
  PerBar(state);
}

void BM_StreamSma(benchmark::State& state) {
  Stream(state, Sma(20), [](Sma& x, const Data& d, std::size_t i) { x.Update(d.close[i]); });
}
BENCHMARK(BM_StreamSma);

void BM_StreamEma(benchmark::State& state) {
  Stream(state, Ema(20), [](Ema& x, const Data& d, std::size_t i) { x.Update(d.close[i]); });
}
BENCHMARK(BM_StreamEma);

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
BENCHMARK(BM_StreamEmaInMemory);

void BM_StreamRsi(benchmark::State& state) {
  Stream(state, Rsi(14), [](Rsi& x, const Data& d, std::size_t i) { x.Update(d.close[i]); });
}
BENCHMARK(BM_StreamRsi);

void BM_StreamAtr(benchmark::State& state) {
  Stream(state, Atr(14), [](Atr& x, const Data& d, std::size_t i) { x.Update(d.high[i], d.low[i], d.close[i]); });
}
BENCHMARK(BM_StreamAtr);

void BM_StreamBollinger(benchmark::State& state) {
  auto& d = D();
  Bollinger bb(20, 2.0);
  for (auto _ : state) {
    double sink = 0.0;
    for (std::size_t i = 0; i < kBars; ++i) {
      bb.Update(d.close[i]);
      const Bands b = bb.Values();
      sink += b.upper + b.lower + b.width;
    }
    benchmark::DoNotOptimize(sink);
  }
  PerBar(state);
}
BENCHMARK(BM_StreamBollinger);

void BM_StreamSessionVwap(benchmark::State& state) {
  Stream(state, SessionVwap(), [](SessionVwap& x, const Data& d, std::size_t i) {
    x.Update(d.high[i], d.low[i], d.close[i], d.volume[i], d.session[i]);
  });
}
BENCHMARK(BM_StreamSessionVwap);

void BM_StreamMacd(benchmark::State& state) {
  Stream(state, Macd(), [](Macd& x, const Data& d, std::size_t i) { x.Update(d.close[i]); });
}
BENCHMARK(BM_StreamMacd);

void BM_StreamAdx(benchmark::State& state) {
  Stream(state, Adx(14), [](Adx& x, const Data& d, std::size_t i) { x.Update(d.high[i], d.low[i], d.close[i]); });
}
BENCHMARK(BM_StreamAdx);

void BM_StreamSupertrend(benchmark::State& state) {
  Stream(state, Supertrend(),
         [](Supertrend& x, const Data& d, std::size_t i) { x.Update(d.high[i], d.low[i], d.close[i]); });
}
BENCHMARK(BM_StreamSupertrend);

void BM_StreamRollingMax(benchmark::State& state) {
  Stream(state, RollingMax(20), [](RollingMax& x, const Data& d, std::size_t i) { x.Update(d.high[i]); });
}
BENCHMARK(BM_StreamRollingMax);

void BM_StreamIchimoku(benchmark::State& state) {
  auto& d = D();
  Ichimoku ich;
  for (auto _ : state) {
    double sink = 0.0;
    for (std::size_t i = 0; i < kBars; ++i) {
      ich.Update(d.high[i], d.low[i], d.close[i]);
      sink += ich.CloudA() + ich.Tenkan();
    }
    benchmark::DoNotOptimize(sink);
  }
  PerBar(state);
}
BENCHMARK(BM_StreamIchimoku);

void BM_StreamRelVolumeTimeOfDay(benchmark::State& state) {
  Stream(state, RelVolumeTimeOfDay(390, 20),
         [](RelVolumeTimeOfDay& x, const Data& d, std::size_t i) { x.Update(d.volume[i], d.session[i], d.slot[i]); });
}
BENCHMARK(BM_StreamRelVolumeTimeOfDay);

}  // namespace
}  // namespace td::indicators

BENCHMARK_MAIN();
