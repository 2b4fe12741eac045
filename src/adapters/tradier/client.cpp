// SPDX-License-Identifier: MIT
#include "adapters/tradier/client.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>

#include "core/clock.hpp"

namespace td::adapters::tradier {

namespace {

constexpr std::size_t kMaxQuoteSymbols = 100;

UnixNanos WallNow() { return LiveClock().Now(); }

}  // namespace

TradierDataClient::TradierDataClient(TradierConfig config)
    : config_(std::move(config)), sandbox_(config_.IsSandbox()), source_("tradier", PacingOf(config_)) {}

data::DataCapabilities TradierDataClient::capabilities() const {
  data::DataCapabilities caps;
  caps.chains = true;
  return caps;
}

Status TradierDataClient::Connect(data::MarketEventSink& sink) {
  TD_TRY(config_.Validate());
  source_.Connect(sink);
  if (sandbox_) {
    NoticeOnce("delayed", "tradier sandbox: market data is delayed (15 minutes) and quotes may be unavailable");
  }
  return {};
}

void TradierDataClient::Disconnect() { source_.Disconnect(); }

Status TradierDataClient::Subscribe(const data::Subscription& subscription) {
  return source_.RefuseSubscribe(subscription, "answers requests only");
}

Status TradierDataClient::Unsubscribe(const data::Subscription& subscription) {
  return source_.RefuseUnsubscribe(subscription);
}

Result<std::vector<Bar>> TradierDataClient::RequestBars(const InstrumentId& instrument, BarSpec, UnixNanos, UnixNanos) {
  return Error{ErrorCode::kUnavailable, "tradier does not serve bars (" + instrument.value() + ")", {}};
}

std::vector<std::string> TradierDataClient::notices() const {
  std::lock_guard lock(notices_mutex_);
  return notices_;
}

data::FeedStatus TradierDataClient::status() const { return source_.status(); }

void TradierDataClient::NoticeOnce(const std::string& key, const std::string& text) {
  {
    std::lock_guard lock(notices_mutex_);
    if (!noticed_.insert(key).second) {
      return;
    }
    notices_.push_back(text);
  }
  source_.logger().Info(text, {{"base_url", config_.base_url}});
}

Result<net::HttpResponse> TradierDataClient::Get(const std::string& path_and_query) {
  TD_TRY(config_.Validate());
  if (sandbox_) {
    NoticeOnce("delayed", "tradier sandbox: market data is delayed (15 minutes) and quotes may be unavailable");
  }
  return source_.Get(config_.base_url + path_and_query,
                     {{"Authorization", "Bearer " + config_.token}, {"Accept", "application/json"}});
}

Result<std::vector<CivilDate>> TradierDataClient::RequestExpirations(const InstrumentId& underlying) {
  auto symbol = TradierSymbol(underlying);
  if (!symbol.ok()) {
    return symbol.error();
  }
  auto response = Get("/v1/markets/options/expirations?symbol=" + *symbol + "&includeAllRoots=true&strikes=false");
  if (!response.ok()) {
    return response.error();
  }
  if (response->status != 200) {
    Error error = ErrorFromResponse(response->status, response->body);
    source_.Count(true, 0, error.message);
    return error;
  }
  auto dates = ParseExpirations(response->body);
  source_.Count(dates.ok(), 0, dates.ok() ? std::string() : "expirations: " + dates.error().ToString());
  return dates;
}

Result<QuotesParse> TradierDataClient::RequestQuotes(const std::vector<InstrumentId>& instruments) {
  if (instruments.empty() || instruments.size() > kMaxQuoteSymbols) {
    return Error::InvalidArgument("between 1 and 100 instruments per quote request", "instruments");
  }
  std::string symbols;
  for (const auto& instrument : instruments) {
    auto symbol = TradierSymbol(instrument);
    if (!symbol.ok()) {
      return symbol.error();
    }
    symbols += (symbols.empty() ? "" : ",") + *symbol;
  }
  auto response = Get("/v1/markets/quotes?symbols=" + symbols + "&greeks=false");
  if (!response.ok()) {
    return response.error();
  }
  if (response->status != 200) {
    Error error = ErrorFromResponse(response->status, response->body);
    if (sandbox_ && (response->status == 404 || response->status == 403)) {
      NoticeOnce("quotes", "tradier sandbox: quotes unavailable; chains carry no underlying price");
      return Error{ErrorCode::kUnavailable, "sandbox quotes unavailable", {}};
    }
    source_.Count(true, 0, error.message);
    return error;
  }
  auto quotes = ParseQuotes(response->body, ParseOptions{config_.price_precision, config_.volume_precision}, WallNow());
  if (!quotes.ok()) {
    source_.Count(false, 0, "quotes: " + quotes.error().ToString());
    return quotes.error();
  }
  source_.Count(true, quotes->rejected, quotes->rejected > 0 ? "quotes rejected: " + quotes->first_reject : std::string());
  return quotes;
}

Result<OptionChain> TradierDataClient::RequestChain(const InstrumentId& underlying, std::optional<CivilDate> expiry) {
  auto symbol = TradierSymbol(underlying);
  if (!symbol.ok()) {
    return symbol.error();
  }
  if (underlying.exchange() != "US") {
    return Error::InvalidArgument("a chain's underlying is a US symbol, not " + underlying.value(), "underlying");
  }
  std::vector<CivilDate> expiries;
  if (expiry.has_value()) {
    expiries.push_back(*expiry);
  } else {
    auto listed = RequestExpirations(underlying);
    if (!listed.ok()) {
      return listed.error();
    }
    expiries = std::move(*listed);
    if (config_.chain_max_expiries > 0 && expiries.size() > static_cast<std::size_t>(config_.chain_max_expiries)) {
      expiries.resize(static_cast<std::size_t>(config_.chain_max_expiries));
    }
    if (expiries.empty()) {
      return Error::NotFound("no listed expirations for " + underlying.value(), "underlying");
    }
  }
  Price spot = Price::FromRaw(0, config_.price_precision);
  auto quote = RequestQuotes({underlying});
  if (quote.ok() && !quote->quotes.empty() && quote->quotes[0].last.has_value()) {
    spot = *quote->quotes[0].last;
  }
  const ParseOptions options{config_.price_precision, config_.volume_precision};
  std::optional<OptionChain> merged;
  for (const CivilDate& date : expiries) {
    auto response = Get("/v1/markets/options/chains?symbol=" + *symbol + "&expiration=" + FormatDate(date) +
                        "&greeks=" + (config_.greeks ? "true" : "false"));
    if (!response.ok()) {
      return response.error();
    }
    if (response->status != 200) {
      Error error = ErrorFromResponse(response->status, response->body);
      source_.Count(true, 0, error.message);
      return error;
    }
    auto chain = ParseChain(response->body, underlying, spot, options, WallNow());
    if (!chain.ok()) {
      source_.Count(false, 0, "chain: " + chain.error().ToString());
      return chain.error();
    }
    source_.Count(true, chain->rejected, chain->rejected > 0 ? "chain rows rejected: " + chain->first_reject : std::string());
    if (chain->rejected > 0) {
      source_.logger().Warn("tradier chain rows rejected", {{"underlying", underlying.value()},
                                                    {"rejected", chain->rejected},
                                                    {"first", chain->first_reject}});
    }
    if (config_.greeks && chain->missing_greeks > 0) {
      NoticeOnce(sandbox_ ? "greeks" : "greeks-live",
                 sandbox_ ? "tradier sandbox: greeks missing from chains; vendor IV left unset"
                          : "tradier: greeks missing from some chain rows; vendor IV left unset");
    }
    if (!merged.has_value()) {
      merged = std::move(chain->chain);
      continue;
    }
    for (auto& slice : chain->chain.expiries) {
      if (merged->Find(slice.expiry) == nullptr) {
        merged->expiries.push_back(std::move(slice));
      }
    }
  }
  std::sort(merged->expiries.begin(), merged->expiries.end(),
            [](const ExpirySlice& a, const ExpirySlice& b) { return a.expiry < b.expiry; });
  TD_TRY(merged->Validate());
  return std::move(*merged);
}

}  // namespace td::adapters::tradier
