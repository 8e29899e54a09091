// HttpClient over https against a real TLS server on loopback, with a CA and certificates made
// for the test: verification by ca_file, refusal without it, insecure_skip_verify, name checks,
// mTLS, and the option errors that name the offending file.
#include <gtest/gtest.h>

#include <string>

#include "core/net/event_loop.h"
#include "core/net/http_client.h"
#include "core/net/tls_options.h"
#include "tests/core/net/net_test_util.h"
#include "tests/support/test_pki.h"
#include "tests/support/tls_test_server.h"

namespace vigil::net {
namespace {

using testing::SyncPost;
using vigil::testing::TestPki;
using vigil::testing::TlsTestServer;

TlsOptions Tls(std::string ca_file, std::string cert_file = "", std::string key_file = "",
               bool insecure = false) {
  TlsOptions t;
  t.ca_file = std::move(ca_file);
  t.cert_file = std::move(cert_file);
  t.key_file = std::move(key_file);
  t.insecure_skip_verify = insecure;
  return t;
}

class HttpClientTlsTest : public ::testing::Test {
 protected:
  void SetUp() override { loop_.Start(); }

  std::unique_ptr<HttpClient> Client(const std::string& url, TlsOptions tls) {
    HttpClientOptions o;
    o.base_url = url;
    o.timeout = std::chrono::seconds(5);
    o.tls = std::move(tls);
    auto c = HttpClient::Create(loop_, std::move(o));
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? std::move(*c) : nullptr;
  }

  TestPki pki_;
  vigil::testing::TestCert server_cert_ = pki_.Issue("server", "DNS:localhost,IP:127.0.0.1");
  EventLoop loop_{1};
};

TEST_F(HttpClientTlsTest, PostSucceedsWithTheCaFile) {
  vigil::testing::TlsTestServerOptions so;
  so.body = "accepted";
  TlsTestServer server(server_cert_.cert_file, server_cert_.key_file, so);
  auto client = Client(server.url() + "/api", Tls(pki_.ca().cert_file));
  ASSERT_NE(client, nullptr);
  for (int i = 0; i < 2; ++i) {  // the second request reuses the kept-alive TLS connection
    auto r = SyncPost(*client, "/v1/logs", "payload-" + std::to_string(i), {{"X-Test", "yes"}});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "accepted");
  }
  auto seen = server.requests();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].target, "/api/v1/logs");
  EXPECT_EQ(seen[1].body, "payload-1");
}

TEST_F(HttpClientTlsTest, LocalhostNameIsVerifiedWithSni) {
  TlsTestServer server(server_cert_.cert_file, server_cert_.key_file);
  auto client =
      Client("https://localhost:" + std::to_string(server.port()), Tls(pki_.ca().cert_file));
  ASSERT_NE(client, nullptr);
  auto r = SyncPost(*client, "/x", "b");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
}

TEST_F(HttpClientTlsTest, UnknownCaFailsWithACertificateVerifyError) {
  TlsTestServer server(server_cert_.cert_file, server_cert_.key_file);
  auto client = Client(server.url(), Tls(""));  // the system store does not know the test CA
  ASSERT_NE(client, nullptr);
  auto r = SyncPost(*client, "/v1/logs", "x");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  const std::string& m = r.status().message();
  EXPECT_NE(m.find("TLS handshake"), std::string::npos) << m;
  EXPECT_NE(m.find("certificate verify failed"), std::string::npos) << m;
  EXPECT_NE(m.find("tls.ca_file"), std::string::npos) << m;
  EXPECT_TRUE(server.requests().empty());
}

TEST_F(HttpClientTlsTest, InsecureSkipVerifyAcceptsAnUnknownCa) {
  TlsTestServer server(server_cert_.cert_file, server_cert_.key_file);
  auto client = Client(server.url(), Tls("", "", "", true));
  ASSERT_NE(client, nullptr);
  auto r = SyncPost(*client, "/v1/traces", "t");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST_F(HttpClientTlsTest, CertificateForAnotherNameFails) {
  auto other = pki_.Issue("other", "DNS:collector.example");
  TlsTestServer server(other.cert_file, other.key_file);
  auto by_ip = Client(server.url(), Tls(pki_.ca().cert_file));
  auto by_name =
      Client("https://localhost:" + std::to_string(server.port()), Tls(pki_.ca().cert_file));
  ASSERT_NE(by_ip, nullptr);
  ASSERT_NE(by_name, nullptr);
  auto r = SyncPost(*by_ip, "/", "x");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("IP address mismatch"), std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("not issued for \"127.0.0.1\""), std::string::npos);
  auto n = SyncPost(*by_name, "/", "x");
  ASSERT_FALSE(n.ok());
  EXPECT_NE(n.status().message().find("hostname mismatch"), std::string::npos)
      << n.status().message();
  EXPECT_TRUE(server.requests().empty());
}

TEST_F(HttpClientTlsTest, ClientCertificateForMutualTls) {
  auto client_cert = pki_.Issue("agent", "DNS:agent");
  vigil::testing::TlsTestServerOptions so;
  so.client_ca_file = pki_.ca().cert_file;
  TlsTestServer server(server_cert_.cert_file, server_cert_.key_file, so);
  auto with =
      Client(server.url(), Tls(pki_.ca().cert_file, client_cert.cert_file, client_cert.key_file));
  ASSERT_NE(with, nullptr);
  auto ok = SyncPost(*with, "/", "x");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->status, 200);

  auto without = Client(server.url(), Tls(pki_.ca().cert_file));
  ASSERT_NE(without, nullptr);
  auto refused = SyncPost(*without, "/", "x");
  EXPECT_FALSE(refused.ok());
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST_F(HttpClientTlsTest, BadTlsOptionsNameTheFile) {
  auto create = [&](const std::string& url, TlsOptions tls) {
    HttpClientOptions o;
    o.base_url = url;
    o.tls = std::move(tls);
    return HttpClient::Create(loop_, std::move(o)).status();
  };
  const std::string missing = pki_.dir() + "/missing.pem";
  Status s = create("https://h:1", Tls(missing));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("tls.ca_file \"" + missing + "\": cannot be read"), std::string::npos)
      << s.message();

  const std::string garbage = pki_.WriteFile("garbage.pem", "not a certificate\n");
  s = create("https://h:1", Tls(garbage));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("tls.ca_file \"" + garbage + "\""), std::string::npos) << s.message();

  s = create("https://h:1", Tls("", server_cert_.cert_file));
  EXPECT_NE(s.message().find("cert_file and key_file go together"), std::string::npos);

  auto other = pki_.Issue("other", "DNS:other");
  s = create("https://h:1", Tls("", server_cert_.cert_file, other.key_file));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("does not match cert_file"), std::string::npos) << s.message();

  s = create("https://h:1", Tls("", server_cert_.cert_file, garbage));
  EXPECT_NE(s.message().find("tls.key_file \"" + garbage + "\""), std::string::npos) << s.message();

  s = create("https://h:1", Tls(pki_.dir()));
  EXPECT_NE(s.message().find("is a directory"), std::string::npos) << s.message();

  s = create("http://h:1", Tls(pki_.ca().cert_file));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("not an https:// URL"), std::string::npos) << s.message();

  EXPECT_TRUE(ValidateTlsOptions(Tls(pki_.ca().cert_file)).ok());
}

}  // namespace
}  // namespace vigil::net
