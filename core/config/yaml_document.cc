#include "core/config/yaml_document.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace vigil::config {

Result<YAML::Node> ParseYamlText(const std::string& text, const std::string& name) {
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    std::string where = name;
    if (!e.mark.is_null()) {
      where += ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1);
    }
    return Status::InvalidArgument(where + ": invalid YAML: " + e.msg);
  }
}

Result<std::string> ReadTextFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot read " + path + ": " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Result<YAML::Node> ParseYamlFile(const std::string& path) {
  Result<std::string> text = ReadTextFile(path);
  if (!text.ok()) return text.status();
  return ParseYamlText(*text, path);
}

}  // namespace vigil::config
