// Path and PathList options: relative paths are taken from the config file's directory
// (LoadContext::base_dir), absolute and empty ones stay as written, and without a base
// directory nothing is rewritten.
#include <gtest/gtest.h>

#include "core/config/option_table.h"
#include "core/config/yaml_document.h"

namespace vigil::config {
namespace {

struct Files {
  std::string cert;
  std::string state;
  std::vector<std::string> rules;
};

Result<Files> Load(const std::string& yaml, const std::string& base_dir) {
  auto table = std::make_shared<OptionTable<Files>>();
  table->Path("cert", &Files::cert, "Certificate")
      .Path("state", &Files::state, "State")
      .PathList("rules", &Files::rules, "Rule files");
  Result<YAML::Node> doc = ParseYamlText(yaml, "conf.yaml");
  if (!doc.ok()) return doc.status();
  Files f;
  LoadContext ctx{.file = "conf.yaml", .base_dir = base_dir};
  Status st = table->Load(ctx, *doc, "", &f);
  if (!st.ok()) return st;
  return f;
}

TEST(OptionTablePath, RelativePathsAreTakenFromTheConfigDirectory) {
  auto f = Load("cert: tls/ca.pem\nstate: /var/lib/x\nrules: [rules/*.yaml, /etc/r.yaml]\n",
                "/etc/vigil");
  ASSERT_TRUE(f.ok()) << f.status().message();
  EXPECT_EQ(f->cert, "/etc/vigil/tls/ca.pem");
  EXPECT_EQ(f->state, "/var/lib/x");
  EXPECT_EQ(f->rules, (std::vector<std::string>{"/etc/vigil/rules/*.yaml", "/etc/r.yaml"}));
}

TEST(OptionTablePath, WithoutABaseDirectoryPathsStayAsWritten) {
  auto f = Load("cert: tls/ca.pem\nstate: ''\nrules: r.yaml\n", "");
  ASSERT_TRUE(f.ok()) << f.status().message();
  EXPECT_EQ(f->cert, "tls/ca.pem");
  EXPECT_EQ(f->state, "");
  EXPECT_EQ(f->rules, std::vector<std::string>{"r.yaml"});
}

TEST(OptionTablePath, EmptyStaysEmptyAndAMapIsAnErrorWithItsPosition) {
  auto f = Load("state: ''\ncert:\n  nested: x\n", "/etc/vigil");
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().message(), "conf.yaml:3:3: cert: expected a path, got a map");
  auto empty = Load("state: ''\n", "/etc/vigil");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->state, "");
}

TEST(ConfigDirOf, IsTheFilesDirectoryAndEmptyForEmbeddedSources) {
  EXPECT_EQ(ConfigDirOf("/etc/vigil/agent.yaml"), "/etc/vigil");
  EXPECT_EQ(ConfigDirOf("config/agent.yaml"), "config");
  EXPECT_EQ(ConfigDirOf("agent.yaml"), "");
  EXPECT_EQ(ConfigDirOf("<embedded default config>"), "");
  EXPECT_EQ(ConfigDirOf(""), "");
}

}  // namespace
}  // namespace vigil::config
