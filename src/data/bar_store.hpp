// SPDX-License-Identifier: MIT
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/ids.hpp"
#include "core/result.hpp"
#include "data/bar_columns.hpp"
#include "model/bar.hpp"

namespace td::data {

/// The seven column files of a series, in the order they are written on append (ts and the record
/// check last, so a torn append never leaves a complete-looking record).
enum class StoreColumn : std::uint8_t { kOpen, kHigh, kLow, kClose, kVolume, kTs, kCheck };
inline constexpr std::size_t kStoreColumnCount = 7;

/// The 64-bit check of one record, stored in the check column; a zero-filled record never matches.
std::uint64_t BarRecordCheck(std::int64_t ts, std::int64_t open, std::int64_t high, std::int64_t low,
                             std::int64_t close, std::int64_t volume);

/// What a series directory's header says.
struct SeriesHeader {
  InstrumentId instrument;
  BarSpec spec;
  int price_precision = 2;
  int volume_precision = 0;
};

/// A read-only, memory-mapped snapshot of one series: the bars complete when it was opened. Columns are
/// spans over the mapped files, so a sequential scan runs at memory speed.
class BarSeries {
 public:
  BarSeries() = default;
  BarSeries(BarSeries&&) noexcept;
  BarSeries& operator=(BarSeries&&) noexcept;
  BarSeries(const BarSeries&) = delete;
  BarSeries& operator=(const BarSeries&) = delete;
  ~BarSeries();

  /// Maps the series in `dir`. A torn tail is ignored (not repaired: only the writer truncates).
  static Result<BarSeries> Open(const std::filesystem::path& dir);

  const SeriesHeader& header() const { return header_; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::span<const std::int64_t> ts() const { return Column(StoreColumn::kTs); }
  std::span<const std::int64_t> open() const { return Column(StoreColumn::kOpen); }
  std::span<const std::int64_t> high() const { return Column(StoreColumn::kHigh); }
  std::span<const std::int64_t> low() const { return Column(StoreColumn::kLow); }
  std::span<const std::int64_t> close() const { return Column(StoreColumn::kClose); }
  std::span<const std::int64_t> volume() const { return Column(StoreColumn::kVolume); }

  /// Bar `i` with the header's precisions.
  Bar At(std::size_t i) const;
  /// Index of the first bar with ts >= t (binary search).
  std::size_t LowerBound(UnixNanos t) const;
  /// Index range [first, last) of the bars with from <= ts < to.
  std::pair<std::size_t, std::size_t> Range(UnixNanos from, UnixNanos to) const;
  /// Copies bars [first, last) into columns.
  BarColumns Slice(std::size_t first, std::size_t last) const;
  /// Checks every record against its check value and that times strictly increase; reports the first
  /// bad record as kCorruptData.
  Status Verify() const;

 private:
  std::span<const std::int64_t> Column(StoreColumn column) const {
    return {static_cast<const std::int64_t*>(maps_[static_cast<std::size_t>(column)].first), size_};
  }
  void Unmap();

  SeriesHeader header_;
  std::size_t size_ = 0;
  std::array<std::pair<void*, std::size_t>, kStoreColumnCount> maps_{};
};

/// The outcome of an append.
struct AppendReport {
  std::size_t appended = 0;
  std::size_t duplicates = 0;  // bars identical to a stored one, ignored
};

/// The single writer of one series. Holds an exclusive lock on the series while open; opening repairs a
/// torn tail by cutting every column back to the last complete, checked record.
class BarWriter {
 public:
  BarWriter(BarWriter&&) noexcept;
  BarWriter& operator=(BarWriter&&) noexcept;
  BarWriter(const BarWriter&) = delete;
  BarWriter& operator=(const BarWriter&) = delete;
  ~BarWriter();

  /// Opens (creating when absent) the series in `dir`. `header` is written for a new series; for an
  /// existing one its instrument and spec must match.
  static Result<BarWriter> Open(const std::filesystem::path& dir, const SeriesHeader& header);

  /// Appends bars in increasing time. All or nothing: a bar whose ts is not after the last stored bar is
  /// ignored when it is identical to the stored bar with that ts (idempotent re-import) and otherwise
  /// rejects the whole batch with kConflict; an inconsistent bar (low > high, open/close outside the
  /// range, negative volume) rejects it with kInvalidArgument.
  Result<AppendReport> Append(const BarColumns& bars);
  /// Flushes the columns to stable storage (fsync).
  Status Sync();

  std::size_t size() const { return size_; }
  /// Bytes cut from torn column tails when this writer opened the series (0 after a clean close).
  std::size_t repaired_bytes() const { return repaired_; }
  const SeriesHeader& header() const { return header_; }

 private:
  BarWriter() = default;
  Status WriteHeader();
  void Close();

  std::filesystem::path dir_;
  SeriesHeader header_;
  int lock_fd_ = -1;
  std::array<int, kStoreColumnCount> fds_{-1, -1, -1, -1, -1, -1, -1};
  std::size_t size_ = 0;
  std::size_t repaired_ = 0;
  std::int64_t last_ts_ = 0;
};

/// Bars of every (instrument, bar spec) under one root: `<root>/bars/<EXCHANGE>/<SYMBOL>/<spec>/`.
class BarStore {
 public:
  explicit BarStore(std::filesystem::path root) : root_(std::move(root)) {}

  /// The directory of a series; symbol characters outside [A-Z0-9._-] are written as %XX.
  std::filesystem::path SeriesDir(const InstrumentId& instrument, BarSpec spec) const;
  /// Opens the writer of a series, creating it with the given precisions when new.
  Result<BarWriter> OpenWriter(const InstrumentId& instrument, BarSpec spec, int price_precision,
                               int volume_precision) const;
  /// Appends through a short-lived writer (see BarWriter::Append).
  Result<AppendReport> Append(const InstrumentId& instrument, BarSpec spec, const BarColumns& bars) const;
  /// Maps a series for reading; kNotFound when it does not exist.
  Result<BarSeries> Open(const InstrumentId& instrument, BarSpec spec) const;
  /// Every series under the root, sorted.
  std::vector<std::pair<InstrumentId, BarSpec>> List() const;

  const std::filesystem::path& root() const { return root_; }

 private:
  std::filesystem::path root_;
};

}  // namespace td::data
