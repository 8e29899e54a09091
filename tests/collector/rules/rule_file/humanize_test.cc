#include "collector/rules/rule_file/humanize.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace vigil::rules {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(RulesHumanizeTest, UsesSiPrefixesWithFourSignificantDigits) {
  EXPECT_EQ(Humanize(1234567), "1.235M");
  EXPECT_EQ(Humanize(0.012), "12m");
  EXPECT_EQ(Humanize(0), "0");
  EXPECT_EQ(Humanize(999), "999");
  EXPECT_EQ(Humanize(1000), "1k");
  EXPECT_EQ(Humanize(-1500), "-1.5k");
  EXPECT_EQ(Humanize(0.0001234), "123.4u");
  EXPECT_EQ(Humanize(1e30), "1e+06Y");  // past the largest prefix the mantissa grows
  EXPECT_EQ(Humanize(kNaN), "NaN");
  EXPECT_EQ(Humanize(-kInf), "-Inf");
}

TEST(RulesHumanizeTest, Percentage) {
  EXPECT_EQ(HumanizePercentage(0.1234), "12.34%");
  EXPECT_EQ(HumanizePercentage(0.05), "5%");
  EXPECT_EQ(HumanizePercentage(1.0 / 3), "33.33%");
  EXPECT_EQ(HumanizePercentage(kInf), "+Inf%");
}

TEST(RulesHumanizeTest, Duration) {
  EXPECT_EQ(HumanizeDuration(90061), "1d 1h 1m 1s");
  EXPECT_EQ(HumanizeDuration(0.5), "500ms");
  EXPECT_EQ(HumanizeDuration(0), "0s");
  EXPECT_EQ(HumanizeDuration(3661), "1h 1m 1s");
  EXPECT_EQ(HumanizeDuration(61.9), "1m 1s");
  EXPECT_EQ(HumanizeDuration(1.5), "1.5s");
  EXPECT_EQ(HumanizeDuration(-90), "-1m 30s");
  EXPECT_EQ(HumanizeDuration(0.000123), "123us");
  EXPECT_EQ(HumanizeDuration(kNaN), "NaN");
}

TEST(RulesHumanizeTest, GoDefaultFloatFormat) {
  EXPECT_EQ(GoFormatFloat(0.5), "0.5");
  EXPECT_EQ(GoFormatFloat(123456), "123456");
  EXPECT_EQ(GoFormatFloat(1234567), "1.234567e+06");
  EXPECT_EQ(GoFormatFloat(1e-5), "1e-05");
  EXPECT_EQ(GoFormatFloat(0.0001), "0.0001");
  EXPECT_EQ(GoFormatFloat(100), "100");
  EXPECT_EQ(GoFormatFloat(-2.5), "-2.5");
  EXPECT_EQ(GoFormatFloat(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(GoFormatFloat(kInf), "+Inf");
}

}  // namespace
}  // namespace vigil::rules
