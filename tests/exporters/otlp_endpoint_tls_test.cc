// OtlpEndpoint to https:// backends: OTLP/HTTP to a TLS server and OTLP/gRPC to a TLS GrpcServer,
// both with certificates from a CA made for the test; the `tls:` section's table and the
// validation errors that name the file.
#include <gtest/gtest.h>

#include <string>

#include "core/config/yaml_document.h"
#include "core/net/grpc/grpc_server.h"
#include "core/net/grpc/otlp_grpc_methods.h"
#include "exporters/otlp/otlp_endpoint.h"
#include "tests/support/test_pki.h"
#include "tests/support/tls_test_server.h"
#include "tests/support/wait_until.h"

namespace vigil::exporters {
namespace {

using vigil::testing::TestPki;
using vigil::testing::TlsTestServer;
using vigil::testing::WaitUntil;

class OtlpEndpointTlsTest : public ::testing::Test {
 protected:
  void SetUp() override { loop_.Start(); }
  void TearDown() override { loop_.Stop(); }

  OtlpEndpointOptions Https(const std::string& endpoint) const {
    OtlpEndpointOptions o;
    o.endpoint = endpoint;
    o.signals = {"traces"};
    o.compression = CompressionSetting::kNone;
    o.tls.ca_file = pki_.ca().cert_file;
    o.retry.max_elapsed = std::chrono::seconds(5);
    return o;
  }

  TestPki pki_;
  vigil::testing::TestCert cert_ = pki_.Issue("backend", "DNS:localhost,IP:127.0.0.1");
  net::EventLoop loop_{1};
};

TEST_F(OtlpEndpointTlsTest, HttpProtobufPushesOverHttps) {
  vigil::testing::TlsTestServerOptions so;
  so.content_type = "application/x-protobuf";
  TlsTestServer backend(cert_.cert_file, cert_.key_file, so);
  auto ep = OtlpEndpoint::Create(loop_, Https(backend.url() + "/otlp"));
  ASSERT_TRUE(ep.ok()) << ep.status().ToString();
  (*ep)->Push(send::Signal::kTraces, "serialized spans", 3);
  ASSERT_TRUE(WaitUntil([&] { return (*ep)->stats().sent_items[2].load() == 3; }));
  auto seen = backend.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].target, "/otlp/v1/traces");
  EXPECT_EQ(seen[0].body, "serialized spans");
}

TEST_F(OtlpEndpointTlsTest, GrpcPushesOverTls) {
  net::EventLoop server_loop(1);
  server_loop.Start();
  net::GrpcServerOptions go;
  go.tls_cert_pem = cert_.cert_pem;
  go.tls_key_pem = cert_.key_pem;
  net::GrpcServer server(server_loop.executor(), go);
  std::atomic<int> calls{0};
  for (const auto& m : net::kOtlpGrpcMethods) {
    server.Handle(std::string(m.method), std::string(m.http_path), [&](const net::HttpRequest&) {
      ++calls;
      net::HttpResponse ok;
      ok.content_type = "application/x-protobuf";
      return ok;
    });
  }
  ASSERT_TRUE(server.Start().ok());
  OtlpEndpointOptions o = Https("https://127.0.0.1:" + std::to_string(server.port()));
  o.protocol = Protocol::kGrpc;
  {
    auto ep = OtlpEndpoint::Create(loop_, o);
    ASSERT_TRUE(ep.ok()) << ep.status().ToString();
    (*ep)->Push(send::Signal::kTraces, "", 2);
    ASSERT_TRUE(WaitUntil([&] { return (*ep)->stats().sent_items[2].load() == 2; }));
    EXPECT_EQ(calls.load(), 1);
  }
  server.Stop();
  server_loop.Stop();
}

TEST_F(OtlpEndpointTlsTest, ValidationNamesTheTlsProblem) {
  OtlpEndpointOptions o = Https("https://tempo:4318");
  EXPECT_TRUE(ValidateOtlpEndpointOptions(o).ok());

  o.tls.ca_file = pki_.dir() + "/absent.pem";
  Status s = ValidateOtlpEndpointOptions(o);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("tls.ca_file \"" + o.tls.ca_file + "\": cannot be read"),
            std::string::npos)
      << s.message();

  o.tls.ca_file = pki_.ca().cert_file;
  o.tls.cert_file = cert_.cert_file;
  o.tls.key_file = pki_.WriteFile("bad.key", "-----BEGIN PRIVATE KEY-----\nAAAA\n");
  s = ValidateOtlpEndpointOptions(o);
  EXPECT_NE(s.message().find("tls.key_file \"" + o.tls.key_file + "\": not a PEM private key"),
            std::string::npos)
      << s.message();

  o.protocol = Protocol::kGrpc;  // the same files are checked for gRPC
  s = ValidateOtlpEndpointOptions(o);
  EXPECT_NE(s.message().find("tls.key_file"), std::string::npos) << s.message();

  OtlpEndpointOptions plain = Https("http://tempo:4318");
  s = ValidateOtlpEndpointOptions(plain);
  EXPECT_NE(s.message().find("tls settings need an https:// endpoint"), std::string::npos)
      << s.message();
  plain.protocol = Protocol::kGrpc;
  plain.endpoint = "tempo:4317";
  s = ValidateOtlpEndpointOptions(plain);
  EXPECT_NE(s.message().find("tls settings need an https:// endpoint"), std::string::npos)
      << s.message();
}

Result<net::TlsOptions> LoadTls(const std::string& yaml) {
  auto node = config::ParseYamlText(yaml, "c.yml");
  if (!node.ok()) return node.status();
  net::TlsOptions t;
  config::LoadContext ctx{.file = "c.yml",
                          .env = [](const std::string&) { return std::optional<std::string>(); }};
  VIGIL_RETURN_IF_ERROR(net::TlsOptionTable()->Load(ctx, *node, "tls", &t));
  return t;
}

TEST(TlsOptionTableTest, LoadsTheTlsSection) {
  auto t = LoadTls(
      "ca_file: /etc/vigil/ca.pem\ncert_file: /etc/vigil/c.pem\nkey_file: /etc/vigil/c.key\n"
      "insecure_skip_verify: true\n");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->ca_file, "/etc/vigil/ca.pem");
  EXPECT_EQ(t->cert_file, "/etc/vigil/c.pem");
  EXPECT_EQ(t->key_file, "/etc/vigil/c.key");
  EXPECT_TRUE(t->insecure_skip_verify);
  EXPECT_TRUE(t->configured());
  auto unknown = LoadTls("ca: x\n");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("ca"), std::string::npos);
  auto bad_bool = LoadTls("insecure_skip_verify: maybe\n");
  ASSERT_FALSE(bad_bool.ok());
  EXPECT_NE(bad_bool.status().message().find("insecure_skip_verify"), std::string::npos);
}

}  // namespace
}  // namespace vigil::exporters
