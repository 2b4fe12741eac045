// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace date {
class time_zone;
}  // namespace date

namespace td::data {

/// A regular trading session in the exchange's local wall time. The calendar module will supply these per
/// date later (holidays, half days); until then callers pass a fixed template. Sessions may not cross midnight.
struct SessionTemplate {
  std::string time_zone;          // IANA name, e.g. "America/New_York"
  std::chrono::seconds open{0};   // since local midnight
  std::chrono::seconds close{0};  // since local midnight, after open

  /// Checks the zone exists and 0 <= open < close <= 24h.
  Status Validate() const;
};

/// NYSE/Nasdaq regular trading hours, 09:30–16:00 America/New_York.
SessionTemplate NyseRegularSession();
/// NSE equity/F&O normal market, 09:15–15:30 Asia/Kolkata.
SessionTemplate NseRegularSession();

/// Converts between UTC and an IANA zone's wall time in whole seconds. It caches the offset interval of
/// the last lookup, so runs of nearby times cost two comparisons instead of a tz database search.
class ZoneConverter {
 public:
  /// The zone called `name` ("UTC" and "" mean UTC); fails when the tz database does not know it.
  static Result<ZoneConverter> Create(std::string_view name);

  /// UTC seconds to local wall-clock seconds (seconds since 1970-01-01 00:00 local).
  std::int64_t ToLocal(std::int64_t utc_seconds);
  /// Local wall-clock seconds to UTC. A time inside a spring-forward gap is read with the offset before
  /// the gap (so it lands just after the change); a time in a fall-back overlap takes the earlier instant.
  std::int64_t ToUtc(std::int64_t local_seconds);

  const std::string& name() const { return name_; }

 private:
  std::string name_;
  const date::time_zone* zone_ = nullptr;  // null for UTC
  // ToLocal cache: [utc_begin_, utc_end_) has offset utc_offset_.
  std::int64_t utc_begin_ = 1;
  std::int64_t utc_end_ = 0;
  std::int64_t utc_offset_ = 0;
  // ToUtc cache: every local time in [local_begin_, local_end_) is unique with offset local_offset_.
  std::int64_t local_begin_ = 1;
  std::int64_t local_end_ = 0;
  std::int64_t local_offset_ = 0;
};

}  // namespace td::data
