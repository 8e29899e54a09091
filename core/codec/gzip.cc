#include "core/codec/gzip.h"

#include <zlib.h>

#include <algorithm>
#include <climits>

#include "core/codec/capped_output.h"

namespace vigil::codec {

namespace {

// 16 + MAX_WBITS selects the gzip wrapper (header and CRC32 trailer) instead of raw zlib.
constexpr int kGzipWindowBits = 16 + MAX_WBITS;
// zlib counts in uInt; feed and drain it in pieces that always fit.
constexpr size_t kMaxStep = UINT_MAX / 2;

std::string ZlibReason(const z_stream& zs, int rc) {
  if (zs.msg != nullptr) return zs.msg;
  return "zlib error " + std::to_string(rc);
}

}  // namespace

Result<std::string> GzipCompress(std::string_view in) {
  z_stream zs{};
  int rc =
      deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, kGzipWindowBits, 8, Z_DEFAULT_STRATEGY);
  if (rc != Z_OK) return Status::Internal("gzip: deflateInit2 failed: " + ZlibReason(zs, rc));
  std::string out;
  out.resize(deflateBound(&zs, static_cast<uLong>(in.size())) + 64);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  size_t in_left = in.size();
  size_t out_used = 0;
  while (true) {
    if (out_used == out.size()) out.resize(out.size() * 2);
    size_t in_step = std::min(in_left, kMaxStep);
    size_t out_step = std::min(out.size() - out_used, kMaxStep);
    zs.avail_in = static_cast<uInt>(in_step);
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + out_used);
    zs.avail_out = static_cast<uInt>(out_step);
    rc = deflate(&zs, in_step == in_left ? Z_FINISH : Z_NO_FLUSH);
    in_left -= in_step - zs.avail_in;
    out_used += out_step - zs.avail_out;
    if (rc == Z_STREAM_END) break;
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      std::string reason = ZlibReason(zs, rc);
      deflateEnd(&zs);
      return Status::Internal("gzip: deflate failed: " + reason);
    }
  }
  deflateEnd(&zs);
  out.resize(out_used);
  return out;
}

Result<std::string> GzipDecompress(std::string_view in, size_t max_output_bytes) {
  if (in.empty()) return Status::InvalidArgument("gzip: empty input");
  z_stream zs{};
  int rc = inflateInit2(&zs, kGzipWindowBits);
  if (rc != Z_OK) return Status::Internal("gzip: inflateInit2 failed: " + ZlibReason(zs, rc));
  // zlib keeps heap state; release it on every return path.
  struct Ender {
    z_stream* zs;
    ~Ender() { inflateEnd(zs); }
  } ender{&zs};

  internal::CappedOutput out(max_output_bytes, in.size() * 4);
  const char* next = in.data();
  size_t in_left = in.size();
  bool member_done = false;
  while (true) {
    if (member_done) {
      // Another gzip member may follow (RFC 1952 allows concatenation).
      if (in_left == 0) break;
      inflateReset(&zs);
      member_done = false;
    }
    if (!out.EnsureSpace()) return out.LimitError();
    size_t in_step = std::min(in_left, kMaxStep);
    size_t out_step = std::min(out.free_size(), kMaxStep);
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(next));
    zs.avail_in = static_cast<uInt>(in_step);
    zs.next_out = reinterpret_cast<Bytef*>(out.free_begin());
    zs.avail_out = static_cast<uInt>(out_step);
    rc = inflate(&zs, Z_NO_FLUSH);
    size_t consumed = in_step - zs.avail_in;
    next += consumed;
    in_left -= consumed;
    out.Commit(out_step - zs.avail_out);
    if (out.exceeded()) return out.LimitError();
    switch (rc) {
      case Z_STREAM_END:
        member_done = true;
        break;
      case Z_OK:
        break;
      case Z_BUF_ERROR:
        // No progress was possible: with output space available that means input ran out.
        if (in_left == 0 && zs.avail_out > 0) {
          return Status::InvalidArgument("gzip: truncated input (stream ended early)");
        }
        break;
      case Z_NEED_DICT:
        return Status::InvalidArgument("gzip: stream needs a preset dictionary");
      case Z_MEM_ERROR:
        return Status::Internal("gzip: out of memory");
      default:
        return Status::InvalidArgument("gzip: " + ZlibReason(zs, rc));
    }
  }
  return std::move(out).Take();
}

}  // namespace vigil::codec
