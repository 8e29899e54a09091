// JsonReader: a pull tokenizer over one JSON text (RFC 8259), used by ParseOtlpJson to fill
// protobuf messages directly without building a DOM. It knows byte offsets, so syntax errors
// say where they are. Borrows the text (which must outlive it); one thread at a time.
//
// Error handling: methods return false on a syntax error and keep the first error, which
// error() returns as "not valid JSON at byte N: ...". Callers stop at the first false.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/status.h"

namespace vigil::otlp {

class JsonReader {
 public:
  // What the next value is, judged from its first byte.
  enum class Kind { kObject, kArray, kString, kNumber, kTrue, kFalse, kNull, kEnd, kBad };

  explicit JsonReader(std::string_view text)
      : begin_(text.data()), p_(text.data()), end_(text.data() + text.size()) {}

  // Skips whitespace and classifies the next value without consuming it.
  Kind Peek();
  // Skips whitespace; consumes `c` and returns true if it is next.
  bool TryConsume(char c);
  // Skips whitespace; consumes `c` or fails with "expected <what>".
  bool Expect(char c, std::string_view what);

  // Reads a string (the next byte must be '"'). The result points into the text when there are
  // no escapes, otherwise into *scratch. The raw (undecoded) bytes between the quotes go to
  // *raw when it is non-null, for error paths.
  bool ReadString(std::string_view* out, std::string* scratch, std::string_view* raw = nullptr);
  // Reads a number token, checking the JSON number grammar; *token is its text.
  bool ReadNumber(std::string_view* token);
  // Consumes true / false / null (the kind Peek() returned).
  bool ReadLiteral(Kind kind);
  // Skips one complete value of any kind; `depth` is the nesting depth of that value's
  // container, and containers deeper than `max_depth` fail.
  bool SkipValue(int depth, int max_depth);

  // True when only whitespace is left.
  bool AtEnd();
  // Byte offset of the next unread byte.
  size_t offset() const { return static_cast<size_t>(p_ - begin_); }

  // Records a syntax error at the current offset (first one wins) and returns false.
  bool Fail(std::string_view what);
  // Records a depth-limit error and returns false.
  bool FailDepth(int max_depth);
  const Status& error() const { return error_; }
  bool failed() const { return !error_.ok(); }

  // A short description of the next value for error messages ("true", "an object",
  // "\"abc\"", "1.5"), without consuming it.
  std::string DescribeNext();

 private:
  void SkipWhitespace() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }
  bool DecodeEscapes(const char* start, std::string* scratch);

  const char* begin_;
  const char* p_;
  const char* end_;
  Status error_;
};

}  // namespace vigil::otlp
