// SPDX-License-Identifier: MIT
#include "runtime/cache.hpp"

#include <algorithm>

namespace td::runtime {

Cache::Cache(CacheConfig config) : config_(config) {
  TD_CHECK(config_.bar_history > 0) << "cache bar_history must be positive";
}

Status Cache::AddInstrument(const Instrument& instrument) {
  TD_TRY(instrument.Validate());
  instruments_.insert_or_assign(instrument.id, instrument);
  return {};
}

const Instrument* Cache::FindInstrument(const InstrumentId& id) const {
  auto it = instruments_.find(id);
  return it == instruments_.end() ? nullptr : &it->second;
}

std::vector<InstrumentId> Cache::InstrumentIds() const {
  std::vector<InstrumentId> ids;
  ids.reserve(instruments_.size());
  for (const auto& [id, instrument] : instruments_) {
    ids.push_back(id);
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::vector<const Instrument*> Cache::DerivativesOf(const InstrumentId& underlying) const {
  std::vector<const Instrument*> found;
  for (const auto& [id, instrument] : instruments_) {
    if (instrument.IsDerivative() && instrument.underlying == underlying) {
      found.push_back(&instrument);
    }
  }
  std::sort(found.begin(), found.end(), [](const Instrument* a, const Instrument* b) { return a->id < b->id; });
  return found;
}

Result<bool> Cache::Update(const QuoteTick& quote) {
  if (quote.instrument_id.empty()) {
    return Error::InvalidArgument("quote without instrument id", "instrument_id");
  }
  auto [it, inserted] = quotes_.try_emplace(quote.instrument_id, quote);
  if (inserted) {
    return true;
  }
  if (quote.ts_event < it->second.ts_event) {
    return false;
  }
  it->second = quote;
  return true;
}

Result<bool> Cache::Update(const TradeTick& trade) {
  if (trade.instrument_id.empty()) {
    return Error::InvalidArgument("trade without instrument id", "instrument_id");
  }
  auto [it, inserted] = trades_.try_emplace(trade.instrument_id, trade);
  if (inserted) {
    return true;
  }
  if (trade.ts_event < it->second.ts_event) {
    return false;
  }
  it->second = trade;
  return true;
}

Result<bool> Cache::Update(const InstrumentId& instrument_id, BarSpec spec, const Bar& bar) {
  if (instrument_id.empty()) {
    return Error::InvalidArgument("bar without instrument id", "instrument_id");
  }
  if (!bar.IsConsistent()) {
    return Error::InvalidArgument("bar of " + instrument_id.value() + " " + spec.ToString() +
                                      " has inconsistent OHLC: low " + bar.low.ToString() + ", high " +
                                      bar.high.ToString(),
                                  "bar");
  }
  auto [it, inserted] = bars_.try_emplace(BarKey{instrument_id, spec});
  Series& series = it->second;
  if (inserted) {
    series.ring.resize(config_.bar_history);
  }
  if (series.count > 0) {
    const std::size_t last = (series.next + series.ring.size() - 1) % series.ring.size();
    if (bar.ts_event < series.ring[last].ts_event) {
      return false;
    }
    if (bar.ts_event == series.ring[last].ts_event) {
      series.ring[last] = bar;
      return true;
    }
  }
  series.ring[series.next] = bar;
  series.next = (series.next + 1) % series.ring.size();
  series.count = std::min(series.count + 1, series.ring.size());
  return true;
}

const QuoteTick* Cache::Quote(const InstrumentId& id) const {
  auto it = quotes_.find(id);
  return it == quotes_.end() ? nullptr : &it->second;
}

const TradeTick* Cache::Trade(const InstrumentId& id) const {
  auto it = trades_.find(id);
  return it == trades_.end() ? nullptr : &it->second;
}

const Bar* Cache::LastBar(const InstrumentId& id, BarSpec spec) const {
  return BarAgo(id, spec, 0);
}

const Bar* Cache::BarAgo(const InstrumentId& id, BarSpec spec, std::size_t ago) const {
  auto it = bars_.find(BarKey{id, spec});
  if (it == bars_.end() || ago >= it->second.count) {
    return nullptr;
  }
  const Series& series = it->second;
  const std::size_t size = series.ring.size();
  return &series.ring[(series.next + size - 1 - ago) % size];
}

std::size_t Cache::BarCount(const InstrumentId& id, BarSpec spec) const {
  auto it = bars_.find(BarKey{id, spec});
  return it == bars_.end() ? 0 : it->second.count;
}

std::optional<Price> Cache::LastPrice(const InstrumentId& id) const {
  if (const TradeTick* trade = Trade(id)) {
    return trade->price;
  }
  if (const QuoteTick* quote = Quote(id); quote != nullptr && quote->IsTwoSided()) {
    return quote->Mid();
  }
  return std::nullopt;
}

std::vector<InstrumentId> Cache::QuotedInstruments() const {
  std::vector<InstrumentId> ids;
  ids.reserve(quotes_.size());
  for (const auto& [id, quote] : quotes_) {
    ids.push_back(id);
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::vector<BarKey> Cache::BarSeries() const {
  std::vector<BarKey> keys;
  keys.reserve(bars_.size());
  for (const auto& [key, series] : bars_) {
    keys.push_back(key);
  }
  std::sort(keys.begin(), keys.end());
  return keys;
}

}  // namespace td::runtime
