// Tests of vigil-loadgen's command-line parsing: sizes, times, every flag, every rejection.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tools/loadgen/line_formatter.h"
#include "tools/loadgen/options.h"

namespace vigil::tools {
namespace {

Result<LoadgenOptions> Parse(std::vector<std::string> args) { return ParseOptions(args); }

void ExpectRejected(std::vector<std::string> args, const std::string& needle) {
  Result<LoadgenOptions> r = ParseOptions(args);
  ASSERT_FALSE(r.ok()) << "accepted: " << ::testing::PrintToString(args);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find(needle), std::string::npos)
      << "message '" << r.status().message() << "' lacks '" << needle << "'";
}

TEST(ParseSizeTest, AcceptsBinaryAndDecimalSuffixes) {
  EXPECT_EQ(*ParseSize("1000"), 1000u);
  EXPECT_EQ(*ParseSize("7B"), 7u);
  EXPECT_EQ(*ParseSize("2k"), 2048u);
  EXPECT_EQ(*ParseSize("3KiB"), 3072u);
  EXPECT_EQ(*ParseSize("10KB"), 10000u);
  EXPECT_EQ(*ParseSize("512MiB"), 512ull << 20);
  EXPECT_EQ(*ParseSize("1gib"), 1ull << 30);
  EXPECT_EQ(*ParseSize("2GB"), 2000000000ull);
  EXPECT_EQ(*ParseSize("1TiB"), 1ull << 40);
}

TEST(ParseSizeTest, RejectsGarbage) {
  EXPECT_FALSE(ParseSize("").ok());
  EXPECT_FALSE(ParseSize("GiB").ok());
  EXPECT_FALSE(ParseSize("-1").ok());
  EXPECT_FALSE(ParseSize("1.5GiB").ok());
  Result<uint64_t> unknown = ParseSize("10XB");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("unknown size suffix 'XB'"), std::string::npos);
  Result<uint64_t> huge = ParseSize("99999999999TiB");
  ASSERT_FALSE(huge.ok());
  EXPECT_NE(huge.status().message().find("too large"), std::string::npos);
}

TEST(ParseRfc3339Test, ConvertsUtcTimes) {
  EXPECT_EQ(*ParseRfc3339("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*ParseRfc3339("1970-01-02T00:00:01.250Z"), 86401250);
  // 2024-02-29 exists (leap year); round trip through the formatter.
  Result<int64_t> leap = ParseRfc3339("2024-02-29T23:59:59.999Z");
  ASSERT_TRUE(leap.ok());
  char buf[24];
  FormatRfc3339Millis(*leap, buf);
  EXPECT_EQ(std::string(buf, 24), "2024-02-29T23:59:59.999Z");
}

TEST(ParseRfc3339Test, RejectsMalformedOrImpossibleTimes) {
  for (const char* bad : {"", "2026-11-23", "2026-11-23T10:00:00", "2026-11-23T10:00:00+01:00",
                          "2026-13-01T00:00:00Z", "2023-02-29T00:00:00Z", "2026-11-23T24:00:00Z",
                          "2026-11-23T10:00:00.12Z", "2026/11/23T10:00:00Z"}) {
    Result<int64_t> r = ParseRfc3339(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.status().message().find("expected UTC time"), std::string::npos) << bad;
  }
}

TEST(ParseOptionsTest, ParsesEveryFlag) {
  Result<LoadgenOptions> r = Parse({"--out",
                                    "/tmp/x.jsonl",
                                    "--services=6",
                                    "--rate",
                                    "250.5",
                                    "--duration",
                                    "3",
                                    "--lines",
                                    "100",
                                    "--bytes",
                                    "1MiB",
                                    "--seed",
                                    "42",
                                    "--start-time",
                                    "2026-11-23T10:00:00Z",
                                    "--error-ratio",
                                    "0.05",
                                    "--client-error-ratio",
                                    "0.1",
                                    "--slow-tail-ratio",
                                    "0.2",
                                    "--spike-at",
                                    "30",
                                    "--spike-duration",
                                    "15",
                                    "--spike-error-ratio",
                                    "0.6",
                                    "--spike-latency-factor",
                                    "2.5",
                                    "--rotate-every",
                                    "1000",
                                    "--rotate-mode",
                                    "copytruncate",
                                    "--rotate-keep",
                                    "3",
                                    "--truth",
                                    "/tmp/t.json",
                                    "--fsync-every",
                                    "10",
                                    "--quiet"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const LoadgenOptions& o = *r;
  EXPECT_EQ(o.out, "/tmp/x.jsonl");
  EXPECT_EQ(o.services, 6);
  EXPECT_DOUBLE_EQ(o.rate, 250.5);
  EXPECT_DOUBLE_EQ(o.duration_s, 3);
  EXPECT_EQ(o.max_lines, 100u);
  EXPECT_EQ(o.max_bytes, 1u << 20);
  EXPECT_EQ(o.seed, 42u);
  EXPECT_EQ(o.start_unix_ms, *ParseRfc3339("2026-11-23T10:00:00Z"));
  EXPECT_DOUBLE_EQ(o.error_ratio, 0.05);
  EXPECT_DOUBLE_EQ(o.client_error_ratio, 0.1);
  EXPECT_DOUBLE_EQ(o.slow_tail_ratio, 0.2);
  EXPECT_DOUBLE_EQ(o.spike_at_s, 30);
  EXPECT_DOUBLE_EQ(o.spike_duration_s, 15);
  EXPECT_DOUBLE_EQ(o.spike_error_ratio, 0.6);
  EXPECT_DOUBLE_EQ(o.spike_latency_factor, 2.5);
  EXPECT_EQ(o.rotate_every, 1000u);
  EXPECT_EQ(o.rotate_mode, RotateMode::kCopyTruncate);
  EXPECT_EQ(o.rotate_keep, 3);
  EXPECT_EQ(o.truth_path, "/tmp/t.json");
  EXPECT_EQ(o.fsync_every, 10u);
  EXPECT_TRUE(o.quiet);
  EXPECT_DOUBLE_EQ(o.LogClockRate(), 250.5);
}

TEST(ParseOptionsTest, DefaultsNeedABoundWhenUnpaced) {
  ExpectRejected({}, "unbounded");
  Result<LoadgenOptions> paced = Parse({"--rate", "10"});
  ASSERT_TRUE(paced.ok());
  EXPECT_EQ(paced->out, "-");
  EXPECT_EQ(paced->services, 4);
  EXPECT_LT(paced->spike_at_s, 0);  // no spike unless asked
  Result<LoadgenOptions> unpaced = Parse({"--lines", "5"});
  ASSERT_TRUE(unpaced.ok());
  EXPECT_DOUBLE_EQ(unpaced->LogClockRate(), kUnpacedLogClockRate);
}

TEST(ParseOptionsTest, HelpAndVersionSkipValidation) {
  EXPECT_TRUE(Parse({"--help"})->show_help);
  EXPECT_TRUE(Parse({"--version"})->show_version);
  EXPECT_NE(UsageText().find("--rotate-mode"), std::string::npos);
}

TEST(ParseOptionsTest, RejectsBadInputWithAClearMessage) {
  ExpectRejected({"--lines", "1", "--bogus"}, "unknown option '--bogus'");
  ExpectRejected({"--lines"}, "--lines: missing value");
  ExpectRejected({"--lines", "ten"}, "--lines: expected a non-negative integer, got 'ten'");
  ExpectRejected({"--lines", "0"}, "--lines: must be >= 1");
  ExpectRejected({"--lines", "1", "--quiet=yes"}, "--quiet: takes no value");
  ExpectRejected({"--lines", "1", "--error-ratio", "1.5"}, "--error-ratio: 1.5 is outside");
  ExpectRejected({"--lines", "1", "--error-ratio", "x"}, "--error-ratio: expected a number");
  ExpectRejected({"--lines", "1", "--rate", "-3"}, "--rate: -3 is outside");
  ExpectRejected({"--lines", "1", "--services", "0"}, "--services: 0 is outside [1, 64]");
  ExpectRejected({"--lines", "1", "--services", "65"}, "--services: 65 is outside");
  ExpectRejected({"--bytes", "lots"}, "--bytes: expected a size");
  ExpectRejected({"--bytes", "0"}, "--bytes: must be > 0");
  ExpectRejected({"--lines", "1", "--start-time", "yesterday"}, "--start-time: expected UTC");
  ExpectRejected({"--lines", "1", "--rotate-mode", "move"},
                 "--rotate-mode: expected 'rename' or 'copytruncate', got 'move'");
  ExpectRejected({"--lines", "1", "--rotate-every", "10"}, "cannot rotate stdout");
  ExpectRejected({"--lines", "1", "--error-ratio", "0.99"}, "--client-error-ratio exceeds 1");
  ExpectRejected({"--lines", "1", "--spike-error-ratio", "1"}, "--spike-error-ratio plus");
  ExpectRejected({"--lines", "1", "--out", ""}, "--out: empty path");
  ExpectRejected({"--lines", "1", "--truth="}, "--truth: empty path");
}

}  // namespace
}  // namespace vigil::tools
