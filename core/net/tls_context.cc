#include "core/net/tls_context.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <boost/asio/ip/address.hpp>

namespace vigil::net::internal {
namespace {

namespace ssl = boost::asio::ssl;

// OpenSSL's queued errors as one line (the newest last), and the queue cleared, so that a
// later failure does not report this one's reason.
std::string TakeOpenSslErrors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? "unknown OpenSSL error" : out;
}

Status FileError(const char* field, const std::string& path, const std::string& what) {
  return Status::InvalidArgument(std::string("tls.") + field + " \"" + path + "\": " + what + " (" +
                                 TakeOpenSslErrors() + ")");
}

}  // namespace

Result<std::shared_ptr<ssl::context>> MakeClientTlsContext(const TlsOptions& o) {
  if (o.cert_file.empty() != o.key_file.empty()) {
    return Status::InvalidArgument(
        "tls: cert_file and key_file go together (a client certificate needs its key)");
  }
  // Readable-file checks first: OpenSSL's messages for a missing file are cryptic.
  for (auto [field, path] : {std::pair{"ca_file", &o.ca_file}, std::pair{"cert_file", &o.cert_file},
                             std::pair{"key_file", &o.key_file}}) {
    if (path->empty()) continue;
    auto text = ReadTlsFile(*path, field);
    if (!text.ok()) return text.status();
  }
  ERR_clear_error();
  std::shared_ptr<ssl::context> ctx;
  try {
    ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  } catch (const std::exception& e) {
    return Status::Internal(std::string("cannot create a TLS context: ") + e.what());
  }
  SSL_CTX* native = ctx->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  if (o.insecure_skip_verify) {
    SSL_CTX_set_verify(native, SSL_VERIFY_NONE, nullptr);
  } else {
    SSL_CTX_set_verify(native, SSL_VERIFY_PEER, nullptr);
    if (o.ca_file.empty()) {
      if (SSL_CTX_set_default_verify_paths(native) != 1) {
        return Status::Internal("cannot load the system CA store: " + TakeOpenSslErrors());
      }
    } else if (SSL_CTX_load_verify_locations(native, o.ca_file.c_str(), nullptr) != 1) {
      return FileError("ca_file", o.ca_file, "no PEM certificate could be loaded");
    }
  }
  if (!o.cert_file.empty()) {
    if (SSL_CTX_use_certificate_chain_file(native, o.cert_file.c_str()) != 1) {
      return FileError("cert_file", o.cert_file, "not a PEM certificate");
    }
    // Parsed apart from installing it, so "not a key" and "not this certificate's key" get
    // their own messages (SSL_CTX_use_PrivateKey_file fails the same way for both).
    auto key_text = ReadTlsFile(o.key_file, "key_file");
    if (!key_text.ok()) return key_text.status();
    BIO* bio = BIO_new_mem_buf(key_text->data(), static_cast<int>(key_text->size()));
    EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    if (key == nullptr) return FileError("key_file", o.key_file, "not a PEM private key");
    const int used = SSL_CTX_use_PrivateKey(native, key);
    EVP_PKEY_free(key);
    if (used != 1 || SSL_CTX_check_private_key(native) != 1) {
      return FileError("key_file", o.key_file, "does not match cert_file \"" + o.cert_file + "\"");
    }
  }
  return ctx;
}

bool PrepareClientTls(SSL* ssl, const std::string& host, bool verify) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(host, ec);
  const bool is_address = !ec;
  if (!is_address && SSL_set_tlsext_host_name(ssl, host.c_str()) != 1) return false;
  if (!verify) return true;
  if (is_address) {
    return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str()) == 1;
  }
  return SSL_set1_host(ssl, host.c_str()) == 1;
}

std::string DescribeTlsFailure(const boost::system::error_code& ec, SSL* ssl,
                               const std::string& host) {
  const long verdict = SSL_get_verify_result(ssl);
  ERR_clear_error();
  if (verdict == X509_V_OK) return ec.message();
  std::string out = "certificate verify failed: ";
  out += X509_verify_cert_error_string(verdict);
  switch (verdict) {
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
      out += " (the server's certificate is not issued for \"" + host + "\")";
      break;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
      out += " (set tls.ca_file to the CA that signed the server's certificate)";
      break;
    default:
      break;
  }
  return out;
}

}  // namespace vigil::net::internal
