// partial_success as both OTLP exporters read, count and print it.
#include "core/send/partial_success.h"

#include <gtest/gtest.h>

#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace vigil::send {
namespace {

namespace col = opentelemetry::proto::collector;

TEST(PartialSuccessTest, ReadsTheCountOfEachSignal) {
  col::trace::v1::ExportTraceServiceResponse t;
  t.mutable_partial_success()->set_rejected_spans(3);
  t.mutable_partial_success()->set_error_message("bad span");
  PartialSuccess ps = ParsePartialSuccess(Signal::kTraces, t.SerializeAsString());
  EXPECT_EQ(ps.rejected, 3);
  EXPECT_EQ(ps.message, "bad span");
  EXPECT_TRUE(ps.any());

  col::logs::v1::ExportLogsServiceResponse l;
  l.mutable_partial_success()->set_rejected_log_records(5);
  EXPECT_EQ(ParsePartialSuccess(Signal::kLogs, l.SerializeAsString()).rejected, 5);

  col::metrics::v1::ExportMetricsServiceResponse m;
  m.mutable_partial_success()->set_rejected_data_points(7);
  m.mutable_partial_success()->set_error_message("");
  EXPECT_EQ(ParsePartialSuccess(Signal::kMetrics, m.SerializeAsString()).rejected, 7);
}

TEST(PartialSuccessTest, NoneOrGarbageIsEmpty) {
  EXPECT_FALSE(ParsePartialSuccess(Signal::kTraces, "").any());
  col::trace::v1::ExportTraceServiceResponse t;  // no partial_success field
  EXPECT_FALSE(ParsePartialSuccess(Signal::kTraces, t.SerializeAsString()).any());
  EXPECT_FALSE(ParsePartialSuccess(Signal::kLogs, std::string("\xff\xff\xff", 3)).any());
}

TEST(PartialSuccessTest, PrintableTextIsSafeForALogLine) {
  EXPECT_EQ(PrintableText("ok\n\tthen\x01 more  \n"), "ok  then  more");
  EXPECT_EQ(PrintableText("caf\xc3\xa9"), "caf");
  const std::string long_text(600, 'x');
  EXPECT_EQ(PrintableText(long_text), std::string(512, 'x') + "...");
}

TEST(PartialSuccessTest, EveryResponseIsCounted) {
  PartialSuccessLog log;
  std::atomic<uint64_t> responses{0}, rejections{0};
  log.Record("http://backend", Signal::kTraces, {2, "x"}, responses, rejections);
  log.Record("http://backend", Signal::kTraces, {3, ""}, responses, rejections);  // not logged
  log.Record("http://backend", Signal::kTraces, {-1, "odd"}, responses, rejections);
  EXPECT_EQ(responses.load(), 3u);
  EXPECT_EQ(rejections.load(), 5u);  // a negative count adds nothing
}

}  // namespace
}  // namespace vigil::send
