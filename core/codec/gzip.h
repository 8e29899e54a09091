// gzip (RFC 1952) compression and size-capped decompression through zlib.
// Free functions with no shared state; safe to call from any thread concurrently.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/status.h"

namespace vigil::codec {

// Compresses `in` into a single gzip member at zlib's default level.
Result<std::string> GzipCompress(std::string_view in);

// Inflates one or more concatenated gzip members. Stops as soon as the output would exceed
// `max_output_bytes` (ResourceExhausted); corrupt or truncated input is InvalidArgument.
Result<std::string> GzipDecompress(std::string_view in, size_t max_output_bytes);

}  // namespace vigil::codec
