// SPDX-License-Identifier: MIT
// Pure functions between OpenAlgo's wire format (REST bodies, WebSocket frames) and model types. No I/O.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/openalgo/config.hpp"
#include "core/fixed_point.hpp"
#include "core/ids.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "model/bar.hpp"
#include "model/option_chain.hpp"
#include "model/tick.hpp"

namespace td::adapters::openalgo {

/// A symbol as OpenAlgo names it on the wire: trading symbol plus exchange segment.
struct WireSymbol {
  std::string symbol;
  std::string exchange;
  friend bool operator==(const WireSymbol&, const WireSymbol&) = default;
  friend auto operator<=>(const WireSymbol&, const WireSymbol&) = default;
};

/// Maps our "EXCHANGE:SYMBOL" to OpenAlgo's symbol + exchange. The exchange must be one OpenAlgo knows and the
/// symbol must parse as an OpenAlgo symbol (plain, future or option). With `normalise_index_exchanges`, the
/// index values NIFTY, BANKNIFTY, FINNIFTY, MIDCPNIFTY, NIFTYNXT50, INDIAVIX given on NSE go to NSE_INDEX and
/// SENSEX, BANKEX, SENSEX50 given on BSE go to BSE_INDEX (where OpenAlgo publishes them).
Result<WireSymbol> ToWireSymbol(const InstrumentId& id, bool normalise_index_exchanges);
/// The instrument id of a wire symbol ("NSE_INDEX", "NIFTY" -> "NSE_INDEX:NIFTY").
Result<InstrumentId> FromWireSymbol(const WireSymbol& wire);
/// The derivative segment listing options on an underlying's segment: NSE/NSE_INDEX/NFO -> NFO,
/// BSE/BSE_INDEX/BFO -> BFO, MCX/MCX_INDEX -> MCX, CDS -> CDS, BCD -> BCD; empty when there is none.
std::string_view OptionExchangeFor(std::string_view underlying_exchange);

/// Decimals and clock offset used to turn JSON numbers into fixed point and naive times into UTC.
struct ParseOptions {
  int price_precision = 2;
  int volume_precision = 0;
  int utc_offset_minutes = 330;  // for naive (zone-less) time strings
};

// ---- WebSocket ----------------------------------------------------------------------------------------

/// {"action":"authenticate","api_key":"<key>"}
std::string AuthenticateMessage(std::string_view api_key);
/// {"action":"subscribe","symbols":[{"symbol","exchange"},...],"mode":"LTP"|"Quote"|"Depth"[,"depth":n]}
std::string SubscribeMessage(const std::vector<WireSymbol>& symbols, StreamMode mode, int depth_levels);
/// {"action":"unsubscribe","symbols":[{"symbol","exchange","mode":n},...],"mode":"..."} (the mode also inside
/// each entry, as the SDK sends it).
std::string UnsubscribeMessage(const std::vector<WireSymbol>& symbols, StreamMode mode);
/// {"action":"ping","client_timestamp":<ms>}
std::string PingMessage(UnixNanos now);

/// One market_data frame, decoded and validated. Prices are fixed point at the configured precision.
struct MarketDataFrame {
  WireSymbol wire;
  InstrumentId instrument;
  StreamMode mode = StreamMode::kLtp;
  UnixNanos ts_event;                // payload timestamp (epoch ms or s) or, when absent, receive time
  std::optional<Price> ltp;
  std::optional<Quantity> ltq;       // last traded quantity, when given
  std::optional<Quantity> volume;    // cumulative volume of the day, when given
  std::optional<QuoteTick> quote;    // best bid/offer (Quote: bid/ask fields; Depth: first levels)
};

enum class WsMessageKind : std::uint8_t { kAuth, kSubscribe, kUnsubscribe, kPong, kMarketData, kError, kOther };

/// Any server frame. `success` is true for status "success" (a "partial" subscribe is not a success).
struct WsMessage {
  WsMessageKind kind = WsMessageKind::kOther;
  bool success = false;
  std::string type;     // the frame's "type" as sent ("" when absent)
  std::string status;   // "success", "error", "partial", ...
  std::string code;     // error code, e.g. "AUTHENTICATION_ERROR"
  std::string message;
  std::vector<std::string> failed;  // subscribe/unsubscribe entries that failed, as "EXCHANGE:SYMBOL: message"
  MarketDataFrame market;           // kMarketData only
};

/// Decodes one text frame. A frame that is not a JSON object, a market_data frame with a missing or non-integer
/// mode (string modes and batched arrays are dropped, as OpenAlgo's SDK does), a missing symbol/exchange/data,
/// a missing or non-positive ltp, or a negative price or quantity is an error (the caller counts a reject).
Result<WsMessage> ParseWsMessage(std::string_view text, const ParseOptions& options, UnixNanos ts_init);

/// What DeriveTrade remembers per instrument between frames.
struct TradeState {
  std::optional<Price> last_price;
  std::optional<Quantity> last_volume;
};

/// The trade print a frame implies. With a cumulative volume the size is its increase since the previous frame
/// (zero on the first frame, or after a reset), and a frame that moved neither price nor volume gives no trade.
/// Without volume (LTP mode) every frame is a print of `ltq` units, or zero size when it is not given.
std::optional<TradeTick> DeriveTrade(const MarketDataFrame& frame, TradeState& state, UnixNanos ts_init);

// ---- REST -----------------------------------------------------------------------------------------------

/// Maps a bar spec to an OpenAlgo interval ("15s", "1m", "5m", "1h", "D", "W", "M"); steps above 1 are
/// refused for days, weeks and months.
Result<std::string> IntervalFor(BarSpec spec);
/// "YYYY-MM-DD".
std::string FormatIsoDate(CivilDate date);

std::string HistoryRequestBody(std::string_view api_key, const WireSymbol& symbol, std::string_view interval,
                               CivilDate start_date, CivilDate end_date);
std::string QuotesRequestBody(std::string_view api_key, const WireSymbol& symbol);
std::string ExpiryRequestBody(std::string_view api_key, std::string_view symbol, std::string_view exchange);
std::string OptionChainRequestBody(std::string_view api_key, const WireSymbol& underlying, CivilDate expiry,
                                   int strike_count);
std::string IntervalsRequestBody(std::string_view api_key);

/// The error an unsuccessful REST answer stands for: OpenAlgo's {"status":"error","message"} text with the
/// HTTP status mapped (400 invalid argument, 401 unauthenticated, 403 permission denied, 404 not found,
/// 429 rate limited, 5xx unavailable). A 200 whose body says status "error" is kUnprocessable.
Error ErrorFromResponse(int http_status, std::string_view body);

/// Bars decoded from a history answer: bad rows are skipped and counted, the rest sorted by start time.
struct BarsParse {
  std::vector<Bar> bars;
  std::size_t rejected = 0;
  std::string first_reject;  // why the first rejected row was rejected ("data[3].high: ...")
};

/// Decodes {status, data:[{timestamp, open, high, low, close, volume, oi}]}. Timestamps are epoch seconds
/// (milliseconds when larger than 1e11), digit strings, or ISO strings (naive ones in exchange time).
/// A row with a missing or non-numeric field, a negative value or low > high is rejected; a repeated
/// timestamp keeps the last row.
Result<BarsParse> ParseHistory(std::string_view body, const ParseOptions& options, UnixNanos ts_init);

/// A /quotes snapshot.
struct QuoteSnapshot {
  InstrumentId instrument;
  UnixNanos ts;
  Price ltp;
  Price open;
  Price high;
  Price low;
  Price prev_close;
  std::optional<Price> bid;  // unset when the side is empty (0)
  std::optional<Price> ask;
  Quantity volume;
  Quantity oi;

  /// The quote as a QuoteTick when at least one side is quoted (the other side zero).
  std::optional<QuoteTick> ToQuoteTick() const;
  /// The last price as a trade print of zero size.
  TradeTick ToTradeTick() const;
};

/// Decodes {status, data:{open, high, low, ltp, ask, bid, prev_close, volume[, oi]}}.
Result<QuoteSnapshot> ParseQuotes(std::string_view body, const InstrumentId& instrument,
                                  const ParseOptions& options, UnixNanos ts_init);

/// Decodes {status, data:["DD-MMM-YY", ...]} into ascending, unique dates.
Result<std::vector<CivilDate>> ParseExpiries(std::string_view body);

/// Decodes {status, underlying, underlying_ltp, expiry_date, atm_strike, chain:[{strike, ce:{...}, pe:{...}}]}
/// into a one-expiry chain. Each side's contract is `option_exchange:symbol`; zero bid/ask/ltp mean not quoted.
/// `expiry` is used when the answer does not carry expiry_date.
Result<OptionChain> ParseOptionChain(std::string_view body, const InstrumentId& underlying,
                                     std::string_view option_exchange, CivilDate expiry,
                                     const ParseOptions& options, UnixNanos ts_init);

/// Decodes {status, data:{months[], weeks[], days[], hours[], minutes[], seconds[]}} into the bar specs the
/// broker serves, ascending; unknown interval names are skipped.
Result<std::vector<BarSpec>> ParseIntervals(std::string_view body);

}  // namespace td::adapters::openalgo
