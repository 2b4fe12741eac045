// SPDX-License-Identifier: MIT
#include "options/batch.hpp"

#include <cmath>
#include <limits>

#include "core/check.hpp"
#include "options/pricing_detail.hpp"

namespace td::options {

Status ImpliedVolsAndGreeks(const ExpiryMarket& expiry, std::span<const ExpiryOption> options,
                            std::span<IvGreeks> out) {
  TD_CHECK(out.size() == options.size()) << "output span size " << out.size() << " != " << options.size();
  const double f = expiry.forward;
  const double t = expiry.t_years;
  if (!(f > 0.0 && t > 0.0 && std::isfinite(f) && std::isfinite(t) && std::isfinite(expiry.rate))) {
    return Error::InvalidArgument("forward and time must be positive and finite, rate finite", "market");
  }
  const detail::ExpiryTerms terms = detail::MakeExpiryTerms(f, t, expiry.rate);
  for (std::size_t i = 0; i < options.size(); ++i) {
    const ExpiryOption& o = options[i];
    IvGreeks& result = out[i];
    result = IvGreeks{};
    result.iv = std::numeric_limits<double>::quiet_NaN();
    if (!(o.strike > 0.0 && std::isfinite(o.strike))) {
      continue;
    }
    const double log_fk = std::log(f / o.strike);
    const Result<double> iv = detail::ImpliedVolBlack76Prepared(o.type, terms, o.strike, log_fk, o.price);
    if (!iv.ok()) {
      continue;
    }
    result.iv = *iv;
    result.greeks = detail::Black76GreeksPrepared(o.type, terms, o.strike, log_fk, *iv);
  }
  return {};
}

}  // namespace td::options
