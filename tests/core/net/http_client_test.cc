#include "core/net/http_client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "core/net/http_server.h"
#include "tests/core/net/net_test_util.h"

namespace vigil::net {
namespace {

using namespace std::chrono_literals;
using testing::Fd;
using testing::ListenLoopback;
using testing::ReadUntil;
using testing::SendAll;
using testing::SyncGet;
using testing::SyncPost;

std::unique_ptr<HttpClient> MustCreate(EventLoop& loop, std::string url, size_t max_conns = 4,
                                       std::chrono::milliseconds timeout = 10s) {
  HttpClientOptions o;
  o.base_url = std::move(url);
  o.max_connections = max_conns;
  o.timeout = timeout;
  auto c = HttpClient::Create(loop, o);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? std::move(*c) : nullptr;
}

class HttpClientTest : public ::testing::Test {
 protected:
  void SetUp() override { loop_.Start(); }
  EventLoop loop_{4};
};

TEST_F(HttpClientTest, CreateValidatesTheOptions) {
  HttpClientOptions o;
  o.base_url = "collector:4318";
  EXPECT_EQ(HttpClient::Create(loop_, o).status().code(), StatusCode::kInvalidArgument);

  o.base_url = "http://collector:4318";
  o.max_connections = 0;
  auto z = HttpClient::Create(loop_, o);
  EXPECT_EQ(z.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(z.status().message().find("max_connections"), std::string::npos);

  o.max_connections = 1;
  o.timeout = 0ms;
  EXPECT_EQ(HttpClient::Create(loop_, o).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(HttpClientTest, ConnectionRefusedIsUnavailable) {
  uint16_t port = 0;
  {
    Fd probe = ListenLoopback(&port);  // reserve a port, then free it: nobody listens there
    ASSERT_TRUE(probe.ok());
  }
  auto client = MustCreate(loop_, "http://127.0.0.1:" + std::to_string(port));
  auto r = SyncPost(*client, "/v1/metrics", "x");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("connect"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("refused"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("/v1/metrics"), std::string::npos) << r.status().message();
}

TEST_F(HttpClientTest, SilentServerTimesOutWithDeadlineExceeded) {
  uint16_t port = 0;
  Fd listener = ListenLoopback(&port);  // accepts at the TCP level, never answers
  ASSERT_TRUE(listener.ok());
  auto client = MustCreate(loop_, "http://127.0.0.1:" + std::to_string(port), 4, 150ms);
  auto r = SyncPost(*client, "/v1/logs", "hello");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_NE(r.status().message().find("150 ms"), std::string::npos) << r.status().message();
}

TEST_F(HttpClientTest, RequestsBeyondThePoolQueueAndAllComplete) {
  HttpServer server(loop_, {});
  std::atomic<int> in_flight{0}, max_in_flight{0};
  server.Handle("/work", [&](const HttpRequest& req) {
    int now = ++in_flight;
    int prev = max_in_flight.load();
    while (now > prev && !max_in_flight.compare_exchange_weak(prev, now)) {
    }
    std::this_thread::sleep_for(5ms);
    --in_flight;
    return HttpResponse::Text(200, req.body);
  });
  ASSERT_TRUE(server.Start().ok());
  auto client = MustCreate(loop_, "http://127.0.0.1:" + std::to_string(server.port()), 2);

  constexpr int kRequests = 16;
  std::vector<std::promise<Result<HttpResponse>>> promises(kRequests);
  for (int i = 0; i < kRequests; ++i) {
    client->Post("/work", {}, "req" + std::to_string(i),
                 [&, i](Result<HttpResponse> r) { promises[i].set_value(std::move(r)); });
  }
  for (int i = 0; i < kRequests; ++i) {
    auto f = promises[i].get_future();
    ASSERT_EQ(f.wait_for(10s), std::future_status::ready);
    auto r = f.get();
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->body, "req" + std::to_string(i));
  }
  EXPECT_LE(max_in_flight.load(), 2);
  EXPECT_GE(max_in_flight.load(), 1);
}

TEST_F(HttpClientTest, ReconnectsWhenTheServerClosedAKeptAliveConnection) {
  // A hand-rolled server: answers one request per connection with a keep-alive response, then
  // closes the connection anyway, as a server with a short idle timeout would.
  uint16_t port = 0;
  Fd listener = ListenLoopback(&port);
  ASSERT_TRUE(listener.ok());
  std::promise<void> first_closed;
  std::atomic<int> served{0};
  std::thread peer([&] {
    for (int i = 0; i < 2; ++i) {
      Fd conn(::accept(listener.get(), nullptr, nullptr));
      if (!conn.ok()) return;
      testing::SetRecvTimeout(conn.get(), 5000ms);
      ReadUntil(conn.get(), "\r\n\r\n");
      SendAll(conn.get(), "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
      ++served;
      conn.reset();
      if (i == 0) first_closed.set_value();
    }
  });
  auto client = MustCreate(loop_, "http://127.0.0.1:" + std::to_string(port), 1);
  auto a = SyncGet(*client, "/a");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  first_closed.get_future().wait();
  auto b = SyncGet(*client, "/b");  // goes out on the dead connection first
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(b->body, "ok");
  peer.join();
  EXPECT_EQ(served.load(), 2);
}

TEST_F(HttpClientTest, PrefixHeadersAndLargeBodiesArrive) {
  HttpServer server(loop_, {});
  server.Handle("/otlp/v1/metrics", [](const HttpRequest& req) {
    HttpResponse r;
    r.body = std::string(req.Header("Content-Encoding")) + ":" + std::to_string(req.body.size()) +
             ":" + std::string(req.Header("Host"));
    return r;
  });
  ASSERT_TRUE(server.Start().ok());
  std::string base = "127.0.0.1:" + std::to_string(server.port());
  auto client = MustCreate(loop_, "http://" + base + "/otlp/");
  std::string body(8 << 20, 'b');
  auto r = SyncPost(*client, "/v1/metrics", body, {{"Content-Encoding", "zstd"}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "zstd:" + std::to_string(body.size()) + ":" + base);
  EXPECT_EQ(r->content_type, "text/plain; charset=utf-8");
}

TEST_F(HttpClientTest, OversizedResponseIsUnavailable) {
  HttpServer server(loop_, {});
  server.Handle("/big",
                [](const HttpRequest&) { return HttpResponse::Text(200, std::string(5000, 'r')); });
  ASSERT_TRUE(server.Start().ok());
  HttpClientOptions o;
  o.base_url = "http://127.0.0.1:" + std::to_string(server.port());
  o.max_response_bytes = 1000;
  auto client = HttpClient::Create(loop_, o);
  ASSERT_TRUE(client.ok());
  auto r = SyncGet(**client, "/big");
  ASSERT_FALSE(r.ok()) << r->status << " " << r->body.size();
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("exceeds 1000 bytes"), std::string::npos)
      << r.status().message();
}

TEST_F(HttpClientTest, DestroyingTheClientDropsPendingCallbacks) {
  uint16_t port = 0;
  Fd listener = ListenLoopback(&port);
  ASSERT_TRUE(listener.ok());
  std::atomic<int> called{0};
  {
    auto client = MustCreate(loop_, "http://127.0.0.1:" + std::to_string(port), 1, 10s);
    for (int i = 0; i < 5; ++i) client->Get("/x", [&](Result<HttpResponse>) { ++called; });
  }
  // Let the loop process the shutdown; nothing may call back afterwards.
  std::promise<void> flushed;
  loop_.executor().After(50ms, [&] { flushed.set_value(); });
  flushed.get_future().wait();
  EXPECT_EQ(called.load(), 0);
}

}  // namespace
}  // namespace vigil::net
