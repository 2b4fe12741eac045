// SPDX-License-Identifier: MIT
#include "model/option_chain.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <iterator>
#include <string>
#include <utility>

#include "model/tick.hpp"

namespace td {
namespace {

std::string DateText(CivilDate date) {
  return std::to_string(date.year) + "-" + std::to_string(date.month) + "-" + std::to_string(date.day);
}

bool RowLess(const StrikeRow& row, Price strike) {
  return row.strike < strike;
}

}  // namespace

std::optional<Price> OptionQuote::Mid() const {
  if (!bid.has_value() || !ask.has_value() || !bid->is_positive() || *ask < *bid) {
    return std::nullopt;
  }
  return Midpoint(*bid, *ask);
}

Status OptionQuote::Validate() const {
  for (const auto& [price, name] : {std::pair{bid, "bid"}, std::pair{ask, "ask"}, std::pair{last, "last"}}) {
    if (price.has_value() && price->is_negative()) {
      return Error::InvalidArgument(std::string(name) + " must not be negative, was " + price->ToString(), name);
    }
  }
  if (bid.has_value() && ask.has_value() && bid->is_positive() && ask->is_positive() && *bid > *ask) {
    return Error::InvalidArgument("bid " + bid->ToString() + " above ask " + ask->ToString(), "bid");
  }
  if (vendor_iv.has_value() && (!std::isfinite(*vendor_iv) || *vendor_iv < 0.0)) {
    return Error::InvalidArgument("implied volatility must be finite and non-negative", "iv");
  }
  return {};
}

std::vector<Price> ExpirySlice::Strikes() const {
  std::vector<Price> strikes;
  strikes.reserve(rows.size());
  for (const StrikeRow& row : rows) {
    strikes.push_back(row.strike);
  }
  return strikes;
}

const StrikeRow* ExpirySlice::FindRow(Price strike) const {
  const auto it = std::lower_bound(rows.begin(), rows.end(), strike, RowLess);
  return it != rows.end() && it->strike == strike ? &*it : nullptr;
}

std::optional<Price> ExpirySlice::AtmStrike(Price price) const {
  if (rows.empty()) {
    return std::nullopt;
  }
  const auto upper = std::lower_bound(rows.begin(), rows.end(), price, RowLess);
  if (upper == rows.end()) {
    return rows.back().strike;
  }
  if (upper == rows.begin()) {
    return upper->strike;
  }
  const auto lower = std::prev(upper);
  // Compare distances in raw units; strikes and prices are far from the int64 limits.
  return (upper->strike - price) < (price - lower->strike) ? upper->strike : lower->strike;
}

Result<Price> ExpirySlice::StrikeAtOffset(Price price, OptionRight right, std::string_view offset) const {
  int steps = 0;
  if (offset != "ATM") {
    const std::string_view kind = offset.substr(0, std::min<std::size_t>(3, offset.size()));
    const std::string_view number = offset.size() > 3 ? offset.substr(3) : std::string_view{};
    int n = 0;
    const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), n);
    if ((kind != "ITM" && kind != "OTM") || number.empty() || ec != std::errc{} ||
        end != number.data() + number.size() || n < 1 || n > 50 || number[0] == '0') {
      return Error::InvalidArgument("offset must be ATM, ITM1..ITM50 or OTM1..OTM50, was '" + std::string(offset) + "'",
                                    "offset");
    }
    // Calls are in the money below the spot, puts above it.
    const bool lower = (kind == "ITM") == (right == OptionRight::kCall);
    steps = lower ? -n : n;
  }
  const auto atm = AtmStrike(price);
  if (!atm.has_value()) {
    return Error::NotFound("no strikes for expiry " + DateText(expiry), "offset");
  }
  const auto index =
      static_cast<std::ptrdiff_t>(std::lower_bound(rows.begin(), rows.end(), *atm, RowLess) - rows.begin());
  const std::ptrdiff_t target = index + steps;
  if (target < 0 || target >= static_cast<std::ptrdiff_t>(rows.size())) {
    return Error::NotFound("offset " + std::string(offset) + " runs off the chain of " + DateText(expiry), "offset");
  }
  return rows[static_cast<std::size_t>(target)].strike;
}

std::vector<CivilDate> OptionChain::Expiries() const {
  std::vector<CivilDate> dates;
  dates.reserve(expiries.size());
  for (const ExpirySlice& slice : expiries) {
    dates.push_back(slice.expiry);
  }
  return dates;
}

const ExpirySlice* OptionChain::Find(CivilDate expiry) const {
  const ExpirySlice* slice = NearestExpiryOnOrAfter(expiry);
  return slice != nullptr && slice->expiry == expiry ? slice : nullptr;
}

const ExpirySlice* OptionChain::NearestExpiryOnOrAfter(CivilDate date) const {
  const auto it = std::lower_bound(expiries.begin(), expiries.end(), date,
                                   [](const ExpirySlice& slice, CivilDate d) { return slice.expiry < d; });
  return it == expiries.end() ? nullptr : &*it;
}

Status OptionChain::Validate() const {
  if (underlying.empty()) {
    return Error::InvalidArgument("option chain needs an underlying", "underlying");
  }
  if (underlying_price.is_negative()) {
    return Error::InvalidArgument("underlying price must not be negative", "underlying_ltp");
  }
  for (std::size_t i = 0; i < expiries.size(); ++i) {
    const ExpirySlice& slice = expiries[i];
    if (!IsValidDate(slice.expiry)) {
      return Error::InvalidArgument("expiry " + DateText(slice.expiry) + " is not a valid date", "expiry_date");
    }
    if (i > 0 && !(expiries[i - 1].expiry < slice.expiry)) {
      return Error::InvalidArgument("expiries must be ascending and unique at " + DateText(slice.expiry),
                                    "expiry_date");
    }
    for (std::size_t j = 0; j < slice.rows.size(); ++j) {
      const StrikeRow& row = slice.rows[j];
      if (!row.strike.is_positive()) {
        return Error::InvalidArgument("strike must be positive, was " + row.strike.ToString(), "strike");
      }
      if (j > 0 && !(slice.rows[j - 1].strike < row.strike)) {
        return Error::InvalidArgument(
            "strikes must be ascending and unique at " + row.strike.ToString() + " of " + DateText(slice.expiry),
            "strike");
      }
      for (const auto* quote : {&row.call, &row.put}) {
        if (quote->has_value()) {
          TD_TRY((*quote)->Validate());
        }
      }
    }
  }
  return {};
}

OptionChainBuilder::OptionChainBuilder(InstrumentId underlying, UnixNanos ts, Price underlying_price) {
  chain_.underlying = std::move(underlying);
  chain_.ts = ts;
  chain_.underlying_price = underlying_price;
}

Status OptionChainBuilder::Add(CivilDate expiry, Price strike, OptionRight right, OptionQuote quote) {
  if (!IsValidDate(expiry)) {
    return Error::InvalidArgument("expiry " + DateText(expiry) + " is not a valid date", "expiry_date");
  }
  if (!strike.is_positive()) {
    return Error::InvalidArgument("strike must be positive, was " + strike.ToString(), "strike");
  }
  TD_TRY(quote.Validate());
  entries_.push_back(Entry{expiry, strike, right, std::move(quote)});
  return {};
}

Result<OptionChain> OptionChainBuilder::Build() {
  std::sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) {
    if (a.expiry != b.expiry) {
      return a.expiry < b.expiry;
    }
    if (a.strike != b.strike) {
      return a.strike < b.strike;
    }
    return a.right < b.right;
  });
  OptionChain chain = std::move(chain_);
  chain_ = OptionChain{chain.underlying, chain.ts, chain.underlying_price, {}};
  std::vector<Entry> entries = std::move(entries_);
  entries_.clear();
  for (Entry& entry : entries) {
    if (chain.expiries.empty() || chain.expiries.back().expiry != entry.expiry) {
      chain.expiries.push_back(ExpirySlice{entry.expiry, {}});
    }
    std::vector<StrikeRow>& rows = chain.expiries.back().rows;
    if (rows.empty() || rows.back().strike != entry.strike) {
      rows.push_back(StrikeRow{entry.strike, std::nullopt, std::nullopt});
    }
    std::optional<OptionQuote>& side = entry.right == OptionRight::kCall ? rows.back().call : rows.back().put;
    if (side.has_value()) {
      return Error{ErrorCode::kAlreadyExists,
                   "duplicate " + std::string(ToString(entry.right)) + " at strike " + entry.strike.ToString() +
                       " of " + DateText(entry.expiry),
                   "strike"};
    }
    side = std::move(entry.quote);
  }
  TD_TRY(chain.Validate());
  return chain;
}

}  // namespace td
