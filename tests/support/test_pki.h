// Test helper shared by the test binaries: a throwaway CA and certificates it signs, generated
// with OpenSSL when a test runs (P-256 keys: fast) and written as PEM files into a temporary
// directory that is removed with the object. One per test; not thread-safe.
#pragma once

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace vigil::testing {

struct TestCert {
  std::string cert_pem;
  std::string key_pem;
  std::string cert_file;
  std::string key_file;
};

class TestPki {
 public:
  TestPki() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "vigil-pki-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    ca_key_ = NewKey();
    ca_ = Build("vigil test CA", ca_key_.get(), nullptr, ca_key_.get(),
                {{NID_basic_constraints, "critical,CA:TRUE"},
                 {NID_key_usage, "critical,keyCertSign,cRLSign"},
                 {NID_subject_key_identifier, "hash"}});
    ca_cert_.cert_pem = CertPem(ca_.get());
    ca_cert_.key_pem = KeyPem(ca_key_.get());
    ca_cert_.cert_file = WriteFile("ca.pem", ca_cert_.cert_pem);
    ca_cert_.key_file = WriteFile("ca.key", ca_cert_.key_pem);
  }
  ~TestPki() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  TestPki(const TestPki&) = delete;
  TestPki& operator=(const TestPki&) = delete;

  const std::string& dir() const { return dir_; }
  const TestCert& ca() const { return ca_cert_; }

  // A certificate for `sans` (e.g. "DNS:localhost,IP:127.0.0.1"), usable by servers and
  // clients, signed by this CA; files "<name>.pem" and "<name>.key".
  TestCert Issue(const std::string& name, const std::string& sans) {
    auto key = NewKey();
    auto cert = Build(name, key.get(), ca_.get(), ca_key_.get(),
                      {{NID_basic_constraints, "critical,CA:FALSE"},
                       {NID_key_usage, "critical,digitalSignature"},
                       {NID_ext_key_usage, "serverAuth,clientAuth"},
                       {NID_subject_alt_name, sans},
                       {NID_authority_key_identifier, "keyid"}});
    TestCert out;
    out.cert_pem = CertPem(cert.get());
    out.key_pem = KeyPem(key.get());
    out.cert_file = WriteFile(name + ".pem", out.cert_pem);
    out.key_file = WriteFile(name + ".key", out.key_pem);
    return out;
  }

  std::string WriteFile(const std::string& name, const std::string& text) const {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

 private:
  struct KeyFree {
    void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
  };
  struct CertFree {
    void operator()(X509* x) const { X509_free(x); }
  };
  using KeyPtr = std::unique_ptr<EVP_PKEY, KeyFree>;
  using CertPtr = std::unique_ptr<X509, CertFree>;

  static KeyPtr NewKey() {
    KeyPtr k(EVP_EC_gen("P-256"));
    if (!k) throw std::runtime_error("EC key generation failed");
    return k;
  }

  // `issuer` null: self-signed (the CA).
  CertPtr Build(const std::string& cn, EVP_PKEY* key, X509* issuer, EVP_PKEY* signer,
                const std::vector<std::pair<int, std::string>>& exts) {
    CertPtr x(X509_new());
    X509_set_version(x.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x.get()), serial_++);
    X509_gmtime_adj(X509_getm_notBefore(x.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x.get()), 86400);
    X509_set_pubkey(x.get(), key);
    X509_NAME* subject = X509_get_subject_name(x.get());
    X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
    X509_set_issuer_name(x.get(), issuer != nullptr ? X509_get_subject_name(issuer) : subject);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer != nullptr ? issuer : x.get(), x.get(), nullptr, nullptr, 0);
    for (const auto& [nid, value] : exts) {
      X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
      if (ext == nullptr) throw std::runtime_error("bad extension " + value);
      X509_add_ext(x.get(), ext, -1);
      X509_EXTENSION_free(ext);
    }
    if (X509_sign(x.get(), signer, EVP_sha256()) == 0) throw std::runtime_error("sign failed");
    return x;
  }

  template <typename Write>
  static std::string ToPem(Write write) {
    BIO* bio = BIO_new(BIO_s_mem());
    write(bio);
    char* data = nullptr;
    long n = BIO_get_mem_data(bio, &data);
    std::string out(data, static_cast<size_t>(n));
    BIO_free(bio);
    return out;
  }
  static std::string CertPem(X509* x) {
    return ToPem([x](BIO* b) { PEM_write_bio_X509(b, x); });
  }
  static std::string KeyPem(EVP_PKEY* k) {
    return ToPem(
        [k](BIO* b) { PEM_write_bio_PrivateKey(b, k, nullptr, nullptr, 0, nullptr, nullptr); });
  }

  std::string dir_;
  long serial_ = 1;
  KeyPtr ca_key_;
  CertPtr ca_;
  TestCert ca_cert_;
};

}  // namespace vigil::testing
