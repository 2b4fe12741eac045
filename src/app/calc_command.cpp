// SPDX-License-Identifier: MIT
#include "app/calc_command.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <functional>
#include <iostream>
#include <limits>
#include <map>
#include <optional>
#include <sstream>
#include <string_view>

#include "app/cli.hpp"
#include "calendar/local_time.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "data/zone.hpp"
#include "indicators/batch.hpp"
#include "indicators/session_levels.hpp"
#include "options/black.hpp"
#include "options/implied_vol.hpp"

namespace td::app {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// ---- CSV text ----

/// One field of a CSV line and the 1-based character column where it starts.
struct Field {
  std::string_view text;
  std::uint32_t column = 1;
};

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') {
    s = s.substr(1, s.size() - 2);
  }
  return s;
}

/// Splits on commas (this reader does not support commas inside quoted fields).
std::vector<Field> SplitCsv(std::string_view line) {
  std::vector<Field> fields;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = line.find(',', start);
    const std::string_view raw = line.substr(start, comma == std::string_view::npos ? line.npos : comma - start);
    fields.push_back(Field{Trim(raw), static_cast<std::uint32_t>(start + 1)});
    if (comma == std::string_view::npos) {
      break;
    }
    start = comma + 1;
  }
  return fields;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

/// Quotes a field when it holds a comma, a quote or a line break.
std::string CsvEscape(std::string_view s) {
  if (s.find_first_of(",\"\n\r") == std::string_view::npos) {
    return std::string(s);
  }
  std::string out = "\"";
  for (const char c : s) {
    out += c == '"' ? std::string("\"\"") : std::string(1, c == '\n' || c == '\r' ? ' ' : c);
  }
  return out + "\"";
}

/// The shortest text that reads back as the same double; empty for NaN (warm-up or no value).
std::string FormatDouble(double value) {
  if (std::isnan(value)) {
    return {};
  }
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

std::optional<double> ParseDouble(std::string_view text) {
  double value = 0.0;
  if (!text.empty() && text.front() == '+') {
    text.remove_prefix(1);
  }
  const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || result.ec != std::errc() || result.ptr != text.data() + text.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

/// A text file split into lines (line endings removed), with 1-based line numbers.
struct CsvFile {
  std::vector<std::string> lines;
};

Result<CsvFile> ReadLines(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Error::Io("cannot open " + path);
  }
  CsvFile file;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') {
      line.pop_back();
    }
    file.lines.push_back(std::move(line));
  }
  if (in.bad()) {
    return Error::Io("cannot read " + path);
  }
  return file;
}

bool IsBlank(std::string_view line) {
  return line.find_first_not_of(" \t") == std::string_view::npos;
}

/// The index of the first non-blank line (the header), or npos.
std::size_t HeaderIndex(const CsvFile& file) {
  for (std::size_t i = 0; i < file.lines.size(); ++i) {
    if (!IsBlank(file.lines[i])) {
      return i;
    }
  }
  return std::string::npos;
}

/// Column index of each wanted name (case-insensitive) in the header; -1 when absent.
std::vector<int> FindColumns(const std::vector<Field>& header, const std::vector<std::string_view>& names) {
  std::vector<int> index(names.size(), -1);
  for (std::size_t n = 0; n < names.size(); ++n) {
    for (std::size_t c = 0; c < header.size(); ++c) {
      if (Lower(header[c].text) == names[n]) {
        index[n] = static_cast<int>(c);
        break;
      }
    }
  }
  return index;
}

Status WriteText(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) {
    return Error::Io("cannot create " + path);
  }
  out << text;
  out.flush();
  if (!out) {
    return Error::Io("cannot write " + path);
  }
  return Status();
}

/// Epoch seconds (<= 11 digits) or milliseconds (>= 12 digits) UTC, or ISO 8601 text. A reading without a zone
/// designator (calendar::ParseLocalDateTime, or a date alone) is wall-clock time in `zone`, as vendors write
/// exchange-local bars; one with a designator is the instant it names.
std::optional<UnixNanos> ParseTime(std::string_view text, data::ZoneConverter& zone) {
  if (!text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    if (text.size() > 17) {
      return std::nullopt;
    }
    std::int64_t value = 0;
    std::from_chars(text.data(), text.data() + text.size(), value);
    return text.size() >= 12 ? UnixNanos::FromMillis(value) : UnixNanos::FromSeconds(value);
  }
  const auto wall_clock = [&zone](CivilDate date, std::int64_t second_of_day, std::int64_t nanosecond) {
    return UnixNanos(zone.ToUtc(DaysFromCivil(date) * 86400 + second_of_day) * 1'000'000'000 + nanosecond);
  };
  if (auto local = calendar::ParseLocalDateTime(text); local.ok()) {
    return wall_clock(local->date, local->hour * 3600 + local->minute * 60 + local->second, local->nanosecond);
  }
  if (auto date = calendar::ParseCivilDate(text); date.ok()) {
    return wall_clock(*date, 0, 0);
  }
  auto parsed = UnixNanos::ParseIso8601(text);
  if (!parsed.ok()) {
    return std::nullopt;
  }
  return *parsed;
}

// ---- indicators ----

/// The bars of the input file as columns.
struct BarInputs {
  std::vector<double> open, high, low, close, volume;
  std::vector<std::int64_t> session;          // the exchange date (days since 1970-01-01 in --tz)
  std::vector<std::int64_t> time_ns;          // bar start, UTC
  std::vector<std::int32_t> second_of_day;    // bar start's local time of day in --tz, 0..86399
  std::vector<std::int64_t> session_open_ns;  // the first bar of the bar's session (its exchange date)
  std::int64_t bar_seconds = 86400;           // the bars' length: the most common gap within a session
};

/// The most common positive gap between consecutive bars of one session, the shortest of equally common ones
/// (86400 when no session has two bars).
std::int64_t CommonGapSeconds(const BarInputs& b) {
  std::map<std::int64_t, std::size_t> count;
  for (std::size_t i = 1; i < b.time_ns.size(); ++i) {
    const std::int64_t gap = (b.time_ns[i] - b.time_ns[i - 1]) / 1'000'000'000;
    if (b.session[i] == b.session[i - 1] && gap > 0) {
      ++count[gap];
    }
  }
  if (count.empty()) {
    return 86400;
  }
  return std::max_element(count.begin(), count.end(), [](const auto& x, const auto& y) { return x.second < y.second; })
      ->first;
}

/// What a parameter accepts: a whole number (a period), any positive number, or an instant (ISO 8601 or epoch
/// seconds/milliseconds, kept as epoch seconds; an instant is an indicator's only parameter).
enum class ParamKind : std::uint8_t { kWhole, kReal, kInstant };
constexpr ParamKind kWhole = ParamKind::kWhole;
constexpr ParamKind kReal = ParamKind::kReal;

/// One parameter of an indicator: its meaning, what it accepts, and its default.
struct ParamDef {
  std::string_view name;
  ParamKind kind = kWhole;
  double fallback = 0.0;
};

using Outputs = std::vector<std::vector<double>>;
using ComputeFn = std::function<void(const BarInputs&, const std::vector<double>&, Outputs&)>;

/// An indicator the command knows: parameters, output parts (empty name = one unnamed output), computation.
struct IndicatorDef {
  std::string_view name;
  std::string_view description;
  std::vector<ParamDef> params;
  std::vector<std::string_view> parts;
  ComputeFn compute;
};

/// Calls level(i, high, low, close) with the previous session's figures for every bar that has a previous session.
template <typename Level>
void ForEachPriorSession(const BarInputs& b, Level&& level) {
  const std::size_t n = b.close.size();
  std::vector<double> high(n), low(n), close(n);
  indicators::PriorSessionHlcBatch(b.high, b.low, b.close, b.session, indicators::HlcOut{high, low, close});
  for (std::size_t i = 0; i < n; ++i) {
    if (!std::isnan(close[i])) {
      level(i, high[i], low[i], close[i]);
    }
  }
}

int P(const std::vector<double>& params, std::size_t i) {
  return static_cast<int>(params[i]);
}

const std::vector<IndicatorDef>& Registry() {
  using namespace indicators;  // NOLINT(google-build-using-namespace): the batch functions read better unqualified
  static const std::vector<IndicatorDef> registry = {
      {"sma",
       "simple moving average of close",
       {{"period", kWhole, 20}},
       {""},
       [](const BarInputs& b, const std::vector<double>& p, Outputs& o) { SmaBatch(b.close, o[0], P(p, 0)); }},
      {"ema",
       "exponential moving average of close (SMA seed)",
       {{"period", kWhole, 20}},
       {""},
       [](const BarInputs& b, const std::vector<double>& p, Outputs& o) { EmaBatch(b.close, o[0], P(p, 0)); }},
      {"wma",
       "linearly weighted moving average of close",
       {{"period", kWhole, 20}},
       {""},
       [](const BarInputs& b, const std::vector<double>& p, Outputs& o) { WmaBatch(b.close, o[0], P(p, 0)); }},
      {"rsi",
       "Wilder RSI of close",
       {{"period", kWhole, 14}},
       {""},
       [](const BarInputs& b, const std::vector<double>& p, Outputs& o) { RsiBatch(b.close, o[0], P(p, 0)); }},
      {"stochrsi",
       "stochastic RSI in [0,1]",
       {{"rsi_period", kWhole, 14}, {"stoch_period", kWhole, 14}},
       {""},
       [](const BarInputs& b, const std::vector<double>& p, Outputs& o) {
         StochRsiBatch(b.close, o[0], P(p, 0), P(p, 1));
       }},
      {"macd",
       "MACD line, signal and histogram",
       {{"fast", kWhole, 12}, {"slow", kWhole, 26}, {"signal", kWhole, 9}},
       {"line", "signal", "hist"},
       [](const BarInputs& b, const std::vector<double>& p, Outputs& o) {
         MacdBatch(b.close, MacdOut{o[0], o[1], o[2]}, P(p, 0), P(p, 1), P(p, 2));
       }},
      {"atr",
       "Wilder average true range",
       {{"period", kWhole, 14}},
       {""},
       [](const BarInputs& b, const std::vector<double>& p, Outputs& o) {
         AtrBatch(b.high, b.low, b.close, o[0], P(p, 0));
       }},
      {"adx",
       "Wilder ADX with +DI and -DI",
       {{"period", kWhole, 14}},
       {"adx", "plus_di", "minus_di"},
       [](const BarInputs& b, const std::vector<double>& p, Outputs& o) {
         AdxBatch(b.high, b.low, b.close, AdxOut{o[0], o[1], o[2]}, P(p, 0));
       }},
      {"bbands",
       "Bollinger bands (population sigma); width = (upper-lower)/middle",
       {{"period", kWhole, 20}, {"k", kReal, 2.0}},
       {"upper", "middle", "lower", "width"},
       [](const BarInputs& b, const std::vector<double>& p, Outputs& o) {
         BollingerBatch(b.close, BandsOut{o[1], o[0], o[2], o[3]}, P(p, 0), p[1]);
       }},
      {"keltner",
       "Keltner channel: EMA +- mult x Wilder ATR",
       {{"ema_period", kWhole, 20}, {"atr_period", kWhole, 10}, {"mult", kReal, 2.0}},
       {"upper", "middle", "lower", "width"},
       [](const BarInputs& b, const std::vector<double>& p, Outputs& o) {
         KeltnerBatch(b.high, b.low, b.close, BandsOut{o[1], o[0], o[2], o[3]}, P(p, 0), P(p, 1), p[2]);
       }},
      {"supertrend",
       "Supertrend line and direction (+1 up, -1 down)",
       {{"atr_period", kWhole, 10}, {"mult", kReal, 3.0}},
       {"line", "direction"},
       [](const BarInputs& b, const std::vector<double>& p, Outputs& o) {
         SupertrendBatch(b.high, b.low, b.close, SupertrendOut{o[0], o[1]}, P(p, 0), p[1]);
       }},
      {"obv",
       "on-balance volume",
       {},
       {""},
       [](const BarInputs& b, const std::vector<double>&, Outputs& o) { ObvBatch(b.close, b.volume, o[0]); }},
      {"vwap",
       "session VWAP of the typical price; sessions by exchange date in --tz",
       {},
       {""},
       [](const BarInputs& b, const std::vector<double>&, Outputs& o) {
         SessionVwapBatch(b.high, b.low, b.close, b.volume, b.session, o[0]);
       }},
      {"hv",
       "close-to-close historical volatility (log returns, sample sigma), annualised fraction",
       {{"period", kWhole, 20}, {"periods_per_year", kReal, 252.0}},
       {""},
       [](const BarInputs& b, const std::vector<double>& p, Outputs& o) {
         HistVolCloseToCloseBatch(b.close, o[0], P(p, 0), p[1]);
       }},
      {"hv_parkinson",
       "Parkinson high-low volatility, annualised fraction",
       {{"period", kWhole, 20}, {"periods_per_year", kReal, 252.0}},
       {""},
       [](const BarInputs& b, const std::vector<double>& p, Outputs& o) {
         HistVolParkinsonBatch(b.high, b.low, o[0], P(p, 0), p[1]);
       }},
      {"hv_gk",
       "Garman-Klass OHLC volatility, annualised fraction",
       {{"period", kWhole, 20}, {"periods_per_year", kReal, 252.0}},
       {""},
       [](const BarInputs& b, const std::vector<double>& p, Outputs& o) {
         HistVolGarmanKlassBatch(b.open, b.high, b.low, b.close, o[0], P(p, 0), p[1]);
       }},
      {"tr",
       "true range (high - low on the first bar)",
       {},
       {""},
       [](const BarInputs& b, const std::vector<double>&, Outputs& o) {
         TrueRangeBatch(b.high, b.low, b.close, o[0]);
       }},
      {"atr_ema",
       "EMA-smoothed true range (alpha 2/(n+1), SMA seed): NOT Wilder's ATR",
       {{"period", kWhole, 14}},
       {""},
       [](const BarInputs& b, const std::vector<double>& p, Outputs& o) {
         AtrEmaBatch(b.high, b.low, b.close, o[0], P(p, 0));
       }},
      {"squeeze",
       "1 while Bollinger(bb_period, bb_k) lies inside Keltner(EMA kc_period +- kc_mult x ATR kc_atr_period), else 0",
       {{"bb_period", kWhole, 20},
        {"bb_k", kReal, 2.0},
        {"kc_period", kWhole, 20},
        {"kc_atr_period", kWhole, 20},
        {"kc_mult", kReal, 1.5}},
       {""},
       [](const BarInputs& b, const std::vector<double>& p, Outputs& o) {
         SqueezeBatch(b.high, b.low, b.close, o[0], P(p, 0), p[1], P(p, 2), P(p, 3), p[4]);
       }},
      {"chandelier",
       "chandelier exits: highest high - mult x ATR (long), lowest low + mult x ATR (short)",
       {{"period", kWhole, 22}, {"mult", kReal, 3.0}},
       {"long", "short"},
       [](const BarInputs& b, const std::vector<double>& p, Outputs& o) {
         ChandelierBatch(b.high, b.low, b.close, ChandelierOut{o[0], o[1]}, P(p, 0), p[1]);
       }},
      {"elder",
       "Elder impulse: +1 green, -1 red, 0 blue (EMA and MACD histogram directions)",
       {{"ema_period", kWhole, 13}, {"fast", kWhole, 12}, {"slow", kWhole, 26}, {"signal", kWhole, 9}},
       {""},
       [](const BarInputs& b, const std::vector<double>& p, Outputs& o) {
         ElderImpulseBatch(b.close, o[0], P(p, 0), P(p, 1), P(p, 2), P(p, 3));
       }},
      {"ichimoku",
       "Ichimoku lines at the bar computed (no forward shift); cloud_a/cloud_b = the senkou spans of displacement "
       "bars ago",
       {{"tenkan", kWhole, 9}, {"kijun", kWhole, 26}, {"senkou_b", kWhole, 52}, {"displacement", kWhole, 26}},
       {"tenkan", "kijun", "senkou_a", "senkou_b", "cloud_a", "cloud_b"},
       [](const BarInputs& b, const std::vector<double>& p, Outputs& o) {
         IchimokuBatch(b.high, b.low, b.close, IchimokuOut{o[0], o[1], o[2], o[3], o[4], o[5]}, P(p, 0), P(p, 1),
                       P(p, 2), P(p, 3));
       }},
      {"highlow",
       "rolling highest high and lowest low of the last period bars",
       {{"period", kWhole, 20}},
       {"high", "low"},
       [](const BarInputs& b, const std::vector<double>& p, Outputs& o) {
         RollingMaxBatch(b.high, o[0], P(p, 0));
         RollingMinBatch(b.low, o[1], P(p, 0));
       }},
      {"vwap_bands",
       "session VWAP (typical price) and VWAP +- k x volume-weighted sigma",
       {{"k", kReal, 2.0}},
       {"vwap", "upper", "lower"},
       [](const BarInputs& b, const std::vector<double>& p, Outputs& o) {
         SessionVwapBandsBatch(b.high, b.low, b.close, b.volume, b.session, VwapBandsOut{o[0], o[1], o[2]}, p[0]);
       }},
      {"avwap",
       "VWAP (typical price) anchored at the first bar at or after the instant (ISO 8601 or epoch; the column "
       "names it in epoch seconds); empty before it",
       {{"anchor", ParamKind::kInstant, 0.0}},
       {""},
       [](const BarInputs& b, const std::vector<double>& p, Outputs& o) {
         const auto anchor_ns = static_cast<std::int64_t>(p[0]) * 1'000'000'000;
         const auto first = std::lower_bound(b.time_ns.begin(), b.time_ns.end(), anchor_ns);
         if (first != b.time_ns.end()) {
           AnchoredVwapBatch(b.high, b.low, b.close, b.volume, static_cast<std::size_t>(first - b.time_ns.begin()),
                             o[0]);
         }
       }},
      {"relvol",
       "this bar's volume over the mean volume of the period bars before it",
       {{"period", kWhole, 20}},
       {""},
       [](const BarInputs& b, const std::vector<double>& p, Outputs& o) {
         RelVolumeBarsBatch(b.volume, o[0], P(p, 0));
       }},
      {"relvol_tod",
       "time-of-day relative volume against the same time of the last sessions (slot) and the session's volume so "
       "far against theirs (cumulative)",
       {{"sessions", kWhole, 20}},
       {"slot", "cumulative"},
       [](const BarInputs& b, const std::vector<double>& p, Outputs& o) {
         const std::int64_t slots = (86400 + b.bar_seconds - 1) / b.bar_seconds;
         std::vector<std::int32_t> slot(b.second_of_day.size());
         for (std::size_t i = 0; i < slot.size(); ++i) {
           slot[i] = static_cast<std::int32_t>(b.second_of_day[i] / b.bar_seconds);
         }
         RelVolumeTimeOfDayBatch(b.volume, b.session, slot, o[0], o[1], static_cast<int>(slots), P(p, 0));
       }},
      {"volflow",
       "up-volume over down-volume of the last period bars (tick rule on the close)",
       {{"period", kWhole, 20}},
       {""},
       [](const BarInputs& b, const std::vector<double>& p, Outputs& o) {
         VolumeFlowBatch(b.close, b.volume, o[0], P(p, 0));
       }},
      {"opening_range",
       "high and low of the session's first minutes (a session opens at its first bar); empty until complete",
       {{"minutes", kWhole, 15}},
       {"high", "low"},
       [](const BarInputs& b, const std::vector<double>& p, Outputs& o) {
         OpeningRangeBatch(b.high, b.low, b.time_ns, b.session_open_ns, HighLowOut{o[0], o[1]},
                           Duration(std::chrono::minutes(P(p, 0))), Duration(std::chrono::seconds(b.bar_seconds)));
       }},
      {"session_hl",
       "running high and low of the session so far",
       {},
       {"high", "low"},
       [](const BarInputs& b, const std::vector<double>&, Outputs& o) {
         SessionHighLowBatch(b.high, b.low, b.session, HighLowOut{o[0], o[1]});
       }},
      {"prior_day",
       "the previous session's high, low and close",
       {},
       {"high", "low", "close"},
       [](const BarInputs& b, const std::vector<double>&, Outputs& o) {
         PriorSessionHlcBatch(b.high, b.low, b.close, b.session, HlcOut{o[0], o[1], o[2]});
       }},
      {"pivots",
       "classic floor pivots from the previous session's high, low and close",
       {},
       {"p", "r1", "r2", "r3", "s1", "s2", "s3"},
       [](const BarInputs& b, const std::vector<double>&, Outputs& o) {
         ForEachPriorSession(b, [&o](std::size_t i, double high, double low, double close) {
           const ClassicPivots v = ComputeClassicPivots(high, low, close);
           std::size_t k = 0;
           for (const double level : {v.pivot, v.r1, v.r2, v.r3, v.s1, v.s2, v.s3}) {
             o[k++][i] = level;
           }
         });
       }},
      {"camarilla",
       "Camarilla pivots from the previous session's high, low and close",
       {},
       {"r1", "r2", "r3", "r4", "s1", "s2", "s3", "s4"},
       [](const BarInputs& b, const std::vector<double>&, Outputs& o) {
         ForEachPriorSession(b, [&o](std::size_t i, double high, double low, double close) {
           const CamarillaPivots v = ComputeCamarillaPivots(high, low, close);
           std::size_t k = 0;
           for (const double level : {v.r1, v.r2, v.r3, v.r4, v.s1, v.s2, v.s3, v.s4}) {
             o[k++][i] = level;
           }
         });
       }},
  };
  return registry;
}

std::string IndicatorHelp() {
  std::string text = "Indicators (NAME[:P1[,P2...]]; columns NAME_PARAMS[_PART], empty during warm-up):\n";
  for (const IndicatorDef& def : Registry()) {
    text += "  " + std::string(def.name);
    for (std::size_t i = 0; i < def.params.size(); ++i) {
      text += (i == 0 ? ":" : ",") + std::string(def.params[i].name) + "=" + FormatDouble(def.params[i].fallback);
    }
    text += "  " + std::string(def.description);
    if (def.parts.size() > 1) {
      text += " [parts:";
      for (const std::string_view part : def.parts) {
        text += " " + std::string(part);
      }
      text += "]";
    }
    text += "\n";
  }
  return text;
}

/// An indicator request resolved against the registry.
struct IndicatorRequest {
  const IndicatorDef* def = nullptr;
  std::vector<double> params;
  std::vector<std::string> columns;
};

/// Parses "ema:20", "macd:12,26,9" or "bbands:20:2"; the error names the argument.
Result<IndicatorRequest> ParseIndicator(std::string_view arg, data::ZoneConverter& zone) {
  const auto bad = [&](const std::string& why) {
    return Error::InvalidArgument("--indicator " + std::string(arg) + ": " + why, "indicator");
  };
  const std::size_t colon = arg.find(':');
  const std::string name = Lower(Trim(arg.substr(0, colon)));
  IndicatorRequest request;
  for (const IndicatorDef& def : Registry()) {
    if (def.name == name) {
      request.def = &def;
    }
  }
  if (request.def == nullptr) {
    std::string known;
    for (const IndicatorDef& def : Registry()) {
      known += (known.empty() ? "" : ", ") + std::string(def.name);
    }
    return bad("unknown indicator '" + name + "' (known: " + known + ")");
  }
  const IndicatorDef& def = *request.def;
  std::vector<std::string_view> texts;
  const bool one_instant = def.params.size() == 1 && def.params[0].kind == ParamKind::kInstant;
  if (one_instant) {
    if (colon == std::string_view::npos || Trim(arg.substr(colon + 1)).empty()) {
      return bad(std::string(def.name) + " needs its " + std::string(def.params[0].name) + " instant, e.g. " +
                 std::string(def.name) + ":2025-09-16T13:30:00Z");
    }
    texts.push_back(Trim(arg.substr(colon + 1)));
  } else if (colon != std::string_view::npos) {
    std::string_view rest = arg.substr(colon + 1);
    std::size_t start = 0;
    while (true) {
      const std::size_t sep = rest.find_first_of(",:", start);
      texts.push_back(Trim(rest.substr(start, sep == std::string_view::npos ? rest.npos : sep - start)));
      if (sep == std::string_view::npos) {
        break;
      }
      start = sep + 1;
    }
  }
  if (texts.size() > def.params.size()) {
    return bad(std::string(def.name) + " takes " + std::to_string(def.params.size()) + " parameter(s), got " +
               std::to_string(texts.size()));
  }
  for (std::size_t i = 0; i < def.params.size(); ++i) {
    const ParamDef& param = def.params[i];
    if (i >= texts.size()) {
      request.params.push_back(param.fallback);
      continue;
    }
    if (param.kind == ParamKind::kInstant) {
      const auto instant = ParseTime(texts[i], zone);
      if (!instant.has_value()) {
        return bad(std::string(param.name) + " must be an ISO 8601 instant or epoch seconds/milliseconds, got '" +
                   std::string(texts[i]) + "'");
      }
      request.params.push_back(static_cast<double>(instant->seconds()));
      continue;
    }
    const auto value = ParseDouble(texts[i]);
    if (!value.has_value() || *value <= 0.0) {
      return bad(std::string(param.name) + " must be a positive number, got '" + std::string(texts[i]) + "'");
    }
    if (param.kind == kWhole && (*value != std::floor(*value) || *value > 100000.0)) {
      return bad(std::string(param.name) + " must be a whole number from 1 to 100000, got '" + std::string(texts[i]) +
                 "'");
    }
    request.params.push_back(*value);
  }
  if ((def.name == "macd" && request.params[0] >= request.params[1]) ||
      (def.name == "elder" && request.params[1] >= request.params[2])) {
    return bad("the fast period must be shorter than the slow one");
  }
  if (def.name == "relvol_tod" && request.params[0] > 1000) {  // a history per time-of-day slot: keep it bounded
    return bad("sessions must be at most 1000");
  }
  std::string base(def.name);
  for (const double value : request.params) {
    base += "_" + FormatDouble(value);
  }
  for (const std::string_view part : def.parts) {
    request.columns.push_back(part.empty() ? base : base + "_" + std::string(part));
  }
  return request;
}

// ---- options ----

/// iv, price and display-unit greeks of one row.
struct OptionResult {
  double iv = 0.0;
  options::Greeks greeks;
};

Result<OptionResult> PriceRow(const std::vector<Field>& fields, const std::vector<int>& col) {
  // col: model, type, underlying, strike, t_years, rate, dividend, price, vol
  const auto text = [&](std::size_t i) -> std::string_view {
    return col[i] >= 0 && static_cast<std::size_t>(col[i]) < fields.size() ? fields[col[i]].text : std::string_view();
  };
  static constexpr std::string_view kNames[] = {"model", "type",     "underlying", "strike", "t_years",
                                                "rate",  "dividend", "price",      "vol"};
  const auto number = [&](std::size_t i, bool required) -> Result<std::optional<double>> {
    const std::string_view t = text(i);
    if (t.empty()) {
      if (required) {
        return Error::InvalidArgument(std::string(kNames[i]) + " is missing", std::string(kNames[i]));
      }
      return std::optional<double>();
    }
    const auto value = ParseDouble(t);
    if (!value.has_value()) {
      return Error::InvalidArgument(std::string(kNames[i]) + " is not a number: '" + std::string(t) + "'",
                                    std::string(kNames[i]));
    }
    return std::optional<double>(*value);
  };
  const std::string model = Lower(text(0));
  if (model != "black76" && model != "bsm") {
    return Error::InvalidArgument("model must be black76 or bsm, got '" + std::string(text(0)) + "'", "model");
  }
  const std::string type_text = Lower(text(1));
  if (type_text != "call" && type_text != "put") {
    return Error::InvalidArgument("type must be call or put, got '" + std::string(text(1)) + "'", "type");
  }
  const options::OptionType type = type_text == "call" ? options::OptionType::kCall : options::OptionType::kPut;
  double values[9] = {};
  std::optional<double> price;
  std::optional<double> vol;
  for (std::size_t i = 2; i < 9; ++i) {
    const bool required = i <= 5;
    auto value = number(i, required);
    if (!value.ok()) {
      return value.error();
    }
    if (i == 7) {
      price = *value;
    } else if (i == 8) {
      vol = *value;
    } else {
      values[i] = value->value_or(0.0);
    }
  }
  const double underlying = values[2];
  const double strike = values[3];
  const double t_years = values[4];
  const double rate = values[5];
  const double dividend = values[6];
  if (underlying <= 0.0) {
    return Error::InvalidArgument("underlying must be positive", "underlying");
  }
  if (strike <= 0.0) {
    return Error::InvalidArgument("strike must be positive", "strike");
  }
  if (t_years < 0.0 || t_years > 100.0) {
    return Error::InvalidArgument("t_years must be within 0..100", "t_years");
  }
  if (std::abs(rate) > 10.0) {
    return Error::InvalidArgument("rate must be a decimal within -10..10 (0.05 = 5 %)", "rate");
  }
  if (std::abs(dividend) > 10.0) {
    return Error::InvalidArgument("dividend must be a decimal within -10..10 (0.02 = 2 %)", "dividend");
  }
  if (model == "black76" && dividend != 0.0) {
    return Error::InvalidArgument("dividend applies only to bsm (black76 prices off the forward)", "dividend");
  }
  if (price.has_value() == vol.has_value()) {
    return Error::InvalidArgument(price.has_value() ? "give either price or vol, not both" : "give price or vol",
                                  "price");
  }
  if (vol.has_value() && (*vol < 0.0 || *vol > 100.0)) {
    return Error::InvalidArgument("vol must be a decimal within 0..100 (0.2 = 20 %)", "vol");
  }
  OptionResult result;
  if (model == "black76") {
    const options::Black76Market market{underlying, strike, t_years, rate};
    if (price.has_value()) {
      auto iv = options::ImpliedVolBlack76(type, market, *price);
      if (!iv.ok()) {
        return iv.error();
      }
      vol = *iv;
    }
    result.greeks = options::Black76Greeks(type, market, *vol);
  } else {
    const options::BsmMarket market{underlying, strike, t_years, rate, dividend};
    if (price.has_value()) {
      auto iv = options::ImpliedVolBsm(type, market, *price);
      if (!iv.ok()) {
        return iv.error();
      }
      vol = *iv;
    }
    result.greeks = options::BsmGreeks(type, market, *vol);
  }
  result.iv = *vol;
  return result;
}

int Failure(const std::string& command, const std::string& message) {
  std::cerr << "tradedesk calc " << command << ": " << message << '\n';
  return kExitFailure;
}

}  // namespace

CalcCommands AddCalcCommands(CLI::App& app, CalcFlags& flags) {
  CalcCommands cmds;
  cmds.calc = app.add_subcommand("calc", "Batch analytics on CSV files: indicators and option prices/greeks.");
  cmds.calc->require_subcommand(1);

  cmds.indicators = cmds.calc->add_subcommand(
      "indicators", "Append indicator columns to an OHLCV CSV (header time,open,high,low,close,volume).");
  cmds.indicators
      ->add_option("--input", flags.input,
                   "Input CSV; time (or datetime, timestamp, date) is epoch seconds/milliseconds or ISO 8601, "
                   "wall-clock time in --tz when it has no offset")
      ->required();
  cmds.indicators->add_option("--output", flags.output, "Output CSV: the input columns plus one per output")
      ->required();
  cmds.indicators->add_option("--indicator", flags.indicators, "NAME[:PARAMS], repeatable, e.g. ema:20, macd:12,26,9")
      ->required();
  cmds.indicators->add_option("--tz", flags.tz,
                              "IANA zone whose dates delimit sessions (VWAP, session high/low, prior day, pivots, "
                              "opening range, time-of-day RVOL) and give the time of day (default UTC)");
  cmds.indicators->footer(IndicatorHelp() + "Exit codes: 0 ok, 1 unreadable input or a malformed row, 2 bad usage.");

  cmds.options = cmds.calc->add_subcommand("options",
                                           "Append iv,price,delta,gamma,vega,theta,rho,error to option rows "
                                           "(header model,type,underlying,strike,t_years,rate,dividend,price,vol).");
  cmds.options->add_option("--input", flags.input, "Input CSV")->required();
  cmds.options->add_option("--output", flags.output, "Output CSV")->required();
  cmds.options->footer(
      "model: black76 (underlying = forward) or bsm (underlying = spot, dividend = continuous yield).\n"
      "type: call or put. Give price (iv is solved) or vol (decimal, 0.2 = 20 %), not both.\n"
      "t_years in calendar years; rate and dividend are continuously compounded decimals.\n"
      "Units: iv decimal; delta and gamma per 1.00 of the underlying; vega per 1 vol point (0.01);\n"
      "theta per calendar day (year/365); rho per 1 % of rate (0.01).\n"
      "A row that cannot be priced keeps empty outputs and gets `line N: reason` in the error column;\n"
      "the batch goes on. Exit codes: 0 ok (even with bad rows), 1 unreadable input or missing columns, 2 bad usage.");
  return cmds;
}

int RunCalcIndicators(const CalcFlags& flags) {
  auto zone = data::ZoneConverter::Create(flags.tz);
  if (!zone.ok()) {
    std::cerr << "tradedesk calc indicators: --tz " << flags.tz << ": " << zone.error().message << '\n';
    return kExitUsage;
  }
  std::vector<IndicatorRequest> requests;
  for (const std::string& arg : flags.indicators) {
    auto request = ParseIndicator(arg, *zone);
    if (!request.ok()) {
      std::cerr << "tradedesk calc indicators: " << request.error().message << '\n';
      return kExitUsage;
    }
    requests.push_back(std::move(request).value());
  }
  auto file = ReadLines(flags.input);
  if (!file.ok()) {
    return Failure("indicators", file.error().message);
  }
  const std::size_t header_index = HeaderIndex(*file);
  if (header_index == std::string::npos) {
    return Failure("indicators", flags.input + ": the file is empty");
  }
  const std::vector<Field> header = SplitCsv(file->lines[header_index]);
  static const std::vector<std::string_view> kColumns = {"time", "open", "high", "low", "close", "volume"};
  std::vector<int> col = FindColumns(header, kColumns);
  for (const std::string_view alias : {"datetime", "timestamp", "date"}) {  // vendors' names for the time column
    if (col[0] < 0) {
      col[0] = FindColumns(header, {alias})[0];
    }
  }
  for (std::size_t i = 0; i < kColumns.size(); ++i) {
    if (col[i] < 0) {
      return Failure("indicators", flags.input + ":" + std::to_string(header_index + 1) + ": the header has no '" +
                                       std::string(kColumns[i]) +
                                       "' column (expected time,open,high,low,close,volume)");
    }
  }

  BarInputs bars;
  std::vector<std::size_t> row_lines;
  std::vector<double>* series[] = {nullptr, &bars.open, &bars.high, &bars.low, &bars.close, &bars.volume};
  for (std::size_t li = header_index + 1; li < file->lines.size(); ++li) {
    const std::string& line = file->lines[li];
    if (IsBlank(line)) {
      continue;
    }
    const std::vector<Field> fields = SplitCsv(line);
    const auto where = [&](std::size_t c) {
      const std::uint32_t column = static_cast<std::size_t>(col[c]) < fields.size()
                                       ? fields[col[c]].column
                                       : static_cast<std::uint32_t>(line.size() + 1);
      return flags.input + ":" + std::to_string(li + 1) + ":" + std::to_string(column) + ": ";
    };
    for (std::size_t c = 0; c < kColumns.size(); ++c) {
      if (static_cast<std::size_t>(col[c]) >= fields.size()) {
        return Failure("indicators", where(c) + "the row has no " + std::string(kColumns[c]) + " field");
      }
    }
    const auto time = ParseTime(fields[col[0]].text, *zone);
    if (!time.has_value()) {
      return Failure("indicators", where(0) + "time '" + std::string(fields[col[0]].text) +
                                       "' is neither ISO 8601 nor epoch seconds/milliseconds");
    }
    for (std::size_t c = 1; c < kColumns.size(); ++c) {
      const auto value = ParseDouble(fields[col[c]].text);
      if (!value.has_value() || *value < 0.0) {
        return Failure("indicators", where(c) + std::string(kColumns[c]) + " '" + std::string(fields[col[c]].text) +
                                         "' is not a non-negative number");
      }
      series[c]->push_back(*value);
    }
    const std::size_t n = bars.close.size() - 1;
    if (bars.low[n] > bars.high[n]) {
      return Failure("indicators", where(3) + "low is above high");
    }
    const std::int64_t local = zone->ToLocal(time->seconds());
    const std::int64_t day = local / 86400 - (local % 86400 < 0 ? 1 : 0);  // floor: the local calendar day
    if (!bars.time_ns.empty() && time->nanos() <= bars.time_ns.back()) {
      return Failure("indicators", where(0) + "time '" + std::string(fields[col[0]].text) +
                                       "' is not after the previous row's (rows must be in time order)");
    }
    bars.session.push_back(day);
    bars.time_ns.push_back(time->nanos());
    bars.second_of_day.push_back(static_cast<std::int32_t>(local - day * 86400));
    const bool opens = bars.session.size() == 1 || bars.session[bars.session.size() - 2] != day;
    bars.session_open_ns.push_back(opens ? time->nanos() : bars.session_open_ns.back());
    row_lines.push_back(li);
  }
  bars.bar_seconds = CommonGapSeconds(bars);

  std::vector<std::vector<double>> columns;
  std::string out_header = file->lines[header_index];
  for (const IndicatorRequest& request : requests) {
    Outputs outputs(request.def->parts.size(), std::vector<double>(bars.close.size(), kNaN));
    request.def->compute(bars, request.params, outputs);
    for (std::size_t p = 0; p < outputs.size(); ++p) {
      out_header += "," + request.columns[p];
      columns.push_back(std::move(outputs[p]));
    }
  }
  std::string text = out_header + "\n";
  for (std::size_t r = 0; r < row_lines.size(); ++r) {
    text += file->lines[row_lines[r]];
    for (const std::vector<double>& column : columns) {
      text += "," + FormatDouble(column[r]);
    }
    text += "\n";
  }
  if (auto status = WriteText(flags.output, text); !status.ok()) {
    return Failure("indicators", status.error().message);
  }
  std::cerr << "tradedesk calc indicators: " << row_lines.size() << " rows, " << columns.size() << " columns added -> "
            << flags.output << '\n';
  return kExitOk;
}

int RunCalcOptions(const CalcFlags& flags) {
  auto file = ReadLines(flags.input);
  if (!file.ok()) {
    return Failure("options", file.error().message);
  }
  const std::size_t header_index = HeaderIndex(*file);
  if (header_index == std::string::npos) {
    return Failure("options", flags.input + ": the file is empty");
  }
  static const std::vector<std::string_view> kColumns = {"model", "type",     "underlying", "strike", "t_years",
                                                         "rate",  "dividend", "price",      "vol"};
  const std::vector<int> col = FindColumns(SplitCsv(file->lines[header_index]), kColumns);
  for (std::size_t i = 0; i < kColumns.size(); ++i) {
    if (col[i] < 0 && kColumns[i] != "dividend") {
      return Failure("options", flags.input + ":" + std::to_string(header_index + 1) + ": the header has no '" +
                                    std::string(kColumns[i]) +
                                    "' column (expected model,type,underlying,strike,t_years,rate,dividend,price,vol)");
    }
  }
  std::string text = file->lines[header_index] + ",iv,price,delta,gamma,vega,theta,rho,error\n";
  std::size_t rows = 0;
  std::size_t bad = 0;
  for (std::size_t li = header_index + 1; li < file->lines.size(); ++li) {
    const std::string& line = file->lines[li];
    if (IsBlank(line)) {
      continue;
    }
    ++rows;
    auto result = PriceRow(SplitCsv(line), col);
    text += line;
    if (result.ok()) {
      const options::Greeks& g = result->greeks;
      for (const double value :
           {result->iv, g.price, g.delta, g.gamma, g.VegaPerPoint(), g.ThetaPerDay(), g.RhoPerPoint()}) {
        text += "," + FormatDouble(value);
      }
      text += ",\n";
    } else {
      ++bad;
      const Error& error = result.error();
      text += ",,,,,,,," +
              CsvEscape("line " + std::to_string(li + 1) + ": " +
                        (error.field.empty() ? std::string() : error.field + ": ") + error.message) +
              "\n";
    }
  }
  if (auto status = WriteText(flags.output, text); !status.ok()) {
    return Failure("options", status.error().message);
  }
  std::cerr << "tradedesk calc options: " << rows << " rows, " << bad << " with errors -> " << flags.output << '\n';
  return kExitOk;
}

}  // namespace td::app
