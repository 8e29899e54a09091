// OtlpGrpcExporter to an https:// endpoint: vigil's GrpcServer serving TLS with a certificate
// from a CA made for the test. Verified by ca_file, refused without it or for another name,
// accepted by insecure_skip_verify, and option errors that name the file.
#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/net/grpc/grpc_server.h"
#include "core/net/grpc/otlp_grpc_methods.h"
#include "core/send/otlp_grpc_exporter.h"
#include "tests/core/send/peer_server.h"
#include "tests/support/test_pki.h"

namespace vigil::send {
namespace {

using testing::MakeEnvelope;
using testing::Results;
using vigil::testing::TestCert;
using vigil::testing::TestPki;

// A GrpcServer with TLS that accepts every OTLP export and records the bodies.
class TlsGrpcPeer {
 public:
  explicit TlsGrpcPeer(const TestCert& cert) {
    loop_.Start();
    net::GrpcServerOptions o;
    o.tls_cert_pem = cert.cert_pem;
    o.tls_key_pem = cert.key_pem;
    server_ = std::make_unique<net::GrpcServer>(loop_.executor(), o);
    for (const auto& m : net::kOtlpGrpcMethods) {
      server_->Handle(std::string(m.method), std::string(m.http_path),
                      [this](const net::HttpRequest& r) {
                        std::lock_guard lock(mu_);
                        bodies_.push_back(r.body);
                        net::HttpResponse ok;
                        ok.content_type = "application/x-protobuf";
                        return ok;
                      });
    }
    Status st = server_->Start();
    EXPECT_TRUE(st.ok()) << st.ToString();
  }
  ~TlsGrpcPeer() {
    server_->Stop();
    loop_.Stop();
  }
  uint16_t port() const { return server_->port(); }
  std::vector<std::string> bodies() const {
    std::lock_guard lock(mu_);
    return bodies_;
  }

 private:
  net::EventLoop loop_{1};
  std::unique_ptr<net::GrpcServer> server_;
  mutable std::mutex mu_;
  std::vector<std::string> bodies_;
};

class OtlpGrpcTlsTest : public ::testing::Test {
 protected:
  void SetUp() override { loop_.Start(); }
  void TearDown() override { loop_.Stop(); }

  PushResult PushTo(const std::string& endpoint, net::TlsOptions tls, const std::string& body) {
    OtlpGrpcOptions o;
    o.endpoint = endpoint;
    o.timeout = std::chrono::seconds(5);
    o.tls = std::move(tls);
    auto ex = OtlpGrpcExporter::Create(loop_, std::move(o));
    EXPECT_TRUE(ex.ok()) << ex.status().ToString();
    if (!ex.ok()) return PushResult{};
    Results results;
    (*ex)->Push(MakeEnvelope(Signal::kTraces, "agent/boot/1", body), results.Callback());
    EXPECT_TRUE(results.WaitFor(1));
    return results.size() ? results.all()[0].second : PushResult{};
  }

  net::TlsOptions WithCa() const {
    net::TlsOptions t;
    t.ca_file = pki_.ca().cert_file;
    return t;
  }

  TestPki pki_;
  net::EventLoop loop_{1};
};

TEST_F(OtlpGrpcTlsTest, ExportsOverTlsWithTheCaFile) {
  TlsGrpcPeer peer(pki_.Issue("server", "DNS:localhost,IP:127.0.0.1"));
  const std::string endpoint = "https://127.0.0.1:" + std::to_string(peer.port());
  PushResult r = PushTo(endpoint, WithCa(), "spans over tls");
  EXPECT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(peer.bodies(), std::vector<std::string>{"spans over tls"});
}

TEST_F(OtlpGrpcTlsTest, UnknownCaIsRefused) {
  TlsGrpcPeer peer(pki_.Issue("server", "DNS:localhost,IP:127.0.0.1"));
  // Without ca_file the system store is used, which does not know the test CA.
  PushResult r = PushTo("https://127.0.0.1:" + std::to_string(peer.port()), {}, "x");
  EXPECT_FALSE(r.status.ok());
  EXPECT_TRUE(r.retryable);  // UNAVAILABLE: the certificate may be fixed without a restart
  EXPECT_NE(r.status.message().find("UNAVAILABLE"), std::string::npos) << r.status.message();
  EXPECT_TRUE(peer.bodies().empty());
}

TEST_F(OtlpGrpcTlsTest, CertificateForAnotherNameIsRefused) {
  TlsGrpcPeer peer(pki_.Issue("other", "DNS:collector.example"));
  PushResult r = PushTo("https://127.0.0.1:" + std::to_string(peer.port()), WithCa(), "x");
  EXPECT_FALSE(r.status.ok());
  EXPECT_TRUE(peer.bodies().empty());
}

TEST_F(OtlpGrpcTlsTest, InsecureSkipVerifyAcceptsAnyCertificate) {
  TlsGrpcPeer peer(pki_.Issue("other", "DNS:collector.example"));
  net::TlsOptions tls;
  tls.insecure_skip_verify = true;
  PushResult r = PushTo("https://127.0.0.1:" + std::to_string(peer.port()), tls, "y");
  EXPECT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(peer.bodies(), std::vector<std::string>{"y"});
}

TEST_F(OtlpGrpcTlsTest, PlaintextClientCannotTalkToTheTlsServer) {
  TlsGrpcPeer peer(pki_.Issue("server", "IP:127.0.0.1"));
  PushResult r = PushTo("127.0.0.1:" + std::to_string(peer.port()), {}, "x");
  EXPECT_FALSE(r.status.ok());
  EXPECT_TRUE(peer.bodies().empty());
}

TEST_F(OtlpGrpcTlsTest, BadTlsFilesAreNamedByCreate) {
  OtlpGrpcOptions o;
  o.endpoint = "https://127.0.0.1:4317";
  o.tls.ca_file = pki_.dir() + "/nope.pem";
  auto missing = OtlpGrpcExporter::Create(loop_, o);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(missing.status().message().find("tls.ca_file \"" + o.tls.ca_file + "\""),
            std::string::npos)
      << missing.status().message();

  o.tls.ca_file = pki_.ca().cert_file;
  o.tls.key_file = pki_.ca().key_file;
  auto half = OtlpGrpcExporter::Create(loop_, o);
  ASSERT_FALSE(half.ok());
  EXPECT_NE(half.status().message().find("cert_file and key_file go together"), std::string::npos);
  EXPECT_TRUE(IsTlsGrpcEndpoint("https://h:1"));
  EXPECT_FALSE(IsTlsGrpcEndpoint("http://h:1"));
  auto target = OtlpGrpcTarget("https://[::1]:4317/");
  ASSERT_TRUE(target.ok());
  EXPECT_EQ(*target, "[::1]:4317");
}

}  // namespace
}  // namespace vigil::send
