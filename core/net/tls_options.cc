#include "core/net/tls_options.h"

#include <openssl/x509.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/net/tls_context.h"

namespace vigil::net {

Status ValidateTlsOptions(const TlsOptions& o) {
  auto ctx = internal::MakeClientTlsContext(o);
  return ctx.ok() ? Status::Ok() : ctx.status();
}

Result<std::string> ReadTlsFile(const std::string& path, const char* field) {
  const std::string where = std::string("tls.") + field + " \"" + path + "\"";
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return Status::InvalidArgument(where + ": is a directory, not a PEM file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument(where + ": cannot be read: " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::InvalidArgument(where + ": read failed");
  if (text.str().empty()) return Status::InvalidArgument(where + ": is empty");
  return text.str();
}

std::string SystemCaBundlePem() {
  // The same bundle OpenSSL's default verify paths use (SSL_CERT_FILE overrides it).
  const char* env = std::getenv(X509_get_default_cert_file_env());
  auto text = ReadTlsFile(env != nullptr ? env : X509_get_default_cert_file(), "ca_file");
  return text.ok() ? *text : std::string();
}

config::OptionTablePtr<TlsOptions> TlsOptionTable() {
  auto table = std::make_shared<config::OptionTable<TlsOptions>>();
  table
      ->Path("ca_file", &TlsOptions::ca_file,
             "PEM CA bundle to verify the server with; empty = the system's CAs")
      .Path("cert_file", &TlsOptions::cert_file,
            "PEM client certificate for mutual TLS (with key_file)")
      .Path("key_file", &TlsOptions::key_file, "PEM private key of cert_file")
      .Bool("insecure_skip_verify", &TlsOptions::insecure_skip_verify,
            "Do not verify the server's certificate or name (testing only; logged as a warning)");
  return table;
}

}  // namespace vigil::net
