// SPDX-License-Identifier: MIT
#include "app/replay_command.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <ostream>
#include <string>

#include "api/json_writer.hpp"
#include "app/cli.hpp"
#include "core/time.hpp"
#include "execution/journal_replay.hpp"

namespace td::app {

namespace {

using execution::EmulatedBracket;
using execution::EmulatedEntry;
using execution::JournalReplay;

/// An average price for display: up to six decimals, trailing zeros dropped (at least two kept).
std::string FormatAverage(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.6f", value);
  std::string text = buffer;
  const std::size_t dot = text.find('.');
  while (text.size() > dot + 3 && text.back() == '0') {
    text.pop_back();
  }
  return text;
}

std::string OptionalText(const std::optional<Price>& price) {
  return price ? price->ToString() : "-";
}

std::string_view StateWord(const EmulatedEntry& entry) {
  return entry.state == EmulatedEntry::State::kArmed ? "armed" : "released";
}

/// What `--until` asked for.
struct Until {
  execution::ReplayUntil limit;
  std::string text;
};

std::optional<Until> ParseUntil(const std::string& text, std::string& why) {
  Until until;
  until.text = text;
  if (text.empty()) {
    return until;
  }
  if (std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    if (text.size() > 19) {
      why = "--until " + text + ": frame sequence out of range";
      return std::nullopt;
    }
    until.limit.sequence = std::stoull(text);
    return until;
  }
  auto time = UnixNanos::ParseIso8601(text);
  if (!time.ok()) {
    why = "--until " + text + ": neither a frame sequence nor an ISO 8601 time (" + time.error().message + ")";
    return std::nullopt;
  }
  until.limit.time = *time;
  return until;
}

void PrintText(const JournalReplay& replay, const Until& until, std::ostream& out) {
  for (const JournalReplay::FileSummary& file : replay.files()) {
    out << "journal " << file.path.string() << " (format v" << file.format_version << "): " << file.frames
        << " frames";
    if (file.frames > 0) {
      out << " (sequence " << file.first_sequence << ".." << file.last_sequence << ", last at "
          << file.last_ts.ToIso8601() << ")";
    }
    if (file.skipped > 0) {
      out << ", " << file.skipped << " frames of another kind skipped";
    }
    out << "\n";
    if (file.stopped_early) {
      out << "  stopped at --until " << until.text << " (frames from byte offset " << file.end_offset
          << " on are left out)\n";
    }
    if (file.torn_bytes > 0) {
      out << "  torn tail: " << file.torn_bytes << " bytes after byte offset " << file.end_offset
          << " form no complete frame (an append cut short by a crash; start-up recovery cuts them)\n";
    }
  }

  out << "\norders (" << replay.orders().size() << "):\n";
  for (const JournalReplay::OrderHistory& history : replay.orders()) {
    const execution::Order& o = history.order;
    out << "  " << o.client_order_id().value() << "  " << ToString(o.side()) << " " << o.quantity().ToString() << " "
        << o.instrument_id().value() << " " << ToString(o.type()) << " " << ToString(o.product());
    if (o.price()) {
      out << " price " << o.price()->ToString();
    }
    if (o.trigger_price()) {
      out << " trigger " << o.trigger_price()->ToString();
    }
    out << "  strategy " << o.strategy_id().value() << (o.is_external() ? " (external)" : "") << "\n";
    out << "    status " << execution::ToString(o.status()) << (o.outcome_unknown() ? " (outcome unknown)" : "")
        << ", filled " << o.filled_qty().ToString();
    if (o.filled_qty().is_positive()) {
      out << " @ " << FormatAverage(o.avg_px());
    }
    if (o.venue_order_id()) {
      out << ", venue order " << o.venue_order_id()->value();
    }
    out << "\n";
    for (const JournalReplay::Step& step : history.steps) {
      out << "    #" << step.sequence << "  " << step.ts.ToIso8601() << "  " << step.event;
      if (!step.detail.empty()) {
        out << "  " << step.detail;
      }
      out << "\n";
    }
  }

  out << "\nopen emulated lines (" << replay.open_entries().size() + replay.open_brackets().size() << "):\n";
  for (const auto& [id, entry] : replay.open_entries()) {
    out << "  entry " << id << "  " << ToString(entry.kind) << " " << ToString(entry.side) << " "
        << entry.quantity.ToString() << " " << entry.instrument_id.value() << " " << ToString(entry.product);
    if (entry.price) {
      out << " at " << entry.price->ToString();
    }
    out << "  " << StateWord(entry);
    if (entry.order_id) {
      out << " as " << entry.order_id->value();
    }
    if (entry.bracket.take_profit_points || entry.bracket.stop_loss_points) {
      out << "  bracket TP +" << OptionalText(entry.bracket.take_profit_points) << " SL -"
          << OptionalText(entry.bracket.stop_loss_points);
    }
    out << "  tag " << entry.tag << "\n";
  }
  for (const auto& [id, record] : replay.open_brackets()) {
    out << "  bracket " << id << "  " << (record.position_side == Side::kBuy ? "long " : "short ")
        << record.quantity.ToString() << " " << record.instrument_id.value() << " " << ToString(record.product)
        << " from " << record.entry_price.ToString() << "  TP " << OptionalText(record.take_profit) << " SL "
        << OptionalText(record.stop_loss);
    if (!record.trailing.empty()) {
      out << " (trailing, " << record.trailing.stages.size() << " stages)";
    }
    if (record.exit_order) {
      out << "  exit " << ToString(record.exit_leg) << " in flight as " << record.exit_order->value();
    }
    if (record.entry_id != 0) {
      out << "  from entry " << record.entry_id;
    }
    out << "\n";
  }

  const auto positions = replay.positions();
  out << "\npositions implied by fills (" << positions.size() << "):\n";
  for (const JournalReplay::Position& pos : positions) {
    const std::string_view side = pos.net_raw > 0 ? "long " : pos.net_raw < 0 ? "short " : "flat ";
    out << "  " << pos.instrument_id.value() << " " << ToString(pos.product) << "  " << side
        << pos.net_abs().ToString();
    if (pos.net_raw != 0) {
      out << " @ " << FormatAverage(pos.avg_px);
    }
    out << "  (bought " << pos.bought.ToString() << ", sold " << pos.sold.ToString() << ", realised "
        << FormatAverage(pos.realised) << " points x quantity)\n";
  }
}

void WriteOptionalPrice(api::JsonWriter& json, std::string_view key, const std::optional<Price>& price) {
  json.Key(key);
  if (price) {
    json.PriceValue(*price);
  } else {
    json.Null();
  }
}

std::string PrintJson(const JournalReplay& replay, const Until& until) {
  api::JsonWriter json(4096);
  json.BeginObject();
  json.Key("journals").BeginArray();
  for (const JournalReplay::FileSummary& file : replay.files()) {
    json.BeginObject();
    json.Key("path").String(file.path.string());
    json.Key("format_version").Uint(file.format_version);
    json.Key("frames").Uint(file.frames);
    json.Key("skipped_frames").Uint(file.skipped);
    json.Key("first_sequence").Uint(file.first_sequence);
    json.Key("last_sequence").Uint(file.last_sequence);
    json.Key("last_ts");
    if (file.frames > 0) {
      json.String(file.last_ts.ToIso8601());
    } else {
      json.Null();
    }
    json.Key("end_offset").Uint(file.end_offset);
    json.Key("torn_bytes").Uint(file.torn_bytes);
    json.Key("stopped_early").Bool(file.stopped_early);
    json.EndObject();
  }
  json.EndArray();
  json.Key("until").StringOrNull(until.text);

  json.Key("orders").BeginArray();
  for (const JournalReplay::OrderHistory& history : replay.orders()) {
    const execution::Order& o = history.order;
    json.BeginObject();
    json.Key("client_order_id").String(o.client_order_id().value());
    json.Key("strategy_id").String(o.strategy_id().value());
    json.Key("instrument_id").String(o.instrument_id().value());
    json.Key("side").String(ToString(o.side()));
    json.Key("type").String(ToString(o.type()));
    json.Key("product").String(ToString(o.product()));
    json.Key("time_in_force").String(ToString(o.time_in_force()));
    json.Key("quantity").QuantityValue(o.quantity());
    WriteOptionalPrice(json, "price", o.price());
    WriteOptionalPrice(json, "trigger_price", o.trigger_price());
    json.Key("status").String(execution::ToString(o.status()));
    json.Key("outcome_unknown").Bool(o.outcome_unknown());
    json.Key("external").Bool(o.is_external());
    json.Key("venue_order_id").StringOrNull(o.venue_order_id() ? o.venue_order_id()->value() : std::string());
    json.Key("filled_qty").QuantityValue(o.filled_qty());
    json.Key("avg_px");
    if (o.filled_qty().is_positive()) {
      json.Double(o.avg_px());
    } else {
      json.Null();
    }
    json.Key("events").BeginArray();
    for (const JournalReplay::Step& step : history.steps) {
      json.BeginObject();
      json.Key("sequence").Uint(step.sequence);
      json.Key("ts").String(step.ts.ToIso8601());
      json.Key("offset").Uint(step.offset);
      json.Key("event").String(step.event);
      json.Key("detail").String(step.detail);
      json.EndObject();
    }
    json.EndArray();
    json.EndObject();
  }
  json.EndArray();

  json.Key("emulated").BeginObject();
  json.Key("entries").BeginArray();
  for (const auto& [id, entry] : replay.open_entries()) {
    json.BeginObject();
    json.Key("line_id").Uint(id);
    json.Key("kind").String(ToString(entry.kind));
    json.Key("instrument_id").String(entry.instrument_id.value());
    json.Key("side").String(ToString(entry.side));
    json.Key("product").String(ToString(entry.product));
    json.Key("quantity").QuantityValue(entry.quantity);
    WriteOptionalPrice(json, "price", entry.price);
    json.Key("state").String(StateWord(entry));
    json.Key("order_id").StringOrNull(entry.order_id ? entry.order_id->value() : std::string());
    WriteOptionalPrice(json, "take_profit_points", entry.bracket.take_profit_points);
    WriteOptionalPrice(json, "stop_loss_points", entry.bracket.stop_loss_points);
    json.Key("tag").String(entry.tag);
    json.EndObject();
  }
  json.EndArray();
  json.Key("brackets").BeginArray();
  for (const auto& [id, record] : replay.open_brackets()) {
    json.BeginObject();
    json.Key("line_id").Uint(id);
    json.Key("entry_line_id").Uint(record.entry_id);
    json.Key("instrument_id").String(record.instrument_id.value());
    json.Key("position_side").String(ToString(record.position_side));
    json.Key("product").String(ToString(record.product));
    json.Key("quantity").QuantityValue(record.quantity);
    json.Key("entry_price").PriceValue(record.entry_price);
    WriteOptionalPrice(json, "take_profit", record.take_profit);
    WriteOptionalPrice(json, "stop_loss", record.stop_loss);
    WriteOptionalPrice(json, "best_price", record.best_price);
    json.Key("trailing_stages").Uint(record.trailing.stages.size());
    json.Key("exit_order").StringOrNull(record.exit_order ? record.exit_order->value() : std::string());
    json.Key("exit_leg").StringOrNull(record.exit_order ? ToString(record.exit_leg) : std::string_view());
    json.Key("tag").String(record.tag);
    json.EndObject();
  }
  json.EndArray();
  json.EndObject();

  json.Key("positions").BeginArray();
  for (const JournalReplay::Position& pos : replay.positions()) {
    json.BeginObject();
    json.Key("instrument_id").String(pos.instrument_id.value());
    json.Key("product").String(ToString(pos.product));
    json.Key("side").String(pos.net_raw > 0 ? "long" : pos.net_raw < 0 ? "short" : "flat");
    json.Key("quantity").QuantityValue(pos.net_abs());
    json.Key("avg_px");
    if (pos.net_raw != 0) {
      json.Double(pos.avg_px);
    } else {
      json.Null();
    }
    json.Key("bought").QuantityValue(pos.bought);
    json.Key("sold").QuantityValue(pos.sold);
    json.Key("realised_points").Double(pos.realised);
    json.EndObject();
  }
  json.EndArray();
  json.EndObject();
  return json.Take();
}

}  // namespace

CLI::App* AddReplayCommand(CLI::App& app, ReplayFlags& flags) {
  CLI::App* cmd = app.add_subcommand(
      "replay", "Print what order journals prove: orders and their lifecycle, open emulated lines, positions.");
  cmd->add_option("journals", flags.journals, "Journal files (orders.journal, the emulator's journal)");
  cmd->add_option("--data-dir", flags.data_dir, "Read <data-dir>/orders.journal (the trading service's journal)");
  cmd->add_option("--format", flags.format, "text (default) or json");
  cmd->add_option("--until", flags.until,
                  "Stop partway: at an ISO 8601 time (frames stamped later are left out) or after frame "
                  "sequence N (one journal only)");
  cmd->footer(
      "Read-only: the files are never modified; a torn tail is reported, not cut.\n"
      "Exit codes: 0 ok (a torn tail included), 1 a journal cannot be read or is corrupt, 2 bad usage.");
  return cmd;
}

int RunReplay(const ReplayFlags& flags, std::ostream& out, std::ostream& err) {
  auto usage = [&](const std::string& why) {
    err << "tradedesk replay: " << why << "\n";
    return kExitUsage;
  };
  if (flags.format != "text" && flags.format != "json") {
    return usage("--format " + flags.format + ": expected text or json");
  }
  std::vector<std::filesystem::path> journals(flags.journals.begin(), flags.journals.end());
  if (!flags.data_dir.empty()) {
    journals.push_back(std::filesystem::path(flags.data_dir) / "orders.journal");
  }
  if (journals.empty()) {
    return usage("name a journal file or --data-dir");
  }
  std::string why;
  const std::optional<Until> until = ParseUntil(flags.until, why);
  if (!until) {
    return usage(why);
  }
  if (until->limit.sequence && journals.size() > 1) {
    return usage("--until " + flags.until + ": a frame sequence numbers the frames of one journal; name one");
  }
  JournalReplay replay;
  for (const std::filesystem::path& journal : journals) {
    if (const Status read = replay.Read(journal, until->limit); !read.ok()) {
      err << "tradedesk replay: " << journal.string() << ": " << read.error().message << "\n";
      return kExitFailure;
    }
  }
  if (flags.format == "json") {
    out << PrintJson(replay, *until) << "\n";
  } else {
    PrintText(replay, *until, out);
  }
  out.flush();
  return out ? kExitOk : kExitFailure;
}

int RunReplay(const ReplayFlags& flags) {
  return RunReplay(flags, std::cout, std::cerr);
}

}  // namespace td::app
