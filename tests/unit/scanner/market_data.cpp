// SPDX-License-Identifier: MIT
#include "unit/scanner/market_data.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "calendar/exchange_calendar.hpp"
#include "calendar/local_time.hpp"

namespace td::scanner::testing {

namespace {

constexpr std::int64_t kDayNs = 86'400'000'000'000;

std::vector<std::string> SplitCsv(const std::string& line) {
  std::vector<std::string> out;
  std::string field;
  std::stringstream ss(line);
  while (std::getline(ss, field, ','))
    out.push_back(field);
  return out;
}

/// Local wall clock to UTC through a per-date offset (taken at noon; sessions never straddle a DST change).
class LocalClock {
 public:
  explicit LocalClock(calendar::Exchange exchange) : zone_(calendar::ExchangeCalendar::Get(exchange).time_zone()) {}
  std::int64_t ToUtc(CivilDate d, int hour, int minute) {
    const std::int64_t days = DaysFromCivil(d);
    auto it = offsets_.find(days);
    if (it == offsets_.end()) {
      const auto noon = zone_.ToUtc(calendar::LocalDateTime{d, 12, 0, 0, 0}).value();
      it = offsets_.emplace(days, noon.nanos() - (days * kDayNs + 12 * 3'600'000'000'000)).first;
    }
    return days * kDayNs + (hour * 60 + minute) * 60'000'000'000LL + it->second;
  }

 private:
  calendar::TimeZone zone_;
  std::map<std::int64_t, std::int64_t> offsets_;
};

BarSeries Load(const std::string& name, BarSeries (*reader)(const std::string&)) {
  const std::string dir = DataDir();
  if (dir.empty())
    return {};
  return reader(dir + "/" + name);
}

}  // namespace

std::string DataDir() {
  std::string dir;
  if (const char* env = std::getenv("TRADEDESK_DATA_DIR"); env != nullptr && *env != '\0') {
    dir = env;
  } else {
    dir = std::string(TD_SOURCE_DIR) + "/../shared/data";
  }
  return std::filesystem::exists(dir + "/us_equity/intraday") ? dir : std::string();
}

BarSeries ReadUsBars(const std::string& path, BarSpec spec) {
  BarSeries s;
  s.spec = spec;
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  LocalClock clock(calendar::Exchange::kNyse);
  while (std::getline(in, line)) {
    const auto f = SplitCsv(line);
    if (f.size() < 6 || f[0].size() < 16)
      continue;
    const CivilDate d{std::stoi(f[0].substr(0, 4)), std::stoi(f[0].substr(5, 2)), std::stoi(f[0].substr(8, 2))};
    const std::int64_t t = clock.ToUtc(d, std::stoi(f[0].substr(11, 2)), std::stoi(f[0].substr(14, 2)));
    s.Push(t, std::stod(f[1]), std::stod(f[2]), std::stod(f[3]), std::stod(f[4]), std::stod(f[5]));
  }
  return s;
}

BarSeries ReadIndiaMinute(const std::string& path) {
  BarSeries s;
  s.spec = BarSpec{1, BarUnit::kMinute};
  std::ifstream in(path);
  std::string line;
  LocalClock clock(calendar::Exchange::kNse);
  while (std::getline(in, line)) {
    const auto f = SplitCsv(line);
    if (f.size() < 8)
      continue;
    const CivilDate d{std::stoi(f[1].substr(0, 4)), std::stoi(f[1].substr(4, 2)), std::stoi(f[1].substr(6, 2))};
    const std::int64_t end = clock.ToUtc(d, std::stoi(f[2].substr(0, 2)), std::stoi(f[2].substr(3, 2)));
    s.Push(end - 60'000'000'000LL, std::stod(f[3]), std::stod(f[4]), std::stod(f[5]), std::stod(f[6]), std::stod(f[7]));
  }
  return s;
}

BarSeries ReadDaily(const std::string& path) {
  BarSeries s;
  s.spec = BarSpec{1, BarUnit::kDay};
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    const auto f = SplitCsv(line);
    if (f.size() < 6)
      continue;
    const CivilDate d{std::stoi(f[0].substr(0, 4)), std::stoi(f[0].substr(5, 2)), std::stoi(f[0].substr(8, 2))};
    s.Push(DaysFromCivil(d) * kDayNs, std::stod(f[1]), std::stod(f[2]), std::stod(f[3]), std::stod(f[4]),
           std::stod(f[5]));
  }
  return s;
}

BarSeries ReadEpochBars(const std::string& path, BarSpec spec) {
  BarSeries s;
  s.spec = spec;
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    const auto f = SplitCsv(line);
    if (f.size() < 5)
      continue;
    const double v = f.size() > 5 && !f[5].empty() ? std::stod(f[5]) : 0.0;
    s.Push(std::stoll(f[0]) * 1'000'000'000LL, std::stod(f[1]), std::stod(f[2]), std::stod(f[3]), std::stod(f[4]), v);
  }
  return s;
}

BarSeries Slice(const BarSeries& s, std::int64_t from, std::int64_t to) {
  BarSeries out;
  out.spec = s.spec;
  const auto a = static_cast<std::size_t>(std::lower_bound(s.ts.begin(), s.ts.end(), from) - s.ts.begin());
  const auto b = static_cast<std::size_t>(std::lower_bound(s.ts.begin(), s.ts.end(), to) - s.ts.begin());
  out.Reserve(b > a ? b - a : 0);
  for (std::size_t i = a; i < b; ++i)
    out.Push(s.ts[i], s.open[i], s.high[i], s.low[i], s.close[i], s.volume[i]);
  return out;
}

BarSeries Concat(const BarSeries& a, const BarSeries& b) {
  BarSeries out = a;
  for (std::size_t i = 0; i < b.size(); ++i)
    out.Push(b.ts[i], b.open[i], b.high[i], b.low[i], b.close[i], b.volume[i]);
  return out;
}

UnixNanos LocalTime(calendar::Exchange exchange, const std::string& text) {
  const auto local = calendar::ParseLocalDateTime(text).value();
  return calendar::ExchangeCalendar::Get(exchange).time_zone().ToUtc(local).value();
}

const BarSeries& Spy1m() {
  static const BarSeries s = Load("us_equity/intraday/SPY_1min_20250915_20260319_rth.csv", [](const std::string& p) {
    return ReadUsBars(p, BarSpec{1, BarUnit::kMinute});
  });
  return s;
}
const BarSeries& Qqq1m() {
  static const BarSeries s = Load("us_equity/intraday/QQQ_1min_20250915_20260319_rth.csv", [](const std::string& p) {
    return ReadUsBars(p, BarSpec{1, BarUnit::kMinute});
  });
  return s;
}
const BarSeries& Spy5m() {
  return Bars5m("SPY");
}
const BarSeries& Bars5m(const std::string& symbol) {
  static std::map<std::string, BarSeries> cache;
  auto it = cache.find(symbol);
  if (it == cache.end()) {
    const std::string dir = DataDir();
    BarSeries s;
    if (!dir.empty()) {
      s = ReadUsBars(dir + "/us_equity/intraday/" + symbol + "_5min_20250512_20260312.csv",
                     BarSpec{5, BarUnit::kMinute});
    }
    it = cache.emplace(symbol, std::move(s)).first;
  }
  return it->second;
}
const BarSeries& SpyDaily() {
  static const BarSeries s = Load("us_equity/daily/SPY_daily_stooq_20180226_20260209.csv", ReadDaily);
  return s;
}
const BarSeries& Nifty1m() {
  static const BarSeries s = [] {
    const std::string dir = DataDir();
    if (dir.empty())
      return BarSeries{};
    BarSeries out = ReadIndiaMinute(dir + "/india/index_1min/NIFTY_1min_2022_NOV.txt");
    out = Concat(out, ReadIndiaMinute(dir + "/india/index_1min/NIFTY_1min_2022_DEC.txt"));
    return Concat(out, ReadIndiaMinute(dir + "/india/index_1min/NIFTY_1min_2023_JAN.txt"));
  }();
  return s;
}
const BarSeries& BankNifty1m() {
  static const BarSeries s = [] {
    const std::string dir = DataDir();
    if (dir.empty())
      return BarSeries{};
    BarSeries out = ReadIndiaMinute(dir + "/india/index_1min/BNF_1min_2022_NOV.txt");
    out = Concat(out, ReadIndiaMinute(dir + "/india/index_1min/BNF_1min_2022_DEC.txt"));
    return Concat(out, ReadIndiaMinute(dir + "/india/index_1min/BNF_1min_2023_JAN.txt"));
  }();
  return s;
}
std::shared_ptr<const BarSeries> Vix5m() {
  static const std::shared_ptr<const BarSeries> s = [] {
    const std::string dir = DataDir();
    if (dir.empty())
      return std::shared_ptr<const BarSeries>();
    return std::make_shared<const BarSeries>(
        ReadEpochBars(dir + "/us_index_vix/VIX_5min_tradingview_20250811_20260213.csv", BarSpec{5, BarUnit::kMinute}));
  }();
  return s;
}

SymbolInput UsInput(const std::string& symbol, const BarSeries& bars, UnixNanos as_of, int lookback_days,
                    const BarSeries* daily) {
  SymbolInput in;
  in.symbol = symbol;
  in.exchange = calendar::Exchange::kNyse;
  in.instrument =
      Instrument::Equity(InstrumentId::Of("NYSE:" + symbol),
                         ContractSpec{Price::Parse("0.01").value(), Quantity::FromUnits(1), Quantity::FromUnits(1), 2})
          .value();
  in.intraday = Slice(bars, as_of.nanos() - lookback_days * kDayNs, as_of.nanos() + kDayNs);
  if (daily != nullptr)
    in.daily = Slice(*daily, 0, as_of.nanos());
  return in;
}

SymbolInput NiftyInput(UnixNanos as_of, int lookback_days) {
  SymbolInput in;
  in.symbol = "NIFTY";
  in.sector = "INDEX";
  in.exchange = calendar::Exchange::kNse;
  in.instrument =
      Instrument::Equity(InstrumentId::Of("NSE:NIFTY"),
                         ContractSpec{Price::Parse("0.05").value(), Quantity::FromUnits(1), Quantity::FromUnits(1), 2})
          .value();
  in.intraday = Slice(Nifty1m(), as_of.nanos() - lookback_days * kDayNs, as_of.nanos() + kDayNs);
  return in;
}

SymbolInput BankNiftyInput(UnixNanos as_of, int lookback_days) {
  SymbolInput in = NiftyInput(as_of, lookback_days);
  in.symbol = "BANKNIFTY";
  in.instrument =
      Instrument::Equity(InstrumentId::Of("NSE:BANKNIFTY"),
                         ContractSpec{Price::Parse("0.05").value(), Quantity::FromUnits(1), Quantity::FromUnits(1), 2})
          .value();
  in.intraday = Slice(BankNifty1m(), as_of.nanos() - lookback_days * kDayNs, as_of.nanos() + kDayNs);
  return in;
}

}  // namespace td::scanner::testing
