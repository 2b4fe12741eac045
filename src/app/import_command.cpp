// SPDX-License-Identifier: MIT
#include "app/import_command.hpp"

#include <unistd.h>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <system_error>

#include "app/cli.hpp"
#include "core/ids.hpp"
#include "data/bar_import.hpp"
#include "data/bar_store.hpp"
#include "data/zone.hpp"
#include "model/bar.hpp"

namespace td::app {
namespace {

constexpr std::size_t kIssuesShown = 5;
constexpr auto kProgressInterval = std::chrono::milliseconds(250);

constexpr data::BarFileFormat kFormats[] = {data::BarFileFormat::kAuto,        data::BarFileFormat::kGenericCsv,
                                            data::BarFileFormat::kTradingView, data::BarFileFormat::kLeanMinute,
                                            data::BarFileFormat::kLeanDaily,   data::BarFileFormat::kIndianVendor};

std::string FormatNames() {
  std::string names;
  for (const data::BarFileFormat format : kFormats) {
    names += (names.empty() ? "" : ", ") + std::string(data::FormatName(format));
  }
  return names;
}

std::optional<data::BarFileFormat> ParseFormat(const std::string& name) {
  if (name.empty()) {
    return data::BarFileFormat::kAuto;
  }
  for (const data::BarFileFormat format : kFormats) {
    if (data::FormatName(format) == name) {
      return format;
    }
  }
  return std::nullopt;
}

int Usage(const std::string& message) {
  std::cerr << "tradedesk import: " << message << '\n';
  return kExitUsage;
}

/// Prints progress to stderr at most every kProgressInterval, overwriting one line.
class ProgressPrinter {
 public:
  explicit ProgressPrinter(bool enabled) : enabled_(enabled) {}

  data::ProgressFn Callback() {
    if (!enabled_) {
      return {};
    }
    return [this](const data::ImportProgress& p) { OnProgress(p); };
  }
  /// Ends the progress line, if one was printed.
  void Finish() {
    if (printed_) {
      std::fputc('\n', stderr);
      std::fflush(stderr);
      printed_ = false;
    }
  }

 private:
  void OnProgress(const data::ImportProgress& p) {
    const auto now = std::chrono::steady_clock::now();
    const bool done = p.bytes_total > 0 && p.bytes_done >= p.bytes_total;
    if (!done && printed_ && now - last_ < kProgressInterval) {
      return;
    }
    if (!printed_ && done) {
      return;  // a file read in one go needs no progress line
    }
    last_ = now;
    printed_ = true;
    const double mib = 1024.0 * 1024.0;
    const double percent =
        p.bytes_total > 0 ? 100.0 * static_cast<double>(p.bytes_done) / static_cast<double>(p.bytes_total) : 0.0;
    std::fprintf(stderr, "\r%.*s: %.1f/%.1f MiB (%.0f%%), %llu rows", static_cast<int>(p.file.size()), p.file.data(),
                 static_cast<double>(p.bytes_done) / mib, static_cast<double>(p.bytes_total) / mib, percent,
                 static_cast<unsigned long long>(p.rows));
    std::fflush(stderr);
  }

  bool enabled_;
  bool printed_ = false;
  std::chrono::steady_clock::time_point last_{};
};

void PrintReport(const data::ImportReport& r) {
  std::cout << r.file << ": " << data::FormatName(r.format) << ", " << r.instrument.value() << ' ' << r.spec.ToString()
            << ", zone " << (r.time_zone.empty() ? std::string("UTC") : r.time_zone) << '\n'
            << "  rows read " << r.rows << ", bars " << r.bars << ", stored " << r.appended << " (already stored "
            << r.already_stored << "), skipped " << r.bad_rows << ", duplicates " << r.duplicate_rows
            << ", outside session " << r.outside_session;
  if (r.reversed) {
    std::cout << ", file was newest first";
  }
  if (r.resorted) {
    std::cout << ", file was re-sorted";
  }
  std::cout << '\n';
  const std::size_t shown = std::min(kIssuesShown, r.issues.size());
  for (std::size_t i = 0; i < shown; ++i) {
    std::cout << "  skipped " << r.issues[i].ToString() << '\n';
  }
  if (r.bad_rows > shown) {
    std::cout << "  ... and " << (r.bad_rows - shown) << " more skipped rows\n";
  }
}

}  // namespace

CLI::App* AddImportCommand(CLI::App& app, ImportFlags& flags) {
  CLI::App* cmd =
      app.add_subcommand("import", "Import bar files (CSV, TradingView, Lean, Indian vendor) into the bar store.");
  cmd->add_option("--data-dir", flags.data_dir, "Data directory holding the bar store (bars/ is created under it)")
      ->required();
  cmd->add_option("--symbol", flags.symbol, "Instrument as EXCHANGE:SYMBOL, e.g. US:SPY")->required();
  cmd->add_option("--timeframe", flags.timeframe, "Bar length: 1m, 5m, 1h, 1D, ...")->required();
  cmd->add_option("--format", flags.format, "File format: " + FormatNames() + " (default: detected)");
  cmd->add_option("--on-error", flags.on_error, "Bad rows: skip (count and report) or abort (fail the file)");
  cmd->add_option("--tz", flags.tz, "IANA zone of naive times (default: the format's zone, else UTC)");
  cmd->add_flag("--progress", flags.progress, "Print progress to stderr even when it is not a terminal");
  cmd->add_option("files", flags.files, "Files to import (plain, .gz or .zip)")->required();
  cmd->footer(
      "Prints one summary per file: rows read, bars stored, skipped rows with file:line:column: reason.\n"
      "Re-importing a file stores nothing new. Exit codes: 0 ok, 1 a file failed, 2 bad usage.");
  return cmd;
}

int RunImport(const ImportFlags& flags) {
  const auto instrument = InstrumentId::Parse(flags.symbol);
  if (!instrument.ok()) {
    return Usage("--symbol " + flags.symbol + ": " + instrument.error().message);
  }
  const auto spec = BarSpec::Parse(flags.timeframe);
  if (!spec.ok()) {
    return Usage("--timeframe " + flags.timeframe + ": " + spec.error().message);
  }
  const auto format = ParseFormat(flags.format);
  if (!format.has_value()) {
    return Usage("--format " + flags.format + ": unknown format (known: " + FormatNames() + ")");
  }
  data::BadRowPolicy policy = data::BadRowPolicy::kSkip;
  if (flags.on_error == "abort") {
    policy = data::BadRowPolicy::kAbort;
  } else if (flags.on_error != "skip") {
    return Usage("--on-error " + flags.on_error + ": expected skip or abort");
  }
  if (!flags.tz.empty()) {
    if (auto zone = data::ZoneConverter::Create(flags.tz); !zone.ok()) {
      return Usage("--tz " + flags.tz + ": " + zone.error().message);
    }
  }
  std::error_code ec;
  std::filesystem::create_directories(flags.data_dir, ec);
  if (ec) {
    std::cerr << "tradedesk import: cannot create " << flags.data_dir << ": " << ec.message() << '\n';
    return kExitFailure;
  }

  data::ImportOptions options;
  options.format = *format;
  options.instrument = *instrument;
  options.exchange = std::string(instrument->exchange());
  options.spec = *spec;
  options.time_zone = flags.tz;
  options.on_bad_row = policy;
  options.max_reported_issues = kIssuesShown;
  data::BarStore store(flags.data_dir);
  ProgressPrinter progress(flags.progress || ::isatty(STDERR_FILENO) == 1);

  int code = kExitOk;
  std::uint64_t total_stored = 0;
  std::size_t imported = 0;
  for (const std::string& file : flags.files) {
    auto report = data::ImportFile(file, options, store, progress.Callback());
    progress.Finish();
    if (!report.ok()) {
      std::cout.flush();
      std::cerr << "tradedesk import: " << file << ": " << report.error().message << '\n';
      code = kExitFailure;
      if (policy == data::BadRowPolicy::kAbort) {
        std::cerr << "tradedesk import: aborted (--on-error abort); later files were not imported\n";
        break;
      }
      continue;
    }
    PrintReport(*report);
    total_stored += report->appended;
    ++imported;
  }
  std::cout << "imported " << imported << " of " << flags.files.size() << (flags.files.size() == 1 ? " file" : " files")
            << ", " << total_stored << " bars stored under " << (store.root() / "bars").string() << '\n';
  return code;
}

}  // namespace td::app
