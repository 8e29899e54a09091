#include "core/codec/codec.h"

#include <cctype>

#include "core/text/ascii.h"

namespace vigil::codec {

Result<Encoding> ParseContentEncoding(std::string_view header) {
  std::string_view v = text::TrimAsciiSpace(header);
  if (v.empty() || text::EqualsIgnoreAsciiCase(v, "identity")) return Encoding::kIdentity;
  if (text::EqualsIgnoreAsciiCase(v, "gzip")) return Encoding::kGzip;
  if (text::EqualsIgnoreAsciiCase(v, "zstd")) return Encoding::kZstd;
  return Status::InvalidArgument("unsupported Content-Encoding \"" + std::string(header) +
                                 "\" (supported: identity, gzip, zstd)");
}

std::string_view EncodingName(Encoding e) {
  switch (e) {
    case Encoding::kIdentity:
      return "identity";
    case Encoding::kGzip:
      return "gzip";
    case Encoding::kZstd:
      return "zstd";
  }
  return "identity";
}

Result<std::string> Decompress(Encoding e, std::string_view in, size_t max_output_bytes) {
  switch (e) {
    case Encoding::kIdentity:
      if (in.size() > max_output_bytes) {
        return Status::ResourceExhausted("decompressed body exceeds " +
                                         std::to_string(max_output_bytes) + " bytes");
      }
      return std::string(in);
    case Encoding::kGzip:
      return GzipDecompress(in, max_output_bytes);
    case Encoding::kZstd:
      return ZstdDecompress(in, max_output_bytes);
  }
  return Status::InvalidArgument("unknown encoding");
}

}  // namespace vigil::codec
