// The text codecs under OTLP/JSON: hex ids, base64 and number conversions, at their edges.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "core/otlp/json/bytes_text.h"
#include "core/otlp/json/json_numbers.h"

namespace vigil::otlp {
namespace {

TEST(JsonBytesTextTest, HexRoundTripAndErrors) {
  std::string hex;
  AppendHex(std::string("\x00\x01\xab\xff", 4), &hex);
  EXPECT_EQ(hex, "0001abff");
  std::string bytes, err;
  ASSERT_TRUE(DecodeHexId("0001ABff", 4, &bytes, &err)) << err;
  EXPECT_EQ(bytes, std::string("\x00\x01\xab\xff", 4));
  EXPECT_FALSE(DecodeHexId("0001ab", 4, &bytes, &err));
  EXPECT_EQ(err, "expected 8 hex digits, got 6 characters");
  EXPECT_FALSE(DecodeHexId("0001ab\x01z", 4, &bytes, &err));
  EXPECT_EQ(err, "expected 8 hex digits, got byte 0x01 at index 6");
}

TEST(JsonBytesTextTest, Base64AllLengthsAndAlphabets) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (size_t n = 0; n <= 10; ++n) {
    std::string text;
    AppendBase64(all.substr(250 - n, n), &text);
    EXPECT_EQ(text.size() % 4, 0u);
    std::string back, err;
    ASSERT_TRUE(DecodeBase64(text, &back, &err)) << text << ": " << err;
    EXPECT_EQ(back, all.substr(250 - n, n));
    // Without padding too.
    while (!text.empty() && text.back() == '=') text.pop_back();
    ASSERT_TRUE(DecodeBase64(text, &back, &err)) << text << ": " << err;
    EXPECT_EQ(back, all.substr(250 - n, n));
  }
  std::string text;
  AppendBase64("\xfb\xff", &text);
  EXPECT_EQ(text, "+/8=");
  std::string back, err;
  ASSERT_TRUE(DecodeBase64("-_8", &back, &err));
  EXPECT_EQ(back, "\xfb\xff");
  EXPECT_FALSE(DecodeBase64("abcde", &back, &err));
  EXPECT_EQ(err, "base64 text of 5 characters is truncated");
  EXPECT_FALSE(DecodeBase64("ab=", &back, &err));
  EXPECT_EQ(err, "bad base64 padding");
  EXPECT_FALSE(DecodeBase64("a b=", &back, &err));
  EXPECT_EQ(err, "expected base64, got ' ' at index 1");
}

TEST(JsonNumbersTest, Integers) {
  IntegerValue v;
  std::string p;
  ASSERT_TRUE(ParseIntegerText("18446744073709551615", IntegerKind::kUInt64, &v, &p));
  EXPECT_EQ(v.u, UINT64_MAX);
  ASSERT_TRUE(ParseIntegerText("-9223372036854775808", IntegerKind::kInt64, &v, &p));
  EXPECT_EQ(v.s, INT64_MIN);
  ASSERT_TRUE(ParseIntegerText("1.5e1", IntegerKind::kInt32, &v, &p));
  EXPECT_EQ(v.s, 15);
  ASSERT_TRUE(ParseIntegerText("-0", IntegerKind::kUInt32, &v, &p));
  EXPECT_EQ(v.u, 0u);
  ASSERT_TRUE(ParseIntegerText("1e-400", IntegerKind::kUInt64, &v, &p));  // underflows to 0
  EXPECT_EQ(v.u, 0u);
  EXPECT_FALSE(ParseIntegerText("2147483648", IntegerKind::kInt32, &v, &p));
  EXPECT_EQ(p, "2147483648 is out of range for int32");
  EXPECT_FALSE(ParseIntegerText("1e19", IntegerKind::kInt64, &v, &p));
  EXPECT_EQ(p, "1e19 is out of range for int64");
  EXPECT_FALSE(ParseIntegerText("1e400", IntegerKind::kUInt64, &v, &p));
  EXPECT_EQ(p, "1e400 is out of range for uint64");
  EXPECT_FALSE(ParseIntegerText("0.5", IntegerKind::kInt64, &v, &p));
  EXPECT_EQ(p, "expected an integer, got 0.5");
  EXPECT_FALSE(ParseIntegerText(" 1", IntegerKind::kInt64, &v, &p));
  EXPECT_FALSE(ParseIntegerText("+1", IntegerKind::kInt64, &v, &p));
  EXPECT_FALSE(ParseIntegerText("0x10", IntegerKind::kInt64, &v, &p));
  EXPECT_EQ(p, "not a decimal number");
}

TEST(JsonNumbersTest, Doubles) {
  double d = 0;
  std::string p;
  ASSERT_TRUE(ParseDoubleText("0.1", false, &d, &p));
  EXPECT_EQ(d, 0.1);
  ASSERT_TRUE(ParseDoubleText("1e-320", false, &d, &p));  // subnormal
  EXPECT_EQ(d, 1e-320);
  ASSERT_TRUE(ParseDoubleText("1e-400", false, &d, &p));
  EXPECT_EQ(d, 0.0);
  ASSERT_TRUE(ParseDoubleText("Infinity", true, &d, &p));
  EXPECT_EQ(d, std::numeric_limits<double>::infinity());
  EXPECT_FALSE(ParseDoubleText("-1e309", false, &d, &p));
  EXPECT_EQ(p, "-1e309 is out of range for a double");
  EXPECT_FALSE(ParseDoubleText("inf", true, &d, &p));
  EXPECT_FALSE(ParseDoubleText("nan", true, &d, &p));
  EXPECT_FALSE(ParseDoubleText(".5", true, &d, &p));
}

}  // namespace
}  // namespace vigil::otlp
