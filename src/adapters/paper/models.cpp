// SPDX-License-Identifier: MIT
#include "adapters/paper/models.hpp"

#include <algorithm>
#include <cmath>

#include "core/check.hpp"

namespace td::adapters::paper {

namespace {

__extension__ using Int128 = __int128;

constexpr std::int64_t kCentRaw = kFixedScale / 100;

/// raw × parts-per-billion, exact.
Int128 ApplyRate(std::int64_t raw, std::int64_t ppb) {
  return static_cast<Int128>(raw) * ppb / kFixedScale;
}

/// Rounds raw currency to 0.01, half away from zero (Indian charges) or always up (US regulatory fees).
Price ToCents(Int128 raw, bool round_up = false) {
  TD_CHECK(raw >= 0) << "charges are never negative";
  Int128 cents = raw / kCentRaw;
  const Int128 rest = raw % kCentRaw;
  if (round_up ? rest > 0 : rest * 2 >= kCentRaw) {
    ++cents;
  }
  return Price::FromRaw(static_cast<std::int64_t>(cents * kCentRaw), 2);
}

Price Zero() { return Price::FromRaw(0, 2); }

}  // namespace

std::uint64_t SeededRandom::Next() {
  state_ += 0x9e3779b97f4a7c15ULL;
  std::uint64_t z = state_;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

double SeededRandom::Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

std::uint64_t SeededRandom::Below(std::uint64_t bound) { return bound == 0 ? 0 : Next() % bound; }

Quantity FullFillModel::FillQuantity(Quantity leaves, Quantity /*displayed*/, Quantity /*lot*/) { return leaves; }

DisplayedSizeFillModel::DisplayedSizeFillModel(std::uint64_t seed, double min_share)
    : random_(seed), min_share_(std::clamp(min_share, 0.0, 1.0)) {}

Quantity DisplayedSizeFillModel::FillQuantity(Quantity leaves, Quantity displayed, Quantity lot) {
  if (displayed.is_zero()) {
    return leaves;  // the feed shows no size: nothing to limit by
  }
  const std::int64_t lot_raw = lot.is_positive() ? lot.raw() : kFixedScale;
  const std::int64_t cap_lots = std::min(leaves.raw(), displayed.raw()) / lot_raw;
  // Draw even when nothing can fill, so the stream advances once per decision whatever the sizes were.
  const double share = min_share_ + (1.0 - min_share_) * random_.Uniform();
  if (cap_lots == 0) {
    return Quantity::FromRaw(0, leaves.precision());
  }
  auto lots = static_cast<std::int64_t>(std::floor(static_cast<double>(cap_lots) * share + 1e-9));
  lots = std::clamp<std::int64_t>(lots, 1, cap_lots);
  return Quantity::FromRaw(lots * lot_raw, std::max(leaves.precision(), lot.precision()));
}

JitterLatencyModel::JitterLatencyModel(Duration request, Duration report, Duration jitter, std::uint64_t seed)
    : request_(request), report_(report), jitter_(jitter), random_(seed) {}

Duration JitterLatencyModel::RequestDelay() {
  return request_ + Duration(static_cast<std::int64_t>(random_.Below(static_cast<std::uint64_t>(jitter_.count()))));
}

Duration JitterLatencyModel::ReportDelay() {
  return report_ + Duration(static_cast<std::int64_t>(random_.Below(static_cast<std::uint64_t>(jitter_.count()))));
}

Price Charges::Total() const {
  return brokerage + stt + exchange + sebi + stamp_duty + gst + sec_fee + finra_taf;
}

Charges ZeroFeeModel::Compute(const FeeInput& /*fill*/) const {
  return Charges{Zero(), Zero(), Zero(), Zero(), Zero(), Zero(), Zero(), Zero()};
}

std::int64_t TurnoverRaw(Price price, Quantity quantity, Quantity multiplier) {
  const Int128 mult = multiplier.is_zero() ? kFixedScale : multiplier.raw();
  const Int128 value = static_cast<Int128>(price.raw()) * quantity.raw() / kFixedScale * mult / kFixedScale;
  TD_CHECK(value >= 0 && value <= static_cast<Int128>(INT64_MAX)) << "turnover out of range";
  return static_cast<std::int64_t>(value);
}

bool IsUsExchange(std::string_view exchange) { return exchange == "US" || exchange == "OPRA"; }

Charges IndianFeeModel::Compute(const FeeInput& fill) const {
  TD_CHECK(fill.instrument != nullptr);
  const Instrument& instrument = *fill.instrument;
  const std::int64_t turnover = TurnoverRaw(fill.price, fill.quantity, instrument.multiplier);
  const bool buy = fill.side == Side::kBuy;
  const bool bse = instrument.exchange() == "BSE" || instrument.exchange() == "BFO";
  Charges c = ZeroFeeModel{}.Compute(fill);

  std::int64_t stt_ppb = 0;
  std::int64_t exchange_ppb = 0;
  std::int64_t stamp_ppb = 0;
  switch (instrument.kind) {
    case InstrumentKind::kOption:
      stt_ppb = buy ? 0 : rates_.stt_options_sell_ppb;
      exchange_ppb = bse ? rates_.bse_options_ppb : rates_.nse_options_ppb;
      stamp_ppb = rates_.stamp_options_ppb;
      break;
    case InstrumentKind::kFuture:
      stt_ppb = buy ? 0 : rates_.stt_futures_sell_ppb;
      exchange_ppb = bse ? rates_.bse_futures_ppb : rates_.nse_futures_ppb;
      stamp_ppb = rates_.stamp_futures_ppb;
      break;
    case InstrumentKind::kEquity:
    case InstrumentKind::kIndex:
      if (fill.product == Product::kCnc) {
        stt_ppb = rates_.stt_delivery_ppb;
        stamp_ppb = rates_.stamp_delivery_ppb;
      } else {
        stt_ppb = buy ? 0 : rates_.stt_intraday_sell_ppb;
        stamp_ppb = rates_.stamp_intraday_ppb;
      }
      exchange_ppb = bse ? rates_.bse_equity_ppb : rates_.nse_equity_ppb;
      break;
  }
  if (fill.first_fill_of_order) {
    c.brokerage = Price::FromRaw(rates_.brokerage_per_order_paise * kCentRaw, 2);
  }
  c.stt = ToCents(ApplyRate(turnover, stt_ppb));
  c.exchange = ToCents(ApplyRate(turnover, exchange_ppb));
  c.sebi = ToCents(ApplyRate(turnover, rates_.sebi_ppb));
  c.stamp_duty = buy ? ToCents(ApplyRate(turnover, stamp_ppb)) : Zero();
  // GST is levied on the rounded service charges as they appear on the contract note.
  const Price gst_base = c.brokerage + c.exchange + c.sebi;
  c.gst = ToCents(ApplyRate(gst_base.raw(), rates_.gst_ppb));
  return c;
}

Charges UsFeeModel::Compute(const FeeInput& fill) const {
  TD_CHECK(fill.instrument != nullptr);
  const Instrument& instrument = *fill.instrument;
  Charges c = ZeroFeeModel{}.Compute(fill);
  const std::int64_t turnover = TurnoverRaw(fill.price, fill.quantity, instrument.multiplier);
  const Int128 units = fill.quantity.raw();  // contracts or shares, raw
  const bool option = instrument.kind == InstrumentKind::kOption;
  const std::int64_t commission_each =
      option ? rates_.option_commission_per_contract_nanos : rates_.equity_commission_per_share_nanos;
  c.brokerage = ToCents(units * commission_each / kFixedScale);
  if (fill.side == Side::kSell) {
    c.sec_fee = ToCents(ApplyRate(turnover, rates_.sec_fee_ppb), /*round_up=*/true);
    Int128 taf = units * (option ? rates_.taf_per_option_contract_nanos : rates_.taf_per_share_nanos) / kFixedScale;
    if (!option) {
      taf = std::min<Int128>(taf, rates_.taf_equity_cap_nanos);
    }
    c.finra_taf = ToCents(taf, /*round_up=*/true);
  }
  return c;
}

Charges MarketFeeModel::Compute(const FeeInput& fill) const {
  TD_CHECK(fill.instrument != nullptr);
  return IsUsExchange(fill.instrument->exchange()) ? us_.Compute(fill) : india_.Compute(fill);
}

}  // namespace td::adapters::paper
