// SPDX-License-Identifier: MIT
#include "adapters/openalgo/config.hpp"

namespace td::adapters::openalgo {

std::string_view ToString(StreamMode mode) {
  switch (mode) {
    case StreamMode::kLtp:
      return "LTP";
    case StreamMode::kQuote:
      return "Quote";
    case StreamMode::kDepth:
      return "Depth";
  }
  return "LTP";
}

namespace {

bool HasScheme(std::string_view url, std::string_view a, std::string_view b) {
  return url.starts_with(a) || url.starts_with(b);
}

}  // namespace

Status OpenAlgoConfig::Validate() const {
  if (!HasScheme(rest_base_url, "http://", "https://")) {
    return Error::InvalidArgument("rest_base_url must start with http:// or https://", "rest_base_url");
  }
  if (!HasScheme(ws_url, "ws://", "wss://")) {
    return Error::InvalidArgument("ws_url must start with ws:// or wss://", "ws_url");
  }
  if (api_key.empty()) {
    return Error::InvalidArgument("api_key is required", "api_key");
  }
  if (price_precision < 0 || price_precision > 9) {
    return Error::InvalidArgument("price_precision must be within 0..9", "price_precision");
  }
  if (volume_precision < 0 || volume_precision > 9) {
    return Error::InvalidArgument("volume_precision must be within 0..9", "volume_precision");
  }
  if (exchange_utc_offset_minutes < -16 * 60 || exchange_utc_offset_minutes > 16 * 60) {
    return Error::InvalidArgument("exchange_utc_offset_minutes is out of range", "exchange_utc_offset_minutes");
  }
  if (connect_timeout.count() <= 0 || auth_timeout.count() <= 0 || http_timeout.count() <= 0) {
    return Error::InvalidArgument("timeouts must be positive", "connect_timeout");
  }
  if (ping_interval.count() <= 0 || pong_timeout.count() <= 0 || status_interval.count() <= 0) {
    return Error::InvalidArgument("ping_interval, pong_timeout and status_interval must be positive",
                                  "ping_interval");
  }
  if (reconnect_base.count() <= 0 || reconnect_max < reconnect_base) {
    return Error::InvalidArgument("reconnect_base must be positive and at most reconnect_max", "reconnect_base");
  }
  if (max_reconnect_attempts < 0) {
    return Error::InvalidArgument("max_reconnect_attempts must not be negative", "max_reconnect_attempts");
  }
  if (depth_levels < 1 || depth_levels > 50) {
    return Error::InvalidArgument("depth_levels must be within 1..50", "depth_levels");
  }
  if (!(rest_rate_per_second > 0.0) || !(rest_burst >= 1.0)) {
    return Error::InvalidArgument("rest_rate_per_second must be positive and rest_burst at least 1",
                                  "rest_rate_per_second");
  }
  if (max_rate_limit_retries < 0) {
    return Error::InvalidArgument("max_rate_limit_retries must not be negative", "max_rate_limit_retries");
  }
  if (chain_strike_count < 0 || chain_strike_count > 100) {
    return Error::InvalidArgument("chain_strike_count must be within 0..100", "chain_strike_count");
  }
  if (chain_max_expiries < 0) {
    return Error::InvalidArgument("chain_max_expiries must not be negative", "chain_max_expiries");
  }
  return {};
}

}  // namespace td::adapters::openalgo
