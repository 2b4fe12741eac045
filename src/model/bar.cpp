// SPDX-License-Identifier: MIT
#include "model/bar.hpp"

#include <charconv>

namespace td {

Result<BarSpec> BarSpec::Parse(std::string_view text) {
  const auto fail = [&] {
    return Error::InvalidArgument(
        "bar spec must look like 15s, 1m, 5m, 1h, 1D, 1W or 1M, was '" + std::string(text) + "'", "resolution");
  };
  std::uint32_t step = 1;
  std::size_t pos = 0;
  if (!text.empty() && text[0] >= '0' && text[0] <= '9') {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), step);
    if (ec != std::errc{} || step == 0) {
      return fail();
    }
    pos = static_cast<std::size_t>(end - text.data());
  }
  const std::string_view unit = text.substr(pos);
  BarUnit parsed;
  if (unit == "s" || unit == "S" || unit == "sec") {
    parsed = BarUnit::kSecond;
  } else if (unit == "m" || unit == "min" || unit == "minute") {
    parsed = BarUnit::kMinute;
  } else if (unit == "h" || unit == "H" || unit == "hour") {
    parsed = BarUnit::kHour;
  } else if (unit == "D" || unit == "d" || unit == "day") {
    parsed = BarUnit::kDay;
  } else if (unit == "W" || unit == "w" || unit == "wk" || unit == "week") {
    parsed = BarUnit::kWeek;
  } else if (unit == "M" || unit == "mo" || unit == "month") {
    parsed = BarUnit::kMonth;
  } else {
    return fail();
  }
  if ((parsed == BarUnit::kSecond && 86400 % step != 0) || (parsed == BarUnit::kMinute && 1440 % step != 0) ||
      (parsed == BarUnit::kHour && 24 % step != 0) || (parsed == BarUnit::kDay && step != 1) ||
      (parsed == BarUnit::kWeek && step != 1) || (parsed == BarUnit::kMonth && 12 % step != 0)) {
    return Error::InvalidArgument("bar spec '" + std::string(text) + "' does not divide its parent period evenly",
                                  "resolution");
  }
  return BarSpec{step, parsed};
}

std::string BarSpec::ToString() const {
  static constexpr std::string_view kUnits[] = {"s", "m", "h", "D", "W", "M"};
  return std::to_string(step) + std::string(kUnits[static_cast<int>(unit)]);
}

Duration BarSpec::IntradayLength() const {
  TD_CHECK(IsIntraday()) << "no fixed length for " << ToString();
  const std::int64_t seconds = unit == BarUnit::kSecond ? 1 : unit == BarUnit::kMinute ? 60 : 3600;
  return std::chrono::seconds(seconds * step);
}

}  // namespace td
