#include "core/net/http_server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "core/net/http_client.h"
#include "tests/core/net/net_test_util.h"

namespace vigil::net {
namespace {

using namespace std::chrono_literals;
using testing::ConnectLoopback;
using testing::ReadUntil;
using testing::ReadUntilClose;
using testing::SendAll;
using testing::SyncGet;
using testing::SyncPost;

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override { loop_.Start(); }

  // Starts a server with `opts` and an /echo route that reflects the request.
  void StartServer(HttpServerOptions opts = {}) {
    server_ = std::make_unique<HttpServer>(loop_, opts);
    server_->Handle("/echo", [](const HttpRequest& req) {
      HttpResponse r;
      r.status = 201;
      r.content_type = "application/x-echo";
      r.headers.emplace_back("X-Method", req.method);
      r.headers.emplace_back("X-Path", req.path);
      r.headers.emplace_back("X-Query", req.query);
      r.headers.emplace_back("X-Remote", req.remote);
      r.headers.emplace_back("X-Token", std::string(req.Header("x-TOKEN")));
      r.body = req.body;
      return r;
    });
    server_->Handle("/throw", [](const HttpRequest&) -> HttpResponse {
      throw std::runtime_error("handler exploded");
    });
    Status s = server_->Start();
    ASSERT_TRUE(s.ok()) << s.ToString();
    ASSERT_NE(server_->port(), 0);
  }

  std::unique_ptr<HttpClient> MakeClient(size_t max_connections = 4,
                                         std::chrono::milliseconds timeout = 10s) {
    HttpClientOptions o;
    o.base_url = "http://127.0.0.1:" + std::to_string(server_->port());
    o.max_connections = max_connections;
    o.timeout = timeout;
    auto c = HttpClient::Create(loop_, o);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return std::move(*c);
  }

  EventLoop loop_{2};
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerTest, RoutesRequestsAndReflectsTheirParts) {
  StartServer();
  auto client = MakeClient();
  auto r = SyncPost(*client, "/echo?a=1&b=2", "payload", {{"X-Token", "secret"}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->content_type, "application/x-echo");
  EXPECT_EQ(r->body, "payload");
  EXPECT_EQ(r->Header("x-method"), "POST");
  EXPECT_EQ(r->Header("X-Path"), "/echo");
  EXPECT_EQ(r->Header("X-Query"), "a=1&b=2");
  EXPECT_EQ(r->Header("X-Token"), "secret");
  EXPECT_EQ(r->Header("X-Remote").substr(0, 10), "127.0.0.1:");
  EXPECT_EQ(server_->stats().requests.load(), 1u);
}

TEST_F(HttpServerTest, UnknownPathIs404) {
  StartServer();
  auto client = MakeClient();
  auto r = SyncGet(*client, "/nope");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 404);
  EXPECT_NE(r->body.find("/nope"), std::string::npos);
  EXPECT_EQ(server_->stats().not_found.load(), 1u);
  // Exact match only: a longer path is not the route.
  EXPECT_EQ(SyncGet(*client, "/echo/x")->status, 404);
}

TEST_F(HttpServerTest, OversizedBodyGets413AndTheServerKeepsServing) {
  HttpServerOptions opts;
  opts.max_body_bytes = 1024;
  StartServer(opts);
  auto client = MakeClient();
  auto big = SyncPost(*client, "/echo", std::string(256 * 1024, 'x'));
  ASSERT_TRUE(big.ok()) << big.status().ToString();
  EXPECT_EQ(big->status, 413);
  EXPECT_NE(big->body.find("1024"), std::string::npos) << big->body;
  EXPECT_EQ(server_->stats().body_too_large.load(), 1u);

  auto small = SyncPost(*client, "/echo", std::string(1024, 'y'));
  ASSERT_TRUE(small.ok()) << small.status().ToString();
  EXPECT_EQ(small->status, 201);
  EXPECT_EQ(small->body.size(), 1024u);
}

TEST_F(HttpServerTest, OversizedChunkedBodyGets413) {
  HttpServerOptions opts;
  opts.max_body_bytes = 100;
  StartServer(opts);
  auto fd = ConnectLoopback(server_->port());
  ASSERT_TRUE(fd.ok());
  std::string chunk(80, 'z');
  std::string req = "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n50\r\n" +
                    chunk + "\r\n50\r\n" + chunk + "\r\n0\r\n\r\n";
  ASSERT_TRUE(SendAll(fd.get(), req));
  std::string resp = ReadUntilClose(fd.get());
  EXPECT_EQ(resp.substr(0, 12), "HTTP/1.1 413") << resp;
  EXPECT_EQ(server_->stats().body_too_large.load(), 1u);
}

TEST_F(HttpServerTest, MalformedRequestGets400) {
  StartServer();
  for (std::string bad : {"GARBAGE\r\n\r\n", "GET /echo HTTP/9.9\r\n\r\n",
                          "POST /echo HTTP/1.1\r\nContent-Length: banana\r\n\r\n"}) {
    auto fd = ConnectLoopback(server_->port());
    ASSERT_TRUE(fd.ok());
    ASSERT_TRUE(SendAll(fd.get(), bad));
    bool closed = false;
    std::string resp = ReadUntilClose(fd.get(), &closed);
    EXPECT_EQ(resp.substr(0, 12), "HTTP/1.1 400") << bad << " -> " << resp;
    EXPECT_NE(resp.find("bad request"), std::string::npos) << resp;
    EXPECT_TRUE(closed);
  }
  EXPECT_EQ(server_->stats().bad_requests.load(), 3u);
  auto client = MakeClient();
  EXPECT_EQ(SyncGet(*client, "/echo")->status, 201);
}

TEST_F(HttpServerTest, HandlerExceptionBecomes500) {
  StartServer();
  auto client = MakeClient();
  auto r = SyncGet(*client, "/throw");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(SyncGet(*client, "/echo")->status, 201);
}

TEST_F(HttpServerTest, KeepAliveReusesOneConnection) {
  StartServer();
  auto client = MakeClient(/*max_connections=*/1);
  std::set<std::string> remotes;
  for (int i = 0; i < 20; ++i) {
    auto r = SyncPost(*client, "/echo", "n" + std::to_string(i));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->body, "n" + std::to_string(i));
    remotes.insert(std::string(r->Header("X-Remote")));
  }
  EXPECT_EQ(remotes.size(), 1u);
}

TEST_F(HttpServerTest, RawKeepAliveServesPipelinedRequestsInOrder) {
  StartServer();
  auto fd = ConnectLoopback(server_->port());
  ASSERT_TRUE(fd.ok());
  ASSERT_TRUE(SendAll(fd.get(),
                      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\none"
                      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\ntwo"
                      "GET /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  std::string all = ReadUntilClose(fd.get());
  size_t one = all.find("one"), two = all.find("two");
  EXPECT_NE(one, std::string::npos) << all;
  EXPECT_NE(two, std::string::npos) << all;
  EXPECT_LT(one, two);
  size_t count = 0;
  for (size_t p = 0; (p = all.find("HTTP/1.1 201", p)) != std::string::npos; ++p) ++count;
  EXPECT_EQ(count, 3u);
}

TEST_F(HttpServerTest, ExpectContinueIsAnswered) {
  StartServer();
  auto fd = ConnectLoopback(server_->port());
  ASSERT_TRUE(fd.ok());
  ASSERT_TRUE(SendAll(fd.get(),
                      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                      "Expect: 100-continue\r\nConnection: close\r\n\r\n"));
  std::string interim = ReadUntil(fd.get(), "\r\n\r\n");
  EXPECT_EQ(interim, "HTTP/1.1 100 Continue\r\n\r\n");
  ASSERT_TRUE(SendAll(fd.get(), "hello"));
  std::string resp = ReadUntilClose(fd.get());
  EXPECT_EQ(resp.substr(0, 12), "HTTP/1.1 201") << resp;
  EXPECT_NE(resp.find("hello"), std::string::npos);
}

TEST_F(HttpServerTest, IdleClientIsClosedAfterReadTimeout) {
  HttpServerOptions opts;
  opts.read_timeout = 100ms;
  StartServer(opts);
  auto fd = ConnectLoopback(server_->port());
  ASSERT_TRUE(fd.ok());
  ASSERT_TRUE(SendAll(fd.get(), "GET /echo HTTP/1.1\r\nHo"));  // and then nothing
  bool closed = false;
  std::string got = ReadUntilClose(fd.get(), &closed);  // 5 s receive timeout as a backstop
  EXPECT_TRUE(closed);
  EXPECT_EQ(got, "");
}

TEST_F(HttpServerTest, ConnectionsBeyondTheLimitWaitForAFreeSlot) {
  HttpServerOptions opts;
  opts.max_connections = 1;
  StartServer(opts);
  auto holder = ConnectLoopback(server_->port());
  ASSERT_TRUE(holder.ok());
  // Make sure the holder owns the slot before the client connects.
  ASSERT_TRUE(SendAll(holder.get(), "GET /echo HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_NE(ReadUntil(holder.get(), "\r\n\r\n").find("201"), std::string::npos);

  auto client = MakeClient();
  std::promise<Result<HttpResponse>> p;
  auto f = p.get_future();
  client->Get("/echo", [&](Result<HttpResponse> r) { p.set_value(std::move(r)); });
  EXPECT_EQ(f.wait_for(200ms), std::future_status::timeout) << "served past the limit";
  holder.reset();  // frees the slot
  ASSERT_EQ(f.wait_for(10s), std::future_status::ready);
  auto r = f.get();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 201);
}

TEST_F(HttpServerTest, StartFailsClearlyWhenThePortIsTaken) {
  StartServer();
  HttpServerOptions opts;
  opts.listen = "127.0.0.1:" + std::to_string(server_->port());
  HttpServer second(loop_, opts);
  Status s = second.Start();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find(opts.listen), std::string::npos) << s.ToString();
  EXPECT_NE(s.message().find("in use"), std::string::npos) << s.ToString();
}

TEST_F(HttpServerTest, StartRejectsABadListenAddress) {
  HttpServerOptions opts;
  opts.listen = "127.0.0.1";
  HttpServer s(loop_, opts);
  Status st = s.Start();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("missing port"), std::string::npos) << st.ToString();
}

TEST_F(HttpServerTest, StopWaitsForTheRunningHandlerAndRefusesNewWork) {
  server_ = std::make_unique<HttpServer>(loop_, HttpServerOptions{});
  std::promise<void> entered;
  std::atomic<bool> finished{false};
  server_->Handle("/slow", [&](const HttpRequest&) {
    entered.set_value();
    std::this_thread::sleep_for(100ms);
    finished = true;
    return HttpResponse::Text(200, "done");
  });
  ASSERT_TRUE(server_->Start().ok());
  uint16_t port = server_->port();
  auto client = MakeClient();
  std::promise<Result<HttpResponse>> p;
  client->Get("/slow", [&](Result<HttpResponse> r) { p.set_value(std::move(r)); });
  entered.get_future().wait();
  server_->Stop();
  EXPECT_TRUE(finished.load());
  auto r = p.get_future().get();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->body, "done");
  auto fd = ConnectLoopback(port);
  EXPECT_FALSE(fd.ok()) << "still accepting after Stop()";
  server_->Stop();  // idempotent
}

TEST_F(HttpServerTest, ServesOverIpv6WhenAvailable) {
  HttpServerOptions opts;
  opts.listen = "[::1]:0";
  server_ = std::make_unique<HttpServer>(loop_, opts);
  server_->Handle("/v6",
                  [](const HttpRequest& req) { return HttpResponse::Text(200, req.remote); });
  Status s = server_->Start();
  if (!s.ok()) GTEST_SKIP() << "no IPv6 loopback: " << s.ToString();
  HttpClientOptions o;
  o.base_url = "http://[::1]:" + std::to_string(server_->port());
  auto client = HttpClient::Create(loop_, o);
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  auto r = SyncGet(**client, "/v6");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body.substr(0, 6), "[::1]:");
}

}  // namespace
}  // namespace vigil::net
