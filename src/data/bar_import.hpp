// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ids.hpp"
#include "core/result.hpp"
#include "data/bar_columns.hpp"
#include "data/bar_store.hpp"
#include "data/zone.hpp"
#include "model/bar.hpp"

namespace td::data {

/// The bar file layouts of ../shared/data/README.md.
enum class BarFileFormat : std::uint8_t {
  kAuto,          // detect from the first lines and the file name
  kGenericCsv,    // OHLCV CSV with configurable columns and time encodings
  kTradingView,   // generic CSV with `time` = epoch seconds UTC, bar start
  kLeanMinute,    // headerless `ms_since_midnight,o,h,l,c,v`, deci-cents, date from the file name, ET
  kLeanDaily,     // headerless `YYYYMMDD HH:MM,o,h,l,c,v`, deci-cents, ET (daily and hourly files)
  kIndianVendor,  // headerless `Symbol,YYYYMMDD,HH:MM,o,h,l,c,v,oi`, IST, bar-end labels
};
/// Returns a stable lower-case name ("generic_csv", "lean_minute", ...).
std::string_view FormatName(BarFileFormat format);

/// How the time column is written.
enum class TimeEncoding : std::uint8_t {
  kAuto,          // epoch when all digits (>= 12 digits: milliseconds), otherwise date/time text
  kEpochSeconds,  // UTC
  kEpochMillis,   // UTC
  kDateTime,      // YYYY-MM-DD / YYYY/MM/DD / YYYYMMDD [T or space HH:MM[:SS[.f]]] [Z|±HH:MM]; naive = local time
  kMillisOfDay,   // milliseconds since local midnight of the file's date (Lean)
};

/// Whether a row's time is the bar's start or its end.
enum class BarLabel : std::uint8_t { kBarStart, kBarEnd };
/// What a malformed row does: skipped (counted and reported) or aborts the import.
enum class BadRowPolicy : std::uint8_t { kSkip, kAbort };
/// What happens to bars that do not overlap the session (only when a session applies).
enum class OutsideSession : std::uint8_t { kKeep, kDrop };

/// A CSV column given by header name (case-insensitive) or by 0-based index.
struct ColumnRef {
  std::string name;
  int index = -1;

  static ColumnRef Named(std::string column_name) { return ColumnRef{std::move(column_name), -1}; }
  static ColumnRef At(int column_index) { return ColumnRef{{}, column_index}; }
  bool empty() const { return name.empty() && index < 0; }
};

/// Column layout of a generic CSV. Empty references are found from the header names (datetime, date,
/// time, timestamp, open/o, high/h, low/l, close/c, volume/vol/v, ...), or default to time,o,h,l,c,v.
struct CsvLayout {
  char delimiter = 0;              // 0 = detect among , ; tab |
  std::optional<bool> has_header;  // detected when unset: a header has a field starting with a letter
  ColumnRef time;                  // date-time, epoch, or the time of day when `date` is set
  ColumnRef date;                  // optional separate date column
  ColumnRef open, high, low, close;
  ColumnRef volume;  // optional; a missing or empty volume is 0
};

/// How to read a bar file. Unset fields take the format's defaults (see src/data/README.md).
struct ImportOptions {
  BarFileFormat format = BarFileFormat::kAuto;
  InstrumentId instrument;        // required unless the file names its symbol (Indian vendor)
  std::string exchange = "NSE";   // exchange for a symbol taken from the file
  std::optional<BarSpec> spec;    // inferred from the most common time step when unset
  std::optional<BarLabel> label;  // format default: start, except Indian vendor (end)
  TimeEncoding time_encoding = TimeEncoding::kAuto;
  std::string time_zone;  // zone of naive times; default: session zone, format zone or UTC
  std::optional<SessionTemplate> session;
  bool format_default_session = true;  // Indian vendor files get the NSE session when `session` is unset
  OutsideSession outside_session = OutsideSession::kDrop;
  std::int64_t price_divisor = 0;      // prices are divided by this; 0 = format default (Lean 10,000)
  std::optional<CivilDate> file_date;  // Lean minute files: the session date; else from the file name
  std::string zip_entry;               // which member of a multi-member zip to read
  CsvLayout csv;
  BadRowPolicy on_bad_row = BadRowPolicy::kSkip;
  std::size_t max_reported_issues = 100;
};

/// One malformed row: where it is and why it was refused.
struct RowIssue {
  std::string file;
  std::uint64_t line = 0;    // 1-based
  std::uint32_t column = 0;  // 1-based character column of the offending field
  std::string field;         // logical field: time, open, high, low, close, volume, symbol, row
  std::string reason;

  /// "file:line:column: reason (field)".
  std::string ToString() const;
};

/// What an import saw and did.
struct ImportReport {
  std::string file;
  BarFileFormat format = BarFileFormat::kAuto;
  BarSpec spec;
  BarLabel label = BarLabel::kBarStart;
  std::string time_zone;
  InstrumentId instrument;
  std::uint64_t rows = 0;             // data rows read (header and blank lines excluded)
  std::uint64_t bars = 0;             // bars produced
  std::uint64_t bad_rows = 0;         // malformed rows skipped
  std::uint64_t duplicate_rows = 0;   // rows repeating an identical bar
  std::uint64_t outside_session = 0;  // bars dropped by the session filter
  bool reversed = false;              // the file ran newest first
  bool resorted = false;              // the file was in no order and was sorted
  std::vector<RowIssue> issues;       // the first max_reported_issues bad rows
  std::uint64_t appended = 0;         // ImportFile: bars written to the store
  std::uint64_t already_stored = 0;   // ImportFile: identical bars already in the store
};

/// Progress of a long import, reported about every MiB of input and once at the end.
struct ImportProgress {
  std::string_view file;
  std::uint64_t bytes_done = 0;
  std::uint64_t bytes_total = 0;
  std::uint64_t rows = 0;
};
using ProgressFn = std::function<void(const ImportProgress&)>;

/// Bars read from a file (sorted by bar start, unique) and the report of reading them.
struct ParsedBars {
  BarColumns bars;
  ImportReport report;
};

/// Detects the layout of decompressed text from its first lines and the file name.
Result<BarFileFormat> DetectFormat(std::string_view text, std::string_view file_name);

/// Parses decompressed text. `file_name` is used in diagnostics and for dates in Lean file names.
Result<ParsedBars> ParseBarText(std::string_view text, std::string_view file_name, const ImportOptions& options,
                                const ProgressFn& progress = {});

/// Reads a file (plain, .gz or .zip) and parses it.
Result<ParsedBars> ParseBarFile(const std::filesystem::path& path, const ImportOptions& options,
                                const ProgressFn& progress = {});

/// Reads a file and appends its bars to the store (idempotent: re-importing a file appends nothing).
/// The `tradedesk import` command's entry point.
Result<ImportReport> ImportFile(const std::filesystem::path& path, const ImportOptions& options, BarStore& store,
                                const ProgressFn& progress = {});

}  // namespace td::data
