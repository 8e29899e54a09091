#include "core/codec/codec.h"

#include <cctype>

namespace vigil::codec {

namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

Result<Encoding> ParseContentEncoding(std::string_view header) {
  std::string_view v = Trim(header);
  if (v.empty() || EqualsIgnoreCase(v, "identity")) return Encoding::kIdentity;
  if (EqualsIgnoreCase(v, "gzip")) return Encoding::kGzip;
  if (EqualsIgnoreCase(v, "zstd")) return Encoding::kZstd;
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
