// SPDX-License-Identifier: MIT
#include "adapters/tradier/config.hpp"

namespace td::adapters::tradier {

bool TradierConfig::IsSandbox() const {
  if (sandbox.has_value()) {
    return *sandbox;
  }
  const auto scheme = base_url.find("://");
  const std::string host = scheme == std::string::npos ? base_url : base_url.substr(scheme + 3);
  return host.starts_with("sandbox.");
}

Status TradierConfig::Validate() const {
  if (!base_url.starts_with("http://") && !base_url.starts_with("https://")) {
    return Error::InvalidArgument("base_url must start with http:// or https://", "base_url");
  }
  if (base_url.ends_with("/")) {
    return Error::InvalidArgument("base_url must not end with '/'", "base_url");
  }
  if (token.empty()) {
    return Error::InvalidArgument("token is required", "token");
  }
  if (price_precision < 0 || price_precision > 9 || volume_precision < 0 || volume_precision > 9) {
    return Error::InvalidArgument("precisions must be within 0..9", "price_precision");
  }
  if (chain_max_expiries < 0) {
    return Error::InvalidArgument("chain_max_expiries must not be negative", "chain_max_expiries");
  }
  if (!(rate_per_second > 0.0) || !(burst >= 1.0)) {
    return Error::InvalidArgument("rate_per_second must be positive and burst at least 1", "rate_per_second");
  }
  if (max_rate_limit_retries < 0 || retry_base.count() <= 0 || max_retry_wait < retry_base) {
    return Error::InvalidArgument("retry settings are out of range", "max_rate_limit_retries");
  }
  if (http_timeout.count() <= 0) {
    return Error::InvalidArgument("http_timeout must be positive", "http_timeout");
  }
  return {};
}

}  // namespace td::adapters::tradier
