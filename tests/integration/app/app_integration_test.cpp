// SPDX-License-Identifier: MIT
// Runs the real `tradedesk` binary as a subprocess: command line, config checking, and `serve` over a
// real socket with a real SIGTERM.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;  // NOLINT(readability-redundant-declaration): POSIX

namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using Clock = std::chrono::steady_clock;

const std::string kBinary = TD_TRADEDESK_BIN;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "td_app_test_XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path Write(const std::string& name, std::string_view text) const {
    const auto file = path_ / name;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file) << text;
    return file;
  }

 private:
  std::filesystem::path path_;
};

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

/// The environment of this process without TRADEDESK_* variables, plus `extra` ("NAME=value").
std::vector<std::string> ChildEnvironment(const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    if (std::strncmp(*entry, "TRADEDESK_", 10) != 0) {
      env.emplace_back(*entry);
    }
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

/// Starts the binary with stdout and stderr redirected to files; returns the child's pid.
pid_t Spawn(const std::vector<std::string>& args, const std::vector<std::string>& env_extra,
            const std::filesystem::path& cwd, const std::filesystem::path& out_file,
            const std::filesystem::path& err_file) {
  std::vector<std::string> argv_storage = {kBinary};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<std::string> env_storage = ChildEnvironment(env_extra);
  std::vector<char*> argv;
  for (auto& arg : argv_storage) {
    argv.push_back(arg.data());
  }
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (auto& var : env_storage) {
    envp.push_back(var.data());
  }
  envp.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int out = ::open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err = ::open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (out < 0 || err < 0 || ::chdir(cwd.c_str()) != 0 || ::dup2(out, STDOUT_FILENO) < 0 ||
        ::dup2(err, STDERR_FILENO) < 0) {
      ::_exit(127);
    }
    ::execve(kBinary.c_str(), argv.data(), envp.data());
    ::_exit(127);
  }
  return pid;
}

/// Waits up to `timeout` for `pid`; returns its exit code, or nullopt on timeout or a signal death.
std::optional<int> WaitFor(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    int status = 0;
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) {
      if (WIFEXITED(status)) {
        return WEXITSTATUS(status);
      }
      return std::nullopt;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return std::nullopt;
}

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

/// Runs the binary to completion (at most 30 s) in `cwd` with the given extra environment.
RunResult RunTradedesk(const std::vector<std::string>& args, const std::vector<std::string>& env_extra = {},
                       const std::filesystem::path& cwd = std::filesystem::temp_directory_path()) {
  TempDir io;
  const pid_t pid = Spawn(args, env_extra, cwd, io.path() / "out", io.path() / "err");
  EXPECT_GT(pid, 0);
  const std::optional<int> code = WaitFor(pid, std::chrono::seconds(30));
  if (!code.has_value()) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }
  RunResult result;
  result.exit_code = code.value_or(-1);
  result.out = ReadFile(io.path() / "out");
  result.err = ReadFile(io.path() / "err");
  return result;
}

TEST(AppCli, VersionPrintsNameVersionCommitAndCompiler) {
  const RunResult result = RunTradedesk({"version"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr(std::string("tradedesk ") + TD_PROJECT_VERSION + "\n"));
  EXPECT_THAT(result.out, ::testing::ContainsRegex("commit: +([0-9a-f]{7,40}|unknown)\n"));
  EXPECT_THAT(result.out, ::testing::ContainsRegex("compiler: (GCC|clang) [0-9]+\\.[0-9]+"));
  const RunResult flag = RunTradedesk({"--version"});
  EXPECT_EQ(flag.exit_code, 0);
  EXPECT_THAT(flag.out, HasSubstr(TD_PROJECT_VERSION));
}

TEST(AppCli, HelpEverywhere) {
  const RunResult top = RunTradedesk({"--help"});
  EXPECT_EQ(top.exit_code, 0);
  EXPECT_THAT(top.out, HasSubstr("serve"));
  EXPECT_THAT(top.out, HasSubstr("version"));
  EXPECT_THAT(top.out, HasSubstr("config"));
  const RunResult serve = RunTradedesk({"serve", "--help"});
  EXPECT_EQ(serve.exit_code, 0);
  for (const char* flag : {"--listen", "--data-dir", "--config", "--static-dir", "--dry-run"}) {
    EXPECT_THAT(serve.out, HasSubstr(flag));
  }
  EXPECT_THAT(serve.out, HasSubstr("Precedence: flags > TRADEDESK_<SECTION>__<KEY> environment > config file"));
  const RunResult config = RunTradedesk({"config", "--help"});
  EXPECT_EQ(config.exit_code, 0);
  EXPECT_THAT(config.out, HasSubstr("check"));
  const RunResult check = RunTradedesk({"config", "check", "--help"});
  EXPECT_EQ(check.exit_code, 0);
  EXPECT_THAT(check.out, HasSubstr("--config"));
  EXPECT_EQ(RunTradedesk({"version", "--help"}).exit_code, 0);
}

TEST(AppCli, BadUsageExitsWithTwo) {
  EXPECT_EQ(RunTradedesk({}).exit_code, 2);
  EXPECT_EQ(RunTradedesk({"config"}).exit_code, 2);
  const RunResult unknown = RunTradedesk({"serve", "--no-such-flag"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_THAT(unknown.err, HasSubstr("--no-such-flag"));
}

TEST(AppConfigCheck, ValidFilePrintsTheEffectiveConfig) {
  TempDir dir;
  const auto file = dir.Write("good.toml", "[server]\nlisten = \"0.0.0.0:9001\"\n[data]\nseed = 7\n");
  const RunResult result =
      RunTradedesk({"config", "check", "--config", file.string()},
                   {"TRADEDESK_SERVER__IO_THREADS=6", "TRADEDESK_AUTH__PEPPER=0123456789abcdef0123456789abcdef"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("# The configuration is valid."));
  EXPECT_THAT(result.out, HasSubstr("listen = \"0.0.0.0:9001\""));
  EXPECT_THAT(result.out, HasSubstr("seed = 7"));
  EXPECT_THAT(result.out, HasSubstr("io_threads = 6"));  // environment over the file's default
  EXPECT_THAT(result.out, HasSubstr("# pepper: secret, set"));
  EXPECT_THAT(result.out, Not(HasSubstr("0123456789abcdef0123456789abcdef")));
}

TEST(AppConfigCheck, InvalidFileListsEveryProblemWithPathsAndExitsTwo) {
  TempDir dir;
  const auto file = dir.Write("bad.toml", R"([server]
listen = "localhost"
max_body_bytes = 12
[log]
level = "loud"
[auth]
pepper = "in-the-file-is-wrong-in-the-file-is-wrong"
[extra]
x = 1
)");
  const RunResult result = RunTradedesk({"config", "check", "--config", file.string()});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("invalid (5 problems)"));
  EXPECT_THAT(result.err, HasSubstr("server.listen: must be HOST:PORT"));
  EXPECT_THAT(result.err, HasSubstr("server.max_body_bytes: must be between 1024 and 67108864, was 12 (at " +
                                    file.string() + ":3:18)"));
  EXPECT_THAT(result.err, HasSubstr("log.level: must be one of"));
  EXPECT_THAT(result.err, HasSubstr("auth.pepper: is a secret and must not be in the config file"));
  EXPECT_THAT(result.err, HasSubstr("extra: unknown section"));
  EXPECT_THAT(result.err, Not(HasSubstr("in-the-file-is-wrong")));
}

TEST(AppConfigCheck, SyntaxErrorShowsLineAndColumn) {
  TempDir dir;
  const auto file = dir.Write("syntax.toml", "[server]\nlisten = \"127.0.0.1:1\"\nio_threads = = 2\n");
  const RunResult result = RunTradedesk({"config", "check", "--config", file.string()});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, ::testing::ContainsRegex(file.string() + ":3:[0-9]+: TOML syntax error"));
}

TEST(AppConfigCheck, MissingFileAndBadEnvironmentAreInvalid) {
  const RunResult missing = RunTradedesk({"config", "check", "--config", "/no/such/tradedesk.toml"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.err, HasSubstr("/no/such/tradedesk.toml does not exist"));
  const RunResult env = RunTradedesk({"config", "check"}, {"TRADEDESK_SERVER__IO_THREADS=0"});
  EXPECT_EQ(env.exit_code, 2);
  EXPECT_THAT(env.err, HasSubstr("server.io_threads: must be between 1 and 64, was 0 (from environment variable "
                                 "TRADEDESK_SERVER__IO_THREADS)"));
}

TEST(AppConfigCheck, ReadsTradedeskTomlFromTheWorkingDirectory) {
  TempDir dir;
  dir.Write("tradedesk.toml", "[data]\nhistory_days = 11\n");
  const RunResult result = RunTradedesk({"config", "check"}, {}, dir.path());
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("# config file: tradedesk.toml"));
  EXPECT_THAT(result.out, HasSubstr("history_days = 11"));
}

TEST(AppConfigCheck, DefaultsAndDocs) {
  const RunResult defaults = RunTradedesk({"config", "check", "--print-defaults"});
  EXPECT_EQ(defaults.exit_code, 0);
  EXPECT_THAT(defaults.out, HasSubstr("server.listen = \"127.0.0.1:8080\""));
  EXPECT_THAT(defaults.out, HasSubstr("TRADEDESK_SERVER__MAX_BODY_BYTES"));
  EXPECT_EQ(RunTradedesk({"config", "defaults"}).out, defaults.out);
  const RunResult docs = RunTradedesk({"config", "docs"});
  EXPECT_EQ(docs.exit_code, 0);
  EXPECT_EQ(docs.out, ReadFile(std::filesystem::path(TD_SOURCE_DIR) / "docs" / "configuration.md"));
}

TEST(AppServe, PrecedenceIsFlagsThenEnvironmentThenFileThenDefaults) {
  TempDir dir;
  const auto file = dir.Write("conf.toml", R"([server]
listen = "127.0.0.1:1111"
io_threads = 3
read_timeout_ms = 777
[storage]
data_dir = "from-file"
)");
  const std::vector<std::string> env = {"TRADEDESK_SERVER__LISTEN=127.0.0.1:2222", "TRADEDESK_SERVER__IO_THREADS=5"};
  const RunResult flags = RunTradedesk(
      {"serve", "--dry-run", "--config", file.string(), "--listen", "127.0.0.1:3333", "--data-dir", "from-flag"}, env,
      dir.path());
  EXPECT_EQ(flags.exit_code, 0) << flags.err;
  EXPECT_THAT(flags.out, HasSubstr("# url: http://127.0.0.1:3333/"));
  EXPECT_THAT(flags.out, HasSubstr("# data_dir: " + (dir.path() / "from-flag").string()));
  EXPECT_THAT(flags.out, HasSubstr("io_threads = 5"));
  EXPECT_THAT(flags.out, HasSubstr("read_timeout_ms = 777"));
  EXPECT_THAT(flags.out, HasSubstr("idle_timeout_ms = 60000"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "from-flag")) << "--dry-run must not create anything";

  const RunResult no_flags = RunTradedesk({"serve", "--dry-run", "--config", file.string()}, env, dir.path());
  EXPECT_EQ(no_flags.exit_code, 0) << no_flags.err;
  EXPECT_THAT(no_flags.out, HasSubstr("# url: http://127.0.0.1:2222/"));
  EXPECT_THAT(no_flags.out, HasSubstr("data_dir = \"from-file\""));

  const RunResult file_only = RunTradedesk({"serve", "--dry-run", "--config", file.string()}, {}, dir.path());
  EXPECT_THAT(file_only.out, HasSubstr("# url: http://127.0.0.1:1111/"));
  const RunResult defaults = RunTradedesk({"serve", "--dry-run"}, {}, dir.path());
  EXPECT_THAT(defaults.out, HasSubstr("# url: http://127.0.0.1:8080/"));
  EXPECT_THAT(defaults.out, HasSubstr("# data_dir: " + (dir.path() / "var").string()));
}

TEST(AppServe, BadFlagValuesAreConfigErrors) {
  const RunResult port = RunTradedesk({"serve", "--listen", "127.0.0.1:70000"});
  EXPECT_EQ(port.exit_code, 2);
  EXPECT_THAT(port.err, HasSubstr("server.listen: port must be between 0 and 65535, was 70000 (from --listen)"));
  const RunResult level = RunTradedesk({"serve", "--log-level", "chatty", "--listen", "nohost"});
  EXPECT_EQ(level.exit_code, 2);
  EXPECT_THAT(level.err, HasSubstr("(2 problems)"));
  const RunResult static_dir = RunTradedesk({"serve", "--dry-run", "--static-dir", "/no/such/web"});
  EXPECT_EQ(static_dir.exit_code, 2);
  EXPECT_THAT(static_dir.err, HasSubstr("server.static_dir: directory /no/such/web does not exist"));
}

TEST(AppServe, SourceBackupAndSeedFlagsChooseTheMarket) {
  const RunResult chosen = RunTradedesk({"serve", "--dry-run", "--source", "openalgo", "--backup", "simulator",
                                         "--seed", "9"});
  EXPECT_EQ(chosen.exit_code, 0) << chosen.err;
  EXPECT_THAT(chosen.out, HasSubstr("source = \"openalgo\""));
  EXPECT_THAT(chosen.out, HasSubstr("backup = \"simulator\""));
  EXPECT_THAT(chosen.out, HasSubstr("seed = 9"));
  const RunResult unknown = RunTradedesk({"serve", "--dry-run", "--source", "bloomberg"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_THAT(unknown.err, HasSubstr("data.source: must be one of simulator, replay, openalgo, polygon, yahoo, "
                                     "tradier; was \"bloomberg\" (from --source)"));
  const RunResult seed = RunTradedesk({"serve", "--dry-run", "--seed", "-3"});
  EXPECT_EQ(seed.exit_code, 2);
  EXPECT_THAT(seed.err, HasSubstr("data.seed"));
  // A vendor without its key cannot start: a usage error naming the setting, before anything listens.
  TempDir dir;
  const RunResult keyless =
      RunTradedesk({"serve", "--source", "openalgo", "--listen", "127.0.0.1:0", "--data-dir", dir.path().string()});
  EXPECT_EQ(keyless.exit_code, 2);
  EXPECT_THAT(keyless.err, HasSubstr("data.openalgo_api_key"));
  EXPECT_THAT(keyless.out, Not(HasSubstr("listening")));
}

TEST(AppServe, StaticDirIsFoundInTheSourceTreeOrTheWorkingDirectory) {
  TempDir dir;
  std::filesystem::create_directories(dir.path() / "web" / "dist");
  const RunResult result = RunTradedesk({"serve", "--dry-run"}, {}, dir.path());
  EXPECT_EQ(result.exit_code, 0) << result.err;
  const std::filesystem::path source_dist = std::filesystem::path(TD_SOURCE_DIR) / "web" / "dist";
  const std::filesystem::path expected =
      std::filesystem::is_directory(source_dist) ? source_dist : dir.path() / "web" / "dist";
  EXPECT_THAT(result.out, HasSubstr("# static_dir: " + expected.lexically_normal().string() + "\n"));
}

/// Sends one HTTP/1.1 request to 127.0.0.1:port and returns the whole response.
std::string HttpGet(std::uint16_t port, const std::string& path) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    return {};
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return {};
  }
  const std::string request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) {
    ::close(fd);
    return {};
  }
  std::string response;
  char buffer[4096];
  pollfd poll_fd{fd, POLLIN, 0};
  while (::poll(&poll_fd, 1, 5000) > 0) {
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) {
      break;
    }
    response.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return response;
}

TEST(AppServe, ServesHealthzOnAFreePortAndStopsCleanlyOnSigterm) {
  TempDir dir;
  const auto out = dir.path() / "stdout";
  const auto err = dir.path() / "stderr";
  const pid_t pid = Spawn({"serve", "--listen", "127.0.0.1:0", "--data-dir", "state/var", "--log-format", "json"},
                          {"TRADEDESK_SERVER__SHUTDOWN_GRACE_MS=3000"}, dir.path(), out, err);
  ASSERT_GT(pid, 0);

  const std::regex listening(R"(tradedesk: listening on http://127\.0\.0\.1:([0-9]+)/\n)");
  std::smatch match;
  std::string printed;
  const auto deadline = Clock::now() + std::chrono::seconds(120);
  while (Clock::now() < deadline) {
    printed = ReadFile(out);
    if (std::regex_search(printed, match, listening)) {
      break;
    }
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      FAIL() << "tradedesk exited early; stderr:\n" << ReadFile(err);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (match.empty()) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    FAIL() << "no listening line; stdout:\n" << printed << "\nstderr:\n" << ReadFile(err);
  }
  const int port = std::stoi(match[1].str());
  EXPECT_GT(port, 0);
  EXPECT_LT(port, 65536);
  EXPECT_TRUE(std::filesystem::is_directory(dir.path() / "state" / "var")) << "--data-dir must be created";

  const std::string response = HttpGet(static_cast<std::uint16_t>(port), "/healthz");
  EXPECT_THAT(response, ::testing::StartsWith("HTTP/1.1 200")) << response;

  const auto stop_started = Clock::now();
  ASSERT_EQ(::kill(pid, SIGTERM), 0);
  const std::optional<int> code = WaitFor(pid, std::chrono::seconds(10));
  if (!code.has_value()) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }
  EXPECT_EQ(code, std::optional<int>(0)) << ReadFile(err);
  EXPECT_LT(Clock::now() - stop_started, std::chrono::milliseconds(3000 + 1000)) << "exceeded the grace period";

  // Our own log lines on stderr are JSON objects (the format was forced to json).
  bool saw_listening = false;
  std::istringstream lines(ReadFile(err));
  for (std::string line; std::getline(lines, line);) {
    if (line.find("\"component\":\"app\"") == std::string::npos) {
      continue;
    }
    boost::json::error_code ec;
    const boost::json::value value = boost::json::parse(line, ec);
    ASSERT_FALSE(ec) << line;
    const auto& object = value.as_object();
    EXPECT_TRUE(object.contains("ts"));
    EXPECT_TRUE(object.contains("level"));
    if (object.at("msg").as_string() == "listening") {
      saw_listening = true;
      EXPECT_EQ(object.at("url").as_string(), "http://127.0.0.1:" + std::to_string(port) + "/");
    }
  }
  EXPECT_TRUE(saw_listening) << ReadFile(err);
}

TEST(AppServe, PortInUseFailsWithoutHanging) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::listen(fd, 1), 0);
  socklen_t length = sizeof address;
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length), 0);
  const int port = ntohs(address.sin_port);
  TempDir dir;
  const RunResult result = RunTradedesk({"serve", "--listen", "127.0.0.1:" + std::to_string(port)}, {}, dir.path());
  ::close(fd);
  EXPECT_NE(result.exit_code, 0);
  EXPECT_THAT(result.out, Not(HasSubstr("listening on")));
}

}  // namespace
