#include "core/codec/zstd_compressor.h"

#include <zstd.h>

#include "core/codec/capped_output.h"

namespace vigil::codec {

struct ZstdCompressor::Ctx {
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ~Ctx() { ZSTD_freeCCtx(cctx); }
};

ZstdCompressor::ZstdCompressor(int level) : level_(level), ctx_(std::make_unique<Ctx>()) {}
ZstdCompressor::~ZstdCompressor() = default;
ZstdCompressor::ZstdCompressor(ZstdCompressor&&) noexcept = default;
ZstdCompressor& ZstdCompressor::operator=(ZstdCompressor&&) noexcept = default;

Result<std::string> ZstdCompressor::Compress(std::string_view in) {
  if (ctx_ == nullptr || ctx_->cctx == nullptr) {
    return Status::Internal("zstd: no compression context");
  }
  // Parameters are sticky on a reused context; reset them so every call is self-contained.
  ZSTD_CCtx_reset(ctx_->cctx, ZSTD_reset_session_and_parameters);
  size_t rc = ZSTD_CCtx_setParameter(ctx_->cctx, ZSTD_c_compressionLevel, level_);
  if (ZSTD_isError(rc)) {
    return Status::InvalidArgument(std::string("zstd: bad level: ") + ZSTD_getErrorName(rc));
  }
  std::string out;
  out.resize(ZSTD_compressBound(in.size()));
  size_t n = ZSTD_compress2(ctx_->cctx, out.data(), out.size(), in.data(), in.size());
  if (ZSTD_isError(n)) return Status::Internal(std::string("zstd: ") + ZSTD_getErrorName(n));
  out.resize(n);
  return out;
}

namespace {

// One decompression context per thread: creating one costs ~100 KiB of allocations, and the
// collector decodes many bodies per second on each loop thread.
ZSTD_DCtx* ThreadDCtx() {
  struct Holder {
    ZSTD_DCtx* dctx = ZSTD_createDCtx();
    ~Holder() { ZSTD_freeDCtx(dctx); }
  };
  thread_local Holder holder;
  return holder.dctx;
}

}  // namespace

Result<std::string> ZstdDecompress(std::string_view in, size_t max_output_bytes) {
  if (in.empty()) return Status::InvalidArgument("zstd: empty input");
  ZSTD_DCtx* dctx = ThreadDCtx();
  if (dctx == nullptr) return Status::Internal("zstd: cannot create decompression context");
  ZSTD_DCtx_reset(dctx, ZSTD_reset_session_only);

  // The frame header's content size is only a hint: it may be absent or lie.
  size_t hint = in.size() * 4;
  unsigned long long declared = ZSTD_getFrameContentSize(in.data(), in.size());
  if (declared != ZSTD_CONTENTSIZE_UNKNOWN && declared != ZSTD_CONTENTSIZE_ERROR) {
    hint = static_cast<size_t>(std::min<unsigned long long>(declared, SIZE_MAX / 2));
  }
  internal::CappedOutput out(max_output_bytes, hint);
  ZSTD_inBuffer input{in.data(), in.size(), 0};
  size_t last = 1;  // ZSTD_decompressStream's result: 0 once a frame is complete.
  while (true) {
    if (!out.EnsureSpace()) return out.LimitError();
    ZSTD_outBuffer output{out.free_begin(), out.free_size(), 0};
    last = ZSTD_decompressStream(dctx, &output, &input);
    if (ZSTD_isError(last)) {
      return Status::InvalidArgument(std::string("zstd: ") + ZSTD_getErrorName(last));
    }
    out.Commit(output.pos);
    if (out.exceeded()) return out.LimitError();
    if (input.pos == input.size) {
      if (last == 0) break;  // every frame decoded and flushed
      // Input is used up inside a frame. With output room to spare the decoder is waiting
      // for bytes that will never come; with a full buffer it may still have output to flush.
      if (output.pos < output.size) {
        return Status::InvalidArgument("zstd: truncated input (frame incomplete)");
      }
    }
  }
  return std::move(out).Take();
}

}  // namespace vigil::codec
