// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <string>

#include "core/result.hpp"

namespace td::adapters::polygon {

/// Settings of the Polygon (Massive) aggregates client. The key travels as a Bearer token, never in URLs.
struct PolygonConfig {
  std::string base_url = "https://api.polygon.io";
  std::string api_key;
  bool adjusted = true;  // split-adjusted aggregates
  int page_limit = 50000;  // bars per page (Polygon's maximum)
  int max_pages = 50;      // next_url pages followed per request before giving up
  int price_precision = 2;
  int volume_precision = 0;

  double rate_per_second = 5.0 / 60.0;  // the free plan allows 5 requests a minute
  double burst = 5.0;
  int max_rate_limit_retries = 3;
  std::chrono::milliseconds retry_base{1000};       // backoff when a 429 carries no Retry-After
  std::chrono::milliseconds max_retry_wait{65000};  // a longer wait fails fast with kRateLimited
  std::chrono::milliseconds http_timeout{15000};

  /// Checks the URL, the key and the limits; the error names the offending field.
  Status Validate() const;
};

}  // namespace td::adapters::polygon
