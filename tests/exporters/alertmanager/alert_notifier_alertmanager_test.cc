// AlertNotifier against a real Alertmanager (Debian's prometheus-alertmanager, started once for
// the suite on a free loopback port): firing alerts read back through GET /api/v2/alerts with
// their labels, annotations, startsAt and generatorURL; a resolved alert stops being active;
// a dead second Alertmanager does not keep the live one from receiving.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "exporters/alertmanager/alert_notifier.h"
#include "tests/exporters/alertmanager/alertmanager_process.h"
#include "tests/exporters/alertmanager/sync_http.h"
#include "tests/support/wait_until.h"

namespace vigil::exporters {
namespace {

using testing::AlertmanagerProcess;
using testing::WaitUntil;

struct ActiveAlert {
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  std::string starts_at;
  std::string generator_url;
};

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class AlertNotifierAlertmanagerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    loop_ = new net::EventLoop(1);
    loop_->Start();
    if (!AlertmanagerProcess::Installed()) return;
    auto am = AlertmanagerProcess::Start(*loop_);
    if (am.ok()) {
      am_ = std::move(*am).release();
    } else {
      start_error_ = new std::string(am.status().ToString());
    }
  }
  static void TearDownTestSuite() {
    delete am_;  // kills the process
    am_ = nullptr;
    delete loop_;
    loop_ = nullptr;
    delete start_error_;
    start_error_ = nullptr;
  }
  void SetUp() override {
    if (!AlertmanagerProcess::Installed()) GTEST_SKIP() << "prometheus-alertmanager not installed";
    ASSERT_EQ(start_error_, nullptr) << *start_error_;
  }

  // Alerts Alertmanager holds as active whose alertname is `name`.
  static std::vector<ActiveAlert> Active(const std::string& name) {
    std::vector<ActiveAlert> out;
    auto r = testing::SyncGet(*loop_, am_->url(),
                              "/api/v2/alerts?filter=alertname%3D%22" + name + "%22");
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) return out;
    EXPECT_EQ(r->status, 200) << r->body;
    simdjson::dom::parser parser;
    auto doc = parser.parse(r->body);
    EXPECT_EQ(doc.error(), simdjson::SUCCESS) << r->body;
    if (doc.error()) return out;
    for (simdjson::dom::element a : doc.value().get_array()) {
      ActiveAlert alert;
      for (auto [k, v] : a["labels"].get_object()) {
        alert.labels[std::string(k)] = std::string(std::string_view(v));
      }
      // Alertmanager leaves out empty annotations and an empty generatorURL.
      simdjson::dom::object annotations;
      if (a["annotations"].get(annotations) == simdjson::SUCCESS) {
        for (auto [k, v] : annotations) {
          alert.annotations[std::string(k)] = std::string(std::string_view(v));
        }
      }
      alert.starts_at = std::string(std::string_view(a["startsAt"]));
      std::string_view url;
      if (a["generatorURL"].get(url) == simdjson::SUCCESS) alert.generator_url = url;
      out.push_back(std::move(alert));
    }
    return out;
  }

  std::unique_ptr<AlertNotifier> Make(AlertmanagerOptions o) {
    o.timeout = std::chrono::seconds(5);
    o.retry.initial_interval = std::chrono::milliseconds(5);
    o.retry.max_interval = std::chrono::milliseconds(20);
    auto n = AlertNotifier::Create(*loop_, std::move(o));
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    return n.ok() ? std::move(*n) : nullptr;
  }

  static net::EventLoop* loop_;
  static AlertmanagerProcess* am_;
  static std::string* start_error_;
};

net::EventLoop* AlertNotifierAlertmanagerTest::loop_ = nullptr;
AlertmanagerProcess* AlertNotifierAlertmanagerTest::am_ = nullptr;
std::string* AlertNotifierAlertmanagerTest::start_error_ = nullptr;

TEST_F(AlertNotifierAlertmanagerTest, FiringAlertsArriveWithEveryField) {
  AlertmanagerOptions o;
  o.urls = {am_->url()};
  o.external_labels = {{"cluster", "eu-1"}};
  auto n = Make(o);
  ASSERT_NE(n, nullptr);
  const int64_t starts = 1700000000123;  // long ago: still active until resolved
  std::vector<NotifierAlert> alerts;
  for (const char* route : {"/cart", "/pay"}) {
    NotifierAlert a;
    a.labels = {{"alertname", "HighErrorRate"}, {"route", route}, {"severity", "page"}};
    a.annotations = {{"summary", std::string("errors on ") + route},
                     {"description", "5xx ratio \"above\" 5%\nfor 5m"}};
    a.starts_at_ms = starts;
    a.generator_url = "http://vigil:9464/graph?g0.expr=rate%28x%5B5m%5D%29";
    alerts.push_back(std::move(a));
  }
  n->Send(std::move(alerts));
  ASSERT_TRUE(n->Drain(std::chrono::seconds(5)).ok());
  EXPECT_EQ(n->stats().destinations[0].sent_alerts, 2u);

  std::vector<ActiveAlert> got;
  ASSERT_TRUE(WaitUntil([&] { return (got = Active("HighErrorRate")).size() == 2; }));
  std::map<std::string, ActiveAlert> by_route;
  for (auto& a : got) by_route[a.labels["route"]] = a;
  ASSERT_EQ(by_route.count("/cart"), 1u);
  ASSERT_EQ(by_route.count("/pay"), 1u);
  const ActiveAlert& cart = by_route["/cart"];
  EXPECT_EQ(cart.labels.at("severity"), "page");
  EXPECT_EQ(cart.labels.at("cluster"), "eu-1");
  EXPECT_EQ(cart.labels.size(), 4u);
  EXPECT_EQ(cart.annotations.at("summary"), "errors on /cart");
  EXPECT_EQ(cart.annotations.at("description"), "5xx ratio \"above\" 5%\nfor 5m");
  EXPECT_EQ(cart.starts_at, "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(cart.generator_url, "http://vigil:9464/graph?g0.expr=rate%28x%5B5m%5D%29");
}

TEST_F(AlertNotifierAlertmanagerTest, ResolvedAlertIsNoLongerActive) {
  AlertmanagerOptions o;
  o.urls = {am_->url()};
  auto n = Make(o);
  ASSERT_NE(n, nullptr);
  NotifierAlert a;
  a.labels = {{"alertname", "DiskFull"}, {"instance", "db-1"}};
  a.starts_at_ms = NowMs() - 120000;
  n->Send({a});
  ASSERT_TRUE(n->Drain(std::chrono::seconds(5)).ok());
  ASSERT_TRUE(WaitUntil([&] { return Active("DiskFull").size() == 1; }));

  a.ends_at_ms = NowMs() - 1000;  // resolved a second ago
  n->Send({a});
  ASSERT_TRUE(n->Drain(std::chrono::seconds(5)).ok());
  EXPECT_TRUE(WaitUntil([&] { return Active("DiskFull").empty(); }));
  EXPECT_EQ(n->stats().destinations[0].sent_alerts, 2u);
}

TEST_F(AlertNotifierAlertmanagerTest, DeadAlertmanagerDoesNotStopTheLiveOne) {
  AlertmanagerOptions o;
  const std::string dead = "http://127.0.0.1:" + std::to_string(testing::FreeLoopbackPort());
  o.urls = {dead, am_->url()};
  o.retry.max_attempts = 2;
  auto n = Make(o);
  ASSERT_NE(n, nullptr);
  NotifierAlert a;
  a.labels = {{"alertname", "OneAmDown"}};
  n->Send({a});
  ASSERT_TRUE(WaitUntil([&] { return Active("OneAmDown").size() == 1; }));
  ASSERT_TRUE(n->Drain(std::chrono::seconds(5)).ok());
  const NotifierStats s = n->stats();
  EXPECT_EQ(s.destinations[0].url, dead);
  EXPECT_EQ(s.destinations[0].requests, 2u);
  EXPECT_EQ(s.destinations[0].dropped_by(AlertDropReason::kRetriesExhausted), 1u);
  EXPECT_EQ(s.destinations[1].sent_alerts, 1u);
}

}  // namespace
}  // namespace vigil::exporters
