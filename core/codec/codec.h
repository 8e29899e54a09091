// HTTP Content-Encoding handling for OTLP bodies: names the supported encodings and inflates a
// body with a hard cap on the decompressed size, so a small hostile body cannot exhaust memory.
// Free functions; safe to call from any thread concurrently.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/codec/gzip.h"
#include "core/codec/zstd_compressor.h"
#include "core/status.h"

namespace vigil::codec {

enum class Encoding { kIdentity, kGzip, kZstd };

// Accepts "", "identity", "gzip" and "zstd" in any letter case (surrounding blanks ignored).
// Anything else is InvalidArgument naming the value.
Result<Encoding> ParseContentEncoding(std::string_view header);

// The Content-Encoding token for `e` ("identity", "gzip", "zstd").
std::string_view EncodingName(Encoding e);

// Decodes `in`. Output beyond `max_output_bytes` is never produced: the result is then
// ResourceExhausted("decompressed body exceeds N bytes"). Corrupt or truncated input is
// InvalidArgument carrying the library's reason. kIdentity only applies the size limit.
Result<std::string> Decompress(Encoding e, std::string_view in, size_t max_output_bytes);

}  // namespace vigil::codec
