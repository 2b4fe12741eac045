// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string>

#include "calendar/exchange.hpp"
#include "core/time.hpp"
#include "scanner/context.hpp"

namespace td::scanner::testing {

/// The shared data folder ($TRADEDESK_DATA_DIR, else TD_SOURCE_DIR/../shared/data), or empty when absent.
std::string DataDir();

/// Reads "datetime,open,high,low,close,volume" with naive America/New_York bar-start times.
BarSeries ReadUsBars(const std::string& path, BarSpec spec);
/// Reads the Indian vendor layout "SYM,YYYYMMDD,HH:MM,O,H,L,C,V,OI" (IST, bar-END labels) as bar-start bars.
BarSeries ReadIndiaMinute(const std::string& path);
/// Reads "Date,Open,High,Low,Close,Volume" daily bars (ts = UTC midnight of the date).
BarSeries ReadDaily(const std::string& path);
/// Reads TradingView exports "time,open,high,low,close,Volume" (epoch seconds of bar start).
BarSeries ReadEpochBars(const std::string& path, BarSpec spec);

/// Bars with ts in [from, to).
BarSeries Slice(const BarSeries& s, std::int64_t from, std::int64_t to);
/// Appends `b` to `a` (b must start after a ends).
BarSeries Concat(const BarSeries& a, const BarSeries& b);

/// The UTC instant of a local wall-clock reading on an exchange ("2025-10-01 10:15").
UnixNanos LocalTime(calendar::Exchange exchange, const std::string& text);

/// Cached real series (empty when the data folder is absent).
const BarSeries& Spy1m();
const BarSeries& Qqq1m();
const BarSeries& Spy5m();
const BarSeries& Bars5m(const std::string& symbol);  // AAPL, TSLA, NVDA, QQQ, SPY
const BarSeries& SpyDaily();
const BarSeries& Nifty1m();      // Nov 2022 .. Jan 2023
const BarSeries& BankNifty1m();  // Nov 2022 .. Jan 2023
std::shared_ptr<const BarSeries> Vix5m();

/// A US equity input: bars in [as_of − lookback_days, as_of + 1 day) — the extra day of future bars lets every
/// test double as a look-ahead check — plus daily history.
SymbolInput UsInput(const std::string& symbol, const BarSeries& bars, UnixNanos as_of, int lookback_days = 6,
                    const BarSeries* daily = nullptr);
/// NIFTY as an NSE input with the F&O tick of 0.05.
SymbolInput NiftyInput(UnixNanos as_of, int lookback_days = 6);
SymbolInput BankNiftyInput(UnixNanos as_of, int lookback_days = 6);

}  // namespace td::scanner::testing
