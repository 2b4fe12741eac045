// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace td::adapters::openalgo {

/// OpenAlgo's WebSocket streaming modes (numeric on the wire in data frames: LTP=1, Quote=2, Depth=3).
enum class StreamMode : std::uint8_t { kLtp = 1, kQuote = 2, kDepth = 3 };

/// The mode's name as the subscribe message spells it: "LTP", "Quote", "Depth".
std::string_view ToString(StreamMode mode);

/// Everything the OpenAlgo data client needs; the API key is the instance's 64-hex key.
struct OpenAlgoConfig {
  std::string rest_base_url = "http://127.0.0.1:5000";  // REST root; "/api/v1/..." is appended
  std::string ws_url = "ws://127.0.0.1:8765";           // the WebSocket proxy (separate port)
  std::string api_key;

  int price_precision = 2;                // decimals of Indian exchange prices (tick 0.05)
  int volume_precision = 0;               // quantities are whole units
  int exchange_utc_offset_minutes = 330;  // IST: history start/end dates are exchange-local dates
  bool normalise_index_exchanges = true;  // NSE:NIFTY is sent as NIFTY on NSE_INDEX (see parse.hpp)

  // WebSocket feed.
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds auth_timeout{5000};     // the server must answer authenticate within this
  std::chrono::milliseconds ping_interval{20000};   // client ping when the socket has been quiet this long
  std::chrono::milliseconds pong_timeout{10000};    // ...and the connection is dead if nothing arrives after
  std::chrono::milliseconds status_interval{5000};  // FeedStatus heartbeat
  std::chrono::milliseconds reconnect_base{500};
  std::chrono::milliseconds reconnect_max{30000};
  int max_reconnect_attempts = 0;  // consecutive failures before giving up; 0 = never give up
  int depth_levels = 5;
  std::uint64_t backoff_seed = 1;

  // REST.
  std::chrono::milliseconds http_timeout{10000};
  double rest_rate_per_second = 10.0;  // OpenAlgo's API_RATE_LIMIT default when unset
  double rest_burst = 10.0;
  int max_rate_limit_retries = 3;                    // 429s answered with a wait before giving up
  std::chrono::milliseconds max_retry_wait{30000};   // a longer Retry-After fails fast instead
  int chain_strike_count = 0;                        // strikes around ATM per expiry; 0 = full chain
  int chain_max_expiries = 0;                        // expiries fetched when none is given; 0 = all

  /// Checks URLs, the key and every limit; the error names the offending field.
  Status Validate() const;
};

}  // namespace td::adapters::openalgo
