// SPDX-License-Identifier: MIT
#pragma once

#include <algorithm>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/check.hpp"
#include "core/result.hpp"

namespace td {

/// Every fixed-point value stores raw units of 10^-9, whatever its display precision, so values of
/// different precision add without rescaling. Precision (0..9) is how many decimals the value means.
inline constexpr int kFixedPrecision = 9;
inline constexpr std::int64_t kFixedScale = 1'000'000'000;

/// Returns 10^n for n in [0, 18].
constexpr std::int64_t Pow10(int n) {
  std::int64_t value = 1;
  for (int i = 0; i < n; ++i) {
    value *= 10;
  }
  return value;
}

enum class RoundingMode : std::uint8_t { kNearest, kDown, kUp };

namespace detail {

/// Parses a plain decimal ("-12.50", "7", ".5") into raw 1e-9 units. No exponent, sign only when allowed,
/// no spaces. Fails when more decimals than `max_precision` carry a non-zero digit, or on overflow.
Result<std::int64_t> ParseFixed(std::string_view text, bool allow_negative, int max_precision,
                                int* decimals_seen);
/// Formats raw 1e-9 units with exactly `precision` decimals, rounding half away from zero.
std::string FormatFixed(std::int64_t raw, int precision);
/// Converts a double to raw units rounded at `precision`; fails on NaN, infinity and overflow.
Result<std::int64_t> FixedFromDouble(double value, int precision);
std::int64_t CheckedAdd(std::int64_t a, std::int64_t b);
std::int64_t CheckedSub(std::int64_t a, std::int64_t b);
std::int64_t CheckedMul(std::int64_t a, std::int64_t b);
std::int64_t RoundRawToStep(std::int64_t raw, std::int64_t step, RoundingMode mode);

/// Shared implementation of Price and Quantity; the tag keeps the two from mixing.
template <typename Tag, bool kSigned>
class FixedPoint {
 public:
  constexpr FixedPoint() = default;

  /// Builds from raw 1e-9 units. The raw value must be a whole multiple of 10^-precision.
  static FixedPoint FromRaw(std::int64_t raw, int precision) {
    TD_CHECK(precision >= 0 && precision <= kFixedPrecision) << "precision " << precision;
    TD_CHECK(kSigned || raw >= 0) << "negative raw " << raw;
    return FixedPoint(raw, static_cast<std::uint8_t>(precision));
  }
  /// Builds from whole units (e.g. 100 lots, 24000 points).
  static FixedPoint FromUnits(std::int64_t units, int precision = 0) {
    return FromRaw(CheckedMul(units, kFixedScale), precision);
  }
  /// Parses exact decimal text; the precision is the number of decimals written.
  static Result<FixedPoint> Parse(std::string_view text) {
    int decimals = 0;
    auto raw = ParseFixed(text, kSigned, kFixedPrecision, &decimals);
    if (!raw.ok()) {
      return raw.error();
    }
    return FixedPoint(*raw, static_cast<std::uint8_t>(decimals));
  }
  /// Parses exact decimal text at a given precision; more non-zero decimals than that is an error.
  static Result<FixedPoint> Parse(std::string_view text, int precision) {
    if (precision < 0 || precision > kFixedPrecision) {
      return Error::InvalidArgument("precision must be within 0..9, was " + std::to_string(precision));
    }
    int decimals = 0;
    auto raw = ParseFixed(text, kSigned, precision, &decimals);
    if (!raw.ok()) {
      return raw.error();
    }
    return FixedPoint(*raw, static_cast<std::uint8_t>(precision));
  }
  /// Rounds a double to `precision` decimals (half away from zero); NaN and infinity are errors.
  static Result<FixedPoint> FromDouble(double value, int precision) {
    if (precision < 0 || precision > kFixedPrecision) {
      return Error::InvalidArgument("precision must be within 0..9, was " + std::to_string(precision));
    }
    auto raw = FixedFromDouble(value, precision);
    if (!raw.ok()) {
      return raw.error();
    }
    if (!kSigned && *raw < 0) {
      return Error::InvalidArgument("value must not be negative");
    }
    return FixedPoint(*raw, static_cast<std::uint8_t>(precision));
  }

  constexpr std::int64_t raw() const { return raw_; }
  constexpr int precision() const { return precision_; }
  constexpr bool is_zero() const { return raw_ == 0; }
  constexpr bool is_negative() const { return raw_ < 0; }
  constexpr bool is_positive() const { return raw_ > 0; }
  double AsDouble() const { return static_cast<double>(raw_) / static_cast<double>(kFixedScale); }
  std::string ToString() const { return FormatFixed(raw_, precision_); }

  /// Returns this value moved onto a grid of `step` (e.g. the tick size), keeping this precision.
  FixedPoint RoundToStep(FixedPoint step, RoundingMode mode = RoundingMode::kNearest) const {
    TD_CHECK(step.raw_ > 0) << "step must be positive";
    return FixedPoint(RoundRawToStep(raw_, step.raw_, mode), std::max(precision_, step.precision_));
  }
  /// True when this value is a whole multiple of `step`.
  bool IsMultipleOf(FixedPoint step) const { return step.raw_ > 0 && raw_ % step.raw_ == 0; }
  /// Returns the same value shown at another precision; aborts if that would lose digits.
  FixedPoint WithPrecision(int precision) const {
    TD_CHECK(precision >= 0 && precision <= kFixedPrecision);
    TD_CHECK(raw_ % Pow10(kFixedPrecision - precision) == 0) << "would lose digits: " << ToString();
    return FixedPoint(raw_, static_cast<std::uint8_t>(precision));
  }

  friend FixedPoint operator+(FixedPoint a, FixedPoint b) {
    return FixedPoint(CheckedAdd(a.raw_, b.raw_), std::max(a.precision_, b.precision_));
  }
  friend FixedPoint operator-(FixedPoint a, FixedPoint b) {
    const std::int64_t raw = CheckedSub(a.raw_, b.raw_);
    TD_CHECK(kSigned || raw >= 0) << "quantity would go negative: " << a.ToString() << " - " << b.ToString();
    return FixedPoint(raw, std::max(a.precision_, b.precision_));
  }
  friend FixedPoint operator*(FixedPoint a, std::int64_t factor) {
    return FixedPoint(CheckedMul(a.raw_, factor), a.precision_);
  }
  FixedPoint operator-() const
    requires kSigned
  {
    return FixedPoint(CheckedSub(0, raw_), precision_);
  }
  FixedPoint& operator+=(FixedPoint other) { return *this = *this + other; }
  FixedPoint& operator-=(FixedPoint other) { return *this = *this - other; }

  friend constexpr bool operator==(FixedPoint a, FixedPoint b) { return a.raw_ == b.raw_; }
  friend constexpr std::strong_ordering operator<=>(FixedPoint a, FixedPoint b) { return a.raw_ <=> b.raw_; }

 private:
  constexpr FixedPoint(std::int64_t raw, std::uint8_t precision) : raw_(raw), precision_(precision) {}

  std::int64_t raw_ = 0;
  std::uint8_t precision_ = 0;
};

}  // namespace detail

struct PriceTag {};
struct QuantityTag {};

/// A price: signed fixed-point (spreads and some futures go negative). NaN is not representable.
using Price = detail::FixedPoint<PriceTag, true>;
/// A quantity: non-negative fixed-point (shares, lots, contracts). Direction lives in the side.
using Quantity = detail::FixedPoint<QuantityTag, false>;

/// Returns price × quantity × multiplier as a double, for notional and P&L reporting.
inline double Notional(Price price, Quantity quantity, double multiplier = 1.0) {
  return price.AsDouble() * quantity.AsDouble() * multiplier;
}

}  // namespace td
