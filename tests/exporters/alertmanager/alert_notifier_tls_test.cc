// AlertNotifier to https:// Alertmanagers and webhooks: the `tls:` section's CA verifies the
// server (a TLS server on loopback with a certificate from a CA made for the test); without it
// the batch fails and is counted, and the section loads from YAML.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/config/yaml_document.h"
#include "exporters/alertmanager/alert_notifier.h"
#include "tests/support/test_pki.h"
#include "tests/support/tls_test_server.h"
#include "tests/support/wait_until.h"

namespace vigil::exporters {
namespace {

using vigil::testing::TestPki;
using vigil::testing::TlsTestServer;

NotifierAlert Firing(const std::string& name) {
  NotifierAlert a;
  a.labels = {{"alertname", name}};
  a.starts_at_ms = 1700000000000;
  return a;
}

class AlertNotifierTlsTest : public ::testing::Test {
 protected:
  void SetUp() override { loop_.Start(); }
  void TearDown() override { loop_.Stop(); }

  TestPki pki_;
  vigil::testing::TestCert cert_ = pki_.Issue("am", "DNS:localhost,IP:127.0.0.1");
  net::EventLoop loop_{1};
};

TEST_F(AlertNotifierTlsTest, SendsToHttpsAlertmanagerAndWebhook) {
  TlsTestServer am(cert_.cert_file, cert_.key_file);
  AlertmanagerOptions o;
  o.urls = {am.url()};
  o.webhook_urls = {"https://localhost:" + std::to_string(am.port()) + "/hook"};
  o.tls.ca_file = pki_.ca().cert_file;
  o.timeout = std::chrono::seconds(5);
  auto n = AlertNotifier::Create(loop_, o);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  (*n)->Send({Firing("HighErrorRate")});
  ASSERT_TRUE((*n)->Drain(std::chrono::seconds(10)).ok());
  auto seen = am.requests();
  ASSERT_EQ(seen.size(), 2u);
  std::vector<std::string> targets = {seen[0].target, seen[1].target};
  std::sort(targets.begin(), targets.end());
  EXPECT_EQ(targets, (std::vector<std::string>{"/api/v2/alerts", "/hook"}));
  for (const auto& r : seen) EXPECT_NE(r.body.find("HighErrorRate"), std::string::npos);
  const NotifierStats stats = (*n)->stats();
  EXPECT_EQ(stats.destinations[0].sent_alerts, 1u);
  EXPECT_EQ(stats.destinations[1].sent_alerts, 1u);
}

TEST_F(AlertNotifierTlsTest, UnverifiedServerIsNotSentTo) {
  TlsTestServer am(cert_.cert_file, cert_.key_file);
  AlertmanagerOptions o;
  o.urls = {am.url()};  // no tls.ca_file: the system store does not know the test CA
  o.timeout = std::chrono::seconds(5);
  o.retry.max_attempts = 1;
  auto n = AlertNotifier::Create(loop_, o);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  (*n)->Send({Firing("X")});
  ASSERT_TRUE((*n)->Drain(std::chrono::seconds(10)).ok());
  EXPECT_TRUE(am.requests().empty());
  // The server learns of the refusal (the client's alert) on its own thread.
  EXPECT_TRUE(vigil::testing::WaitUntil([&] { return am.handshake_failures() >= 1; }));
  const DestinationStats d = (*n)->stats().destinations[0];
  EXPECT_EQ(d.sent_alerts, 0u);
  uint64_t dropped = 0;
  for (uint64_t v : d.dropped) dropped += v;
  EXPECT_EQ(dropped, 1u);
}

TEST(AlertmanagerTlsOptionsTest, TlsSectionLoadsAndIsChecked) {
  auto node = config::ParseYamlText(
      "urls: [https://am:9093]\ntls: {ca_file: /nonexistent/ca.pem}\n", "alerting.yml");
  ASSERT_TRUE(node.ok());
  AlertmanagerOptions o;
  config::LoadContext ctx{.file = "alerting.yml",
                          .env = [](const std::string&) { return std::optional<std::string>(); }};
  ASSERT_TRUE(AlertmanagerOptionTable()->Load(ctx, *node, "alerting", &o).ok());
  EXPECT_EQ(o.tls.ca_file, "/nonexistent/ca.pem");
  const Status s = ValidateAlertmanagerOptions(o);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("tls.ca_file \"/nonexistent/ca.pem\""), std::string::npos)
      << s.message();
}

}  // namespace
}  // namespace vigil::exporters
