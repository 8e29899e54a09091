#include "agent/derive/span_metrics.h"

#include <gtest/gtest.h>

#include <map>
#include <tuple>

#include "tests/agent/receive/otlp_test_util.h"

namespace vigil::derive {
namespace {

using agent::testing::AddSpans;
using agent::testing::SpanSpec;
using agent::testing::TraceRequest;

struct Figures {
  uint64_t count = 0, errors = 0;
  double sum = 0;
};
using Key = std::tuple<std::string, std::string, int>;

std::map<Key, Figures> Collect(SpanMetrics& sm) {
  std::map<Key, Figures> out;
  for (const SeriesDelta& d : sm.TakeDeltas()) {
    Figures& f = out[{d.service, d.route, d.status}];
    f.count += d.duration.count();
    f.sum += d.duration.sum();
    f.errors += d.errors;
  }
  return out;
}

SpanSpec Server(std::string route, int status, uint64_t ms, bool error = false) {
  SpanSpec s;
  s.route = std::move(route);
  s.status = status;
  s.duration_ns = ms * 1'000'000;
  s.error = error;
  return s;
}

TEST(SpanMetrics, CountsErrorsAndDurationsPerSeriesExactly) {
  SpanMetrics sm(RedOptions{}, SpanMetricsOptions{});
  TraceRequest req;
  AddSpans(&req, "checkout",
           {Server("/pay", 200, 10), Server("/pay", 200, 30), Server("/pay", 500, 5),
            Server("/pay", 200, 7, /*error=*/true), Server("/cart", 404, 2)});
  AddSpans(&req, "search", {Server("/q", 200, 100)});
  EXPECT_EQ(sm.Record(req), 6u);
  auto got = Collect(sm);
  ASSERT_EQ(got.size(), 4u);
  const Figures& ok = got[{"checkout", "/pay", 200}];
  EXPECT_EQ(ok.count, 3u);
  EXPECT_EQ(ok.errors, 1u);  // span status ERROR, although the code is 200
  EXPECT_NEAR(ok.sum, 0.047, 1e-9);
  EXPECT_EQ((got[{"checkout", "/pay", 500}].errors), 1u);  // status >= 500
  EXPECT_EQ((got[{"checkout", "/cart", 404}].errors), 0u);
  EXPECT_EQ((got[{"search", "/q", 200}].count), 1u);
  // Deltas: nothing new, nothing out.
  EXPECT_TRUE(sm.TakeDeltas().empty());
}

TEST(SpanMetrics, OnlyConfiguredKindsCount) {
  SpanMetrics sm(RedOptions{}, SpanMetricsOptions{});
  TraceRequest req;
  SpanSpec client = Server("/x", 200, 1), internal = client, consumer = client, producer = client;
  client.kind = opentelemetry::proto::trace::v1::Span::SPAN_KIND_CLIENT;
  internal.kind = opentelemetry::proto::trace::v1::Span::SPAN_KIND_INTERNAL;
  consumer.kind = opentelemetry::proto::trace::v1::Span::SPAN_KIND_CONSUMER;
  producer.kind = opentelemetry::proto::trace::v1::Span::SPAN_KIND_PRODUCER;
  AddSpans(&req, "svc", {client, internal, consumer, producer, Server("/x", 200, 1)});
  EXPECT_EQ(sm.Record(req), 2u);  // server + consumer
  EXPECT_EQ(sm.stats().spans_skipped_kind, 3u);

  SpanMetrics clients(RedOptions{}, SpanMetricsOptions{.kinds = {3}});
  EXPECT_EQ(clients.Record(req), 1u);
}

TEST(SpanMetrics, RouteFallsBackToSpanNameStatusToZeroServiceToDefault) {
  SpanMetrics sm(RedOptions{}, SpanMetricsOptions{.default_service = "nameless"});
  TraceRequest req;
  SpanSpec s;
  s.name = "GET /health";
  AddSpans(&req, "svc", {s});
  req.mutable_resource_spans(0)->mutable_resource()->clear_attributes();
  // A status that is not an int is treated as absent.
  auto* kv =
      req.mutable_resource_spans(0)->mutable_scope_spans(0)->mutable_spans(0)->add_attributes();
  kv->set_key("http.response.status_code");
  kv->mutable_value()->set_string_value("200");
  ASSERT_EQ(sm.Record(req), 1u);
  auto got = Collect(sm);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got.begin()->first, (Key{"nameless", "GET /health", 0}));
}

TEST(SpanMetrics, SpansEndingBeforeTheyStartAreSkipped) {
  SpanMetrics sm(RedOptions{}, SpanMetricsOptions{});
  TraceRequest req;
  AddSpans(&req, "svc", {Server("/x", 200, 1)});
  auto* span = req.mutable_resource_spans(0)->mutable_scope_spans(0)->mutable_spans(0);
  span->set_end_time_unix_nano(span->start_time_unix_nano() - 1);
  EXPECT_EQ(sm.Record(req), 0u);
  EXPECT_EQ(sm.stats().spans_bad_duration, 1u);
}

TEST(SpanMetrics, SeriesBoundFoldsIntoOverflow) {
  RedOptions red;
  red.max_series = 2;
  SpanMetrics sm(red, SpanMetricsOptions{});
  TraceRequest req;
  AddSpans(&req, "svc", {Server("/a", 200, 1), Server("/b", 200, 1), Server("/c", 200, 1)});
  EXPECT_EQ(sm.Record(req), 3u);
  EXPECT_EQ(sm.red_stats().overflow_requests, 1u);
}

TEST(SpanMetrics, KindNames) {
  EXPECT_EQ(*ParseSpanKind("server"), 2);
  EXPECT_EQ(*ParseSpanKind("consumer"), 5);
  Result<int> bad = ParseSpanKind("SERVER");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("expected internal, server, client, producer or consumer"),
            std::string::npos);
}

}  // namespace
}  // namespace vigil::derive
