// The whole Agent with its OTLP receiver, forwarding to a fake collector (a real HttpServer) over
// loopback: pass-through spans and logs arrive equal to what the application sent, server spans
// arrive as request metrics, cumulative application metrics as deltas, all under one key
// sequence with the tailed logs; shutdown delivers what was accepted.
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "agent/agent.h"
#include "agent/agent_config.h"
#include "tests/agent/receive/otlp_test_util.h"

namespace vigil::agent {
namespace {

using google::protobuf::util::MessageDifferencer;
using testing::FakeCollector;
using testing::SyncClient;

class AgentOtlpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("vigil-agent-otlp-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ / "logs");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<Agent> StartAgent(const std::string& flush_interval) {
    const std::string yaml = "agent: {id: agent-x, state_dir: \"" + (dir_ / "state").string() +
                             "\"}\n"
                             "admin: {listen: \"127.0.0.1:0\"}\n"
                             "tail: {include: [\"" +
                             (dir_ / "logs").string() +
                             "/*.jsonl\"], scan_interval: 50ms}\n"
                             "forward: {endpoint: \"" +
                             collector_.url() + "\", flush_interval: " + flush_interval +
                             "}\n"
                             "receiver: {enabled: true, listen: \"127.0.0.1:0\"}\n";
    Result<AgentConfig> cfg = ParseAgentConfig(yaml, "test.yaml");
    EXPECT_TRUE(cfg.ok()) << cfg.status().ToString();
    auto agent = std::make_unique<Agent>(std::move(*cfg));
    Status s = agent->Start();
    EXPECT_TRUE(s.ok()) << s.ToString();
    EXPECT_NE(agent->otlp_port(), 0);
    return agent;
  }

  std::filesystem::path dir_;
  FakeCollector collector_;
};

TEST_F(AgentOtlpTest, SpansLogsAndMetricsReachTheCollector) {
  {
    std::ofstream log(dir_ / "logs" / "app.jsonl");
    log << R"({"service":"checkout","route":"/pay","status":200,"duration_ms":12})"
        << "\n";
  }
  std::unique_ptr<Agent> agent = StartAgent("100ms");
  SyncClient client(agent->otlp_port());

  testing::TraceRequest traces;
  testing::SpanSpec pay;
  pay.route = "/pay";
  pay.status = 200;
  testing::SpanSpec failed = pay;
  failed.status = 503;
  testing::AddSpans(&traces, "checkout", {pay, pay, failed});
  ASSERT_EQ(client.Post("/v1/traces", traces.SerializeAsString()).status, 200);
  testing::LogsRequest logs = testing::MakeLogs("checkout", 5);
  ASSERT_EQ(client.Post("/v1/logs", logs.SerializeAsString()).status, 200);
  // The process started before the agent: the first point is the baseline, the second a delta.
  const uint64_t t0 = 1'700'000'000'000'000'000ULL;
  const uint64_t now =
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count());
  ASSERT_EQ(client
                .Post("/v1/metrics",
                      testing::CumulativeSum("jobs", "a", 100, t0, now).SerializeAsString())
                .status,
            200);
  ASSERT_EQ(client
                .Post("/v1/metrics",
                      testing::CumulativeSum("jobs", "a", 142, t0, now + 1000).SerializeAsString())
                .status,
            200);

  auto has_metric = [&](const std::string& name) {
    for (const auto& r : collector_.requests("/v1/metrics")) {
      testing::MetricsRequest m;
      EXPECT_TRUE(m.ParseFromString(r.body));
      for (const auto& rm : m.resource_metrics())
        for (const auto& sm : rm.scope_metrics())
          for (const auto& metric : sm.metrics())
            if (metric.name() == name) return true;
    }
    return false;
  };
  ASSERT_TRUE(testing::WaitUntil([&] {
    return !collector_.requests("/v1/traces").empty() && !collector_.requests("/v1/logs").empty() &&
           has_metric("jobs") && has_metric("http.server.request.duration");
  }));

  // Pass-through: equal after decode to what the application sent.
  testing::TraceRequest got_traces;
  ASSERT_TRUE(got_traces.ParseFromString(collector_.requests("/v1/traces")[0].body));
  EXPECT_TRUE(MessageDifferencer::Equals(got_traces, traces));
  bool found_logs = false;
  for (const auto& r : collector_.requests("/v1/logs")) {
    testing::LogsRequest got;
    ASSERT_TRUE(got.ParseFromString(r.body));
    if (MessageDifferencer::Equals(got, logs)) found_logs = true;  // the tailed line is apart
  }
  EXPECT_TRUE(found_logs);

  // Shutdown delivers everything read or accepted, so the figures below are final.
  ASSERT_TRUE(testing::WaitUntil([&] { return agent->stats().requests_derived.load() == 1; }));
  EXPECT_TRUE(agent->Shutdown().ok());

  // The application's cumulative sum arrived as one delta of 42; the span and log requests as
  // the same RED series (3 spans + 1 log line for checkout /pay).
  int64_t jobs = 0;
  uint64_t requests = 0, errors = 0;
  for (const auto& r : collector_.requests("/v1/metrics")) {
    testing::MetricsRequest m;
    ASSERT_TRUE(m.ParseFromString(r.body));
    for (const auto& rm : m.resource_metrics())
      for (const auto& sm : rm.scope_metrics())
        for (const auto& metric : sm.metrics()) {
          if (metric.name() == "jobs") {
            EXPECT_EQ(metric.sum().aggregation_temporality(),
                      opentelemetry::proto::metrics::v1::AGGREGATION_TEMPORALITY_DELTA);
            for (const auto& p : metric.sum().data_points()) jobs += p.as_int();
          } else if (metric.name() == "http.server.request.duration") {
            EXPECT_EQ(rm.resource().attributes(0).value().string_value(), "checkout");
            for (const auto& p : metric.exponential_histogram().data_points())
              requests += p.count();
          } else if (metric.name() == "http.server.request.errors") {
            for (const auto& p : metric.sum().data_points()) errors += p.as_int();
          }
        }
  }
  EXPECT_EQ(jobs, 42);
  EXPECT_EQ(requests, 4u);
  EXPECT_EQ(errors, 1u);

  // One key sequence for everything the agent sent.
  std::set<std::string> keys;
  size_t total = 0;
  for (const auto& r : collector_.requests()) {
    EXPECT_EQ(r.key.rfind("agent-x/", 0), 0u) << r.key;
    keys.insert(r.key);
    ++total;
  }
  EXPECT_EQ(keys.size(), total);
  EXPECT_EQ(agent->stats().otlp_received[static_cast<int>(SignalIndex::kTraces)].load(), 3u);
  EXPECT_EQ(agent->stats().items_sent[static_cast<int>(SignalIndex::kTraces)].load(), 3u);
}

TEST_F(AgentOtlpTest, ShutdownDeliversWhatWasAcceptedBeforeTheNextFlush) {
  std::unique_ptr<Agent> agent = StartAgent("1h");
  SyncClient client(agent->otlp_port());
  testing::TraceRequest traces;
  testing::AddSpans(&traces, "svc", {testing::SpanSpec{}});
  ASSERT_EQ(client.Post("/v1/traces", traces.SerializeAsString()).status, 200);
  EXPECT_TRUE(collector_.requests("/v1/traces").empty());
  EXPECT_TRUE(agent->Shutdown().ok());
  ASSERT_EQ(collector_.requests("/v1/traces").size(), 1u);
  testing::TraceRequest got;
  ASSERT_TRUE(got.ParseFromString(collector_.requests("/v1/traces")[0].body));
  EXPECT_TRUE(MessageDifferencer::Equals(got, traces));
}

}  // namespace
}  // namespace vigil::agent
