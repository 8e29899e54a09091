#include "core/codec/codec.h"

#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include <random>
#include <string>

namespace vigil::codec {
namespace {

// Mixed-compressibility data: repeated JSON-ish text with random noise mixed in.
std::string SampleData(size_t n, uint32_t seed = 7) {
  std::mt19937 rng(seed);
  std::string s;
  s.reserve(n);
  while (s.size() < n) {
    s += "{\"route\":\"/api/v1/items\",\"status\":";
    s += std::to_string(rng() % 600);
    s += ",\"noise\":\"";
    for (int i = 0; i < 8; ++i) s += static_cast<char>('a' + rng() % 26);
    s += "\"}\n";
  }
  s.resize(n);
  return s;
}

TEST(ParseContentEncodingTest, AcceptsKnownNamesInAnyCase) {
  EXPECT_EQ(*ParseContentEncoding(""), Encoding::kIdentity);
  EXPECT_EQ(*ParseContentEncoding("identity"), Encoding::kIdentity);
  EXPECT_EQ(*ParseContentEncoding("GZIP"), Encoding::kGzip);
  EXPECT_EQ(*ParseContentEncoding(" gzip "), Encoding::kGzip);
  EXPECT_EQ(*ParseContentEncoding("Zstd"), Encoding::kZstd);
}

TEST(ParseContentEncodingTest, UnknownEncodingNamesTheValue) {
  auto r = ParseContentEncoding("br");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("\"br\""), std::string::npos) << r.status().ToString();
  EXPECT_FALSE(ParseContentEncoding("gzip, zstd").ok());
  EXPECT_FALSE(ParseContentEncoding("deflate").ok());
}

TEST(EncodingNameTest, RoundTripsThroughParse) {
  for (Encoding e : {Encoding::kIdentity, Encoding::kGzip, Encoding::kZstd}) {
    EXPECT_EQ(*ParseContentEncoding(EncodingName(e)), e);
  }
}

TEST(CodecRoundTripTest, ZstdAndGzipRestoreTheInput) {
  ZstdCompressor zstd(3);
  for (size_t n : {size_t{0}, size_t{1}, size_t{1000}, size_t{3 << 20}}) {
    std::string data = SampleData(n, static_cast<uint32_t>(n));
    auto z = zstd.Compress(data);
    ASSERT_TRUE(z.ok()) << z.status().ToString();
    auto back = Decompress(Encoding::kZstd, *z, data.size());
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(*back, data);

    auto g = GzipCompress(data);
    ASSERT_TRUE(g.ok()) << g.status().ToString();
    auto gback = Decompress(Encoding::kGzip, *g, data.size());
    ASSERT_TRUE(gback.ok()) << gback.status().ToString();
    EXPECT_EQ(*gback, data);
  }
}

TEST(CodecRoundTripTest, CompressorIsReusableAcrossCalls) {
  ZstdCompressor zstd;
  std::string a = SampleData(50000, 1), b = SampleData(70000, 2);
  auto za = zstd.Compress(a);
  auto zb = zstd.Compress(b);
  ASSERT_TRUE(za.ok() && zb.ok());
  EXPECT_LT(za->size(), a.size());
  EXPECT_EQ(*ZstdDecompress(*za, 1 << 20), a);
  EXPECT_EQ(*ZstdDecompress(*zb, 1 << 20), b);
}

TEST(CodecRoundTripTest, ConcatenatedFramesAndMembersDecodeToTheirConcatenation) {
  ZstdCompressor zstd;
  std::string a = SampleData(1000, 3), b = SampleData(2000, 4);
  std::string z = *zstd.Compress(a) + *zstd.Compress(b);
  EXPECT_EQ(*Decompress(Encoding::kZstd, z, 10000), a + b);
  std::string g = *GzipCompress(a) + *GzipCompress(b);
  EXPECT_EQ(*Decompress(Encoding::kGzip, g, 10000), a + b);
}

TEST(CodecLimitTest, OutputExactlyAtTheLimitIsAccepted) {
  std::string data = SampleData(100000);
  ZstdCompressor zstd;
  EXPECT_TRUE(Decompress(Encoding::kZstd, *zstd.Compress(data), data.size()).ok());
  EXPECT_TRUE(Decompress(Encoding::kGzip, *GzipCompress(data), data.size()).ok());
  EXPECT_TRUE(Decompress(Encoding::kIdentity, data, data.size()).ok());
  auto over = Decompress(Encoding::kZstd, *zstd.Compress(data), data.size() - 1);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().code(), StatusCode::kResourceExhausted);
  auto gover = Decompress(Encoding::kGzip, *GzipCompress(data), data.size() - 1);
  EXPECT_EQ(gover.status().code(), StatusCode::kResourceExhausted);
}

TEST(CodecLimitTest, IdentityBodyOverTheLimitIsRejected) {
  auto r = Decompress(Encoding::kIdentity, std::string(11, 'x'), 10);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(r.status().message(), "decompressed body exceeds 10 bytes");
}

TEST(CodecBombTest, ZstdBombStopsAtTheLimit) {
  // 1 GiB of zeros, compressed by streaming so the test never holds the GiB either.
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_CCtx_setPledgedSrcSize(cctx, 1ull << 30);
  std::string zeros(1 << 20, '\0');
  std::string bomb;
  std::string chunk(ZSTD_CStreamOutSize(), '\0');
  for (int i = 0; i < 1024; ++i) {
    ZSTD_inBuffer in{zeros.data(), zeros.size(), 0};
    ZSTD_EndDirective mode = i == 1023 ? ZSTD_e_end : ZSTD_e_continue;
    size_t left;
    do {
      ZSTD_outBuffer out{chunk.data(), chunk.size(), 0};
      left = ZSTD_compressStream2(cctx, &out, &in, mode);
      ASSERT_FALSE(ZSTD_isError(left));
      bomb.append(chunk.data(), out.pos);
    } while (mode == ZSTD_e_end ? left != 0 : in.pos < in.size);
  }
  ZSTD_freeCCtx(cctx);
  ASSERT_LT(bomb.size(), 1u << 20);

  auto r = Decompress(Encoding::kZstd, bomb, 1 << 20);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(r.status().message(), "decompressed body exceeds 1048576 bytes");
}

TEST(CodecBombTest, GzipBombStopsAtTheLimit) {
  // 64 MiB of zeros as a gzip stream, built with streaming deflate.
  z_stream zs{};
  ASSERT_EQ(deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_DEFAULT_STRATEGY), Z_OK);
  std::string zeros(1 << 20, '\0');
  std::string bomb;
  std::string chunk(1 << 16, '\0');
  for (int i = 0; i < 64; ++i) {
    zs.next_in = reinterpret_cast<Bytef*>(zeros.data());
    zs.avail_in = static_cast<uInt>(zeros.size());
    int flush = i == 63 ? Z_FINISH : Z_NO_FLUSH;
    int rc;
    do {
      zs.next_out = reinterpret_cast<Bytef*>(chunk.data());
      zs.avail_out = static_cast<uInt>(chunk.size());
      rc = deflate(&zs, flush);
      bomb.append(chunk.data(), chunk.size() - zs.avail_out);
    } while (zs.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
  }
  deflateEnd(&zs);
  ASSERT_LT(bomb.size(), 1u << 20);

  auto r = Decompress(Encoding::kGzip, bomb, 1 << 20);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(r.status().message(), "decompressed body exceeds 1048576 bytes");
}

TEST(CodecCorruptTest, TruncatedInputIsInvalidArgument) {
  std::string data = SampleData(200000);
  ZstdCompressor zstd;
  std::string z = *zstd.Compress(data);
  auto r = Decompress(Encoding::kZstd, std::string_view(z).substr(0, z.size() / 2), 1 << 20);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("truncated"), std::string::npos) << r.status().message();

  std::string g = *GzipCompress(data);
  auto gr = Decompress(Encoding::kGzip, std::string_view(g).substr(0, g.size() - 4), 1 << 20);
  ASSERT_FALSE(gr.ok());
  EXPECT_EQ(gr.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(gr.status().message().find("truncated"), std::string::npos) << gr.status().message();
}

TEST(CodecCorruptTest, GarbageInputCarriesTheLibraryReason) {
  std::string garbage = "this is definitely not compressed data, just plain text";
  auto z = Decompress(Encoding::kZstd, garbage, 1 << 20);
  ASSERT_FALSE(z.ok());
  EXPECT_EQ(z.status().code(), StatusCode::kInvalidArgument);
  // zstd's own reason for a bad magic number.
  EXPECT_NE(z.status().message().find("zstd: Unknown frame descriptor"), std::string::npos)
      << z.status().message();

  auto g = Decompress(Encoding::kGzip, garbage, 1 << 20);
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(g.status().message().find("gzip: incorrect header check"), std::string::npos)
      << g.status().message();
}

TEST(CodecCorruptTest, FlippedByteFailsTheChecksum) {
  std::string data = SampleData(5000);
  std::string g = *GzipCompress(data);
  g[g.size() - 6] ^= 0x5a;  // inside the CRC32 trailer
  auto r = Decompress(Encoding::kGzip, g, 1 << 20);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("incorrect data check"), std::string::npos)
      << r.status().message();
}

TEST(CodecCorruptTest, EmptyCompressedInputIsInvalid) {
  EXPECT_EQ(Decompress(Encoding::kZstd, "", 10).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Decompress(Encoding::kGzip, "", 10).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(*Decompress(Encoding::kIdentity, "", 10), "");
}

TEST(CodecCorruptTest, TrailingGarbageAfterAGzipMemberIsRejected) {
  std::string g = *GzipCompress("hello") + "xyz-not-gzip";
  auto r = Decompress(Encoding::kGzip, g, 1 << 20);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace vigil::codec
