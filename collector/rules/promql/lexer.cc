#include "collector/rules/promql/lexer.h"

#include <cctype>
#include <cmath>
#include <limits>
#include <string>

#include "collector/rules/promql/duration.h"

namespace vigil::promql {
namespace {

bool IsIdentStart(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':';
}
bool IsIdentChar(char c) { return IsIdentStart(c) || std::isdigit(static_cast<unsigned char>(c)); }
bool IsWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool IsDigit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

class Lexer {
 public:
  explicit Lexer(std::string_view in) : in_(in) {}

  Result<std::vector<Token>> Run() {
    std::vector<Token> out;
    while (true) {
      SkipSpaceAndComments();
      Token t;
      t.pos = i_;
      if (i_ >= in_.size()) {
        out.push_back(t);
        return out;
      }
      Status s = Next(t);
      if (!s.ok()) return s;
      t.text = in_.substr(t.pos, i_ - t.pos);
      out.push_back(std::move(t));
    }
  }

 private:
  Status Error(size_t pos, const std::string& msg) const {
    return Status::InvalidArgument(FormatPosition(in_, pos) + ": " + msg);
  }

  void SkipSpaceAndComments() {
    while (i_ < in_.size()) {
      char c = in_[i_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        ++i_;
      } else if (c == '#') {
        while (i_ < in_.size() && in_[i_] != '\n') ++i_;
      } else {
        break;
      }
    }
  }

  bool Peek(char c, size_t ahead = 0) const {
    return i_ + ahead < in_.size() && in_[i_ + ahead] == c;
  }

  Status Next(Token& t) {
    char c = in_[i_];
    if (IsDigit(c) || (c == '.' && i_ + 1 < in_.size() && IsDigit(in_[i_ + 1]))) return Number(t);
    if (IsIdentStart(c)) return Ident(t);
    if (c == '"' || c == '\'' || c == '`') return String(t);
    ++i_;
    switch (c) {
      case '(':
        t.type = TokenType::kLParen;
        return Status::Ok();
      case ')':
        t.type = TokenType::kRParen;
        return Status::Ok();
      case '{':
        t.type = TokenType::kLBrace;
        return Status::Ok();
      case '}':
        t.type = TokenType::kRBrace;
        return Status::Ok();
      case '[':
        t.type = TokenType::kLBracket;
        return Status::Ok();
      case ']':
        t.type = TokenType::kRBracket;
        return Status::Ok();
      case ',':
        t.type = TokenType::kComma;
        return Status::Ok();
      case '@':
        t.type = TokenType::kAt;
        return Status::Ok();
      case '+':
        t.type = TokenType::kAdd;
        return Status::Ok();
      case '-':
        t.type = TokenType::kSub;
        return Status::Ok();
      case '*':
        t.type = TokenType::kMul;
        return Status::Ok();
      case '/':
        t.type = TokenType::kDiv;
        return Status::Ok();
      case '%':
        t.type = TokenType::kMod;
        return Status::Ok();
      case '^':
        t.type = TokenType::kPow;
        return Status::Ok();
      case '=':
        if (Peek('=')) {
          ++i_;
          t.type = TokenType::kEql;
        } else if (Peek('~')) {
          ++i_;
          t.type = TokenType::kEqlRegex;
        } else
          t.type = TokenType::kAssign;
        return Status::Ok();
      case '!':
        if (Peek('=')) {
          ++i_;
          t.type = TokenType::kNeq;
          return Status::Ok();
        }
        if (Peek('~')) {
          ++i_;
          t.type = TokenType::kNeqRegex;
          return Status::Ok();
        }
        return Error(t.pos, "unexpected character after \"!\"");
      case '<':
        if (Peek('=')) {
          ++i_;
          t.type = TokenType::kLte;
        } else
          t.type = TokenType::kLss;
        return Status::Ok();
      case '>':
        if (Peek('=')) {
          ++i_;
          t.type = TokenType::kGte;
        } else
          t.type = TokenType::kGtr;
        return Status::Ok();
      case ':':
        t.type = TokenType::kColon;
        return Status::Ok();
      default:
        break;
    }
    return Error(t.pos, "unexpected character \"" + std::string(1, c) + "\"");
  }

  Status Ident(Token& t) {
    while (i_ < in_.size() && IsIdentChar(in_[i_])) ++i_;
    std::string_view word = in_.substr(t.pos, i_ - t.pos);
    // Prometheus reads Inf and NaN as numbers in any letter case.
    if (EqualsIgnoreCase(word, "inf")) {
      t.type = TokenType::kNumber;
      t.number = std::numeric_limits<double>::infinity();
    } else if (EqualsIgnoreCase(word, "nan")) {
      t.type = TokenType::kNumber;
      t.number = std::numeric_limits<double>::quiet_NaN();
    } else {
      t.type = TokenType::kIdent;
    }
    return Status::Ok();
  }

  Status Number(Token& t) {
    if (Peek('0') && (Peek('x', 1) || Peek('X', 1))) {
      i_ += 2;
      size_t start = i_;
      double v = 0;
      while (i_ < in_.size() && HexValue(in_[i_]) >= 0) v = v * 16 + HexValue(in_[i_++]);
      if (i_ == start || (i_ < in_.size() && IsWordChar(in_[i_]))) {
        return Error(t.pos, "bad number \"" + std::string(Word(t.pos)) + "\"");
      }
      t.type = TokenType::kNumber;
      t.number = v;
      return Status::Ok();
    }
    bool plain_integer = true;
    while (i_ < in_.size() && IsDigit(in_[i_])) ++i_;
    if (Peek('.')) {
      plain_integer = false;
      ++i_;
      while (i_ < in_.size() && IsDigit(in_[i_])) ++i_;
    }
    if ((Peek('e') || Peek('E')) &&
        (i_ + 1 < in_.size() &&
         (IsDigit(in_[i_ + 1]) || ((in_[i_ + 1] == '+' || in_[i_ + 1] == '-') &&
                                   i_ + 2 < in_.size() && IsDigit(in_[i_ + 2]))))) {
      plain_integer = false;
      i_ += 2;
      while (i_ < in_.size() && IsDigit(in_[i_])) ++i_;
    }
    if (i_ < in_.size() && IsWordChar(in_[i_])) {
      std::string_view word = Word(t.pos);
      if (!plain_integer)
        return Error(t.pos, "bad number or duration \"" + std::string(word) + "\"");
      i_ = t.pos + word.size();
      Result<std::chrono::milliseconds> d = ParseDuration(word);
      if (!d.ok()) return Error(t.pos, d.status().message());
      t.type = TokenType::kDuration;
      t.duration_ms = d->count();
      return Status::Ok();
    }
    t.type = TokenType::kNumber;
    t.number = std::strtod(std::string(in_.substr(t.pos, i_ - t.pos)).c_str(), nullptr);
    return Status::Ok();
  }

  // The run of word characters starting at `pos` (for error text and durations). ':' ends it
  // so the subquery form [5m:1m] splits into tokens the parser can name.
  std::string_view Word(size_t pos) const {
    size_t end = pos;
    while (end < in_.size() && (IsWordChar(in_[end]) || in_[end] == '.')) ++end;
    return in_.substr(pos, end - pos);
  }

  Status String(Token& t) {
    char quote = in_[i_++];
    t.type = TokenType::kString;
    while (true) {
      if (i_ >= in_.size() || (quote != '`' && in_[i_] == '\n')) {
        return Error(t.pos, "unterminated quoted string");
      }
      char c = in_[i_++];
      if (c == quote) return Status::Ok();
      if (c != '\\' || quote == '`') {
        t.str += c;
        continue;
      }
      if (i_ >= in_.size()) return Error(t.pos, "unterminated quoted string");
      size_t esc_pos = i_ - 1;
      char e = in_[i_++];
      switch (e) {
        case 'n':
          t.str += '\n';
          break;
        case 't':
          t.str += '\t';
          break;
        case 'r':
          t.str += '\r';
          break;
        case 'a':
          t.str += '\a';
          break;
        case 'b':
          t.str += '\b';
          break;
        case 'f':
          t.str += '\f';
          break;
        case 'v':
          t.str += '\v';
          break;
        case '\\':
          t.str += '\\';
          break;
        case '"':
        case '\'':
          t.str += e;
          break;
        case 'x':
        case 'u':
        case 'U': {
          int digits = e == 'x' ? 2 : (e == 'u' ? 4 : 8);
          uint32_t cp = 0;
          for (int k = 0; k < digits; ++k) {
            int h = i_ < in_.size() ? HexValue(in_[i_]) : -1;
            if (h < 0) return Error(esc_pos, "invalid escape sequence in string");
            cp = cp * 16 + h;
            ++i_;
          }
          if (e == 'x')
            t.str += static_cast<char>(cp);
          else
            AppendUtf8(t.str, cp);
          break;
        }
        default:
          return Error(esc_pos,
                       "unknown escape sequence \"\\" + std::string(1, e) + "\" in string");
      }
    }
  }

  std::string_view in_;
  size_t i_ = 0;
};

}  // namespace

std::string DescribeToken(const Token& t) {
  switch (t.type) {
    case TokenType::kEnd:
      return "end of input";
    case TokenType::kIdent:
      return "identifier \"" + std::string(t.text) + "\"";
    case TokenType::kNumber:
      return "number \"" + std::string(t.text) + "\"";
    case TokenType::kString:
      return "string " + std::string(t.text);
    case TokenType::kDuration:
      return "duration \"" + std::string(t.text) + "\"";
    default:
      return "\"" + std::string(t.text) + "\"";
  }
}

std::string FormatPosition(std::string_view input, size_t pos) {
  size_t line = 1, col = 1;
  for (size_t i = 0; i < pos && i < input.size(); ++i) {
    if (input[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return std::to_string(line) + ":" + std::to_string(col);
}

Result<std::vector<Token>> Tokenize(std::string_view input) { return Lexer(input).Run(); }

}  // namespace vigil::promql
