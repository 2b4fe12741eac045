// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "core/result.hpp"

namespace td::adapters::tradier {

/// Settings of the Tradier market-data client (expirations, chains, quotes).
struct TradierConfig {
  std::string base_url = "https://api.tradier.com";  // the sandbox is https://sandbox.tradier.com
  std::string token;                                  // sent as "Authorization: Bearer <token>"
  std::optional<bool> sandbox;  // unset: detected from the URL (a host starting with "sandbox.")
  bool greeks = true;           // ask chains for greeks (IV goes to OptionQuote::vendor_iv)
  int price_precision = 2;
  int volume_precision = 0;
  int chain_max_expiries = 0;  // expiries fetched when none is given; 0 = every listed one

  double rate_per_second = 2.0;  // market data: 120 requests a minute
  double burst = 4.0;
  int max_rate_limit_retries = 3;
  std::chrono::milliseconds retry_base{1000};
  std::chrono::milliseconds max_retry_wait{60000};
  std::chrono::milliseconds http_timeout{15000};

  /// True when the sandbox flag says so or, unset, when the base URL's host starts with "sandbox.".
  bool IsSandbox() const;
  Status Validate() const;
};

}  // namespace td::adapters::tradier
