// TlsOptions: how a client checks the TLS server it sends to (and, for mTLS, proves who it is),
// as the `tls:` sections of the config give them; their validation and option table. Only the
// files' names live here: core/net and the gRPC exporter load them. Plain values; the table is
// immutable once built, so everything here is safe from any thread.
#pragma once

#include <string>

#include "core/config/option_table.h"
#include "core/status.h"

namespace vigil::net {

struct TlsOptions {
  std::string ca_file{};    // PEM CA bundle the server's chain must lead to; "" = system store
  std::string cert_file{};  // PEM client certificate (chain) for mTLS; needs key_file
  std::string key_file{};   // PEM private key of cert_file
  // Accept any certificate and name. For tests against self-signed servers only: anyone on the
  // path can read and change the data. Logged as a warning when a client is created.
  bool insecure_skip_verify = false;

  // True when any field differs from the default (a `tls:` section was written).
  bool configured() const {
    return !ca_file.empty() || !cert_file.empty() || !key_file.empty() || insecure_skip_verify;
  }
};

// InvalidArgument naming the field and file: cert_file without key_file (or the reverse), a
// file that cannot be read, PEM that does not parse, a key that does not match the
// certificate. Loads the files the way a client would, so a config check catches them.
Status ValidateTlsOptions(const TlsOptions& o);

// The whole file, or InvalidArgument "<field> \"<path>\": <reason>" (missing, unreadable, a
// directory, empty). Used for files handed to gRPC as PEM text.
Result<std::string> ReadTlsFile(const std::string& path, const char* field);

// PEM text of the system's trusted CAs (OpenSSL's default bundle), or "" if there is none.
std::string SystemCaBundlePem();

// The option table of a `tls:` section.
config::OptionTablePtr<TlsOptions> TlsOptionTable();

}  // namespace vigil::net
