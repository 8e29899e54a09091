// Test helper shared by the test binaries: a small HTTPS/1.1 server on 127.0.0.1 (Beast over
// OpenSSL) with its own thread, answering every request with one configured response and
// recording what it received. Optionally requires client certificates (mTLS). Started by the
// constructor (which throws if the files cannot be used), stopped by the destructor;
// requests()/handshake_failures() from any thread. Compiled once into vigil_test_support, so
// the Beast/OpenSSL instantiations are not repeated in every test that uses it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace vigil::testing {

struct TlsTestServerOptions {
  std::string client_ca_file;  // set: clients must present a certificate this CA signed
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

struct SeenRequest {
  std::string method;
  std::string target;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

class TlsTestServer {
 public:
  // `cert_file`/`key_file`: the server's certificate and key (PEM).
  TlsTestServer(const std::string& cert_file, const std::string& key_file,
                TlsTestServerOptions opts = {});
  ~TlsTestServer();
  TlsTestServer(const TlsTestServer&) = delete;
  TlsTestServer& operator=(const TlsTestServer&) = delete;

  uint16_t port() const;
  std::string url() const { return "https://127.0.0.1:" + std::to_string(port()); }
  std::vector<SeenRequest> requests() const;
  // Handshakes the server side gave up on (the client refused the certificate, or sent none).
  int handshake_failures() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil::testing
