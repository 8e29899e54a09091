#include "core/config/env_expand.h"

#include <gtest/gtest.h>

#include <map>

namespace vigil::config {
namespace {

EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(EnvExpand, ReplacesVariablesAndDefaults) {
  auto env = FakeEnv({{"HOST", "db1"}, {"EMPTY", ""}});
  EXPECT_EQ(*ExpandEnv("http://${HOST}:4318", env), "http://db1:4318");
  EXPECT_EQ(*ExpandEnv("${MISSING:-fallback}", env), "fallback");
  EXPECT_EQ(*ExpandEnv("${EMPTY:-used when empty}", env), "used when empty");
  EXPECT_EQ(*ExpandEnv("${HOST:-ignored}", env), "db1");
  EXPECT_EQ(*ExpandEnv("${MISSING:-}", env), "");
  EXPECT_EQ(*ExpandEnv("cost $$5 and $x", env), "cost $5 and $x");
  EXPECT_EQ(*ExpandEnv("${HOST}${HOST}", env), "db1db1");
}

TEST(EnvExpand, UnsetWithoutDefaultNamesTheVariable) {
  Result<std::string> r = ExpandEnv("${NOPE}/x", FakeEnv({}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("NOPE is not set"), std::string::npos)
      << r.status().message();
}

TEST(EnvExpand, RejectsMalformedReferences) {
  auto env = FakeEnv({});
  EXPECT_NE(ExpandEnv("${UNTERMINATED", env).status().message().find("unterminated"),
            std::string::npos);
  EXPECT_NE(ExpandEnv("${1BAD}", env).status().message().find("invalid environment variable name"),
            std::string::npos);
  EXPECT_FALSE(ExpandEnv("${}", env).ok());
}

TEST(EnvExpand, ProcessEnvironmentIsUsed) {
  setenv("VIGIL_TEST_EXPAND", "yes", 1);
  EXPECT_EQ(*ExpandEnv("${VIGIL_TEST_EXPAND}", ProcessEnv()), "yes");
  unsetenv("VIGIL_TEST_EXPAND");
  EXPECT_FALSE(ExpandEnv("${VIGIL_TEST_EXPAND}", ProcessEnv()).ok());
}

}  // namespace
}  // namespace vigil::config
