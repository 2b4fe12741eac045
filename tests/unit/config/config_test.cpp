// SPDX-License-Identifier: MIT
#include "config/config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "config/settings.hpp"

namespace td::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

std::vector<std::string> Fields(const LoadedConfig& loaded) {
  std::vector<std::string> fields;
  for (const Error& error : loaded.errors) {
    fields.push_back(error.field);
  }
  return fields;
}

std::string AllErrors(const LoadedConfig& loaded) {
  std::string out;
  for (const Error& error : loaded.errors) {
    out += FormatConfigError(error) + "\n";
  }
  return out;
}

/// Expects exactly one error, for `field`, and returns its formatted text.
std::string SingleError(std::string_view toml, std::string_view field) {
  const LoadedConfig loaded = ParseConfigText(toml, "t.toml");
  EXPECT_EQ(loaded.errors.size(), 1u) << toml << "\n" << AllErrors(loaded);
  if (loaded.errors.empty()) {
    return {};
  }
  EXPECT_EQ(loaded.errors[0].field, field) << toml;
  EXPECT_EQ(loaded.errors[0].code, ErrorCode::kInvalidArgument);
  return FormatConfigError(loaded.errors[0]);
}

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "td_config_test_XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::filesystem::path Write(const std::string& name, std::string_view text) const {
    const auto file = path_ / name;
    std::ofstream(file) << text;
    return file;
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

TEST(ConfigDefaults, StructDefaultsMatchTheProductBrief) {
  const Config config;
  EXPECT_EQ(config.server.listen, "127.0.0.1:8080");
  EXPECT_EQ(config.server.max_body_bytes, 1024u * 1024u);
  EXPECT_EQ(config.server.max_header_bytes, 16u * 1024u);
  EXPECT_EQ(config.server.read_timeout_ms, 15000);
  EXPECT_EQ(config.server.idle_timeout_ms, 60000);
  EXPECT_EQ(config.server.shutdown_grace_ms, 10000);
  EXPECT_EQ(config.server.io_threads, 2);
  EXPECT_EQ(config.server.static_dir, "");
  EXPECT_EQ(config.log.level, LogLevel::kInfo);
  EXPECT_EQ(config.log.format, LogFormat::kAuto);
  EXPECT_EQ(config.log.file, "");
  EXPECT_EQ(config.data.source, "simulator");
  EXPECT_EQ(config.data.seed, 42u);
  EXPECT_EQ(config.data.history_days, 5);
  EXPECT_EQ(config.storage.data_dir, "./var");
  EXPECT_TRUE(config.auth.enabled);
  EXPECT_EQ(config.auth.pepper, "");
}

TEST(ConfigDefaults, EmptyFileGivesDefaults) {
  const LoadedConfig loaded = ParseConfigText("", "empty.toml");
  ASSERT_TRUE(loaded.ok()) << AllErrors(loaded);
  EXPECT_EQ(RenderToml(loaded.config), RenderToml(Config{}));
}

TEST(ConfigDefaults, RegistryDefaultsComeFromTheStructs) {
  std::map<std::string, std::string> defaults;
  for (const SettingInfo& info : ListSettings()) {
    defaults[info.path] = info.default_value;
  }
  EXPECT_EQ(defaults["server.listen"], "\"127.0.0.1:8080\"");
  EXPECT_EQ(defaults["server.max_body_bytes"], "1048576");
  EXPECT_EQ(defaults["server.max_header_bytes"], "16384");
  EXPECT_EQ(defaults["server.io_threads"], "2");
  EXPECT_EQ(defaults["log.level"], "\"info\"");
  EXPECT_EQ(defaults["log.format"], "\"auto\"");
  EXPECT_EQ(defaults["data.seed"], "42");
  EXPECT_EQ(defaults["storage.data_dir"], "\"./var\"");
  EXPECT_EQ(defaults["auth.enabled"], "true");
  EXPECT_EQ(defaults["auth.pepper"], "(unset)");
  EXPECT_EQ(ListSections(), (std::vector<std::string>{"server", "log", "data", "storage", "auth"}));
}

TEST(ConfigDefaults, DefaultsTextListsEverySetting) {
  const std::string text = RenderDefaultsText();
  for (const SettingInfo& info : ListSettings()) {
    EXPECT_THAT(text, HasSubstr(info.path + " = " + info.default_value));
    EXPECT_THAT(text, HasSubstr(info.env_var));
  }
}

TEST(ConfigLoad, ReadsEverySetting) {
  const LoadedConfig loaded = ParseConfigText(R"(
[server]
listen = "0.0.0.0:9000"
max_body_bytes = 2048
max_header_bytes = 4096
read_timeout_ms = 500
idle_timeout_ms = 2000
shutdown_grace_ms = 0
io_threads = 8
static_dir = "/srv/web"

[log]
level = "debug"
format = "json"
file = "/tmp/td.log"

[data]
source = "replay"
seed = 7
history_days = 30

[storage]
data_dir = "/data/td"

[auth]
enabled = false
)",
                                              "full.toml");
  ASSERT_TRUE(loaded.ok()) << AllErrors(loaded);
  const Config& c = loaded.config;
  EXPECT_EQ(c.server.listen, "0.0.0.0:9000");
  EXPECT_EQ(c.server.max_body_bytes, 2048u);
  EXPECT_EQ(c.server.max_header_bytes, 4096u);
  EXPECT_EQ(c.server.read_timeout_ms, 500);
  EXPECT_EQ(c.server.idle_timeout_ms, 2000);
  EXPECT_EQ(c.server.shutdown_grace_ms, 0);
  EXPECT_EQ(c.server.io_threads, 8);
  EXPECT_EQ(c.server.static_dir, "/srv/web");
  EXPECT_EQ(c.log.level, LogLevel::kDebug);
  EXPECT_EQ(c.log.format, LogFormat::kJson);
  EXPECT_EQ(c.log.file, "/tmp/td.log");
  EXPECT_EQ(c.data.source, "replay");
  EXPECT_EQ(c.data.seed, 7u);
  EXPECT_EQ(c.data.history_days, 30);
  EXPECT_EQ(c.storage.data_dir, "/data/td");
  EXPECT_FALSE(c.auth.enabled);

  const LogOptions options = ToLogOptions(c.log);
  EXPECT_EQ(options.level, LogLevel::kDebug);
  EXPECT_EQ(options.format, LogFormat::kJson);
  EXPECT_EQ(options.file, "/tmp/td.log");
}

TEST(ConfigLoad, RenderedTomlLoadsBackToTheSameValues) {
  Config config;
  config.server.listen = "[::1]:0";
  config.server.static_dir = "dir with \"quotes\", \\ and ü";
  config.log.level = LogLevel::kError;
  config.data.seed = 9223372036854775807ull;
  config.auth.enabled = false;
  const std::string text = RenderToml(config);
  const LoadedConfig loaded = ParseConfigText(text, "rendered.toml");
  ASSERT_TRUE(loaded.ok()) << AllErrors(loaded) << text;
  EXPECT_EQ(RenderToml(loaded.config), text);
  EXPECT_EQ(loaded.config.server.static_dir, config.server.static_dir);
  EXPECT_EQ(loaded.config.data.seed, config.data.seed);
}

TEST(ConfigValidation, IntegerRangesAreEnforcedAtBothEnds) {
  struct Case {
    std::string section, key;
    std::int64_t min, max;
  };
  const std::vector<Case> cases = {
      {"server", "max_body_bytes", 1024, 67108864},
      {"server", "max_header_bytes", 1024, 1048576},
      {"server", "read_timeout_ms", 100, 600000},
      {"server", "idle_timeout_ms", 1000, 3600000},
      {"server", "shutdown_grace_ms", 0, 300000},
      {"server", "io_threads", 1, 64},
      {"data", "history_days", 0, 3650},
  };
  for (const Case& c : cases) {
    const std::string field = c.section + "." + c.key;
    const std::string range = "must be between " + std::to_string(c.min) + " and " + std::to_string(c.max);
    for (std::int64_t bad : {c.min - 1, c.max + 1}) {
      const std::string text = SingleError("[" + c.section + "]\n" + c.key + " = " + std::to_string(bad), field);
      EXPECT_THAT(text, HasSubstr(field + ": " + range + ", was " + std::to_string(bad)));
    }
    for (std::int64_t good : {c.min, c.max}) {
      const LoadedConfig loaded =
          ParseConfigText("[" + c.section + "]\n" + c.key + " = " + std::to_string(good), "t.toml");
      EXPECT_TRUE(loaded.ok()) << field << " = " << good << ": " << AllErrors(loaded);
    }
  }
  EXPECT_THAT(SingleError("[server]\nmax_body_bytes = 12", "server.max_body_bytes"),
              HasSubstr("server.max_body_bytes: must be between 1024 and 67108864, was 12 (at t.toml:2:18)"));
  EXPECT_THAT(SingleError("[data]\nseed = -1", "data.seed"), HasSubstr("must be between 0 and"));
}

TEST(ConfigValidation, ListenMustBeHostColonPort) {
  for (const char* bad : {"localhost", "127.0.0.1", ":8080", "127.0.0.1:", "127.0.0.1:80a", "a b:80", "::1:8080",
                          "[::1]8080", "[zz]:80", "-host:80", ""}) {
    const std::string text = SingleError(std::string("[server]\nlisten = \"") + bad + "\"", "server.listen");
    EXPECT_THAT(text, ::testing::AnyOf(HasSubstr("must be HOST:PORT"), HasSubstr("IPv6 host needs brackets"))) << bad;
  }
  EXPECT_THAT(SingleError("[server]\nlisten = \"127.0.0.1:65536\"", "server.listen"),
              HasSubstr("server.listen: port must be between 0 and 65535, was 65536"));
  EXPECT_THAT(SingleError("[server]\nlisten = \"127.0.0.1:99999999999999999999999\"", "server.listen"),
              HasSubstr("port must be between 0 and 65535"));

  auto v4 = ParseHostPort("0.0.0.0:0");
  ASSERT_TRUE(v4.ok());
  EXPECT_EQ(v4->host, "0.0.0.0");
  EXPECT_EQ(v4->port, 0);
  auto v6 = ParseHostPort("[::1]:65535");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 65535);
  auto name = ParseHostPort("my-host.example:8080");
  ASSERT_TRUE(name.ok());
  EXPECT_EQ(name->host, "my-host.example");
  EXPECT_EQ(name->port, 8080);
}

TEST(ConfigValidation, EnumsAndNamesAreChecked) {
  EXPECT_THAT(SingleError("[log]\nlevel = \"loud\"", "log.level"),
              HasSubstr("log.level: must be one of trace, debug, info, warn, error, critical, off; was \"loud\""));
  EXPECT_THAT(SingleError("[log]\nformat = \"xml\"", "log.format"),
              HasSubstr("log.format: must be one of auto, json, text; was \"xml\""));
  EXPECT_THAT(SingleError("[data]\nsource = \"Sim Ulator\"", "data.source"), HasSubstr("lower-case name"));
  EXPECT_THAT(SingleError("[storage]\ndata_dir = \"\"", "storage.data_dir"), HasSubstr("must not be empty"));
  EXPECT_THAT(SingleError("[server]\nstatic_dir = \"a\\u0001b\"", "server.static_dir"),
              HasSubstr("control characters"));
  const LoadedConfig warning = ParseConfigText("[log]\nlevel = \"WARNING\"", "t.toml");
  ASSERT_TRUE(warning.ok());
  EXPECT_EQ(warning.config.log.level, LogLevel::kWarn);
}

TEST(ConfigValidation, WrongTypesAreReportedWithTheTypeFound) {
  EXPECT_THAT(SingleError("[server]\nio_threads = \"4\"", "server.io_threads"),
              HasSubstr("server.io_threads: must be an integer, was a string"));
  EXPECT_THAT(SingleError("[server]\nio_threads = 4.0", "server.io_threads"),
              HasSubstr("must be an integer, was a floating-point number"));
  EXPECT_THAT(SingleError("[server]\nlisten = 8080", "server.listen"),
              HasSubstr("server.listen: must be a string, was an integer"));
  EXPECT_THAT(SingleError("[auth]\nenabled = \"yes\"", "auth.enabled"),
              HasSubstr("auth.enabled: must be a boolean, was a string"));
  EXPECT_THAT(SingleError("[data]\nsource = [\"a\"]", "data.source"), HasSubstr("must be a string, was an array"));
  EXPECT_THAT(SingleError("[log]\nfile = 1979-05-27", "log.file"), HasSubstr("was a date"));
  EXPECT_THAT(SingleError("[server.listen]\nhost = \"x\"", "server.listen"), HasSubstr("was a table"));
  EXPECT_THAT(SingleError("server = 5", "server"), HasSubstr("server: must be a table ([server]), was an integer"));
}

TEST(ConfigValidation, UnknownKeysAtEveryDepth) {
  const LoadedConfig loaded = ParseConfigText(R"(
stray = 1
[servre]
listen = "127.0.0.1:1"
[server]
listn = "127.0.0.1:1"
[server.tls]
cert = "x"
[log.sink.file]
path = "y"
[data]
"odd key" = 3
)",
                                              "t.toml");
  EXPECT_THAT(Fields(loaded),
              ElementsAre("stray", "servre", "server.listn", "server.tls", "log.sink", "data.\"odd key\""));
  const std::string all = AllErrors(loaded);
  EXPECT_THAT(all, HasSubstr("stray: unknown key"));
  EXPECT_THAT(all, HasSubstr("servre: unknown section (did you mean server?)"));
  EXPECT_THAT(all, HasSubstr("server.listn: unknown key (did you mean server.listen?)"));
  EXPECT_THAT(all, HasSubstr("server.tls: unknown table"));
  EXPECT_THAT(all, HasSubstr("log.sink: unknown table"));
  EXPECT_THAT(all, HasSubstr("data.\"odd key\": unknown key"));
}

TEST(ConfigValidation, AllProblemsAreReportedAtOnceWithPositions) {
  const LoadedConfig loaded = ParseConfigText(R"([server]
listen = "nope"
max_body_bytes = 12
io_threads = "many"
colour = "red"
[log]
level = "loud"
[data]
history_days = -1
)",
                                              "multi.toml");
  EXPECT_THAT(Fields(loaded), ElementsAre("server.listen", "server.max_body_bytes", "server.io_threads",
                                          "server.colour", "log.level", "data.history_days"));
  const std::string all = AllErrors(loaded);
  EXPECT_THAT(all, HasSubstr("(at multi.toml:2:10)"));
  EXPECT_THAT(all, HasSubstr("(at multi.toml:3:18)"));
  EXPECT_THAT(all, HasSubstr("(at multi.toml:9:16)"));
}

TEST(ConfigValidation, SyntaxErrorHasLineAndColumn) {
  const LoadedConfig loaded = ParseConfigText("[server]\nlisten = \"127.0.0.1:1\"\nio_threads = = 3\n", "bad.toml");
  ASSERT_EQ(loaded.errors.size(), 1u);
  EXPECT_EQ(loaded.errors[0].field, "");
  EXPECT_THAT(loaded.errors[0].message, ::testing::StartsWith("bad.toml:3:"));
  EXPECT_THAT(loaded.errors[0].message, HasSubstr("TOML syntax error"));
  EXPECT_THAT(loaded.errors[0].message, ::testing::ContainsRegex("^bad\\.toml:3:[0-9]+: "));

  const LoadedConfig unterminated = ParseConfigText("[log]\nlevel = \"info\n", "u.toml");
  ASSERT_EQ(unterminated.errors.size(), 1u);
  EXPECT_THAT(unterminated.errors[0].message, ::testing::ContainsRegex("^u\\.toml:2:[0-9]+: TOML syntax error"));
}

TEST(ConfigSecrets, SecretInFileIsRejectedAndSaysSo) {
  const LoadedConfig loaded = ParseConfigText(R"(
[auth]
pepper = "0123456789abcdef0123456789abcdef"
[server]
api_token = "abc"
[broker]
api_key = "k"
)",
                                              "s.toml");
  EXPECT_THAT(Fields(loaded), ElementsAre("auth.pepper", "server.api_token", "broker"));
  EXPECT_THAT(FormatConfigError(loaded.errors[0]),
              HasSubstr("auth.pepper: is a secret and must not be in the config file; secrets are read only from "
                        "the environment (set TRADEDESK_AUTH__PEPPER)"));
  EXPECT_THAT(FormatConfigError(loaded.errors[1]), HasSubstr("is a secret"));
  EXPECT_EQ(loaded.config.auth.pepper, "");
  const LoadedConfig section = ParseConfigText("[kite_secret]\nx = 1", "s.toml");
  ASSERT_EQ(section.errors.size(), 1u);
  EXPECT_THAT(section.errors[0].message, HasSubstr("is a secret"));
}

TEST(ConfigSecrets, SecretsComeFromTheEnvironmentAndAreNeverPrinted) {
  const std::string pepper = "pepper-pepper-pepper-pepper-pepper!";
  Config config;
  std::vector<Error> errors;
  ApplyEnvironment({{"TRADEDESK_AUTH__PEPPER", pepper}}, config, errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(config.auth.pepper, pepper);
  const std::string rendered = RenderToml(config);
  EXPECT_THAT(rendered, Not(HasSubstr(pepper)));
  EXPECT_THAT(rendered, HasSubstr("# pepper: secret, set (environment only: TRADEDESK_AUTH__PEPPER)"));
  EXPECT_THAT(RenderToml(Config{}), HasSubstr("# pepper: secret, not set"));

  ApplyEnvironment({{"TRADEDESK_AUTH__PEPPER", "short"}}, config, errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(FormatConfigError(errors[0]),
              HasSubstr("auth.pepper: must be at least 32 characters long, was 5 characters (from environment "
                        "variable TRADEDESK_AUTH__PEPPER)"));
  EXPECT_THAT(FormatConfigError(errors[0]), Not(HasSubstr("short")));

  errors.clear();
  ApplyOverrides({{"auth.pepper", pepper, "--pepper"}}, config, errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0].message, HasSubstr("is a secret and is read only from the environment"));
}

TEST(ConfigEnvironment, NamesMapToDottedPaths) {
  EXPECT_EQ(EnvironmentVariableFor("server.listen"), "TRADEDESK_SERVER__LISTEN");
  EXPECT_EQ(EnvironmentVariableFor("server.max_body_bytes"), "TRADEDESK_SERVER__MAX_BODY_BYTES");
  for (const SettingInfo& info : ListSettings()) {
    EXPECT_EQ(info.env_var, EnvironmentVariableFor(info.path));
  }
}

TEST(ConfigEnvironment, OverridesApplyWithTextConversion) {
  Config config;
  std::vector<Error> errors;
  ApplyEnvironment({{"TRADEDESK_SERVER__LISTEN", "0.0.0.0:9999"},
                    {"TRADEDESK_SERVER__MAX_BODY_BYTES", "+4096"},
                    {"TRADEDESK_LOG__LEVEL", "debug"},
                    {"TRADEDESK_DATA__SEED", "9223372036854775807"},
                    {"TRADEDESK_AUTH__ENABLED", "off"},
                    {"TRADEDESK_DATA_DIR", "/somewhere"},  // not a setting: no double underscore
                    {"HOME", "/root"}},
                   config, errors);
  EXPECT_TRUE(errors.empty()) << (errors.empty() ? "" : FormatConfigError(errors[0]));
  EXPECT_EQ(config.server.listen, "0.0.0.0:9999");
  EXPECT_EQ(config.server.max_body_bytes, 4096u);
  EXPECT_EQ(config.log.level, LogLevel::kDebug);
  EXPECT_EQ(config.data.seed, 9223372036854775807ull);
  EXPECT_FALSE(config.auth.enabled);
}

TEST(ConfigEnvironment, BadAndUnknownVariablesAreErrorsNamingTheVariable) {
  Config config;
  std::vector<Error> errors;
  ApplyEnvironment({{"TRADEDESK_SERVER__IO_THREADS", "four"},
                    {"TRADEDESK_SERVER__LISTN", "x:1"},
                    {"TRADEDESK_AUTH__ENABLED", "maybe"},
                    {"TRADEDESK_DATA__SEED", "99999999999999999999"},
                    {"TRADEDESK_SERVER__MAX_BODY_BYTES", "12"}},
                   config, errors);
  ASSERT_EQ(errors.size(), 5u);
  std::vector<std::string> texts;
  for (const Error& error : errors) {
    texts.push_back(FormatConfigError(error));
  }
  // Variables are applied in name order, so messages come out in a stable order.
  EXPECT_THAT(texts[0], HasSubstr("auth.enabled: must be true or false, was \"maybe\" (from environment variable "
                                  "TRADEDESK_AUTH__ENABLED)"));
  EXPECT_THAT(texts[1], HasSubstr("data.seed: must be an integer between 0 and 9223372036854775807"));
  EXPECT_THAT(texts[2], HasSubstr("server.io_threads: must be an integer between 1 and 64, was \"four\""));
  EXPECT_THAT(texts[3], HasSubstr("server.listn: unknown setting (did you mean server.listen?) (from environment "
                                  "variable TRADEDESK_SERVER__LISTN)"));
  EXPECT_THAT(texts[4], HasSubstr("server.max_body_bytes: must be between 1024 and 67108864, was 12"));
}

TEST(ConfigPrecedence, OverridesBeatEnvironmentWhichBeatsFileWhichBeatsDefaults) {
  TempDir dir;
  const auto file = dir.Write("tradedesk.toml", R"(
[server]
listen = "127.0.0.1:1111"
io_threads = 3
read_timeout_ms = 1234
[storage]
data_dir = "/from/file"
)");
  LoadRequest request;
  request.file = file;
  request.environment = {{"TRADEDESK_SERVER__LISTEN", "127.0.0.1:2222"}, {"TRADEDESK_SERVER__IO_THREADS", "5"}};
  request.overrides = {{"server.listen", "127.0.0.1:3333", "--listen"}};
  const LoadedConfig loaded = LoadConfig(request);
  ASSERT_TRUE(loaded.ok()) << AllErrors(loaded);
  EXPECT_EQ(loaded.config.server.listen, "127.0.0.1:3333");  // flag
  EXPECT_EQ(loaded.config.server.io_threads, 5);             // env over file
  EXPECT_EQ(loaded.config.server.read_timeout_ms, 1234);     // file over default
  EXPECT_EQ(loaded.config.storage.data_dir, "/from/file");   // file over default
  EXPECT_EQ(loaded.config.server.idle_timeout_ms, 60000);    // default

  request.overrides = {{"server.listen", "bad", "--listen"}};
  const LoadedConfig bad = LoadConfig(request);
  ASSERT_EQ(bad.errors.size(), 1u);
  EXPECT_THAT(FormatConfigError(bad.errors[0]), HasSubstr("server.listen: must be HOST:PORT"));
  EXPECT_THAT(FormatConfigError(bad.errors[0]), HasSubstr("(from --listen)"));
}

TEST(ConfigLoad, MissingFileAndDirectoryAreErrors) {
  TempDir dir;
  LoadRequest request;
  request.file = dir.path() / "absent.toml";
  const LoadedConfig missing = LoadConfig(request);
  ASSERT_EQ(missing.errors.size(), 1u);
  EXPECT_EQ(missing.errors[0].code, ErrorCode::kNotFound);
  EXPECT_THAT(missing.errors[0].message, HasSubstr("absent.toml does not exist"));
  request.file = dir.path();
  const LoadedConfig directory = LoadConfig(request);
  ASSERT_EQ(directory.errors.size(), 1u);
  EXPECT_THAT(directory.errors[0].message, HasSubstr("is a directory"));
}

TEST(ConfigLoad, FileErrorsCarryTheFilePath) {
  TempDir dir;
  const auto file = dir.Write("x.toml", "[server]\nio_threads = 0\n");
  LoadRequest request;
  request.file = file;
  const LoadedConfig loaded = LoadConfig(request);
  ASSERT_EQ(loaded.errors.size(), 1u);
  EXPECT_THAT(loaded.errors[0].message, HasSubstr("(at " + file.string() + ":2:14)"));
}

TEST(ConfigExample, ExampleFileIsValidAndMentionsEverySetting) {
  const std::filesystem::path example = std::filesystem::path(TD_SOURCE_DIR) / "config" / "tradedesk.example.toml";
  std::ifstream in(example);
  ASSERT_TRUE(in.good()) << example;
  std::stringstream text;
  text << in.rdbuf();
  const LoadedConfig loaded = ParseConfigText(text.str(), example.string());
  EXPECT_TRUE(loaded.ok()) << AllErrors(loaded);
  for (const SettingInfo& info : ListSettings()) {
    const std::string key = info.path.substr(info.path.find('.') + 1);
    EXPECT_THAT(text.str(), HasSubstr(key)) << info.path;
  }
}

TEST(ConfigDocs, CommittedReferenceIsUpToDate) {
  const std::filesystem::path doc = std::filesystem::path(TD_SOURCE_DIR) / "docs" / "configuration.md";
  std::ifstream in(doc);
  ASSERT_TRUE(in.good()) << doc;
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), RenderConfigurationMarkdown())
      << "docs/configuration.md is stale: regenerate it with `tradedesk config docs > docs/configuration.md`";
  for (const SettingInfo& info : ListSettings()) {
    EXPECT_THAT(text.str(), HasSubstr("`" + info.path + "`"));
  }
}

}  // namespace
}  // namespace td::config
