// SPDX-License-Identifier: MIT
#include "scanner/scan.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <limits>
#include <map>
#include <set>

namespace td::scanner {

namespace {

constexpr RankingWeights kWeights[4] = {
    {0.20, 0.16, 0.08, 0.20, 0.14, 0.08, 0.10, 0.04, 0.30, 0.20, 0.15},
    {0.16, 0.14, 0.09, 0.20, 0.12, 0.12, 0.10, 0.07, 0.30, 0.18, 0.12},
    {0.12, 0.12, 0.10, 0.18, 0.10, 0.20, 0.06, 0.12, 0.25, 0.15, 0.08},
    {0.10, 0.10, 0.10, 0.18, 0.10, 0.24, 0.04, 0.14, 0.20, 0.12, 0.05},
};

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string Fmt(double x, int decimals = 2) {
  char buf[48];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, x);
  return buf;
}

double Clamp01(double x) {
  return std::isfinite(x) ? std::clamp(x, 0.0, 1.0) : 0.0;
}

struct Metrics {
  const SymbolContext* ctx;
  double rvol;
  double dollar_volume;
  std::size_t liquidity_rank = 0;
};

std::uint64_t Fnv(std::uint64_t h, std::string_view s) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::string ScanId(std::span<const SymbolContext> contexts, UnixNanos as_of, const ScanRequest& r) {
  std::uint64_t h = 1469598103934665603ull;
  h = Fnv(h, StyleName(r.style));
  h = Fnv(h, std::to_string(as_of.nanos()) + "|" + std::to_string(r.limit) + "|" + Fmt(r.filters.min_rvol, 6) + "|" +
                 std::to_string(r.filters.min_liquidity_rank) + "|" + Fmt(r.max_sector_share, 6));
  std::vector<std::string> ex;
  for (const auto& e : r.filters.exclude)
    ex.push_back(Upper(e));
  std::sort(ex.begin(), ex.end());
  for (const auto& e : ex)
    h = Fnv(h, "x" + e);
  for (const SymbolContext& c : contexts) {
    h = Fnv(h, c.symbol + "@" + std::to_string(c.data_as_of.nanos()) + "#" + std::to_string(c.bars.size()));
  }
  char buf[20];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

RankingFeatures Features(const Metrics& m, const Plan& plan, std::size_t universe) {
  const SymbolContext& c = *m.ctx;
  RankingFeatures f;
  const double atr = plan.ladder.atr;
  const double risk_atr = plan.risk / atr;
  f.entry_quality = 0.5 * Clamp01(1.0 - std::fabs(c.price() - plan.entry.AsDouble()) / atr) +
                    (risk_atr >= 0.5 && risk_atr <= 1.6 ? 0.5 : 0.25);
  f.rr1 = Clamp01(std::min(plan.rr_t1, 2.5) / 2.5);
  f.rr2 = Clamp01(std::min(plan.rr_t2, 3.5) / 3.5);
  f.confidence = Clamp01(plan.confidence);
  const double rv = std::isfinite(m.rvol) ? Clamp01((m.rvol - 0.1) / 2.4) : 0.25;
  const double rank_score =
      universe > 1 ? 1.0 - static_cast<double>(m.liquidity_rank - 1) / static_cast<double>(universe - 1) : 1.0;
  f.liquidity = 0.5 * rv + 0.5 * rank_score;
  f.trend = Clamp01((c.htf.bias * Sign(plan.direction) + 1.0) / 2.0);
  const std::size_t i = c.last();
  const double range = c.bars.high[i] - c.bars.low[i];
  const double body = range > 0.0 ? std::fabs(c.bars.close[i] - c.bars.open[i]) / range : 0.0;
  const double impulse = i >= 3 && std::isfinite(c.atr[i]) && c.atr[i] > 0.0
                             ? std::min(1.0, std::fabs(c.bars.close[i] - c.bars.close[i - 3]) / c.atr[i])
                             : 0.0;
  f.momentum = Clamp01(0.6 * body + 0.4 * impulse);
  f.geometry = Clamp01(1.0 - 0.25 * static_cast<double>(plan.warnings.size()));
  if (c.earnings_date) {
    const std::int64_t days = DaysFromCivil(*c.earnings_date) - DaysFromCivil(c.trading_date);
    f.pen_event = days >= 0 && days <= 2 ? 1.0 : 0.0;
  }
  f.pen_data = c.stale ? 1.0 : 0.0;
  f.pen_chop = std::isfinite(c.adx[i]) && c.adx[i] < 15.0 ? 1.0 : 0.0;
  return f;
}

double Score(const RankingFeatures& f, const RankingWeights& w) {
  const double s = w.entry_quality * f.entry_quality + w.rr1 * f.rr1 + w.rr2 * f.rr2 + w.confidence * f.confidence +
                   w.liquidity * f.liquidity + w.trend * f.trend + w.momentum * f.momentum + w.geometry * f.geometry -
                   w.pen_event * f.pen_event - w.pen_data * f.pen_data - w.pen_chop * f.pen_chop;
  return std::max(0.0, s);
}

bool Ranked(const ScanCandidate& a, const ScanCandidate& b) {
  if (a.score != b.score)
    return a.score > b.score;
  if (a.confidence != b.confidence)
    return a.confidence > b.confidence;
  return a.symbol < b.symbol;
}

std::string SectorKey(const ScanCandidate& c) {
  return c.sector.empty() ? "UNKNOWN:" + c.symbol : Upper(c.sector);
}

/// Keeps at most `cap` names per sector among the first `head` ranks; the names held back follow the head in
/// their ranked order, so nothing is lost and the ranking stays deterministic.
std::vector<ScanCandidate> Diversify(std::vector<ScanCandidate> ranked, std::size_t head, std::size_t cap) {
  std::vector<ScanCandidate> out;
  std::vector<ScanCandidate> deferred;
  std::map<std::string, std::size_t> per_sector;
  std::size_t i = 0;
  for (; i < ranked.size() && out.size() < head; ++i) {
    std::size_t& n = per_sector[SectorKey(ranked[i])];
    if (n < cap) {
      ++n;
      out.push_back(std::move(ranked[i]));
    } else {
      deferred.push_back(std::move(ranked[i]));
    }
  }
  std::vector<ScanCandidate> rest(std::make_move_iterator(ranked.begin() + static_cast<std::ptrdiff_t>(i)),
                                  std::make_move_iterator(ranked.end()));
  std::move(deferred.begin(), deferred.end(), std::back_inserter(rest));
  std::sort(rest.begin(), rest.end(), Ranked);
  std::move(rest.begin(), rest.end(), std::back_inserter(out));
  return out;
}

std::string DateText(CivilDate d) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02d", d.year, d.month, d.day);
  return buf;
}

void FallbackPage(ScanPage& page, const std::vector<Metrics>& metrics, bool live) {
  page.fallback = true;
  page.mode = live ? "fallback_live" : "fallback_frozen";
  page.label = live ? "Live liquidity leaders" : "Frozen leaders (as of the last close)";
  std::vector<ScanCandidate> out;
  for (const Metrics& m : metrics) {
    ScanCandidate c;
    c.symbol = m.ctx->symbol;
    c.sector = m.ctx->sector;
    c.rvol = m.rvol;
    c.dollar_volume = m.dollar_volume;
    c.liquidity_rank = m.liquidity_rank;
    const double rv = std::isfinite(m.rvol) ? m.rvol : 1.0;
    c.score = std::max(rv, 0.05) + std::min(m.dollar_volume / 1e9, 0.3);
    c.confidence = std::clamp(0.35 + 0.2 * std::min(rv, 1.5), 0.30, 0.65);
    c.reasons = {"Fallback candidate - RVOL " + (std::isfinite(m.rvol) ? Fmt(m.rvol) : std::string("n/a")),
                 "Liquidity baseline applied", "No " + std::string(StyleName(page.style)) + " setup qualified"};
    out.push_back(std::move(c));
  }
  std::sort(out.begin(), out.end(), [](const ScanCandidate& a, const ScanCandidate& b) {
    if (a.confidence != b.confidence)
      return a.confidence > b.confidence;
    if (a.score != b.score)
      return a.score > b.score;
    return a.symbol < b.symbol;
  });
  const std::size_t cap = std::min<std::size_t>(page.limit, live ? 20 : 10);
  if (out.size() > cap)
    out.resize(cap);
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i].rank = i + 1;
  page.total = out.size();
  page.candidates = std::move(out);
  if (page.candidates.empty()) {
    page.mode = "empty";
    page.label = "No data";
    page.banner = "No market data available for this universe";
  }
}

}  // namespace

const RankingWeights& WeightsFor(Style style) {
  return kWeights[static_cast<int>(style)];
}

std::string EncodeCursor(std::string_view scan_id, std::size_t offset) {
  const std::string raw = "v1:" + std::string(scan_id) + ":" + std::to_string(offset);
  std::string out;
  std::uint32_t buf = 0;
  int bits = 0;
  for (unsigned char c : raw) {
    buf = (buf << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kB64[(buf >> bits) & 63u];
    }
  }
  if (bits > 0)
    out += kB64[(buf << (6 - bits)) & 63u];
  return out;
}

Result<CursorValue> DecodeCursor(std::string_view cursor) {
  std::string raw;
  std::uint32_t buf = 0;
  int bits = 0;
  for (char ch : cursor) {
    const char* p = std::find(kB64, kB64 + 64, ch);
    if (p == kB64 + 64)
      return Error::InvalidArgument("cursor is not base64url", "cursor");
    buf = (buf << 6) | static_cast<std::uint32_t>(p - kB64);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      raw += static_cast<char>((buf >> bits) & 0xffu);
    }
  }
  const std::size_t a = raw.find(':');
  const std::size_t b = raw.rfind(':');
  if (raw.rfind("v1:", 0) != 0 || a == b || b + 1 >= raw.size()) {
    return Error::InvalidArgument("cursor is malformed", "cursor");
  }
  CursorValue v;
  v.scan_id = raw.substr(a + 1, b - a - 1);
  std::size_t offset = 0;
  for (std::size_t i = b + 1; i < raw.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(raw[i])) || offset > 1'000'000) {
      return Error::InvalidArgument("cursor offset is malformed", "cursor");
    }
    offset = offset * 10 + static_cast<std::size_t>(raw[i] - '0');
  }
  v.offset = offset;
  return v;
}

Result<ScanPage> Scan(std::span<const SymbolContext> contexts, std::span<const MissingSymbol> missing, UnixNanos as_of,
                      const ScanRequest& request) {
  if (request.limit < 1 || request.limit > 50) {
    return Error::InvalidArgument("limit must be within 1..50", "limit");
  }
  ScanPage page;
  page.style = request.style;
  page.limit = request.limit;
  page.universe_size = contexts.size() + missing.size();
  page.scan_id = ScanId(contexts, as_of, request);
  std::size_t offset = 0;
  if (!request.cursor.empty()) {
    auto cur = DecodeCursor(request.cursor);
    if (!cur.ok())
      return cur.error();
    if (cur->scan_id != page.scan_id) {
      return Error::InvalidArgument("cursor belongs to a different scan (inputs or request changed)", "cursor");
    }
    offset = cur->offset;
  }
  for (const MissingSymbol& m : missing) {
    page.data_quality.missing.push_back(m.symbol + ": " + m.reason);
  }

  // Live vs frozen from the session calendar, through the contexts.
  std::size_t live = 0;
  UnixNanos data_as_of;
  const SymbolContext* latest = nullptr;
  for (const SymbolContext& c : contexts) {
    live += c.live ? 1 : 0;
    page.data_quality.stale += c.stale ? 1 : 0;
    if (latest == nullptr || c.data_as_of > data_as_of) {
      data_as_of = c.data_as_of;
      latest = &c;
    }
  }
  const bool is_live = live > 0;
  page.planning_context = is_live ? "live" : "frozen";
  page.as_of = is_live ? as_of : data_as_of;
  if (!is_live && latest != nullptr) {
    page.banner = latest->session_complete
                      ? "Market closed - plans as of the " + DateText(latest->trading_date) + " close"
                      : "Market not open - plans as of the last completed bar";
  }
  page.data_quality.ok = missing.empty() && page.data_quality.stale == 0;
  if (!page.data_quality.ok && is_live) {
    page.banner = "Live feed degraded - partial data missing";
  }

  std::set<std::string> excluded;
  for (const auto& e : request.filters.exclude)
    excluded.insert(Upper(e));
  std::vector<Metrics> metrics;
  for (const SymbolContext& c : contexts) {
    if (excluded.count(Upper(c.symbol)) > 0)
      continue;
    Metrics m{&c, std::numeric_limits<double>::quiet_NaN(), 0.0};
    if (c.has_volume) {
      m.rvol = std::isfinite(c.rvol_session) ? c.rvol_session : c.rvol_bar.back();
    }
    const std::size_t n = c.bars.size();
    double vol = 0.0;
    for (std::size_t i = n > 20 ? n - 20 : 0; i < n; ++i)
      vol += c.bars.volume[i];
    m.dollar_volume = c.price() * vol / static_cast<double>(std::min<std::size_t>(n, 20));
    metrics.push_back(m);
  }
  if (metrics.empty()) {
    page.data_quality.ok = false;
    page.data_quality.error = "market_data_unavailable";
    FallbackPage(page, metrics, is_live);
    return page;
  }
  {
    std::vector<std::size_t> order(metrics.size());
    for (std::size_t i = 0; i < order.size(); ++i)
      order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      if (metrics[a].dollar_volume != metrics[b].dollar_volume)
        return metrics[a].dollar_volume > metrics[b].dollar_volume;
      return metrics[a].ctx->symbol < metrics[b].ctx->symbol;
    });
    for (std::size_t r = 0; r < order.size(); ++r)
      metrics[order[r]].liquidity_rank = r + 1;
  }
  std::vector<Metrics> kept;
  for (const Metrics& m : metrics) {
    if (request.filters.min_rvol > 0.0 && !(m.rvol >= request.filters.min_rvol))
      continue;
    if (request.filters.min_liquidity_rank > 0 && m.liquidity_rank > request.filters.min_liquidity_rank)
      continue;
    kept.push_back(m);
  }
  if (kept.empty()) {
    page.data_quality.error = "filters_removed_all";
    FallbackPage(page, metrics, is_live);
    return page;
  }

  const RankingWeights& w = WeightsFor(request.style);
  std::vector<ScanCandidate> ranked;
  for (const Metrics& m : kept) {
    std::optional<ScanCandidate> best;
    for (const StrategySpec& spec : AllStrategies()) {
      if (spec.style != request.style)
        continue;
      Detection d = Detect(spec.id, *m.ctx);
      if (d.status != DetectStatus::kSignal)
        continue;
      auto plan = BuildPlan(*m.ctx, *d.signal, PlanOptions{request.style, true});
      if (!plan.ok())
        continue;
      ScanCandidate c;
      c.symbol = m.ctx->symbol;
      c.sector = m.ctx->sector;
      c.strategy = spec.id;
      c.rvol = m.rvol;
      c.dollar_volume = m.dollar_volume;
      c.liquidity_rank = m.liquidity_rank;
      c.features = Features(m, *plan, metrics.size());
      c.score = Score(c.features, w);
      c.confidence = plan->confidence;
      if (c.score <= 0.0)
        continue;
      if (!best || Ranked(c, *best)) {
        c.reasons.push_back(std::string(spec.name) + ": " + d.signal->trigger);
        for (const Condition& cond : d.signal->conditions) {
          if (cond.available && cond.met && c.reasons.size() < 4)
            c.reasons.push_back(std::string(cond.name));
        }
        c.reasons.push_back("R:R to TP1 " + Fmt(plan->rr_t1) + ", confidence " + Fmt(plan->confidence, 3));
        c.plan = std::move(*plan);
        best = std::move(c);
      }
    }
    if (best)
      ranked.push_back(std::move(*best));
  }
  if (ranked.empty()) {
    page.data_quality.error = "no_signals";
    FallbackPage(page, kept, is_live);
    return page;
  }
  std::sort(ranked.begin(), ranked.end(), Ranked);
  const auto cap = std::max<std::size_t>(
      1, static_cast<std::size_t>(std::floor(static_cast<double>(request.limit) * request.max_sector_share)));
  ranked = Diversify(std::move(ranked), request.limit, cap);
  page.mode = "signals";
  page.label = std::string(StyleName(request.style)) + " setups";
  page.total = ranked.size();
  for (std::size_t i = offset; i < ranked.size() && page.candidates.size() < request.limit; ++i) {
    ranked[i].rank = i + 1;
    page.candidates.push_back(std::move(ranked[i]));
  }
  if (offset + page.candidates.size() < page.total) {
    page.next_cursor = EncodeCursor(page.scan_id, offset + page.candidates.size());
  }
  return page;
}

Result<ScanPage> ScanInputs(std::span<const SymbolInput> inputs, UnixNanos as_of, const ScanRequest& request,
                            const ContextOptions& options) {
  std::vector<SymbolContext> contexts;
  contexts.reserve(inputs.size());
  std::vector<MissingSymbol> missing;
  for (const SymbolInput& in : inputs) {
    auto ctx = BuildContext(in, as_of, options);
    if (ctx.ok()) {
      contexts.push_back(std::move(*ctx));
    } else {
      missing.push_back({in.symbol, ctx.error().message});
    }
  }
  return Scan(contexts, missing, as_of, request);
}

}  // namespace td::scanner
