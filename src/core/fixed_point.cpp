// SPDX-License-Identifier: MIT
#include "core/fixed_point.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace td::detail {

std::int64_t CheckedAdd(std::int64_t a, std::int64_t b) {
  std::int64_t out = 0;
  TD_CHECK(!__builtin_add_overflow(a, b, &out)) << "fixed-point overflow: " << a << " + " << b;
  return out;
}

std::int64_t CheckedSub(std::int64_t a, std::int64_t b) {
  std::int64_t out = 0;
  TD_CHECK(!__builtin_sub_overflow(a, b, &out)) << "fixed-point overflow: " << a << " - " << b;
  return out;
}

std::int64_t CheckedMul(std::int64_t a, std::int64_t b) {
  std::int64_t out = 0;
  TD_CHECK(!__builtin_mul_overflow(a, b, &out)) << "fixed-point overflow: " << a << " * " << b;
  return out;
}

Result<std::int64_t> ParseFixed(std::string_view text, bool allow_negative, int max_precision,
                                int* decimals_seen) {
  if (text.empty()) {
    return Error::InvalidArgument("empty number");
  }
  std::size_t pos = 0;
  bool negative = false;
  if (text[0] == '-') {
    if (!allow_negative) {
      return Error::InvalidArgument("must not be negative: '" + std::string(text) + "'");
    }
    negative = true;
    pos = 1;
  }
  std::int64_t whole = 0;
  std::int64_t fraction = 0;  // in 1e-9 units
  int int_digits = 0;
  int decimals = 0;
  int significant_decimals = 0;
  bool seen_point = false;
  for (; pos < text.size(); ++pos) {
    const char c = text[pos];
    if (c == '.') {
      if (seen_point) {
        return Error::InvalidArgument("two decimal points in '" + std::string(text) + "'");
      }
      seen_point = true;
      continue;
    }
    if (c < '0' || c > '9') {
      return Error::InvalidArgument("not a plain decimal number: '" + std::string(text) + "'");
    }
    const int digit = c - '0';
    if (!seen_point) {
      ++int_digits;
      if (__builtin_mul_overflow(whole, 10, &whole) || __builtin_add_overflow(whole, digit, &whole)) {
        return Error::InvalidArgument("number too large: '" + std::string(text) + "'");
      }
    } else {
      ++decimals;
      if (decimals <= kFixedPrecision) {
        fraction += digit * Pow10(kFixedPrecision - decimals);
      }
      if (digit != 0) {
        significant_decimals = decimals;
      }
    }
  }
  if (int_digits == 0 && decimals == 0) {
    return Error::InvalidArgument("no digits in '" + std::string(text) + "'");
  }
  if (significant_decimals > max_precision) {
    return Error::InvalidArgument("more than " + std::to_string(max_precision) + " decimal places in '" +
                                  std::string(text) + "'");
  }
  std::int64_t raw = 0;
  if (__builtin_mul_overflow(whole, kFixedScale, &raw) || __builtin_add_overflow(raw, fraction, &raw)) {
    return Error::InvalidArgument("number too large: '" + std::string(text) + "'");
  }
  if (decimals_seen != nullptr) {
    *decimals_seen = std::min(decimals, kFixedPrecision);
  }
  return negative ? -raw : raw;
}

std::string FormatFixed(std::int64_t raw, int precision) {
  const std::int64_t step = Pow10(kFixedPrecision - precision);
  const std::int64_t rounded = RoundRawToStep(raw, step, RoundingMode::kNearest);
  const bool negative = rounded < 0;
  // Work in unsigned so that INT64_MIN formats without overflow.
  const std::uint64_t magnitude =
      negative ? static_cast<std::uint64_t>(-(rounded + 1)) + 1U : static_cast<std::uint64_t>(rounded);
  const std::uint64_t whole = magnitude / static_cast<std::uint64_t>(kFixedScale);
  const std::uint64_t fraction = magnitude % static_cast<std::uint64_t>(kFixedScale);
  std::string text = negative ? "-" : "";
  text += std::to_string(whole);
  if (precision > 0) {
    std::string digits = std::to_string(fraction);
    digits.insert(0, static_cast<std::size_t>(kFixedPrecision) - digits.size(), '0');
    text += '.';
    text.append(digits, 0, static_cast<std::size_t>(precision));
  }
  return text;
}

Result<std::int64_t> FixedFromDouble(double value, int precision) {
  if (!std::isfinite(value)) {
    return Error::InvalidArgument("not a finite number");
  }
  const double scaled = std::round(value * static_cast<double>(Pow10(precision)));
  const double limit = static_cast<double>(std::numeric_limits<std::int64_t>::max() / Pow10(kFixedPrecision - precision));
  if (std::fabs(scaled) >= limit) {
    return Error::InvalidArgument("number too large for fixed point");
  }
  return static_cast<std::int64_t>(scaled) * Pow10(kFixedPrecision - precision);
}

std::int64_t RoundRawToStep(std::int64_t raw, std::int64_t step, RoundingMode mode) {
  TD_CHECK(step > 0);
  std::int64_t quotient = raw / step;
  const std::int64_t remainder = raw % step;
  if (remainder == 0) {
    return raw;
  }
  switch (mode) {
    case RoundingMode::kDown:
      if (remainder < 0) {
        --quotient;
      }
      break;
    case RoundingMode::kUp:
      if (remainder > 0) {
        ++quotient;
      }
      break;
    case RoundingMode::kNearest: {
      // Half away from zero, compared without overflow: |remainder| >= step - |remainder|.
      const std::int64_t magnitude = remainder < 0 ? -remainder : remainder;
      if (magnitude >= step - magnitude) {
        quotient += remainder < 0 ? -1 : 1;
      }
      break;
    }
  }
  return CheckedMul(quotient, step);
}

}  // namespace td::detail
