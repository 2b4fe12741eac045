// SPDX-License-Identifier: MIT
#include "options/normal.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace td::options {
namespace {

constexpr double kSqrtPi = 1.77245385090551602729816748334114518;
// 1/sqrt(2) split in a double and its rounding remainder, so -z/sqrt(2) can be formed to ~2^-106.
constexpr double kInvSqrt2Lo = -4.8336466567264567e-17;

// erfcx(u) = e^{u^2} erfc(u) on [0, 26) without computing e^{u^2} and erfc separately (glibc's erfc itself
// evaluates two exponentials for large u). Degree-11 polynomials in t in [-1, 1], interpolating at the
// Chebyshev nodes (fitted in 40-digit arithmetic; max relative error of the fit below 5e-18):
// on [0, 2), eight intervals of width 1/4, t = 8 (u - centre); on [2, 26), in w = 1/u for u erfcx(u), six
// intervals of width 1/13 of [1/26, 1/2], t = 26 (w - centre).
constexpr int kErfcxDegree = 11;
constexpr double kErfcxNear[8][kErfcxDegree + 1] = {
    {8.732218450821508e-1, -1.1375921322812186e-1, 1.1866603622719588e-2, -1.0613813500562958e-3, 8.4415799000681452e-5,
     -6.1060346938583629e-6, 4.0786337497092694e-7, -2.5438265803060454e-8, 1.4938110360928837e-9,
     -8.3138601668002424e-11, 4.4412859452574221e-12, -2.2521025159002509e-13},
    {6.8585723310129286e-1, -7.6748280283692866e-2, 7.1189436289097151e-3, -5.7699426455171431e-4,
     4.2093444024059314e-5, -2.816962077910408e-6, 1.7522166099173162e-7, -1.0229005226811311e-8,
     5.6457720573818423e-10, -2.9635746871538896e-11, 1.4964720529547153e-12, -7.1970520150724302e-14},
    {5.568138808733625e-1, -5.404522700047618e-2, 4.4779335292341252e-3, -3.2974540994068642e-4, 2.210317562089409e-5,
     -1.3701845739439191e-6, 7.943881828767846e-8, -4.3437076328346734e-9, 2.2546622707513588e-10,
     -1.1167757250352583e-11, 5.333013488006598e-13, -2.4333773455063717e-14},
    {4.64311583202669e-1, -3.9479237061355228e-2, 2.9368269339559879e-3, -1.9709842212149428e-4, 1.2165140461612885e-5,
     -6.996402430512113e-7, 3.7852390012379979e-8, -1.9405067999706254e-9, 9.4798938846968859e-11,
     -4.4336503995459381e-12, 2.003512009976442e-13, -8.6772479806372191e-15},
    {3.956980795529959e-1, -2.9757311012658974e-2, 1.9981606318603972e-3, -1.2264443047828601e-4, 6.9871934183516849e-6,
     -3.7349806070195806e-7, 1.8883911018791395e-8, -9.0867350687626261e-10, 4.1819286708257278e-11,
     -1.8482330350941282e-12, 7.9092847259963972e-14, -3.2533922761636673e-15},
    {3.4329588986212538e-1, -2.3039433746833472e-2, 1.4040956038587077e-3, -7.9108146920705339e-5,
     4.1711405291281335e-6, -2.0766000687474678e-7, 9.827502446950428e-9, -4.4445304283097163e-10,
     1.9290925918964885e-11, -8.06421235944574e-13, 3.2709052241809631e-14, -1.278732580279933e-15},
    {3.0226120936348592e-1, -1.8253779583022918e-2, 1.015032418502938e-3, -5.269123065088266e-5, 2.5784876565661394e-6,
     -1.1981806947111034e-7, 5.3169414574305489e-9, -2.2632960365612927e-10, 9.275938241847968e-12,
     -3.6715598125460523e-13, 1.4128613330952291e-14, -5.2537380809387368e-16},
    {2.6942998516467045e-1, -1.4752090340999797e-2, 7.5232234452614855e-4, -3.6117241386537232e-5,
     1.6450290916225205e-6, -7.1511281325840979e-8, 2.9810410122023063e-9, -1.1962351093224803e-10,
     4.6354751622200101e-12, -1.7392616982393941e-13, 6.3563593642848001e-15, -2.2501612287331981e-16},
};
constexpr double kErfcxFar[6][kErfcxDegree + 1] = {
    {5.62534984239926e-1, -1.6402090966452891e-3, -3.9586829680929967e-4, 6.8898468056897058e-6, 7.3888089763105423e-7,
     -3.401298218862941e-8, -1.784783286899914e-9, 1.9118226701914647e-10, 2.6057195548852644e-12,
     -1.1386733400114682e-12, 2.699077442602408e-14, 6.3817715713154416e-15},
    {5.5773685568181491e-1, -3.1203377524421727e-3, -3.3981709372189852e-4, 1.1261065499398628e-5,
     3.4410730040146922e-7, -4.0134341851545515e-8, 5.774760874487554e-10, 1.1673696181412472e-10,
     -8.4211783032243385e-12, -4.8369809354751857e-14, 4.489289622959113e-14, -2.6966594904911343e-15},
    {5.5023127150451167e-1, -4.3365180171096931e-3, -2.6700070476397625e-4, 1.2551542361423411e-5,
     9.5988437419720815e-10, -2.6987658512367121e-8, 1.3467639627811864e-9, 3.9223889527657654e-12,
     -4.685114906206011e-12, 2.9914187391973067e-13, -2.7212611009218516e-15, -1.0435997671864727e-15},
    {5.405898823871711e-1, -5.2557744212261268e-3, -1.9350864146789572e-4, 1.1690526760473351e-5,
     -1.9112666527212486e-7, -1.2038981864978524e-8, 1.057519679973214e-9, -3.4256592189233384e-11,
     -5.9112868021895131e-13, 1.4007713339227001e-13, -8.4315599102562458e-15, 1.8815032540863564e-16},
    {5.2939444312744397e-1, -5.8964144644821386e-3, -1.2868536038808644e-4, 9.8295465376719699e-6,
     -2.5785892414589421e-7, -2.2704342276266194e-9, 5.8073083463970101e-10, -3.0466895649568597e-11,
     7.1187619670089596e-13, 2.2244730365233314e-14, -3.3885063351866766e-15, 1.9508360511383118e-16},
    {5.1716134419010648e-1, -6.3015358517550909e-3, -7.595808402162637e-5, 7.753064275894467e-6, -2.5340099662909469e-7,
     2.4808542573557548e-9, 2.4007591595052746e-10, -1.8230791507690177e-11, 7.1614643711912023e-13,
     -1.254717743661087e-14, -5.9212931961596581e-16, 6.8725102275645945e-17},
};

double Horner(const double (&c)[kErfcxDegree + 1], double t) {
  double sum = c[kErfcxDegree];
  for (int k = kErfcxDegree - 1; k >= 0; --k) {
    sum = sum * t + c[k];
  }
  return sum;
}

}  // namespace

double NormPdf(double z) {
  return kInvSqrt2Pi * std::exp(-0.5 * z * z);
}

double NormCdf(double z) {
  if (z >= -1.0) {
    return 0.5 * std::erfc(-z * kInvSqrt2);
  }
  // Lower tail: erfc(u) loses about 2u^2 ulp per ulp of error in u, so correct the rounding of u.
  const double u = -z * kInvSqrt2;
  const double du = std::fma(-z, kInvSqrt2, -u) + (-z) * kInvSqrt2Lo;
  const double value = std::erfc(u);
  // d/du ln erfc(u) = -2 / (sqrt(pi) erfcx(u)) ~ -(2u + 1/u) for u >= 0.7; du is ~1e-17 u, so the
  // asymptotic slope is ample for the first-order correction.
  return 0.5 * value * (1.0 - du * (2.0 * u + 1.0 / u));
}

double Erfcx(double u) {
  if (u < 0.0) {
    const double u2 = u * u;
    const double err = std::fma(u, u, -u2);
    return 2.0 * std::exp(u2) * (1.0 + err) - Erfcx(-u);
  }
  if (u < 2.0) {
    const int i = static_cast<int>(u * 4.0);
    return Horner(kErfcxNear[i], (u - (i + 0.5) * 0.25) * 8.0);
  }
  if (u < 26.0) {
    const double w = 1.0 / u;
    const int i = std::clamp(static_cast<int>(13.0 * w - 0.5), 0, 5);
    return w * Horner(kErfcxFar[i], (w - (i + 1) / 13.0) * 26.0);
  }
  // Asymptotic series 1/(u sqrt(pi)) * sum (-1)^n (2n-1)!! / (2u^2)^n; at u >= 26 eight terms reach 1e-19.
  const double w = 1.0 / (2.0 * u * u);
  double term = 1.0;
  double sum = 1.0;
  for (int n = 1; n <= 8; ++n) {
    term *= -(2.0 * n - 1.0) * w;
    sum += term;
  }
  return sum / (u * kSqrtPi);
}

double InverseNormCdf(double p) {
  if (!(p > 0.0)) {
    return p == 0.0 ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::quiet_NaN();
  }
  if (!(p < 1.0)) {
    return p == 1.0 ? std::numeric_limits<double>::infinity() : std::numeric_limits<double>::quiet_NaN();
  }
  // Abramowitz & Stegun 26.2.23 as the start (|error| < 4.5e-4), then Halley on NormCdf(z) - p.
  const double q = p < 0.5 ? p : 1.0 - p;
  const double t = std::sqrt(-2.0 * std::log(q));
  double z = t - (2.515517 + t * (0.802853 + t * 0.010328)) / (1.0 + t * (1.432788 + t * (0.189269 + t * 0.001308)));
  if (p < 0.5) {
    z = -z;
  }
  for (int i = 0; i < 3; ++i) {
    // Work on the smaller tail so the residual keeps relative precision.
    const double e = z < 0.0 ? NormCdf(z) - p : (1.0 - p) - NormCdf(-z);
    const double u = e * kSqrt2Pi * std::exp(0.5 * z * z);
    const double step = u / (1.0 + 0.5 * z * u);
    z -= step;
    if (std::fabs(step) <= 1e-16 * std::fabs(z)) {
      break;
    }
  }
  return z;
}

}  // namespace td::options
