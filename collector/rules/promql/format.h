// Prints a parsed PromQL AST back as canonical PromQL: single spaces around binary operators,
// double-quoted strings, normalised numbers and durations. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "collector/rules/promql/ast.h"

namespace vigil::promql {

// Canonical text; ParseExpr(Format(e)) yields an expression that formats identically.
std::string Format(const Expr& e);

}  // namespace vigil::promql
