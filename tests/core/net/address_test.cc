#include "core/net/address.h"

#include <gtest/gtest.h>

namespace vigil::net {
namespace {

TEST(ParseHostPortTest, AcceptsTheUsualForms) {
  auto a = ParseHostPort("0.0.0.0:4318");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->first, "0.0.0.0");
  EXPECT_EQ(a->second, 4318);

  auto b = ParseHostPort("[::1]:9");
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(b->first, "::1");
  EXPECT_EQ(b->second, 9);

  auto c = ParseHostPort(":4318");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->first, "0.0.0.0");
  EXPECT_EQ(c->second, 4318);

  auto d = ParseHostPort("localhost:0");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->first, "localhost");
  EXPECT_EQ(d->second, 0);
  EXPECT_EQ(ParseHostPort("h:65535")->second, 65535);
}

TEST(ParseHostPortTest, RejectsMalformedAddressesWithAReason) {
  struct Case {
    const char* in;
    const char* reason;
  } cases[] = {
      {"", "empty"},
      {"localhost", "missing port"},
      {"host:", "empty port"},
      {"host:http", "bad port"},
      {"host:65536", "out of range"},
      {"host:-1", "bad port"},
      {"::1:80", "brackets"},
      {"[::1", "unclosed"},
      {"[::1]", "missing port"},
      {"[::1]80", "expected ':'"},
      {"[]:80", "empty IPv6"},
  };
  for (const auto& c : cases) {
    auto r = ParseHostPort(c.in);
    ASSERT_FALSE(r.ok()) << c.in;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << c.in;
    EXPECT_NE(r.status().message().find(c.reason), std::string::npos)
        << c.in << " -> " << r.status().message();
  }
}

TEST(ParseBaseUrlTest, SplitsHostPortAndPrefix) {
  auto u = ParseBaseUrl("http://collector:4318");
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_EQ(u->host, "collector");
  EXPECT_EQ(u->port, 4318);
  EXPECT_EQ(u->prefix, "");
  EXPECT_EQ(u->HostHeader(), "collector:4318");

  auto v = ParseBaseUrl("HTTP://[::1]:8080/otlp/");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->host, "::1");
  EXPECT_EQ(v->port, 8080);
  EXPECT_EQ(v->prefix, "/otlp");
  EXPECT_EQ(v->HostHeader(), "[::1]:8080");

  auto w = ParseBaseUrl("http://example.com");
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->port, 80);
}

TEST(ParseBaseUrlTest, HttpsDefaultsToPort443) {
  auto r = ParseBaseUrl("HTTPS://collector/otlp");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->scheme, "https");
  EXPECT_EQ(r->port, 443);
  EXPECT_EQ(r->prefix, "/otlp");
  auto p = ParseBaseUrl("https://collector:4318");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->port, 4318);
  auto ftp = ParseBaseUrl("ftp://collector:21");
  ASSERT_FALSE(ftp.ok());
  EXPECT_EQ(ftp.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(ftp.status().message().find("http:// or https://"), std::string::npos);
}

TEST(ParseBaseUrlTest, RejectsMalformedUrls) {
  for (const char* bad :
       {"collector:4318", "ftp://x:1", "http://", "http://:80", "http://h:0", "http://h:99999",
        "http://user@h:1", "http://h:1/p?q=1", "http://::1:80"}) {
    auto r = ParseBaseUrl(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(r.status().message().find(bad), std::string::npos)
        << "message should quote the URL: " << r.status().message();
  }
}

}  // namespace
}  // namespace vigil::net
