// SPDX-License-Identifier: MIT
// Property tests of the level detectors on real SPY 1-minute sessions (skipped without the data set).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "bar_columns.hpp"
#include "levels/gaps.hpp"
#include "levels/key_levels.hpp"
#include "levels/swings.hpp"
#include "levels/volume_profile.hpp"
#include "levels/zones.hpp"

namespace td::levels {
namespace {

std::filesystem::path DataDir() {
  if (const char* dir = std::getenv("TRADEDESK_DATA_DIR")) {
    return dir;
  }
  return std::filesystem::path(TD_SOURCE_DIR) / ".." / "shared" / "data";
}

// Sessions of the SPY RTH file keyed by date text; columns datetime,open,high,low,close,volume.
std::map<std::string, testing::BarColumns> LoadSessions(std::size_t max_sessions) {
  std::map<std::string, testing::BarColumns> sessions;
  std::ifstream in(DataDir() / "us_equity/intraday/SPY_1min_20250915_20260319_rth.csv");
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::stringstream row(line);
    std::string when, o, h, l, c, v;
    std::getline(row, when, ',');
    std::getline(row, o, ',');
    std::getline(row, h, ',');
    std::getline(row, l, ',');
    std::getline(row, c, ',');
    std::getline(row, v, ',');
    const std::string day = when.substr(0, 10);
    if (sessions.size() >= max_sessions && !sessions.contains(day)) {
      break;
    }
    sessions[day].Add(std::stod(o), std::stod(h), std::stod(l), std::stod(c), std::stod(v));
  }
  return sessions;
}

class RealSessionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(DataDir() / "us_equity/intraday/SPY_1min_20250915_20260319_rth.csv")) {
      GTEST_SKIP() << "market data not found under " << DataDir();
    }
    sessions_ = LoadSessions(20);
    ASSERT_EQ(sessions_.size(), 20U);
  }
  std::map<std::string, testing::BarColumns> sessions_;
};

TEST_F(RealSessionsTest, SwingsAreLocalExtremes) {
  for (const auto& [day, bars] : sessions_) {
    const BarsView view = bars.View();
    const auto swings = FindSwings(view, 3);
    EXPECT_FALSE(swings.empty()) << day;
    for (const SwingPoint& s : swings) {
      for (std::size_t k = s.index - 3; k <= s.index + 3; ++k) {
        if (k == s.index) {
          continue;
        }
        if (s.kind == SwingKind::kHigh) {
          ASSERT_GE(s.price, view.high[k]) << day << " bar " << s.index;
        } else {
          ASSERT_LE(s.price, view.low[k]) << day << " bar " << s.index;
        }
      }
    }
  }
}

TEST_F(RealSessionsTest, VolumeProfileConservesVolume) {
  for (const auto& [day, bars] : sessions_) {
    auto profile = BuildVolumeProfile(bars.View(), 40);
    ASSERT_TRUE(profile.ok()) << day;
    double total = 0;
    for (double v : bars.volume) {
      total += v;
    }
    double binned = 0;
    for (double v : profile->volume) {
      binned += v;
    }
    EXPECT_NEAR(binned / total, 1.0, 1e-9) << day;
    EXPECT_GE(profile->value_area_fraction, 0.70) << day;
    EXPECT_LE(profile->val, profile->poc) << day;
    EXPECT_GE(profile->vah, profile->poc) << day;
  }
}

TEST_F(RealSessionsTest, GapsAndZonesSatisfyTheirDefinitions) {
  std::size_t gaps_seen = 0;
  for (const auto& [day, bars] : sessions_) {
    const BarsView view = bars.View();
    for (const FairValueGap& g : FindFairValueGaps(view)) {
      ++gaps_seen;
      ASSERT_GT(g.top, g.bottom) << day;
      const std::size_t i = g.index;
      if (g.direction == GapDirection::kBullish) {
        EXPECT_DOUBLE_EQ(g.bottom, view.high[i - 1]);
        EXPECT_DOUBLE_EQ(g.top, view.low[i + 1]);
      } else {
        EXPECT_DOUBLE_EQ(g.top, view.low[i - 1]);
        EXPECT_DOUBLE_EQ(g.bottom, view.high[i + 1]);
      }
    }
    for (const Zone& z : FindZones(view)) {
      EXPECT_GT(z.Top(), z.Bottom()) << day;
      EXPECT_GE(z.strength, 0.0);
      EXPECT_LE(z.strength, 1.0);
    }
  }
  EXPECT_GT(gaps_seen, 0U) << "twenty real sessions should hold at least one fair value gap";
}

TEST_F(RealSessionsTest, KeyLevelsAreRealLevelsWithDistinctLabels) {
  for (const auto& [day, bars] : sessions_) {
    const BarsView view = bars.View();
    const double atr = MeanTrueRange(view, 14);
    const auto candidates = StructureCandidates(view, atr);
    std::set<double> candidate_prices;
    for (const auto& c : candidates) {
      candidate_prices.insert(c.price);
    }
    const KeyLevelSet set = BuildKeyLevelSet(candidates, 0.25 * atr, 8);
    std::size_t primary = 0;
    for (std::size_t i = 0; i < set.levels().size(); ++i) {
      const KeyLevel& level = set.levels()[i];
      EXPECT_TRUE(candidate_prices.contains(level.price)) << day;
      if (i > 0) {
        EXPECT_GT(level.price, set.levels()[i - 1].price) << day;
      }
      primary += level.primary ? 1 : 0;
      std::set<std::string> parts;
      std::stringstream labels(level.label);
      std::string part;
      while (std::getline(labels, part, '+')) {
        EXPECT_TRUE(parts.insert(part).second) << "duplicate label in '" << level.label << "'";
      }
    }
    EXPECT_EQ(primary, std::min<std::size_t>(8, set.levels().size())) << day;
  }
}

}  // namespace
}  // namespace td::levels
