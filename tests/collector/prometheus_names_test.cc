#include "collector/receive/prometheus_names.h"

#include <gtest/gtest.h>

namespace vigil::receive {
namespace {

using opentelemetry::proto::common::v1::AnyValue;

TEST(PrometheusNamesTest, FamilyNamesFollowTheConventions) {
  EXPECT_EQ(PrometheusFamilyName("http.server.request.duration", "s", false),
            "http_server_request_duration_seconds");
  EXPECT_EQ(PrometheusFamilyName("http.server.request.errors", "{request}", true),
            "http_server_request_errors_total");
  EXPECT_EQ(PrometheusFamilyName("db.latency", "ms", false), "db_latency_milliseconds");
  EXPECT_EQ(PrometheusFamilyName("payload.size", "By", false), "payload_size_bytes");
  EXPECT_EQ(PrometheusFamilyName("cpu.utilization", "1", false), "cpu_utilization_ratio");
  // Already-suffixed names are not suffixed twice.
  EXPECT_EQ(PrometheusFamilyName("latency_seconds", "s", false), "latency_seconds");
  EXPECT_EQ(PrometheusFamilyName("requests_total", "", true), "requests_total");
  EXPECT_EQ(PrometheusFamilyName("io", "By", true), "io_bytes_total");
  EXPECT_EQ(PrometheusFamilyName("rate", "{packet}/s", false), "rate_per_second");
  EXPECT_EQ(PrometheusFamilyName("speed", "m/s", false), "speed_meters_per_second");
  EXPECT_EQ(PrometheusFamilyName("weird-name/with spaces", "", false), "weird_name_with_spaces");
  EXPECT_EQ(PrometheusFamilyName("2xx.count", "", true), "_2xx_count_total");
}

TEST(PrometheusNamesTest, LabelNames) {
  EXPECT_EQ(SanitizeLabelName("http.route"), "http_route");
  EXPECT_EQ(SanitizeLabelName("http.response.status_code"), "http_response_status_code");
  EXPECT_EQ(SanitizeLabelName("__reserved"), "_reserved");
  EXPECT_EQ(SanitizeLabelName("9lives"), "key_9lives");
  EXPECT_EQ(SanitizeLabelName("a:b"), "a_b");
  EXPECT_EQ(SanitizeLabelName(""), "key_");
}

TEST(PrometheusNamesTest, AttributeValues) {
  AnyValue v;
  v.set_int_value(-404);
  EXPECT_EQ(AttributeValueText(v), "-404");
  v.set_bool_value(true);
  EXPECT_EQ(AttributeValueText(v), "true");
  v.set_double_value(0.25);
  EXPECT_EQ(AttributeValueText(v), "0.25");
  v.set_string_value("GET");
  EXPECT_EQ(AttributeValueText(v), "GET");
  v.set_bytes_value(std::string("\x01\xab", 2));
  EXPECT_EQ(AttributeValueText(v), "01ab");
  AnyValue arr;
  arr.mutable_array_value()->add_values()->set_string_value("a");
  arr.mutable_array_value()->add_values()->set_int_value(2);
  EXPECT_EQ(AttributeValueText(arr), "[\"a\",2]");
  EXPECT_EQ(AttributeValueText(AnyValue()), "");
}

}  // namespace
}  // namespace vigil::receive
