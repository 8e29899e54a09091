// Fully populated OTLP messages of every kind go through ToOtlpJson and back through
// ParseOtlpJson and must come out equal; the JSON in between must have the OTLP/JSON form.
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "core/otlp/json/otlp_json.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace vigil::otlp {
namespace {

using google::protobuf::Message;
using google::protobuf::TextFormat;
using google::protobuf::util::MessageDifferencer;
using opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest;
using opentelemetry::proto::collector::logs::v1::ExportLogsServiceResponse;
using opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceRequest;
using opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceResponse;
using opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest;
using opentelemetry::proto::collector::trace::v1::ExportTraceServiceResponse;

// Attributes with every AnyValue kind, nested arrays and kvlists included.
constexpr char kAttrs[] = R"(
  attributes { key: "s" value { string_value: "caf\303\251 \"q\" \\ \n\t\001" } }
  attributes { key: "b" value { bool_value: true } }
  attributes { key: "i" value { int_value: -9223372036854775808 } }
  attributes { key: "zero" value { int_value: 0 } }
  attributes { key: "d" value { double_value: 0.1 } }
  attributes { key: "bytes" value { bytes_value: "\000\377\020abc" } }
  attributes { key: "empty" value { } }
  attributes { key: "arr" value { array_value {
    values { string_value: "x" }
    values { array_value { values { int_value: 7 } values { kvlist_value {
      values { key: "deep" value { double_value: -2.5e-300 } } } } } }
  } } }
  attributes { key: "kv" value { kvlist_value { values { key: "a" value { bool_value: false } } } } }
)";

template <typename T>
T FromText(const std::string& text) {
  T m;
  EXPECT_TRUE(TextFormat::ParseFromString(text, &m)) << text;
  return m;
}

template <typename T>
std::string RoundTrip(const T& original) {
  Result<std::string> json = ToOtlpJson(original);
  EXPECT_TRUE(json.ok()) << json.status().ToString();
  if (!json.ok()) return "";
  T back;
  const Status st = ParseOtlpJson(*json, &back);
  EXPECT_TRUE(st.ok()) << st.ToString() << "\n" << *json;
  std::string diff;
  MessageDifferencer differ;
  differ.ReportDifferencesToString(&diff);
  EXPECT_TRUE(differ.Compare(original, back)) << diff << "\n" << *json;
  return *json;
}

ExportTraceServiceRequest FullTraces() {
  const std::string res = std::string("resource {") + kAttrs + "dropped_attributes_count: 3 }";
  return FromText<ExportTraceServiceRequest>(std::string(R"(
resource_spans {
  )") + res + R"(
  schema_url: "https://opentelemetry.io/schemas/1.21.0"
  scope_spans {
    scope { name: "lib" version: "1.2" attributes { key: "k" value { string_value: "v" } }
            dropped_attributes_count: 1 }
    schema_url: "s"
    spans {
      trace_id: "\x5b\x8e\xff\xf7\x98\x03\x81\x03\xd2\x69\xb6\x33\x81\x3f\xc6\x0c"
      span_id: "\xee\xe1\x9b\x7e\xc3\xc1\xb1\x74"
      parent_span_id: "\xee\xe1\x9b\x7e\xc3\xc1\xb1\x73"
      trace_state: "rojo=00f067aa0ba902b7"
      flags: 769
      name: "GET /checkout"
      kind: SPAN_KIND_SERVER
      start_time_unix_nano: 1544712660000000000
      end_time_unix_nano: 18446744073709551615
      )" + kAttrs + R"(
      dropped_attributes_count: 2
      events { time_unix_nano: 1544712660500000000 name: "exception"
               attributes { key: "exception.type" value { string_value: "E" } }
               dropped_attributes_count: 4 }
      dropped_events_count: 5
      links { trace_id: "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01"
              span_id: "\x01\x02\x03\x04\x05\x06\x07\x08" trace_state: "t"
              attributes { key: "l" value { int_value: 1 } } dropped_attributes_count: 6
              flags: 256 }
      dropped_links_count: 7
      status { message: "boom" code: STATUS_CODE_ERROR }
    }
    spans { name: "minimal" }
  }
})");
}

ExportMetricsServiceRequest FullMetrics() {
  return FromText<ExportMetricsServiceRequest>(
      std::string(R"(
resource_metrics {
  resource { attributes { key: "service.name" value { string_value: "svc" } } }
  schema_url: "u"
  scope_metrics {
    scope { name: "m" }
    metrics { name: "g" description: "a gauge" unit: "1"
      metadata { key: "md" value { string_value: "x" } }
      gauge {
        data_points { )") +
      kAttrs + R"( start_time_unix_nano: 1 time_unix_nano: 2 as_double: 0 flags: 1
          exemplars { filtered_attributes { key: "f" value { int_value: 3 } }
                      time_unix_nano: 3 as_int: -4
                      span_id: "\x01\x02\x03\x04\x05\x06\x07\x08"
                      trace_id: "\xff\xee\xdd\xcc\xbb\xaa\x99\x88\x77\x66\x55\x44\x33\x22\x11\x00" }
          exemplars { as_double: 1.5 } }
        data_points { as_int: -9223372036854775807 } } }
    metrics { name: "s" sum { aggregation_temporality: AGGREGATION_TEMPORALITY_DELTA is_monotonic: true
      data_points { as_int: 0 time_unix_nano: 18446744073709551615 } } }
    metrics { name: "h" histogram { aggregation_temporality: AGGREGATION_TEMPORALITY_CUMULATIVE
      data_points { start_time_unix_nano: 1 time_unix_nano: 2 count: 18446744073709551615
        sum: 0 min: -0.25 max: 1e300
        bucket_counts: 0 bucket_counts: 18446744073709551615 bucket_counts: 3
        explicit_bounds: -1 explicit_bounds: 0.005 explicit_bounds: 1e-320
        exemplars { as_double: 2 } flags: 1 }
      data_points { count: 0 } } }
    metrics { name: "e" exponential_histogram { aggregation_temporality: AGGREGATION_TEMPORALITY_DELTA
      data_points { )" +
      kAttrs + R"( count: 10 sum: 12.5 scale: -3 zero_count: 2 zero_threshold: 1e-9
        positive { offset: -5 bucket_counts: 1 bucket_counts: 0 bucket_counts: 7 }
        negative { offset: 2147483647 bucket_counts: 18446744073709551615 }
        flags: 1 exemplars { as_int: 9 } min: 0 max: 0 } } }
    metrics { name: "q" summary { data_points { count: 4 sum: 10
      quantile_values { quantile: 0 value: 1 } quantile_values { quantile: 0.99 value: 4 }
      flags: 1 } } }
  }
})");
}

ExportLogsServiceRequest FullLogs() {
  return FromText<ExportLogsServiceRequest>(std::string(R"(
resource_logs {
  resource { attributes { key: "service.name" value { string_value: "svc" } }
             entity_refs { schema_url: "e" type: "service" id_keys: "service.name"
                           id_keys: "service.namespace" description_keys: "d" } }
  scope_logs {
    scope { name: "vigil.tail" }
    log_records { time_unix_nano: 1700000000123456789 observed_time_unix_nano: 1700000000999999999
      severity_number: SEVERITY_NUMBER_FATAL4 severity_text: "FATAL"
      body { kvlist_value { values { key: "msg" value { string_value: "x" } } } }
      )") + kAttrs + R"(
      dropped_attributes_count: 1 flags: 255
      trace_id: "\x5b\x8e\xff\xf7\x98\x03\x81\x03\xd2\x69\xb6\x33\x81\x3f\xc6\x0c"
      span_id: "\xee\xe1\x9b\x7e\xc3\xc1\xb1\x74" event_name: "ev" }
    log_records { body { string_value: "" } }
    log_records { body { bytes_value: "\x01" } }
  }
})");
}

TEST(OtlpJsonRoundTripTest, Traces) {
  const std::string json = RoundTrip(FullTraces());
  // The OTLP/JSON differences from proto3 JSON: hex ids, string int64, integer enums.
  EXPECT_NE(json.find(R"("traceId":"5b8efff798038103d269b633813fc60c")"), std::string::npos);
  EXPECT_NE(json.find(R"("parentSpanId":"eee19b7ec3c1b173")"), std::string::npos);
  EXPECT_NE(json.find(R"("startTimeUnixNano":"1544712660000000000")"), std::string::npos);
  EXPECT_NE(json.find(R"("endTimeUnixNano":"18446744073709551615")"), std::string::npos);
  EXPECT_NE(json.find(R"("kind":2)"), std::string::npos);
  EXPECT_NE(json.find(R"("code":2)"), std::string::npos);
  EXPECT_NE(json.find(R"("flags":769)"), std::string::npos);
  EXPECT_NE(json.find(R"("intValue":"-9223372036854775808")"), std::string::npos);
  EXPECT_NE(json.find(R"("intValue":"0")"), std::string::npos);  // a set oneof member is kept
  EXPECT_NE(json.find(R"("bytesValue":"AP8QYWJj")"), std::string::npos);  // base64, not hex
  EXPECT_NE(json.find(R"("value":{})"), std::string::npos);
  EXPECT_NE(json.find("\"caf\xC3\xA9 "), std::string::npos);  // UTF-8 is written as is
  EXPECT_NE(json.find(R"(\"q\" \\ \n\t\u0001)"), std::string::npos);
  // The minimal span has only its name: defaults are left out.
  EXPECT_NE(json.find(R"({"name":"minimal"})"), std::string::npos);
}

TEST(OtlpJsonRoundTripTest, Metrics) {
  const std::string json = RoundTrip(FullMetrics());
  // optional double fields that are set to zero are still written; unset ones are not.
  EXPECT_NE(json.find(R"("sum":0,)"), std::string::npos);
  EXPECT_NE(json.find(R"("min":0,"max":0)"), std::string::npos);
  EXPECT_NE(json.find(R"("max":1e+300},{}])"), std::string::npos) << json;  // count 0: default
  EXPECT_NE(json.find(R"("asInt":"0")"), std::string::npos);
  EXPECT_NE(json.find(R"("aggregationTemporality":1)"), std::string::npos);
  EXPECT_NE(json.find(R"("bucketCounts":["0","18446744073709551615","3"])"), std::string::npos);
  EXPECT_NE(json.find(R"("explicitBounds":[-1,0.005,1e-320])"), std::string::npos);
  EXPECT_NE(json.find(R"("scale":-3)"), std::string::npos);
  EXPECT_NE(json.find(R"("offset":2147483647)"), std::string::npos);
}

TEST(OtlpJsonRoundTripTest, Logs) {
  const std::string json = RoundTrip(FullLogs());
  EXPECT_NE(json.find(R"("severityNumber":24)"), std::string::npos);
  EXPECT_NE(json.find(R"("spanId":"eee19b7ec3c1b174")"), std::string::npos);
  EXPECT_NE(json.find(R"("idKeys":["service.name","service.namespace"])"), std::string::npos);
  EXPECT_NE(json.find(R"("body":{"stringValue":""})"), std::string::npos);
}

TEST(OtlpJsonRoundTripTest, Responses) {
  RoundTrip(FromText<ExportTraceServiceResponse>(
      R"(partial_success { rejected_spans: 9007199254740993 error_message: "too many" })"));
  RoundTrip(FromText<ExportMetricsServiceResponse>(
      R"(partial_success { rejected_data_points: -1 error_message: "x" })"));
  RoundTrip(FromText<ExportLogsServiceResponse>(R"(partial_success { rejected_log_records: 3 })"));
  const Result<std::string> empty = ToOtlpJson(ExportLogsServiceResponse());
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*empty, "{}");
}

TEST(OtlpJsonRoundTripTest, NonFiniteDoublesAreStrings) {
  auto req = FromText<ExportMetricsServiceRequest>(R"(
resource_metrics { scope_metrics { metrics { histogram { data_points {
  sum: inf min: -inf explicit_bounds: 1 } } } } })");
  auto* dp = req.mutable_resource_metrics(0)
                 ->mutable_scope_metrics(0)
                 ->mutable_metrics(0)
                 ->mutable_histogram()
                 ->mutable_data_points(0);
  dp->set_max(std::numeric_limits<double>::quiet_NaN());
  const Result<std::string> json = ToOtlpJson(req);
  ASSERT_TRUE(json.ok());
  EXPECT_NE(json->find(R"("sum":"Infinity","explicitBounds":[1],"min":"-Infinity","max":"NaN")"),
            std::string::npos)
      << *json;
  ExportMetricsServiceRequest back;
  ASSERT_TRUE(ParseOtlpJson(*json, &back).ok());
  const auto& bdp = back.resource_metrics(0).scope_metrics(0).metrics(0).histogram().data_points(0);
  EXPECT_TRUE(std::isinf(bdp.sum()) && bdp.sum() > 0);
  EXPECT_TRUE(std::isinf(bdp.min()) && bdp.min() < 0);
  EXPECT_TRUE(bdp.has_max() && std::isnan(bdp.max()));
}

TEST(OtlpJsonRoundTripTest, InvalidUtf8InAStringBecomesReplacementCharacter) {
  ExportLogsServiceRequest req;
  auto* rec = req.add_resource_logs()->add_scope_logs()->add_log_records();
  // Built directly (no UTF-8 check on set): a lone continuation byte and a truncated sequence.
  rec->set_severity_text(
      std::string("a\x80"
                  "b\xE2\x82",
                  5));
  const Result<std::string> json = ToOtlpJson(req);
  ASSERT_TRUE(json.ok());
  EXPECT_NE(json->find("\"a\xEF\xBF\xBD"
                       "b\xEF\xBF\xBD\xEF\xBF\xBD\""),
            std::string::npos)
      << *json;
  ExportLogsServiceRequest back;
  EXPECT_TRUE(ParseOtlpJson(*json, &back).ok());
}

TEST(OtlpJsonRoundTripTest, IdOfWrongLengthCannotBeWritten) {
  ExportTraceServiceRequest req;
  req.add_resource_spans()->add_scope_spans()->add_spans()->set_span_id("abc");
  const Result<std::string> json = ToOtlpJson(req);
  ASSERT_FALSE(json.ok());
  EXPECT_EQ(json.status().message(),
            "resourceSpans[0].scopeSpans[0].spans[0].spanId: id of 3 bytes, expected 8");
}

TEST(OtlpJsonRoundTripTest, TooDeepMessageCannotBeWritten) {
  ExportLogsServiceRequest req;
  auto* v = req.add_resource_logs()->add_scope_logs()->add_log_records()->mutable_body();
  for (int i = 0; i < 40; ++i) v = v->mutable_array_value()->add_values();
  v->set_int_value(1);
  const Result<std::string> json = ToOtlpJson(req);
  ASSERT_FALSE(json.ok());
  EXPECT_NE(json.status().message().find("nested deeper than 64 JSON levels"), std::string::npos)
      << json.status().message();
}

}  // namespace
}  // namespace vigil::otlp
