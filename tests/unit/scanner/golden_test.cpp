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
