// Reads a YAML config document from a file or from text, turning yaml-cpp's parse exceptions
// into a Status that names the file, line and column. Stateless; thread-safe.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

#include "core/status.h"

namespace vigil::config {

// The whole file; NotFound naming the path and the OS reason when it cannot be read.
Result<std::string> ReadTextFile(const std::string& path);
Result<YAML::Node> ParseYamlFile(const std::string& path);
Result<YAML::Node> ParseYamlText(const std::string& text, const std::string& name);

}  // namespace vigil::config
