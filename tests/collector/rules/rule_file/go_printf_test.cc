// GoPrintf against what Go's fmt.Sprintf prints for the same format and values (the expected
// strings are Go's output), plus every way a format or a value list can be rejected.
#include "collector/rules/rule_file/go_printf.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

namespace vigil::rules {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

std::string Sprintf(std::string_view format, const std::vector<PrintfValue>& values) {
  Result<GoPrintf> p = GoPrintf::Parse(format);
  if (!p.ok()) return "parse error: " + p.status().message();
  Result<std::string> out = p->Format(values);
  return out.ok() ? *out : "format error: " + out.status().message();
}

std::string ParseError(std::string_view format) {
  Result<GoPrintf> p = GoPrintf::Parse(format);
  return p.ok() ? "parsed" : p.status().message();
}

TEST(GoPrintfTest, SplitsLiteralsAndVerbs) {
  Result<GoPrintf> p = GoPrintf::Parse("a %s b %5.1f%% c");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->verb_count(), 2u);
  EXPECT_EQ(p->format(), "a %s b %5.1f%% c");
  EXPECT_EQ(GoPrintf::Parse("no verbs, 100%%")->verb_count(), 0u);
  EXPECT_EQ(Sprintf("no verbs, 100%%", {}), "no verbs, 100%");
  EXPECT_EQ(Sprintf("%5%", {}), "%");  // Go: a percent verb takes no value and ignores width
}

TEST(GoPrintfTest, FormatsSeveralValuesOfMixedTypes) {
  EXPECT_EQ(Sprintf("%s %s", {"checkout", "/cart"}), "checkout /cart");
  EXPECT_EQ(Sprintf("%s has %.0f errors (%s)", {"checkout", 42.25, "5m"}),
            "checkout has 42 errors (5m)");
  EXPECT_EQ(Sprintf("%5.1f|%-6s|%g", {42.25, "/cart", 0.5}), " 42.2|/cart |0.5");
  EXPECT_EQ(Sprintf("%v=%v", {"ratio", 0.25}), "ratio=0.25");
}

TEST(GoPrintfTest, FloatVerbsMatchGo) {
  EXPECT_EQ(Sprintf("%.2f", {3.14159}), "3.14");
  EXPECT_EQ(Sprintf("%f", {2.5}), "2.500000");
  EXPECT_EQ(Sprintf("%F", {2.5}), "2.500000");
  EXPECT_EQ(Sprintf("%e", {1234.5678}), "1.234568e+03");
  EXPECT_EQ(Sprintf("%E", {1234.5678}), "1.234568E+03");
  EXPECT_EQ(Sprintf("%.3g", {1234.5678}), "1.23e+03");
  // Without a precision %g and %v print the shortest round-trip digits, unlike C's %g.
  EXPECT_EQ(Sprintf("%g", {0.1 + 0.2}), "0.30000000000000004");
  EXPECT_EQ(Sprintf("%g", {123456.0}), "123456");
  EXPECT_EQ(Sprintf("%g", {1e6}), "1e+06");
  EXPECT_EQ(Sprintf("%G", {1e-7}), "1E-07");
  EXPECT_EQ(Sprintf("%v", {-0.0}), "-0");
  EXPECT_EQ(Sprintf("%.3v", {3.14159}), "3.14");
}

TEST(GoPrintfTest, FloatFlagsAndWidth) {
  EXPECT_EQ(Sprintf("%08.3f", {-3.14159}), "-003.142");
  EXPECT_EQ(Sprintf("%+.1f", {2.0}), "+2.0");
  EXPECT_EQ(Sprintf("% .1f", {2.0}), " 2.0");
  EXPECT_EQ(Sprintf("%-8.2f|", {3.14159}), "3.14    |");
  EXPECT_EQ(Sprintf("%8g|", {0.5}), "     0.5|");
  EXPECT_EQ(Sprintf("%-08.1f|", {1.0}), "1.0     |");  // "-" wins over "0"
}

TEST(GoPrintfTest, NonFiniteFloatsAreNeverZeroPadded) {
  EXPECT_EQ(Sprintf("%.2f", {kNaN}), "NaN");
  EXPECT_EQ(Sprintf("%5.2f", {kNaN}), "  NaN");
  EXPECT_EQ(Sprintf("%+f", {kNaN}), "+NaN");
  EXPECT_EQ(Sprintf("%05.1f", {kInf}), " +Inf");
  EXPECT_EQ(Sprintf("%.1f", {-kInf}), "-Inf");
  EXPECT_EQ(Sprintf("% g", {kInf}), " Inf");
}

TEST(GoPrintfTest, StringVerbsCountRunes) {
  EXPECT_EQ(Sprintf("[%6s]", {"/cart"}), "[ /cart]");
  EXPECT_EQ(Sprintf("[%-6s]", {"/cart"}), "[/cart ]");
  EXPECT_EQ(Sprintf("[%.2s]", {"h\xc3\xa9llo"}), "[h\xc3\xa9]");
  EXPECT_EQ(Sprintf("[%3s]", {"\xc3\xa9"}), "[  \xc3\xa9]");
  EXPECT_EQ(Sprintf("[%05s]", {"ab"}), "[000ab]");
}

TEST(GoPrintfTest, QuoteVerbEscapesLikeGo) {
  EXPECT_EQ(Sprintf("%q", {"/cart"}), "\"/cart\"");
  EXPECT_EQ(Sprintf("%q", {"a\"b\\c\n\t"}), "\"a\\\"b\\\\c\\n\\t\"");
  EXPECT_EQ(Sprintf("%q", {"\x1b[0m"}), "\"\\x1b[0m\"");
  EXPECT_EQ(Sprintf("%q", {"bad\xff"}), "\"bad\\xff\"");
  EXPECT_EQ(Sprintf("%q", {"h\xc3\xa9llo"}), "\"h\xc3\xa9llo\"");
  EXPECT_EQ(Sprintf("%q", {"\xc2\xa0"}), "\"\\u00a0\"");  // no-break space is not printable
  EXPECT_EQ(Sprintf("%+q", {"h\xc3\xa9llo"}), "\"h\\u00e9llo\"");
  EXPECT_EQ(Sprintf("%+q", {"\xf0\x9f\x98\x80"}), "\"\\U0001f600\"");
  EXPECT_EQ(Sprintf("%#q", {"a b"}), "`a b`");
  EXPECT_EQ(Sprintf("%#q", {"a`b"}), "\"a`b\"");
  EXPECT_EQ(Sprintf("%8q", {"ab"}), "    \"ab\"");
  EXPECT_EQ(Sprintf("%.2q", {"abc"}), "\"ab\"");
  EXPECT_EQ(GoQuote("", false), "\"\"");
}

TEST(GoPrintfTest, RejectsFormatsItCannotApply) {
  EXPECT_EQ(ParseError("%d"),
            "printf verb %d is not supported; use %f, %F, %e, %E, %g, %G or %v for numbers and "
            "%s, %v or %q for strings (template numbers are floats: %.0f prints a whole number)");
  EXPECT_EQ(ParseError("%x"),
            "printf verb %x is not supported; use %f, %F, %e, %E, %g, %G or %v for numbers and "
            "%s, %v or %q for strings");
  EXPECT_EQ(ParseError("50%"),
            "printf format ends with a lone \"%\" (write %% for a percent sign)");
  EXPECT_EQ(ParseError("x %5."), "printf format ends inside the verb \"%5.\"");
  EXPECT_EQ(ParseError("%[1]s"), "printf argument indexes such as %[1]s are not supported");
  EXPECT_EQ(ParseError("%*d"), "printf \"*\" widths and precisions are not supported");
  EXPECT_EQ(ParseError("%1000000f"), "printf width in \"%1000000\" is too large");
  EXPECT_EQ(ParseError("%.9999999f"), "printf precision in \"%.9999999\" is too large");
  EXPECT_EQ(ParseError("%-8.3g %s %q"), "parsed");
}

TEST(GoPrintfTest, RejectsWrongValueCountsAndTypes) {
  EXPECT_EQ(Sprintf("%s %s", {"a"}),
            "format error: printf format \"%s %s\" has 2 verbs but got 1 value");
  EXPECT_EQ(Sprintf("%s", {"a", "b"}),
            "format error: printf format \"%s\" has 1 verb but got 2 values");
  EXPECT_EQ(Sprintf("%s %.2f", {"api", "api"}),
            "format error: printf verb %.2f cannot format a string (value 2, \"api\")");
  EXPECT_EQ(Sprintf("%-5s", {0.25}),
            "format error: printf verb %-5s cannot format a number (value 1, 0.25)");
  EXPECT_EQ(Sprintf("%q", {1e21}),
            "format error: printf verb %q cannot format a number (value 1, 1e+21)");
}

}  // namespace
}  // namespace vigil::rules
