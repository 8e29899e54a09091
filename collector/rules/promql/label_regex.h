// Compiles a label matcher's regular expression the way Prometheus applies it: anchored at both
// ends, ^(?:re)$. Kept in its own translation unit because GCC 12 reports a false
// -Wmaybe-uninitialized inside libstdc++'s regex compiler wherever it is instantiated.
// Pure function; thread-safe.
#pragma once

#include <memory>
#include <regex>
#include <string>

#include "core/status.h"

namespace vigil::promql {

// InvalidArgument carrying the library's reason when `pattern` is not a valid regex.
Result<std::shared_ptr<const std::regex>> CompileAnchoredRegex(const std::string& pattern);

}  // namespace vigil::promql
