// Go's fmt.Sprintf as alert templates' printf uses it: a format string parsed once, when the
// template loads, into literal pieces and verbs, then applied to a list of values per alert.
// Immutable after Parse; thread-safe to share and to use from several threads at once.
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/status.h"

namespace vigil::rules {

// A value a template hands to printf: label text, or a float64 ($value, number literals).
using PrintfValue = std::variant<std::string, double>;

class GoPrintf {
 public:
  // One conversion: flags, width and precision as Go's fmt reads them, and the verb letter.
  struct Verb {
    std::string text;  // as written, e.g. "%-6.2f", for error messages
    bool minus = false;
    bool plus = false;
    bool space = false;
    bool sharp = false;
    bool zero = false;
    int width = -1;      // -1: not given
    int precision = -1;  // -1: not given
    char letter = 0;
  };

  // Verbs f F e E g G v (numbers), s v q (strings) and the literal "%%". InvalidArgument naming
  // the problem for anything else: an unsupported verb such as %d or %x, argument indexes
  // ("%[1]s"), "*" widths, or a format ending inside a verb.
  static Result<GoPrintf> Parse(std::string_view format);

  const std::string& format() const { return format_; }
  size_t verb_count() const { return verbs_.size(); }

  // Formats values[i] with the i-th verb. InvalidArgument when the counts differ, or when a
  // value's type does not suit its verb (a string for %f, a number for %q); the message names
  // the verb and the value. Go would print "%!f(string=...)" instead; vigil reports it.
  Result<std::string> Format(const std::vector<PrintfValue>& values) const;

 private:
  std::string format_;
  // literals_[i] comes before verbs_[i]; literals_.back() after the last verb, so there is
  // always one more literal than verbs ("%%" already collapsed to "%").
  std::vector<std::string> literals_;
  std::vector<Verb> verbs_;
};

// Go's strconv.Quote: a double-quoted string literal with Go escapes (\n, \t, \x1b, \u00a0,
// invalid UTF-8 bytes as \xff); ascii_only also escapes every non-ASCII rune (Go's %+q).
std::string GoQuote(std::string_view s, bool ascii_only);

}  // namespace vigil::rules
