// JSON and Go quoting: every escape class of each dialect, the UTF-8 edge cases, and JSON
// output read back by a real parser.
#include "core/text/quote.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>

namespace vigil::text {
namespace {

using namespace std::string_literals;

const std::string kReplacement = "\xEF\xBF\xBD";

TEST(JsonQuotedTest, PlainTextIsOnlyWrappedInQuotes) {
  EXPECT_EQ(JsonQuoted(""), "\"\"");
  EXPECT_EQ(JsonQuoted("abc 123 /path?x=1&y=<2>'"), "\"abc 123 /path?x=1&y=<2>'\"");
}

TEST(JsonQuotedTest, QuoteAndBackslashGetABackslash) {
  EXPECT_EQ(JsonQuoted("a\"b\\c"), R"("a\"b\\c")");
}

TEST(JsonQuotedTest, ControlCharactersWithShortFormsUseThem) {
  EXPECT_EQ(JsonQuoted("\b\f\n\r\t"), R"("\b\f\n\r\t")");
}

TEST(JsonQuotedTest, OtherControlCharactersBecomeUnicodeEscapes) {
  EXPECT_EQ(JsonQuoted("\x00\x01\x07\x0b\x1b\x1f"s), R"("\u0000\u0001\u0007\u000b\u001b\u001f")");
}

TEST(JsonQuotedTest, DelAndSlashAreNotEscaped) { EXPECT_EQ(JsonQuoted("\x7f/"), "\"\x7f/\""); }

TEST(JsonQuotedTest, WellFormedUtf8IsCopied) {
  const std::string s = "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF";
  EXPECT_EQ(JsonQuoted(s), "\"" + s + "\"");
}

TEST(JsonQuotedTest, EachInvalidUtf8ByteBecomesOneReplacementCharacter) {
  const std::string r = kReplacement;
  EXPECT_EQ(JsonQuoted("a\xFF"
                       "b"),
            "\"a" + r + "b\"");                                            // never a lead byte
  EXPECT_EQ(JsonQuoted("\x80"), "\"" + r + "\"");                          // stray continuation
  EXPECT_EQ(JsonQuoted("\xE2\x82"), "\"" + r + r + "\"");                  // truncated at the end
  EXPECT_EQ(JsonQuoted("\xE2\x82x"), "\"" + r + r + "x\"");                // cut short by ASCII
  EXPECT_EQ(JsonQuoted("\xC0\xAF"), "\"" + r + r + "\"");                  // overlong '/'
  EXPECT_EQ(JsonQuoted("\xED\xA0\x80"), "\"" + r + r + r + "\"");          // surrogate U+D800
  EXPECT_EQ(JsonQuoted("\xF4\x90\x80\x80"), "\"" + r + r + r + r + "\"");  // past U+10FFFF
  // A valid sequence right after an invalid byte is kept.
  EXPECT_EQ(JsonQuoted("\xFF\xC3\xA9"), "\"" + r + "\xC3\xA9\"");
}

TEST(JsonQuotedTest, AppendKeepsWhatIsAlreadyThere) {
  std::string out = "{\"k\":";
  AppendJsonQuoted(&out, "v\n");
  EXPECT_EQ(out, R"({"k":"v\n")");
}

TEST(JsonQuotedTest, EveryByteValueParsesBackWithAJsonParser) {
  std::string all;
  for (int c = 0; c < 0x80; ++c) all.push_back(static_cast<char>(c));
  all += "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80";
  simdjson::dom::parser parser;
  const std::string json = JsonQuoted(all);
  auto doc = parser.parse(json);
  ASSERT_EQ(doc.error(), simdjson::SUCCESS) << json;
  EXPECT_EQ(std::string_view(doc.value()), all);

  // Invalid UTF-8 still yields a document a strict parser accepts.
  const std::string bad = "\x80\xFF\xC0\xAF\xED\xA0\x80\xE2\x82";
  const std::string bad_json = JsonQuoted(bad);
  auto bad_doc = parser.parse(bad_json);
  ASSERT_EQ(bad_doc.error(), simdjson::SUCCESS);
  std::string expected;
  for (size_t i = 0; i < bad.size(); ++i) expected += kReplacement;
  EXPECT_EQ(std::string_view(bad_doc.value()), expected);
}

TEST(GoQuotedTest, PlainTextIsOnlyWrappedInQuotes) {
  EXPECT_EQ(GoQuoted(""), "\"\"");
  EXPECT_EQ(GoQuoted("job:rate5m{x='y'} /"), "\"job:rate5m{x='y'} /\"");
}

TEST(GoQuotedTest, QuoteAndBackslashGetABackslash) {
  EXPECT_EQ(GoQuoted("a\"b\\c"), R"("a\"b\\c")");
}

TEST(GoQuotedTest, ControlCharactersWithShortFormsUseThem) {
  EXPECT_EQ(GoQuoted("\a\b\f\n\r\t\v"), R"("\a\b\f\n\r\t\v")");
}

TEST(GoQuotedTest, OtherControlCharactersAndDelBecomeHexEscapes) {
  EXPECT_EQ(GoQuoted("\x00\x01\x1b\x1f\x7f"s), R"("\x00\x01\x1b\x1f\x7f")");
}

TEST(GoQuotedTest, WellFormedUtf8IsCopied) {
  const std::string s = "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80";
  EXPECT_EQ(GoQuoted(s), "\"" + s + "\"");
}

TEST(GoQuotedTest, EachInvalidUtf8ByteBecomesAHexEscape) {
  EXPECT_EQ(GoQuoted("a\xFF"
                     "b"),
            R"("a\xffb")");
  EXPECT_EQ(GoQuoted("\x80"), R"("\x80")");
  EXPECT_EQ(GoQuoted("\xE2\x82"), R"("\xe2\x82")");
  EXPECT_EQ(GoQuoted("\xC0\xAF"), R"("\xc0\xaf")");
  EXPECT_EQ(GoQuoted("\xED\xA0\x80"), R"("\xed\xa0\x80")");
  EXPECT_EQ(GoQuoted("\xF4\x90\x80\x80"), R"("\xf4\x90\x80\x80")");
  EXPECT_EQ(GoQuoted("\xFF\xC3\xA9"), "\"\\xff\xC3\xA9\"");
}

TEST(GoQuotedTest, AppendKeepsWhatIsAlreadyThere) {
  std::string out = "{a=";
  AppendGoQuoted(&out, "1\t");
  EXPECT_EQ(out, R"({a="1\t")");
}

}  // namespace
}  // namespace vigil::text
