// SPDX-License-Identifier: MIT
#include "options/chain.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "options/implied_vol.hpp"
#include "options/normal.hpp"

namespace td::options {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double Median(std::span<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

double IvFromMid(OptionType type, const Black76Market& market, double mid) {
  if (!std::isfinite(mid)) {
    return kNaN;
  }
  auto iv = ImpliedVolBlack76(type, market, mid);
  return iv.ok() && *iv > 0.0 ? *iv : kNaN;
}

double GammaAt(const Black76Market& market, double iv) {
  if (!(iv > 0.0)) {
    return 0.0;
  }
  return Black76Greeks(OptionType::kCall, market, iv).gamma;
}

double StrikeGex(const ChainSlice& slice, const StrikeQuote& q, const StrikeIv& iv, double level) {
  const Black76Market market{level, q.strike, slice.t_years, slice.rate};
  const double call_iv = std::isfinite(iv.call_iv) ? iv.call_iv : iv.otm_iv;
  const double put_iv = std::isfinite(iv.put_iv) ? iv.put_iv : iv.otm_iv;
  const double call_gamma = q.call_oi > 0.0 ? GammaAt(market, call_iv) : 0.0;
  const double put_gamma = q.put_oi > 0.0 ? GammaAt(market, put_iv) : 0.0;
  return (call_gamma * q.call_oi - put_gamma * q.put_oi) * slice.multiplier * level * level * 0.01;
}

}  // namespace

double QuoteMid(double bid, double ask) {
  if (!(bid > 0.0) || !(ask > 0.0) || ask < bid) {
    return kNaN;
  }
  return 0.5 * (bid + ask);
}

Result<ForwardEstimate> ImpliedForward(const ChainSlice& slice, int max_strikes) {
  if (!(slice.t_years > 0.0)) {
    return Error::InvalidArgument("time to expiry must be positive", "t_years");
  }
  const double df = std::exp(-slice.rate * slice.t_years);
  struct Candidate {
    double abs_diff;
    double forward;
  };
  std::vector<Candidate> candidates;
  candidates.reserve(slice.strikes.size());
  for (const StrikeQuote& q : slice.strikes) {
    const double call = QuoteMid(q.call_bid, q.call_ask);
    const double put = QuoteMid(q.put_bid, q.put_ask);
    if (std::isfinite(call) && std::isfinite(put) && q.strike > 0.0) {
      candidates.push_back({std::fabs(call - put), q.strike + (call - put) / df});
    }
  }
  if (candidates.empty()) {
    return Error::Unprocessable("no strike has both call and put quoted two-sided", "strikes");
  }
  std::sort(candidates.begin(), candidates.end(),
            [](const Candidate& a, const Candidate& b) { return a.abs_diff < b.abs_diff; });
  const std::size_t used = std::min<std::size_t>(candidates.size(), static_cast<std::size_t>(std::max(1, max_strikes)));
  std::vector<double> forwards;
  forwards.reserve(used);
  for (std::size_t i = 0; i < used; ++i) {
    forwards.push_back(candidates[i].forward);
  }
  ForwardEstimate out;
  out.forward = Median(forwards);
  out.discount_factor = df;
  out.implied_carry = slice.underlying > 0.0 ? std::log(out.forward / slice.underlying) / slice.t_years : kNaN;
  out.strikes_used = static_cast<int>(used);
  return out;
}

std::vector<StrikeIv> StrikeIvs(const ChainSlice& slice, double forward) {
  std::vector<StrikeIv> out;
  out.reserve(slice.strikes.size());
  for (const StrikeQuote& q : slice.strikes) {
    StrikeIv iv;
    iv.strike = q.strike;
    iv.call_iv = kNaN;
    iv.put_iv = kNaN;
    iv.otm_iv = kNaN;
    if (q.strike > 0.0 && forward > 0.0 && slice.t_years > 0.0) {
      const Black76Market market{forward, q.strike, slice.t_years, slice.rate};
      iv.call_iv = IvFromMid(OptionType::kCall, market, QuoteMid(q.call_bid, q.call_ask));
      iv.put_iv = IvFromMid(OptionType::kPut, market, QuoteMid(q.put_bid, q.put_ask));
      const bool call_side = q.strike >= forward;
      const double primary = call_side ? iv.call_iv : iv.put_iv;
      iv.otm_iv = std::isfinite(primary) ? primary : (call_side ? iv.put_iv : iv.call_iv);
    }
    out.push_back(iv);
  }
  return out;
}

Result<double> AtmIv(std::span<const StrikeIv> ivs, double forward) {
  const StrikeIv* below = nullptr;
  const StrikeIv* above = nullptr;
  for (const StrikeIv& iv : ivs) {
    if (!std::isfinite(iv.otm_iv)) {
      continue;
    }
    if (iv.strike <= forward && (below == nullptr || iv.strike > below->strike)) {
      below = &iv;
    }
    if (iv.strike >= forward && (above == nullptr || iv.strike < above->strike)) {
      above = &iv;
    }
  }
  if (below == nullptr && above == nullptr) {
    return Error::Unprocessable("no strike has an implied volatility", "strikes");
  }
  if (below == nullptr) {
    return above->otm_iv;
  }
  if (above == nullptr || above->strike == below->strike) {
    return below->otm_iv;
  }
  const double w = (forward - below->strike) / (above->strike - below->strike);
  return below->otm_iv + w * (above->otm_iv - below->otm_iv);
}

Result<double> ConstantMaturityIv(std::span<const TermPoint> points, double target_t) {
  const TermPoint* below = nullptr;
  const TermPoint* above = nullptr;
  for (const TermPoint& p : points) {
    if (!(p.t_years > 0.0) || !std::isfinite(p.atm_iv)) {
      continue;
    }
    if (p.t_years <= target_t && (below == nullptr || p.t_years > below->t_years)) {
      below = &p;
    }
    if (p.t_years >= target_t && (above == nullptr || p.t_years < above->t_years)) {
      above = &p;
    }
  }
  if (below == nullptr && above == nullptr) {
    return Error::Unprocessable("no expiry with a positive time and a finite ATM IV", "points");
  }
  if (below == nullptr) {
    return above->atm_iv;
  }
  if (above == nullptr || above->t_years == below->t_years) {
    return below->atm_iv;
  }
  const double w_below = below->atm_iv * below->atm_iv * below->t_years;
  const double w_above = above->atm_iv * above->atm_iv * above->t_years;
  const double w = w_below + (w_above - w_below) * (target_t - below->t_years) / (above->t_years - below->t_years);
  return std::sqrt(w / target_t);
}

Result<double> TermStructureSlope(std::span<const TermPoint> points) {
  double n = 0.0, sx = 0.0, sy = 0.0;
  for (const TermPoint& p : points) {
    if (std::isfinite(p.t_years) && std::isfinite(p.atm_iv)) {
      n += 1.0;
      sx += p.t_years;
      sy += p.atm_iv;
    }
  }
  if (n < 2.0) {
    return Error::Unprocessable("term-structure slope needs at least two expiries", "points");
  }
  const double mx = sx / n;
  const double my = sy / n;
  double sxx = 0.0, sxy = 0.0;
  for (const TermPoint& p : points) {
    if (std::isfinite(p.t_years) && std::isfinite(p.atm_iv)) {
      sxx += (p.t_years - mx) * (p.t_years - mx);
      sxy += (p.t_years - mx) * (p.atm_iv - my);
    }
  }
  if (!(sxx > 0.0)) {
    return Error::Unprocessable("term-structure slope needs two distinct expiries", "points");
  }
  return sxy / sxx;
}

Result<double> IvRank(std::span<const double> iv_history, double current_iv) {
  if (iv_history.empty() || !std::isfinite(current_iv)) {
    return Error::Unprocessable("IV rank needs a non-empty IV history and a finite current IV", "iv_history");
  }
  const auto [lo, hi] = std::minmax_element(iv_history.begin(), iv_history.end());
  if (*hi == *lo) {
    return 50.0;
  }
  return std::clamp((current_iv - *lo) / (*hi - *lo) * 100.0, 0.0, 100.0);
}

Result<double> IvPercentile(std::span<const double> iv_history, double current_iv) {
  if (iv_history.empty() || !std::isfinite(current_iv)) {
    return Error::Unprocessable("IV percentile needs a non-empty IV history and a finite current IV", "iv_history");
  }
  const auto below = std::count_if(iv_history.begin(), iv_history.end(), [&](double v) { return v < current_iv; });
  return 100.0 * static_cast<double>(below) / static_cast<double>(iv_history.size());
}

double IvHvRatio(double iv, double hv) {
  return hv > 0.0 ? iv / hv : kNaN;
}

Result<Skew25> Skew25Delta(std::span<const StrikeIv> ivs, double forward, double t_years) {
  if (!(forward > 0.0 && t_years > 0.0)) {
    return Error::InvalidArgument("forward and time must be positive", "forward");
  }
  auto atm = AtmIv(ivs, forward);
  if (!atm.ok()) {
    return atm.error();
  }
  const double sqrt_t = std::sqrt(t_years);
  // Walk strikes outward from the forward and interpolate IV linearly in delta at the crossing.
  auto find = [&](bool calls, double target) -> double {
    double prev_delta = kNaN;
    double prev_iv = kNaN;
    const auto visit = [&](const StrikeIv& iv) -> double {
      if (!std::isfinite(iv.otm_iv)) {
        return kNaN;
      }
      const double d1 = std::log(forward / iv.strike) / (iv.otm_iv * sqrt_t) + 0.5 * iv.otm_iv * sqrt_t;
      const double delta = calls ? NormCdf(d1) : NormCdf(d1) - 1.0;
      if (std::isfinite(prev_delta) && (prev_delta - target) * (delta - target) <= 0.0 && prev_delta != delta) {
        const double w = (target - prev_delta) / (delta - prev_delta);
        return prev_iv + w * (iv.otm_iv - prev_iv);
      }
      prev_delta = delta;
      prev_iv = iv.otm_iv;
      return kNaN;
    };
    if (calls) {
      for (const StrikeIv& iv : ivs) {
        if (iv.strike >= forward) {
          if (const double r = visit(iv); std::isfinite(r)) {
            return r;
          }
        }
      }
    } else {
      for (auto it = ivs.rbegin(); it != ivs.rend(); ++it) {
        if (it->strike <= forward) {
          if (const double r = visit(*it); std::isfinite(r)) {
            return r;
          }
        }
      }
    }
    return kNaN;
  };
  Skew25 out;
  out.atm_iv = *atm;
  out.call_iv = find(true, 0.25);
  out.put_iv = find(false, -0.25);
  if (!std::isfinite(out.call_iv) || !std::isfinite(out.put_iv)) {
    return Error::Unprocessable("quoted strikes do not reach 25 delta on both sides", "strikes");
  }
  out.risk_reversal = out.call_iv - out.put_iv;
  out.butterfly = 0.5 * (out.call_iv + out.put_iv) - out.atm_iv;
  return out;
}

Result<StraddleMove> AtmStraddle(const ChainSlice& slice, double forward) {
  const StrikeQuote* best = nullptr;
  for (const StrikeQuote& q : slice.strikes) {
    if (std::isfinite(QuoteMid(q.call_bid, q.call_ask)) && std::isfinite(QuoteMid(q.put_bid, q.put_ask)) &&
        (best == nullptr || std::fabs(q.strike - forward) < std::fabs(best->strike - forward))) {
      best = &q;
    }
  }
  if (best == nullptr) {
    return Error::Unprocessable("no strike has both call and put quoted two-sided", "strikes");
  }
  StraddleMove out;
  out.strike = best->strike;
  out.straddle = QuoteMid(best->call_bid, best->call_ask) + QuoteMid(best->put_bid, best->put_ask);
  const double df = std::exp(-slice.rate * slice.t_years);
  out.sigma_move = out.straddle / df * std::sqrt(0.5 * std::numbers::pi);
  return out;
}

double IvExpectedMove(double price, double iv, double t_years) {
  return price * iv * std::sqrt(t_years);
}

Result<double> MaxPain(const ChainSlice& slice) {
  if (slice.strikes.empty()) {
    return Error::Unprocessable("empty chain", "strikes");
  }
  double best_strike = kNaN;
  double best_pain = std::numeric_limits<double>::infinity();
  for (const StrikeQuote& settle : slice.strikes) {
    double pain = 0.0;
    for (const StrikeQuote& q : slice.strikes) {
      pain += q.call_oi * std::max(settle.strike - q.strike, 0.0) + q.put_oi * std::max(q.strike - settle.strike, 0.0);
    }
    if (pain < best_pain || (pain == best_pain && settle.strike < best_strike)) {
      best_pain = pain;
      best_strike = settle.strike;
    }
  }
  return best_strike;
}

PutCallRatios PutCallRatio(const ChainSlice& slice) {
  double call_oi = 0.0, put_oi = 0.0, call_volume = 0.0, put_volume = 0.0;
  for (const StrikeQuote& q : slice.strikes) {
    call_oi += q.call_oi;
    put_oi += q.put_oi;
    call_volume += q.call_volume;
    put_volume += q.put_volume;
  }
  return PutCallRatios{call_oi > 0.0 ? put_oi / call_oi : kNaN, call_volume > 0.0 ? put_volume / call_volume : kNaN};
}

GammaExposure GammaExposureAt(const ChainSlice& slice, std::span<const StrikeIv> ivs, double level) {
  TD_CHECK(ivs.size() == slice.strikes.size()) << "one StrikeIv per strike expected";
  GammaExposure out;
  out.by_strike.reserve(slice.strikes.size());
  for (std::size_t i = 0; i < slice.strikes.size(); ++i) {
    const double gex = StrikeGex(slice, slice.strikes[i], ivs[i], level);
    out.by_strike.push_back(gex);
    out.total += gex;
  }
  return out;
}

double TotalGammaExposure(const ChainSlice& slice, std::span<const StrikeIv> ivs, double level) {
  TD_CHECK(ivs.size() == slice.strikes.size()) << "one StrikeIv per strike expected";
  double total = 0.0;
  for (std::size_t i = 0; i < slice.strikes.size(); ++i) {
    total += StrikeGex(slice, slice.strikes[i], ivs[i], level);
  }
  return total;
}

Result<double> ZeroGammaLevel(const ChainSlice& slice, std::span<const StrikeIv> ivs, double forward, double range,
                              int steps) {
  if (!(forward > 0.0 && range > 0.0 && range < 1.0 && steps >= 2 && slice.t_years > 0.0)) {
    return Error::InvalidArgument("forward, range in (0,1), steps >= 2 and a positive time are required", "range");
  }
  const double lo = forward * (1.0 - range);
  const double hi = forward * (1.0 + range);
  double best_a = kNaN;
  double best_b = kNaN;
  double prev_level = lo;
  double prev_gex = TotalGammaExposure(slice, ivs, lo);
  for (int i = 1; i <= steps; ++i) {
    const double level = lo + (hi - lo) * i / steps;
    const double gex = TotalGammaExposure(slice, ivs, level);
    if ((prev_gex <= 0.0) != (gex <= 0.0)) {
      const double mid = 0.5 * (prev_level + level);
      if (!std::isfinite(best_a) || std::fabs(mid - forward) < std::fabs(0.5 * (best_a + best_b) - forward)) {
        best_a = prev_level;
        best_b = level;
      }
    }
    prev_level = level;
    prev_gex = gex;
  }
  if (!std::isfinite(best_a)) {
    return Error::Unprocessable("total gamma exposure does not change sign within the range", "range");
  }
  double a = best_a;
  double b = best_b;
  const bool a_negative = TotalGammaExposure(slice, ivs, a) <= 0.0;
  for (int i = 0; i < 60 && b - a > 1e-9 * forward; ++i) {
    const double m = 0.5 * (a + b);
    if ((TotalGammaExposure(slice, ivs, m) <= 0.0) == a_negative) {
      a = m;
    } else {
      b = m;
    }
  }
  return 0.5 * (a + b);
}

}  // namespace td::options
