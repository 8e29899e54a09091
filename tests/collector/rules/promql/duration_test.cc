#include "collector/rules/promql/duration.h"

#include <gtest/gtest.h>

namespace vigil::promql {
namespace {

using std::chrono::milliseconds;

TEST(PromqlDurationTest, ParsesPrometheusUnits) {
  EXPECT_EQ(*ParseDuration("0"), milliseconds(0));
  EXPECT_EQ(*ParseDuration("250ms"), milliseconds(250));
  EXPECT_EQ(*ParseDuration("1h30m"), milliseconds(5400000));
  EXPECT_EQ(*ParseDuration("1d"), milliseconds(86400000));
  EXPECT_EQ(*ParseDuration("2w"), milliseconds(2LL * 7 * 86400000));
  EXPECT_EQ(*ParseDuration("1y"), milliseconds(365LL * 86400000));
  EXPECT_EQ(*ParseDuration("1m1s1ms"), milliseconds(61001));
}

TEST(PromqlDurationTest, RejectsWithReason) {
  EXPECT_EQ(ParseDuration("").status().message(), "invalid duration \"\": empty");
  EXPECT_EQ(ParseDuration("10").status().message(),
            "invalid duration \"10\": missing unit (one of y, w, d, h, m, s, ms)");
  EXPECT_EQ(ParseDuration("1.5h").status().message(),
            "invalid duration \"1.5h\": fractions are not allowed; use smaller units");
  EXPECT_EQ(ParseDuration("5x").status().message(),
            "invalid duration \"5x\": unknown unit \"x\" (use y, w, d, h, m, s, ms)");
  EXPECT_EQ(ParseDuration("1s1m").status().message(),
            "invalid duration \"1s1m\": units must go from largest to smallest, each at most once");
  EXPECT_EQ(ParseDuration("1m1m").status().message(),
            "invalid duration \"1m1m\": units must go from largest to smallest, each at most once");
  EXPECT_EQ(ParseDuration("-1m").status().message(),
            "invalid duration \"-1m\": expected a whole number before each unit, as in 1h30m");
  EXPECT_EQ(ParseDuration("999999999999y").status().message(),
            "invalid duration \"999999999999y\": too large");
}

TEST(PromqlDurationTest, FormatsCanonically) {
  EXPECT_EQ(FormatDuration(milliseconds(0)), "0s");
  EXPECT_EQ(FormatDuration(milliseconds(90000)), "1m30s");
  EXPECT_EQ(FormatDuration(*ParseDuration("1w2d3h")), "1w2d3h");
  EXPECT_EQ(FormatDuration(milliseconds(1500)), "1s500ms");
}

}  // namespace
}  // namespace vigil::promql
