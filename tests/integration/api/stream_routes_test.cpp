// SPDX-License-Identifier: MIT
// The live streams over real sockets: GET /stream/{symbol} (SSE) and WS /ws/plans/{plan_id}, driven by the
// LiveStreamService over the seeded simulator whose clock the test moves, a real SQLite plan store and the
// real key store and view tokens (auth on), as `serve` wires them. The WebSocket client is a few lines of
// RFC 6455 framing on a POSIX socket so this test needs no Beast.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <map>
#include <random>
#include <thread>

#include <boost/json.hpp>

#include "api/auth_context.hpp"
#include "api/coach_routes.hpp"
#include "api/http_server.hpp"
#include "api/stream_routes.hpp"
#include "http_client.hpp"
#include "plans/plan_follower.hpp"
#include "plans/plan_store.hpp"
#include "system/coach_service.hpp"
#include "system/live_stream_service.hpp"
#include "system/market_service.hpp"

namespace td::api {
namespace {

using namespace std::chrono_literals;
using testing::BuildRequest;
using testing::HttpResult;
using testing::RawConnection;

UnixNanos At(const char* iso) {
  return *UnixNanos::ParseIso8601(iso);
}

/// Test time the publisher thread may read while the test moves it.
class SteppingClock final : public Clock {
 public:
  explicit SteppingClock(UnixNanos start) : now_(start.nanos()) {}
  UnixNanos Now() const override { return UnixNanos(now_.load()); }
  void Advance(Duration by) { now_.fetch_add(by.count()); }

 private:
  std::atomic<std::int64_t> now_;
};

struct SseEvent {
  std::uint64_t id = 0;
  std::string event;
  std::string data;
};

/// The next event (comments and retry hints skipped); nullopt on close or timeout.
std::optional<SseEvent> ReadEvent(RawConnection& connection, std::chrono::milliseconds timeout = 5s) {
  SseEvent event;
  bool any = false;
  while (true) {
    auto line = connection.ReadLine(timeout);
    if (!line) {
      return std::nullopt;
    }
    if (line->empty()) {
      if (any) {
        return event;
      }
      continue;
    }
    if (line->front() == ':' || line->rfind("retry:", 0) == 0) {
      continue;
    }
    any = true;
    if (line->rfind("id: ", 0) == 0)
      event.id = std::stoull(line->substr(4));
    if (line->rfind("event: ", 0) == 0)
      event.event = line->substr(7);
    if (line->rfind("data: ", 0) == 0)
      event.data += line->substr(6);
  }
}

template <typename Predicate>
bool WaitUntil(Predicate predicate, std::chrono::milliseconds timeout = 5s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (predicate())
      return true;
    std::this_thread::sleep_for(5ms);
  }
  return predicate();
}

/// A minimal WebSocket client: the upgrade request, then unmasked server frames reassembled into messages.
class WsClient {
 public:
  ~WsClient() {
    if (fd_ >= 0)
      ::close(fd_);
  }
  /// Connects and sends the upgrade; returns the HTTP status of the answer (101 when accepted).
  int Open(std::uint16_t port, const std::string& target, const std::string& extra_headers = {}) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0)
      return 0;
    const std::string request = "GET " + target +
                                " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
                                extra_headers + "\r\n";
    if (::send(fd_, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size()))
      return 0;
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    std::size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill(deadline))
        return 0;
    }
    head_ = buffer_.substr(0, end);
    buffer_.erase(0, end + 4);
    const int status = std::stoi(head_.substr(9, 3));
    if (status != 101) {
      Fill(std::chrono::steady_clock::now() + 200ms);  // the JSON error, for failure messages
      head_ += "\n" + buffer_;
    }
    return status;
  }
  /// The next text message; nullopt on close or timeout.
  std::optional<std::string> ReadText(std::chrono::milliseconds timeout = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string message;
    while (true) {
      if (!Need(2, deadline))
        return std::nullopt;
      const auto b0 = static_cast<unsigned char>(buffer_[0]);
      const auto b1 = static_cast<unsigned char>(buffer_[1]);
      std::size_t header = 2;
      std::uint64_t length = b1 & 0x7F;
      if (length == 126) {
        if (!Need(4, deadline))
          return std::nullopt;
        length = (static_cast<unsigned char>(buffer_[2]) << 8) | static_cast<unsigned char>(buffer_[3]);
        header = 4;
      } else if (length == 127) {
        if (!Need(10, deadline))
          return std::nullopt;
        length = 0;
        for (int i = 2; i < 10; ++i)
          length = (length << 8) | static_cast<unsigned char>(buffer_[i]);
        header = 10;
      }
      if (!Need(header + length, deadline))
        return std::nullopt;
      const int opcode = b0 & 0x0F;
      std::string payload = buffer_.substr(header, length);
      buffer_.erase(0, header + length);
      if (opcode == 0x8)
        return std::nullopt;  // close
      if (opcode >= 0x8)
        continue;  // ping/pong: control frames are not messages
      message += payload;
      if (b0 & 0x80)
        return message;
    }
  }
  const std::string& head() const { return head_; }

 private:
  bool Need(std::size_t bytes, std::chrono::steady_clock::time_point deadline) {
    while (buffer_.size() < bytes) {
      if (!Fill(deadline))
        return false;
    }
    return true;
  }
  bool Fill(std::chrono::steady_clock::time_point deadline) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0)
      return false;
    char chunk[16384];
    const ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
    if (n <= 0)
      return false;
    buffer_.append(chunk, static_cast<std::size_t>(n));
    return true;
  }

  int fd_ = -1;
  std::string buffer_;
  std::string head_;
};

class StreamRoutesTest : public ::testing::Test {
 protected:
  // One market for the suite: building the simulator's history is the slow part. Each test moves the shared
  // clock forward (about 220 minutes in all), so every test runs inside the regular session.
  static void SetUpTestSuite() {
    // A Tuesday, 13:40 UTC = 09:40 ET: the NYSE regular session is open for the next six hours.
    clock_ = new SteppingClock(At("2025-09-16T13:40:00Z"));
    auto market = system::MarketService::StartSimulator({.seed = 11, .history_days = 1}, *clock_);
    ASSERT_TRUE(market.ok()) << market.error().ToString();
    market_ = market->release();
  }
  static void TearDownTestSuite() {
    delete market_;
    delete clock_;
  }

  void SetUp() override {
    ASSERT_NE(market_, nullptr);
    std::random_device random;
    dir_ = std::filesystem::temp_directory_path() / ("td-stream-routes-" + std::to_string(random()));
    std::filesystem::create_directories(dir_);
    auto store = plans::PlanStore::Open(dir_ / "plans.db", *clock_);
    ASSERT_TRUE(store.ok()) << store.error().ToString();
    store_ = std::move(store).value();
    coach_ = std::make_unique<system::CoachService>(*market_, store_.get(), *clock_);
    AuthSettings settings;
    settings.pepper = std::string(64, 'a');
    settings.rate_per_second = 10000;
    settings.burst = 10000;
    auto auth = OpenAuth(dir_, settings, *clock_);
    ASSERT_TRUE(auth.ok()) << auth.error().ToString();
    auth_ = std::make_unique<AuthContext>(std::move(auth).value());
    auto alice = auth_->keys->Create("alice", false, "test");
    auto bob = auth_->keys->Create("bob", false, "test");
    ASSERT_TRUE(alice.ok() && bob.ok());
    alice_ = "Authorization: Bearer " + alice->key + "\r\n";
    bob_ = "Authorization: Bearer " + bob->key + "\r\n";
  }

  void StartServer(HttpServerOptions options = {}) {
    options.listen_port = 0;
    server_ = std::make_unique<HttpServer>(std::move(options));
    InstallAuth(server_->router(), *auth_);
    system::LiveStreamService::Options live;
    live.poll_interval = 20ms;
    live.heartbeat_interval = 200ms;
    live.unwatch_grace = 5s;
    live_ = std::make_unique<system::LiveStreamService>(*market_, *coach_, RenderPlan, *clock_, live);
    hub_ = AddStreamRoutes(server_->router(), *live_, *store_, *auth_);
    ASSERT_TRUE(server_->Start().ok());
    port_ = server_->port();
    auto symbol = live_->WatchSymbol("SPY");
    ASSERT_TRUE(symbol.ok());
    spy_ = *symbol;
  }

  void TearDown() override {
    if (server_)
      server_->Stop();
    if (live_)
      live_->Stop();
    hub_.reset();
    live_.reset();
    server_.reset();
    auth_.reset();
    coach_.reset();
    store_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  void OpenStream(RawConnection& connection, std::string_view extra_headers = {}, int receive_buffer = 0) {
    ASSERT_TRUE(connection.Connect(port_, receive_buffer));
    connection.Send(BuildRequest("GET", "/stream/SPY", extra_headers));
    const HttpResult head = connection.ReadHead();
    ASSERT_EQ(head.status, 200);
    EXPECT_EQ(head.Header("content-type"), "text/event-stream");
  }

  /// Moves the market on by `steps` minutes, letting the publisher see each minute.
  void DriveMinutes(int steps, std::chrono::milliseconds pause = 25ms) {
    for (int i = 0; i < steps; ++i) {
      clock_->Advance(std::chrono::minutes(1));
      const std::uint64_t ticks = live_->ticks();
      ASSERT_TRUE(WaitUntil([&] { return live_->ticks() > ticks + 1; })) << "the publisher stopped ticking";
      std::this_thread::sleep_for(pause);
    }
  }

  static inline SteppingClock* clock_ = nullptr;
  static inline system::MarketService* market_ = nullptr;
  std::filesystem::path dir_;
  std::unique_ptr<plans::PlanStore> store_;
  std::unique_ptr<system::CoachService> coach_;
  std::unique_ptr<AuthContext> auth_;
  std::string alice_, bob_;
  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<system::LiveStreamService> live_;
  std::shared_ptr<StreamHub> hub_;
  std::uint16_t port_ = 0;
  std::string spy_;
};

TEST_F(StreamRoutesTest, TwoHundredClientsReceiveEveryEventInOrder) {
  StartServer();
  constexpr int kClients = 200;
  std::vector<std::unique_ptr<RawConnection>> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(std::make_unique<RawConnection>());
    OpenStream(*clients.back());
  }
  ASSERT_TRUE(WaitUntil([&] { return hub_->symbol_clients(spy_) == kClients; }));
  const std::uint64_t first_shared = hub_->symbol_last_id(spy_) + 1;  // every client must see this one on
  DriveMinutes(20);
  const std::uint64_t last = hub_->symbol_last_id(spy_);
  ASSERT_GT(last, first_shared + 40) << "20 minutes publish closed bars, forming bars and ticks";

  std::atomic<int> complete{0};
  std::vector<std::string> failures(kClients);
  std::vector<std::thread> readers;
  for (int t = 0; t < 8; ++t) {
    readers.emplace_back([&, t] {
      for (int c = t; c < kClients; c += 8) {
        std::uint64_t previous = 0;
        std::map<std::string, int> kinds;
        bool partial = false, closed = false;
        while (previous < last) {
          auto event = ReadEvent(*clients[c]);
          if (!event) {
            failures[c] = "stream ended at id " + std::to_string(previous);
            break;
          }
          if (previous != 0 && event->id != previous + 1) {
            failures[c] = "id " + std::to_string(event->id) + " after " + std::to_string(previous);
            break;
          }
          if (previous == 0 && event->id > first_shared) {
            failures[c] = "first id " + std::to_string(event->id);
            break;
          }
          previous = event->id;
          ++kinds[event->event];
          const auto data = boost::json::parse(event->data).as_object();
          if (event->event == "bar") {
            (data.at("partial").as_bool() ? partial : closed) = true;
            EXPECT_GE(data.at("h").to_number<double>(), data.at("l").to_number<double>());
            EXPECT_EQ(data.at("t").as_int64() % 60, 0);
          } else if (event->event == "tick") {
            EXPECT_GT(data.at("p").to_number<double>(), 0);
            EXPECT_TRUE(data.at("ts").is_string());
          } else if (event->event == "market_status") {
            EXPECT_EQ(data.at("phase").as_string(), "regular");
          }
        }
        if (failures[c].empty() &&
            (!partial || !closed || kinds["tick"] == 0 || kinds["heartbeat"] == 0 || kinds["market_status"] != 1)) {
          failures[c] = "missing event kinds";
        }
        if (failures[c].empty())
          complete.fetch_add(1);
      }
    });
  }
  for (auto& reader : readers)
    reader.join();
  for (int c = 0; c < kClients; ++c)
    EXPECT_TRUE(failures[c].empty()) << "client " << c << ": " << failures[c];
  EXPECT_EQ(complete.load(), kClients);
  EXPECT_EQ(hub_->symbol_dropped(spy_), 0u);
}

TEST_F(StreamRoutesTest, StalledClientIsDroppedWithoutDelayingOthers) {
  HttpServerOptions options;
  options.stream_queue_capacity = 64;
  options.stream_send_buffer_bytes = 4096;
  StartServer(options);
  RawConnection stalled;
  OpenStream(stalled, {}, 4096);  // reads the head, then never again
  RawConnection healthy;
  OpenStream(healthy);
  ASSERT_TRUE(WaitUntil([&] { return hub_->symbol_clients(spy_) == 2; }));

  std::atomic<std::uint64_t> seen{0};
  std::atomic<std::uint64_t> until{0};  // set once the producer is done: read up to this id
  std::atomic<bool> broken{false};
  std::thread reader([&] {
    while (until.load() == 0 || seen.load() < until.load()) {
      auto event = ReadEvent(healthy, 3s);
      if (!event || (seen.load() != 0 && event->id != seen.load() + 1)) {
        broken = true;
        return;
      }
      seen = event->id;
    }
  });
  // The simulator moves too slowly to flood a socket, so bars are injected where the service delivers them
  // (the hub its sink calls), next to the service's own events: 2000 bars, far more than the stalled socket's
  // buffers and its queue (64) hold. The producer paces itself on the healthy reader only, so that reader's own
  // bounded queue is not what is under test; it never waits for the stalled one.
  Bar bar;
  bar.ts_event = clock_->Now();
  bar.open = bar.high = bar.low = bar.close = *Price::Parse("500.25");
  bar.volume = *Quantity::Parse("1000");
  for (int i = 0; i < 2000; ++i) {
    ASSERT_TRUE(WaitUntil([&] { return hub_->symbol_last_id(spy_) - seen.load() < 48 || broken.load(); }, 5s))
        << "healthy reader stuck at " << seen.load();
    hub_->PublishSymbol(spy_, system::BarUpdated{bar, true});
  }
  ASSERT_TRUE(WaitUntil([&] { return hub_->symbol_dropped(spy_) == 1; }, 5s)) << "the stalled client is dropped";
  until = hub_->symbol_last_id(spy_);
  reader.join();
  EXPECT_FALSE(broken.load()) << "the healthy client lost an event (last " << seen.load() << ")";
  EXPECT_GE(seen.load(), until.load());
  EXPECT_EQ(hub_->symbol_clients(spy_), 1u);
  EXPECT_TRUE(stalled.WaitForClose(5s));
}

TEST_F(StreamRoutesTest, LastEventIdResumesWithExactlyTheMissedEvents) {
  StartServer();
  RawConnection witness;  // stays connected: the reference for what was published
  OpenStream(witness);
  std::uint64_t left_at = 0;
  {
    RawConnection first;
    OpenStream(first);
    ASSERT_TRUE(WaitUntil([&] { return hub_->symbol_clients(spy_) == 2; }));
    DriveMinutes(2);
    const std::uint64_t target = hub_->symbol_last_id(spy_);
    while (left_at < target) {
      auto event = ReadEvent(first);
      ASSERT_TRUE(event);
      left_at = event->id;
    }
  }
  DriveMinutes(4);
  const std::uint64_t last = hub_->symbol_last_id(spy_);
  ASSERT_GT(last, left_at + 4);
  std::map<std::uint64_t, std::pair<std::string, std::string>> published;
  while (published.empty() || published.rbegin()->first < last) {
    auto event = ReadEvent(witness);
    ASSERT_TRUE(event);
    published[event->id] = {event->event, event->data};
  }

  RawConnection resumed;
  OpenStream(resumed, "Last-Event-ID: " + std::to_string(left_at) + "\r\n");
  for (std::uint64_t id = left_at + 1; id <= last; ++id) {
    auto event = ReadEvent(resumed);
    ASSERT_TRUE(event) << id;
    ASSERT_EQ(event->id, id);
    EXPECT_EQ(event->event, published[id].first);
    EXPECT_EQ(event->data, published[id].second);
  }
  // A Last-Event-ID that is not a number is a fresh start (from the latest market status).
  RawConnection fresh;
  OpenStream(fresh, "Last-Event-ID: yesterday\r\n");
  auto event = ReadEvent(fresh);
  ASSERT_TRUE(event);
  EXPECT_EQ(event->event, "market_status");
  EXPECT_EQ(testing::Fetch(port_, "GET", "/stream/NOPE:NOTHING").status, 404);
}

TEST_F(StreamRoutesTest, PlanSocketSendsThePlanThenTheDeltasItsBarsImply) {
  StartServer();
  system::PlanQuery query;
  query.symbol = "SPY";
  query.style = scanner::Style::kScalp;
  auto computed = coach_->ComputePlan(query);
  ASSERT_TRUE(computed.ok()) << computed.error().ToString();
  auto stored = coach_->IssuePlan(plans::UserScope{"alice", false}, *computed, RenderPlan);
  ASSERT_TRUE(stored.ok()) << stored.error().ToString();
  const std::string plan_id = stored->plan_id;
  // Ninety minutes pass before anyone watches: the follower replays them when the socket opens.
  clock_->Advance(std::chrono::minutes(90));
  const UnixNanos now = clock_->Now();

  // What those bars imply, from an independent follower over the same plan and bars.
  system::PlanQuery rebuild = query;
  rebuild.as_of = stored->as_of;
  auto rebuilt = coach_->ComputePlan(rebuild);
  ASSERT_TRUE(rebuilt.ok());
  scanner::Plan plan = rebuilt->plan;
  plan.plan_id = plan_id;
  auto follower = plans::PlanFollower::Create(plan);
  ASSERT_TRUE(follower.ok()) << follower.error().ToString();
  auto id = market_->Resolve("SPY");
  ASSERT_TRUE(id.ok());
  auto bars = market_->Bars(id->id, BarSpec{1, BarUnit::kMinute}, plan.as_of, now + Duration(1));
  ASSERT_TRUE(bars.ok());
  std::vector<plans::PlanDelta> expected;
  for (const Bar& bar : *bars) {
    if (bar.ts_event + std::chrono::minutes(1) <= now)
      follower->OnBar(bar, BarSpec{1, BarUnit::kMinute}, expected);
  }
  follower->AdvanceTo(now, expected);
  ASSERT_FALSE(expected.empty()) << "a scalp plan enters or expires within 90 minutes";

  const std::string target = "/ws/plans/" + plan_id;
  {
    WsClient ws;
    ASSERT_EQ(ws.Open(port_, target, alice_), 101) << ws.head();
    auto full = ws.ReadText();
    ASSERT_TRUE(full);
    const auto message = boost::json::parse(*full).as_object();
    EXPECT_EQ(message.at("plan_id").as_string(), plan_id);
    EXPECT_EQ(message.at("event").at("t").as_string(), "plan_full");
    EXPECT_EQ(message.at("event").at("payload").at("plan_id").as_string(), plan_id);
    std::vector<std::string> deltas;
    bool heartbeat = false;
    while (deltas.size() < expected.size() || !heartbeat) {
      auto text = ws.ReadText();
      ASSERT_TRUE(text) << "after " << deltas.size() << " deltas";
      const auto t = boost::json::parse(*text).at("event").at("t").as_string();
      if (t == "heartbeat") {
        heartbeat = true;
      } else if (t == "plan_delta") {
        deltas.push_back(*text);
      }
    }
    for (std::size_t i = 0; i < expected.size(); ++i)
      EXPECT_EQ(deltas[i], plans::PlanDeltaMessageToJson(expected[i])) << i;
  }

  // A stop-out or exit makes the follower offer a replan: a real plan in the store, child of this one.
  const std::uint64_t last_seq = hub_->plan_last_seq(plan_id);
  const bool position_left = std::any_of(expected.begin(), expected.end(), [](const plans::PlanDelta& delta) {
    return delta.kind == plans::DeltaKind::kStoppedOut || delta.kind == plans::DeltaKind::kExited;
  });
  ASSERT_EQ(last_seq, expected.size() + (position_left ? 1 : 0));
  if (position_left) {
    WsClient ws;
    ASSERT_EQ(ws.Open(port_, target + "?after=" + std::to_string(expected.size()), alice_), 101);
    ASSERT_TRUE(ws.ReadText());  // plan_full
    auto offer = ws.ReadText();
    ASSERT_TRUE(offer);
    EXPECT_EQ(boost::json::parse(*offer).at("event").at("kind").as_string(), "replan_offered");
    const auto changes = boost::json::parse(*offer).at("event").at("changes");
    const std::string next(changes.at("next_plan_id").as_string());
    auto child = store_->Get(plans::UserScope{"alice", false}, next);
    ASSERT_TRUE(child.ok()) << next;
    EXPECT_EQ(child->parent_plan_id, plan_id);
    EXPECT_EQ(child->reason, "replan");
  }

  // ?after= resumes: the plan, then exactly the deltas after that seq.
  {
    WsClient ws;
    ASSERT_EQ(ws.Open(port_, target + "?after=1", alice_), 101);
    auto full = ws.ReadText();
    ASSERT_TRUE(full);
    EXPECT_EQ(boost::json::parse(*full).at("event").at("t").as_string(), "plan_full");
    for (std::uint64_t seq = 2; seq <= last_seq; ++seq) {
      std::optional<std::string> text;
      do {
        text = ws.ReadText();
        ASSERT_TRUE(text) << seq;
      } while (boost::json::parse(*text).at("event").at("t").as_string() == "heartbeat");
      EXPECT_EQ(boost::json::parse(*text).at("event").at("seq").to_number<std::uint64_t>(), seq);
      if (seq <= expected.size()) {
        EXPECT_EQ(*text, plans::PlanDeltaMessageToJson(expected[seq - 1]));
      }
    }
  }

  // Who may watch: the owner's key or a view token for this plan; nobody else.
  {
    WsClient anonymous;
    EXPECT_EQ(anonymous.Open(port_, target), 401);
    WsClient wrong_key;
    EXPECT_EQ(wrong_key.Open(port_, target, "Authorization: Bearer td_not_a_key\r\n"), 401);
    WsClient other_user;
    EXPECT_EQ(other_user.Open(port_, target, bob_), 404);
    WsClient bad_after;
    EXPECT_EQ(bad_after.Open(port_, target + "?after=x", alice_), 400);
    WsClient missing;
    EXPECT_EQ(missing.Open(port_, "/ws/plans/pl_000000000000000000000000", alice_), 404);
    WsClient forged;
    EXPECT_EQ(forged.Open(port_, target + "?vt=bogus"), 401);
    const std::string token = auth_->MintViewToken(plan_id, "alice", std::chrono::hours(1));
    WsClient viewer;
    ASSERT_EQ(viewer.Open(port_, target + "?vt=" + token), 101);
    auto full = viewer.ReadText();
    ASSERT_TRUE(full);
    EXPECT_EQ(boost::json::parse(*full).at("event").at("t").as_string(), "plan_full");
    WsClient other_plan_token;
    EXPECT_EQ(other_plan_token.Open(port_, "/ws/plans/pl_000000000000000000000000?vt=" + token), 401);
  }
}

TEST(RenderPlanDelta, AddsTheNextPlansTokenToTheChangesOnlyWhenThereIsOne) {
  plans::PlanDelta delta;
  delta.plan_id = "pl_a";
  delta.seq = 7;
  delta.kind = plans::DeltaKind::kReplanOffered;
  delta.what = "next_plan";
  delta.to = "pl_b";
  delta.why = "stopped out; a new plan follows";
  delta.next_plan_id = "pl_b";
  EXPECT_EQ(RenderPlanDelta(delta, ""), plans::PlanDeltaMessageToJson(delta));
  const auto message = boost::json::parse(RenderPlanDelta(delta, "tok\"en.sig")).as_object();
  const auto& changes = message.at("event").at("changes").as_object();
  EXPECT_EQ(changes.at("next_plan_id").as_string(), "pl_b");
  EXPECT_EQ(changes.at("next_plan_vt").as_string(), "tok\"en.sig");
  EXPECT_EQ(message.at("event").at("seq").as_int64(), 7);
}

TEST_F(StreamRoutesTest, AReplanOfferCarriesAViewTokenThatOpensOnlyTheNextPlan) {
  StartServer();
  // Find, by computing and replaying like the service does, a plan issued earlier in this session that has
  // since left its position (stopped out or exited): following it must offer a replan. The simulator is seeded
  // and the clock is the test's, so the search finds the same plan every run.
  clock_->Advance(std::chrono::minutes(45));
  const UnixNanos now = clock_->Now();
  auto id = market_->Resolve("SPY");
  ASSERT_TRUE(id.ok());
  std::optional<system::PlanComputation> chosen;
  for (int minutes_back = 30; minutes_back <= 150 && !chosen; minutes_back += 10) {
    for (scanner::Style style : {scanner::Style::kScalp, scanner::Style::kIntraday}) {
      system::PlanQuery query{"SPY", style, std::nullopt, now - std::chrono::minutes(minutes_back)};
      auto computed = coach_->ComputePlan(query);
      if (!computed.ok()) continue;
      auto follower = plans::PlanFollower::Create(computed->plan);
      if (!follower.ok()) continue;
      auto bars = market_->Bars(id->id, BarSpec{1, BarUnit::kMinute}, computed->plan.as_of, now + Duration(1));
      ASSERT_TRUE(bars.ok());
      std::vector<plans::PlanDelta> deltas;
      for (const Bar& bar : *bars) {
        if (bar.ts_event + std::chrono::minutes(1) <= now) follower->OnBar(bar, BarSpec{1, BarUnit::kMinute}, deltas);
      }
      if (std::any_of(deltas.begin(), deltas.end(), [](const plans::PlanDelta& d) {
            return d.kind == plans::DeltaKind::kStoppedOut || d.kind == plans::DeltaKind::kExited;
          })) {
        chosen = std::move(computed).value();
        break;
      }
    }
  }
  ASSERT_TRUE(chosen) << "no SPY plan of the last 150 minutes left its position";
  auto stored = coach_->IssuePlan(plans::UserScope{"alice", false}, *chosen, RenderPlan);
  ASSERT_TRUE(stored.ok()) << stored.error().ToString();
  const std::string plan_id = stored->plan_id;

  // A viewer holding only this plan's view token.
  const std::string token = auth_->MintViewToken(plan_id, "alice", kDefaultViewTokenValidity);
  WsClient ws;
  ASSERT_EQ(ws.Open(port_, "/ws/plans/" + plan_id + "?vt=" + token), 101) << ws.head();
  std::optional<boost::json::object> offer;
  while (!offer) {
    auto text = ws.ReadText();
    ASSERT_TRUE(text) << "no replan offer arrived";
    auto message = boost::json::parse(*text).as_object();
    const auto& event = message.at("event").as_object();
    if (event.at("t").as_string() != "plan_delta") continue;
    if (event.at("kind").as_string() == "replan_offered") {
      offer = message;
    } else {
      EXPECT_FALSE(event.at("changes").as_object().contains("next_plan_vt")) << *text;
    }
  }
  const auto& changes = offer->at("event").at("changes").as_object();
  const std::string next_id(changes.at("next_plan_id").as_string());
  ASSERT_TRUE(changes.contains("next_plan_vt")) << serialize(*offer);
  const std::string next_token(changes.at("next_plan_vt").as_string());
  auto next = store_->Get(plans::UserScope{"alice", false}, next_id);
  ASSERT_TRUE(next.ok()) << next_id;
  EXPECT_EQ(next->parent_plan_id, plan_id);

  // The token opens the next plan, for as long as a chart link's, and nothing else.
  auto grant = auth_->view_tokens->Verify(next_token, next_id, clock_->Now());
  ASSERT_TRUE(grant.ok()) << grant.error().ToString();
  EXPECT_EQ(grant->user, "alice");
  EXPECT_GT(grant->expires, clock_->Now() + kDefaultViewTokenValidity - std::chrono::minutes(1));
  EXPECT_LE(grant->expires, clock_->Now() + kDefaultViewTokenValidity);
  EXPECT_FALSE(auth_->view_tokens->Verify(next_token, plan_id, clock_->Now()).ok());
  WsClient next_viewer;
  ASSERT_EQ(next_viewer.Open(port_, "/ws/plans/" + next_id + "?vt=" + next_token), 101) << next_viewer.head();
  auto full = next_viewer.ReadText();
  ASSERT_TRUE(full);
  EXPECT_EQ(boost::json::parse(*full).at("event").at("payload").at("plan_id").as_string(), next_id);
  WsClient wrong_plan;
  EXPECT_EQ(wrong_plan.Open(port_, "/ws/plans/" + plan_id + "?vt=" + next_token), 401);
}

}  // namespace
}  // namespace td::api
