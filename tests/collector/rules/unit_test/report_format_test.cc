#include "collector/rules/unit_test/report_format.h"

#include <gtest/gtest.h>

#include <limits>

namespace vigil::rules {
namespace {

// Expected strings below are what Go (promtool 2.42) prints for the same inputs.

TEST(ReportFormatTest, LabelsPutTheNameInsideTheBraces) {
  EXPECT_EQ(GoLabelsString({}), "{}");
  EXPECT_EQ(GoLabelsString({{"__name__", "job:up:sum"}, {"job", "a"}}),
            "{__name__=\"job:up:sum\", job=\"a\"}");
  EXPECT_EQ(GoLabelsString({{"msg", "say \"hi\""}}), "{msg=\"say \\\"hi\\\"\"}");
}

TEST(ReportFormatTest, FloatsInGoExponentForm) {
  EXPECT_EQ(GoFloatE(1), "1E+00");
  EXPECT_EQ(GoFloatE(0), "0E+00");
  EXPECT_EQ(GoFloatE(-0.0), "-0E+00");
  EXPECT_EQ(GoFloatE(1.5e-7), "1.5E-07");
  EXPECT_EQ(GoFloatE(13), "1.3E+01");
  EXPECT_EQ(GoFloatE(0.1), "1E-01");
  EXPECT_EQ(GoFloatE(1e100), "1E+100");
  EXPECT_EQ(GoFloatE(0.1 + 0.2), "3.0000000000000004E-01");
  EXPECT_EQ(GoFloatE(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(GoFloatE(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(GoFloatE(std::numeric_limits<double>::quiet_NaN()), "NaN");
}

TEST(ReportFormatTest, GoDurations) {
  EXPECT_EQ(GoDurationString(0), "0s");
  EXPECT_EQ(GoDurationString(250), "250ms");
  EXPECT_EQ(GoDurationString(1500), "1.5s");
  EXPECT_EQ(GoDurationString(60'000), "1m0s");
  EXPECT_EQ(GoDurationString(3'600'000), "1h0m0s");
  EXPECT_EQ(GoDurationString(3'723'050), "1h2m3.05s");
  EXPECT_EQ(GoDurationString(-60'000), "-1m0s");
}

TEST(ReportFormatTest, IndentLinesSkipsTheFirstLine) {
  EXPECT_EQ(IndentLines("a\nb\nc", "  "), "a\n  b\n  c");
  EXPECT_EQ(IndentLines("one", "  "), "one");
  EXPECT_EQ(IndentLines("a\n", ">"), "a\n>");
}

TEST(ReportFormatTest, AlertLists) {
  EXPECT_EQ(AlertListString({}), "[]");
  std::vector<LabelsAndAnnotations> alerts = {
      {{{"alertname", "A"}, {"i", "1"}}, {{"summary", "s"}}},
      {{{"alertname", "A"}, {"i", "2"}}, {}},
  };
  EXPECT_EQ(AlertListString(alerts),
            "[\n"
            "0:\n"
            "  Labels:{alertname=\"A\", i=\"1\"}\n"
            "  Annotations:{summary=\"s\"},\n"
            "1:\n"
            "  Labels:{alertname=\"A\", i=\"2\"}\n"
            "  Annotations:{}\n"
            "]");
}

}  // namespace
}  // namespace vigil::rules
