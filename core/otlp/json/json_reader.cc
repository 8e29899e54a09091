#include "core/otlp/json/json_reader.h"

#include <cstdint>
#include <string>

namespace vigil::otlp {
namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

JsonReader::Kind JsonReader::Peek() {
  SkipWhitespace();
  if (p_ == end_) return Kind::kEnd;
  switch (*p_) {
    case '{':
      return Kind::kObject;
    case '[':
      return Kind::kArray;
    case '"':
      return Kind::kString;
    case 't':
      return Kind::kTrue;
    case 'f':
      return Kind::kFalse;
    case 'n':
      return Kind::kNull;
    default:
      return (*p_ == '-' || IsDigit(*p_)) ? Kind::kNumber : Kind::kBad;
  }
}

bool JsonReader::TryConsume(char c) {
  SkipWhitespace();
  if (p_ < end_ && *p_ == c) {
    ++p_;
    return true;
  }
  return false;
}

bool JsonReader::Expect(char c, std::string_view what) {
  if (TryConsume(c)) return true;
  return Fail(p_ == end_ ? std::string_view("unexpected end of input") : what);
}

bool JsonReader::AtEnd() {
  SkipWhitespace();
  return p_ == end_;
}

bool JsonReader::Fail(std::string_view what) {
  if (error_.ok()) {
    error_ = Status::InvalidArgument("not valid JSON at byte " + std::to_string(offset()) + ": " +
                                     std::string(what));
  }
  return false;
}

bool JsonReader::FailDepth(int max_depth) {
  if (error_.ok()) {
    error_ = Status::InvalidArgument("JSON nested deeper than " + std::to_string(max_depth) +
                                     " levels at byte " + std::to_string(offset()));
  }
  return false;
}

bool JsonReader::ReadString(std::string_view* out, std::string* scratch, std::string_view* raw) {
  SkipWhitespace();
  if (p_ == end_ || *p_ != '"')
    return Fail(p_ == end_ ? "unexpected end of input" : "expected a string");
  const char* start = ++p_;
  // Fast path: no escapes. UTF-8 validity was checked for the whole text up front.
  while (p_ < end_) {
    const unsigned char c = static_cast<unsigned char>(*p_);
    if (c == '"') {
      *out = std::string_view(start, static_cast<size_t>(p_ - start));
      if (raw != nullptr) *raw = *out;
      ++p_;
      return true;
    }
    if (c == '\\') break;
    if (c < 0x20) return Fail("control character in a string");
    ++p_;
  }
  if (p_ == end_) return Fail("unexpected end of input in a string");
  if (!DecodeEscapes(start, scratch)) return false;
  *out = *scratch;
  if (raw != nullptr) *raw = std::string_view(start, static_cast<size_t>(p_ - 1 - start));
  return true;
}

bool JsonReader::DecodeEscapes(const char* start, std::string* scratch) {
  scratch->assign(start, p_);
  while (true) {
    if (p_ == end_) return Fail("unexpected end of input in a string");
    const char c = *p_;
    if (c == '"') {
      ++p_;
      return true;
    }
    if (static_cast<unsigned char>(c) < 0x20) return Fail("control character in a string");
    if (c != '\\') {
      scratch->push_back(c);
      ++p_;
      continue;
    }
    if (end_ - p_ < 2) return Fail("unexpected end of input in a string");
    const char e = p_[1];
    p_ += 2;
    switch (e) {
      case '"':
        scratch->push_back('"');
        break;
      case '\\':
        scratch->push_back('\\');
        break;
      case '/':
        scratch->push_back('/');
        break;
      case 'b':
        scratch->push_back('\b');
        break;
      case 'f':
        scratch->push_back('\f');
        break;
      case 'n':
        scratch->push_back('\n');
        break;
      case 'r':
        scratch->push_back('\r');
        break;
      case 't':
        scratch->push_back('\t');
        break;
      case 'u': {
        auto read4 = [this](uint32_t* v) {
          if (end_ - p_ < 4) return Fail("unexpected end of input in a \\u escape");
          *v = 0;
          for (int i = 0; i < 4; ++i) {
            const int d = HexDigit(p_[i]);
            if (d < 0) return Fail("bad \\u escape");
            *v = (*v << 4) | static_cast<uint32_t>(d);
          }
          p_ += 4;
          return true;
        };
        uint32_t cp = 0;
        if (!read4(&cp)) return false;
        if (cp >= 0xDC00 && cp <= 0xDFFF) return Fail("unpaired low surrogate in a \\u escape");
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') {
            return Fail("unpaired high surrogate in a \\u escape");
          }
          p_ += 2;
          uint32_t lo = 0;
          if (!read4(&lo)) return false;
          if (lo < 0xDC00 || lo > 0xDFFF) return Fail("unpaired high surrogate in a \\u escape");
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        }
        AppendUtf8(cp, scratch);
        break;
      }
      default:
        p_ -= 2;  // point at the backslash
        return Fail("bad escape in a string");
    }
  }
}

bool JsonReader::ReadNumber(std::string_view* token) {
  SkipWhitespace();
  const char* start = p_;
  if (p_ < end_ && *p_ == '-') ++p_;
  if (p_ == end_) return Fail("unexpected end of input in a number");
  if (*p_ == '0') {
    ++p_;
  } else if (IsDigit(*p_)) {
    while (p_ < end_ && IsDigit(*p_)) ++p_;
  } else {
    return Fail("expected a digit");
  }
  if (p_ < end_ && *p_ == '.') {
    ++p_;
    if (p_ == end_ || !IsDigit(*p_)) return Fail("expected a digit after '.'");
    while (p_ < end_ && IsDigit(*p_)) ++p_;
  }
  if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
    ++p_;
    if (p_ < end_ && (*p_ == '+' || *p_ == '-')) ++p_;
    if (p_ == end_ || !IsDigit(*p_)) return Fail("expected a digit in an exponent");
    while (p_ < end_ && IsDigit(*p_)) ++p_;
  }
  *token = std::string_view(start, static_cast<size_t>(p_ - start));
  return true;
}

bool JsonReader::ReadLiteral(Kind kind) {
  SkipWhitespace();
  const std::string_view want = kind == Kind::kTrue    ? "true"
                                : kind == Kind::kFalse ? "false"
                                                       : "null";
  if (static_cast<size_t>(end_ - p_) < want.size() || std::string_view(p_, want.size()) != want) {
    return Fail(p_ == end_ ? "unexpected end of input" : "unexpected character");
  }
  p_ += want.size();
  return true;
}

bool JsonReader::SkipValue(int depth, int max_depth) {
  std::string scratch;
  std::string_view s;
  switch (Peek()) {
    case Kind::kString:
      return ReadString(&s, &scratch);
    case Kind::kNumber:
      return ReadNumber(&s);
    case Kind::kTrue:
    case Kind::kFalse:
    case Kind::kNull:
      return ReadLiteral(Peek());
    case Kind::kEnd:
      return Fail("unexpected end of input");
    case Kind::kBad:
      return Fail("unexpected character");
    case Kind::kObject:
      if (depth > max_depth) return FailDepth(max_depth);
      ++p_;
      if (TryConsume('}')) return true;
      do {
        if (!ReadString(&s, &scratch)) return false;
        if (!Expect(':', "expected ':' after an object key")) return false;
        if (!SkipValue(depth + 1, max_depth)) return false;
      } while (TryConsume(','));
      return Expect('}', "expected ',' or '}' in an object");
    case Kind::kArray:
      if (depth > max_depth) return FailDepth(max_depth);
      ++p_;
      if (TryConsume(']')) return true;
      do {
        if (!SkipValue(depth + 1, max_depth)) return false;
      } while (TryConsume(','));
      return Expect(']', "expected ',' or ']' in an array");
  }
  return false;
}

std::string JsonReader::DescribeNext() {
  switch (Peek()) {
    case Kind::kObject:
      return "an object";
    case Kind::kArray:
      return "an array";
    case Kind::kTrue:
      return "true";
    case Kind::kFalse:
      return "false";
    case Kind::kNull:
      return "null";
    case Kind::kEnd:
      return "end of input";
    case Kind::kBad:
      return "an unexpected character";
    case Kind::kNumber:
    case Kind::kString:
      break;
  }
  // Read the token, then rewind: describing must not consume or record an error.
  const char* saved = p_;
  const Status saved_error = error_;
  std::string_view text;
  std::string scratch;
  std::string_view raw;
  std::string result;
  if (*p_ == '"') {
    if (ReadString(&text, &scratch, &raw)) {
      size_t keep = 40;
      if (raw.size() > keep) {
        // Cut on a UTF-8 character boundary so the message stays valid text.
        while (keep > 0 && (static_cast<unsigned char>(raw[keep]) & 0xC0) == 0x80) --keep;
        result = "\"" + std::string(raw.substr(0, keep)) + "...\"";
      } else {
        result = "\"" + std::string(raw) + "\"";
      }
    } else {
      result = "a malformed string";
    }
  } else {
    result = ReadNumber(&text) ? std::string(text.substr(0, 40)) : "a malformed number";
  }
  p_ = saved;
  error_ = saved_error;
  return result;
}

}  // namespace vigil::otlp
