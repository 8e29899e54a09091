// OTLP/JSON ("JSON Protobuf Encoding" of the OTLP specification) for any OTLP message: the
// proto3 JSON mapping, except that trace/span ids are lowercase hex (not base64), enums are
// integers and unknown fields are ignored. Free functions; stateless and thread-safe.
//
// Rules (input is lenient where the spec or robustness asks, output is canonical):
//  - keys: lowerCamelCase on output; the original snake_case proto names are accepted too.
//  - traceId/spanId/parentSpanId (Span, Span.Link, LogRecord, Exemplar): hex, 32 digits for a
//    trace id and 16 for a span id, any case on input, lowercase on output; "" means unset.
//    Other bytes fields (AnyValue.bytesValue) are base64 (standard or URL-safe alphabet, padding
//    optional on input; standard with padding on output).
//  - enums: integers on output; integers or the enum value's name accepted on input. A number
//    that is not a value of the enum is rejected.
//  - 64-bit integers: decimal strings on output; numbers or decimal strings on input. 32-bit
//    integers: numbers on output; numbers or decimal strings on input.
//  - doubles: numbers on output, "NaN", "Infinity", "-Infinity" for the non-finite values; input
//    accepts numbers and those strings (and decimal strings).
//  - default (zero) scalar fields are left out on output, except proto3 `optional` fields that
//    are set (HistogramDataPoint.sum/min/max) and the set member of a oneof; `null` on input
//    means "unset".
//  - nesting is limited to kMaxOtlpJsonDepth JSON levels, so hostile input cannot exhaust the
//    stack.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace google::protobuf {
class Message;
}  // namespace google::protobuf

namespace vigil::otlp {

// Deepest JSON nesting (objects + arrays) ParseOtlpJson accepts; ToOtlpJson refuses to write
// deeper messages as well.
inline constexpr int kMaxOtlpJsonDepth = 64;

// Parses an OTLP/JSON body into `out` (an Export{Trace,Metrics,Logs}ServiceRequest or a
// response, or any other OTLP message). `out` is cleared first. On failure returns
// InvalidArgument whose message names the JSON path and the problem, e.g.
//   "resourceSpans[0].scopeSpans[0].spans[3].traceId: expected 32 hex digits, got 30 characters"
//   "not valid JSON at byte 17: ..."
// and `out` holds an unspecified partial message.
Status ParseOtlpJson(std::string_view json, google::protobuf::Message* out);

// Serializes `m` as compact OTLP/JSON (no whitespace). Fails (InvalidArgument) only for a
// message nested deeper than kMaxOtlpJsonDepth or an id field whose length is neither 0 nor the
// id's size (16 / 8 bytes), which OTLP/JSON cannot express as hex of the right length.
Result<std::string> ToOtlpJson(const google::protobuf::Message& m);

}  // namespace vigil::otlp
