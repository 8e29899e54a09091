// OptionTable's StringMap and SectionList rows: loading, ${VAR} expansion, and the errors.
#include <gtest/gtest.h>

#include <sstream>

#include "core/config/option_table.h"
#include "core/config/yaml_document.h"

namespace vigil::config {
namespace {

struct Target {
  std::string url;
  std::map<std::string, std::string> headers;
};

struct Doc {
  std::vector<Target> targets;
};

std::shared_ptr<const OptionTable<Doc>> MakeTable() {
  auto target = std::make_shared<OptionTable<Target>>();
  target->String("url", &Target::url, "URL").StringMap("headers", &Target::headers, "Headers");
  auto doc = std::make_shared<OptionTable<Doc>>();
  doc->SectionList("targets", &Doc::targets, target, "Targets");
  return doc;
}

Result<Doc> Load(const std::string& yaml) {
  Result<YAML::Node> node = ParseYamlText(yaml, "t.yaml");
  if (!node.ok()) return node.status();
  Doc d;
  LoadContext ctx{.file = "t.yaml", .env = [](const std::string& n) -> std::optional<std::string> {
                    if (n == "TOKEN") return std::string("s3cret");
                    return std::nullopt;
                  }};
  VIGIL_RETURN_IF_ERROR(MakeTable()->Load(ctx, *node, "", &d));
  return d;
}

TEST(OptionTableMap, LoadsListOfSectionsWithMaps) {
  Result<Doc> d = Load(
      "targets:\n"
      "  - url: http://a\n"
      "    headers: {authorization: \"Bearer ${TOKEN}\", x-tenant: blue}\n"
      "  - url: http://b\n");
  ASSERT_TRUE(d.ok()) << d.status().message();
  ASSERT_EQ(d->targets.size(), 2u);
  EXPECT_EQ(d->targets[0].url, "http://a");
  EXPECT_EQ(d->targets[0].headers.at("authorization"), "Bearer s3cret");
  EXPECT_EQ(d->targets[0].headers.at("x-tenant"), "blue");
  EXPECT_EQ(d->targets[1].url, "http://b");
  EXPECT_TRUE(d->targets[1].headers.empty());
}

TEST(OptionTableMap, ErrorsNameTheItemAndKey) {
  Result<Doc> d = Load("targets:\n  - url: http://a\n    bogus: 1\n");
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("t.yaml:3:5: targets[0].bogus: unknown key"),
            std::string::npos)
      << d.status().message();
  d = Load("targets:\n  - url: http://a\n    headers: [a, b]\n");
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("targets[0].headers: expected a map of strings, got a list"),
            std::string::npos)
      << d.status().message();
  d = Load("targets:\n  - url: http://a\n    headers: {a: [1]}\n");
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("targets[0].headers.a: expected a string, got a list"),
            std::string::npos)
      << d.status().message();
  d = Load("targets: {url: http://a}\n");
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("targets: expected a list of maps"), std::string::npos);
  d = Load("targets: [http://a]\n");
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("targets[0]: expected a map of options"), std::string::npos);
}

TEST(OptionTableMap, DescribesItemOptions) {
  std::ostringstream os;
  MakeTable()->Describe(os, 0, Doc{});
  EXPECT_NE(os.str().find("targets:  # Targets"), std::string::npos) << os.str();
  EXPECT_NE(os.str().find("    headers: {}  # map of strings. Headers"), std::string::npos)
      << os.str();
}

}  // namespace
}  // namespace vigil::config
