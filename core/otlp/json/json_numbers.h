// Number text -> value conversions for OTLP/JSON: integers arrive as JSON numbers or decimal
// strings (64-bit ones as strings, per proto3 JSON), doubles as numbers or "NaN"/"Infinity"/
// "-Infinity". Stateless functions; thread-safe.
#pragma once

#include <google/protobuf/descriptor.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace vigil::otlp {

enum class IntegerKind { kInt32, kUInt32, kInt64, kUInt64 };

// The integer kind of an integral C++ field type (int32/sint32/sfixed32 -> kInt32, ...).
IntegerKind IntegerKindOf(google::protobuf::FieldDescriptor::CppType type);

struct IntegerValue {
  int64_t s = 0;   // for the signed kinds
  uint64_t u = 0;  // for the unsigned kinds
};

// Parses `text` (a JSON number; from a string it may be anything) as an integer of `kind`.
// An exponent or fraction is fine when the value is integral ("1e3", "2.0"). On failure
// *problem says why: "expected an integer, got 1.5", "4294967296 is out of range for uint32",
// "not a decimal number".
bool ParseIntegerText(std::string_view text, IntegerKind kind, IntegerValue* out,
                      std::string* problem);

// Parses a double from a JSON number, or, when `quoted`, also from "NaN", "Infinity" and
// "-Infinity". Fails for text that is not a number and for magnitudes beyond a double.
bool ParseDoubleText(std::string_view text, bool quoted, double* out, std::string* problem);

// True when `text` follows the JSON number grammar exactly.
bool IsJsonNumber(std::string_view text);

}  // namespace vigil::otlp
