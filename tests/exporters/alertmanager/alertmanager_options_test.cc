#include "exporters/alertmanager/alertmanager_options.h"

#include <gtest/gtest.h>

#include <sstream>

#include "core/config/yaml_document.h"

namespace vigil::exporters {
namespace {

Result<AlertmanagerOptions> Load(const std::string& yaml) {
  auto node = config::ParseYamlText(yaml, "alerting.yml");
  if (!node.ok()) return node.status();
  AlertmanagerOptions o;
  config::LoadContext ctx{.file = "alerting.yml",
                          .env = [](const std::string&) { return std::optional<std::string>(); }};
  VIGIL_RETURN_IF_ERROR(AlertmanagerOptionTable()->Load(ctx, *node, "alerting", &o));
  return o;
}

AlertmanagerOptions Valid() {
  AlertmanagerOptions o;
  o.urls = {"http://127.0.0.1:9093"};
  return o;
}

TEST(AlertmanagerOptionsTest, LoadsEveryKey) {
  auto o = Load(R"(
urls: [http://am-1:9093, "http://am-2:9093/am"]
webhook_urls: http://hooks:8080/alerts
headers: {Authorization: Bearer x}
external_labels: {cluster: eu-1, replica: a}
timeout: 2s
queue_capacity: 500
max_batch: 8
retry: {max_attempts: 5, initial_interval: 100ms, max_interval: 3s}
)");
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->urls, (std::vector<std::string>{"http://am-1:9093", "http://am-2:9093/am"}));
  EXPECT_EQ(o->webhook_urls, std::vector<std::string>{"http://hooks:8080/alerts"});
  EXPECT_EQ(o->headers.at("Authorization"), "Bearer x");
  EXPECT_EQ(o->external_labels.at("cluster"), "eu-1");
  EXPECT_EQ(o->timeout, std::chrono::seconds(2));
  EXPECT_EQ(o->queue_capacity, 500u);
  EXPECT_EQ(o->max_batch, 8u);
  EXPECT_EQ(o->retry.max_attempts, 5);
  EXPECT_EQ(o->retry.initial_interval, std::chrono::milliseconds(100));
  EXPECT_EQ(o->retry.max_interval, std::chrono::seconds(3));
  EXPECT_TRUE(o->enabled());
  EXPECT_TRUE(ValidateAlertmanagerOptions(*o).ok());
}

TEST(AlertmanagerOptionsTest, EmptySectionMeansDisabled) {
  auto o = Load("{}");
  ASSERT_TRUE(o.ok());
  EXPECT_FALSE(o->enabled());
  EXPECT_EQ(o->queue_capacity, 10000u);
  EXPECT_EQ(o->max_batch, 64u);
  const Status s = ValidateAlertmanagerOptions(*o);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("at least one"), std::string::npos) << s.message();
}

TEST(AlertmanagerOptionsTest, TableRejectsUnknownKeysAndBadValues) {
  auto unknown = Load("url: http://x:1\n");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("alerting.url: unknown key"), std::string::npos)
      << unknown.status().message();
  auto zero_batch = Load("max_batch: 0\n");
  ASSERT_FALSE(zero_batch.ok());
  EXPECT_NE(zero_batch.status().message().find("alerting.max_batch"), std::string::npos);
  auto bad_duration = Load("timeout: soon\n");
  ASSERT_FALSE(bad_duration.ok());
  EXPECT_NE(bad_duration.status().message().find("alerting.timeout"), std::string::npos);
}

TEST(AlertmanagerOptionsTest, ValidationNamesTheProblem) {
  struct Case {
    const char* what;
    std::function<void(AlertmanagerOptions&)> edit;
    StatusCode code;
    const char* needle;
  };
  const std::vector<Case> cases = {
      {"scheme", [](auto& o) { o.urls = {"ftp://am:9093"}; }, StatusCode::kInvalidArgument,
       "urls[0]"},
      {"tls without https", [](auto& o) { o.tls.insecure_skip_verify = true; },
       StatusCode::kInvalidArgument, "no url or webhook_url is https://"},
      {"tls file",
       [](auto& o) {
         o.webhook_urls = {"https://hooks:8443/x"};
         o.tls.ca_file = "/nonexistent/ca.pem";
       },
       StatusCode::kInvalidArgument, "tls.ca_file \"/nonexistent/ca.pem\": cannot be read"},
      {"no host", [](auto& o) { o.webhook_urls = {"http://:80/x"}; }, StatusCode::kInvalidArgument,
       "webhook_urls[0]"},
      {"twice", [](auto& o) { o.webhook_urls = {o.urls[0]}; }, StatusCode::kInvalidArgument,
       "listed twice"},
      {"timeout", [](auto& o) { o.timeout = std::chrono::milliseconds(0); },
       StatusCode::kInvalidArgument, "timeout"},
      {"capacity", [](auto& o) { o.queue_capacity = 0; }, StatusCode::kInvalidArgument,
       "queue_capacity"},
      {"batch", [](auto& o) { o.max_batch = 0; }, StatusCode::kInvalidArgument, "max_batch"},
      {"attempts", [](auto& o) { o.retry.max_attempts = 0; }, StatusCode::kInvalidArgument,
       "max_attempts"},
      {"intervals",
       [](auto& o) {
         o.retry.initial_interval = std::chrono::seconds(5);
         o.retry.max_interval = std::chrono::seconds(1);
       },
       StatusCode::kInvalidArgument, "max_interval"},
      {"label",
       [](auto& o) {
         o.external_labels = {{"1bad", "x"}};
       },
       StatusCode::kInvalidArgument, "\"1bad\""},
      {"header",
       [](auto& o) {
         o.headers = {{"X-A", "a\r\nB: c"}};
       },
       StatusCode::kInvalidArgument, "line break"},
  };
  EXPECT_TRUE(ValidateAlertmanagerOptions(Valid()).ok());
  for (const Case& c : cases) {
    AlertmanagerOptions o = Valid();
    c.edit(o);
    const Status s = ValidateAlertmanagerOptions(o);
    EXPECT_EQ(s.code(), c.code) << c.what << ": " << s.ToString();
    EXPECT_NE(s.message().find(c.needle), std::string::npos) << c.what << ": " << s.ToString();
  }
}

TEST(AlertmanagerOptionsTest, LabelNames) {
  EXPECT_TRUE(IsValidLabelName("cluster"));
  EXPECT_TRUE(IsValidLabelName("_x9"));
  EXPECT_FALSE(IsValidLabelName(""));
  EXPECT_FALSE(IsValidLabelName("9x"));
  EXPECT_FALSE(IsValidLabelName("a-b"));
}

TEST(AlertmanagerOptionsTest, DescribeListsOptionsWithDefaults) {
  std::ostringstream os;
  AlertmanagerOptionTable()->Describe(os, 0, AlertmanagerOptions{});
  const std::string text = os.str();
  EXPECT_NE(text.find("queue_capacity: 10000"), std::string::npos) << text;
  EXPECT_NE(text.find("max_attempts: 3"), std::string::npos) << text;
  EXPECT_NE(text.find("webhook_urls"), std::string::npos) << text;
}

}  // namespace
}  // namespace vigil::exporters
