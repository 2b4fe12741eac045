// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "persistence/sqlite.hpp"

namespace td::system {

/// Where a daily IV reading came from.
inline constexpr std::string_view kIvSourceChain = "chain";  // our own 30-day ATM IV from a live option chain
inline constexpr std::string_view kIvSourceSimulatorVolIndex =
    "simulator_vol_index";  // backfilled from the simulator's vol-index daily closes

/// One session's 30-day constant-maturity ATM implied vol of an underlying (decimal, 0.18 = 18 %).
struct IvHistoryRow {
  std::string underlying;  // "US:SPY"
  CivilDate session;       // the exchange-local trading date
  double atm_iv_30d = 0.0;
  std::string source;
  UnixNanos recorded_at;
};

/// The persisted daily IV history behind IV rank and IV percentile: SQLite (WAL) table
/// iv_history(underlying, session_date, atm_iv_30d, source, recorded_at), one row per underlying and session.
/// A live reading replaces the session's row (the latest reading of a session is the closest to its close);
/// a backfilled reading never replaces anything. Thread-safe (one connection behind a mutex).
class IvHistoryStore {
 public:
  /// Opens (or creates) the database file and brings its schema up to date. `clock` must outlive the store.
  static Result<std::unique_ptr<IvHistoryStore>> Open(const std::filesystem::path& path, const Clock& clock);

  /// Records a live reading of `session` for `underlying`, replacing that session's row.
  Status Record(std::string_view underlying, CivilDate session, double atm_iv_30d, std::string_view source);
  /// Adds readings only where no row exists yet (backfill); returns how many rows were added.
  Result<std::size_t> Backfill(std::string_view underlying, const std::vector<std::pair<CivilDate, double>>& readings,
                               std::string_view source);
  /// Up to `limit` rows of `underlying` with session < `before`, newest first.
  Result<std::vector<IvHistoryRow>> Before(std::string_view underlying, CivilDate before, std::size_t limit);
  /// The row of one session, if any.
  Result<std::optional<IvHistoryRow>> At(std::string_view underlying, CivilDate session);
  /// Number of rows of `underlying`.
  Result<std::int64_t> Count(std::string_view underlying);

 private:
  IvHistoryStore(persistence::Database db, const Clock& clock) : db_(std::move(db)), clock_(clock) {}

  std::mutex mutex_;
  persistence::Database db_;
  const Clock& clock_;
};

/// "2025-09-16".
std::string FormatSessionDate(CivilDate date);
/// Parses "YYYY-MM-DD".
Result<CivilDate> ParseSessionDate(std::string_view text);

}  // namespace td::system
