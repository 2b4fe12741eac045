// SPDX-License-Identifier: MIT
#pragma once

#include <compare>
#include <cstddef>
#include <functional>
#include <optional>
#include <unordered_map>
#include <vector>

#include "core/fixed_point.hpp"
#include "core/ids.hpp"
#include "core/result.hpp"
#include "model/bar.hpp"
#include "model/instrument.hpp"
#include "model/tick.hpp"

namespace td::runtime {

/// How much history the cache keeps.
struct CacheConfig {
  std::size_t bar_history = 512;  // bars kept per (instrument, bar spec); at least 1
};

/// A bar series' identity: which instrument and which bar length.
struct BarKey {
  InstrumentId instrument_id;
  BarSpec spec;
  friend bool operator==(const BarKey&, const BarKey&) = default;
  friend auto operator<=>(const BarKey& a, const BarKey& b) {
    if (auto c = a.instrument_id <=> b.instrument_id; c != 0) {
      return c;
    }
    return a.spec <=> b.spec;
  }
};

/// The latest known market state and the instrument registry, owned by the kernel thread (single writer).
/// Updates older than what is stored are refused (returned false), so a late packet never rolls state
/// back. Lookups return pointers into the cache, valid until the next update of the same key.
/// Observable listings are sorted, so output does not depend on hash order.
class Cache {
 public:
  explicit Cache(CacheConfig config = {});

  /// Adds or replaces an instrument after validating it.
  Status AddInstrument(const Instrument& instrument);
  const Instrument* FindInstrument(const InstrumentId& id) const;
  /// All instrument ids, sorted.
  std::vector<InstrumentId> InstrumentIds() const;
  /// The derivatives whose underlying is `underlying`, sorted by id.
  std::vector<const Instrument*> DerivativesOf(const InstrumentId& underlying) const;

  /// Stores a quote; false when it is older (ts_event) than the stored one. Empty ids are an error.
  Result<bool> Update(const QuoteTick& quote);
  /// Stores a trade; false when it is older (ts_event) than the stored one. Empty ids are an error.
  Result<bool> Update(const TradeTick& trade);
  /// Appends a bar to its series, or replaces the last bar when it has the same start (a bar being built);
  /// false when it starts before the last bar. Inconsistent OHLC and empty ids are errors.
  Result<bool> Update(const InstrumentId& instrument_id, BarSpec spec, const Bar& bar);

  const QuoteTick* Quote(const InstrumentId& id) const;
  const TradeTick* Trade(const InstrumentId& id) const;
  const Bar* LastBar(const InstrumentId& id, BarSpec spec) const;
  /// The bar `ago` bars before the last (0 = last), or null when not held.
  const Bar* BarAgo(const InstrumentId& id, BarSpec spec, std::size_t ago) const;
  /// How many bars of the series are held (at most bar_history).
  std::size_t BarCount(const InstrumentId& id, BarSpec spec) const;
  /// The last trade price, else the quote midpoint, else nothing.
  std::optional<Price> LastPrice(const InstrumentId& id) const;

  /// Instruments with a quote, sorted.
  std::vector<InstrumentId> QuotedInstruments() const;
  /// Bar series held, sorted.
  std::vector<BarKey> BarSeries() const;

 private:
  struct BarKeyHash {
    std::size_t operator()(const BarKey& key) const noexcept {
      const std::size_t h = std::hash<InstrumentId>{}(key.instrument_id);
      return h ^ ((static_cast<std::size_t>(key.spec.step) << 8 | static_cast<std::size_t>(key.spec.unit)) *
                  0x9E3779B97F4A7C15ULL);
    }
  };
  /// A fixed-size ring of bars: allocated once per series, then updated in place.
  struct Series {
    std::vector<Bar> ring;
    std::size_t next = 0;   // slot the next bar goes to
    std::size_t count = 0;  // bars held
  };

  CacheConfig config_;
  std::unordered_map<InstrumentId, Instrument> instruments_;
  std::unordered_map<InstrumentId, QuoteTick> quotes_;
  std::unordered_map<InstrumentId, TradeTick> trades_;
  std::unordered_map<BarKey, Series, BarKeyHash> bars_;
};

}  // namespace td::runtime
