// Test helper: a real loopback HttpServer on one path that records every request (and when it
// arrived) and answers with a test-chosen reply; Block() makes the handler wait until
// Release(), to play a slow destination. Started in the constructor; Stop() (or the
// destructor) releases a blocked handler first. Accessors are thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "core/net/event_loop.h"
#include "core/net/http_server.h"

namespace vigil::testing {

class RecordingServer {
 public:
  // `index` counts requests from 0.
  using Reply = std::function<net::HttpResponse(size_t index, const net::HttpRequest&)>;

  RecordingServer(net::EventLoop& loop, std::string path, Reply reply)
      : server_(loop, {}), path_(std::move(path)), reply_(std::move(reply)) {
    server_.Handle(path_, [this](const net::HttpRequest& req) {
      size_t index;
      {
        std::unique_lock lock(mu_);
        index = requests_.size();
        requests_.push_back(req);
        times_.push_back(std::chrono::steady_clock::now());
        cv_.notify_all();
        cv_.wait(lock, [this] { return !blocked_; });
      }
      return reply_(index, req);
    });
    start_status_ = server_.Start();
  }
  ~RecordingServer() { Stop(); }

  void Stop() {
    Release();
    server_.Stop();
  }
  const Status& start_status() const { return start_status_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_.port()) + path_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(server_.port()); }

  void Block() {
    std::lock_guard lock(mu_);
    blocked_ = true;
  }
  void Release() {
    std::lock_guard lock(mu_);
    blocked_ = false;
    cv_.notify_all();
  }

  size_t count() const {
    std::lock_guard lock(mu_);
    return requests_.size();
  }
  std::vector<net::HttpRequest> requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }
  std::vector<std::chrono::steady_clock::time_point> times() const {
    std::lock_guard lock(mu_);
    return times_;
  }

 private:
  net::HttpServer server_;
  std::string path_;
  Reply reply_;
  Status start_status_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool blocked_ = false;
  std::vector<net::HttpRequest> requests_;
  std::vector<std::chrono::steady_clock::time_point> times_;
};

}  // namespace vigil::testing
