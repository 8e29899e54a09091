// ParseOtlpJson on hand-written OTLP/JSON as the specification's examples show it: hex ids of
// either case, 64-bit integers as strings or numbers, enums as integers or names, camelCase and
// snake_case keys, unknown fields ignored.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "core/otlp/json/otlp_json.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace vigil::otlp {
namespace {

using opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest;
using opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceRequest;
using opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceResponse;
using opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest;
using opentelemetry::proto::trace::v1::Span;

// Shaped like opentelemetry-proto's examples/trace.json (upper-case hex ids included).
constexpr char kSpecTrace[] = R"({
  "resourceSpans": [{
    "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "my.service"}}]},
    "scopeSpans": [{
      "scope": {"name": "my.library", "version": "1.0.0",
                "attributes": [{"key": "my.scope.attribute",
                                "value": {"stringValue": "some scope attribute"}}]},
      "spans": [{
        "traceId": "5B8EFFF798038103D269B633813FC60C",
        "spanId": "EEE19B7EC3C1B174",
        "parentSpanId": "EEE19B7EC3C1B173",
        "name": "I'm a server span",
        "startTimeUnixNano": "1544712660000000000",
        "endTimeUnixNano": "1544712661000000000",
        "kind": 2,
        "attributes": [{"key": "my.span.attr", "value": {"stringValue": "some value"}}]
      }]
    }]
  }]
})";

TEST(OtlpJsonParseTest, SpecTraceExample) {
  ExportTraceServiceRequest req;
  const Status st = ParseOtlpJson(kSpecTrace, &req);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(req.resource_spans_size(), 1);
  const auto& rs = req.resource_spans(0);
  EXPECT_EQ(rs.resource().attributes(0).key(), "service.name");
  EXPECT_EQ(rs.resource().attributes(0).value().string_value(), "my.service");
  EXPECT_EQ(rs.scope_spans(0).scope().version(), "1.0.0");
  const Span& span = rs.scope_spans(0).spans(0);
  EXPECT_EQ(span.trace_id(),
            std::string("\x5b\x8e\xff\xf7\x98\x03\x81\x03\xd2\x69\xb6\x33\x81\x3f\xc6\x0c", 16));
  EXPECT_EQ(span.span_id(), std::string("\xee\xe1\x9b\x7e\xc3\xc1\xb1\x74", 8));
  EXPECT_EQ(span.parent_span_id(), std::string("\xee\xe1\x9b\x7e\xc3\xc1\xb1\x73", 8));
  EXPECT_EQ(span.start_time_unix_nano(), 1544712660000000000u);
  EXPECT_EQ(span.end_time_unix_nano(), 1544712661000000000u);
  EXPECT_EQ(span.kind(), Span::SPAN_KIND_SERVER);
  EXPECT_EQ(span.attributes(0).value().string_value(), "some value");
  // Output is lowercase hex.
  const Result<std::string> json = ToOtlpJson(req);
  ASSERT_TRUE(json.ok());
  EXPECT_NE(json->find(R"("traceId":"5b8efff798038103d269b633813fc60c")"), std::string::npos);
}

// Shaped like examples/metrics.json: numbers where proto3 JSON would write strings, too.
TEST(OtlpJsonParseTest, SpecMetricsExample) {
  ExportMetricsServiceRequest req;
  const Status st = ParseOtlpJson(R"({"resourceMetrics":[{"resource":{"attributes":[
    {"key":"service.name","value":{"stringValue":"my.service"}}]},
    "scopeMetrics":[{"scope":{"name":"my.library","version":"1.0.0"},"metrics":[
      {"name":"my.counter","unit":"1","description":"I am a Counter",
       "sum":{"aggregationTemporality":1,"isMonotonic":true,"dataPoints":[
         {"asDouble":5,"startTimeUnixNano":"1544712660300000000","timeUnixNano":"1544712660300000000",
          "attributes":[{"key":"my.counter.attr","value":{"stringValue":"some value"}}]}]}},
      {"name":"my.histogram","histogram":{"aggregationTemporality":1,"dataPoints":[
         {"startTimeUnixNano":"1544712660300000000","timeUnixNano":1544712660300000000,
          "count":2,"sum":2,"bucketCounts":[1,"1"],"explicitBounds":[1],"min":0,"max":2}]}}]}]}]})",
                                  &req);
  ASSERT_TRUE(st.ok()) << st.ToString();
  const auto& metrics = req.resource_metrics(0).scope_metrics(0).metrics();
  ASSERT_EQ(metrics.size(), 2);
  EXPECT_EQ(metrics[0].sum().aggregation_temporality(),
            opentelemetry::proto::metrics::v1::AGGREGATION_TEMPORALITY_DELTA);
  EXPECT_TRUE(metrics[0].sum().is_monotonic());
  EXPECT_EQ(metrics[0].sum().data_points(0).as_double(), 5.0);
  const auto& h = metrics[1].histogram().data_points(0);
  EXPECT_EQ(h.time_unix_nano(), 1544712660300000000u);  // a JSON number, read exactly
  EXPECT_EQ(h.count(), 2u);
  EXPECT_EQ(h.bucket_counts_size(), 2);
  EXPECT_EQ(h.bucket_counts(1), 1u);
  EXPECT_TRUE(h.has_min());
  EXPECT_EQ(h.min(), 0.0);
  EXPECT_EQ(h.max(), 2.0);
}

// Shaped like examples/logs.json, with every AnyValue kind.
TEST(OtlpJsonParseTest, SpecLogsExample) {
  ExportLogsServiceRequest req;
  const Status st = ParseOtlpJson(R"({"resourceLogs":[{"resource":{},"scopeLogs":[{"scope":{},
    "logRecords":[{"timeUnixNano":"1544712660300000000","observedTimeUnixNano":"1544712660300000000",
      "severityNumber":10,"severityText":"Information","traceId":"5b8efff798038103d269b633813fc60c",
      "spanId":"eee19b7ec3c1b174","body":{"stringValue":"Example log record"},
      "attributes":[
        {"key":"string.attribute","value":{"stringValue":"some string"}},
        {"key":"boolean.attribute","value":{"boolValue":true}},
        {"key":"int.attribute","value":{"intValue":"10"}},
        {"key":"double.attribute","value":{"doubleValue":637.704}},
        {"key":"array.attribute","value":{"arrayValue":{"values":[{"stringValue":"many"},
                                                                  {"stringValue":"values"}]}}},
        {"key":"map.attribute","value":{"kvlistValue":{"values":[
          {"key":"some.map.key","value":{"stringValue":"some value"}}]}}},
        {"key":"bytes.attribute","value":{"bytesValue":"aGk_-w"}}]}]}]}]})",
                                  &req);
  ASSERT_TRUE(st.ok()) << st.ToString();
  const auto& rec = req.resource_logs(0).scope_logs(0).log_records(0);
  EXPECT_EQ(rec.severity_number(), opentelemetry::proto::logs::v1::SEVERITY_NUMBER_INFO2);
  EXPECT_EQ(rec.body().string_value(), "Example log record");
  EXPECT_EQ(rec.span_id().size(), 8u);
  EXPECT_EQ(rec.attributes(1).value().bool_value(), true);
  EXPECT_EQ(rec.attributes(2).value().int_value(), 10);
  EXPECT_EQ(rec.attributes(3).value().double_value(), 637.704);
  EXPECT_EQ(rec.attributes(4).value().array_value().values(1).string_value(), "values");
  EXPECT_EQ(rec.attributes(5).value().kvlist_value().values(0).key(), "some.map.key");
  EXPECT_EQ(rec.attributes(6).value().bytes_value(), "hi?\xfb");  // URL-safe, unpadded base64
}

TEST(OtlpJsonParseTest, SnakeCaseKeysEnumNamesAndUnknownFields) {
  ExportTraceServiceRequest req;
  const Status st = ParseOtlpJson(R"({"resource_spans":[{"futureField":{"a":[1,{"b":null}]},
    "scope_spans":[{"spans":[{"trace_id":"5b8efff798038103d269b633813fc60c","span_id":"",
      "parent_span_id":null,"start_time_unix_nano":1e3,"kind":"SPAN_KIND_CLIENT",
      "dropped_attributes_count":"4","status":{"code":"STATUS_CODE_OK","message":"fine"},
      "links":[{"span_id":"0102030405060708","flags":1}],"unknown":"x"}]}]}],
    "extra":[true,false,null,-1.5e3,"\u00e9\ud83d\ude00"]})",
                                  &req);
  ASSERT_TRUE(st.ok()) << st.ToString();
  const Span& span = req.resource_spans(0).scope_spans(0).spans(0);
  EXPECT_EQ(span.trace_id().size(), 16u);
  EXPECT_TRUE(span.span_id().empty());  // "" means no id
  EXPECT_TRUE(span.parent_span_id().empty());
  EXPECT_EQ(span.start_time_unix_nano(), 1000u);
  EXPECT_EQ(span.kind(), Span::SPAN_KIND_CLIENT);
  EXPECT_EQ(span.dropped_attributes_count(), 4u);
  EXPECT_EQ(span.status().code(), opentelemetry::proto::trace::v1::Status::STATUS_CODE_OK);
  EXPECT_EQ(span.links(0).span_id(), std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
  EXPECT_EQ(span.links(0).flags(), 1u);
}

TEST(OtlpJsonParseTest, StringEscapesAndSpecialDoubles) {
  ExportLogsServiceRequest req;
  const Status st = ParseOtlpJson(
      R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[
        {"severityText":"a\"b\\c\/d\b\f\n\r\t\u0041\u00e9\ud83d\ude00"},
        {"body":{"doubleValue":"NaN"}},{"body":{"doubleValue":"-Infinity"}},
        {"body":{"doubleValue":"2.5"}},{"body":{"doubleValue":-0.0}},
        {"body":{"intValue":-9223372036854775808}},{"body":{"intValue":"18"}}]}]}]})",
      &req);
  ASSERT_TRUE(st.ok()) << st.ToString();
  const auto& recs = req.resource_logs(0).scope_logs(0).log_records();
  EXPECT_EQ(recs[0].severity_text(), "a\"b\\c/d\b\f\n\r\tA\xC3\xA9\xF0\x9F\x98\x80");
  EXPECT_TRUE(std::isnan(recs[1].body().double_value()));
  EXPECT_TRUE(std::isinf(recs[2].body().double_value()));
  EXPECT_EQ(recs[3].body().double_value(), 2.5);
  EXPECT_TRUE(recs[4].body().has_double_value());
  EXPECT_TRUE(std::signbit(recs[4].body().double_value()));
  EXPECT_EQ(recs[5].body().int_value(), INT64_MIN);
  EXPECT_EQ(recs[6].body().int_value(), 18);
}

TEST(OtlpJsonParseTest, NullLeavesFieldsUnsetAndLastDuplicateWins) {
  ExportMetricsServiceRequest req;
  const Status st = ParseOtlpJson(R"({"resourceMetrics":[{"resource":null,"scopeMetrics":null},
    {"schemaUrl":"a","schema_url":"b","scopeMetrics":[{}],"scopeMetrics":[{},{}]}]})",
                                  &req);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_FALSE(req.resource_metrics(0).has_resource());
  EXPECT_EQ(req.resource_metrics(0).scope_metrics_size(), 0);
  EXPECT_EQ(req.resource_metrics(1).schema_url(), "b");
  EXPECT_EQ(req.resource_metrics(1).scope_metrics_size(), 2);
}

TEST(OtlpJsonParseTest, ResponseAndOutputIsClearedFirst) {
  ExportMetricsServiceResponse resp;
  resp.mutable_partial_success()->set_error_message("stale");
  const Status st = ParseOtlpJson(R"( {"partialSuccess":{"rejectedDataPoints":"42"}} )", &resp);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(resp.partial_success().rejected_data_points(), 42);
  EXPECT_EQ(resp.partial_success().error_message(), "");
  EXPECT_TRUE(ParseOtlpJson("{}", &resp).ok());
  EXPECT_FALSE(resp.has_partial_success());
}

// The per-type field tables are built lazily on first use; parsers on several threads at once
// (the collector's EventLoop threads) must all see complete tables.
TEST(OtlpJsonParseTest, ConcurrentFirstUse) {
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&failures] {
      for (int i = 0; i < 50; ++i) {
        ExportTraceServiceRequest req;
        if (!ParseOtlpJson(kSpecTrace, &req).ok() ||
            req.resource_spans(0).scope_spans(0).spans(0).kind() != Span::SPAN_KIND_SERVER) {
          ++failures;
        }
        ExportLogsServiceRequest logs;
        if (!ParseOtlpJson(R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{"flags":1}]}]}]})",
                           &logs)
                 .ok()) {
          ++failures;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace
}  // namespace vigil::otlp
