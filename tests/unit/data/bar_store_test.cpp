// SPDX-License-Identifier: MIT
#include "data/bar_store.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "data_test_util.hpp"

namespace td::data {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

const InstrumentId kSpy = InstrumentId::Of("NYSE:SPY");
const BarSpec kOneMinute{1, BarUnit::kMinute};
constexpr std::int64_t kMinute = 60'000'000'000;
constexpr std::int64_t kStart = 1'700'000'000'000'000'000;

// n bars a minute apart; prices in raw 1e-9 units at 2 decimals.
BarColumns MakeBars(std::size_t n, std::int64_t first_ts = kStart, std::int64_t base = 100'000'000'000) {
  BarColumns bars;
  bars.price_precision = 2;
  for (std::size_t i = 0; i < n; ++i) {
    const auto k = static_cast<std::int64_t>(i);
    const std::int64_t open = base + k * 10'000'000;
    bars.Push(first_ts + k * kMinute, open, open + 50'000'000, open - 30'000'000, open + 20'000'000, 1000 + k);
  }
  return bars;
}

TEST(BarStore, RoundTripsEveryColumnAndPrecision) {
  TempDir dir;
  BarStore store(dir.path());
  BarColumns bars = MakeBars(1000);
  bars.price_precision = 4;
  bars.volume_precision = 1;
  auto report = store.Append(kSpy, kOneMinute, bars);
  ASSERT_TRUE(report.ok()) << report.error().ToString();
  EXPECT_EQ(report->appended, 1000U);
  EXPECT_TRUE(fs::exists(dir.path() / "bars" / "NYSE" / "SPY" / "1m" / "ts.i64"));
  auto series = store.Open(kSpy, kOneMinute);
  ASSERT_TRUE(series.ok()) << series.error().ToString();
  ASSERT_EQ(series->size(), 1000U);
  EXPECT_EQ(series->header().price_precision, 4);
  EXPECT_EQ(series->header().volume_precision, 1);
  EXPECT_EQ(series->header().instrument, kSpy);
  const BarColumns back = series->Slice(0, series->size());
  EXPECT_EQ(back.ts, bars.ts);
  EXPECT_EQ(back.open, bars.open);
  EXPECT_EQ(back.high, bars.high);
  EXPECT_EQ(back.low, bars.low);
  EXPECT_EQ(back.close, bars.close);
  EXPECT_EQ(back.volume, bars.volume);
  const Bar bar = series->At(7);
  EXPECT_EQ(bar.ts_event.nanos(), bars.ts[7]);
  EXPECT_EQ(bar.open.ToString(), "100.0700");
  EXPECT_TRUE(series->Verify().ok());
  ASSERT_EQ(store.List().size(), 1U);
  EXPECT_EQ(store.List()[0].first, kSpy);
}

TEST(BarStore, RangeQueriesUseHalfOpenIntervals) {
  TempDir dir;
  BarStore store(dir.path());
  ASSERT_TRUE(store.Append(kSpy, kOneMinute, MakeBars(100)).ok());
  auto series = store.Open(kSpy, kOneMinute).value();
  auto [a, b] = series.Range(UnixNanos(kStart + 10 * kMinute), UnixNanos(kStart + 20 * kMinute));
  EXPECT_EQ(a, 10U);
  EXPECT_EQ(b, 20U);
  std::tie(a, b) = series.Range(UnixNanos(kStart + 10 * kMinute + 1), UnixNanos(kStart + 20 * kMinute + 1));
  EXPECT_EQ(a, 11U);
  EXPECT_EQ(b, 21U);
  std::tie(a, b) = series.Range(UnixNanos(0), UnixNanos(kStart));
  EXPECT_EQ(a, 0U);
  EXPECT_EQ(b, 0U);
  std::tie(a, b) = series.Range(UnixNanos(kStart + 1000 * kMinute), UnixNanos(kStart + 2000 * kMinute));
  EXPECT_EQ(a, 100U);
  EXPECT_EQ(b, 100U);
  std::tie(a, b) = series.Range(UnixNanos(kStart + 50 * kMinute), UnixNanos(kStart));
  EXPECT_EQ(a, b) << "an inverted range is empty";
}

TEST(BarStore, AppendsInSeveralBatchesAndReopens) {
  TempDir dir;
  BarStore store(dir.path());
  const BarColumns all = MakeBars(300);
  for (std::size_t first = 0; first < 300; first += 100) {
    BarColumns part;
    part.price_precision = 2;
    for (std::size_t i = first; i < first + 100; ++i) {
      part.Push(all.ts[i], all.open[i], all.high[i], all.low[i], all.close[i], all.volume[i]);
    }
    auto writer = store.OpenWriter(kSpy, kOneMinute, 2, 0);
    ASSERT_TRUE(writer.ok());
    EXPECT_EQ(writer->size(), first);
    ASSERT_TRUE(writer->Append(part).ok());
    ASSERT_TRUE(writer->Sync().ok());
  }
  EXPECT_EQ(store.Open(kSpy, kOneMinute)->Slice(0, 300).close, all.close);
}

TEST(BarStore, DuplicatesAreIgnoredAndOlderDifferentBarsRejected) {
  TempDir dir;
  BarStore store(dir.path());
  const BarColumns bars = MakeBars(50);
  ASSERT_TRUE(store.Append(kSpy, kOneMinute, bars).ok());
  // Re-import of the same bars: nothing appended, all counted as duplicates.
  auto again = store.Append(kSpy, kOneMinute, bars);
  ASSERT_TRUE(again.ok()) << again.error().ToString();
  EXPECT_EQ(again->appended, 0U);
  EXPECT_EQ(again->duplicates, 50U);
  // Overlapping batch: the overlap is ignored, the new tail appended.
  BarColumns overlap = MakeBars(60);
  auto grown = store.Append(kSpy, kOneMinute, overlap);
  ASSERT_TRUE(grown.ok());
  EXPECT_EQ(grown->appended, 10U);
  EXPECT_EQ(grown->duplicates, 50U);
  // A different bar at a stored time is a conflict and writes nothing.
  BarColumns changed = MakeBars(61);
  changed.close[5] += 10'000'000;
  auto conflict = store.Append(kSpy, kOneMinute, changed);
  ASSERT_FALSE(conflict.ok());
  EXPECT_EQ(conflict.error().code, ErrorCode::kConflict);
  EXPECT_EQ(store.Open(kSpy, kOneMinute)->size(), 60U);
  // An older bar at a time that was never stored is rejected too (appends only move forward).
  BarColumns older = MakeBars(1, kStart + 30 * kMinute + 1);
  EXPECT_EQ(store.Append(kSpy, kOneMinute, older).error().code, ErrorCode::kConflict);
  // Out of order inside one batch.
  BarColumns shuffled = MakeBars(3, kStart + 100 * kMinute);
  std::swap(shuffled.ts[1], shuffled.ts[2]);
  EXPECT_FALSE(store.Append(kSpy, kOneMinute, shuffled).ok());
  // A repeat inside one batch is idempotent as well.
  BarColumns repeated = MakeBars(2, kStart + 200 * kMinute);
  repeated.Push(repeated.ts[1], repeated.open[1], repeated.high[1], repeated.low[1], repeated.close[1],
                repeated.volume[1]);
  auto with_repeat = store.Append(kSpy, kOneMinute, repeated);
  ASSERT_TRUE(with_repeat.ok());
  EXPECT_EQ(with_repeat->appended, 2U);
  EXPECT_EQ(with_repeat->duplicates, 1U);
  EXPECT_EQ(store.Open(kSpy, kOneMinute)->size(), 62U);
}

TEST(BarStore, RejectsInconsistentBars) {
  TempDir dir;
  BarStore store(dir.path());
  BarColumns bad = MakeBars(3);
  bad.low[1] = bad.high[1] + 1;
  auto result = store.Append(kSpy, kOneMinute, bad);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(store.Open(kSpy, kOneMinute)->size(), 0U);
}

TEST(BarStore, SecondWriterIsRefusedWhileTheFirstIsOpen) {
  TempDir dir;
  BarStore store(dir.path());
  auto first = store.OpenWriter(kSpy, kOneMinute, 2, 0);
  ASSERT_TRUE(first.ok());
  auto second = store.OpenWriter(kSpy, kOneMinute, 2, 0);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, ErrorCode::kUnavailable);
}

TEST(BarStore, PrecisionGrowsWithAppends) {
  TempDir dir;
  BarStore store(dir.path());
  ASSERT_TRUE(store.Append(kSpy, kOneMinute, MakeBars(2)).ok());
  BarColumns finer = MakeBars(1, kStart + 10 * kMinute);
  finer.price_precision = 4;
  ASSERT_TRUE(store.Append(kSpy, kOneMinute, finer).ok());
  EXPECT_EQ(store.Open(kSpy, kOneMinute)->header().price_precision, 4);
}

TEST(BarStore, SymbolsAreEscapedInPaths) {
  TempDir dir;
  BarStore store(dir.path());
  const auto id = InstrumentId::Of("NSE:M&M");
  ASSERT_TRUE(store.Append(id, kOneMinute, MakeBars(1)).ok());
  EXPECT_TRUE(fs::exists(dir.path() / "bars" / "NSE" / "M%26M" / "1m" / "header"));
  EXPECT_EQ(store.Open(id, kOneMinute)->size(), 1U);
}

TEST(BarStore, OpenOfMissingSeriesIsNotFound) {
  TempDir dir;
  BarStore store(dir.path());
  EXPECT_EQ(store.Open(kSpy, kOneMinute).error().code, ErrorCode::kNotFound);
}

// Simulates a crash at every byte of the last append: each column file is cut (one at a time and all
// together) at every offset inside the last record. Opening must see exactly the previous bars, cut the
// files back, and accept the record again.
TEST(BarStore, TornTailIsCutBackAtEveryByteOffset) {
  TempDir dir;
  BarStore store(dir.path());
  const BarColumns bars = MakeBars(20);
  const fs::path series_dir = store.SeriesDir(kSpy, kOneMinute);
  const std::vector<std::string> columns = {"open.i64",   "high.i64", "low.i64",  "close.i64",
                                            "volume.i64", "ts.i64",   "check.u64"};
  BarColumns last = MakeBars(1, bars.ts.back() + kMinute, 200'000'000'000);
  for (int which = -1; which < static_cast<int>(columns.size()); ++which) {
    for (std::size_t cut = 0; cut < 8; ++cut) {
      fs::remove_all(dir.path() / "bars");
      ASSERT_TRUE(store.Append(kSpy, kOneMinute, bars).ok());
      ASSERT_TRUE(store.Append(kSpy, kOneMinute, last).ok());
      const std::uintmax_t full = 21 * 8;
      for (std::size_t c = 0; c < columns.size(); ++c) {
        if (which < 0 || static_cast<int>(c) == which) {
          fs::resize_file(series_dir / columns[c], full - 8 + cut);
        }
      }
      // A reader sees only complete records without repairing anything.
      auto reader = BarSeries::Open(series_dir);
      ASSERT_TRUE(reader.ok());
      EXPECT_EQ(reader->size(), 20U) << "column " << which << " cut " << cut;
      reader = BarSeries{};
      auto writer = store.OpenWriter(kSpy, kOneMinute, 2, 0);
      ASSERT_TRUE(writer.ok());
      EXPECT_EQ(writer->size(), 20U);
      if (which >= 0 || cut > 0) {
        EXPECT_GT(writer->repaired_bytes(), 0U);
      }
      for (const auto& name : columns) {
        EXPECT_EQ(fs::file_size(series_dir / name), 20U * 8) << name;
      }
      auto again = writer->Append(last);
      ASSERT_TRUE(again.ok()) << again.error().ToString();
      EXPECT_EQ(again->appended, 1U);
      writer = Error::Internal("closed");
      auto series = store.Open(kSpy, kOneMinute);
      ASSERT_EQ(series->size(), 21U);
      EXPECT_EQ(series->close()[20], last.close[0]);
      EXPECT_TRUE(series->Verify().ok());
    }
  }
}

// A crash can also leave whole but garbage values (zero-filled blocks after power loss); the record
// check catches them.
TEST(BarStore, GarbageTailRecordIsDetectedByItsCheck) {
  TempDir dir;
  BarStore store(dir.path());
  ASSERT_TRUE(store.Append(kSpy, kOneMinute, MakeBars(10)).ok());
  const fs::path volume_file = store.SeriesDir(kSpy, kOneMinute) / "volume.i64";
  {
    std::fstream f(volume_file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(9 * 8);
    const std::int64_t zero = 0;
    f.write(reinterpret_cast<const char*>(&zero), sizeof zero);
  }
  EXPECT_EQ(store.Open(kSpy, kOneMinute)->size(), 9U);
  auto writer = store.OpenWriter(kSpy, kOneMinute, 2, 0);
  ASSERT_TRUE(writer.ok());
  EXPECT_EQ(writer->size(), 9U);
}

TEST(BarStore, VerifyFindsCorruptionInsideTheFile) {
  TempDir dir;
  BarStore store(dir.path());
  ASSERT_TRUE(store.Append(kSpy, kOneMinute, MakeBars(10)).ok());
  {
    std::fstream f(store.SeriesDir(kSpy, kOneMinute) / "high.i64", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(3 * 8);
    const std::int64_t value = 1;
    f.write(reinterpret_cast<const char*>(&value), sizeof value);
  }
  auto series = store.Open(kSpy, kOneMinute);
  ASSERT_EQ(series->size(), 10U);
  auto verified = series->Verify();
  ASSERT_FALSE(verified.ok());
  EXPECT_EQ(verified.error().code, ErrorCode::kCorruptData);
  EXPECT_NE(verified.error().message.find("record 3"), std::string::npos);
}

}  // namespace
}  // namespace td::data
