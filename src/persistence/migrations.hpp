// SPDX-License-Identifier: MIT
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "persistence/sqlite.hpp"

namespace td::persistence {

/// One schema step. Versions start at 1 and strictly increase; a released migration never changes.
struct Migration {
  int version = 0;
  std::string_view name;
  std::string_view sql;  // one or more statements
};

/// What Migrate did.
struct MigrationReport {
  int from_version = 0;
  int to_version = 0;
  std::vector<int> applied;
};

/// Returns the highest version recorded in schema_migrations (0 for a fresh database).
Result<int> SchemaVersion(Database& db);

/// Brings the schema up to the last of `migrations`, each in its own transaction, recording every step in
/// schema_migrations(version, name, applied_at). A failing step rolls back entirely and stops the run.
/// Refuses (Unprocessable) a database whose version is newer than the code's, and (Conflict) one whose
/// recorded history disagrees with the code's list (a renamed, missing or foreign step).
Result<MigrationReport> Migrate(Database& db, std::span<const Migration> migrations);

}  // namespace td::persistence
