// SPDX-License-Identifier: MIT
#include "data/zone.hpp"

#include <date/tz.h>

#include <limits>
#include <stdexcept>

namespace td::data {
namespace {

constexpr std::int64_t kDay = 86'400;
// Transitions of real zones are months apart and shift the wall clock by at most a few hours, so a local
// time at least a day inside an offset interval is never in a gap or an overlap.
constexpr std::int64_t kMargin = kDay;

std::int64_t SaturatingAdd(std::int64_t a, std::int64_t b) {
  std::int64_t out = 0;
  if (__builtin_add_overflow(a, b, &out)) {
    return b > 0 ? std::numeric_limits<std::int64_t>::max() : std::numeric_limits<std::int64_t>::min();
  }
  return out;
}

}  // namespace

Status SessionTemplate::Validate() const {
  if (open.count() < 0 || close.count() > kDay || open >= close) {
    return Error::InvalidArgument("session must satisfy 00:00 <= open < close <= 24:00", "session");
  }
  auto zone = ZoneConverter::Create(time_zone);
  if (!zone.ok()) {
    return zone.error();
  }
  return {};
}

SessionTemplate NyseRegularSession() {
  return SessionTemplate{"America/New_York", std::chrono::hours(9) + std::chrono::minutes(30), std::chrono::hours(16)};
}

SessionTemplate NseRegularSession() {
  return SessionTemplate{"Asia/Kolkata", std::chrono::hours(9) + std::chrono::minutes(15),
                         std::chrono::hours(15) + std::chrono::minutes(30)};
}

Result<ZoneConverter> ZoneConverter::Create(std::string_view name) {
  ZoneConverter converter;
  if (name.empty() || name == "UTC" || name == "Etc/UTC" || name == "Z") {
    converter.name_ = "UTC";
    return converter;
  }
  try {
    converter.zone_ = date::locate_zone(name);
  } catch (const std::exception& e) {
    return Error::InvalidArgument("unknown time zone '" + std::string(name) + "'", "time_zone");
  }
  converter.name_ = std::string(name);
  return converter;
}

std::int64_t ZoneConverter::ToLocal(std::int64_t utc_seconds) {
  if (zone_ == nullptr) {
    return utc_seconds;
  }
  if (utc_seconds < utc_begin_ || utc_seconds >= utc_end_) {
    const auto info = zone_->get_info(date::sys_seconds(std::chrono::seconds(utc_seconds)));
    utc_begin_ = info.begin.time_since_epoch().count();
    utc_end_ = info.end.time_since_epoch().count();
    utc_offset_ = info.offset.count();
  }
  return utc_seconds + utc_offset_;
}

std::int64_t ZoneConverter::ToUtc(std::int64_t local_seconds) {
  if (zone_ == nullptr) {
    return local_seconds;
  }
  if (local_seconds >= local_begin_ && local_seconds < local_end_) {
    return local_seconds - local_offset_;
  }
  const auto info = zone_->get_info(date::local_seconds(std::chrono::seconds(local_seconds)));
  const date::sys_info& first = info.first;
  const std::int64_t offset = first.offset.count();
  if (info.result == date::local_info::unique) {
    local_begin_ = SaturatingAdd(SaturatingAdd(first.begin.time_since_epoch().count(), offset), kMargin);
    local_end_ = SaturatingAdd(SaturatingAdd(first.end.time_since_epoch().count(), offset), -kMargin);
    local_offset_ = offset;
  }
  return local_seconds - offset;
}

}  // namespace td::data
