// Parses the PromQL subset vigil evaluates in alert rules into an AST (ast.h), checking types,
// function arity and label-matcher regexes up front so bad rules fail at load time. Pure
// functions; thread-safe.
#pragma once

#include <string_view>

#include "collector/rules/promql/ast.h"
#include "core/status.h"

namespace vigil::promql {

// InvalidArgument errors read "line:col: message" with 1-based positions in `input`.
Result<ExprPtr> ParseExpr(std::string_view input);

}  // namespace vigil::promql
