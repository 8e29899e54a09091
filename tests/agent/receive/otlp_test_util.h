// Test helpers for the agent's OTLP receiver: a blocking HTTP client over real loopback
// sockets, a fake collector (a real net::HttpServer recording what the agent forwards), OTLP
// request builders and a decoder for google.rpc.Status error bodies.
#pragma once

#include <google/protobuf/unknown_field_set.h>
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/codec/codec.h"
#include "core/net/event_loop.h"
#include "core/net/http_client.h"
#include "core/net/http_server.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "tests/support/wait_until.h"

namespace vigil::agent::testing {

namespace pb = opentelemetry::proto;
using TraceRequest = pb::collector::trace::v1::ExportTraceServiceRequest;
using MetricsRequest = pb::collector::metrics::v1::ExportMetricsServiceRequest;
using LogsRequest = pb::collector::logs::v1::ExportLogsServiceRequest;

using vigil::testing::WaitUntil;

// Blocking POSTs to 127.0.0.1:`port` from a loop of its own.
class SyncClient {
 public:
  explicit SyncClient(uint16_t port) : loop_(1) {
    loop_.Start();
    auto c = net::HttpClient::Create(loop_, {.base_url = "http://127.0.0.1:" + std::to_string(port),
                                             .timeout = std::chrono::seconds(10)});
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    client_ = std::move(*c);
  }
  ~SyncClient() {
    loop_.Stop();
    client_.reset();
  }

  net::HttpResponse Post(const std::string& path, std::string body,
                         const std::string& content_type = "application/x-protobuf",
                         const std::string& encoding = "", const std::string& method = "POST") {
    net::HttpHeaders headers;
    if (!content_type.empty()) headers.emplace_back("Content-Type", content_type);
    if (!encoding.empty()) headers.emplace_back("Content-Encoding", encoding);
    std::promise<Result<net::HttpResponse>> p;
    client_->Request(method, path, std::move(headers), std::move(body),
                     [&p](Result<net::HttpResponse> r) { p.set_value(std::move(r)); });
    Result<net::HttpResponse> r = p.get_future().get();
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(r).value() : net::HttpResponse::Text(0, r.status().ToString());
  }

 private:
  net::EventLoop loop_;
  std::unique_ptr<net::HttpClient> client_;
};

// What the agent forwarded: a real HTTP server that answers 200 and keeps every body inflated.
class FakeCollector {
 public:
  struct Request {
    std::string path, key, body;
  };
  FakeCollector() : loop_(1), server_(loop_, {.listen = "127.0.0.1:0"}) {
    for (const char* path : {"/v1/traces", "/v1/metrics", "/v1/logs"}) {
      server_.Handle(path, [this](const net::HttpRequest& r) {
        auto enc = codec::ParseContentEncoding(r.Header("Content-Encoding"));
        auto body =
            codec::Decompress(enc.ok() ? *enc : codec::Encoding::kIdentity, r.body, 64 << 20);
        EXPECT_TRUE(body.ok());
        std::lock_guard lock(mu_);
        requests_.push_back({r.path, std::string(r.Header("X-Vigil-Batch-Key")),
                             body.ok() ? *body : std::string()});
        return net::HttpResponse::Text(200, "");
      });
    }
    loop_.Start();
    EXPECT_TRUE(server_.Start().ok());
  }
  ~FakeCollector() {
    server_.Stop();
    loop_.Stop();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_.port()); }
  std::vector<Request> requests(const std::string& path = "") const {
    std::lock_guard lock(mu_);
    std::vector<Request> out;
    for (const auto& r : requests_) {
      if (path.empty() || r.path == path) out.push_back(r);
    }
    return out;
  }

 private:
  mutable std::mutex mu_;
  std::vector<Request> requests_;
  net::EventLoop loop_;
  net::HttpServer server_;
};

inline void SetString(pb::common::v1::KeyValue* kv, const std::string& k, const std::string& v) {
  kv->set_key(k);
  kv->mutable_value()->set_string_value(v);
}

struct SpanSpec {
  std::string name = "GET /items/{id}";
  int kind = pb::trace::v1::Span::SPAN_KIND_SERVER;
  std::string route{};  // http.route; empty = absent
  int status = 0;       // http.response.status_code; 0 = absent
  uint64_t duration_ns = 25'000'000;
  bool error = false;  // span status ERROR
  std::string trace_id = std::string(16, '\x11');
};

// One ResourceSpans for `service` holding `spans`, appended to `req`.
inline void AddSpans(TraceRequest* req, const std::string& service,
                     const std::vector<SpanSpec>& spans) {
  auto* rs = req->add_resource_spans();
  SetString(rs->mutable_resource()->add_attributes(), "service.name", service);
  auto* ss = rs->add_scope_spans();
  ss->mutable_scope()->set_name("test-instrumentation");
  uint64_t t = 1'700'000'000'000'000'000ULL;
  int n = 0;
  for (const SpanSpec& s : spans) {
    auto* span = ss->add_spans();
    span->set_trace_id(s.trace_id);
    span->set_span_id(std::string(7, '\x22') + static_cast<char>(++n));
    span->set_name(s.name);
    span->set_kind(static_cast<pb::trace::v1::Span::SpanKind>(s.kind));
    span->set_start_time_unix_nano(t);
    span->set_end_time_unix_nano(t + s.duration_ns);
    if (!s.route.empty()) SetString(span->add_attributes(), "http.route", s.route);
    if (s.status != 0) {
      auto* kv = span->add_attributes();
      kv->set_key("http.response.status_code");
      kv->mutable_value()->set_int_value(s.status);
    }
    if (s.error) span->mutable_status()->set_code(pb::trace::v1::Status::STATUS_CODE_ERROR);
    t += 1000;
  }
}

inline LogsRequest MakeLogs(const std::string& service, int records) {
  LogsRequest req;
  auto* rl = req.add_resource_logs();
  SetString(rl->mutable_resource()->add_attributes(), "service.name", service);
  auto* sl = rl->add_scope_logs();
  for (int i = 0; i < records; ++i) {
    auto* r = sl->add_log_records();
    r->set_time_unix_nano(1'700'000'000'000'000'000ULL + i);
    r->set_severity_number(pb::logs::v1::SEVERITY_NUMBER_INFO);
    r->mutable_body()->set_string_value("record " + std::to_string(i));
    r->set_trace_id(std::string(16, '\x33'));
  }
  return req;
}

// A request holding one monotonic cumulative int Sum point `value` for series `attr`.
inline MetricsRequest CumulativeSum(const std::string& name, const std::string& attr, int64_t value,
                                    uint64_t start, uint64_t time) {
  MetricsRequest req;
  auto* rm = req.add_resource_metrics();
  SetString(rm->mutable_resource()->add_attributes(), "service.name", "app");
  auto* m = rm->add_scope_metrics()->add_metrics();
  m->set_name(name);
  auto* sum = m->mutable_sum();
  sum->set_is_monotonic(true);
  sum->set_aggregation_temporality(pb::metrics::v1::AGGREGATION_TEMPORALITY_CUMULATIVE);
  auto* p = sum->add_data_points();
  SetString(p->add_attributes(), "k", attr);
  p->set_start_time_unix_nano(start);
  p->set_time_unix_nano(time);
  p->set_as_int(value);
  return req;
}

// The message of a protobuf google.rpc.Status body (field 2), "" if there is none.
inline std::string RpcStatusMessage(const std::string& body) {
  google::protobuf::UnknownFieldSet fields;
  if (!fields.ParseFromString(body)) return "";
  for (int i = 0; i < fields.field_count(); ++i) {
    const auto& f = fields.field(i);
    if (f.number() == 2 && f.type() == google::protobuf::UnknownField::TYPE_LENGTH_DELIMITED) {
      return f.length_delimited();
    }
  }
  return "";
}

}  // namespace vigil::agent::testing
