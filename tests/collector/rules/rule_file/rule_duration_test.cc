#include "collector/rules/rule_file/rule_duration.h"

#include <gtest/gtest.h>

namespace vigil::rules {
namespace {

using std::chrono::milliseconds;

TEST(RuleDurationTest, ParsesPrometheusUnits) {
  EXPECT_EQ(*ParseRuleDuration("0"), milliseconds(0));
  EXPECT_EQ(*ParseRuleDuration("250ms"), milliseconds(250));
  EXPECT_EQ(*ParseRuleDuration("1h30m"), milliseconds(5400000));
  EXPECT_EQ(*ParseRuleDuration("1d"), milliseconds(86400000));
  EXPECT_EQ(*ParseRuleDuration("2w"), milliseconds(2LL * 7 * 86400000));
  EXPECT_EQ(*ParseRuleDuration("1y"), milliseconds(365LL * 86400000));
  EXPECT_EQ(*ParseRuleDuration("1m1s1ms"), milliseconds(61001));
}

TEST(RuleDurationTest, RejectsWithReason) {
  EXPECT_EQ(ParseRuleDuration("").status().message(), "invalid duration \"\": empty");
  EXPECT_EQ(ParseRuleDuration("10").status().message(),
            "invalid duration \"10\": missing unit (one of y, w, d, h, m, s, ms)");
  EXPECT_EQ(ParseRuleDuration("1.5h").status().message(),
            "invalid duration \"1.5h\": fractions are not allowed; use smaller units");
  EXPECT_EQ(ParseRuleDuration("5x").status().message(),
            "invalid duration \"5x\": unknown unit \"x\" (use y, w, d, h, m, s, ms)");
  EXPECT_EQ(ParseRuleDuration("1s1m").status().message(),
            "invalid duration \"1s1m\": units must go from largest to smallest, each at most once");
  EXPECT_EQ(ParseRuleDuration("1m1m").status().message(),
            "invalid duration \"1m1m\": units must go from largest to smallest, each at most once");
  EXPECT_EQ(ParseRuleDuration("-1m").status().message(),
            "invalid duration \"-1m\": expected a whole number before each unit, as in 1h30m");
  EXPECT_EQ(ParseRuleDuration("999999999999y").status().message(),
            "invalid duration \"999999999999y\": too large");
}

TEST(RuleDurationTest, FormatsCanonically) {
  EXPECT_EQ(FormatRuleDuration(milliseconds(0)), "0s");
  EXPECT_EQ(FormatRuleDuration(milliseconds(90000)), "1m30s");
  EXPECT_EQ(FormatRuleDuration(*ParseRuleDuration("1w2d3h")), "1w2d3h");
  EXPECT_EQ(FormatRuleDuration(milliseconds(1500)), "1s500ms");
}

}  // namespace
}  // namespace vigil::rules
