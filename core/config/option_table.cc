#include "core/config/option_table.h"

#include <filesystem>

namespace vigil::config {

std::string ConfigDirOf(const std::string& file) {
  if (file.empty() || file.front() == '<') return "";
  return std::filesystem::path(file).parent_path().string();
}

std::string ResolvePath(const LoadContext& ctx, const std::string& path) {
  if (path.empty() || ctx.base_dir.empty() || std::filesystem::path(path).is_absolute()) {
    return path;
  }
  return (std::filesystem::path(ctx.base_dir) / path).string();
}

Status ErrorAt(const LoadContext& ctx, const YAML::Mark& mark, const std::string& path,
               const std::string& what) {
  std::string where = ctx.file.empty() ? "<config>" : ctx.file;
  if (!mark.is_null()) {
    where += ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
  }
  return Status::InvalidArgument(where + ": " + path + ": " + what);
}

Result<std::string> ScalarText(const LoadContext& ctx, const YAML::Node& node,
                               const std::string& path, const char* expected) {
  if (!node.IsScalar()) {
    const char* got = node.IsMap() ? "a map" : node.IsSequence() ? "a list" : "nothing";
    return ErrorAt(ctx, node.Mark(), path, std::string("expected ") + expected + ", got " + got);
  }
  Result<std::string> expanded = ExpandEnv(node.Scalar(), ctx.env);
  if (!expanded.ok()) return ErrorAt(ctx, node.Mark(), path, expanded.status().message());
  return expanded;
}

}  // namespace vigil::config
