// Test helper for tests/core/send: a real loopback OTLP/HTTP peer (net::HttpServer on its own
// EventLoop) that records every request and answers from a script, plus small wait utilities.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/net/event_loop.h"
#include "core/net/http_server.h"
#include "core/net/http_types.h"
#include "core/send/exporter.h"
#include "tests/support/wait_until.h"

namespace vigil::send::testing {

using vigil::testing::WaitUntil;

// A one-shot latch that handlers can block on (with a bound, so a failing test never hangs).
class Gate {
 public:
  void Open() {
    std::lock_guard l(mu_);
    open_ = true;
    cv_.notify_all();
  }
  void Wait() {
    std::unique_lock l(mu_);
    cv_.wait_for(l, std::chrono::seconds(10), [&] { return open_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

struct Recorded {
  std::string path;
  net::HttpHeaders headers;
  std::string body;
  std::chrono::steady_clock::time_point at;
  std::string Header(std::string_view name) const {
    return std::string(net::FindHeader(headers, name));
  }
};

class PeerServer {
 public:
  // `n` is the 0-based index of the request among all this server received.
  using Script = std::function<net::HttpResponse(const net::HttpRequest&, int n)>;

  explicit PeerServer(Script script, std::string listen = "127.0.0.1:0", int threads = 4)
      : loop_(threads), server_(loop_, Options(std::move(listen))), script_(std::move(script)) {
    for (Signal s : {Signal::kMetrics, Signal::kLogs, Signal::kTraces}) {
      server_.Handle(std::string(SignalPath(s)), [this](const net::HttpRequest& req) {
        int n;
        {
          std::lock_guard l(mu_);
          n = static_cast<int>(requests_.size());
          requests_.push_back({req.path, req.headers, req.body, std::chrono::steady_clock::now()});
        }
        return script_(req, n);
      });
    }
    loop_.Start();
    start_status_ = server_.Start();
  }
  ~PeerServer() {
    server_.Stop();
    loop_.Stop();
  }

  const Status& start_status() const { return start_status_; }
  uint16_t port() const { return server_.port(); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port()); }
  std::vector<Recorded> requests() const {
    std::lock_guard l(mu_);
    return requests_;
  }
  size_t count() const {
    std::lock_guard l(mu_);
    return requests_.size();
  }

 private:
  static net::HttpServerOptions Options(std::string listen) {
    net::HttpServerOptions o;
    o.listen = std::move(listen);
    return o;
  }

  net::EventLoop loop_;
  net::HttpServer server_;
  Script script_;
  Status start_status_;
  mutable std::mutex mu_;
  std::vector<Recorded> requests_;
};

inline net::HttpResponse Reply(int status, std::string body = "", net::HttpHeaders headers = {}) {
  net::HttpResponse r = net::HttpResponse::Text(status, std::move(body));
  r.headers = std::move(headers);
  return r;
}

// Collects PushResults delivered to `done` callbacks.
class Results {
 public:
  PushDone Callback(int id = 0) {
    return [this, id](const PushResult& r) {
      std::lock_guard l(mu_);
      got_.push_back({id, r});
    };
  }
  size_t size() const {
    std::lock_guard l(mu_);
    return got_.size();
  }
  std::vector<std::pair<int, PushResult>> all() const {
    std::lock_guard l(mu_);
    return got_;
  }
  bool WaitFor(size_t n) {
    return WaitUntil([&] { return size() >= n; });
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::pair<int, PushResult>> got_;
};

inline EnvelopePtr MakeEnvelope(Signal s, std::string key, std::string body, uint64_t seq = 0) {
  auto e = std::make_shared<Envelope>();
  e->signal = s;
  e->key = std::move(key);
  e->seq = seq;
  e->body = std::move(body);
  e->items = 1;
  return e;
}

}  // namespace vigil::send::testing
