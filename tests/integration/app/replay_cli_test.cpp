// SPDX-License-Identifier: MIT
// `tradedesk replay` on journals written by the real engine code: ExecutionEngine + RiskEngine gate + PaperBroker
// (orders.journal, fsynced per frame as in production) and the OrderEmulator (its own journal). The binary runs
// as a subprocess; its text and JSON output are checked against what the engine did, then the same journal is
// cut short (a torn tail: reported, exit 0), damaged in the middle (exit 1 naming the byte offset) and read
// partway (--until).
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "adapters/paper/paper_broker.hpp"
#include "core/clock.hpp"
#include "core/log.hpp"
#include "execution/execution_engine.hpp"
#include "execution/order_emulator.hpp"
#include "persistence/journal.hpp"
#include "portfolio/portfolio.hpp"
#include "risk/risk_engine.hpp"

namespace td {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::string kBinary = TD_TRADEDESK_BIN;
const InstrumentId kOption = InstrumentId::Of("NFO:NIFTY28NOV2424000CE");

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "td_replay_test_XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() {
    if (std::getenv("TD_REPLAY_TEST_KEEP") == nullptr) {  // set it to look at the journals afterwards
      std::filesystem::remove_all(path_);
    }
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

std::string ReadText(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<char> ReadBytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void WriteBytes(const std::filesystem::path& path, const std::vector<char>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

/// Runs the binary to completion with stdout and stderr captured in files.
RunResult RunTradedesk(const std::vector<std::string>& args) {
  TempDir io;
  const auto out_file = io.path() / "out";
  const auto err_file = io.path() / "err";
  std::vector<std::string> storage = {kBinary};
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& arg : storage) {
    argv.push_back(arg.data());
  }
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int out = ::open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err = ::open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (out < 0 || err < 0 || ::dup2(out, STDOUT_FILENO) < 0 || ::dup2(err, STDERR_FILENO) < 0) {
      ::_exit(127);
    }
    ::execv(kBinary.c_str(), argv.data());
    ::_exit(127);
  }
  RunResult result;
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      ADD_FAILURE() << "tradedesk replay did not finish";
      return result;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = ReadText(out_file);
  result.err = ReadText(err_file);
  return result;
}

/// A price in hundredths: P(10'020) is 100.20.
Price P(std::int64_t hundredths) {
  return Price::FromRaw(hundredths * 10'000'000, 2);
}

/// What the desk did, to compare with what replay prints.
struct Session {
  std::filesystem::path orders;
  std::filesystem::path emulator;
  ClientOrderId filled;      // market BUY 50, filled at the ask
  ClientOrderId resting;     // limit BUY below the market, still working
  ClientOrderId canceled;    // limit BUY, then cancelled
  ClientOrderId denied;      // refused by the risk gate (not a lot multiple)
  ClientOrderId sold;        // market SELL 25, filled at the bid
  execution::EmulatedLineId trigger_line = 0;   // TRIGGER entry, still armed
  execution::EmulatedLineId market_line = 0;    // MARKET entry: filled, so a bracket record is open
  UnixNanos cancel_time;     // when the cancel was requested
};

/// Runs a short session through the production components and closes them, leaving the two journals.
Session RunSession(const std::filesystem::path& dir) {
  Session session;
  session.orders = dir / "orders.journal";
  session.emulator = dir / "emulator.journal";
  TestClock clock(UnixNanos::FromSeconds(1'732'164'300));
  const Instrument instrument = *Instrument::Option(
      kOption, InstrumentId::Of("NSE:NIFTY"), CivilDate{2024, 11, 28}, *Price::Parse("24000"), OptionRight::kCall,
      ContractSpec{*Price::Parse("0.05"), Quantity::FromUnits(25), Quantity::FromUnits(1), 2});
  portfolio::Portfolio portfolio;
  portfolio.RegisterInstrument(instrument);
  adapters::paper::PaperBrokerConfig config;
  config.enforce_market_hours = false;
  auto broker = std::make_unique<adapters::paper::PaperBroker>(
      config, clock, std::make_unique<adapters::paper::FullFillModel>(),
      std::make_unique<adapters::paper::ZeroFeeModel>(),
      std::make_unique<adapters::paper::FixedLatencyModel>(Duration{}, Duration{}));
  EXPECT_TRUE(broker->AddInstrument(instrument).ok());
  std::unique_ptr<execution::OrderEmulator> emulator;
  execution::ExecutionEngineOptions options;
  options.journal_path = session.orders;
  options.journal.fsync = persistence::FsyncPolicy::kEveryFrame;  // as the trading service writes it
  options.on_event = [&](const execution::OrderEvent& event) {
    (void)risk::ApplyToPortfolio(portfolio, event);
    if (emulator) {
      emulator->OnOrderEvent(event);
    }
  };
  auto engine = std::move(execution::ExecutionEngine::Open(options, clock, *broker).value());
  risk::RiskLimits limits;
  limits.submit_rate_per_second = 1000;
  limits.submit_burst = 1000;
  risk::RiskEngine risk(clock, limits, portfolio, [&] { return engine->OpenOrderCount(); });
  risk.AddInstrument(instrument);
  engine->SetGate(&risk);
  execution::OrderEmulatorOptions emulator_options;
  emulator_options.journal_path = session.emulator;
  emulator_options.journal.fsync = persistence::FsyncPolicy::kEveryFrame;
  emulator_options.instruments = {instrument};
  emulator = std::move(execution::OrderEmulator::Open(emulator_options, clock, *engine).value());

  auto tick = [&](std::int64_t hundredths) {
    clock.Advance(std::chrono::seconds(1));
    const UnixNanos now = clock.Now();
    const QuoteTick quote{kOption, P(hundredths - 5), P(hundredths), Quantity::FromUnits(1'000),
                          Quantity::FromUnits(1'000), now, now};
    const TradeTick trade{kOption, P(hundredths), Quantity::FromUnits(25), AggressorSide::kNone, now, now};
    risk.UpdateReferencePrice(kOption, P(hundredths), now);
    broker->OnQuote(quote);
    broker->OnTrade(trade);
    emulator->OnTrade(trade);
  };
  auto submit = [&](Side side, OrderType type, std::int64_t units, std::optional<Price> price) {
    clock.Advance(std::chrono::seconds(1));
    execution::SubmitOrder order;
    order.strategy_id = StrategyId::Of("TEST");
    order.instrument_id = kOption;
    order.side = side;
    order.type = type;
    order.quantity = Quantity::FromUnits(units);
    order.price = price;
    auto result = engine->Submit(order);
    EXPECT_TRUE(result.ok());
    return result->client_order_id;
  };

  tick(10'000);
  session.filled = submit(Side::kBuy, OrderType::kMarket, 50, std::nullopt);
  session.resting = submit(Side::kBuy, OrderType::kLimit, 25, P(9'900));
  session.canceled = submit(Side::kBuy, OrderType::kLimit, 25, P(9'905));
  clock.Advance(std::chrono::seconds(1));
  session.cancel_time = clock.Now();
  EXPECT_TRUE(engine->Cancel(execution::CancelOrder{session.canceled, {}, StrategyId::Of("TEST"), {}}).ok());
  session.denied = submit(Side::kBuy, OrderType::kMarket, 10, std::nullopt);
  tick(10'020);
  session.sold = submit(Side::kSell, OrderType::kMarket, 25, std::nullopt);

  execution::EntryRequest trigger;
  trigger.instrument_id = kOption;
  trigger.side = Side::kBuy;
  trigger.kind = execution::EntryKind::kTrigger;
  trigger.quantity = Quantity::FromUnits(25);
  trigger.price = P(10'200);
  trigger.tag = "breakout";
  session.trigger_line = emulator->PlaceEntry(trigger).value();
  execution::EntryRequest market;
  market.instrument_id = kOption;
  market.side = Side::kBuy;
  market.kind = execution::EntryKind::kMarket;
  market.quantity = Quantity::FromUnits(25);
  market.bracket.take_profit_points = P(500);
  market.bracket.stop_loss_points = P(300);
  market.tag = "scalp";
  session.market_line = emulator->PlaceEntry(market).value();

  EXPECT_EQ(engine->FindOrder(session.filled)->status(), execution::OrderStatus::kFilled);
  EXPECT_EQ(engine->FindOrder(session.resting)->status(), execution::OrderStatus::kAccepted);
  EXPECT_EQ(engine->FindOrder(session.canceled)->status(), execution::OrderStatus::kCanceled);
  EXPECT_EQ(engine->FindOrder(session.denied)->status(), execution::OrderStatus::kDenied);
  EXPECT_EQ(engine->FindOrder(session.sold)->status(), execution::OrderStatus::kFilled);
  EXPECT_EQ(emulator->brackets().size(), 1u);
  emulator.reset();
  engine.reset();
  return session;
}

/// Byte offsets of every frame of a journal, read with the library's own reader.
std::vector<std::uint64_t> FrameOffsets(const std::filesystem::path& path) {
  std::vector<std::uint64_t> offsets;
  auto reader = persistence::JournalReader::Open(path);
  EXPECT_TRUE(reader.ok());
  persistence::FrameView frame;
  while (reader->Next(frame).value()) {
    offsets.push_back(frame.offset);
  }
  return offsets;
}

class ReplayCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    SetLogLevel(LogLevel::kWarn);
    dir_ = new TempDir();
    session_ = new Session(RunSession(dir_->path()));
  }
  static void TearDownTestSuite() {
    delete session_;
    delete dir_;
  }
  static TempDir* dir_;
  static Session* session_;
};

TempDir* ReplayCliTest::dir_ = nullptr;
Session* ReplayCliTest::session_ = nullptr;

const boost::json::object* FindOrder(const boost::json::array& orders, const ClientOrderId& id) {
  for (const auto& order : orders) {
    if (order.as_object().at("client_order_id").as_string() == id.value()) {
      return &order.as_object();
    }
  }
  return nullptr;
}

std::vector<std::string> EventNames(const boost::json::object& order) {
  std::vector<std::string> names;
  for (const auto& event : order.at("events").as_array()) {
    names.emplace_back(event.as_object().at("event").as_string());
  }
  return names;
}

TEST_F(ReplayCliTest, TextListsOrdersLifecyclesOpenLinesAndPositions) {
  const Session& s = *session_;
  const RunResult run = RunTradedesk({"replay", s.orders.string(), s.emulator.string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.err, "");
  const std::string& out = run.out;
  EXPECT_THAT(out, HasSubstr("orders.journal (format v2): 23 frames (sequence 1..23, last at "));
  // The release of the MARKET entry is the sixth order.
  EXPECT_THAT(out, HasSubstr("orders (6):"));
  EXPECT_THAT(out, HasSubstr("  " + s.filled.str() + "  BUY 50 NFO:NIFTY28NOV2424000CE MARKET MIS"));
  EXPECT_THAT(out, HasSubstr("status filled, filled 50 @ 100.00, venue order PAPER-"));
  EXPECT_THAT(out, HasSubstr("status accepted, filled 0"));
  EXPECT_THAT(out, HasSubstr("status canceled"));
  EXPECT_THAT(out, HasSubstr("status denied"));
  EXPECT_THAT(out, HasSubstr("order_denied  quantity_not_lot_multiple: quantity 10 is not a multiple of the lot 25"));
  // The sell hit the bid of the second quote (100.20 - 0.05).
  EXPECT_THAT(out, HasSubstr("status filled, filled 25 @ 100.15"));
  // The filled order's lifecycle, in journal order.
  const std::size_t at = out.find("  " + s.filled.str() + "  ");
  ASSERT_NE(at, std::string::npos);
  const std::size_t submit = out.find("submit_order", at);
  const std::size_t submitted = out.find("order_submitted", at);
  const std::size_t accepted = out.find("order_accepted  venue order PAPER-", at);
  const std::size_t filled = out.find("order_filled  50 @ 100.00, trade PAPER-F", at);
  EXPECT_LT(submit, submitted);
  EXPECT_LT(submitted, accepted);
  EXPECT_LT(accepted, filled);
  EXPECT_THAT(out, HasSubstr("order_cancel_requested"));
  EXPECT_THAT(out, HasSubstr("order_canceled"));
  // Emulated lines: the armed TRIGGER and the bracket record of the MARKET entry's fill (100.20 ask at the time,
  // TP +5.00, SL -3.00).
  EXPECT_THAT(out, HasSubstr("open emulated lines (2):"));
  EXPECT_THAT(out, HasSubstr("entry " + std::to_string(s.trigger_line) +
                             "  trigger BUY 25 NFO:NIFTY28NOV2424000CE MIS at 102.00  armed  tag breakout"));
  EXPECT_THAT(out, HasSubstr("long 25 NFO:NIFTY28NOV2424000CE MIS from 100.20  TP 105.20 SL 97.20"));
  EXPECT_THAT(out, HasSubstr("from entry " + std::to_string(s.market_line)));
  // 50 bought at 100.00, 25 sold at 100.15, 25 bought at 100.20: long 50 at 100.10, realised 0.15 × 25.
  EXPECT_THAT(out, HasSubstr("positions implied by fills (1):"));
  EXPECT_THAT(out, HasSubstr("NFO:NIFTY28NOV2424000CE MIS  long 50 @ 100.10  (bought 75, sold 25, realised 3.75"));
  EXPECT_THAT(out, Not(HasSubstr("torn tail")));
}

TEST_F(ReplayCliTest, JsonCarriesTheSameState) {
  const Session& s = *session_;
  const RunResult run = RunTradedesk({"replay", "--format", "json", s.orders.string(), s.emulator.string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const boost::json::object doc = boost::json::parse(run.out).as_object();
  const auto& journals = doc.at("journals").as_array();
  ASSERT_EQ(journals.size(), 2u);
  EXPECT_EQ(journals[0].as_object().at("torn_bytes").as_int64(), 0);
  EXPECT_EQ(journals[0].as_object().at("end_offset").as_int64(),
            static_cast<std::int64_t>(std::filesystem::file_size(s.orders)));
  const auto& orders = doc.at("orders").as_array();
  ASSERT_EQ(orders.size(), 6u);
  const auto* filled = FindOrder(orders, s.filled);
  ASSERT_NE(filled, nullptr);
  EXPECT_EQ(filled->at("status").as_string(), "filled");
  EXPECT_EQ(filled->at("filled_qty").as_int64(), 50);
  EXPECT_DOUBLE_EQ(filled->at("avg_px").to_number<double>(), 100.0);
  EXPECT_EQ(EventNames(*filled),
            (std::vector<std::string>{"submit_order", "order_submitted", "order_accepted", "order_filled"}));
  const auto* canceled = FindOrder(orders, s.canceled);
  ASSERT_NE(canceled, nullptr);
  EXPECT_EQ(EventNames(*canceled),
            (std::vector<std::string>{"submit_order", "order_submitted", "order_accepted", "cancel_order",
                                      "order_cancel_requested", "order_canceled"}));
  EXPECT_EQ(FindOrder(orders, s.denied)->at("status").as_string(), "denied");
  EXPECT_EQ(FindOrder(orders, s.resting)->at("status").as_string(), "accepted");
  EXPECT_TRUE(FindOrder(orders, s.resting)->at("avg_px").is_null());
  const auto& entries = doc.at("emulated").as_object().at("entries").as_array();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].as_object().at("line_id").as_int64(), static_cast<std::int64_t>(s.trigger_line));
  EXPECT_EQ(entries[0].as_object().at("state").as_string(), "armed");
  const auto& brackets = doc.at("emulated").as_object().at("brackets").as_array();
  ASSERT_EQ(brackets.size(), 1u);
  EXPECT_DOUBLE_EQ(brackets[0].as_object().at("take_profit").to_number<double>(), 105.2);
  EXPECT_DOUBLE_EQ(brackets[0].as_object().at("stop_loss").to_number<double>(), 97.2);
  const auto& positions = doc.at("positions").as_array();
  ASSERT_EQ(positions.size(), 1u);
  EXPECT_EQ(positions[0].as_object().at("side").as_string(), "long");
  EXPECT_EQ(positions[0].as_object().at("quantity").as_int64(), 50);
  EXPECT_NEAR(positions[0].as_object().at("avg_px").to_number<double>(), 100.10, 1e-9);
}

TEST_F(ReplayCliTest, UntilStopsPartwayBySequenceOrTime) {
  const Session& s = *session_;
  // Frames 1-4: the first order's submit, submitted, accepted, filled. After frame 3 it is only accepted.
  RunResult run = RunTradedesk({"replay", "--until", "3", "--format", "json", s.orders.string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  boost::json::object doc = boost::json::parse(run.out).as_object();
  ASSERT_EQ(doc.at("orders").as_array().size(), 1u);
  EXPECT_EQ(doc.at("orders").as_array()[0].as_object().at("status").as_string(), "accepted");
  EXPECT_TRUE(doc.at("journals").as_array()[0].as_object().at("stopped_early").as_bool());
  EXPECT_TRUE(doc.at("positions").as_array().empty());

  // Frames 5-7 and 8-10 are the two limit orders; 11 and 12 the cancel command and its request: after frame 12
  // the third order is pending cancel (the broker's answer is frame 13).
  run = RunTradedesk({"replay", "--until", "12", s.orders.string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("orders (3):"));
  EXPECT_THAT(run.out, HasSubstr("status pending_cancel"));
  EXPECT_THAT(run.out, Not(HasSubstr("order_canceled")));

  // By time, across both journals: just before the cancel the third order is still working and the emulator's
  // journal (written later) contributes nothing.
  const std::string before_cancel = (s.cancel_time - std::chrono::nanoseconds(1)).ToIso8601();
  run = RunTradedesk({"replay", "--until", before_cancel, s.orders.string(), s.emulator.string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("orders (3):"));
  EXPECT_THAT(run.out, Not(HasSubstr("cancel")));
  EXPECT_THAT(run.out, HasSubstr("stopped at --until " + before_cancel));
  EXPECT_THAT(run.out, HasSubstr("open emulated lines (0):"));
}

TEST_F(ReplayCliTest, TornTailIsReportedAndIsNotAnError) {
  const Session& s = *session_;
  TempDir dir;
  const auto torn = dir.path() / "orders.journal";
  std::vector<char> bytes = ReadBytes(s.orders);
  const std::vector<std::uint64_t> offsets = FrameOffsets(s.orders);
  ASSERT_GT(offsets.size(), 2u);
  // A crash in the middle of appending the last frame: 7 bytes of it missing.
  const std::uint64_t last = offsets.back();
  bytes.resize(bytes.size() - 7);
  WriteBytes(torn, bytes);
  const RunResult run = RunTradedesk({"replay", torn.string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr(std::to_string(offsets.size() - 1) + " frames"));
  EXPECT_THAT(run.out, HasSubstr("torn tail: " + std::to_string(bytes.size() - last) + " bytes after byte offset " +
                                 std::to_string(last)));
  // The journal is read, never repaired.
  EXPECT_EQ(std::filesystem::file_size(torn), bytes.size());
  const RunResult json = RunTradedesk({"replay", "--format", "json", torn.string()});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const auto file = boost::json::parse(json.out).as_object().at("journals").as_array()[0].as_object();
  EXPECT_EQ(file.at("torn_bytes").as_int64(), static_cast<std::int64_t>(bytes.size() - last));
  EXPECT_EQ(file.at("end_offset").as_int64(), static_cast<std::int64_t>(last));
}

TEST_F(ReplayCliTest, DamageInTheMiddleFailsNamingTheByteOffset) {
  const Session& s = *session_;
  TempDir dir;
  const auto damaged = dir.path() / "orders.journal";
  std::vector<char> bytes = ReadBytes(s.orders);
  const std::vector<std::uint64_t> offsets = FrameOffsets(s.orders);
  ASSERT_GT(offsets.size(), 4u);
  const std::uint64_t victim = offsets[2];
  bytes[static_cast<std::size_t>(victim + 40)] ^= 0x5a;  // inside the third frame's payload
  WriteBytes(damaged, bytes);
  const RunResult run = RunTradedesk({"replay", damaged.string()});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.out, "");
  EXPECT_THAT(run.err, HasSubstr("corrupt frame at byte offset " + std::to_string(victim)));
}

TEST_F(ReplayCliTest, BadUsageAndMissingFiles) {
  const Session& s = *session_;
  EXPECT_EQ(RunTradedesk({"replay", "--format", "xml", s.orders.string()}).exit_code, 2);
  const RunResult until = RunTradedesk({"replay", "--until", "yesterday", s.orders.string()});
  EXPECT_EQ(until.exit_code, 2);
  EXPECT_THAT(until.err, HasSubstr("--until yesterday"));
  EXPECT_EQ(RunTradedesk({"replay"}).exit_code, 2);
  EXPECT_EQ(RunTradedesk({"replay", "--until", "3", s.orders.string(), s.emulator.string()}).exit_code, 2);
  const RunResult missing = RunTradedesk({"replay", (dir_->path() / "nope.journal").string()});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("does not exist"));
  // --data-dir reads <dir>/orders.journal.
  const RunResult by_dir = RunTradedesk({"replay", "--data-dir", dir_->path().string()});
  EXPECT_EQ(by_dir.exit_code, 0) << by_dir.err;
  EXPECT_THAT(by_dir.out, HasSubstr("orders (6):"));
}

}  // namespace
}  // namespace td
