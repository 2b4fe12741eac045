// SPDX-License-Identifier: MIT
// Golden scenarios: real sessions replayed to fixed times; the plan (and one frozen scan page) must match the
// reviewed JSON in golden/. Regenerate with TD_UPDATE_GOLDEN=1 and review the diff before keeping it.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "scanner/json.hpp"
#include "unit/scanner/market_data.hpp"

namespace td::scanner::testing {
namespace {

using calendar::Exchange;

/// Re-indents compact JSON (two spaces per level) so golden files diff line by line.
std::string Pretty(const std::string& json) {
  std::string out;
  int depth = 0;
  bool in_string = false;
  const auto newline = [&] {
    out += '\n';
    out.append(static_cast<std::size_t>(depth) * 2, ' ');
  };
  for (std::size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (in_string) {
      out += c;
      if (c == '\\') {
        out += json[++i];
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        out += c;
        break;
      case '{':
      case '[':
        out += c;
        if (i + 1 < json.size() && (json[i + 1] == '}' || json[i + 1] == ']')) {
          out += json[++i];
        } else {
          ++depth;
          newline();
        }
        break;
      case '}':
      case ']':
        --depth;
        newline();
        out += c;
        break;
      case ',':
        out += c;
        newline();
        break;
      case ':':
        out += ": ";
        break;
      default:
        out += c;
    }
  }
  return out + "\n";
}

void CompareGolden(const std::string& name, const std::string& json) {
  const std::string path = std::string(TD_SOURCE_DIR) + "/tests/unit/scanner/golden/" + name + ".json";
  const std::string text = Pretty(json);
  const char* update = std::getenv("TD_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    std::ofstream(path) << text;
    GTEST_SKIP() << "wrote " << path;
  }
  std::ifstream in(path);
  ASSERT_TRUE(in.good()) << "missing golden file " << path << " (run with TD_UPDATE_GOLDEN=1)";
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), text) << "golden mismatch for " << name;
}

struct Scenario {
  const char* name;
  const char* symbol;
  const char* local;
  StrategyId strategy;
};

const Scenario kScenarios[] = {
    {"spy_orb_retest_20250916_1005", "SPY", "2025-09-16 10:05", StrategyId::kOrbRetest},
    {"spy_power_hour_20251008_1520", "SPY", "2025-10-08 15:20", StrategyId::kPowerHourTrend},
    {"qqq_break_retest_20250922_1125", "QQQ", "2025-09-22 11:25", StrategyId::kBreakRetest},
    {"nifty_orb_retest_20221101_0955", "NIFTY", "2022-11-01 09:55", StrategyId::kOrbRetest},
};

class Golden : public ::testing::TestWithParam<Scenario> {
 protected:
  void SetUp() override {
    if (DataDir().empty())
      GTEST_SKIP() << "no market data ($TRADEDESK_DATA_DIR)";
  }
};

TEST_P(Golden, PlanMatchesReviewedJson) {
  const Scenario& s = GetParam();
  const std::string symbol = s.symbol;
  SymbolInput in;
  UnixNanos as_of;
  if (symbol == "NIFTY") {
    as_of = LocalTime(Exchange::kNse, s.local);
    in = NiftyInput(as_of);
  } else {
    as_of = LocalTime(Exchange::kNyse, s.local);
    in = symbol == "SPY" ? UsInput("SPY", Spy1m(), as_of, 6, &SpyDaily()) : UsInput("QQQ", Qqq1m(), as_of, 6);
  }
  const SymbolContext ctx = BuildContext(in, as_of).value();
  const Detection d = Detect(s.strategy, ctx);
  ASSERT_EQ(d.status, DetectStatus::kSignal) << d.reason;
  const Plan plan = BuildPlan(ctx, *d.signal).value();
  CompareGolden(s.name, PlanToJson(plan));
}

INSTANTIATE_TEST_SUITE_P(RealSessions, Golden, ::testing::ValuesIn(kScenarios),
                         [](const ::testing::TestParamInfo<Scenario>& p) { return std::string(p.param.name); });

/// A session replayed to a fixed time and run through every detector: each plan that fires and each detector's
/// verdict (status and reason) are checked against the reviewed golden file.
struct AllDetectorsScenario {
  const char* name;
  const char* symbol;
  const char* local;
  bool five_minute;
};

const AllDetectorsScenario kAllDetectorsScenarios[] = {
    {"tsla_5m_all_detectors_20251015_1130", "TSLA", "2025-10-15 11:30", true},
    {"aapl_5m_all_detectors_20250910_1020", "AAPL", "2025-09-10 10:20", true},
    {"nvda_5m_all_detectors_20251201_1500", "NVDA", "2025-12-01 15:00", true},
    {"spy_5m_all_detectors_20250917_1400", "SPY", "2025-09-17 14:00", true},
    {"qqq_5m_all_detectors_20251022_1100", "QQQ", "2025-10-22 11:00", true},
    {"qqq_1m_all_detectors_20251103_1005", "QQQ", "2025-11-03 10:05", false},
    {"banknifty_1m_all_detectors_20221110_1030", "BANKNIFTY", "2022-11-10 10:30", false},
    {"banknifty_1m_all_detectors_20230105_1005", "BANKNIFTY", "2023-01-05 10:05", false},
};

class GoldenAllDetectors : public ::testing::TestWithParam<AllDetectorsScenario> {
 protected:
  void SetUp() override {
    if (DataDir().empty())
      GTEST_SKIP() << "no market data ($TRADEDESK_DATA_DIR)";
  }
};

TEST_P(GoldenAllDetectors, EveryVerdictAndPlanMatchesReviewedJson) {
  const AllDetectorsScenario& s = GetParam();
  const std::string symbol = s.symbol;
  SymbolInput in;
  UnixNanos as_of;
  if (symbol == "BANKNIFTY") {
    as_of = LocalTime(Exchange::kNse, s.local);
    in = BankNiftyInput(as_of);
  } else {
    as_of = LocalTime(Exchange::kNyse, s.local);
    const BarSeries& bars = s.five_minute ? Bars5m(symbol) : (symbol == "SPY" ? Spy1m() : Qqq1m());
    in = UsInput(symbol, bars, as_of, s.five_minute ? 15 : 6, symbol == "SPY" ? &SpyDaily() : nullptr);
  }
  ASSERT_FALSE(in.intraday.empty()) << "no bars for " << symbol << " at " << s.local;
  const SymbolContext ctx = BuildContext(in, as_of).value();
  std::string json = "{\"symbol\":\"" + symbol + "\",\"as_of\":\"" + as_of.ToIso8601() + "\",\"detections\":[";
  std::size_t signals = 0;
  bool first = true;
  for (const StrategySpec& spec : AllStrategies()) {
    const Detection d = Detect(spec.id, ctx);
    json += first ? "" : ",";
    first = false;
    json += "{\"strategy\":\"" + std::string(spec.key) + "\",\"status\":" + std::to_string(static_cast<int>(d.status));
    json += ",\"reason\":\"";
    for (const char c : d.reason) {
      json += c == '"' || c == '\\' ? std::string("\\") + c : std::string(1, c);
    }
    json += "\"";
    if (d.status == DetectStatus::kSignal) {
      const auto plan = BuildPlan(ctx, *d.signal);
      ASSERT_TRUE(plan.ok()) << spec.key << ": " << plan.error().ToString();
      json += ",\"plan\":" + PlanToJson(*plan, false);
      ++signals;
    }
    json += "}";
  }
  json += "],\"signals\":" + std::to_string(signals) + "}";
  CompareGolden(s.name, json);
}

INSTANTIATE_TEST_SUITE_P(RealSessions, GoldenAllDetectors, ::testing::ValuesIn(kAllDetectorsScenarios),
                         [](const ::testing::TestParamInfo<AllDetectorsScenario>& p) {
                           return std::string(p.param.name);
                         });

TEST(GoldenScan, FrozenIntradayScanAfterTheClose) {
  if (DataDir().empty())
    GTEST_SKIP() << "no market data ($TRADEDESK_DATA_DIR)";
  const UnixNanos as_of = LocalTime(Exchange::kNyse, "2025-09-22 18:00");
  std::vector<SymbolInput> inputs = {UsInput("SPY", Spy1m(), as_of, 6, &SpyDaily()), UsInput("QQQ", Qqq1m(), as_of, 6)};
  inputs[0].sector = "ETF";
  inputs[1].sector = "ETF";
  ScanRequest request;
  request.style = Style::kIntraday;
  request.limit = 5;
  const ScanPage page = ScanInputs(inputs, as_of, request).value();
  EXPECT_EQ(page.planning_context, "frozen");
  CompareGolden("scan_spy_qqq_intraday_20250922_frozen", ScanPageToJson(page));
}

}  // namespace
}  // namespace td::scanner::testing
