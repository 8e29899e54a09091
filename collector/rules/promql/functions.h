// The PromQL functions vigil's rule evaluator supports, with their argument and return types,
// used by the parser for arity and type checks. A static table: immutable, thread-safe.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "collector/rules/promql/ast.h"

namespace vigil::promql {

struct FunctionSignature {
  std::string_view name;
  // Every argument the function can take, optional ones last.
  std::vector<ValueType> arg_types;
  ValueType return_type;
  // How many trailing arg_types a call may leave out, e.g. round's to_nearest.
  size_t optional_args = 0;

  size_t min_args() const { return arg_types.size() - optional_args; }
  size_t max_args() const { return arg_types.size(); }
};

// nullptr when vigil does not support `name`.
const FunctionSignature* FindFunction(std::string_view name);

}  // namespace vigil::promql
