// SPDX-License-Identifier: MIT
// Tests of core/log.hpp. They live beside the config tests because the logging work and its options
// (the [log] section) are owned together; the code itself is in core.
#include "core/log.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <fstream>
#include <limits>
#include <regex>
#include <sstream>
#include <thread>

#include "core/check.hpp"

namespace td {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

boost::json::object ParseLine(const std::string& line) {
  boost::json::error_code ec;
  boost::json::value value = boost::json::parse(line, ec);
  EXPECT_FALSE(ec) << "not JSON: " << line << " (" << ec.message() << ")";
  if (ec || !value.is_object()) {
    return {};
  }
  return value.as_object();
}

std::string JsonLine(const LogRecord& record) {
  std::string out;
  AppendLogLine(out, record, LogFormat::kJson, false);
  return out;
}

/// Round-trips `text` through AppendJsonString and Boost.JSON.
std::string RoundTrip(std::string_view text) {
  std::string literal;
  AppendJsonString(literal, text);
  boost::json::error_code ec;
  boost::json::value value = boost::json::parse(literal, ec);
  EXPECT_FALSE(ec) << literal;
  if (ec || !value.is_string()) {
    return "<invalid>";
  }
  return std::string(value.as_string());
}

class TempFile {
 public:
  TempFile() {
    std::string pattern = (std::filesystem::temp_directory_path() / "td_log_test_XXXXXX").string();
    const int fd = ::mkstemp(pattern.data());
    ::close(fd);
    path_ = pattern;
  }
  ~TempFile() { std::filesystem::remove(path_); }
  const std::filesystem::path& path() const { return path_; }
  std::vector<std::string> Lines() const {
    FlushLogs();
    std::ifstream in(path_);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) {
      lines.push_back(line);
    }
    return lines;
  }

 private:
  std::filesystem::path path_;
};

TEST(JsonEscaping, QuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(RoundTrip("say \"hi\" \\ bye"), "say \"hi\" \\ bye");
  std::string controls;
  for (int c = 0; c < 0x20; ++c) {
    controls += static_cast<char>(c);
  }
  controls += '\x7f';
  EXPECT_EQ(RoundTrip(controls), controls);
  std::string literal;
  AppendJsonString(literal, std::string_view("a\nb\tc\0d", 7));
  EXPECT_EQ(literal, "\"a\\nb\\tc\\u0000d\"");
}

TEST(JsonEscaping, ValidUtf8PassesThroughUnchanged) {
  const std::string text = "₹ 24,000 — Müller 日本 😀";
  std::string literal;
  AppendJsonString(literal, text);
  EXPECT_EQ(literal, "\"" + text + "\"");  // raw bytes, not \u escapes
  EXPECT_EQ(RoundTrip(text), text);
}

TEST(JsonEscaping, InvalidUtf8BecomesReplacementCharacter) {
  const std::string replacement = "\xEF\xBF\xBD";
  EXPECT_EQ(RoundTrip("a\xff"
                      "b"),
            "a" + replacement + "b");
  EXPECT_EQ(RoundTrip("\xC0\x80"), replacement + replacement);                                      // overlong NUL
  EXPECT_EQ(RoundTrip("\xED\xA0\x80"), replacement + replacement + replacement);                    // surrogate
  EXPECT_EQ(RoundTrip("end\xE2\x82"), "end" + replacement + replacement);                           // truncated
  EXPECT_EQ(RoundTrip("\xF4\x90\x80\x80"), replacement + replacement + replacement + replacement);  // > U+10FFFF
}

TEST(LogLine, JsonHasStandardKeysAndTypedFields) {
  const std::vector<LogField> fields = {
      {"count", 3},
      {"big", std::numeric_limits<std::uint64_t>::max()},
      {"neg", std::int64_t{-7}},
      {"ratio", 0.25},
      {"ok", true},
      {"symbol", "NSE:NIFTY"},
      {"msg", "shadowing a standard key"},
      {"api_key", "sk-very-secret"},
      {"nan", std::numeric_limits<double>::quiet_NaN()},
  };
  LogRecord record;
  record.ts = UnixNanos::FromMillis(1708421400123);
  record.level = LogLevel::kWarn;
  record.component = "data";
  record.msg = "line one\nline \"two\"";
  record.request_id = "req-42";
  record.fields = fields;
  const std::string line = JsonLine(record);
  ASSERT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  const boost::json::object object = ParseLine(line);
  EXPECT_EQ(object.at("ts").as_string(), "2024-02-20T09:30:00.123Z");
  EXPECT_EQ(object.at("level").as_string(), "warn");
  EXPECT_EQ(object.at("component").as_string(), "data");
  EXPECT_EQ(object.at("msg").as_string(), "line one\nline \"two\"");
  EXPECT_EQ(object.at("request_id").as_string(), "req-42");
  EXPECT_EQ(object.at("count").as_int64(), 3);
  EXPECT_EQ(object.at("big").as_uint64(), std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(object.at("neg").as_int64(), -7);
  EXPECT_DOUBLE_EQ(object.at("ratio").as_double(), 0.25);
  EXPECT_TRUE(object.at("ok").as_bool());
  EXPECT_EQ(object.at("symbol").as_string(), "NSE:NIFTY");
  EXPECT_EQ(object.at("field.msg").as_string(), "shadowing a standard key");
  EXPECT_EQ(object.at("api_key").as_string(), "[redacted]");
  EXPECT_EQ(object.at("nan").as_string(), "NaN");
  EXPECT_THAT(line, Not(HasSubstr("sk-very-secret")));
}

TEST(LogLine, JsonOmitsRequestIdWhenUnset) {
  LogRecord record;
  record.component = "api";
  record.msg = "hello";
  const boost::json::object object = ParseLine(JsonLine(record));
  EXPECT_FALSE(object.contains("request_id"));
  EXPECT_EQ(object.size(), 4u);
}

TEST(LogLine, TextIsOneReadableLineAndColouredOnlyWhenAsked) {
  const std::vector<LogField> fields = {{"symbol", "NSE:NIFTY"}, {"note", "two words"}, {"token", "abc"}};
  LogRecord record;
  record.ts = UnixNanos::FromMillis(1708421400123);
  record.level = LogLevel::kInfo;
  record.component = "data";
  record.msg = "loaded\nbars";
  record.request_id = "r1";
  record.fields = fields;
  std::string plain;
  AppendLogLine(plain, record, LogFormat::kText, false);
  EXPECT_EQ(plain,
            "2024-02-20T09:30:00.123Z INFO  [data] loaded\\nbars symbol=NSE:NIFTY note=\"two words\" "
            "token=[redacted] request_id=r1\n");
  std::string coloured;
  AppendLogLine(coloured, record, LogFormat::kText, true);
  EXPECT_THAT(coloured, HasSubstr("\x1b[32mINFO "));
  EXPECT_THAT(plain, Not(HasSubstr("\x1b[")));
  EXPECT_EQ(std::count(coloured.begin(), coloured.end(), '\n'), 1);
}

TEST(LogNames, LevelsAndFormatsParse) {
  EXPECT_EQ(*ParseLogLevel("DEBUG"), LogLevel::kDebug);
  EXPECT_EQ(*ParseLogLevel("warning"), LogLevel::kWarn);
  EXPECT_EQ(*ParseLogLevel("off"), LogLevel::kOff);
  EXPECT_FALSE(ParseLogLevel("verbose").ok());
  EXPECT_EQ(*ParseLogFormat("Json"), LogFormat::kJson);
  EXPECT_FALSE(ParseLogFormat("xml").ok());
  EXPECT_EQ(ParseLogFormat("xml").error().code, ErrorCode::kInvalidArgument);
  for (LogLevel level : {LogLevel::kTrace, LogLevel::kInfo, LogLevel::kCritical}) {
    EXPECT_EQ(*ParseLogLevel(LogLevelName(level)), level);
  }
}

TEST(Logging, FileReceivesJsonLinesWithComponentRequestIdAndLevelFilter) {
  TempFile file;
  ASSERT_TRUE(InitLogging({LogLevel::kInfo, LogFormat::kAuto, file.path()}).ok());
  const Logger data("data");
  const Logger api("api");
  data.Debug("dropped at info");
  data.Info("outside", {{"n", 1}});
  {
    RequestIdScope outer("req-1");
    api.Info("in outer");
    {
      RequestIdScope inner("req-2");
      EXPECT_EQ(CurrentRequestId(), "req-2");
      api.Warn("in inner");
    }
    api.Error("outer again");
  }
  EXPECT_EQ(CurrentRequestId(), "");
  SetLogLevel(LogLevel::kDebug);
  EXPECT_TRUE(data.Enabled(LogLevel::kDebug));
  data.Debug("kept at debug");
  spdlog::info("plain spdlog {}", 7);
  SetLogLevel(LogLevel::kOff);
  data.Critical("silenced");
  SetLogLevel(LogLevel::kInfo);

  const std::vector<std::string> lines = file.Lines();
  ASSERT_EQ(lines.size(), 6u);
  std::vector<boost::json::object> records;
  for (const std::string& line : lines) {
    records.push_back(ParseLine(line));
  }
  EXPECT_EQ(records[0].at("msg").as_string(), "outside");
  EXPECT_EQ(records[0].at("component").as_string(), "data");
  EXPECT_EQ(records[0].at("n").as_int64(), 1);
  EXPECT_FALSE(records[0].contains("request_id"));
  EXPECT_EQ(records[1].at("request_id").as_string(), "req-1");
  EXPECT_EQ(records[2].at("request_id").as_string(), "req-2");
  EXPECT_EQ(records[2].at("level").as_string(), "warn");
  EXPECT_EQ(records[3].at("request_id").as_string(), "req-1");
  EXPECT_EQ(records[3].at("level").as_string(), "error");
  EXPECT_EQ(records[4].at("msg").as_string(), "kept at debug");
  EXPECT_EQ(records[4].at("level").as_string(), "debug");
  EXPECT_EQ(records[5].at("msg").as_string(), "plain spdlog 7");
  EXPECT_EQ(records[5].at("component").as_string(), "tradedesk");
  const std::regex iso(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)");
  for (const auto& record : records) {
    EXPECT_TRUE(std::regex_match(std::string(record.at("ts").as_string()), iso));
  }
}

TEST(Logging, FileInTextFormatHasNoColours) {
  TempFile file;
  ASSERT_TRUE(InitLogging({LogLevel::kInfo, LogFormat::kText, file.path()}).ok());
  Logger("risk").Info("limit", {{"max", 5}});
  const std::vector<std::string> lines = file.Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0], HasSubstr("INFO  [risk] limit max=5"));
  EXPECT_THAT(lines[0], Not(HasSubstr("\x1b[")));
  ASSERT_TRUE(InitLogging({}).ok());
}

TEST(Logging, RequestIdsAreThreadLocal) {
  TempFile file;
  ASSERT_TRUE(InitLogging({LogLevel::kInfo, LogFormat::kJson, file.path()}).ok());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t] {
      RequestIdScope scope("thread-" + std::to_string(t));
      for (int i = 0; i < 50; ++i) {
        Logger("worker").Info("tick", {{"thread", t}});
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  const std::vector<std::string> lines = file.Lines();
  ASSERT_EQ(lines.size(), 200u);
  for (const std::string& line : lines) {
    const boost::json::object record = ParseLine(line);
    EXPECT_EQ(record.at("request_id").as_string(), "thread-" + std::to_string(record.at("thread").as_int64()));
  }
  ASSERT_TRUE(InitLogging({}).ok());
}

TEST(Logging, UnwritableFileIsAnIoError) {
  TempFile not_a_directory;
  const std::filesystem::path path = not_a_directory.path() / "y.log";
  const Status status = InitLogging({LogLevel::kInfo, LogFormat::kJson, path});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kIo);
  EXPECT_THAT(status.error().message, HasSubstr(path.string()));
}

TEST(LoggingDeathTest, CheckFailureIsLoggedAndFlushed) {
  // "fast" forks without re-running the test, so the child writes to the file created here.
  GTEST_FLAG_SET(death_test_style, "fast");
  TempFile file;
  EXPECT_DEATH(
      {
        if (InitLogging({LogLevel::kInfo, LogFormat::kJson, file.path()}).ok()) {
          Logger("kernel").Info("before the failure");  // buffered: only the hook's flush writes it out
          const int depth = -1;
          TD_CHECK(depth >= 0) << "depth went negative: " << depth;
        }
      },
      "depth went negative");
  const std::vector<std::string> lines = file.Lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(ParseLine(lines[0]).at("msg").as_string(), "before the failure");
  const boost::json::object record = ParseLine(lines[1]);
  EXPECT_EQ(record.at("level").as_string(), "critical");
  EXPECT_EQ(record.at("component").as_string(), "check");
  EXPECT_THAT(std::string(record.at("msg").as_string()), HasSubstr("check failed: depth >= 0"));
  EXPECT_THAT(std::string(record.at("msg").as_string()), HasSubstr("depth went negative: -1"));
}

}  // namespace
}  // namespace td
