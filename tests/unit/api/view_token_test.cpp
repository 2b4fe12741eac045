// SPDX-License-Identifier: MIT
// View tokens (signed chart links) and the plan-read rule that accepts them.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include "api/auth_context.hpp"
#include "api/view_token.hpp"
#include "core/clock.hpp"
#include "temp_dir.hpp"

namespace td::api {
namespace {

using testing::TempDir;

constexpr UnixNanos kNow = UnixNanos::FromSeconds(1'760'000'000);
constexpr UnixNanos kWeekLater = UnixNanos::FromSeconds(1'760'000'000 + 7 * 86400);

ViewTokenSigner Signer(unsigned char fill) {
  std::array<unsigned char, 32> secret{};
  secret.fill(fill);
  return ViewTokenSigner::FromSecret(secret);
}

TEST(ViewToken, VerifiesForItsPlanUntilItExpires) {
  const ViewTokenSigner signer = Signer(7);
  const std::string token = signer.Mint("plan-A", "alice", kWeekLater);
  EXPECT_EQ(token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."),
            std::string::npos)
      << "URL-safe without escaping: " << token;
  auto grant = signer.Verify(token, "plan-A", kNow);
  ASSERT_TRUE(grant.ok()) << grant.error().ToString();
  EXPECT_EQ(grant->user, "alice");
  EXPECT_EQ(grant->expires, kWeekLater);
  EXPECT_TRUE(signer.Verify(token, "plan-A", kWeekLater - std::chrono::seconds(1)).ok());
}

TEST(ViewToken, RefusesAnotherPlanExpiryTamperingAndAnotherSecret) {
  const ViewTokenSigner signer = Signer(7);
  const std::string token = signer.Mint("plan-A", "alice", kWeekLater);
  const auto refused = [&](std::string_view candidate, std::string_view plan, UnixNanos now) {
    auto result = signer.Verify(candidate, plan, now);
    if (result.ok()) {
      return false;
    }
    EXPECT_EQ(result.error().code, ErrorCode::kUnauthenticated);
    EXPECT_EQ(result.error().field, "vt");
    return true;
  };
  EXPECT_TRUE(refused(token, "plan-B", kNow)) << "a token for plan A is not a token for plan B";
  EXPECT_TRUE(refused(token, "plan-", kNow));
  EXPECT_TRUE(refused(token, "plan-AB", kNow));
  EXPECT_TRUE(refused(token, "plan-A", kWeekLater)) << "expired at its expiry second";
  EXPECT_TRUE(refused(signer.Mint("plan-A", "alice", kNow - std::chrono::seconds(1)), "plan-A", kNow));

  // Tampering: every single-character change anywhere in the token is refused.
  const std::string alphabet = "AQgw09-_";
  for (std::size_t i = 0; i < token.size(); ++i) {
    if (token[i] == '.') {
      continue;
    }
    std::string tampered = token;
    tampered[i] = alphabet[(alphabet.find(token[i]) + 1) % alphabet.size()];
    if (tampered[i] == token[i]) {
      tampered[i] = 'B';
    }
    EXPECT_TRUE(refused(tampered, "plan-A", kNow)) << "tampered at " << i;
  }
  // A payload re-signed by someone without the secret (here: another secret) is refused.
  const std::string forged = Signer(8).Mint("plan-A", "alice", kWeekLater);
  EXPECT_TRUE(refused(forged, "plan-A", kNow));
  // Payload of one token with the signature of another.
  const std::string other = signer.Mint("plan-A", "bob", kWeekLater);
  EXPECT_TRUE(refused(token.substr(0, token.find('.')) + other.substr(other.find('.')), "plan-A", kNow));
  for (std::string_view garbage : {"", ".", "abc", "abc.", ".abc", "a.b.c", "!!!.???"}) {
    EXPECT_TRUE(refused(garbage, "plan-A", kNow)) << garbage;
  }
  EXPECT_TRUE(refused(std::string(5000, 'A') + "." + std::string(43, 'A'), "plan-A", kNow));
}

TEST(ViewToken, PlanIdsWithSeparatorsStayBound) {
  const ViewTokenSigner signer = Signer(3);
  const std::string token = signer.Mint("a|b", "carol", kWeekLater);
  auto grant = signer.Verify(token, "a|b", kNow);
  ASSERT_TRUE(grant.ok());
  EXPECT_EQ(grant->user, "carol");
  EXPECT_FALSE(signer.Verify(token, "a", kNow).ok());
}

TEST(ViewToken, SecretFileIsCreatedOnceWithOwnerOnlyMode) {
  TempDir dir;
  auto first = ViewTokenSigner::LoadOrCreate(dir.path() / "state");
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  const auto file = dir.path() / "state" / "view_token.key";
  struct stat info {};
  ASSERT_EQ(::stat(file.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  auto second = ViewTokenSigner::LoadOrCreate(dir.path() / "state");
  ASSERT_TRUE(second.ok());
  const std::string token = first->Mint("p1", "alice", kWeekLater);
  EXPECT_TRUE(second->Verify(token, "p1", kNow).ok()) << "the secret survives a restart";

  TempDir elsewhere;
  auto unrelated = ViewTokenSigner::LoadOrCreate(elsewhere.path());
  ASSERT_TRUE(unrelated.ok());
  EXPECT_FALSE(unrelated->Verify(token, "p1", kNow).ok()) << "each data dir has its own secret";

  ASSERT_EQ(::chmod(file.c_str(), 0640), 0);
  auto exposed = ViewTokenSigner::LoadOrCreate(dir.path() / "state");
  ASSERT_FALSE(exposed.ok());
  EXPECT_EQ(exposed.error().code, ErrorCode::kPermissionDenied);
}

TEST(AuthorizePlanRead, OwnersAdminsAndViewTokensMayReadOthersMayNot) {
  TestClock clock(kNow);
  AuthContext auth;
  auth.clock = &clock;
  auth.view_tokens = std::make_shared<const ViewTokenSigner>(Signer(9));

  Request request;
  request.principal = "alice";
  EXPECT_TRUE(auth.AuthorizePlanRead(request, "p1", "alice").ok());

  request.principal = "bob";
  auto foreign = auth.AuthorizePlanRead(request, "p1", "alice");
  ASSERT_FALSE(foreign.ok());
  EXPECT_EQ(foreign.error().code, ErrorCode::kNotFound) << "another user's plan looks missing";

  request.admin = true;
  EXPECT_TRUE(auth.AuthorizePlanRead(request, "p1", "alice").ok());

  Request anonymous;
  EXPECT_EQ(auth.AuthorizePlanRead(anonymous, "p1", "alice").error().code, ErrorCode::kUnauthenticated);
  anonymous.query = {{"vt", auth.MintViewToken("p1", "alice", kDefaultViewTokenValidity)}};
  EXPECT_TRUE(auth.AuthorizePlanRead(anonymous, "p1", "alice").ok());
  EXPECT_EQ(auth.AuthorizePlanRead(anonymous, "p2", "alice").error().code, ErrorCode::kUnauthenticated);
  clock.Advance(kDefaultViewTokenValidity);
  EXPECT_EQ(auth.AuthorizePlanRead(anonymous, "p1", "alice").error().code, ErrorCode::kUnauthenticated)
      << "seven days later the link has expired";
}

}  // namespace
}  // namespace td::api
