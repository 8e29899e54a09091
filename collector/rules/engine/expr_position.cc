#include "collector/rules/engine/expr_position.h"

#include <cstdint>
#include <optional>

namespace vigil::rules {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

size_t Utf8Length(uint32_t cp) { return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4; }

// A YAML double-quoted escape: how many source bytes it spans, how many bytes it decodes to
// and whether what it decodes to is white space (which the matcher skips on both sides).
struct Escape {
  size_t source_len = 0;
  size_t decoded_len = 0;
  bool space = false;
};

std::optional<Escape> DecodeEscape(std::string_view src, size_t i) {
  if (i + 1 >= src.size()) return std::nullopt;
  char c = src[i + 1];
  switch (c) {
    case 't':
    case '\t':
    case 'n':
    case 'r':
    case ' ':
      return Escape{2, 1, true};
    case '\n':  // escaped line break: folds away, no content
      return Escape{2, 0, true};
    case 'N':
    case '_':
      return Escape{2, 2, false};
    case 'L':
    case 'P':
      return Escape{2, 3, false};
    case 'x':
    case 'u':
    case 'U': {
      size_t digits = c == 'x' ? 2 : c == 'u' ? 4 : 8;
      if (i + 2 + digits > src.size()) return std::nullopt;
      uint32_t cp = 0;
      for (size_t k = 0; k < digits; ++k) {
        char h = src[i + 2 + k];
        if (!IsHex(h)) return std::nullopt;
        cp = cp * 16 + static_cast<uint32_t>(h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
      }
      return Escape{2 + digits, Utf8Length(cp), false};
    }
    default:  // \0 \a \b \v \f \e \" \/ \\ and the like: one byte
      return Escape{2, 1, false};
  }
}

// Walks the file text keeping the 1-based line and column of the current byte.
struct Walker {
  std::string_view text;
  size_t i = 0;
  int line = 1;
  int column = 1;

  void Advance(size_t n) {
    for (size_t k = 0; k < n && i < text.size(); ++k, ++i) {
      if (text[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
  }
};

enum class Style { kPlain, kSingle, kDouble, kBlock };

SourcePosition Fallback(const SourcePosition& expr_pos, std::string_view expr, size_t offset) {
  int line = 1, column = 1;
  for (size_t k = 0; k < offset && k < expr.size(); ++k) {
    if (expr[k] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  SourcePosition p = expr_pos;
  p.line += line - 1;
  p.column = line == 1 ? expr_pos.column + column - 1 : column;
  return p;
}

}  // namespace

size_t OffsetOfLineColumn(std::string_view text, int line, int column) {
  size_t i = 0;
  for (int l = 1; l < line; ++l) {
    size_t nl = text.find('\n', i);
    if (nl == std::string_view::npos) return text.size();
    i = nl + 1;
  }
  size_t target = i + static_cast<size_t>(column > 0 ? column - 1 : 0);
  return target < text.size() ? target : text.size();
}

SourcePosition MapExprOffset(std::string_view file_text, const SourcePosition& expr_pos,
                             std::string_view expr, size_t offset) {
  if (offset > expr.size()) offset = expr.size();
  size_t start = OffsetOfLineColumn(file_text, expr_pos.line, expr_pos.column);
  if (file_text.empty() || start >= file_text.size()) return Fallback(expr_pos, expr, offset);

  Walker w{file_text, 0, 1, 1};
  w.Advance(start);
  Style style = Style::kPlain;
  switch (file_text[start]) {
    case '"':
      style = Style::kDouble;
      w.Advance(1);
      break;
    case '\'':
      style = Style::kSingle;
      w.Advance(1);
      break;
    case '|':
    case '>': {
      style = Style::kBlock;
      size_t nl = file_text.find('\n', start);
      if (nl == std::string_view::npos) return Fallback(expr_pos, expr, offset);
      w.Advance(nl + 1 - start);  // the header line (indicators, comment) holds no content
      break;
    }
    default:
      break;
  }

  // Matches the non-space bytes of `expr` one by one against the source, skipping white space
  // and line folding on both sides, so indentation and folded line breaks need no modelling.
  SourcePosition last_end{expr_pos.file, w.line, w.column};
  size_t last_end_offset = 0;
  size_t i = 0;
  while (i < expr.size() && i <= offset) {
    if (IsSpace(expr[i])) {
      ++i;
      continue;
    }
    Escape unit{1, 1, false};
    for (;;) {  // skip source white space up to the next content unit
      if (w.i >= file_text.size()) return Fallback(expr_pos, expr, offset);
      char c = file_text[w.i];
      if (IsSpace(c)) {
        w.Advance(1);
        continue;
      }
      if (style == Style::kDouble && c == '\\') {
        std::optional<Escape> e = DecodeEscape(file_text, w.i);
        if (!e) return Fallback(expr_pos, expr, offset);
        if (e->space) {
          w.Advance(e->source_len);
          continue;
        }
        unit = *e;
      } else if (style == Style::kSingle && c == '\'' && w.i + 1 < file_text.size() &&
                 file_text[w.i + 1] == '\'') {
        unit = Escape{2, 1, false};
      } else if (c != expr[i]) {
        return Fallback(expr_pos, expr, offset);
      }
      break;
    }
    SourcePosition here{expr_pos.file, w.line, w.column};
    if (offset < i + unit.decoded_len) return here;
    w.Advance(unit.source_len);
    i += unit.decoded_len;
    last_end = {expr_pos.file, w.line, w.column};
    last_end_offset = i;
  }
  // The offset is white space or the end of the text: count on from the last matched byte when
  // they share a line.
  if (expr.substr(last_end_offset, offset - last_end_offset).find('\n') == std::string_view::npos) {
    last_end.column += static_cast<int>(offset - last_end_offset);
  }
  return last_end;
}

}  // namespace vigil::rules
