// Text forms of bytes fields in OTLP/JSON: lowercase hex for trace/span ids and base64 for
// every other bytes field. Stateless functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace vigil::otlp {

// Appends the lowercase hex form of `bytes` to *out.
void AppendHex(std::string_view bytes, std::string* out);
// Decodes `text` (hex digits of either case) into *out, which must end up `want_bytes` long.
// On failure returns a message such as "expected 32 hex digits, got 30 characters".
bool DecodeHexId(std::string_view text, size_t want_bytes, std::string* out, std::string* error);

// Appends standard base64 with '=' padding (RFC 4648 section 4) to *out.
void AppendBase64(std::string_view bytes, std::string* out);
// Decodes standard or URL-safe base64 with or without padding (proto3 JSON accepts both).
bool DecodeBase64(std::string_view text, std::string* out, std::string* error);

}  // namespace vigil::otlp
