// Both dialects share one loop: runs of bytes that need no escape are copied in one append,
// well-formed UTF-8 sequences are copied whole, and the dialect decides how to spell an ASCII
// byte that needs an escape and a byte that is not valid UTF-8.
#include "core/text/quote.h"

#include <cstdint>

namespace vigil::text {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// Length (2-4) of the well-formed UTF-8 sequence that starts at s[i], or 0 when there is
// none there. Overlong forms, surrogates and code points past U+10FFFF are not well formed
// (the rules of RFC 3629, which both Go and JSON parsers apply).
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto lead = static_cast<unsigned char>(s[i]);
  size_t n = 0;
  uint32_t min = 0;
  if ((lead & 0xE0) == 0xC0) {
    n = 2;
    min = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    n = 3;
    min = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    n = 4;
    min = 0x10000;
  } else {
    return 0;
  }
  if (s.size() - i < n) return 0;
  uint32_t cp = lead & (0x7F >> n);
  for (size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

void AppendHexEscape(std::string* out, const char* prefix, unsigned char c) {
  out->append(prefix);
  out->push_back(kHex[c >> 4]);
  out->push_back(kHex[c & 0xF]);
}

struct JsonDialect {
  // DEL needs no escape in JSON; only C0 controls, '"' and '\' do.
  static bool Plain(unsigned char c) { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\'; }

  static void EscapeAscii(std::string* out, unsigned char c) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        AppendHexEscape(out, "\\u00", c);
    }
  }

  // JSON text must be UTF-8 (RFC 8259 section 8.1) and has no byte escape, so the byte is
  // replaced by U+FFFD, as Go's encoding/json does.
  static void InvalidByte(std::string* out, unsigned char) { out->append("\xEF\xBF\xBD"); }
};

struct GoDialect {
  static bool Plain(unsigned char c) { return c >= 0x20 && c < 0x7F && c != '"' && c != '\\'; }

  static void EscapeAscii(std::string* out, unsigned char c) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\a':
        out->append("\\a");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\v':
        out->append("\\v");
        break;
      default:
        AppendHexEscape(out, "\\x", c);
    }
  }

  // Go keeps the exact byte: a Go or PromQL reader turns \xNN back into it.
  static void InvalidByte(std::string* out, unsigned char c) { AppendHexEscape(out, "\\x", c); }
};

template <typename Dialect>
void AppendQuoted(std::string* out, std::string_view s) {
  out->push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (Dialect::Plain(c)) {
      size_t j = i + 1;
      while (j < s.size() && Dialect::Plain(static_cast<unsigned char>(s[j]))) ++j;
      out->append(s.data() + i, j - i);
      i = j;
    } else if (c < 0x80) {
      Dialect::EscapeAscii(out, c);
      ++i;
    } else if (const size_t n = Utf8SequenceLength(s, i); n > 0) {
      out->append(s.data() + i, n);
      i += n;
    } else {
      Dialect::InvalidByte(out, c);
      ++i;
    }
  }
  out->push_back('"');
}

}  // namespace

void AppendJsonQuoted(std::string* out, std::string_view s) { AppendQuoted<JsonDialect>(out, s); }

std::string JsonQuoted(std::string_view s) {
  std::string out;
  AppendJsonQuoted(&out, s);
  return out;
}

void AppendGoQuoted(std::string* out, std::string_view s) { AppendQuoted<GoDialect>(out, s); }

std::string GoQuoted(std::string_view s) {
  std::string out;
  AppendGoQuoted(&out, s);
  return out;
}

}  // namespace vigil::text
