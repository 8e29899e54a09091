#include "core/config/option_table.h"

#include <gtest/gtest.h>

#include <sstream>

#include "core/config/yaml_document.h"

namespace vigil::config {
namespace {

enum class Mode { kFast, kSafe };

struct Inner {
  int32_t level = 3;
  std::vector<double> bounds = {0.1, 1};
};

struct Settings {
  std::string name = "default";
  size_t limit = 1024;
  std::chrono::milliseconds interval{1000};
  bool enabled = false;
  double ratio = 0.5;
  Mode mode = Mode::kSafe;
  std::vector<std::string> paths;
  Inner inner;
};

std::shared_ptr<const OptionTable<Settings>> MakeTable() {
  auto inner = std::make_shared<OptionTable<Inner>>();
  inner->Integer("level", &Inner::level, 0, 9, "Level")
      .DoubleList("bounds", &Inner::bounds, "Bounds");
  auto t = std::make_shared<OptionTable<Settings>>();
  t->String("name", &Settings::name, "Name")
      .ByteSize("limit", &Settings::limit, "Limit")
      .Duration("interval", &Settings::interval, "Interval")
      .Bool("enabled", &Settings::enabled, "Enabled")
      .Double("ratio", &Settings::ratio, 0, 1, "Ratio")
      .Enum("mode", &Settings::mode, {{"fast", Mode::kFast}, {"safe", Mode::kSafe}}, "Mode")
      .StringList("paths", &Settings::paths, "Paths")
      .Section("inner", &Settings::inner, inner, "Inner section");
  return t;
}

Result<Settings> Load(const std::string& yaml) {
  Result<YAML::Node> doc = ParseYamlText(yaml, "test.yaml");
  if (!doc.ok()) return doc.status();
  Settings s;
  LoadContext ctx{.file = "test.yaml",
                  .env = [](const std::string& n) -> std::optional<std::string> {
                    if (n == "LIMIT") return std::string("2MiB");
                    return std::nullopt;
                  }};
  Status st = MakeTable()->Load(ctx, *doc, "", &s);
  if (!st.ok()) return st;
  return s;
}

TEST(OptionTable, LoadsEveryKind) {
  Result<Settings> s = Load(
      "name: web\nlimit: ${LIMIT}\ninterval: 1m30s\nenabled: yes\nratio: 0.25\nmode: fast\n"
      "paths: [/a, /b]\ninner:\n  level: 7\n  bounds: [0.5, 2]\n");
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->name, "web");
  EXPECT_EQ(s->limit, 2u << 20);
  EXPECT_EQ(s->interval, std::chrono::seconds(90));
  EXPECT_TRUE(s->enabled);
  EXPECT_DOUBLE_EQ(s->ratio, 0.25);
  EXPECT_EQ(s->mode, Mode::kFast);
  EXPECT_EQ(s->paths, (std::vector<std::string>{"/a", "/b"}));
  EXPECT_EQ(s->inner.level, 7);
  EXPECT_EQ(s->inner.bounds, (std::vector<double>{0.5, 2}));
}

TEST(OptionTable, MissingKeysKeepDefaultsAndScalarIsAListOfOne) {
  Result<Settings> s = Load("paths: /only\n");
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->name, "default");
  EXPECT_EQ(s->limit, 1024u);
  EXPECT_EQ(s->paths, std::vector<std::string>{"/only"});
  EXPECT_TRUE(Load("").ok());
}

TEST(OptionTable, UnknownKeyNamesFileLineColumnAndTheKnownKeys) {
  Result<Settings> s = Load("name: x\ninner:\n  levle: 3\n");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message(),
            "test.yaml:3:3: inner.levle: unknown key; expected one of level, bounds");
}

TEST(OptionTable, WrongTypesSayWhatWasExpected) {
  struct Case {
    const char* yaml;
    const char* want;
  } cases[] = {
      {"limit: lots\n",
       "test.yaml:1:8: limit: expected a size such as 4096, 64KiB or 16MiB, got \"lots\""},
      {"interval: 5 seconds\n", "test.yaml:1:11: interval: expected a duration"},
      {"enabled: maybe\n", "test.yaml:1:10: enabled: expected true or false"},
      {"ratio: 2\n", "test.yaml:1:8: ratio: expected a number in [0, 1], got 2"},
      {"mode: turbo\n", "test.yaml:1:7: mode: expected one of fast, safe, got \"turbo\""},
      {"name: [a, b]\n", "test.yaml:1:7: name: expected a string, got a list"},
      {"inner: 3\n", "test.yaml:1:8: inner: expected a map of options (level, bounds)"},
      {"inner:\n  level: 12\n",
       "test.yaml:2:10: inner.level: expected an integer in [0, 9], got 12"},
      {"inner:\n  bounds: [1, x]\n",
       "test.yaml:2:15: inner.bounds[1]: expected a number, got \"x\""},
      {"limit: ${UNSET}\n", "test.yaml:1:8: limit: environment variable UNSET is not set"},
  };
  for (const Case& c : cases) {
    Result<Settings> s = Load(c.yaml);
    ASSERT_FALSE(s.ok()) << c.yaml;
    EXPECT_EQ(s.status().message().rfind(c.want, 0), 0u)
        << "yaml: " << c.yaml << "\ngot:  " << s.status().message() << "\nwant: " << c.want;
  }
}

TEST(OptionTable, InvalidYamlNamesThePosition) {
  Result<Settings> s = Load("name: [unclosed\n");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message().rfind("test.yaml:", 0), 0u) << s.status().message();
  EXPECT_NE(s.status().message().find("invalid YAML"), std::string::npos);
}

TEST(OptionTable, DescribeListsDefaultsAndDocs) {
  std::ostringstream os;
  MakeTable()->Describe(os, 0, Settings{});
  std::string text = os.str();
  EXPECT_NE(text.find("limit: 1KiB  # size. Limit"), std::string::npos) << text;
  EXPECT_NE(text.find("interval: 1s"), std::string::npos) << text;
  EXPECT_NE(text.find("mode: safe"), std::string::npos) << text;
  EXPECT_NE(text.find("  level: 3"), std::string::npos) << text;
}

TEST(ValueParsers, DurationsAndSizes) {
  EXPECT_EQ(*ParseDuration("250ms"), std::chrono::milliseconds(250));
  EXPECT_EQ(*ParseDuration("1h2m3s"), std::chrono::seconds(3723));
  EXPECT_EQ(*ParseDuration("0"), std::chrono::nanoseconds(0));
  EXPECT_FALSE(ParseDuration("10").ok());
  EXPECT_FALSE(ParseDuration("-1s").ok());
  EXPECT_EQ(*ParseByteSize("64KiB"), 65536u);
  EXPECT_EQ(*ParseByteSize("1MB"), 1000000u);
  EXPECT_EQ(*ParseByteSize("4096"), 4096u);
  EXPECT_FALSE(ParseByteSize("1XB").ok());
  EXPECT_EQ(FormatDuration(std::chrono::milliseconds(1500)), "1500ms");
  EXPECT_EQ(FormatByteSize(256u << 20), "256MiB");
}

}  // namespace
}  // namespace vigil::config
