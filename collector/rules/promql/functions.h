// The PromQL functions vigil's rule evaluator supports, with their argument and return types,
// used by the parser for arity and type checks. A static table: immutable, thread-safe.
#pragma once

#include <string_view>
#include <vector>

#include "collector/rules/promql/ast.h"

namespace vigil::promql {

struct FunctionSignature {
  std::string_view name;
  std::vector<ValueType> arg_types;
  ValueType return_type;
};

// nullptr when vigil does not support `name`.
const FunctionSignature* FindFunction(std::string_view name);

}  // namespace vigil::promql
