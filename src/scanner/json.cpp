// SPDX-License-Identifier: MIT
#include "scanner/json.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <string_view>

namespace td::scanner {

namespace {

/// A small streaming JSON writer: objects and arrays with automatic commas.
class Writer {
 public:
  void BeginObject() {
    Value();
    out_ += '{';
    first_ = true;
  }
  void EndObject() {
    out_ += '}';
    first_ = false;
  }
  void BeginArray() {
    Value();
    out_ += '[';
    first_ = true;
  }
  void EndArray() {
    out_ += ']';
    first_ = false;
  }
  void Key(std::string_view k) {
    if (!first_)
      out_ += ',';
    String(k);
    out_ += ':';
    first_ = true;
    after_key_ = true;
  }
  void Str(std::string_view s) {
    Value();
    String(s);
  }
  void Num(double x, int decimals = -1) {
    Value();
    if (!std::isfinite(x)) {
      out_ += "null";
      return;
    }
    if (decimals >= 0) {
      const double scale = std::pow(10.0, decimals);
      x = std::round(x * scale) / scale;
    }
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof(buf), x);
    out_.append(buf, r.ptr);
  }
  void Int(long long v) {
    Value();
    out_ += std::to_string(v);
  }
  void Bool(bool b) {
    Value();
    out_ += b ? "true" : "false";
  }
  void Null() {
    Value();
    out_ += "null";
  }
  void Raw(std::string_view text) {
    Value();
    out_ += text;
  }
  std::string Take() { return std::move(out_); }

 private:
  void Value() {
    if (after_key_) {
      after_key_ = false;
    } else if (!first_) {
      out_ += ',';
    }
    first_ = false;
  }
  void String(std::string_view s) {
    out_ += '"';
    for (char c : s) {
      switch (c) {
        case '"':
          out_ += "\\\"";
          break;
        case '\\':
          out_ += "\\\\";
          break;
        case '\n':
          out_ += "\\n";
          break;
        case '\t':
          out_ += "\\t";
          break;
        default:
          if (static_cast<unsigned char>(c) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof(buf), "\\u%04x", c);
            out_ += buf;
          } else {
            out_ += c;
          }
      }
    }
    out_ += '"';
  }
  std::string out_;
  bool first_ = true;
  bool after_key_ = false;
};

void PriceField(Writer& w, std::string_view key, Price p, int precision) {
  w.Key(key);
  w.Raw(p.WithPrecision(precision).ToString());
}

void WritePlan(Writer& w, const Plan& p, bool levels) {
  const int prec = p.precision;
  w.BeginObject();
  w.Key("plan_id");
  w.Str(p.plan_id);
  w.Key("symbol");
  w.Str(p.symbol);
  w.Key("style");
  w.Str(StyleName(p.style));
  w.Key("strategy_id");
  w.Str(Spec(p.strategy).key);
  w.Key("setup");
  w.Str(Spec(p.strategy).name);
  w.Key("bias");
  w.Str(DirectionName(p.direction));
  w.Key("as_of");
  w.Str(p.as_of.ToIso8601());
  w.Key("data_as_of");
  w.Str(p.data_as_of.ToIso8601());
  w.Key("planning_context");
  w.Str(p.planning_context);
  w.Key("session_phase");
  w.Str(p.session_phase);
  w.Key("htf_bias");
  w.Str(p.htf_bias);
  w.Key("trigger");
  w.Str(p.trigger);
  PriceField(w, "entry", p.entry, prec);
  PriceField(w, "stop", p.stop, prec);
  w.Key("stop_basis");
  w.Str(p.stop_basis);
  w.Key("risk");
  w.Num(p.risk, 6);
  w.Key("targets");
  w.BeginArray();
  for (const Target& t : p.targets)
    w.Raw(t.price.WithPrecision(prec).ToString());
  w.EndArray();
  w.Key("target_meta");
  w.BeginArray();
  for (std::size_t i = 0; i < p.targets.size(); ++i) {
    const Target& t = p.targets[i];
    w.BeginObject();
    w.Key("label");
    w.Str("TP" + std::to_string(i + 1));
    PriceField(w, "price", t.price, prec);
    w.Key("distance");
    w.Num(t.distance, 6);
    w.Key("rr");
    w.Num(t.rr, 3);
    w.Key("seed");
    w.Num(t.seed, 6);
    w.Key("rule");
    w.Str(LadderRuleName(t.rule));
    w.Key("em_fraction");
    w.Num(t.em_fraction, 3);
    w.Key("prob_touch");
    if (t.prob_touch >= 0.0)
      w.Num(t.prob_touch, 3);
    else
      w.Null();
    w.Key("snapped");
    w.Bool(t.snapped);
    w.Key("snap_tag");
    if (t.snapped)
      w.Str(t.level_label);
    else
      w.Null();
    w.Key("optional");
    w.Bool(t.optional);
    w.EndObject();
  }
  w.EndArray();
  w.Key("rr_to_t1");
  w.Num(p.rr_t1, 3);
  w.Key("min_rr");
  w.Num(p.min_rr, 3);
  w.Key("confidence");
  w.Num(p.confidence, 3);
  w.Key("confidence_factors");
  w.BeginArray();
  for (const auto& f : p.confidence_factors) {
    w.BeginObject();
    w.Key("name");
    w.Str(f.name);
    w.Key("contribution");
    w.Num(f.contribution, 4);
    w.Key("detail");
    w.Str(f.detail);
    w.EndObject();
  }
  w.EndArray();
  w.Key("runner");
  w.BeginObject();
  w.Key("type");
  w.Str(p.runner.type);
  w.Key("timeframe");
  w.Str(p.runner.timeframe);
  w.Key("length");
  w.Int(p.runner.length);
  w.Key("multiplier");
  w.Num(p.runner.multiplier);
  w.Key("note");
  w.Str(p.runner.note);
  PriceField(w, "anchor", p.runner.anchor, prec);
  PriceField(w, "initial_stop", p.runner.initial_stop, prec);
  w.EndObject();
  w.Key("confluence_tags");
  w.BeginArray();
  for (const auto& s : p.confluence_tags)
    w.Str(s);
  w.EndArray();
  w.Key("tp_reasons");
  w.BeginArray();
  for (const auto& s : p.tp_reasons)
    w.Str(s);
  w.EndArray();
  w.Key("warnings");
  w.BeginArray();
  for (const auto& s : p.warnings)
    w.Str(s);
  w.EndArray();
  w.Key("notes");
  w.BeginArray();
  for (const auto& s : p.notes)
    w.Str(s);
  w.EndArray();
  w.Key("ladder");
  w.BeginObject();
  w.Key("atr");
  w.Num(p.ladder.atr, 6);
  w.Key("expected_move");
  w.Num(p.ladder.expected_move, 6);
  w.Key("em_basis");
  w.Str(p.ladder.em_basis);
  w.Key("em_limit");
  w.Num(p.ladder.em_limit, 6);
  w.Key("min_distance");
  w.Num(p.ladder.min_distance, 6);
  w.Key("min_spacing");
  w.Num(p.ladder.min_spacing, 6);
  w.Key("mfe_samples");
  w.Int(static_cast<long long>(p.ladder.mfe_samples));
  w.EndObject();
  PriceField(w, "tick_size", p.tick_size, std::max(prec, p.tick_size.precision()));
  w.Key("decimals");
  w.Int(prec);
  if (levels) {
    w.Key("key_levels");
    w.BeginArray();
    for (const auto& lv : p.key_levels.levels()) {
      w.BeginObject();
      w.Key("price");
      w.Num(lv.price);
      w.Key("label");
      w.Str(lv.label);
      w.Key("kinds");
      w.BeginArray();
      for (auto k : lv.kinds)
        w.Str(levels::LevelKindName(k));
      w.EndArray();
      w.Key("score");
      w.Num(lv.score, 4);
      w.Key("primary");
      w.Bool(lv.primary);
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
}

}  // namespace

std::string PlanToJson(const Plan& plan, bool include_key_levels) {
  Writer w;
  WritePlan(w, plan, include_key_levels);
  return w.Take();
}

std::string ScanPageToJson(const ScanPage& page) {
  Writer w;
  w.BeginObject();
  w.Key("scan_id");
  w.Str(page.scan_id);
  w.Key("as_of");
  w.Str(page.as_of.ToIso8601());
  w.Key("planning_context");
  w.Str(page.planning_context);
  w.Key("banner");
  w.Str(page.banner);
  w.Key("meta");
  w.BeginObject();
  w.Key("style");
  w.Str(StyleName(page.style));
  w.Key("limit");
  w.Int(static_cast<long long>(page.limit));
  w.Key("universe_size");
  w.Int(static_cast<long long>(page.universe_size));
  w.Key("total");
  w.Int(static_cast<long long>(page.total));
  w.Key("mode");
  w.Str(page.mode);
  w.Key("label");
  w.Str(page.label);
  w.Key("fallback");
  w.Bool(page.fallback);
  w.EndObject();
  w.Key("candidates");
  w.BeginArray();
  for (const ScanCandidate& c : page.candidates) {
    w.BeginObject();
    w.Key("symbol");
    w.Str(c.symbol);
    w.Key("rank");
    w.Int(static_cast<long long>(c.rank));
    w.Key("score");
    w.Num(c.score, 6);
    w.Key("confidence");
    w.Num(c.confidence, 3);
    w.Key("strategy_id");
    if (c.strategy)
      w.Str(Spec(*c.strategy).key);
    else
      w.Null();
    w.Key("reasons");
    w.BeginArray();
    for (const auto& r : c.reasons)
      w.Str(r);
    w.EndArray();
    w.Key("plan");
    if (c.plan)
      WritePlan(w, *c.plan, false);
    else
      w.Null();
    w.EndObject();
  }
  w.EndArray();
  w.Key("data_quality");
  w.BeginObject();
  w.Key("ok");
  w.Bool(page.data_quality.ok);
  w.Key("stale");
  w.Int(static_cast<long long>(page.data_quality.stale));
  w.Key("error");
  if (page.data_quality.error.empty())
    w.Null();
  else
    w.Str(page.data_quality.error);
  w.Key("missing");
  w.BeginArray();
  for (const auto& m : page.data_quality.missing)
    w.Str(m);
  w.EndArray();
  w.EndObject();
  w.Key("next_cursor");
  if (page.next_cursor.empty())
    w.Null();
  else
    w.Str(page.next_cursor);
  w.EndObject();
  return w.Take();
}

}  // namespace td::scanner
