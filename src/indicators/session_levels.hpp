// SPDX-License-Identifier: MIT
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>

#include "core/time.hpp"
#include "indicators/rolling.hpp"
#include "model/bar.hpp"

namespace td::indicators {

/// The opening range: high and low of the bars that START within [session open, open + window). The session
/// key is the session's open time (UTC nanoseconds), which the caller takes from the calendar. Complete once a
/// bar ends at or after open + window (bar end = start + bar_length), so a live caller knows at 09:45 sharp.
class OpeningRange {
 public:
  OpeningRange(Duration window, Duration bar_length) : window_(window.count()), bar_length_(bar_length.count()) {
    TD_CHECK(window.count() > 0 && bar_length.count() > 0) << "window and bar length must be positive";
  }

  void Update(double high, double low, std::int64_t bar_start_ns, std::int64_t session_open_ns) {
    if (session_open_ns != open_ || !started_) [[unlikely]] {
      open_ = session_open_ns;
      started_ = true;
      has_bar_ = false;
      complete_ = false;
      high_ = -std::numeric_limits<double>::infinity();
      low_ = std::numeric_limits<double>::infinity();
    }
    const std::int64_t end_of_range = open_ + window_;
    if (bar_start_ns >= open_ && bar_start_ns < end_of_range) {
      high_ = std::max(high_, high);
      low_ = std::min(low_, low);
      has_bar_ = true;
    }
    if (has_bar_ && bar_start_ns + bar_length_ >= end_of_range) {
      complete_ = true;
    }
  }
  void Update(const Bar& bar, std::int64_t session_open_ns) {
    Update(bar.high.AsDouble(), bar.low.AsDouble(), bar.ts_event.nanos(), session_open_ns);
  }

  /// True once the range of the current session is final.
  bool Ready() const { return complete_; }
  /// The range so far, even while it is still forming (NaN before its first bar).
  double FormingHigh() const { return has_bar_ ? high_ : kNaN; }
  double FormingLow() const { return has_bar_ ? low_ : kNaN; }
  double High() const { return complete_ ? high_ : kNaN; }
  double Low() const { return complete_ ? low_ : kNaN; }
  void Reset() { started_ = has_bar_ = complete_ = false; }

 private:
  std::int64_t window_;
  std::int64_t bar_length_;
  bool started_ = false;
  bool has_bar_ = false;
  bool complete_ = false;
  std::int64_t open_ = 0;
  double high_ = 0.0;
  double low_ = 0.0;
};

/// Running high and low of the current session (caller's session key; resets when it changes).
class SessionHighLow {
 public:
  void Update(double high, double low, std::int64_t session) {
    if (session != session_ || !started_) [[unlikely]] {
      session_ = session;
      started_ = true;
      high_ = high;
      low_ = low;
      return;
    }
    high_ = std::max(high_, high);
    low_ = std::min(low_, low);
  }
  void Update(const Bar& bar, std::int64_t session) { Update(bar.high.AsDouble(), bar.low.AsDouble(), session); }
  bool Ready() const { return started_; }
  double High() const { return started_ ? high_ : kNaN; }
  double Low() const { return started_ ? low_ : kNaN; }
  void Reset() { started_ = false; }

 private:
  bool started_ = false;
  std::int64_t session_ = 0;
  double high_ = 0.0;
  double low_ = 0.0;
};

/// High, low and close of the previous session (the "prior day" of a day session). Ready after the first
/// session change; the close is the last bar's close of that session.
class PriorSessionHlc {
 public:
  void Update(double high, double low, double close, std::int64_t session) {
    if (session != session_ || !started_) [[unlikely]] {
      if (started_) {
        prior_high_ = high_;
        prior_low_ = low_;
        prior_close_ = close_;
        ready_ = true;
      }
      session_ = session;
      started_ = true;
      high_ = high;
      low_ = low;
    } else {
      high_ = std::max(high_, high);
      low_ = std::min(low_, low);
    }
    close_ = close;
  }
  void Update(const Bar& bar, std::int64_t session) {
    Update(bar.high.AsDouble(), bar.low.AsDouble(), bar.close.AsDouble(), session);
  }
  bool Ready() const { return ready_; }
  double High() const { return ready_ ? prior_high_ : kNaN; }
  double Low() const { return ready_ ? prior_low_ : kNaN; }
  double Close() const { return ready_ ? prior_close_ : kNaN; }
  void Reset() { started_ = ready_ = false; }

 private:
  bool started_ = false;
  bool ready_ = false;
  std::int64_t session_ = 0;
  double high_ = 0.0;
  double low_ = 0.0;
  double close_ = 0.0;
  double prior_high_ = 0.0;
  double prior_low_ = 0.0;
  double prior_close_ = 0.0;
};

/// Classic floor-trader pivots from a period's high, low and close.
struct ClassicPivots {
  double pivot, r1, r2, r3, s1, s2, s3;
};
/// P = (H + L + C)/3; R1 = 2P − L, S1 = 2P − H; R2 = P + (H − L), S2 = P − (H − L); R3 = H + 2(P − L),
/// S3 = L − 2(H − P).
inline ClassicPivots ComputeClassicPivots(double high, double low, double close) {
  const double p = (high + low + close) / 3.0;
  const double range = high - low;
  return ClassicPivots{p,         2.0 * p - low,         p + range, high + 2.0 * (p - low), 2.0 * p - high,
                       p - range, low - 2.0 * (high - p)};
}

/// Camarilla pivots (Nick Scott): levels at the close ± (H − L)·1.1/12, /6, /4, /2.
struct CamarillaPivots {
  double r1, r2, r3, r4, s1, s2, s3, s4;
};
inline CamarillaPivots ComputeCamarillaPivots(double high, double low, double close) {
  const double r = (high - low) * 1.1;
  return CamarillaPivots{close + r / 12.0, close + r / 6.0, close + r / 4.0, close + r / 2.0,
                         close - r / 12.0, close - r / 6.0, close - r / 4.0, close - r / 2.0};
}

}  // namespace td::indicators
