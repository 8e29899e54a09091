// Expands ${VAR} and ${VAR:-default} in config scalars from the environment, so one config file
// serves many hosts. `$$` is a literal `$`. Pure function; thread-safe if the lookup is.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace vigil::config {

using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

// The process environment (getenv).
EnvLookup ProcessEnv();

// Errors (InvalidArgument): an unterminated `${`, an empty or invalid variable name, or a variable
// that is unset and has no default. The message names the variable.
Result<std::string> ExpandEnv(std::string_view in, const EnvLookup& lookup);

}  // namespace vigil::config
