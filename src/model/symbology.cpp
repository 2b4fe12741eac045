// SPDX-License-Identifier: MIT
#include "model/symbology.hpp"

#include <array>

namespace td {
namespace {

constexpr std::array<std::string_view, 12> kMonths{"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                                   "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr std::size_t kMaxSymbolLength = 64;
constexpr int kMaxStrikeDecimals = 4;
constexpr std::int64_t kOccStrikeMax = 99'999'999;  // eight digits of strike x 1000

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}
bool IsUpper(char c) {
  return c >= 'A' && c <= 'Z';
}
bool IsBaseChar(char c) {
  return IsUpper(c) || IsDigit(c) || c == '&' || c == '_' || c == '-';
}

std::string Upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') {
      c = static_cast<char>(c - 'a' + 'A');
    }
  }
  return out;
}

int TwoDigits(std::string_view text) {
  return (text[0] - '0') * 10 + (text[1] - '0');
}
bool AllDigits(std::string_view text) {
  for (char c : text) {
    if (!IsDigit(c)) {
      return false;
    }
  }
  return true;
}

Error SymbolError(std::string message) {
  return Error::InvalidArgument(std::move(message), "symbol");
}

Status ValidateBase(std::string_view base, std::string_view whole) {
  if (base.empty()) {
    return SymbolError("symbol '" + std::string(whole) + "' has no base name before its expiry");
  }
  for (char c : base) {
    if (!IsBaseChar(c)) {
      return SymbolError("symbol '" + std::string(whole) + "' has '" + std::string(1, c) +
                         "' in its name; allowed are A-Z, 0-9, &, _ and -");
    }
  }
  return {};
}

// Parses DDMMMYY (already upper case); `whole` is only for messages.
Result<CivilDate> ParseCompactExpiry(std::string_view text, std::string_view whole) {
  if (text.size() != 7 || !AllDigits(text.substr(0, 2)) || !AllDigits(text.substr(5, 2))) {
    return SymbolError("expected an expiry as DDMMMYY (e.g. 28NOV24) in '" + std::string(whole) + "'");
  }
  const std::string_view month_text = text.substr(2, 3);
  int month = 0;
  for (std::size_t i = 0; i < kMonths.size(); ++i) {
    if (kMonths[i] == month_text) {
      month = static_cast<int>(i) + 1;
    }
  }
  if (month == 0) {
    return SymbolError("bad month '" + std::string(month_text) + "' in '" + std::string(whole) +
                       "'; expected JAN..DEC");
  }
  const CivilDate date{2000 + TwoDigits(text.substr(5, 2)), month, TwoDigits(text.substr(0, 2))};
  if (!IsValidDate(date)) {
    return SymbolError("impossible date " + std::string(text) + " in '" + std::string(whole) + "'");
  }
  return date;
}

bool IsSupportedExpiry(CivilDate date) {
  return IsValidDate(date) && date.year >= 2000 && date.year <= 2099;
}

// Formats a strike with the fewest decimals it needs.
std::string StrikeText(Price strike) {
  return WithMinimalPrecision(strike).ToString();
}

// Accepts only the canonical spelling so that formatting gives the same text back.
Result<Price> ParseStrike(std::string_view text, std::string_view whole) {
  if (text.empty()) {
    return SymbolError("missing strike before CE/PE in '" + std::string(whole) + "'");
  }
  const std::size_t point = text.find('.');
  const std::string_view integer = text.substr(0, point);
  const std::string_view fraction = point == std::string_view::npos ? std::string_view{} : text.substr(point + 1);
  const auto malformed = [&](std::string_view why) {
    return SymbolError("malformed strike '" + std::string(text) + "' in '" + std::string(whole) +
                       "': " + std::string(why));
  };
  if (integer.empty() || !AllDigits(integer) || !AllDigits(fraction)) {
    return malformed("expected digits with at most one decimal point");
  }
  if (integer.size() > 1 && integer[0] == '0') {
    return malformed("leading zero");
  }
  if (point != std::string_view::npos && (fraction.empty() || fraction.back() == '0')) {
    return malformed("trailing zero or point after the decimals");
  }
  if (fraction.size() > static_cast<std::size_t>(kMaxStrikeDecimals)) {
    return malformed("more than 4 decimals");
  }
  auto strike = Price::Parse(text);
  if (!strike.ok()) {
    return malformed(strike.error().message);
  }
  if (!strike->is_positive()) {
    return malformed("must be positive");
  }
  return *strike;
}

Status ValidateStrike(Price strike) {
  if (!strike.is_positive()) {
    return Error::InvalidArgument("strike must be positive, was " + strike.ToString(), "strike");
  }
  if (!strike.IsMultipleOf(Price::FromRaw(Pow10(kFixedPrecision - kMaxStrikeDecimals), kMaxStrikeDecimals))) {
    return Error::InvalidArgument("strike " + strike.ToString() + " has more than 4 decimals", "strike");
  }
  return {};
}

}  // namespace

Price WithMinimalPrecision(Price price) {
  int precision = 0;
  while (precision < kFixedPrecision && price.raw() % Pow10(kFixedPrecision - precision) != 0) {
    ++precision;
  }
  return Price::FromRaw(price.raw(), precision);
}

Result<CivilDate> ParseOpenAlgoExpiry(std::string_view text) {
  std::string upper = Upper(text);
  if (upper.size() == 9 && upper[2] == '-' && upper[6] == '-') {
    upper = upper.substr(0, 2) + upper.substr(3, 3) + upper.substr(7, 2);
  }
  auto date = ParseCompactExpiry(upper, text);
  if (!date.ok()) {
    return Error::InvalidArgument(date.error().message, "expiry_date");
  }
  return date;
}

std::string FormatOpenAlgoExpiry(CivilDate date) {
  TD_CHECK(IsSupportedExpiry(date)) << "expiry outside 2000..2099: " << date.year << "-" << date.month << "-"
                                    << date.day;
  std::string out;
  out += static_cast<char>('0' + date.day / 10);
  out += static_cast<char>('0' + date.day % 10);
  out += kMonths[static_cast<std::size_t>(date.month - 1)];
  out += static_cast<char>('0' + (date.year % 100) / 10);
  out += static_cast<char>('0' + date.year % 10);
  return out;
}

Result<OpenAlgoSymbol> OpenAlgoSymbol::Parse(std::string_view text) {
  if (text.empty()) {
    return SymbolError("symbol must not be empty");
  }
  if (text.size() > kMaxSymbolLength) {
    return SymbolError("symbol longer than 64 characters");
  }
  const std::string upper = Upper(text);
  const std::string_view s = upper;

  if (s.size() >= 3 && s.substr(s.size() - 3) == "FUT") {
    const std::string_view body = s.substr(0, s.size() - 3);
    if (body.size() < 8) {
      return SymbolError("future symbol '" + upper + "' must be BASE + DDMMMYY + FUT");
    }
    auto expiry = ParseCompactExpiry(body.substr(body.size() - 7), upper);
    if (!expiry.ok()) {
      return expiry.error();
    }
    return Future(body.substr(0, body.size() - 7), *expiry);
  }

  const bool option_suffix = s.size() >= 3 && (s.substr(s.size() - 2) == "CE" || s.substr(s.size() - 2) == "PE");
  if (option_suffix && (IsDigit(s[s.size() - 3]) || s[s.size() - 3] == '.')) {
    const OptionRight right = s[s.size() - 2] == 'C' ? OptionRight::kCall : OptionRight::kPut;
    const std::string_view body = s.substr(0, s.size() - 2);
    // The strike and the expiry's year form one run of digits that ends at the month's letters.
    std::size_t run = body.size();
    while (run > 0 && (IsDigit(body[run - 1]) || body[run - 1] == '.')) {
      --run;
    }
    if (run < 6 || !IsDigit(body[run - 5]) || !IsDigit(body[run - 4]) || !IsUpper(body[run - 3]) ||
        !IsUpper(body[run - 2]) || !IsUpper(body[run - 1])) {
      return SymbolError("option symbol '" + upper + "' must be BASE + DDMMMYY + strike + CE|PE");
    }
    const std::string_view digits = body.substr(run);
    if (digits.size() < 2 || !IsDigit(digits[0]) || !IsDigit(digits[1])) {
      return SymbolError("option symbol '" + upper + "' needs a two-digit year after the month");
    }
    auto expiry = ParseCompactExpiry(body.substr(run - 5, 7), upper);
    if (!expiry.ok()) {
      return expiry.error();
    }
    auto strike = ParseStrike(digits.substr(2), upper);
    if (!strike.ok()) {
      return strike.error();
    }
    return Option(body.substr(0, run - 5), *expiry, *strike, right);
  }
  return Plain(s);
}

Result<OpenAlgoSymbol> OpenAlgoSymbol::Plain(std::string_view base) {
  const std::string upper = Upper(base);
  if (upper.empty() || upper.size() > kMaxSymbolLength) {
    return SymbolError("symbol must be 1..64 characters");
  }
  TD_TRY(ValidateBase(upper, upper));
  OpenAlgoSymbol symbol;
  symbol.base = upper;
  return symbol;
}

Result<OpenAlgoSymbol> OpenAlgoSymbol::Future(std::string_view base, CivilDate expiry) {
  const std::string upper = Upper(base);
  TD_TRY(ValidateBase(upper, upper));
  if (upper.size() + 10 > kMaxSymbolLength) {
    return SymbolError("base '" + upper + "' too long for a 64-character symbol");
  }
  if (!IsSupportedExpiry(expiry)) {
    return Error::InvalidArgument("expiry must be a valid date in 2000..2099", "expiry_date");
  }
  OpenAlgoSymbol symbol;
  symbol.kind = OpenAlgoSymbolKind::kFuture;
  symbol.base = upper;
  symbol.expiry = expiry;
  return symbol;
}

Result<OpenAlgoSymbol> OpenAlgoSymbol::Option(std::string_view base, CivilDate expiry, Price strike,
                                              OptionRight right) {
  auto symbol = Future(base, expiry);
  if (!symbol.ok()) {
    return symbol.error();
  }
  TD_TRY(ValidateStrike(strike));
  symbol->kind = OpenAlgoSymbolKind::kOption;
  symbol->strike = WithMinimalPrecision(strike);
  symbol->right = right;
  if (symbol->ToString().size() > kMaxSymbolLength) {
    return SymbolError("option symbol longer than 64 characters");
  }
  return symbol;
}

std::string OpenAlgoSymbol::ToString() const {
  switch (kind) {
    case OpenAlgoSymbolKind::kPlain:
      return base;
    case OpenAlgoSymbolKind::kFuture:
      return base + FormatOpenAlgoExpiry(expiry) + "FUT";
    case OpenAlgoSymbolKind::kOption:
      return base + FormatOpenAlgoExpiry(expiry) + StrikeText(strike) + (right == OptionRight::kCall ? "CE" : "PE");
  }
  TD_UNREACHABLE() << "symbol kind " << static_cast<int>(kind);
}

Result<OccSymbol> OccSymbol::Parse(std::string_view text) {
  const std::string upper = Upper(text);
  const std::string_view s = upper;
  std::string_view root;
  std::string_view tail;
  if (s.find(' ') != std::string_view::npos) {
    if (s.size() != 21) {
      return SymbolError("padded OCC symbol must be 21 characters (root padded to 6), was " + std::to_string(s.size()) +
                         ": '" + upper + "'");
    }
    root = s.substr(0, 6);
    while (!root.empty() && root.back() == ' ') {
      root.remove_suffix(1);
    }
    tail = s.substr(6);
    if (root.find(' ') != std::string_view::npos || tail.find(' ') != std::string_view::npos) {
      return SymbolError("OCC symbol '" + upper + "' may have spaces only as padding after the root");
    }
  } else {
    if (s.size() < 16 || s.size() > 21) {
      return SymbolError("OCC symbol must be ROOT + YYMMDD + C|P + 8 strike digits, was '" + upper + "'");
    }
    root = s.substr(0, s.size() - 15);
    tail = s.substr(s.size() - 15);
  }
  if (!AllDigits(tail.substr(0, 6)) || (tail[6] != 'C' && tail[6] != 'P') || !AllDigits(tail.substr(7))) {
    return SymbolError("OCC symbol '" + upper + "' must end in YYMMDD + C|P + 8 strike digits");
  }
  const CivilDate expiry{2000 + TwoDigits(tail.substr(0, 2)), TwoDigits(tail.substr(2, 2)),
                         TwoDigits(tail.substr(4, 2))};
  if (!IsValidDate(expiry)) {
    return SymbolError("impossible date " + std::string(tail.substr(0, 6)) + " (YYMMDD) in '" + upper + "'");
  }
  std::int64_t thousandths = 0;
  for (char c : tail.substr(7)) {
    thousandths = thousandths * 10 + (c - '0');
  }
  if (thousandths == 0) {
    return SymbolError("OCC strike must be positive in '" + upper + "'");
  }
  const Price strike = Price::FromRaw(thousandths * Pow10(kFixedPrecision - 3), 3);
  return Make(root, expiry, tail[6] == 'C' ? OptionRight::kCall : OptionRight::kPut, strike);
}

Result<OccSymbol> OccSymbol::Make(std::string_view root, CivilDate expiry, OptionRight right, Price strike) {
  const std::string upper = Upper(root);
  if (upper.empty() || upper.size() > 6) {
    return SymbolError("OCC root must be 1..6 characters, was '" + upper + "'");
  }
  if (!IsUpper(upper[0])) {
    return SymbolError("OCC root must start with a letter, was '" + upper + "'");
  }
  for (char c : upper) {
    if (!IsUpper(c) && !IsDigit(c)) {
      return SymbolError("OCC root may hold only A-Z and 0-9, was '" + upper + "'");
    }
  }
  if (!IsSupportedExpiry(expiry)) {
    return Error::InvalidArgument("OCC expiry must be a valid date in 2000..2099", "expiry");
  }
  const std::int64_t step = Pow10(kFixedPrecision - 3);
  if (!strike.is_positive() || strike.raw() % step != 0 || strike.raw() / step > kOccStrikeMax) {
    return Error::InvalidArgument(
        "OCC strike must be positive, at most 3 decimals and below 100000, was " + strike.ToString(), "strike");
  }
  OccSymbol symbol;
  symbol.root = upper;
  symbol.expiry = expiry;
  symbol.right = right;
  symbol.strike = WithMinimalPrecision(strike);
  return symbol;
}

std::string OccSymbol::ToCompactString() const {
  TD_CHECK(IsSupportedExpiry(expiry)) << "OCC expiry out of range";
  std::string out = root;
  const auto two = [&out](int value) {
    out += static_cast<char>('0' + value / 10);
    out += static_cast<char>('0' + value % 10);
  };
  two(expiry.year % 100);
  two(expiry.month);
  two(expiry.day);
  out += right == OptionRight::kCall ? 'C' : 'P';
  std::string digits = std::to_string(strike.raw() / Pow10(kFixedPrecision - 3));
  TD_CHECK(digits.size() <= 8) << "OCC strike too large: " << strike.ToString();
  out.append(8 - digits.size(), '0');
  out += digits;
  return out;
}

std::string OccSymbol::ToString() const {
  std::string out = root;
  out.append(6 - std::min<std::size_t>(root.size(), 6), ' ');
  return out + ToCompactString().substr(root.size());
}

}  // namespace td
