// Decodes LogBatchEncoder output with libprotobuf's generated classes and checks every field.
#include "core/otlp/log_encoder.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"

namespace vigil::otlp {
namespace {

using opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest;
using opentelemetry::proto::logs::v1::LogRecord;
using opentelemetry::proto::logs::v1::ResourceLogs;

using Attr = std::pair<std::string_view, std::string_view>;

ExportLogsServiceRequest Parse(const std::string& bytes) {
  ExportLogsServiceRequest req;
  EXPECT_TRUE(req.ParseFromString(bytes));
  return req;
}

std::string ServiceOf(const ResourceLogs& rl) {
  for (const auto& kv : rl.resource().attributes()) {
    if (kv.key() == "service.name") return kv.value().string_value();
  }
  return "<none>";
}

TEST(LogBatchEncoderTest, EncodesEveryField) {
  LogBatchEncoder enc("vigil.tail");
  enc.BeginResource("checkout");
  const std::vector<Attr> attrs = {{"log.file.path", "/var/log/app.log"}, {"k", ""}};
  const std::string line = R"({"level":"error","msg":"payment failed","ms":12})";
  enc.Add({.time_unix_nano = 1700000000123456789,
           .observed_time_unix_nano = 1700000000999999999,
           .severity_number = 17,
           .severity_text = "error",
           .body = line,
           .trace_id_hex = "4BF92F3577B34DA6A3CE929D0E0E4736",
           .span_id_hex = "00f067aa0ba902b7",
           .attributes = attrs});
  EXPECT_EQ(enc.records(), 1u);
  const size_t predicted = enc.bytes();
  const std::string out = enc.Finish();
  EXPECT_EQ(out.size(), predicted);

  const auto req = Parse(out);
  ASSERT_EQ(req.resource_logs_size(), 1);
  const auto& rl = req.resource_logs(0);
  ASSERT_EQ(rl.resource().attributes_size(), 1);
  EXPECT_EQ(ServiceOf(rl), "checkout");
  ASSERT_EQ(rl.scope_logs_size(), 1);
  EXPECT_EQ(rl.scope_logs(0).scope().name(), "vigil.tail");
  ASSERT_EQ(rl.scope_logs(0).log_records_size(), 1);
  const LogRecord& r = rl.scope_logs(0).log_records(0);
  EXPECT_EQ(r.time_unix_nano(), 1700000000123456789u);
  EXPECT_EQ(r.observed_time_unix_nano(), 1700000000999999999u);
  EXPECT_EQ(r.severity_number(), opentelemetry::proto::logs::v1::SEVERITY_NUMBER_ERROR);
  EXPECT_EQ(r.severity_text(), "error");
  ASSERT_TRUE(r.body().has_string_value());
  EXPECT_EQ(r.body().string_value(), line);
  ASSERT_EQ(r.attributes_size(), 2);
  EXPECT_EQ(r.attributes(0).key(), "log.file.path");
  EXPECT_EQ(r.attributes(0).value().string_value(), "/var/log/app.log");
  EXPECT_EQ(r.attributes(1).key(), "k");
  EXPECT_TRUE(r.attributes(1).value().has_string_value());
  EXPECT_EQ(r.trace_id(),
            std::string("\x4b\xf9\x2f\x35\x77\xb3\x4d\xa6\xa3\xce\x92\x9d\x0e\x0e\x47\x36", 16));
  EXPECT_EQ(r.span_id(), std::string("\x00\xf0\x67\xaa\x0b\xa9\x02\xb7", 8));
  EXPECT_EQ(r.flags(), 0u);
  EXPECT_EQ(r.dropped_attributes_count(), 0u);
  // Byte-identical to libprotobuf's serialization of the same message.
  EXPECT_EQ(out, req.SerializeAsString());
}

TEST(LogBatchEncoderTest, GroupsRecordsPerServiceInFirstSeenOrder) {
  LogBatchEncoder enc;
  const char* services[] = {"api", "db", "api", "web", "db", "api"};
  for (int i = 0; i < 6; ++i) {
    enc.BeginResource(services[i]);
    std::string body = "line " + std::to_string(i);
    enc.Add({.time_unix_nano = i + 1, .body = body});
  }
  EXPECT_EQ(enc.records(), 6u);
  const auto req = Parse(enc.Finish());
  ASSERT_EQ(req.resource_logs_size(), 3);
  EXPECT_EQ(ServiceOf(req.resource_logs(0)), "api");
  EXPECT_EQ(ServiceOf(req.resource_logs(1)), "db");
  EXPECT_EQ(ServiceOf(req.resource_logs(2)), "web");
  const auto& api = req.resource_logs(0).scope_logs(0).log_records();
  ASSERT_EQ(api.size(), 3);
  EXPECT_EQ(api[0].body().string_value(), "line 0");
  EXPECT_EQ(api[1].body().string_value(), "line 2");
  EXPECT_EQ(api[2].body().string_value(), "line 5");
  EXPECT_EQ(api[2].time_unix_nano(), 6u);
  EXPECT_EQ(req.resource_logs(2).scope_logs(0).log_records_size(), 1);
}

TEST(LogBatchEncoderTest, InvalidIdsAndSeverityAreLeftOut) {
  LogBatchEncoder enc;
  enc.BeginResource("svc");
  const std::string_view bad_traces[] = {
      "4bf92f3577b34da6a3ce929d0e0e473",    // 31 digits
      "4bf92f3577b34da6a3ce929d0e0e47367",  // 33 digits
      "4bf92f3577b34da6a3ce929d0e0e473g",   // non-hex digit
      "00000000000000000000000000000000",   // all zero: invalid in OTLP
      ""};
  for (auto t : bad_traces) {
    enc.Add({.severity_number = 99, .body = "x", .trace_id_hex = t, .span_id_hex = "00f067aa0ba9"});
  }
  enc.Add({.severity_number = -1, .body = "y", .span_id_hex = "0000000000000000"});
  const auto req = Parse(enc.Finish());
  const auto& recs = req.resource_logs(0).scope_logs(0).log_records();
  ASSERT_EQ(recs.size(), 6);
  for (const auto& r : recs) {
    EXPECT_TRUE(r.trace_id().empty());
    EXPECT_TRUE(r.span_id().empty());
    EXPECT_EQ(r.severity_number(), 0);
    EXPECT_EQ(r.time_unix_nano(), 0u);
  }
}

TEST(LogBatchEncoderTest, EmptyBodyIsStillAStringValue) {
  LogBatchEncoder enc;
  enc.Add({.body = ""});
  const auto req = Parse(enc.Finish());
  const auto& r = req.resource_logs(0).scope_logs(0).log_records(0);
  EXPECT_TRUE(r.has_body());
  EXPECT_TRUE(r.body().has_string_value());
  EXPECT_EQ(ServiceOf(req.resource_logs(0)), "unknown_service");
}

TEST(LogBatchEncoderTest, FinishResetsAndReusesAcrossBatches) {
  LogBatchEncoder enc("");  // no scope
  EXPECT_EQ(enc.Finish(), "");
  EXPECT_EQ(enc.bytes(), 0u);
  enc.BeginResource("a");
  enc.Add({.body = "1"});
  enc.BeginResource("b");
  enc.Add({.body = "2"});
  auto first = Parse(enc.Finish());
  EXPECT_EQ(first.resource_logs_size(), 2);
  EXPECT_FALSE(first.resource_logs(0).scope_logs(0).has_scope());
  EXPECT_EQ(enc.records(), 0u);
  EXPECT_EQ(enc.bytes(), 0u);

  // "b" is still current: Add without BeginResource continues it. "a" is idle this batch.
  enc.Add({.body = "3"});
  auto second = Parse(enc.Finish());
  ASSERT_EQ(second.resource_logs_size(), 1);
  EXPECT_EQ(ServiceOf(second.resource_logs(0)), "b");
  EXPECT_EQ(second.resource_logs(0).scope_logs(0).log_records(0).body().string_value(), "3");

  // "a" was released after an idle batch and comes back as a new group.
  enc.BeginResource("a");
  enc.Add({.body = "4"});
  auto third = Parse(enc.Finish());
  ASSERT_EQ(third.resource_logs_size(), 1);
  EXPECT_EQ(ServiceOf(third.resource_logs(0)), "a");
}

TEST(LogBatchEncoderTest, LargeRecordsAndBytesStayExact) {
  LogBatchEncoder enc;
  enc.BeginResource(std::string(200, 's'));  // multi-byte lengths in the resource too
  std::string big(70000, 'z');               // 3-byte length varints
  for (int i = 0; i < 3; ++i) {
    enc.Add({.time_unix_nano = -5, .body = big});  // negative time: two's complement fixed64
    EXPECT_GT(enc.bytes(), static_cast<size_t>(i + 1) * big.size());
  }
  const size_t predicted = enc.bytes();
  const std::string out = enc.Finish();
  EXPECT_EQ(out.size(), predicted);
  const auto req = Parse(out);
  const auto& recs = req.resource_logs(0).scope_logs(0).log_records();
  ASSERT_EQ(recs.size(), 3);
  EXPECT_EQ(recs[2].body().string_value(), big);
  EXPECT_EQ(recs[2].time_unix_nano(), static_cast<uint64_t>(int64_t{-5}));
  EXPECT_EQ(out, req.SerializeAsString());
}

}  // namespace
}  // namespace vigil::otlp
