// Test helper: one blocking HTTP request through vigil's HttpClient (the tests' way to read
// Alertmanager's API back), and a free loopback port. Each call builds its own client; the
// EventLoop passed in must be running. Safe from any thread but the loop's.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <future>
#include <string>

#include "core/net/event_loop.h"
#include "core/net/http_client.h"
#include "core/status.h"

namespace vigil::testing {

inline Result<net::HttpResponse> SyncGet(net::EventLoop& loop, const std::string& base_url,
                                         const std::string& path) {
  auto client =
      net::HttpClient::Create(loop, {.base_url = base_url, .timeout = std::chrono::seconds(5)});
  if (!client.ok()) return client.status();
  auto promise = std::make_shared<std::promise<Result<net::HttpResponse>>>();
  auto future = promise->get_future();
  (*client)->Get(path,
                 [promise](Result<net::HttpResponse> r) { promise->set_value(std::move(r)); });
  if (future.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    return Status::DeadlineExceeded("GET " + base_url + path + " did not complete");
  }
  return future.get();
}

// A loopback port that was free a moment ago (bound to port 0, then closed). Nothing listens
// on it afterwards, which is also how tests get a "down" destination.
inline uint16_t FreeLoopbackPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

}  // namespace vigil::testing
