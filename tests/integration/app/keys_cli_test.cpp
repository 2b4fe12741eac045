// SPDX-License-Identifier: MIT
// `tradedesk keys` and `tradedesk serve` with authentication, as subprocesses: a key made by the CLI works on
// the running server, and a revocation from another process takes effect on the next request.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

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

#include <boost/json.hpp>

#include "../api/http_client.hpp"

extern char** environ;  // NOLINT(readability-redundant-declaration): POSIX

namespace {

using Clock = std::chrono::steady_clock;
const std::string kBinary = TD_TRADEDESK_BIN;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "td_keys_test_XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

/// Starts the binary in `cwd` without any TRADEDESK_* variables of this process; output goes to files.
pid_t Spawn(const std::vector<std::string>& args, const std::filesystem::path& cwd, const std::filesystem::path& out,
            const std::filesystem::path& err) {
  std::vector<std::string> argv_storage = {kBinary};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<std::string> env_storage;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    if (std::strncmp(*entry, "TRADEDESK_", 10) != 0) {
      env_storage.emplace_back(*entry);
    }
  }
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
    const int out_fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err_fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (out_fd < 0 || err_fd < 0 || ::chdir(cwd.c_str()) != 0 || ::dup2(out_fd, STDOUT_FILENO) < 0 ||
        ::dup2(err_fd, STDERR_FILENO) < 0) {
      ::_exit(127);
    }
    ::execve(kBinary.c_str(), argv.data(), envp.data());
    ::_exit(127);
  }
  return pid;
}

std::optional<int> WaitFor(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      return WIFEXITED(status) ? std::optional<int>(WEXITSTATUS(status)) : std::nullopt;
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

RunResult RunTradedesk(const std::vector<std::string>& args, const std::filesystem::path& cwd) {
  TempDir io;
  const pid_t pid = Spawn(args, cwd, io.path() / "out", io.path() / "err");
  const std::optional<int> code = WaitFor(pid, std::chrono::seconds(60));
  if (!code) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }
  return {code.value_or(-1), ReadFile(io.path() / "out"), ReadFile(io.path() / "err")};
}

std::string Field(const std::string& text, const std::string& name) {
  std::smatch match;
  const std::regex line("(^|\n)" + name + ": +([^\n]+)");
  return std::regex_search(text, match, line) ? match[2].str() : std::string();
}

TEST(KeysCli, CreateListRevoke) {
  TempDir dir;
  const RunResult created = RunTradedesk({"keys", "create", "--user", "alice", "--label", "laptop", "--data-dir", "state"},
                                dir.path());
  ASSERT_EQ(created.exit_code, 0) << created.err;
  const std::string key = Field(created.out, "key");
  const std::string id = Field(created.out, "id");
  EXPECT_TRUE(std::regex_match(key, std::regex("[0-9a-f]{64}"))) << created.out;
  EXPECT_TRUE(std::regex_match(id, std::regex("k_[0-9a-f]{12}"))) << created.out;
  EXPECT_NE(created.err.find("not shown again"), std::string::npos);

  const RunResult admin = RunTradedesk({"keys", "create", "--user", "ops", "--admin", "--json", "--data-dir", "state"},
                              dir.path());
  ASSERT_EQ(admin.exit_code, 0) << admin.err;
  const boost::json::object admin_json = boost::json::parse(admin.out).as_object();
  EXPECT_TRUE(admin_json.at("admin").as_bool());
  EXPECT_EQ(admin_json.at("key").as_string().size(), 64u);

  const RunResult listed = RunTradedesk({"keys", "list", "--data-dir", "state"}, dir.path());
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find(id + "  user=alice"), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find("label=laptop"), std::string::npos);
  EXPECT_EQ(listed.out.find(key), std::string::npos) << "list never shows a secret";
  EXPECT_EQ(listed.out.find(std::string(admin_json.at("key").as_string())), std::string::npos);

  struct stat info {};
  ASSERT_EQ(::stat((dir.path() / "state" / "key_pepper").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);

  const RunResult revoked = RunTradedesk({"keys", "revoke", id, "--data-dir", "state"}, dir.path());
  ASSERT_EQ(revoked.exit_code, 0) << revoked.err;
  const RunResult after = RunTradedesk({"keys", "list", "--json", "--data-dir", "state"}, dir.path());
  const auto keys = boost::json::parse(after.out).as_object().at("keys").as_array();
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_TRUE(keys[0].as_object().at("revoked_at").is_string());
  EXPECT_TRUE(keys[1].as_object().at("revoked_at").is_null());

  EXPECT_EQ(RunTradedesk({"keys", "revoke", "k_000000000000", "--data-dir", "state"}, dir.path()).exit_code, 1);
  EXPECT_EQ(RunTradedesk({"keys", "create", "--user", "bad user", "--data-dir", "state"}, dir.path()).exit_code, 2);
  EXPECT_EQ(RunTradedesk({"keys", "create", "--data-dir", "state"}, dir.path()).exit_code, 2) << "--user is required";
}

TEST(KeysCli, NoAuthIsRefusedOffLoopback) {
  TempDir dir;
  const RunResult result = RunTradedesk({"serve", "--no-auth", "--listen", "0.0.0.0:0", "--data-dir", "state"}, dir.path());
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("loopback"), std::string::npos) << result.err;
}

TEST(KeysCli, AKeyFromTheCliWorksOnTheServerUntilRevoked) {
  TempDir dir;
  const RunResult created = RunTradedesk({"keys", "create", "--user", "alice", "--data-dir", "state"}, dir.path());
  ASSERT_EQ(created.exit_code, 0) << created.err;
  const std::string key = Field(created.out, "key");
  const std::string id = Field(created.out, "id");

  const auto out = dir.path() / "serve.out";
  const auto err = dir.path() / "serve.err";
  const pid_t pid = Spawn({"serve", "--listen", "127.0.0.1:0", "--data-dir", "state"}, dir.path(), out, err);
  ASSERT_GT(pid, 0);
  const std::regex listening(R"(listening on http://127\.0\.0\.1:([0-9]+)/)");
  std::smatch match;
  std::string printed;
  const auto deadline = Clock::now() + std::chrono::seconds(120);
  while (Clock::now() < deadline) {
    printed = ReadFile(out);
    if (std::regex_search(printed, match, listening) || WaitFor(pid, std::chrono::milliseconds(20)).has_value()) {
      break;
    }
  }
  if (match.empty()) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    FAIL() << "server did not start; stderr:\n" << ReadFile(err);
  }
  const auto port = static_cast<std::uint16_t>(std::stoi(match[1].str()));
  using td::api::testing::Fetch;

  EXPECT_EQ(Fetch(port, "GET", "/healthz").status, 200) << "health stays public";
  EXPECT_EQ(Fetch(port, "POST", "/api/v1/intervals", "", "{}").status, 403)
      << "auth is on by default (OpenAlgo's 403 shape)";
  const auto with_body_key = Fetch(port, "POST", "/api/v1/intervals", "", R"({"apikey":")" + key + "\"}");
  EXPECT_EQ(with_body_key.status, 200) << with_body_key.body;
  EXPECT_EQ(Fetch(port, "POST", "/api/v1/intervals", "Authorization: Bearer " + key + "\r\n", "{}").status, 200);

  ASSERT_EQ(RunTradedesk({"keys", "revoke", id, "--data-dir", "state"}, dir.path()).exit_code, 0);
  EXPECT_EQ(Fetch(port, "POST", "/api/v1/intervals", "Authorization: Bearer " + key + "\r\n", "{}").status, 403)
      << "a revocation from another process applies at once";

  ::kill(pid, SIGTERM);
  EXPECT_EQ(WaitFor(pid, std::chrono::seconds(15)), std::optional<int>(0)) << ReadFile(err);
  EXPECT_EQ(ReadFile(err).find(key), std::string::npos) << "the key never reaches the logs";
}

}  // namespace
