// Helpers for the core/net tests: blocking POSIX sockets for raw peers (malformed requests,
// silent servers) and a synchronous wrapper around the asynchronous HttpClient.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <string>

#include "core/net/http_client.h"

namespace vigil::net::testing {

// A socket closed on destruction.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(Fd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  Fd& operator=(Fd&& o) noexcept {
    reset();
    fd_ = o.fd_;
    o.fd_ = -1;
    return *this;
  }
  int get() const { return fd_; }
  bool ok() const { return fd_ >= 0; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

inline void SetRecvTimeout(int fd, std::chrono::milliseconds t) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(t.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((t.count() % 1000) * 1000);
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

// Connects to 127.0.0.1:port (or [::1]:port); receives time out after 5 s so a broken test
// fails instead of hanging.
inline Fd ConnectLoopback(uint16_t port, bool v6 = false) {
  Fd fd(::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0));
  if (!fd.ok()) return fd;
  int rc;
  if (v6) {
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_port = htons(port);
    a.sin6_addr = in6addr_loopback;
    rc = ::connect(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a));
  } else {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    rc = ::connect(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a));
  }
  if (rc != 0) return Fd();
  SetRecvTimeout(fd.get(), std::chrono::milliseconds(5000));
  return fd;
}

// A listening socket on 127.0.0.1 with an OS-chosen port.
inline Fd ListenLoopback(uint16_t* port, int backlog = 16) {
  Fd fd(::socket(AF_INET, SOCK_STREAM, 0));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) return Fd();
  if (::listen(fd.get(), backlog) != 0) return Fd();
  socklen_t len = sizeof(a);
  getsockname(fd.get(), reinterpret_cast<sockaddr*>(&a), &len);
  *port = ntohs(a.sin_port);
  return fd;
}

inline bool SendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Reads until the peer closes (or the receive timeout / an error ends it).
inline std::string ReadUntilClose(int fd, bool* closed = nullptr) {
  std::string out;
  char buf[4096];
  while (true) {
    ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n == 0) {
      if (closed) *closed = true;
      return out;
    }
    if (n < 0) {
      if (closed) *closed = errno == ECONNRESET;
      return out;
    }
    out.append(buf, static_cast<size_t>(n));
  }
}

// Reads until `marker` has been seen (or the socket ends).
inline std::string ReadUntil(int fd, std::string_view marker) {
  std::string out;
  char c;
  while (out.find(marker) == std::string::npos) {
    if (::recv(fd, &c, 1, 0) != 1) break;
    out.push_back(c);
  }
  return out;
}

// Runs one client call and waits for its callback.
template <typename Start>
Result<HttpResponse> Await(Start&& start) {
  auto promise = std::make_shared<std::promise<Result<HttpResponse>>>();
  auto future = promise->get_future();
  start([promise](Result<HttpResponse> r) { promise->set_value(std::move(r)); });
  if (future.wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
    return Status::Internal("test: no callback within 20 s");
  }
  return future.get();
}

inline Result<HttpResponse> SyncGet(HttpClient& c, std::string path) {
  return Await([&](HttpClient::Done d) { c.Get(std::move(path), std::move(d)); });
}

inline Result<HttpResponse> SyncPost(HttpClient& c, std::string path, std::string body,
                                     HttpHeaders headers = {}) {
  return Await([&](HttpClient::Done d) {
    c.Post(std::move(path), std::move(headers), std::move(body), std::move(d));
  });
}

}  // namespace vigil::net::testing
