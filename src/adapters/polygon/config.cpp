// SPDX-License-Identifier: MIT
#include "adapters/polygon/config.hpp"

namespace td::adapters::polygon {

Status PolygonConfig::Validate() const {
  if (!base_url.starts_with("http://") && !base_url.starts_with("https://")) {
    return Error::InvalidArgument("base_url must start with http:// or https://", "base_url");
  }
  if (base_url.ends_with("/")) {
    return Error::InvalidArgument("base_url must not end with '/'", "base_url");
  }
  if (api_key.empty()) {
    return Error::InvalidArgument("api_key is required", "api_key");
  }
  if (page_limit < 1 || page_limit > 50000) {
    return Error::InvalidArgument("page_limit must be within 1..50000", "page_limit");
  }
  if (max_pages < 1) {
    return Error::InvalidArgument("max_pages must be positive", "max_pages");
  }
  if (price_precision < 0 || price_precision > 9 || volume_precision < 0 || volume_precision > 9) {
    return Error::InvalidArgument("precisions must be within 0..9", "price_precision");
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

}  // namespace td::adapters::polygon
