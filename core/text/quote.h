// Double-quoted string literals for the two dialects vigil emits: JSON (RFC 8259) for every
// JSON body and file it writes, and Go's strconv.Quote for text that must match what
// Prometheus prints (label values, PromQL strings, promtool-style reports). Pure functions;
// thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace vigil::text {

// Appends `s` as a JSON string literal, quotes included. '"' and '\' get a backslash;
// \b \f \n \r \t use their two-character escapes and the other control characters below
// U+0020 become \u00XX. DEL, '/' and non-ASCII are written as they are. Each byte that does
// not start a well-formed UTF-8 sequence (stray continuation byte, truncated or overlong
// sequence, surrogate, past U+10FFFF) becomes U+FFFD, so the result is always valid JSON.
void AppendJsonQuoted(std::string* out, std::string_view s);

// AppendJsonQuoted into a new string.
std::string JsonQuoted(std::string_view s);

// Appends `s` quoted as Go's strconv.Quote does for ASCII and for invalid UTF-8: '"' and '\'
// get a backslash; \a \b \f \n \r \t \v use their two-character escapes; the other control
// characters and DEL become \xNN, as does each byte that does not start a well-formed UTF-8
// sequence. Well-formed non-ASCII characters are written as they are (Go would also escape
// the few non-printable ones, such as U+0085 or U+2028, which needs Unicode tables).
void AppendGoQuoted(std::string* out, std::string_view s);

// AppendGoQuoted into a new string.
std::string GoQuoted(std::string_view s);

}  // namespace vigil::text
