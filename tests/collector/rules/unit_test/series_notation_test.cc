#include "collector/rules/unit_test/series_notation.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace vigil::rules {
namespace {

std::vector<SeriesValue> Expand(std::string_view text) {
  Result<std::vector<SeriesValue>> r = ExpandSeriesValues(text);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status().ToString();
  return r.ok() ? *r : std::vector<SeriesValue>{};
}

// The message and the offset the error points at.
std::pair<std::string, size_t> ExpandError(std::string_view text) {
  size_t offset = 12345;
  Result<std::vector<SeriesValue>> r = ExpandSeriesValues(text, &offset);
  EXPECT_FALSE(r.ok()) << text << " should not parse";
  return {r.status().message(), offset};
}

TEST(SeriesNotationTest, PlainNumbersInAllSpellings) {
  std::vector<SeriesValue> v = Expand("1 1e3 -2 +3 .5 5. 2.5E-1 0.5e1");
  std::vector<SeriesValue> want = {1, 1000, -2, 3, 0.5, 5, 0.25, 5};
  EXPECT_EQ(v, want);
}

TEST(SeriesNotationTest, InfAndNaNInAnyCase) {
  std::vector<SeriesValue> v = Expand("Inf -Inf +inf NaN nan -NaN");
  ASSERT_EQ(v.size(), 6u);
  EXPECT_EQ(*v[0], std::numeric_limits<double>::infinity());
  EXPECT_EQ(*v[1], -std::numeric_limits<double>::infinity());
  EXPECT_EQ(*v[2], std::numeric_limits<double>::infinity());
  for (int i = 3; i < 6; ++i) {
    EXPECT_TRUE(std::isnan(*v[i]));
    EXPECT_FALSE(eval::IsStaleNaN(*v[i])) << "an ordinary NaN is a value, not a stale marker";
  }
}

TEST(SeriesNotationTest, RepetitionGivesNPlusOneValues) {
  EXPECT_EQ(Expand("1x3"), (std::vector<SeriesValue>{1, 1, 1, 1}));
  EXPECT_EQ(Expand("7x0"), (std::vector<SeriesValue>{7}));
  // 'x' always means repetition after a number: "0x10" is eleven zeros, not hex.
  EXPECT_EQ(Expand("0x10").size(), 11u);
  EXPECT_EQ(Expand("2e2x2"), (std::vector<SeriesValue>{200, 200, 200}));
}

TEST(SeriesNotationTest, StepsCountUpAndDown) {
  EXPECT_EQ(Expand("1+2x3"), (std::vector<SeriesValue>{1, 3, 5, 7}));
  EXPECT_EQ(Expand("10-3x2"), (std::vector<SeriesValue>{10, 7, 4}));
  EXPECT_EQ(Expand("-1-1x1"), (std::vector<SeriesValue>{-1, -2}));
  EXPECT_EQ(Expand("0.5+.5x1"), (std::vector<SeriesValue>{0.5, 1.0}));
  // Accumulated like promtool (0.1 added three times), not 0 + 3 * 0.1.
  std::vector<SeriesValue> v = Expand("0+0.1x3");
  EXPECT_EQ(*v[3], 0.1 + 0.1 + 0.1);
}

TEST(SeriesNotationTest, BlanksOmitSamples) {
  EXPECT_EQ(Expand("_ 1 _x2 3"),
            (std::vector<SeriesValue>{std::nullopt, 1, std::nullopt, std::nullopt, 3}));
  // "_xn" omits n values (not n+1), and "_x0" none.
  EXPECT_EQ(Expand("_x3").size(), 3u);
  EXPECT_EQ(Expand("1 _x0 2"), (std::vector<SeriesValue>{1, 2}));
}

TEST(SeriesNotationTest, StaleIsTheStalenessMarker) {
  std::vector<SeriesValue> v = Expand("1 stale 2");
  ASSERT_EQ(v.size(), 3u);
  EXPECT_TRUE(eval::IsStaleNaN(*v[1]));
  EXPECT_EQ(*v[2], 2);
}

TEST(SeriesNotationTest, EmptyAndBlankTextGiveNoValues) {
  EXPECT_TRUE(Expand("").empty());
  EXPECT_TRUE(Expand("   ").empty());
  EXPECT_EQ(Expand("  1   2  "), (std::vector<SeriesValue>{1, 2}));
}

TEST(SeriesNotationTest, ErrorsSayWhatAndWhere) {
  auto [msg, at] = ExpandError("1 2 x");
  EXPECT_NE(msg.find("expected a number"), std::string::npos) << msg;
  EXPECT_EQ(at, 4u);

  std::tie(msg, at) = ExpandError("1 2 3x");
  EXPECT_NE(msg.find("count after \"x\""), std::string::npos) << msg;
  EXPECT_EQ(at, 6u);

  std::tie(msg, at) = ExpandError("1xa");
  EXPECT_NE(msg.find("found \"a\""), std::string::npos) << msg;

  std::tie(msg, at) = ExpandError("1+2");
  EXPECT_NE(msg.find("expected \"x\""), std::string::npos) << msg;

  std::tie(msg, at) = ExpandError("1e");
  EXPECT_EQ(msg, "bad number \"1e\"");
  EXPECT_EQ(at, 0u);

  std::tie(msg, at) = ExpandError("5 1_000");
  EXPECT_EQ(msg, "bad number \"1_000\"");
  EXPECT_EQ(at, 2u);

  std::tie(msg, at) = ExpandError("0xff");
  EXPECT_NE(msg.find("found \"ff\""), std::string::npos) << msg;

  std::tie(msg, at) = ExpandError("1 , 2");
  EXPECT_EQ(at, 2u);

  std::tie(msg, at) = ExpandError("up");
  EXPECT_EQ(msg, "unexpected \"up\", expected a number or \"stale\"");

  std::tie(msg, at) = ExpandError("Infx2");  // one word, as in promtool
  EXPECT_NE(msg.find("\"Infx2\""), std::string::npos) << msg;

  std::tie(msg, at) = ExpandError("-stale");
  EXPECT_NE(msg.find("\"-stale\""), std::string::npos) << msg;

  std::tie(msg, at) = ExpandError("_+1x2");
  EXPECT_EQ(msg, "unexpected \"+\" in series values");
  EXPECT_EQ(at, 1u);

  std::tie(msg, at) = ExpandError("1x2x3");
  EXPECT_EQ(at, 3u);
}

TEST(SeriesNotationTest, HugeRepetitionIsRefused) {
  auto [msg, at] = ExpandError("1x100000000000");
  EXPECT_NE(msg.find("more than"), std::string::npos) << msg;
  // The bound is on the total: each item fits, together they do not.
  Result<std::vector<SeriesValue>> r = ExpandSeriesValues("1x5 _x4 2", nullptr, 10);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "series expands to more than 10 values");
  EXPECT_TRUE(ExpandSeriesValues("1x5 _x4", nullptr, 10).ok());
}

TEST(MetricNotationTest, NameAndLabelsSorted) {
  Result<eval::Labels> l = ParseMetricNotation(R"(up{job="api", instance='i:1', env=`prod`,})");
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  eval::Labels want = {{"__name__", "up"}, {"env", "prod"}, {"instance", "i:1"}, {"job", "api"}};
  EXPECT_EQ(*l, want);
}

TEST(MetricNotationTest, OtherForms) {
  EXPECT_EQ(*ParseMetricNotation("job:up:sum"), (eval::Labels{{"__name__", "job:up:sum"}}));
  EXPECT_EQ(*ParseMetricNotation("{}"), eval::Labels{});
  EXPECT_EQ(*ParseMetricNotation(R"({__name__="x", a="\"q\"\n"})"),
            (eval::Labels{{"__name__", "x"}, {"a", "\"q\"\n"}}));
  // Keywords are fine label names; empty values are dropped.
  EXPECT_EQ(*ParseMetricNotation(R"(m{by="1", sum="2", e=""})"),
            (eval::Labels{{"__name__", "m"}, {"by", "1"}, {"sum", "2"}}));
}

TEST(MetricNotationTest, Errors) {
  struct Case {
    const char* text;
    const char* want;  // part of the message
    size_t offset;
  };
  for (const Case& c : {
           Case{R"(up{job="a")", "expected \",\" or \"}\"", 10},
           Case{R"(up{job="a"} 1)", "after the label set", 12},
           Case{R"(up{job=a})", "expected a quoted label value", 7},
           Case{R"(up{job})", "expected \"=\"", 6},
           Case{R"(up{job!="a"})", "expected \"=\"", 6},
           Case{R"(up{a="1", a="2"})", "label \"a\" is given twice", 10},
           Case{R"(up{__name__="x"})", "label \"__name__\" is given twice", 3},
           Case{"5", "expected a metric name", 0},
           Case{"", "expected a metric name", 0},
           Case{R"(up{"job"="a"})", "expected a label name", 3},
           Case{R"(up{job="a)", "", 7},
       }) {
    size_t offset = 999;
    Result<eval::Labels> l = ParseMetricNotation(c.text, &offset);
    ASSERT_FALSE(l.ok()) << c.text;
    EXPECT_NE(l.status().message().find(c.want), std::string::npos)
        << c.text << ": " << l.status().message();
    EXPECT_EQ(offset, c.offset) << c.text << ": " << l.status().message();
  }
}

}  // namespace
}  // namespace vigil::rules
