#include "collector/rules/promql/label_regex.h"

namespace vigil::promql {

Result<std::shared_ptr<const std::regex>> CompileAnchoredRegex(const std::string& pattern) {
  try {
    return std::make_shared<const std::regex>("^(?:" + pattern + ")$", std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    return Status::InvalidArgument(e.what());
  }
}

}  // namespace vigil::promql
