// zstd compression with a reused context, and size-capped streaming decompression.
// A ZstdCompressor belongs to one thread at a time (it keeps its ZSTD_CCtx between calls);
// ZstdDecompress is safe from any thread (it keeps one decompression context per thread).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

namespace vigil::codec {

class ZstdCompressor {
 public:
  explicit ZstdCompressor(int level = 1);
  ~ZstdCompressor();
  ZstdCompressor(ZstdCompressor&&) noexcept;
  ZstdCompressor& operator=(ZstdCompressor&&) noexcept;

  // One zstd frame holding `in`, with the content size recorded in the frame header.
  Result<std::string> Compress(std::string_view in);

  int level() const { return level_; }

 private:
  struct Ctx;
  int level_;
  std::unique_ptr<Ctx> ctx_;
};

// Decodes one or more concatenated zstd frames. Stops as soon as the output would exceed
// `max_output_bytes` (ResourceExhausted); corrupt or truncated input is InvalidArgument.
Result<std::string> ZstdDecompress(std::string_view in, size_t max_output_bytes);

}  // namespace vigil::codec
