// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "persistence/sqlite.hpp"

namespace td::plans {

/// Who is asking. Admins see every user's records; others only their own.
struct UserScope {
  std::string user;
  bool admin = false;
};

/// One stored version of a plan. plan_json is the scanner's PlanToJson text (the full payload served by
/// GET /idea/{id}); layers_json is the chart-layers payload {levels, zones, overlays} computed with the plan.
struct StoredPlan {
  std::string plan_id;  // "pl_" + 24 lowercase hex chars from a CSPRNG (libsodium randombytes_buf)
  int version = 1;      // 1, 2, ... per plan_id
  std::string user;
  std::string symbol;  // "EXCH:SYM"
  std::string style;   // "scalp" | "intraday" | "swing" | "leaps"
  std::string strategy;
  UnixNanos as_of;       // the instant the plan was computed for
  UnixNanos created_at;  // clock time of the insert
  std::string reason;    // why this version exists: "created", "replan", "rescale", ...
  std::optional<std::string> parent_plan_id;  // the plan this one replaces (replans)
  std::string plan_json;
  std::string layers_json;
  UnixNanos layers_as_of;  // as_of the layers were computed for
};

/// Input of Create / AddVersion.
struct NewPlan {
  std::string symbol, style, strategy, reason = "created";
  std::optional<std::string> parent_plan_id;
  UnixNanos as_of;
  std::string plan_json, layers_json;
  UnixNanos layers_as_of;
};

struct PlanVersionSummary {
  int version;
  UnixNanos as_of;
  UnixNanos created_at;
  std::string reason;
};

/// A named list of symbols owned by one user.
struct Watchlist {
  std::string name;
  std::vector<std::string> symbols;  // upper-cased, in the order given, duplicates removed
  UnixNanos updated_at;
};

/// The writable fields of a trade-journal entry.
struct NewJournalEntry {
  std::optional<std::string> plan_id;  // link to a plan the user can see
  std::string symbol;                  // may be empty (a general note)
  std::string text;                    // up to kMaxJournalTextChars characters
  std::string outcome;                 // "open" | "win" | "loss" | "scratch" | "" (not recorded)
  std::optional<double> pnl;           // realised result in account currency, when known
};

/// One trade-journal entry.
struct JournalEntry {
  std::int64_t id = 0;
  std::string user;
  std::optional<std::string> plan_id;
  std::string symbol;
  std::string text;
  std::string outcome;
  std::optional<double> pnl;
  UnixNanos created_at;
  UnixNanos updated_at;
};

/// Which journal entries a listing returns; every set field must match.
struct JournalFilter {
  std::string symbol;                  // exact symbol as stored (upper case); empty: any
  std::optional<std::string> plan_id;  // entries linked to this plan
  std::optional<UnixNanos> from;       // created_at >= from
  std::optional<UnixNanos> to;         // created_at < to
};

inline constexpr std::size_t kMaxListLimit = 200;
inline constexpr std::size_t kMaxWatchlistSymbols = 200;
inline constexpr std::size_t kMaxWatchlistNameChars = 64;
inline constexpr std::size_t kMaxJournalTextChars = 4000;

/// The SQLite store of trade plans (every version kept forever, with their chart layers), watchlists and
/// trade-journal entries. Every query is scoped to the asking user in SQL; admins see all users.
/// Thread-safety: every method may be called from several threads (one mutex around the connection).
class PlanStore {
 public:
  /// Opens (creating and migrating) the SQLite database at db_path (WAL). clock stamps created_at.
  /// The clock must outlive the store.
  static Result<std::unique_ptr<PlanStore>> Open(const std::filesystem::path& db_path, const Clock& clock);

  ~PlanStore();
  PlanStore(const PlanStore&) = delete;
  PlanStore& operator=(const PlanStore&) = delete;

  /// New plan id, version 1, owned by scope.user. plan_json may embed the id: the store calls
  /// `fill_id(plan_id)` (optional) before insert so the caller can render the JSON with the final id.
  Result<StoredPlan> Create(const UserScope& scope, NewPlan plan,
                            const std::function<void(std::string_view plan_id, NewPlan&)>& fill_id = {});
  /// Appends version N+1 to an existing plan of the user (not_found when it is not theirs).
  /// An admin appends to any plan; the version keeps the plan's owner.
  Result<StoredPlan> AddVersion(const UserScope& scope, std::string_view plan_id, NewPlan plan);
  /// The latest (or a given) version; error code not_found (field "plan_id" or "version") when absent or
  /// owned by another user and scope is not admin — never say which.
  Result<StoredPlan> Get(const UserScope& scope, std::string_view plan_id, std::optional<int> version = {});
  /// Every version of a plan, oldest first.
  Result<std::vector<PlanVersionSummary>> History(const UserScope& scope, std::string_view plan_id);
  /// Latest version of each plan, newest first, at most `limit` (1..200), optionally only one symbol.
  Result<std::vector<StoredPlan>> List(const UserScope& scope, std::size_t limit, std::string_view symbol = {});

  // Watchlists (per user): name unique per user, symbols "EXCH:SYM" or bare.
  /// Creates or replaces the user's watchlist `name`.
  Result<Watchlist> PutWatchlist(const UserScope& scope, std::string_view name, std::vector<std::string> symbols);
  /// Creates the user's watchlist `name`; already_exists (field "name") when the user has one by that name.
  Result<Watchlist> CreateWatchlist(const UserScope& scope, std::string_view name, std::vector<std::string> symbols);
  /// Replaces the symbols of the user's existing watchlist `name`; not_found (field "name") when absent.
  Result<Watchlist> UpdateWatchlist(const UserScope& scope, std::string_view name, std::vector<std::string> symbols);
  Result<Watchlist> GetWatchlist(const UserScope& scope, std::string_view name);
  /// The user's watchlists by name (an admin's own; watchlists are personal).
  Result<std::vector<Watchlist>> ListWatchlists(const UserScope& scope);
  Status DeleteWatchlist(const UserScope& scope, std::string_view name);

  // Trade-journal entries (per user): free text + optional plan link + structured outcome.
  Result<JournalEntry> AddJournalEntry(const UserScope& scope, NewJournalEntry entry);
  /// Replaces the writable fields of the user's entry `id` (not_found when it is not theirs).
  Result<JournalEntry> UpdateJournalEntry(const UserScope& scope, std::int64_t id, NewJournalEntry entry);
  /// The user's entry `id` (admins: anyone's); not_found (field "id") when absent or someone else's.
  Result<JournalEntry> GetJournalEntry(const UserScope& scope, std::int64_t id);
  /// Newest first, at most `limit` (1..200).
  Result<std::vector<JournalEntry>> ListJournalEntries(const UserScope& scope, std::size_t limit);
  /// Newest first, at most `limit` (1..200), only entries matching `filter`.
  Result<std::vector<JournalEntry>> ListJournalEntries(const UserScope& scope, std::size_t limit,
                                                       const JournalFilter& filter);

 private:
  struct Statements;
  PlanStore(persistence::Database db, const Clock& clock);

  Result<StoredPlan> InsertVersionLocked(const std::string& plan_id, int version, const std::string& user,
                                         NewPlan plan);
  Result<StoredPlan> GetLocked(const UserScope& scope, std::string_view plan_id, std::optional<int> version);
  Result<JournalEntry> GetJournalEntryLocked(const UserScope& scope, std::int64_t id);
  /// Put replaces or inserts; create refuses a taken name; update refuses a missing one.
  enum class WatchlistWrite { kPut, kCreate, kUpdate };
  Result<Watchlist> WriteWatchlist(const UserScope& scope, std::string_view name,
                                   const std::vector<std::string>& symbols, WatchlistWrite write);

  std::mutex mutex_;
  persistence::Database db_;
  std::unique_ptr<Statements> statements_;
  const Clock& clock_;
};

/// Validates and normalises a watchlist's symbols (upper-cased, duplicates dropped); errors name the field
/// ("symbols" or "symbols[i]").
Result<std::vector<std::string>> NormalizeWatchlistSymbols(const std::vector<std::string>& symbols);

}  // namespace td::plans
