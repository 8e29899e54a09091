// Splits a PromQL expression into tokens (numbers, durations, strings, identifiers, operators)
// for the parser. Tokenize is a pure function; tokens hold views into the caller's input,
// which must outlive them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace vigil::promql {

enum class TokenType {
  kEnd,
  kIdent,
  kNumber,
  kString,
  kDuration,
  kLParen,
  kRParen,
  kLBrace,
  kRBrace,
  kLBracket,
  kRBracket,
  kComma,
  kColon,
  kAt,
  kAssign,
  kEql,
  kNeq,
  kLss,
  kLte,
  kGtr,
  kGte,
  kEqlRegex,
  kNeqRegex,
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMod,
  kPow,
};

struct Token {
  TokenType type = TokenType::kEnd;
  std::string_view text;    // as written
  size_t pos = 0;           // byte offset in the input
  double number = 0;        // kNumber
  int64_t duration_ms = 0;  // kDuration
  std::string str;          // kString, unescaped
};

// How a token is named in "unexpected ..." errors: `"}"`, `identifier "foo"`, `end of input`.
std::string DescribeToken(const Token& t);

// "line:column" (both 1-based) of byte offset `pos` in `input`.
std::string FormatPosition(std::string_view input, size_t pos);

// Always ends with a kEnd token. Errors carry the "line:col: " prefix.
Result<std::vector<Token>> Tokenize(std::string_view input);

}  // namespace vigil::promql
