// SPDX-License-Identifier: MIT
// Runs the real `tradedesk import` and `tradedesk calc` on files generated in a temp dir (and on the shared
// market data when present), then checks the bar store and the written CSVs.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "core/ids.hpp"
#include "data/bar_store.hpp"
#include "indicators/ichimoku.hpp"
#include "indicators/momentum.hpp"
#include "indicators/volatility.hpp"
#include "indicators/volume.hpp"
#include "model/bar.hpp"

namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::string kBinary = TD_TRADEDESK_BIN;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "td_cmd_test_XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::filesystem::path& path() const { return path_; }
  std::string Write(const std::string& name, std::string_view text) const {
    const auto file = path_ / name;
    std::ofstream(file, std::ios::binary) << text;
    return file.string();
  }

 private:
  std::filesystem::path path_;
};

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

struct RunResult {
  int code = -1;
  std::string out;
  std::string err;
};

/// Runs the binary to completion with stdout/stderr captured (stderr is a file, so not a terminal).
RunResult RunTradedesk(const std::vector<std::string>& args, const std::filesystem::path& dir) {
  const auto out_file = dir / "stdout.txt";
  const auto err_file = dir / "stderr.txt";
  std::vector<std::string> storage = {kBinary};
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& arg : storage) {
    argv.push_back(arg.data());
  }
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int out = ::open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = ::open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(out, 1);
    ::dup2(err, 2);
    ::execv(kBinary.c_str(), argv.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  RunResult result;
  result.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = ReadFile(out_file);
  result.err = ReadFile(err_file);
  return result;
}

/// A parsed CSV: the header names and the rows as text fields (quoted fields unquoted).
struct Csv {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;

  std::size_t Col(const std::string& name) const {
    for (std::size_t i = 0; i < header.size(); ++i) {
      if (header[i] == name) {
        return i;
      }
    }
    ADD_FAILURE() << "no column " << name;
    return 0;
  }
  /// The last column of this name (the options output repeats `price`).
  std::size_t LastCol(const std::string& name) const {
    for (std::size_t i = header.size(); i-- > 0;) {
      if (header[i] == name) {
        return i;
      }
    }
    ADD_FAILURE() << "no column " << name;
    return 0;
  }
  double Num(std::size_t row, const std::string& name) const { return std::stod(rows.at(row).at(Col(name))); }
};

std::vector<std::string> SplitLine(const std::string& line) {
  std::vector<std::string> fields;
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.push_back(field);
      field.clear();
    } else {
      field += c;
    }
  }
  fields.push_back(field);
  return fields;
}

Csv ReadCsv(const std::filesystem::path& path) {
  Csv csv;
  std::istringstream in(ReadFile(path));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) {
      continue;
    }
    if (csv.header.empty()) {
      csv.header = SplitLine(line);
    } else {
      csv.rows.push_back(SplitLine(line));
      EXPECT_EQ(csv.rows.back().size(), csv.header.size()) << line;
    }
  }
  return csv;
}

td::data::BarSeries OpenSeries(const std::filesystem::path& data_dir, const std::string& id, const std::string& spec) {
  td::data::BarStore store(data_dir);
  auto series = store.Open(td::InstrumentId::Of(id), td::BarSpec::Parse(spec).value());
  EXPECT_TRUE(series.ok()) << (series.ok() ? "" : series.error().ToString());
  return std::move(series).value();
}

constexpr const char* kGoodBars =
    "time,open,high,low,close,volume\n"
    "2024-01-02T14:30:00Z,10,11,9,10.5,100\n"
    "2024-01-02T14:31:00Z,10.5,12,10,11,200\n"
    "2024-01-02T14:32:00Z,11,11.5,10.75,11.25,150\n"
    "2024-01-02T14:33:00Z,11.25,12,10.5,11.5,300\n";

constexpr const char* kBadRowBars =
    "time,open,high,low,close,volume\n"
    "2024-01-02T14:30:00Z,10,11,9,10.5,100\n"
    "2024-01-02T14:31:00Z,10.5,x,10,11,200\n"
    "2024-01-02T14:32:00Z,11,11.5,10.75,11.25,150\n";

// ---- import ----

TEST(ImportCommand, HelpListsFlags) {
  TempDir dir;
  const RunResult r = RunTradedesk({"import", "--help"}, dir.path());
  EXPECT_EQ(r.code, 0);
  for (const char* flag : {"--data-dir", "--symbol", "--timeframe", "--format", "--on-error", "--tz", "--progress"}) {
    EXPECT_THAT(r.out, HasSubstr(flag));
  }
}

TEST(ImportCommand, ImportsAGoodFileAndIsIdempotent) {
  TempDir dir;
  const std::string file = dir.Write("good.csv", kGoodBars);
  const std::string data = (dir.path() / "data").string();
  RunResult r =
      RunTradedesk({"import", "--data-dir", data, "--symbol", "US:TEST", "--timeframe", "1m", file}, dir.path());
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("rows read 4, bars 4, stored 4"));
  EXPECT_THAT(r.out, HasSubstr("skipped 0"));
  EXPECT_THAT(r.err, Not(HasSubstr("MiB")));  // stderr is a file and --progress was not given

  const td::data::BarSeries series = OpenSeries(data, "US:TEST", "1m");
  ASSERT_EQ(series.size(), 4U);
  const td::Bar first = series.At(0);
  const td::Bar last = series.At(3);
  EXPECT_EQ(first.ts_event.ToIso8601(), "2024-01-02T14:30:00.000Z");
  EXPECT_DOUBLE_EQ(first.open.AsDouble(), 10.0);
  EXPECT_DOUBLE_EQ(first.high.AsDouble(), 11.0);
  EXPECT_DOUBLE_EQ(first.low.AsDouble(), 9.0);
  EXPECT_DOUBLE_EQ(first.close.AsDouble(), 10.5);
  EXPECT_DOUBLE_EQ(first.volume.AsDouble(), 100.0);
  EXPECT_EQ(last.ts_event.ToIso8601(), "2024-01-02T14:33:00.000Z");
  EXPECT_DOUBLE_EQ(last.close.AsDouble(), 11.5);
  EXPECT_DOUBLE_EQ(last.volume.AsDouble(), 300.0);

  r = RunTradedesk({"import", "--data-dir", data, "--symbol", "US:TEST", "--timeframe", "1m", file}, dir.path());
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("stored 0 (already stored 4)"));
  EXPECT_EQ(OpenSeries(data, "US:TEST", "1m").size(), 4U);
}

TEST(ImportCommand, SkipsABadRowAndReportsWhere) {
  TempDir dir;
  const std::string file = dir.Write("bad.csv", kBadRowBars);
  const std::string data = (dir.path() / "data").string();
  const RunResult r = RunTradedesk(
      {"import", "--data-dir", data, "--symbol", "US:TEST", "--timeframe", "1m", "--on-error", "skip", file},
      dir.path());
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("rows read 3, bars 2, stored 2"));
  EXPECT_THAT(r.out, HasSubstr("skipped 1"));
  EXPECT_THAT(r.out, HasSubstr("bad.csv:3:27:"));  // line 3, the 'x' in the high column
  EXPECT_THAT(r.out, HasSubstr("(high)"));
  const td::data::BarSeries series = OpenSeries(data, "US:TEST", "1m");
  ASSERT_EQ(series.size(), 2U);
  EXPECT_EQ(series.At(1).ts_event.ToIso8601(), "2024-01-02T14:32:00.000Z");
}

TEST(ImportCommand, AbortPolicyFailsTheFileAndStoresNothing) {
  TempDir dir;
  const std::string bad = dir.Write("bad.csv", kBadRowBars);
  const std::string good = dir.Write("good.csv", kGoodBars);
  const std::string data = (dir.path() / "data").string();
  const RunResult r = RunTradedesk(
      {"import", "--data-dir", data, "--symbol", "US:TEST", "--timeframe", "1m", "--on-error", "abort", bad, good},
      dir.path());
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("bad.csv:3:27:"));
  EXPECT_THAT(r.err, HasSubstr("aborted"));
  td::data::BarStore store(data);
  EXPECT_FALSE(store.Open(td::InstrumentId::Of("US:TEST"), td::BarSpec::Parse("1m").value()).ok());
}

TEST(ImportCommand, UnknownAndUndetectableFormats) {
  TempDir dir;
  const std::string good = dir.Write("good.csv", kGoodBars);
  const std::string junk = dir.Write("junk.bin", "hello world\n\x01\x02 garbage\n");
  const std::string data = (dir.path() / "data").string();
  RunResult r = RunTradedesk(
      {"import", "--data-dir", data, "--symbol", "US:TEST", "--timeframe", "1m", "--format", "nope", good}, dir.path());
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("--format nope"));
  r = RunTradedesk({"import", "--data-dir", data, "--symbol", "US:TEST", "--timeframe", "1m", junk, good}, dir.path());
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("junk.bin"));
  EXPECT_THAT(r.out, HasSubstr("imported 1 of 2 files"));  // skip policy: the next file is still imported
  EXPECT_EQ(OpenSeries(data, "US:TEST", "1m").size(), 4U);
}

TEST(ImportCommand, BadUsageExitsTwo) {
  TempDir dir;
  const std::string good = dir.Write("good.csv", kGoodBars);
  const std::string data = (dir.path() / "data").string();
  const std::vector<std::vector<std::string>> cases = {
      {"import", "--data-dir", data, "--symbol", "no-colon", "--timeframe", "1m", good},
      {"import", "--data-dir", data, "--symbol", "US:TEST", "--timeframe", "7q", good},
      {"import", "--data-dir", data, "--symbol", "US:TEST", "--timeframe", "1m", "--on-error", "ignore", good},
      {"import", "--data-dir", data, "--symbol", "US:TEST", "--timeframe", "1m", "--tz", "Mars/Olympus", good},
      {"import", "--data-dir", data, "--symbol", "US:TEST", "--timeframe", "1m"},
      {"import", "--symbol", "US:TEST", "--timeframe", "1m", good},
  };
  for (const auto& args : cases) {
    const RunResult r = RunTradedesk(args, dir.path());
    EXPECT_EQ(r.code, 2) << args[4] << ' ' << r.err;
  }
}

TEST(ImportCommand, ProgressOnLongImportsWhenAsked) {
  TempDir dir;
  std::string text = "time,open,high,low,close,volume\n";
  const std::int64_t start = 1704205800;  // 2024-01-02T14:30:00Z
  const int rows = 60000;                 // ~2.5 MiB: several progress callbacks
  for (int i = 0; i < rows; ++i) {
    text += std::to_string(start + 60LL * i) + ",100.25,101.5,99.75,100.5," + std::to_string(1000 + i) + "\n";
  }
  const std::string file = dir.Write("long.csv", text);
  const std::string data = (dir.path() / "data").string();
  const RunResult r = RunTradedesk(
      {"import", "--data-dir", data, "--symbol", "US:LONG", "--timeframe", "1m", "--progress", file}, dir.path());
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("MiB"));
  EXPECT_THAT(r.err, HasSubstr("long.csv"));
  const td::data::BarSeries series = OpenSeries(data, "US:LONG", "1m");
  ASSERT_EQ(series.size(), static_cast<std::size_t>(rows));
  EXPECT_EQ(series.At(rows - 1).ts_event.seconds(), start + 60LL * (rows - 1));
  EXPECT_DOUBLE_EQ(series.At(rows - 1).volume.AsDouble(), 1000.0 + rows - 1);
}

std::filesystem::path SharedDataDir() {
  const char* env = std::getenv("TRADEDESK_DATA_DIR");
  return env != nullptr ? std::filesystem::path(env) : std::filesystem::path(TD_SOURCE_DIR) / ".." / "shared" / "data";
}

TEST(ImportCommand, ImportsSharedDailyFile) {
  const auto file = SharedDataDir() / "us_equity" / "daily" / "SPY_daily_stooq_20180226_20260209.csv";
  if (!std::filesystem::exists(file)) {
    GTEST_SKIP() << "no shared data at " << file;
  }
  // The expected first and last bars, read independently from the file itself.
  std::ifstream in(file);
  std::string line;
  std::vector<std::string> lines;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') {
      line.pop_back();
    }
    if (!line.empty()) {
      lines.push_back(line);
    }
  }
  ASSERT_GT(lines.size(), 2U);
  const std::vector<std::string> first = SplitLine(lines[1]);
  const std::vector<std::string> last = SplitLine(lines.back());

  TempDir dir;
  const std::string data = (dir.path() / "data").string();
  const RunResult r = RunTradedesk(
      {"import", "--data-dir", data, "--symbol", "US:SPY", "--timeframe", "1D", file.string()}, dir.path());
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  const td::data::BarSeries series = OpenSeries(data, "US:SPY", "1D");
  ASSERT_EQ(series.size(), lines.size() - 1);
  EXPECT_EQ(series.At(0).ts_event.ToIso8601().substr(0, 10), first[0]);
  EXPECT_DOUBLE_EQ(series.At(0).open.AsDouble(), std::stod(first[1]));
  EXPECT_DOUBLE_EQ(series.At(0).close.AsDouble(), std::stod(first[4]));
  EXPECT_EQ(series.At(series.size() - 1).ts_event.ToIso8601().substr(0, 10), last[0]);
  EXPECT_DOUBLE_EQ(series.At(series.size() - 1).high.AsDouble(), std::stod(last[2]));
  EXPECT_DOUBLE_EQ(series.At(series.size() - 1).volume.AsDouble(), std::stod(last[5]));
  EXPECT_TRUE(series.Verify().ok());
}

TEST(ImportCommand, ImportsSharedIndianVendorFile) {
  const auto file = SharedDataDir() / "india" / "index_1min" / "NIFTY_1min_2022_DEC.txt";
  if (!std::filesystem::exists(file)) {
    GTEST_SKIP() << "no shared data at " << file;
  }
  TempDir dir;
  const std::string data = (dir.path() / "data").string();
  const RunResult r = RunTradedesk({"import", "--data-dir", data, "--symbol", "NSE_INDEX:NIFTY", "--timeframe", "1m",
                                    "--format", "indian_vendor", file.string()},
                                   dir.path());
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("indian_vendor"));
  // The store holds exactly what the summary says was stored.
  const std::string marker = "stored ";
  const std::size_t at = r.out.find(marker);
  ASSERT_NE(at, std::string::npos);
  const std::uint64_t stored = std::stoull(r.out.substr(at + marker.size()));
  const td::data::BarSeries series = OpenSeries(data, "NSE_INDEX:NIFTY", "1m");
  EXPECT_EQ(series.size(), stored);
  ASSERT_GT(series.size(), 1000U);
  EXPECT_LT(series.ts().front(), series.ts().back());
  EXPECT_EQ(series.At(0).ts_event.ToIso8601().substr(0, 10), "2022-12-01");
  EXPECT_TRUE(series.Verify().ok());
}

// ---- calc indicators ----

constexpr const char* kCalcBars =
    "time,open,high,low,close,volume\n"
    "2024-01-02T14:30:00Z,2,2,2,2,10\n"
    "1704205860,4,4,4,4,30\n"     // 14:31 as epoch seconds
    "1704205920000,6,6,6,6,10\n"  // 14:32 as epoch milliseconds
    "2024-01-02T14:33:00Z,8,8,8,8,20\n"
    "2024-01-03T14:30:00Z,10,10,10,10,10\n";

TEST(CalcIndicators, EmaAndVwapAgainstHandComputedValues) {
  TempDir dir;
  const std::string in = dir.Write("bars.csv", kCalcBars);
  const std::string out = (dir.path() / "out.csv").string();
  const RunResult r = RunTradedesk({"calc", "indicators", "--input", in, "--output", out, "--indicator", "ema:3",
                                    "--indicator", "vwap", "--indicator", "sma:2", "--indicator", "obv"},
                                   dir.path());
  ASSERT_EQ(r.code, 0) << r.err;
  const Csv csv = ReadCsv(out);
  ASSERT_EQ(csv.rows.size(), 5U);
  EXPECT_EQ(csv.header, (std::vector<std::string>{"time", "open", "high", "low", "close", "volume", "ema_3", "vwap",
                                                  "sma_2", "obv"}));
  // EMA(3), SMA seed: blank, blank, (2+4+6)/3 = 4, then alpha 0.5: 6, 8.
  EXPECT_EQ(csv.rows[0][csv.Col("ema_3")], "");
  EXPECT_EQ(csv.rows[1][csv.Col("ema_3")], "");
  EXPECT_DOUBLE_EQ(csv.Num(2, "ema_3"), 4.0);
  EXPECT_DOUBLE_EQ(csv.Num(3, "ema_3"), 6.0);
  EXPECT_DOUBLE_EQ(csv.Num(4, "ema_3"), 8.0);
  // Session VWAP: (2*10 + 4*30)/40 = 3.5; (140 + 60)/50 = 4; (200 + 160)/70; resets on the next UTC date.
  EXPECT_DOUBLE_EQ(csv.Num(0, "vwap"), 2.0);
  EXPECT_DOUBLE_EQ(csv.Num(1, "vwap"), 3.5);
  EXPECT_DOUBLE_EQ(csv.Num(2, "vwap"), 4.0);
  EXPECT_NEAR(csv.Num(3, "vwap"), 360.0 / 70.0, 1e-12);
  EXPECT_DOUBLE_EQ(csv.Num(4, "vwap"), 10.0);
  EXPECT_EQ(csv.rows[0][csv.Col("sma_2")], "");
  EXPECT_DOUBLE_EQ(csv.Num(1, "sma_2"), 3.0);
  // OBV: 0, +30, +10, +20, +10.
  EXPECT_DOUBLE_EQ(csv.Num(4, "obv"), 70.0);
  // The input columns are written back unchanged.
  EXPECT_EQ(csv.rows[1][0], "1704205860");
  EXPECT_EQ(csv.rows[2][0], "1704205920000");
}

TEST(CalcIndicators, VwapSessionsFollowTheZoneDate) {
  // 23:30 and 00:30 UTC are different UTC dates but the same New York date.
  TempDir dir;
  const std::string in = dir.Write("bars.csv",
                                   "time,open,high,low,close,volume\n"
                                   "2024-01-02T23:30:00Z,2,2,2,2,10\n"
                                   "2024-01-03T00:30:00Z,4,4,4,4,10\n");
  const std::string out_utc = (dir.path() / "utc.csv").string();
  const std::string out_ny = (dir.path() / "ny.csv").string();
  ASSERT_EQ(
      RunTradedesk({"calc", "indicators", "--input", in, "--output", out_utc, "--indicator", "vwap"}, dir.path()).code,
      0);
  ASSERT_EQ(RunTradedesk({"calc", "indicators", "--input", in, "--output", out_ny, "--indicator", "vwap", "--tz",
                          "America/New_York"},
                         dir.path())
                .code,
            0);
  EXPECT_DOUBLE_EQ(ReadCsv(out_utc).Num(1, "vwap"), 4.0);
  EXPECT_DOUBLE_EQ(ReadCsv(out_ny).Num(1, "vwap"), 3.0);
}

TEST(CalcIndicators, MultiPartColumnsAndWarmUp) {
  TempDir dir;
  std::string text = "time,open,high,low,close,volume\n";
  for (int i = 0; i < 60; ++i) {
    const double c = 100.0 + 5.0 * std::sin(i * 0.3) + 0.1 * i;
    text += std::to_string(1704205800 + 60 * i) + "," + std::to_string(c) + "," + std::to_string(c + 1.0) + "," +
            std::to_string(c - 1.0) + "," + std::to_string(c + 0.25) + ",1000\n";
  }
  const std::string in = dir.Write("bars.csv", text);
  const std::string out = (dir.path() / "out.csv").string();
  const RunResult r = RunTradedesk({"calc",        "indicators", "--input",     in,
                                    "--output",    out,          "--indicator", "bbands:20,2",
                                    "--indicator", "macd",       "--indicator", "rsi:14",
                                    "--indicator", "atr:14",     "--indicator", "adx",
                                    "--indicator", "stochrsi",   "--indicator", "supertrend:10:3",
                                    "--indicator", "keltner",    "--indicator", "hv:10",
                                    "--indicator", "wma:5"},
                                   dir.path());
  ASSERT_EQ(r.code, 0) << r.err;
  const Csv csv = ReadCsv(out);
  ASSERT_EQ(csv.rows.size(), 60U);
  for (const char* name : {"bbands_20_2_upper", "bbands_20_2_middle", "bbands_20_2_lower", "bbands_20_2_width",
                           "macd_12_26_9_line", "macd_12_26_9_signal", "macd_12_26_9_hist", "rsi_14", "atr_14",
                           "adx_14_adx", "adx_14_plus_di", "adx_14_minus_di", "stochrsi_14_14", "supertrend_10_3_line",
                           "supertrend_10_3_direction", "keltner_20_10_2_upper", "hv_10_252", "wma_5"}) {
    (void)csv.Col(name);
  }
  // Warm-up blanks: Bollinger(20) from bar 20, RSI(14) from bar 15, MACD signal from bar 34.
  EXPECT_EQ(csv.rows[18][csv.Col("bbands_20_2_middle")], "");
  EXPECT_NE(csv.rows[19][csv.Col("bbands_20_2_middle")], "");
  EXPECT_EQ(csv.rows[13][csv.Col("rsi_14")], "");
  EXPECT_NE(csv.rows[14][csv.Col("rsi_14")], "");
  EXPECT_EQ(csv.rows[32][csv.Col("macd_12_26_9_signal")], "");
  EXPECT_NE(csv.rows[33][csv.Col("macd_12_26_9_signal")], "");
  // Bollinger middle = SMA(20) of close, recomputed here; bands symmetric; width = (upper - lower)/middle.
  for (std::size_t row = 19; row < 60; ++row) {
    double sum = 0.0;
    for (std::size_t k = row - 19; k <= row; ++k) {
      sum += csv.Num(k, "close");
    }
    const double mid = csv.Num(row, "bbands_20_2_middle");
    EXPECT_NEAR(mid, sum / 20.0, 1e-9);
    EXPECT_NEAR(csv.Num(row, "bbands_20_2_upper") - mid, mid - csv.Num(row, "bbands_20_2_lower"), 1e-9);
    EXPECT_NEAR(csv.Num(row, "bbands_20_2_width"),
                (csv.Num(row, "bbands_20_2_upper") - csv.Num(row, "bbands_20_2_lower")) / mid, 1e-12);
  }
  for (std::size_t row = 33; row < 60; ++row) {
    EXPECT_NEAR(csv.Num(row, "macd_12_26_9_hist"),
                csv.Num(row, "macd_12_26_9_line") - csv.Num(row, "macd_12_26_9_signal"), 1e-12);
    const double rsi = csv.Num(row, "rsi_14");
    EXPECT_GE(rsi, 0.0);
    EXPECT_LE(rsi, 100.0);
  }
  // Every bar's true range is 2 (high - low, no gaps beyond it), so ATR(14) = 2 once warm.
  EXPECT_NEAR(csv.Num(59, "atr_14"), 2.0, 0.5);
}

TEST(CalcIndicators, BadArgumentsExitTwoNamingTheArgument) {
  TempDir dir;
  const std::string in = dir.Write("bars.csv", kCalcBars);
  const std::string out = (dir.path() / "out.csv").string();
  for (const char* arg : {"nosuch:3", "ema:0", "ema:abc", "ema:3,4", "rsi:2.5", "macd:26,12,9"}) {
    const RunResult r =
        RunTradedesk({"calc", "indicators", "--input", in, "--output", out, "--indicator", arg}, dir.path());
    EXPECT_EQ(r.code, 2) << arg;
    EXPECT_THAT(r.err, HasSubstr(std::string("--indicator ") + arg)) << r.err;
  }
  EXPECT_FALSE(std::filesystem::exists(out));
  const RunResult tz = RunTradedesk(
      {"calc", "indicators", "--input", in, "--output", out, "--indicator", "vwap", "--tz", "Nowhere/City"},
      dir.path());
  EXPECT_EQ(tz.code, 2);
  EXPECT_EQ(RunTradedesk({"calc", "indicators", "--input", in, "--output", out}, dir.path()).code, 2);
}

/// Five-minute bars of three New York sessions either side of the 2024 spring-forward (10 March), written as
/// a vendor writes exchange-local bars: naive times under a `datetime` header.
struct SessionBars {
  std::string text = "datetime,open,high,low,close,volume\n";
  std::vector<std::size_t> first_row_of_session;
  std::vector<double> high, low, close, volume;
};

SessionBars ThreeNewYorkSessions() {
  SessionBars b;
  const char* const days[] = {"2024-03-08", "2024-03-11", "2024-03-12"};
  for (int d = 0; d < 3; ++d) {
    b.first_row_of_session.push_back(b.close.size());
    for (int k = 0; k < 12; ++k) {
      const int minute = 30 + 5 * k;
      const double base = 100.0 + 3.0 * d + 0.25 * k + (k % 3 == 1 ? 0.6 : 0.0);
      const double high = base + 0.5 + 0.125 * (k % 4);
      const double low = base - 0.75 + 0.125 * (k % 2);
      const double close = base + 0.25;
      const double volume = 1000.0 + 250.0 * ((k * 7 + d) % 5);
      char line[128];
      std::snprintf(line, sizeof line, "%s %02d:%02d:00,%.3f,%.3f,%.3f,%.3f,%.0f\n", days[d], 9 + minute / 60,
                    minute % 60, base, high, low, close, volume);
      b.text += line;
      b.high.push_back(high);
      b.low.push_back(low);
      b.close.push_back(close);
      b.volume.push_back(volume);
    }
  }
  return b;
}

TEST(CalcIndicators, SessionLevelsFromExchangeLocalTimes) {
  TempDir dir;
  const SessionBars b = ThreeNewYorkSessions();
  const std::string in = dir.Write("bars.csv", b.text);
  const std::string out = (dir.path() / "out.csv").string();
  const RunResult r = RunTradedesk({"calc",        "indicators",
                                    "--input",     in,
                                    "--output",    out,
                                    "--tz",        "America/New_York",
                                    "--indicator", "session_hl",
                                    "--indicator", "prior_day",
                                    "--indicator", "pivots",
                                    "--indicator", "camarilla",
                                    "--indicator", "opening_range:15",
                                    "--indicator", "vwap",
                                    "--indicator", "avwap:2024-03-11 09:45:00",
                                    "--indicator", "tr",
                                    "--indicator", "highlow:4"},
                                   dir.path());
  ASSERT_EQ(r.code, 0) << r.err;
  const Csv csv = ReadCsv(out);
  ASSERT_EQ(csv.rows.size(), 36U);
  // 09:45 in New York on 11 March 2024 is 13:45 UTC (EDT since the 10th): the anchor's column names it.
  const std::string avwap = "avwap_1710164700";
  for (std::size_t s = 0; s < 3; ++s) {
    const std::size_t first = b.first_row_of_session[s];
    double high = -1e300, low = 1e300;
    double pv = 0.0, v = 0.0;
    for (std::size_t i = first; i < first + 12; ++i) {
      high = std::max(high, b.high[i]);
      low = std::min(low, b.low[i]);
      EXPECT_DOUBLE_EQ(csv.Num(i, "session_hl_high"), high) << i;
      EXPECT_DOUBLE_EQ(csv.Num(i, "session_hl_low"), low) << i;
      const double typical = (b.high[i] + b.low[i] + b.close[i]) / 3.0;
      pv += typical * b.volume[i];
      v += b.volume[i];
      EXPECT_NEAR(csv.Num(i, "vwap"), pv / v, 1e-9) << "the VWAP restarts at each New York session, row " << i;
      // The opening range (three 5-minute bars) is empty until its last bar, then fixed for the session.
      const std::size_t k = i - first;
      if (k < 2) {
        EXPECT_EQ(csv.rows[i][csv.Col("opening_range_15_high")], "") << i;
      } else {
        EXPECT_DOUBLE_EQ(csv.Num(i, "opening_range_15_high"),
                         std::max({b.high[first], b.high[first + 1], b.high[first + 2]}));
        EXPECT_DOUBLE_EQ(csv.Num(i, "opening_range_15_low"),
                         std::min({b.low[first], b.low[first + 1], b.low[first + 2]}));
      }
      if (s == 0) {
        EXPECT_EQ(csv.rows[i][csv.Col("prior_day_close")], "") << "no session before the first";
        EXPECT_EQ(csv.rows[i][csv.Col("pivots_p")], "");
        EXPECT_EQ(csv.rows[i][csv.Col(avwap)], "");
        continue;
      }
      const std::size_t prior = b.first_row_of_session[s - 1];
      const double ph = *std::max_element(b.high.begin() + prior, b.high.begin() + prior + 12);
      const double pl = *std::min_element(b.low.begin() + prior, b.low.begin() + prior + 12);
      const double pc = b.close[prior + 11];
      EXPECT_DOUBLE_EQ(csv.Num(i, "prior_day_high"), ph);
      EXPECT_DOUBLE_EQ(csv.Num(i, "prior_day_low"), pl);
      EXPECT_DOUBLE_EQ(csv.Num(i, "prior_day_close"), pc);
      const double p = (ph + pl + pc) / 3.0;
      EXPECT_NEAR(csv.Num(i, "pivots_p"), p, 1e-9);
      EXPECT_NEAR(csv.Num(i, "pivots_r1"), 2.0 * p - pl, 1e-9);
      EXPECT_NEAR(csv.Num(i, "pivots_s2"), p - (ph - pl), 1e-9);
      EXPECT_NEAR(csv.Num(i, "pivots_r3"), ph + 2.0 * (p - pl), 1e-9);
      EXPECT_NEAR(csv.Num(i, "camarilla_r4"), pc + 1.1 * (ph - pl) / 2.0, 1e-9);
      EXPECT_NEAR(csv.Num(i, "camarilla_s1"), pc - 1.1 * (ph - pl) / 12.0, 1e-9);
    }
  }
  // The anchored VWAP starts at 09:45 on the 11th (row 12 + 3) and runs on across the next session.
  const std::size_t anchor = b.first_row_of_session[1] + 3;
  EXPECT_EQ(csv.rows[anchor - 1][csv.Col(avwap)], "");
  double pv = 0.0, v = 0.0;
  for (std::size_t i = anchor; i < 36; ++i) {
    pv += (b.high[i] + b.low[i] + b.close[i]) / 3.0 * b.volume[i];
    v += b.volume[i];
    EXPECT_NEAR(csv.Num(i, avwap), pv / v, 1e-9) << i;
  }
  // True range across the session gap uses the previous close; the rolling high/low spans sessions.
  const std::size_t open2 = b.first_row_of_session[1];
  EXPECT_DOUBLE_EQ(csv.Num(open2, "tr"),
                   std::max(b.high[open2], b.close[open2 - 1]) - std::min(b.low[open2], b.close[open2 - 1]));
  EXPECT_EQ(csv.rows[2][csv.Col("highlow_4_high")], "");
  EXPECT_DOUBLE_EQ(csv.Num(open2 + 1, "highlow_4_high"),
                   std::max({b.high[open2 - 2], b.high[open2 - 1], b.high[open2], b.high[open2 + 1]}));
  EXPECT_DOUBLE_EQ(csv.Num(open2 + 1, "highlow_4_low"),
                   std::min({b.low[open2 - 2], b.low[open2 - 1], b.low[open2], b.low[open2 + 1]}));
}

// The CLI's columns for the indicators not checked by hand above are the library's own values, bit for bit
// (shortest round-trip text): parameters reach the right arguments and parts the right columns.
TEST(CalcIndicators, ColumnsAreTheLibrarysValues) {
  TempDir dir;
  std::string text = "time,open,high,low,close,volume\n";
  std::vector<double> open, high, low, close, volume;
  std::vector<std::int64_t> session;
  std::vector<std::int32_t> slot;
  std::uint64_t seed = 12345;
  const auto uniform = [&seed] {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(seed >> 11) * 0x1p-53;
  };
  double price = 250.0;
  for (int day = 0; day < 6; ++day) {
    for (int m = 0; m < 40; ++m) {
      const double o = price;
      price *= 1.0 + 0.004 * (uniform() - 0.5);
      const double c = price;
      const double h = std::max(o, c) * (1.0 + 0.002 * uniform());
      const double l = std::min(o, c) * (1.0 - 0.002 * uniform());
      const double vol = std::round(500.0 + 2000.0 * uniform());
      const std::int64_t t = 1704205800 + day * 86400 + m * 60;  // 14:30 UTC onwards, one session a day
      char line[160];
      std::snprintf(line, sizeof line, "%lld,%.17g,%.17g,%.17g,%.17g,%.17g\n", static_cast<long long>(t), o, h, l, c,
                    vol);
      text += line;
      // %.17g reads back as the same doubles, so the library sees what the CLI reads.
      open.push_back(o);
      high.push_back(h);
      low.push_back(l);
      close.push_back(c);
      volume.push_back(vol);
      session.push_back(day);
      slot.push_back(static_cast<std::int32_t>((14 * 3600 + 30 * 60 + m * 60) / 60));
    }
  }
  const std::string in = dir.Write("bars.csv", text);
  const std::string out = (dir.path() / "out.csv").string();
  const RunResult r = RunTradedesk({"calc",        "indicators",
                                    "--input",     in,
                                    "--output",    out,
                                    "--indicator", "ichimoku:3,7,14,7",
                                    "--indicator", "chandelier:10,2.5",
                                    "--indicator", "squeeze:10,2,10,8,1.5",
                                    "--indicator", "elder:5,4,9,3",
                                    "--indicator", "hv_parkinson:10,98280",
                                    "--indicator", "hv_gk:10,98280",
                                    "--indicator", "atr_ema:7",
                                    "--indicator", "vwap_bands:1.5",
                                    "--indicator", "relvol:10",
                                    "--indicator", "relvol_tod:3",
                                    "--indicator", "volflow:12"},
                                   dir.path());
  ASSERT_EQ(r.code, 0) << r.err;
  const Csv csv = ReadCsv(out);
  ASSERT_EQ(csv.rows.size(), close.size());
  using namespace td::indicators;
  Ichimoku ichimoku(3, 7, 14, 7);
  ChandelierExit chandelier(10, 2.5);
  Squeeze squeeze(10, 2.0, 10, 8, 1.5);
  ElderImpulse elder(5, 4, 9, 3);
  HistVolParkinson parkinson(10, 98280.0);
  HistVolGarmanKlass garman_klass(10, 98280.0);
  AtrEma atr_ema(7);
  SessionVwap vwap;
  RelVolumeBars relvol(10);
  RelVolumeTimeOfDay relvol_tod(1440, 3);
  VolumeFlow volflow(12);
  std::size_t compared = 0;
  const auto same = [&](std::size_t row, const std::string& column, double expected) {
    const std::string& cell = csv.rows[row][csv.Col(column)];
    if (std::isnan(expected)) {
      EXPECT_EQ(cell, "") << column << " row " << row;
      return;
    }
    ASSERT_NE(cell, "") << column << " row " << row;
    EXPECT_EQ(std::stod(cell), expected) << column << " row " << row;
    ++compared;
  };
  for (std::size_t i = 0; i < close.size(); ++i) {
    ichimoku.Update(high[i], low[i], close[i]);
    chandelier.Update(high[i], low[i], close[i]);
    squeeze.Update(high[i], low[i], close[i]);
    elder.Update(close[i]);
    parkinson.Update(high[i], low[i]);
    garman_klass.Update(open[i], high[i], low[i], close[i]);
    atr_ema.Update(high[i], low[i], close[i]);
    vwap.Update(high[i], low[i], close[i], volume[i], session[i]);
    relvol.Update(volume[i]);
    relvol_tod.Update(volume[i], session[i], slot[i]);
    volflow.Update(close[i], volume[i]);
    same(i, "ichimoku_3_7_14_7_tenkan", ichimoku.Tenkan());
    same(i, "ichimoku_3_7_14_7_kijun", ichimoku.Kijun());
    same(i, "ichimoku_3_7_14_7_senkou_a", ichimoku.SenkouA());
    same(i, "ichimoku_3_7_14_7_senkou_b", ichimoku.SenkouB());
    same(i, "ichimoku_3_7_14_7_cloud_a", ichimoku.CloudA());
    same(i, "ichimoku_3_7_14_7_cloud_b", ichimoku.CloudB());
    same(i, "chandelier_10_2.5_long", chandelier.LongStop());
    same(i, "chandelier_10_2.5_short", chandelier.ShortStop());
    same(i, "squeeze_10_2_10_8_1.5", squeeze.Value());
    same(i, "elder_5_4_9_3", elder.Value());
    same(i, "hv_parkinson_10_98280", parkinson.Value());
    same(i, "hv_gk_10_98280", garman_klass.Value());
    same(i, "atr_ema_7", atr_ema.Value());
    same(i, "vwap_bands_1.5_vwap", vwap.Value());
    same(i, "vwap_bands_1.5_upper", vwap.Upper(1.5));
    same(i, "vwap_bands_1.5_lower", vwap.Lower(1.5));
    same(i, "relvol_10", relvol.Value());
    same(i, "relvol_tod_3_slot", relvol_tod.Value());
    same(i, "relvol_tod_3_cumulative", relvol_tod.CumulativeValue());
    same(i, "volflow_12", volflow.Ratio());
  }
  EXPECT_GT(compared, 20U * 200U) << "most cells are past their warm-up";
}

TEST(CalcIndicators, InstantsOrderAndTimeColumnErrors) {
  TempDir dir;
  const std::string in = dir.Write("bars.csv", kCalcBars);
  const std::string out = (dir.path() / "out.csv").string();
  for (const char* arg : {"avwap", "avwap:", "avwap:yesterday", "pivots:3", "squeeze:20,2,20,20,0", "elder:13,30,12,9",
                          "relvol_tod:5000"}) {
    const RunResult r =
        RunTradedesk({"calc", "indicators", "--input", in, "--output", out, "--indicator", arg}, dir.path());
    EXPECT_EQ(r.code, 2) << arg;
    EXPECT_THAT(r.err, HasSubstr(std::string("--indicator ") + arg)) << r.err;
  }
  const std::string unordered = dir.Write("unordered.csv",
                                          "timestamp,open,high,low,close,volume\n"
                                          "2024-01-02T14:31:00Z,2,2,2,2,10\n"
                                          "2024-01-02T14:30:00Z,2,2,2,2,10\n");
  const RunResult r =
      RunTradedesk({"calc", "indicators", "--input", unordered, "--output", out, "--indicator", "ema:2"}, dir.path());
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("unordered.csv:3:1:"));
  EXPECT_THAT(r.err, HasSubstr("time order"));
  const std::string no_time = dir.Write("no_time.csv", "when,open,high,low,close,volume\n1,2,2,2,2,10\n");
  const RunResult missing =
      RunTradedesk({"calc", "indicators", "--input", no_time, "--output", out, "--indicator", "ema:2"}, dir.path());
  EXPECT_EQ(missing.code, 1);
  EXPECT_THAT(missing.err, HasSubstr("no 'time' column"));
}

TEST(CalcIndicators, MalformedRowFailsWithLineAndColumn) {
  TempDir dir;
  const std::string in = dir.Write("bars.csv",
                                   "time,open,high,low,close,volume\n"
                                   "2024-01-02T14:30:00Z,2,2,2,2,10\n"
                                   "2024-01-02T14:31:00Z,2,2,2,oops,10\n");
  const std::string out = (dir.path() / "out.csv").string();
  const RunResult r =
      RunTradedesk({"calc", "indicators", "--input", in, "--output", out, "--indicator", "ema:2"}, dir.path());
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("bars.csv:3:28:"));
  EXPECT_THAT(r.err, HasSubstr("close"));
}

// ---- calc options ----

TEST(CalcOptions, HullExampleGreeksAndImpliedVol) {
  TempDir dir;
  const std::string in = dir.Write("rows.csv",
                                   "model,type,underlying,strike,t_years,rate,dividend,price,vol\n"
                                   "bsm,call,42,40,0.5,0.1,0,,0.2\n"
                                   "bsm,put,42,40,0.5,0.1,0,,0.2\n"
                                   "bsm,call,42,40,0.5,0.1,0,4.7594,\n"
                                   "black76,call,100,100,1,0.05,,,0.2\n"
                                   "bsm,straddle,42,40,0.5,0.1,0,,0.2\n"
                                   "bsm,call,42,40,0.5,0.1,0,50,\n"
                                   "bsm,call,-1,40,0.5,0.1,0,,0.2\n");
  const std::string out = (dir.path() / "out.csv").string();
  const RunResult r = RunTradedesk({"calc", "options", "--input", in, "--output", out}, dir.path());
  ASSERT_EQ(r.code, 0) << r.err;
  const Csv csv = ReadCsv(out);
  ASSERT_EQ(csv.rows.size(), 7U);
  const std::size_t price = csv.LastCol("price");
  const std::size_t error = csv.Col("error");
  const auto num = [&](std::size_t row, std::size_t col) { return std::stod(csv.rows[row][col]); };
  // Hull, Options, Futures and Other Derivatives, example 15.6: c = 4.76, p = 0.81.
  EXPECT_NEAR(num(0, price), 4.7594, 5e-5);
  EXPECT_NEAR(num(1, price), 0.8086, 5e-5);
  // Closed form: d1 = (ln(42/40) + (0.1 + 0.02) 0.5)/(0.2 sqrt(0.5)) = 0.7693, N(d1) = 0.7791.
  EXPECT_NEAR(csv.Num(0, "delta"), 0.7791, 1e-4);
  EXPECT_NEAR(csv.Num(1, "delta"), 0.7791 - 1.0, 1e-4);
  // gamma = n(d1)/(S sigma sqrt T) = 0.29676/(42 * 0.14142) = 0.04996; vega per point = S n(d1) sqrt T / 100.
  EXPECT_NEAR(csv.Num(0, "gamma"), 0.04996, 1e-5);
  EXPECT_NEAR(csv.Num(0, "vega"), 42.0 * 0.296757 * std::sqrt(0.5) / 100.0, 1e-5);
  // rho per 1 % = K T e^{-rT} N(d2) / 100, d2 = 0.6278, N(d2) = 0.7349.
  EXPECT_NEAR(csv.Num(0, "rho"), 40.0 * 0.5 * std::exp(-0.05) * 0.73490 / 100.0, 1e-4);
  // Theta per calendar day: Hull's -4.559 per year / 365 (call).
  EXPECT_NEAR(csv.Num(0, "theta"), -4.559 / 365.0, 1e-4);
  EXPECT_DOUBLE_EQ(csv.Num(0, "iv"), 0.2);
  EXPECT_EQ(csv.rows[0][error], "");
  // The implied vol of Hull's rounded price is 0.2 to the rounding of the price.
  EXPECT_NEAR(csv.Num(2, "iv"), 0.2, 1e-4);
  EXPECT_NEAR(num(2, price), 4.7594, 1e-9);
  // Black-76 ATM: e^{-0.05} 100 (2 N(0.1) - 1) = 7.5771.
  EXPECT_NEAR(num(3, price), 7.5771, 1e-4);
  EXPECT_NEAR(csv.Num(3, "rho"), -1.0 * num(3, price) / 100.0, 1e-12);
  // Bad rows: empty outputs and an error naming the line and the reason; the batch went on.
  EXPECT_EQ(csv.rows[4][csv.Col("iv")], "");
  EXPECT_THAT(csv.rows[4][error], HasSubstr("line 6"));
  EXPECT_THAT(csv.rows[4][error], HasSubstr("straddle"));
  EXPECT_THAT(csv.rows[5][error], HasSubstr("line 7"));
  EXPECT_THAT(csv.rows[5][error], HasSubstr("price"));
  EXPECT_THAT(csv.rows[6][error], HasSubstr("line 8"));
  EXPECT_THAT(csv.rows[6][error], HasSubstr("underlying"));
  EXPECT_THAT(r.err, HasSubstr("3 with errors"));
}

TEST(CalcOptions, HelpStatesUnitsAndMissingColumnsFail) {
  TempDir dir;
  const RunResult help = RunTradedesk({"calc", "options", "--help"}, dir.path());
  EXPECT_EQ(help.code, 0);
  EXPECT_THAT(help.out, HasSubstr("vega per 1 vol point"));
  EXPECT_THAT(help.out, HasSubstr("theta per calendar day"));
  EXPECT_THAT(help.out, HasSubstr("rho per 1 %"));
  const std::string in = dir.Write("rows.csv", "model,type,underlying\nbsm,call,42\n");
  const RunResult r =
      RunTradedesk({"calc", "options", "--input", in, "--output", (dir.path() / "o.csv").string()}, dir.path());
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("strike"));
  EXPECT_EQ(RunTradedesk({"calc", "options", "--input", (dir.path() / "absent.csv").string(), "--output",
                          (dir.path() / "o.csv").string()},
                         dir.path())
                .code,
            1);
  EXPECT_EQ(RunTradedesk({"calc"}, dir.path()).code, 2);
}

}  // namespace
