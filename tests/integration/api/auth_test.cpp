// SPDX-License-Identifier: MIT
// Authentication over real sockets: the same OpenAuth/InstallAuth wiring Serve() uses, a real keys.db in a temp
// dir, and a real HttpServer on 127.0.0.1 port 0.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <random>
#include <set>

#include <boost/json.hpp>

#include "api/auth.hpp"
#include "api/auth_context.hpp"
#include "api/http_server.hpp"
#include "api/json_writer.hpp"
#include "api/log.hpp"
#include "core/clock.hpp"
#include "http_client.hpp"

namespace td::api {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using testing::BuildRequest;
using testing::Fetch;
using testing::HttpResult;
using testing::RawConnection;

constexpr UnixNanos kNow = UnixNanos::FromSeconds(1'760'000'000);
constexpr std::size_t kMaxBody = 16 * 1024;

class AuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device random;
    dir_ = std::filesystem::temp_directory_path() / ("td-auth-it-" + std::to_string(random()));
    ::unsetenv("TRADEDESK_KEY_PEPPER");
    SetLogSink([this](LogLevel, std::string_view line) {
      std::lock_guard lock(log_mutex_);
      log_ += std::string(line) + "\n";
    });
  }

  void TearDown() override {
    if (server_) {
      server_->Stop();
    }
    SetLogSink({});
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  void Start(AuthSettings settings = {}) {
    settings.rate_time_source = [this] {
      return std::chrono::steady_clock::time_point(std::chrono::milliseconds(fake_ms_.load()));
    };
    auto opened = OpenAuth(dir_, settings, clock_);
    ASSERT_TRUE(opened.ok()) << opened.error().ToString();
    auth_ = std::move(opened).value();

    HttpServerOptions options;
    options.listen_port = 0;
    options.io_threads = 2;
    options.max_body_bytes = kMaxBody;
    options.shutdown_grace = 2s;
    server_ = std::make_unique<HttpServer>(options);
    Router& router = server_->router();
    InstallAuth(router, auth_);
    // Count authenticator calls, to show that oversized bodies are refused before any auth work.
    router.SetAuthenticator([this](const Request& request) {
      authenticator_calls_.fetch_add(1);
      return auth_.authenticator(request);
    });
    const auto whoami = [](const Request& r) -> Result<Response> {
      JsonWriter w;
      w.BeginObject().Key("principal").String(r.principal).Key("admin").Bool(r.admin).Key("key_id").String(r.key_id);
      w.EndObject();
      return Response::Json(w.Take());
    };
    router.Get("/me", whoami, MakeDoc("who am I", "getMe"), auth_.Protected());
    router.Post("/api/v1/funds", whoami, MakeDoc("OpenAlgo-style", "postFunds"), auth_.Protected());
    router.Get(
        "/plans/{plan_id}",
        [this](const Request& r) -> Result<Response> {
          const std::string plan_id(r.PathParam("plan_id"));
          const auto owner = owners_.find(plan_id);
          if (Status allowed = auth_.AuthorizePlanRead(r, plan_id, owner == owners_.end() ? "" : owner->second);
              !allowed.ok()) {
            return allowed.error();
          }
          if (owner == owners_.end()) {
            return Error::NotFound("no plan " + plan_id, "plan_id");
          }
          return Response::Json(R"({"plan_id":")" + plan_id + R"(","owner":")" + owner->second + "\"}");
        },
        MakeDoc("a plan", "getPlan"), auth_.PlanRead());
    ASSERT_TRUE(server_->Start().ok());
    port_ = server_->port();
  }

  CreatedKey NewKey(const std::string& user, bool admin = false) {
    auto created = auth_.keys->Create(user, admin, "test");
    EXPECT_TRUE(created.ok());
    return std::move(created).value();
  }

  HttpResult Get(const std::string& target, const std::string& headers = {}) {
    return Fetch(port_, "GET", target, headers);
  }
  static std::string Bearer(const std::string& key) { return "Authorization: Bearer " + key + "\r\n"; }
  static json::object Body(const HttpResult& r) { return json::parse(r.body).as_object(); }

  std::filesystem::path dir_;
  TestClock clock_{kNow};
  AuthContext auth_;
  std::unique_ptr<HttpServer> server_;
  std::uint16_t port_ = 0;
  std::atomic<std::int64_t> fake_ms_{1'000'000};
  std::atomic<int> authenticator_calls_{0};
  std::map<std::string, std::string> owners_ = {{"plan-alice", "alice"}, {"plan-bob", "bob"}};
  std::mutex log_mutex_;
  std::string log_;
};

TEST_F(AuthTest, WrongAbsentMalformedAndRevokedKeysGetTheSame401) {
  Start();
  const CreatedKey alice = NewKey("alice");
  ASSERT_EQ(Get("/me", Bearer(alice.key)).status, 200);
  std::string wrong = alice.key;
  wrong[10] = wrong[10] == 'a' ? 'b' : 'a';
  const CreatedKey revoked = NewKey("carol");
  ASSERT_EQ(Get("/me", Bearer(revoked.key)).status, 200);  // cached before the revocation
  ASSERT_TRUE(auth_.keys->Revoke(revoked.id).ok());

  const std::vector<std::string> attempts = {
      "",                                             // absent
      Bearer(wrong),                                  // wrong
      Bearer(alice.key.substr(0, 40)),                // malformed: short
      Bearer("not-hex-" + alice.key.substr(8)),       // malformed: not hex
      "Authorization: Basic YWxpY2U6cGFzcw==\r\n",    // malformed: another scheme
      "Authorization: Bearer\r\n",                    // malformed: no token
      Bearer(revoked.key),                            // revoked
  };
  std::set<std::string> bodies;
  for (const std::string& headers : attempts) {
    const HttpResult r = Get("/me", headers);
    EXPECT_EQ(r.status, 401) << headers;
    EXPECT_EQ(r.Header("www-authenticate"), "Bearer");
    bodies.insert(r.body);
  }
  ASSERT_EQ(bodies.size(), 1u) << "the answer must not hint at which check failed";
  const json::object error = json::parse(*bodies.begin()).as_object().at("error").as_object();
  EXPECT_EQ(error.at("code").as_string(), "unauthenticated");
}

TEST_F(AuthTest, TheUserComesFromTheKeyAndOnlyAdminsMayActAsAnother) {
  Start();
  const CreatedKey alice = NewKey("alice");
  const CreatedKey ops = NewKey("ops", true);

  const HttpResult self = Get("/me", Bearer(alice.key));
  ASSERT_EQ(self.status, 200) << self.body;
  EXPECT_EQ(Body(self).at("principal").as_string(), "alice");
  EXPECT_FALSE(Body(self).at("admin").as_bool());
  EXPECT_EQ(Body(self).at("key_id").as_string(), alice.id);

  const HttpResult spoofed = Get("/me", Bearer(alice.key) + "X-User-Id: bob\r\n");
  ASSERT_EQ(spoofed.status, 200);
  EXPECT_EQ(Body(spoofed).at("principal").as_string(), "alice") << "a non-admin key acts as itself";
  EXPECT_EQ(Get("/plans/plan-bob", Bearer(alice.key) + "X-User-Id: bob\r\n").status, 404)
      << "spoofing does not open bob's plan";
  {
    std::lock_guard lock(log_mutex_);
    EXPECT_NE(log_.find("ignored X-User-Id"), std::string::npos) << log_;
    EXPECT_EQ(log_.find(alice.key), std::string::npos) << "keys are never logged";
  }

  const HttpResult acting = Get("/me", Bearer(ops.key) + "X-User-Id: bob\r\n");
  ASSERT_EQ(acting.status, 200);
  EXPECT_EQ(Body(acting).at("principal").as_string(), "bob") << "an admin key acts as the named user";
  EXPECT_TRUE(Body(acting).at("admin").as_bool());
  EXPECT_EQ(Get("/me", Bearer(ops.key)).body.find("\"principal\":\"ops\"") != std::string::npos, true);
  const HttpResult bad_name = Get("/me", Bearer(ops.key) + "X-User-Id: ../../etc\r\n");
  EXPECT_EQ(bad_name.status, 400);
  EXPECT_NE(bad_name.body.find("X-User-Id"), std::string::npos);
}

TEST_F(AuthTest, OpenAlgoClientsMaySendTheKeyAsTheApikeyBodyField) {
  Start();
  const CreatedKey alice = NewKey("alice");
  const CreatedKey bob = NewKey("bob");
  const HttpResult ok = Fetch(port_, "POST", "/api/v1/funds", "Content-Type: application/json\r\n",
                              R"({"apikey":")" + alice.key + R"(","strategy":"x"})");
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(Body(ok).at("principal").as_string(), "alice");

  for (const std::string& body : {std::string(R"({"apikey":")") + std::string(64, '0') + "\"}",
                                  std::string(R"({"apikey":42})"), std::string(R"({"strategy":"x"})"),
                                  std::string("apikey=" + alice.key), std::string(R"(["apikey"])")}) {
    EXPECT_EQ(Fetch(port_, "POST", "/api/v1/funds", "Content-Type: application/json\r\n", body).status, 401) << body;
  }
  // A bearer header wins over the body field.
  const HttpResult both =
      Fetch(port_, "POST", "/api/v1/funds", Bearer(bob.key), R"({"apikey":")" + alice.key + "\"}");
  ASSERT_EQ(both.status, 200);
  EXPECT_EQ(Body(both).at("principal").as_string(), "bob");
}

TEST_F(AuthTest, ViewTokensOpenOnlyTheirPlanUntilTheyExpire) {
  Start();
  const CreatedKey alice = NewKey("alice");
  const CreatedKey bob = NewKey("bob");
  const std::string token = auth_.MintViewToken("plan-alice", "alice", kDefaultViewTokenValidity);

  EXPECT_EQ(Get("/plans/plan-alice").status, 401) << "no key and no token";
  EXPECT_EQ(Get("/plans/plan-alice", Bearer(alice.key)).status, 200) << "the owner's key";
  EXPECT_EQ(Get("/plans/plan-alice", Bearer(bob.key)).status, 404) << "another user's key: looks missing";
  const HttpResult viewed = Get("/plans/plan-alice?vt=" + token);
  ASSERT_EQ(viewed.status, 200) << viewed.body;
  EXPECT_EQ(Body(viewed).at("owner").as_string(), "alice");

  EXPECT_EQ(Get("/plans/plan-bob?vt=" + token).status, 401) << "a token for plan A does not open plan B";
  std::string tampered = token;
  tampered[3] = tampered[3] == 'A' ? 'B' : 'A';
  EXPECT_EQ(Get("/plans/plan-alice?vt=" + tampered).status, 401);
  const std::string expired = auth_.view_tokens->Mint("plan-alice", "alice", kNow - 1s);
  EXPECT_EQ(Get("/plans/plan-alice?vt=" + expired).status, 401);
  EXPECT_EQ(Get("/plans/plan-alice?vt=" + token, Bearer(std::string(64, 'f'))).status, 401)
      << "a wrong key is refused even next to a good token";
}

TEST_F(AuthTest, BurstsAreLimitedPerKeyWith429AndRetryAfter) {
  AuthSettings settings;
  settings.rate_per_second = 1;
  settings.burst = 3;
  Start(settings);
  const CreatedKey alice = NewKey("alice");
  const CreatedKey bob = NewKey("bob");
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(Get("/me", Bearer(alice.key)).status, 200) << i;
  }
  const HttpResult limited = Get("/me", Bearer(alice.key));
  ASSERT_EQ(limited.status, 429);
  EXPECT_EQ(limited.Header("retry-after"), "1");
  EXPECT_EQ(Body(limited).at("error").as_object().at("code").as_string(), "rate_limited");
  EXPECT_EQ(Get("/me", Bearer(bob.key)).status, 200) << "another key has its own bucket";
  EXPECT_EQ(Get("/me", Bearer(alice.key) + "X-User-Id: someone\r\n").status, 429)
      << "a spoofed header does not buy a fresh bucket";

  fake_ms_ += 1000;
  EXPECT_EQ(Get("/me", Bearer(alice.key)).status, 200) << "after Retry-After the key works again";
}

TEST_F(AuthTest, OversizedBodiesAre413BeforeAnyAuthWork) {
  Start();
  const CreatedKey alice = NewKey("alice");
  authenticator_calls_ = 0;
  const std::string body = R"({"apikey":")" + alice.key + R"(","pad":")" + std::string(kMaxBody, 'x') + "\"}";
  const HttpResult r = Fetch(port_, "POST", "/api/v1/funds", Bearer(alice.key), body);
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(authenticator_calls_.load(), 0);
  EXPECT_EQ(Get("/me", Bearer(alice.key)).status, 200);
  EXPECT_EQ(authenticator_calls_.load(), 1);
}

TEST_F(AuthTest, NoAuthModeActsAsLocalAdmin) {
  AuthSettings settings;
  settings.enabled = false;
  Start(settings);
  EXPECT_EQ(auth_.keys, nullptr);
  const HttpResult r = Get("/me");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(Body(r).at("principal").as_string(), "local");
  EXPECT_TRUE(Body(r).at("admin").as_bool());
  EXPECT_EQ(Get("/plans/plan-alice").status, 200);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "keys.db")) << "no key store when auth is off";
}

TEST_F(AuthTest, OpenApiMarksKeysRequiredOrOptional) {
  Start();
  const HttpResult r = Get("/openapi.json");
  ASSERT_EQ(r.status, 200);
  const json::object paths = json::parse(r.body).as_object().at("paths").as_object();
  const json::array& me = paths.at("/me").at("get").at("security").as_array();
  ASSERT_EQ(me.size(), 1u);
  EXPECT_TRUE(me[0].as_object().contains("bearerAuth"));
  const json::object& plan_get = paths.at("/plans/{plan_id}").at("get").as_object();
  const json::array& plan = plan_get.at("security").as_array();
  ASSERT_EQ(plan.size(), 2u) << "a key, or nothing (then a view token)";
  EXPECT_TRUE(plan[1].as_object().empty());
  EXPECT_TRUE(plan_get.at("responses").as_object().contains("429"));
}

TEST_F(AuthTest, KeysDbHoldsNoKeyInClearAndSecretsAreOwnerOnly) {
  Start();
  const CreatedKey alice = NewKey("alice");
  ASSERT_EQ(Get("/me", Bearer(alice.key)).status, 200);
  std::string bytes;
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
    std::ifstream in(entry.path(), std::ios::binary);
    bytes.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (entry.path().filename() == "key_pepper" || entry.path().filename() == "view_token.key" ||
        entry.path().filename() == "keys.db") {
      EXPECT_EQ(std::filesystem::status(entry.path()).permissions() & std::filesystem::perms::all,
                std::filesystem::perms::owner_read | std::filesystem::perms::owner_write)
          << entry.path();
    }
  }
  EXPECT_EQ(bytes.find(alice.key), std::string::npos);
}

}  // namespace
}  // namespace td::api
