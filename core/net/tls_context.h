// Internal to core/net: the OpenSSL side of TlsOptions. Builds the client SSL context that
// HttpClient's https connections share, prepares each connection (SNI, the name or address the
// certificate must carry) and turns a failed handshake into a message a user can act on.
// Contexts are immutable once built and may be shared by connections on any thread.
#pragma once

#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>
#include <boost/system/error_code.hpp>
#include <memory>
#include <string>

#include "core/net/tls_options.h"
#include "core/status.h"

namespace vigil::net::internal {

// TLS 1.2 or later; peer verification against ca_file (or the system store) unless
// insecure_skip_verify; the client certificate and key when given. InvalidArgument names the
// field, the file and OpenSSL's reason.
Result<std::shared_ptr<boost::asio::ssl::context>> MakeClientTlsContext(const TlsOptions& o);

// Call before the handshake of a connection to `host` (a name or an IP literal): sets SNI for
// names (never for addresses, RFC 6066) and, when `verify`, the name or address the server's
// certificate must match. False if OpenSSL refused the name.
bool PrepareClientTls(SSL* ssl, const std::string& host, bool verify);

// Why a handshake on `ssl` failed: OpenSSL's certificate verdict ("certificate verify failed:
// hostname mismatch ...") when verification failed, with a hint, else the error's text.
std::string DescribeTlsFailure(const boost::system::error_code& ec, SSL* ssl,
                               const std::string& host);

}  // namespace vigil::net::internal
