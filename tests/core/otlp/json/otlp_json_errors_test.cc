// Every way ParseOtlpJson rejects input, each with the message a sender would see: the JSON
// path and the problem for wrong content, the byte offset for text that is not JSON.
#include <gtest/gtest.h>

#include <string>

#include "core/otlp/json/otlp_json.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace vigil::otlp {
namespace {

using opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest;
using opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceRequest;
using opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest;

template <typename T = ExportTraceServiceRequest>
std::string ErrorOf(std::string_view json) {
  T m;
  const Status st = ParseOtlpJson(json, &m);
  EXPECT_FALSE(st.ok()) << json;
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  return st.message();
}

// A span inside the usual envelope: `fields` go into resourceSpans[0].scopeSpans[0].spans[1].
std::string Span(std::string_view fields) {
  return R"({"resourceSpans":[{"scopeSpans":[{"spans":[{},{)" + std::string(fields) + "}]}]}]}";
}
constexpr char kSpanPath[] = "resourceSpans[0].scopeSpans[0].spans[1].";

TEST(OtlpJsonErrorsTest, NotJson) {
  EXPECT_EQ(ErrorOf(""), "not valid JSON at byte 0: unexpected end of input");
  EXPECT_EQ(ErrorOf("hello"), "not valid JSON at byte 0: unexpected character");
  EXPECT_EQ(ErrorOf(R"({"resourceSpans" [])"),
            "not valid JSON at byte 17: expected ':' after an object key");
  EXPECT_EQ(ErrorOf(R"({"resourceSpans":[]}x)"),
            "not valid JSON at byte 20: unexpected data after the top-level value");
  EXPECT_EQ(ErrorOf(R"({"a":01})"), "not valid JSON at byte 6: expected ',' or '}' in an object");
  EXPECT_EQ(ErrorOf(R"({"a":[1,]})"), "not valid JSON at byte 8: unexpected character");
  EXPECT_EQ(ErrorOf(R"({"a":"x)"
                    "\x01"
                    R"("})"),
            "not valid JSON at byte 7: control character in a string");
  EXPECT_EQ(ErrorOf(R"({"a":"\q"})"), "not valid JSON at byte 6: bad escape in a string");
  EXPECT_EQ(ErrorOf(R"({"a":"\ud800x"})"),
            "not valid JSON at byte 12: unpaired high surrogate in a \\u escape");
  EXPECT_EQ(ErrorOf(R"({"a":"\udc00"})"),
            "not valid JSON at byte 12: unpaired low surrogate in a \\u escape");
  EXPECT_EQ(ErrorOf(R"({"a":-})"), "not valid JSON at byte 6: expected a digit");
  EXPECT_EQ(ErrorOf(R"({"a":1.e5})"), "not valid JSON at byte 7: expected a digit after '.'");
  EXPECT_EQ(ErrorOf(R"({"a":nul})"), "not valid JSON at byte 5: unexpected character");
  EXPECT_EQ(ErrorOf("{\"a\":\"\xff\"}"), "not valid UTF-8 at byte 6");
}

TEST(OtlpJsonErrorsTest, Truncated) {
  const std::string full = Span(R"("traceId":"5b8efff798038103d269b633813fc60c","name":"n")");
  ExportTraceServiceRequest ok;
  ASSERT_TRUE(ParseOtlpJson(full, &ok).ok());
  // Every proper prefix fails, each with a syntax error (never a crash or a success).
  for (size_t n = 0; n < full.size(); ++n) {
    const std::string msg = ErrorOf(std::string_view(full).substr(0, n));
    EXPECT_EQ(msg.rfind("not valid JSON at byte ", 0), 0u) << n << ": " << msg;
  }
  EXPECT_EQ(ErrorOf(R"({"resourceSpans":[{"scopeSpans":[)"),
            "not valid JSON at byte 33: unexpected end of input");
  EXPECT_EQ(ErrorOf(R"({"a":"abc)"),
            "not valid JSON at byte 9: unexpected end of input in a string");
}

TEST(OtlpJsonErrorsTest, WrongTypes) {
  EXPECT_EQ(ErrorOf("[]"), "top level: expected a JSON object, got an array");
  EXPECT_EQ(ErrorOf(R"({"resourceSpans":{}})"), "resourceSpans: expected an array, got an object");
  EXPECT_EQ(ErrorOf(R"({"resourceSpans":["x"]})"),
            "resourceSpans[0]: expected an object, got \"x\"");
  EXPECT_EQ(ErrorOf(R"({"resourceSpans":[null]})"),
            "resourceSpans[0]: expected a value (null in an array), got null");
  EXPECT_EQ(ErrorOf(Span(R"("name":5)")),
            std::string(kSpanPath) + "name: expected a string, got 5");
  EXPECT_EQ(ErrorOf(Span(R"("startTimeUnixNano":true)")),
            std::string(kSpanPath) +
                "startTimeUnixNano: expected an integer or a decimal string, got true");
  EXPECT_EQ(ErrorOf(Span(R"("startTimeUnixNano":"12x")")),
            std::string(kSpanPath) +
                "startTimeUnixNano: expected an integer or a decimal string, got \"12x\" (not a "
                "decimal number)");
  EXPECT_EQ(ErrorOf(Span(R"("droppedEventsCount":1.5)")),
            std::string(kSpanPath) + "droppedEventsCount: expected an integer, got 1.5");
  EXPECT_EQ(ErrorOf(Span(R"("droppedEventsCount":-1)")),
            std::string(kSpanPath) + "droppedEventsCount: -1 is out of range for uint32");
  EXPECT_EQ(ErrorOf(Span(R"("startTimeUnixNano":"18446744073709551616")")),
            std::string(kSpanPath) +
                "startTimeUnixNano: expected an integer or a decimal string, got "
                "\"18446744073709551616\" (18446744073709551616 is out of range for uint64)");
  EXPECT_EQ(ErrorOf(Span(R"("status":[])")),
            std::string(kSpanPath) + "status: expected an object, got an array");
  EXPECT_EQ(ErrorOf(Span(R"("attributes":[{"key":"k","value":{"boolValue":"true"}}])")),
            std::string(kSpanPath) +
                "attributes[0].value.boolValue: expected true or false, got \"true\"");
  EXPECT_EQ(ErrorOf(Span(R"("attributes":[{"key":"k","value":{"doubleValue":"fast"}}])")),
            std::string(kSpanPath) +
                "attributes[0].value.doubleValue: expected a number or one of \"NaN\", "
                "\"Infinity\", \"-Infinity\", got \"fast\"");
  EXPECT_EQ(ErrorOf(Span(R"("attributes":[{"key":"k","value":{"doubleValue":1e999}}])")),
            std::string(kSpanPath) +
                "attributes[0].value.doubleValue: 1e999 is out of range for a double");
  EXPECT_EQ(ErrorOf(Span(R"("attributes":[{"key":"k","value":{"bytesValue":"ab!c"}}])")),
            std::string(kSpanPath) +
                "attributes[0].value.bytesValue: expected base64, got '!' at index 2");
  // A type error on a value that is not valid JSON either reports the syntax error.
  EXPECT_EQ(ErrorOf(Span(R"("name":tru)")), "not valid JSON at byte 54: unexpected character");
}

TEST(OtlpJsonErrorsTest, Ids) {
  EXPECT_EQ(ErrorOf(Span(R"("traceId":"5b8efff798038103d269b633813fc6")")),
            std::string(kSpanPath) + "traceId: expected 32 hex digits, got 30 characters");
  EXPECT_EQ(ErrorOf(Span(R"("spanId":"eee19b7ec3c1b17z")")),
            std::string(kSpanPath) + "spanId: expected 16 hex digits, got 'z' at index 15");
  // base64 of 8 bytes is 12 characters, not 16: a sender using proto3 JSON gets a clear error.
  EXPECT_EQ(ErrorOf(Span(R"("parent_span_id":"7uGbfsPBsXQ=")")),
            std::string(kSpanPath) + "parent_span_id: expected 16 hex digits, got 12 characters");
  EXPECT_EQ(ErrorOf(Span(R"("links":[{},{"traceId":7}])")),
            std::string(kSpanPath) + "links[1].traceId: expected a hex string, got 7");
  EXPECT_EQ(ErrorOf<ExportLogsServiceRequest>(
                R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{"spanId":"00"}]}]}]})"),
            "resourceLogs[0].scopeLogs[0].logRecords[0].spanId: expected 16 hex digits, got 2 "
            "characters");
  EXPECT_EQ(ErrorOf<ExportMetricsServiceRequest>(
                R"({"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"gauge":{"dataPoints":[)"
                R"({"exemplars":[{"traceId":"g0000000000000000000000000000000"}]}]}}]}]}]})"),
            "resourceMetrics[0].scopeMetrics[0].metrics[0].gauge.dataPoints[0].exemplars[0]."
            "traceId: expected 32 hex digits, got 'g' at index 0");
}

TEST(OtlpJsonErrorsTest, Enums) {
  EXPECT_EQ(ErrorOf(Span(R"("kind":9)")),
            std::string(kSpanPath) + "kind: 9 is not a value of enum SpanKind");
  EXPECT_EQ(
      ErrorOf(Span(R"("kind":"SPAN_KIND_SERVERLESS")")),
      std::string(kSpanPath) + "kind: \"SPAN_KIND_SERVERLESS\" is not a value of enum SpanKind");
  EXPECT_EQ(ErrorOf(Span(R"("status":{"code":1.5})")),
            std::string(kSpanPath) + "status.code: expected an integer, got 1.5");
  EXPECT_EQ(ErrorOf(Span(R"("kind":{})")),
            std::string(kSpanPath) + "kind: expected an enum number or name, got an object");
  EXPECT_EQ(ErrorOf<ExportLogsServiceRequest>(
                R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{"severityNumber":25}]}]}]})"),
            "resourceLogs[0].scopeLogs[0].logRecords[0].severityNumber: 25 is not a value of enum "
            "SeverityNumber");
}

TEST(OtlpJsonErrorsTest, TwoMembersOfAOneof) {
  EXPECT_EQ(
      ErrorOf(Span(R"("attributes":[{"key":"k","value":{"stringValue":"a","intValue":"1"}}])")),
      std::string(kSpanPath) +
          "attributes[0].value.intValue: more than one field of oneof 'value' is set "
          "(stringValue and intValue)");
}

TEST(OtlpJsonErrorsTest, TooDeep) {
  // Nested arrays in AnyValue: each level is 3 JSON levels (object, object, array).
  std::string value = R"({"intValue":"1"})";
  for (int i = 0; i < 25; ++i) value = R"({"arrayValue":{"values":[)" + value + "]}}";
  const std::string msg = ErrorOf(Span(R"("attributes":[{"key":"k","value":)" + value + "}]"));
  EXPECT_EQ(msg.rfind("JSON nested deeper than 64 levels at byte ", 0), 0u) << msg;
  // The same limit holds inside fields that are skipped as unknown.
  const std::string unknown =
      R"({"x":)" + std::string(100000, '[') + std::string(100000, ']') + "}";
  EXPECT_EQ(ErrorOf(unknown), "JSON nested deeper than 64 levels at byte 68");
  // 20 levels of AnyValue nesting is fine.
  value = R"({"intValue":"1"})";
  for (int i = 0; i < 15; ++i) value = R"({"arrayValue":{"values":[)" + value + "]}}";
  ExportTraceServiceRequest req;
  EXPECT_TRUE(
      ParseOtlpJson(Span(R"("attributes":[{"key":"k","value":)" + value + "}]"), &req).ok());
}

}  // namespace
}  // namespace vigil::otlp
