// SPDX-License-Identifier: MIT
// Session-aware indicators: VWAP resets only when the session key changes, anchored VWAP, opening range,
// session high/low, prior session HLC and time-of-day relative volume.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <vector>

#include "indicators/batch.hpp"
#include "indicators/session_levels.hpp"
#include "unit/indicators/test_data.hpp"

namespace td::indicators {
namespace {

using std::chrono::minutes;

TEST(SessionVwap, ResetsExactlyWhenTheKeyChanges) {
  SessionVwap vwap(VwapPrice::kClose);
  vwap.Update(0, 0, 10.0, 100, 1);
  vwap.Update(0, 0, 12.0, 300, 1);
  EXPECT_DOUBLE_EQ(vwap.Value(), 11.5);
  // A bar past UTC midnight in the same session (key unchanged) keeps accumulating.
  vwap.Update(0, 0, 14.0, 100, 1);
  EXPECT_DOUBLE_EQ(vwap.Value(), (1000.0 + 3600.0 + 1400.0) / 500.0);
  // A new key starts over from this bar.
  vwap.Update(0, 0, 20.0, 50, 2);
  EXPECT_DOUBLE_EQ(vwap.Value(), 20.0);
  vwap.Update(0, 0, 23.0, 100, 2);
  EXPECT_DOUBLE_EQ(vwap.Value(), 22.0);
  // Going back to an earlier key is a change too.
  vwap.Update(0, 0, 5.0, 10, 1);
  EXPECT_DOUBLE_EQ(vwap.Value(), 5.0);
}

TEST(SessionVwap, TypicalPriceBandsAndZeroVolume) {
  SessionVwap vwap;
  vwap.Update(12, 9, 9, 0, 7);
  EXPECT_FALSE(vwap.Ready());  // no volume yet
  EXPECT_TRUE(std::isnan(vwap.Value()));
  vwap.Update(12, 9, 9, 1, 7);    // typical 10
  vwap.Update(13, 11, 12, 1, 7);  // typical 12
  EXPECT_DOUBLE_EQ(vwap.Value(), 11.0);
  EXPECT_DOUBLE_EQ(vwap.StdDev(), 1.0);
  EXPECT_DOUBLE_EQ(vwap.Upper(2.0), 13.0);
  EXPECT_DOUBLE_EQ(vwap.Lower(2.0), 9.0);
}

TEST(SessionVwap, RealDataResetsAtEachSessionAndEqualsAnchoredRuns) {
  auto bars = testing::LoadMinuteBars(testing::kSpyMinutes);
  if (!bars) {
    GTEST_SKIP() << "market data absent";
  }
  const std::size_t n = bars->size();
  std::vector<double> session_vwap(n);
  SessionVwapBatch(bars->high, bars->low, bars->close, bars->volume, bars->session, session_vwap);
  std::vector<double> anchored(n);
  std::size_t start = 0;
  int sessions = 0;
  for (std::size_t i = 1; i <= n; ++i) {
    if (i == n || bars->session[i] != bars->session[start]) {
      const std::span<const double> h(bars->high.data() + start, i - start);
      const std::span<const double> l(bars->low.data() + start, i - start);
      const std::span<const double> c(bars->close.data() + start, i - start);
      const std::span<const double> v(bars->volume.data() + start, i - start);
      AnchoredVwapBatch(h, l, c, v, 0, std::span<double>(anchored.data() + start, i - start));
      // At the session's first bar the VWAP is that bar's typical price, exactly.
      EXPECT_DOUBLE_EQ(session_vwap[start], (h[0] + l[0] + c[0]) * (1.0 / 3.0));
      start = i;
      ++sessions;
    }
  }
  EXPECT_EQ(sessions, 129);
  EXPECT_EQ(testing::FirstDifference(session_vwap, anchored), -1);
}

TEST(AnchoredVwap, StartsAtTheAnchor) {
  const std::vector<double> c = {10, 11, 12, 13};
  const std::vector<double> v = {1, 1, 1, 3};
  std::vector<double> out(4);
  AnchoredVwapBatch(c, c, c, v, 2, out);
  EXPECT_TRUE(std::isnan(out[0]));
  EXPECT_TRUE(std::isnan(out[1]));
  EXPECT_DOUBLE_EQ(out[2], 12.0);
  EXPECT_DOUBLE_EQ(out[3], (12.0 + 39.0) / 4.0);
  AnchoredVwap avwap;
  avwap.Update(10, 10, 10, 1);
  avwap.Anchor();
  avwap.Update(20, 20, 20, 1);
  EXPECT_DOUBLE_EQ(avwap.Value(), 20.0);
}

TEST(OpeningRange, FirstFifteenMinutes) {
  constexpr std::int64_t kMin = 60'000'000'000;
  const std::int64_t open = 1'000 * kMin;
  OpeningRange range(minutes(15), minutes(1));
  for (int m = 0; m < 20; ++m) {
    const double high = m == 3 ? 105.0 : (m == 17 ? 200.0 : 101.0);
    const double low = m == 9 ? 95.0 : (m == 16 ? 1.0 : 99.0);
    range.Update(high, low, open + m * kMin, open);
    if (m < 14) {
      EXPECT_FALSE(range.Ready()) << m;
      EXPECT_TRUE(std::isnan(range.High()));
    } else {
      EXPECT_TRUE(range.Ready()) << m;  // the 09:44 bar ends at 09:45
      EXPECT_DOUBLE_EQ(range.High(), 105.0);
      EXPECT_DOUBLE_EQ(range.Low(), 95.0);
    }
  }
  EXPECT_DOUBLE_EQ(range.FormingHigh(), 105.0);
  // 5-minute bars: complete with the 09:40 bar.
  OpeningRange five(minutes(15), minutes(5));
  five.Update(101, 99, open, open);
  five.Update(102, 99, open + 5 * kMin, open);
  EXPECT_FALSE(five.Ready());
  five.Update(103, 98, open + 10 * kMin, open);
  EXPECT_TRUE(five.Ready());
  EXPECT_DOUBLE_EQ(five.High(), 103);
  // The next session starts over.
  const std::int64_t next_open = open + 1440 * kMin;
  range.Update(50, 49, next_open, next_open);
  EXPECT_FALSE(range.Ready());
  EXPECT_DOUBLE_EQ(range.FormingLow(), 49.0);
}

TEST(OpeningRange, RealDataMatchesPerSessionScan) {
  auto bars = testing::LoadMinuteBars(testing::kSpyMinutes);
  if (!bars) {
    GTEST_SKIP() << "market data absent";
  }
  const std::size_t n = bars->size();
  std::vector<double> hi(n);
  std::vector<double> lo(n);
  OpeningRangeBatch(bars->high, bars->low, bars->bar_start_ns, bars->session_open_ns, HighLowOut{hi, lo}, minutes(15),
                    minutes(1));
  std::map<std::int64_t, std::pair<double, double>> expected;
  for (std::size_t i = 0; i < n; ++i) {
    if (bars->slot[i] < 15) {
      auto [it, inserted] = expected.try_emplace(bars->session[i], bars->high[i], bars->low[i]);
      if (!inserted) {
        it->second.first = std::max(it->second.first, bars->high[i]);
        it->second.second = std::min(it->second.second, bars->low[i]);
      }
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (bars->slot[i] >= 14) {
      ASSERT_EQ(hi[i], expected.at(bars->session[i]).first) << i;
      ASSERT_EQ(lo[i], expected.at(bars->session[i]).second) << i;
    } else {
      ASSERT_TRUE(std::isnan(hi[i])) << i;
    }
  }
}

TEST(SessionLevels, HighLowAndPriorSession) {
  SessionHighLow range;
  PriorSessionHlc prior;
  range.Update(10, 9, 1);
  prior.Update(10, 9, 9.5, 1);
  range.Update(11, 9.5, 1);
  prior.Update(11, 9.5, 10.5, 1);
  EXPECT_DOUBLE_EQ(range.High(), 11);
  EXPECT_DOUBLE_EQ(range.Low(), 9);
  EXPECT_FALSE(prior.Ready());
  range.Update(12, 11.5, 2);
  prior.Update(12, 11.5, 11.8, 2);
  EXPECT_DOUBLE_EQ(range.High(), 12);
  EXPECT_DOUBLE_EQ(range.Low(), 11.5);
  EXPECT_TRUE(prior.Ready());
  EXPECT_DOUBLE_EQ(prior.High(), 11);
  EXPECT_DOUBLE_EQ(prior.Low(), 9);
  EXPECT_DOUBLE_EQ(prior.Close(), 10.5);
  prior.Update(13, 11, 12.5, 2);
  EXPECT_DOUBLE_EQ(prior.High(), 11);  // unchanged within the new session
  prior.Update(14, 13, 13.5, 3);
  EXPECT_DOUBLE_EQ(prior.High(), 13);
  EXPECT_DOUBLE_EQ(prior.Low(), 11);
  EXPECT_DOUBLE_EQ(prior.Close(), 12.5);
}

TEST(RelVolumeTimeOfDay, SameSlotAverages) {
  RelVolumeTimeOfDay rvol(2, 2);
  rvol.Update(10, 100, 0);
  rvol.Update(20, 100, 1);
  EXPECT_FALSE(rvol.Ready());
  rvol.Update(30, 101, 0);
  rvol.Update(40, 101, 1);
  EXPECT_TRUE(std::isnan(rvol.Value()));
  rvol.Update(40, 102, 0);
  EXPECT_TRUE(rvol.Ready());
  EXPECT_DOUBLE_EQ(rvol.Value(), 2.0);            // 40 / mean(10, 30)
  EXPECT_DOUBLE_EQ(rvol.CumulativeValue(), 2.0);  // 40 / mean(10, 30)
  rvol.Update(60, 102, 1);
  EXPECT_DOUBLE_EQ(rvol.Value(), 2.0);            // 60 / mean(20, 40)
  EXPECT_DOUBLE_EQ(rvol.CumulativeValue(), 2.0);  // 100 / mean(30, 70)
  rvol.Update(20, 103, 0);
  EXPECT_DOUBLE_EQ(rvol.Value(), 20.0 / 35.0);  // the oldest session dropped: mean(30, 40)
  // A slot missing from a session (half day) keeps the older history of that slot.
  rvol.Update(10, 104, 0);
  EXPECT_DOUBLE_EQ(rvol.Value(), 10.0 / 30.0);  // mean(40, 20)
  rvol.Update(30, 104, 1);
  EXPECT_DOUBLE_EQ(rvol.Value(), 30.0 / 50.0);  // slot 1 history still (40, 60)
}

// Reset starts over exactly as a new object, and a first session keyed 0 (the key the object starts with)
// counts like any other: the values equal those of the same sessions keyed from 1.
TEST(RelVolumeTimeOfDay, ResetAndAFirstSessionKeyedZero) {
  const auto feed = [](RelVolumeTimeOfDay& rvol, std::int64_t first_key) {
    std::vector<double> out;
    for (int session = 0; session < 9; ++session) {
      for (int slot = 0; slot < 4; ++slot) {
        if (session % 4 == 3 && slot == 2) {
          continue;  // a slot some sessions lack
        }
        rvol.Update(100.0 + 37.0 * ((session * 5 + slot * 3) % 7), first_key + session, slot);
        out.push_back(rvol.Value());
        out.push_back(rvol.CumulativeValue());
      }
    }
    return out;
  };
  RelVolumeTimeOfDay keyed_from_one(4, 3);
  const std::vector<double> want = feed(keyed_from_one, 1);
  RelVolumeTimeOfDay used(4, 3);
  const std::vector<double> first = feed(used, 0);
  used.Reset();
  const std::vector<double> again = feed(used, 0);
  keyed_from_one.Reset();
  const std::vector<double> after_reset = feed(keyed_from_one, 1);
  int ready = 0;
  for (std::size_t i = 0; i < want.size(); ++i) {
    for (const auto* got : {&first, &again, &after_reset}) {
      EXPECT_EQ(std::isnan((*got)[i]), std::isnan(want[i])) << i;
      if (!std::isnan(want[i])) {
        EXPECT_EQ((*got)[i], want[i]) << i;
      }
    }
    ready += std::isnan(want[i]) ? 0 : 1;
  }
  EXPECT_GT(ready, 20);
}

TEST(RelVolumeTimeOfDay, RealDataMatchesNaiveAverage) {
  auto bars = testing::LoadMinuteBars(testing::kSpyMinutes);
  if (!bars) {
    GTEST_SKIP() << "market data absent";
  }
  const std::size_t n = bars->size();
  std::vector<double> out(n);
  RelVolumeTimeOfDayBatch(bars->volume, bars->session, bars->slot, out, {}, 390, 5);
  // Naive: for each bar, the same slot's volume in the five previous sessions that had that slot.
  std::map<int, std::vector<double>> by_slot;  // slot → volumes of completed sessions
  std::int64_t current = bars->session[0];
  std::vector<std::pair<int, double>> today;
  int checked = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (bars->session[i] != current) {
      for (const auto& [slot, vol] : today) {
        by_slot[slot].push_back(vol);
      }
      today.clear();
      current = bars->session[i];
    }
    const auto& hist = by_slot[bars->slot[i]];
    if (hist.size() >= 5) {
      double sum = 0.0;
      for (std::size_t k = hist.size() - 5; k < hist.size(); ++k) {
        sum += hist[k];
      }
      ASSERT_NEAR(out[i], bars->volume[i] / (sum / 5.0), 1e-12 * out[i]) << i;
      ++checked;
    } else {
      ASSERT_TRUE(std::isnan(out[i])) << i;
    }
    today.emplace_back(bars->slot[i], bars->volume[i]);
  }
  EXPECT_GT(checked, 40000);
}

}  // namespace
}  // namespace td::indicators
