// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <string>

#include "core/result.hpp"

namespace td::adapters::yahoo {

/// Settings of the Yahoo chart (v8) history client. Yahoo has no key; it throttles by address.
struct YahooConfig {
  std::string base_url = "https://query1.finance.yahoo.com";
  std::string user_agent = "Mozilla/5.0 (compatible; tradedesk)";  // the default agent is often refused
  bool include_pre_post = false;
  int price_precision = 2;     // used when the answer carries no meta.priceHint
  bool use_price_hint = true;  // round prices to meta.priceHint decimals when it is given (0..6)
  int volume_precision = 0;

  double rate_per_second = 1.0;
  double burst = 2.0;
  int max_rate_limit_retries = 2;
  std::chrono::milliseconds retry_base{2000};
  std::chrono::milliseconds max_retry_wait{30000};
  std::chrono::milliseconds http_timeout{15000};

  Status Validate() const;
};

}  // namespace td::adapters::yahoo
