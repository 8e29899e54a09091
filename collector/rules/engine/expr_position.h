// Maps a position inside a rule's PromQL text (what the parser reports) back to the rule file,
// whatever YAML scalar style held the expression: plain, single or double quoted (escapes
// included), literal `|` or folded `>` block. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string_view>

#include "collector/rules/rule_file/rule_group.h"

namespace vigil::rules {

// Byte offset in `text` of the 1-based `line`:`column` (columns count bytes, as the PromQL
// lexer does); text.size() when past the end.
size_t OffsetOfLineColumn(std::string_view text, int line, int column);

// Where byte `offset` of `expr` (the unescaped scalar value) sits in `file_text`, given
// `expr_pos`, the position yaml-cpp recorded for the scalar node (its first character: the
// quote, the block indicator or the plain text). When `file_text` is empty or does not match
// the scalar, falls back to expr_pos shifted by the offset's line and column.
SourcePosition MapExprOffset(std::string_view file_text, const SourcePosition& expr_pos,
                             std::string_view expr, size_t offset);

}  // namespace vigil::rules
