// AlertNotifier against real loopback HTTP servers (net::HttpServer): webhook documents and
// headers, 400 not retried, 503 + Retry-After honoured, a too-long Retry-After dropped, a
// dead destination retried then counted, queue overflow dropping the oldest, a slow
// destination not holding up another, Drain, and the self-metrics.
#include "exporters/alertmanager/alert_notifier.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <memory>
#include <string>
#include <vector>

#include "tests/exporters/alertmanager/recording_server.h"
#include "tests/exporters/alertmanager/sync_http.h"
#include "tests/support/wait_until.h"

namespace vigil::exporters {
namespace {

using testing::RecordingServer;
using testing::WaitUntil;

NotifierAlert Alert(const std::string& name, int64_t ends_at_ms = 0) {
  NotifierAlert a;
  a.labels = {{"alertname", name}, {"severity", "page"}};
  a.annotations = {{"summary", name + " fired"}};
  a.starts_at_ms = 1700000000000;
  a.ends_at_ms = ends_at_ms;
  a.generator_url = "http://vigil:9464/rules";
  return a;
}

std::vector<std::string> AlertNames(const std::string& body) {
  std::vector<std::string> names;
  simdjson::dom::parser parser;
  auto doc = parser.parse(body);
  if (doc.error()) return {"<bad json>"};
  simdjson::dom::element root = doc.value();
  simdjson::dom::array arr;
  if (root.is_array()) {
    arr = root.get_array();
  } else {
    arr = root["alerts"].get_array();
  }
  for (simdjson::dom::element a : arr) {
    names.emplace_back(std::string_view(a["labels"]["alertname"]));
  }
  return names;
}

net::HttpResponse Ok(size_t, const net::HttpRequest&) { return net::HttpResponse::Text(200, ""); }

AlertmanagerOptions FastRetries() {
  AlertmanagerOptions o;
  o.retry.max_attempts = 3;
  o.retry.initial_interval = std::chrono::milliseconds(5);
  o.retry.max_interval = std::chrono::milliseconds(20);
  o.timeout = std::chrono::seconds(5);
  return o;
}

class AlertNotifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    loop_.Start();
    server_loop_.Start();
  }
  void TearDown() override {
    loop_.Stop();
    server_loop_.Stop();
  }

  std::unique_ptr<AlertNotifier> Make(AlertmanagerOptions o) {
    auto n = AlertNotifier::Create(loop_, std::move(o));
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    return n.ok() ? std::move(*n) : nullptr;
  }

  net::EventLoop loop_{1};
  net::EventLoop server_loop_{2};  // two threads: one handler may be kept blocked
};

TEST_F(AlertNotifierTest, CreateRejectsBadOptions) {
  AlertmanagerOptions none;
  EXPECT_EQ(AlertNotifier::Create(loop_, none).status().code(), StatusCode::kInvalidArgument);
  AlertmanagerOptions bad;
  bad.urls = {"localhost:9093"};
  auto r = AlertNotifier::Create(loop_, bad);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("localhost:9093"), std::string::npos);
}

TEST_F(AlertNotifierTest, WebhookGetsDocumentWithHeadersAndExternalLabels) {
  RecordingServer hook(server_loop_, "/hooks/vigil", Ok);
  ASSERT_TRUE(hook.start_status().ok());
  AlertmanagerOptions o = FastRetries();
  o.webhook_urls = {hook.url()};
  o.headers = {{"Authorization", "Bearer s3cret"}};
  o.external_labels = {{"cluster", "eu-1"}, {"severity", "ignored"}};
  auto n = Make(o);
  ASSERT_NE(n, nullptr);
  const int64_t past = 1700000100000;
  n->Send({Alert("Firing"), Alert("Resolved", past)});
  ASSERT_TRUE(n->Drain(std::chrono::seconds(5)).ok());
  ASSERT_EQ(hook.count(), 1u);
  const net::HttpRequest req = hook.requests()[0];
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.path, "/hooks/vigil");
  EXPECT_EQ(req.Header("Authorization"), "Bearer s3cret");
  EXPECT_EQ(req.Header("Content-Type"), "application/json");

  simdjson::dom::parser parser;
  auto doc = parser.parse(req.body);
  ASSERT_EQ(doc.error(), simdjson::SUCCESS) << req.body;
  simdjson::dom::element root = doc.value();
  EXPECT_EQ(std::string_view(root["version"]), "1");
  EXPECT_EQ(std::string_view(root["status"]), "firing");
  simdjson::dom::array alerts = root["alerts"].get_array();
  ASSERT_EQ(alerts.size(), 2u);
  simdjson::dom::element first = alerts.at(0);
  EXPECT_EQ(std::string_view(first["status"]), "firing");
  EXPECT_EQ(std::string_view(first["labels"]["alertname"]), "Firing");
  EXPECT_EQ(std::string_view(first["labels"]["cluster"]), "eu-1");
  // The alert's own label wins over an external label of the same name.
  EXPECT_EQ(std::string_view(first["labels"]["severity"]), "page");
  EXPECT_EQ(std::string_view(first["annotations"]["summary"]), "Firing fired");
  EXPECT_EQ(std::string_view(first["startsAt"]), "2023-11-14T22:13:20.000Z");
  EXPECT_EQ(std::string_view(first["generatorURL"]), "http://vigil:9464/rules");
  EXPECT_EQ(std::string_view(alerts.at(1)["status"]), "resolved");
  EXPECT_EQ(std::string_view(alerts.at(1)["endsAt"]), "2023-11-14T22:15:00.000Z");

  const NotifierStats s = n->stats();
  ASSERT_EQ(s.destinations.size(), 1u);
  EXPECT_EQ(s.destinations[0].kind, DestinationKind::kWebhook);
  EXPECT_EQ(s.destinations[0].sent_alerts, 2u);
  EXPECT_EQ(s.destinations[0].requests, 1u);
  EXPECT_EQ(s.destinations[0].latency_count, 1u);
}

TEST_F(AlertNotifierTest, BadRequestIsNotRetried) {
  RecordingServer am(server_loop_, "/api/v2/alerts", [](size_t, const net::HttpRequest&) {
    return net::HttpResponse::Text(400, "{\"code\":400,\"message\":\"labels: missing\"}");
  });
  ASSERT_TRUE(am.start_status().ok());
  AlertmanagerOptions o = FastRetries();
  o.urls = {am.base_url()};
  auto n = Make(o);
  ASSERT_NE(n, nullptr);
  n->Send({Alert("A"), Alert("B")});
  ASSERT_TRUE(n->Drain(std::chrono::seconds(5)).ok());
  EXPECT_EQ(am.count(), 1u);
  const DestinationStats d = n->stats().destinations[0];
  EXPECT_EQ(d.dropped_by(AlertDropReason::kRejected), 2u);
  EXPECT_EQ(d.retries, 0u);
  EXPECT_EQ(d.sent_alerts, 0u);
  EXPECT_EQ(AlertNames(am.requests()[0].body), (std::vector<std::string>{"A", "B"}));
}

TEST_F(AlertNotifierTest, UnavailableIsRetriedNoSoonerThanRetryAfter) {
  RecordingServer am(server_loop_, "/am/api/v2/alerts", [](size_t i, const net::HttpRequest&) {
    if (i > 0) return net::HttpResponse::Text(200, "");
    net::HttpResponse r = net::HttpResponse::Text(503, "busy");
    r.headers.emplace_back("Retry-After", "1");
    return r;
  });
  ASSERT_TRUE(am.start_status().ok());
  AlertmanagerOptions o = FastRetries();
  o.urls = {am.base_url() + "/am"};  // a path prefix, as behind a reverse proxy
  o.retry.max_interval = std::chrono::seconds(5);
  auto n = Make(o);
  ASSERT_NE(n, nullptr);
  n->Send({Alert("A")});
  ASSERT_TRUE(n->Drain(std::chrono::seconds(5)).ok());
  ASSERT_EQ(am.count(), 2u);
  const auto times = am.times();
  EXPECT_GE(times[1] - times[0], std::chrono::milliseconds(1000));
  const DestinationStats d = n->stats().destinations[0];
  EXPECT_EQ(d.sent_alerts, 1u);
  EXPECT_EQ(d.retries, 1u);
  EXPECT_EQ(d.requests, 2u);
}

TEST_F(AlertNotifierTest, RetryAfterBeyondMaxIntervalDropsTheBatch) {
  RecordingServer am(server_loop_, "/api/v2/alerts", [](size_t, const net::HttpRequest&) {
    net::HttpResponse r = net::HttpResponse::Text(429, "slow down");
    r.headers.emplace_back("Retry-After", "120");
    return r;
  });
  ASSERT_TRUE(am.start_status().ok());
  AlertmanagerOptions o = FastRetries();
  o.urls = {am.base_url()};
  auto n = Make(o);
  ASSERT_NE(n, nullptr);
  n->Send({Alert("A")});
  ASSERT_TRUE(n->Drain(std::chrono::seconds(5)).ok());
  EXPECT_EQ(am.count(), 1u);
  EXPECT_EQ(n->stats().destinations[0].dropped_by(AlertDropReason::kRetriesExhausted), 1u);
}

TEST_F(AlertNotifierTest, DeadDestinationIsRetriedAndCountedWhileAnotherReceives) {
  RecordingServer live(server_loop_, "/api/v2/alerts", Ok);
  ASSERT_TRUE(live.start_status().ok());
  AlertmanagerOptions o = FastRetries();
  const std::string dead = "http://127.0.0.1:" + std::to_string(testing::FreeLoopbackPort());
  o.urls = {dead, live.base_url()};
  auto n = Make(o);
  ASSERT_NE(n, nullptr);
  n->Send({Alert("A"), Alert("B"), Alert("C")});
  ASSERT_TRUE(n->Drain(std::chrono::seconds(5)).ok());
  const NotifierStats s = n->stats();
  ASSERT_EQ(s.destinations.size(), 2u);
  EXPECT_EQ(s.destinations[0].url, dead);
  EXPECT_EQ(s.destinations[0].requests, 3u);  // max_attempts
  EXPECT_EQ(s.destinations[0].retries, 2u);
  EXPECT_EQ(s.destinations[0].dropped_by(AlertDropReason::kRetriesExhausted), 3u);
  EXPECT_EQ(s.destinations[0].sent_alerts, 0u);
  EXPECT_EQ(s.destinations[1].sent_alerts, 3u);
  EXPECT_EQ(AlertNames(live.requests()[0].body), (std::vector<std::string>{"A", "B", "C"}));
}

TEST_F(AlertNotifierTest, FullQueueDropsTheOldestAndBatchesTheRest) {
  RecordingServer am(server_loop_, "/api/v2/alerts", Ok);
  ASSERT_TRUE(am.start_status().ok());
  am.Block();
  AlertmanagerOptions o = FastRetries();
  o.urls = {am.base_url()};
  o.queue_capacity = 3;
  o.max_batch = 2;
  auto n = Make(o);
  ASSERT_NE(n, nullptr);
  n->Send({Alert("a0")});  // taken at once: in flight, held by the blocked server
  ASSERT_TRUE(WaitUntil([&] { return am.count() == 1; }));
  n->Send({Alert("a1"), Alert("a2"), Alert("a3"), Alert("a4"), Alert("a5")});
  NotifierStats s = n->stats();
  EXPECT_EQ(s.destinations[0].dropped_by(AlertDropReason::kQueueFull), 2u);
  EXPECT_EQ(s.destinations[0].queued, 3u);
  EXPECT_EQ(s.destinations[0].in_flight, 1u);
  // A blocked destination keeps Drain from finishing.
  const Status early = n->Drain(std::chrono::milliseconds(50));
  EXPECT_EQ(early.code(), StatusCode::kDeadlineExceeded);
  EXPECT_NE(early.message().find("4 alert(s)"), std::string::npos) << early.message();

  am.Release();
  ASSERT_TRUE(n->Drain(std::chrono::seconds(5)).ok());
  const auto reqs = am.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(AlertNames(reqs[0].body), (std::vector<std::string>{"a0"}));
  EXPECT_EQ(AlertNames(reqs[1].body), (std::vector<std::string>{"a3", "a4"}));
  EXPECT_EQ(AlertNames(reqs[2].body), (std::vector<std::string>{"a5"}));
  s = n->stats();
  EXPECT_EQ(s.destinations[0].sent_alerts, 4u);
  EXPECT_EQ(s.destinations[0].queued + s.destinations[0].in_flight, 0u);
}

TEST_F(AlertNotifierTest, SlowDestinationDoesNotHoldUpAnother) {
  RecordingServer slow(server_loop_, "/api/v2/alerts", Ok);
  RecordingServer hook(server_loop_, "/hook", Ok);
  ASSERT_TRUE(slow.start_status().ok());
  ASSERT_TRUE(hook.start_status().ok());
  slow.Block();
  AlertmanagerOptions o = FastRetries();
  o.urls = {slow.base_url()};
  o.webhook_urls = {hook.url()};
  auto n = Make(o);
  ASSERT_NE(n, nullptr);
  n->Send({Alert("first")});
  n->Send({Alert("second")});
  ASSERT_TRUE(WaitUntil([&] { return hook.count() == 2; }));
  EXPECT_EQ(slow.count(), 1u);  // still answering the first
  slow.Release();
  ASSERT_TRUE(n->Drain(std::chrono::seconds(5)).ok());
  EXPECT_EQ(slow.count(), 2u);
  EXPECT_EQ(n->stats().destinations[0].sent_alerts, 2u);
}

TEST_F(AlertNotifierTest, DrainOnTheLoopThreadIsRefused) {
  RecordingServer hook(server_loop_, "/hook", Ok);
  AlertmanagerOptions o = FastRetries();
  o.webhook_urls = {hook.url()};
  auto n = Make(o);
  ASSERT_NE(n, nullptr);
  std::promise<Status> p;
  loop_.executor().Post([&] { p.set_value(n->Drain(std::chrono::milliseconds(10))); });
  auto f = p.get_future();
  ASSERT_EQ(f.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_EQ(f.get().code(), StatusCode::kFailedPrecondition);
}

TEST_F(AlertNotifierTest, CollectableRendersTheCounters) {
  RecordingServer hook(server_loop_, "/hook", Ok);
  AlertmanagerOptions o = FastRetries();
  o.webhook_urls = {hook.url()};
  auto n = Make(o);
  ASSERT_NE(n, nullptr);
  n->Send({Alert("A"), Alert("B")});
  ASSERT_TRUE(n->Drain(std::chrono::seconds(5)).ok());
  auto collectable = n->MakeCollectable();
  const auto families = collectable->Collect();
  auto find = [&](const std::string& name) -> const prometheus::MetricFamily* {
    for (const auto& f : families) {
      if (f.name == name) return &f;
    }
    return nullptr;
  };
  const auto* sent = find("vigil_collector_notifications_sent_total");
  ASSERT_NE(sent, nullptr);
  ASSERT_EQ(sent->metric.size(), 1u);
  EXPECT_EQ(sent->metric[0].counter.value, 2);
  bool has_destination = false;
  for (const auto& l : sent->metric[0].label) {
    has_destination = has_destination || (l.name == "destination" && l.value == hook.url());
  }
  EXPECT_TRUE(has_destination);
  const auto* dropped = find("vigil_collector_notifications_dropped_total");
  ASSERT_NE(dropped, nullptr);
  EXPECT_EQ(dropped->metric.size(), kAlertDropReasons);
  const auto* latency = find("vigil_collector_notifications_latency_seconds");
  ASSERT_NE(latency, nullptr);
  EXPECT_EQ(latency->metric[0].histogram.sample_count, 1u);
  EXPECT_EQ(latency->metric[0].histogram.bucket.back().cumulative_count, 1u);
  ASSERT_NE(find("vigil_collector_notifications_queue_length"), nullptr);

  n.reset();
  EXPECT_TRUE(collectable->Collect().empty());
}

}  // namespace
}  // namespace vigil::exporters
