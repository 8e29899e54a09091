#include "agent/parse/field_decoders.h"

#include <gtest/gtest.h>

namespace vigil::parse {
namespace {

TEST(ParseDurationTextTest, AcceptsUnitsAndCompounds) {
  EXPECT_DOUBLE_EQ(*ParseDurationText("12.5ms", DurationUnit::kSeconds), 0.0125);
  EXPECT_DOUBLE_EQ(*ParseDurationText("1.2s", DurationUnit::kSeconds), 1.2);
  EXPECT_DOUBLE_EQ(*ParseDurationText("350us", DurationUnit::kSeconds), 350e-6);
  EXPECT_DOUBLE_EQ(*ParseDurationText("350\xC2\xB5s", DurationUnit::kSeconds), 350e-6);
  EXPECT_DOUBLE_EQ(*ParseDurationText("350\xCE\xBCs", DurationUnit::kSeconds), 350e-6);
  EXPECT_DOUBLE_EQ(*ParseDurationText("800ns", DurationUnit::kSeconds), 800e-9);
  EXPECT_DOUBLE_EQ(*ParseDurationText("1m", DurationUnit::kSeconds), 60);
  EXPECT_DOUBLE_EQ(*ParseDurationText("2h", DurationUnit::kSeconds), 7200);
  EXPECT_DOUBLE_EQ(*ParseDurationText("1h2m3.5s", DurationUnit::kSeconds), 3723.5);
  EXPECT_DOUBLE_EQ(*ParseDurationText(".5s", DurationUnit::kSeconds), 0.5);
  EXPECT_DOUBLE_EQ(*ParseDurationText("0", DurationUnit::kSeconds), 0);
}

TEST(ParseDurationTextTest, BareNumbersUseTheGivenUnit) {
  EXPECT_DOUBLE_EQ(*ParseDurationText("250", DurationUnit::kMilliseconds), 0.25);
  EXPECT_DOUBLE_EQ(*ParseDurationText("250", DurationUnit::kSeconds), 250);
  EXPECT_DOUBLE_EQ(*ParseDurationText("250", DurationUnit::kMicroseconds), 250e-6);
  EXPECT_DOUBLE_EQ(*ParseDurationText("2.5", DurationUnit::kNanoseconds), 2.5e-9);
}

TEST(ParseDurationTextTest, RejectsOtherText) {
  for (const char* bad : {"", "ms", ".", "-5ms", "+5ms", "5 ms", " 5ms", "5ms ", "1e3ms", "5d",
                          "5sec", "1m30", "inf", "nan", "5..5s", "abc"}) {
    EXPECT_FALSE(ParseDurationText(bad, DurationUnit::kMilliseconds).has_value()) << bad;
  }
}

TEST(ParseRfc3339Test, AcceptsFractionsAndZones) {
  constexpr int64_t kBase = 1714566896LL * 1'000'000'000;  // 2024-05-01T12:34:56Z
  EXPECT_EQ(*ParseRfc3339UnixNano("2024-05-01T12:34:56Z"), kBase);
  EXPECT_EQ(*ParseRfc3339UnixNano("2024-05-01t12:34:56z"), kBase);
  EXPECT_EQ(*ParseRfc3339UnixNano("2024-05-01 12:34:56"), kBase);  // no zone: UTC
  EXPECT_EQ(*ParseRfc3339UnixNano("2024-05-01T12:34:56.1Z"), kBase + 100'000'000);
  EXPECT_EQ(*ParseRfc3339UnixNano("2024-05-01T12:34:56,123Z"), kBase + 123'000'000);
  EXPECT_EQ(*ParseRfc3339UnixNano("2024-05-01T12:34:56.123456789123Z"), kBase + 123'456'789);
  EXPECT_EQ(*ParseRfc3339UnixNano("2024-05-01T14:34:56+02:00"), kBase);
  EXPECT_EQ(*ParseRfc3339UnixNano("2024-05-01T07:04:56-05:30"), kBase);
  EXPECT_EQ(*ParseRfc3339UnixNano("2024-05-01T14:34:56+0200"), kBase);
  EXPECT_EQ(*ParseRfc3339UnixNano("2024-02-29T00:00:00Z"), 1709164800LL * 1'000'000'000);
  EXPECT_EQ(*ParseRfc3339UnixNano("1970-01-01T00:00:00.000000001Z"), 1);
}

TEST(ParseRfc3339Test, RejectsInvalidText) {
  for (const char* bad :
       {"", "2024-05-01", "2024-05-01T12:34", "2024/05/01T12:34:56Z", "2024-05-01X12:34:56Z",
        "2023-02-29T00:00:00Z", "2024-04-31T00:00:00Z", "2024-00-10T00:00:00Z",
        "2024-05-01T24:00:00Z", "2024-05-01T12:60:00Z", "2024-05-01T12:34:61Z",
        "2024-05-01T12:34:56.Z", "2024-05-01T12:34:56+2", "2024-05-01T12:34:56+25:00",
        "2024-05-01T12:34:56Zjunk", "1969-12-31T23:59:59Z", "1970-01-01T00:00:00Z",
        "9999-12-31T23:59:59Z", "2O24-05-01T12:34:56Z"}) {
    EXPECT_FALSE(ParseRfc3339UnixNano(bad).has_value()) << bad;
  }
}

TEST(EpochToUnixNanoTest, GuessesTheUnitFromTheMagnitude) {
  EXPECT_EQ(*EpochIntegerToUnixNano(1714566896), 1714566896000000000);
  EXPECT_EQ(*EpochIntegerToUnixNano(1714566896123), 1714566896123000000);
  EXPECT_EQ(*EpochIntegerToUnixNano(1714566896123456), 1714566896123456000);
  EXPECT_EQ(*EpochIntegerToUnixNano(1714566896123456789), 1714566896123456789);
  EXPECT_FALSE(EpochIntegerToUnixNano(0).has_value());
  EXPECT_FALSE(EpochIntegerToUnixNano(-1).has_value());
  EXPECT_FALSE(EpochIntegerToUnixNano(99'999'999'999).has_value());  // seconds that overflow ns

  EXPECT_EQ(*EpochDoubleToUnixNano(1714566896.5), 1714566896500000000);
  EXPECT_NEAR(static_cast<double>(*EpochDoubleToUnixNano(1714566896123.0)), 1714566896123e6, 1e3);
  EXPECT_FALSE(EpochDoubleToUnixNano(-3.0).has_value());
  EXPECT_FALSE(EpochDoubleToUnixNano(1e30).has_value());
}

TEST(StatusTest, AcceptsThreeDigitCodesOnly) {
  EXPECT_EQ(*StatusFromInteger(100), 100);
  EXPECT_EQ(*StatusFromInteger(999), 999);
  EXPECT_FALSE(StatusFromInteger(99).has_value());
  EXPECT_FALSE(StatusFromInteger(1000).has_value());
  EXPECT_EQ(*StatusFromText("503"), 503);
  for (const char* bad : {"", " 503", "503 ", "+503", "5O3", "503.0", "-500"}) {
    EXPECT_FALSE(StatusFromText(bad).has_value()) << bad;
  }
}

TEST(LevelTest, SeverityNumbers) {
  EXPECT_EQ(SeverityNumberFromLevel("trace"), 1);
  EXPECT_EQ(SeverityNumberFromLevel("DEBUG"), 5);
  EXPECT_EQ(SeverityNumberFromLevel("Info"), 9);
  EXPECT_EQ(SeverityNumberFromLevel("warning"), 13);
  EXPECT_EQ(SeverityNumberFromLevel("err"), 17);
  EXPECT_EQ(SeverityNumberFromLevel("CRITICAL"), 21);
  EXPECT_EQ(SeverityNumberFromLevel("verbose"), 0);
  EXPECT_EQ(SeverityNumberFromLevel(""), 0);
  EXPECT_EQ(LevelNameFromNumber(30), "info");
  EXPECT_EQ(LevelNameFromNumber(60), "fatal");
  EXPECT_EQ(LevelNameFromNumber(35), "");
}

TEST(LevelTest, EqualsIgnoreAsciiCase) {
  EXPECT_TRUE(EqualsIgnoreAsciiCase("ErRoR", "error"));
  EXPECT_FALSE(EqualsIgnoreAsciiCase("errors", "error"));
  EXPECT_FALSE(EqualsIgnoreAsciiCase("erro!", "error"));
}

}  // namespace
}  // namespace vigil::parse
