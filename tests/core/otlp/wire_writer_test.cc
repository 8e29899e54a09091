// Checks WireWriter output two ways: exact bytes against the protobuf encoding rules for small
// cases, and decoding by libprotobuf's generated classes for real OTLP messages.
#include "core/otlp/wire_writer.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "opentelemetry/proto/common/v1/common.pb.h"
#include "opentelemetry/proto/metrics/v1/metrics.pb.h"

namespace vigil::otlp {
namespace {

using opentelemetry::proto::common::v1::AnyValue;
using opentelemetry::proto::common::v1::KeyValue;
using opentelemetry::proto::metrics::v1::ExponentialHistogramDataPoint;

std::string Hex(const std::string& s) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out += d[c >> 4];
    out += d[c & 15];
  }
  return out;
}

TEST(WireWriterTest, VarintSizesMatchEncodedLength) {
  const std::vector<uint64_t> values = {0,          1,
                                        127,        128,
                                        16383,      16384,
                                        1u << 21,   (1ull << 35) - 1,
                                        1ull << 56, std::numeric_limits<uint64_t>::max()};
  for (uint64_t v : values) {
    char buf[10];
    char* end = PutVarint(buf, v);
    EXPECT_EQ(static_cast<size_t>(end - buf), VarintSize(v)) << v;
  }
  EXPECT_EQ(VarintSize(std::numeric_limits<uint64_t>::max()), 10u);
}

TEST(WireWriterTest, ScalarsHaveSpecBytes) {
  std::string out;
  WireWriter w(&out);
  w.Varint(1, 150);  // the protobuf docs' canonical example: 08 96 01
  EXPECT_EQ(Hex(out), "089601");
  out.clear();
  w.String(2, "testing");
  EXPECT_EQ(Hex(out), "120774657374696e67");
  out.clear();
  w.SInt32(6, -1);  // zigzag(-1) = 1, tag (6<<3)|0 = 0x30
  EXPECT_EQ(Hex(out), "3001");
  out.clear();
  w.Fixed64(2, 0x0102030405060708ull);
  EXPECT_EQ(Hex(out), "110807060504030201");
  out.clear();
  w.Int32(3, -1);  // negative int32 is ten bytes on the wire
  EXPECT_EQ(Hex(out), "18ffffffffffffffffff01");
}

TEST(WireWriterTest, AnyValueDecodesByLibprotobuf) {
  std::string out;
  WireWriter w(&out);
  w.String(1, "k");
  auto v = w.BeginNested(2);
  auto kv = w.BeginNested(6);  // kvlist_value
  auto inner = w.BeginNested(1);
  w.String(1, "n");
  auto iv = w.BeginNested(2);
  w.Int64(3, -42);
  w.EndNested(iv);
  w.EndNested(inner);
  w.EndNested(kv);
  w.EndNested(v);

  KeyValue parsed;
  ASSERT_TRUE(parsed.ParseFromString(out));
  EXPECT_EQ(parsed.key(), "k");
  ASSERT_TRUE(parsed.value().has_kvlist_value());
  ASSERT_EQ(parsed.value().kvlist_value().values_size(), 1);
  EXPECT_EQ(parsed.value().kvlist_value().values(0).key(), "n");
  EXPECT_EQ(parsed.value().kvlist_value().values(0).value().int_value(), -42);
  // Canonical bytes: identical to libprotobuf's own serialization.
  EXPECT_EQ(Hex(out), Hex(parsed.SerializeAsString()));
}

TEST(WireWriterTest, BackPatchGrowsAndShrinksTheLengthPrefix) {
  const std::string big(300, 'x');                    // needs a 2-byte length
  for (size_t hint : {size_t{0}, size_t{1} << 20}) {  // 1 reserved byte, then 3 reserved bytes
    std::string out;
    WireWriter w(&out);
    auto outer = w.BeginNested(5, hint);  // AnyValue.array_value
    auto a = w.BeginNested(1, hint);
    w.String(1, big);
    w.EndNested(a);
    auto b = w.BeginNested(1, hint);
    w.Bool(2, true);
    w.EndNested(b);
    w.EndNested(outer);

    AnyValue parsed;
    ASSERT_TRUE(parsed.ParseFromString(out)) << hint;
    ASSERT_EQ(parsed.array_value().values_size(), 2);
    EXPECT_EQ(parsed.array_value().values(0).string_value(), big);
    EXPECT_TRUE(parsed.array_value().values(1).bool_value());
    EXPECT_EQ(out, parsed.SerializeAsString()) << "hint " << hint << " left a padded varint";
  }
}

TEST(WireWriterTest, ExponentialHistogramPointRoundTrips) {
  std::string out;
  WireWriter w(&out);
  w.Fixed64(2, 1000);
  w.Fixed64(3, 2000);
  w.Fixed64(4, 7);
  w.Double(5, 12.5);
  w.SInt32(6, -3);
  w.Fixed64(7, 1);
  auto pos = w.BeginNested(8);
  w.SInt32(1, -20);
  const std::vector<uint64_t> counts = {1, 0, 300, 5};
  w.PackedVarints(2, counts);
  w.EndNested(pos);
  w.Double(12, 0.25);
  w.Double(13, 9.0);
  w.Double(14, 1e-9);

  ExponentialHistogramDataPoint p;
  ASSERT_TRUE(p.ParseFromString(out));
  EXPECT_EQ(p.start_time_unix_nano(), 1000u);
  EXPECT_EQ(p.time_unix_nano(), 2000u);
  EXPECT_EQ(p.count(), 7u);
  EXPECT_TRUE(p.has_sum());
  EXPECT_DOUBLE_EQ(p.sum(), 12.5);
  EXPECT_EQ(p.scale(), -3);
  EXPECT_EQ(p.zero_count(), 1u);
  EXPECT_EQ(p.positive().offset(), -20);
  ASSERT_EQ(p.positive().bucket_counts_size(), 4);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(p.positive().bucket_counts(i), counts[i]);
  EXPECT_FALSE(p.has_negative());
  EXPECT_DOUBLE_EQ(p.min(), 0.25);
  EXPECT_DOUBLE_EQ(p.max(), 9.0);
  EXPECT_DOUBLE_EQ(p.zero_threshold(), 1e-9);
}

TEST(WireWriterTest, PackedFixedAndDoublesRoundTrip) {
  using opentelemetry::proto::metrics::v1::HistogramDataPoint;
  std::string out;
  WireWriter w(&out);
  const std::vector<uint64_t> counts = {3, 0, 9};
  const std::vector<double> bounds = {0.1, 1.5};
  w.PackedFixed64(6, counts);
  w.PackedDoubles(7, bounds);
  w.PackedDoubles(7, std::vector<double>{});  // empty: nothing written
  HistogramDataPoint p;
  ASSERT_TRUE(p.ParseFromString(out));
  ASSERT_EQ(p.bucket_counts_size(), 3);
  EXPECT_EQ(p.bucket_counts(2), 9u);
  ASSERT_EQ(p.explicit_bounds_size(), 2);
  EXPECT_DOUBLE_EQ(p.explicit_bounds(1), 1.5);
  EXPECT_EQ(out, p.SerializeAsString());
}

}  // namespace
}  // namespace vigil::otlp
