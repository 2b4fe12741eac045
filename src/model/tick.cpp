// SPDX-License-Identifier: MIT
#include "model/tick.hpp"

#include <algorithm>

namespace td {

Price Midpoint(Price a, Price b) {
  // Halve each side first so that the sum cannot overflow; the remainders put back what truncation dropped.
  const std::int64_t remainders = a.raw() % 2 + b.raw() % 2;  // -2..2
  std::int64_t half = a.raw() / 2 + b.raw() / 2 + remainders / 2;
  const std::int64_t odd = remainders % 2;  // non-zero only when the raw sum is odd
  const int precision = std::max(a.precision(), b.precision());
  if (odd != 0) {
    // Only possible at 9 decimals (coarser raws are even): round the half unit away from zero.
    if (odd > 0 && half >= 0) {
      ++half;
    } else if (odd < 0 && half <= 0) {
      --half;
    }
    return Price::FromRaw(half, precision);
  }
  if (half % Pow10(kFixedPrecision - precision) == 0) {
    return Price::FromRaw(half, precision);
  }
  // Both raws are multiples of the tick unit, so half their sum is exact at one more decimal.
  return Price::FromRaw(half, precision + 1);
}

}  // namespace td
