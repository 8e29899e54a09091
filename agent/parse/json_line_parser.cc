#include "agent/parse/json_line_parser.h"

#include <simdjson.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <utility>

#include "agent/parse/field_decoders.h"

namespace vigil::parse {

namespace od = simdjson::ondemand;

struct JsonLineParser::Simdjson {
  od::parser parser;
};

namespace {

// Bytes reserved up front so that typical lines never make the parser allocate.
constexpr size_t kInitialCapacity = 64 * 1024;

// The outcome of reading one field's value: fine (possibly absent), a field-specific rejection,
// or broken JSON (which wins, since then nothing in the line can be trusted).
enum class FieldOutcome { kOk, kBad, kMalformed };

FieldOutcome ReadOptionalString(od::value& value, std::string_view* out) {
  std::string_view text;
  const simdjson::error_code error = value.get_string().get(text);
  if (error == simdjson::SUCCESS) {
    *out = text;
    return FieldOutcome::kOk;
  }
  // Another type (or null) is treated as absent; the iterator skips the unread value.
  return error == simdjson::INCORRECT_TYPE ? FieldOutcome::kOk : FieldOutcome::kMalformed;
}

// A JSON number as the fields need it: a 64-bit integer when it is one, else a double.
struct JsonNumber {
  bool is_integer = false;
  int64_t integer = 0;
  double real = 0;
};

// kMalformed for text that is not a JSON number ("12abc", "-"). Integers beyond 64 bits are
// valid JSON that simdjson 3.0 reports as NUMBER_ERROR; reading them as a double keeps them
// apart from real garbage.
FieldOutcome ReadNumber(od::value& value, JsonNumber* out) {
  od::number number;
  if (value.get_number().get(number) == simdjson::SUCCESS) {
    out->is_integer = number.is_int64();
    if (out->is_integer) {
      out->integer = number.get_int64();
    } else {
      out->real = number.as_double();
    }
    return FieldOutcome::kOk;
  }
  out->is_integer = false;
  return value.get_double().get(out->real) == simdjson::SUCCESS ? FieldOutcome::kOk
                                                                : FieldOutcome::kMalformed;
}

FieldOutcome ReadStatus(od::value& value, od::json_type type, int* out) {
  std::optional<int> status;
  if (type == od::json_type::null) return FieldOutcome::kOk;
  if (type == od::json_type::number) {
    JsonNumber number;
    if (ReadNumber(value, &number) != FieldOutcome::kOk) return FieldOutcome::kMalformed;
    if (number.is_integer) {
      status = StatusFromInteger(number.integer);
    } else if (number.real == std::floor(number.real) && std::fabs(number.real) < 1e6) {
      status = StatusFromInteger(static_cast<int64_t>(number.real));  // 200.0
    }
  } else if (type == od::json_type::string) {
    std::string_view text;
    if (value.get_string().get(text)) return FieldOutcome::kMalformed;
    status = StatusFromText(text);
  }
  if (!status) return FieldOutcome::kBad;
  *out = *status;
  return FieldOutcome::kOk;
}

FieldOutcome ReadDuration(od::value& value, od::json_type type, double unit_seconds,
                          DurationUnit unit, double* out) {
  std::optional<double> seconds;
  if (type == od::json_type::null) return FieldOutcome::kOk;
  if (type == od::json_type::number) {
    JsonNumber number;
    if (ReadNumber(value, &number) != FieldOutcome::kOk) return FieldOutcome::kMalformed;
    const double amount = number.is_integer ? static_cast<double>(number.integer) : number.real;
    if (amount >= 0 && std::isfinite(amount)) seconds = amount * unit_seconds;
  } else if (type == od::json_type::string) {
    std::string_view text;
    if (value.get_string().get(text)) return FieldOutcome::kMalformed;
    seconds = ParseDurationText(text, unit);
  }
  if (!seconds) return FieldOutcome::kBad;
  *out = *seconds;
  return FieldOutcome::kOk;
}

// Unreadable timestamps are not an error: the line stays usable with the observed time.
FieldOutcome ReadTimestamp(od::value& value, od::json_type type, int64_t* out) {
  std::optional<int64_t> nanos;
  if (type == od::json_type::number) {
    JsonNumber number;
    if (ReadNumber(value, &number) != FieldOutcome::kOk) return FieldOutcome::kMalformed;
    nanos = number.is_integer ? EpochIntegerToUnixNano(number.integer)
                              : EpochDoubleToUnixNano(number.real);
  } else if (type == od::json_type::string) {
    std::string_view text;
    if (value.get_string().get(text)) return FieldOutcome::kMalformed;
    nanos = ParseRfc3339UnixNano(text);
  }
  *out = nanos.value_or(0);
  return FieldOutcome::kOk;
}

FieldOutcome ReadLevel(od::value& value, od::json_type type, std::string_view* out) {
  if (type == od::json_type::number) {
    JsonNumber number;
    if (ReadNumber(value, &number) != FieldOutcome::kOk) return FieldOutcome::kMalformed;
    if (number.is_integer) *out = LevelNameFromNumber(number.integer);
    return FieldOutcome::kOk;
  }
  return ReadOptionalString(value, out);
}

// Nesting below this depth is left to simdjson's bracket counting; real log lines stay far
// above it, and it bounds the recursion.
constexpr int kMaxCheckedDepth = 32;

// simdjson skips values nobody reads by counting brackets only, so "tru", "12abc" or
// {"a":[1,}} would pass. Reading every unmapped literal and walking nested containers makes
// them malformed too; it costs nothing for strings (checked when the line was indexed).
FieldOutcome CheckUnmappedValue(od::value& value, od::json_type type, int depth) {
  switch (type) {
    case od::json_type::number: {
      JsonNumber number;
      return ReadNumber(value, &number);
    }
    case od::json_type::boolean: {
      bool flag = false;
      return value.get_bool().get(flag) ? FieldOutcome::kMalformed : FieldOutcome::kOk;
    }
    case od::json_type::null: {
      bool is_null = false;
      return (value.is_null().get(is_null) || !is_null) ? FieldOutcome::kMalformed
                                                        : FieldOutcome::kOk;
    }
    case od::json_type::object: {
      if (depth >= kMaxCheckedDepth) return FieldOutcome::kOk;
      od::object object;
      if (value.get_object().get(object)) return FieldOutcome::kMalformed;
      for (auto field_result : object) {
        od::json_type child_type;
        if (field_result.error() || field_result.value_unsafe().value().type().get(child_type) ||
            CheckUnmappedValue(field_result.value_unsafe().value(), child_type, depth + 1) !=
                FieldOutcome::kOk) {
          return FieldOutcome::kMalformed;
        }
      }
      return FieldOutcome::kOk;
    }
    case od::json_type::array: {
      if (depth >= kMaxCheckedDepth) return FieldOutcome::kOk;
      od::array array;
      if (value.get_array().get(array)) return FieldOutcome::kMalformed;
      for (auto element_result : array) {
        od::value element;
        od::json_type child_type;
        if (std::move(element_result).get(element) || element.type().get(child_type) ||
            CheckUnmappedValue(element, child_type, depth + 1) != FieldOutcome::kOk) {
          return FieldOutcome::kMalformed;
        }
      }
      return FieldOutcome::kOk;
    }
    case od::json_type::string:
      return FieldOutcome::kOk;
  }
  return FieldOutcome::kOk;
}

// Bytes up to the key's closing quote, stepping over escapes. Stage 1 has checked that every
// string is closed, so this stays inside the line.
size_t RawKeyLength(const char* raw_key) {
  size_t length = 0;
  while (raw_key[length] != '"') length += raw_key[length] == '\\' ? 2 : 1;
  return length;
}

}  // namespace

JsonLineParser::JsonLineParser(FieldMapping mapping, ErrorRule rule)
    : mapping_(std::move(mapping)),
      rule_(std::move(rule)),
      duration_unit_seconds_(DurationUnitSeconds(mapping_.duration_unit)),
      simdjson_(std::make_unique<Simdjson>()) {
  keys_ = {mapping_.ts,     mapping_.level,    mapping_.service, mapping_.route,
           mapping_.status, mapping_.duration, mapping_.message, mapping_.trace_id};
  for (int role = 0; role < kRoleCount; ++role) {
    if (keys_[role].empty()) continue;
    roles_by_first_byte_[static_cast<unsigned char>(keys_[role][0])] |= uint16_t{1} << role;
  }
  // A failed reservation is not fatal: iterate() grows the buffers on demand.
  const simdjson::error_code reserved = simdjson_->parser.allocate(kInitialCapacity);
  static_cast<void>(reserved);
}

JsonLineParser::~JsonLineParser() = default;
JsonLineParser::JsonLineParser(JsonLineParser&&) noexcept = default;
JsonLineParser& JsonLineParser::operator=(JsonLineParser&&) noexcept = default;

int JsonLineParser::MatchRole(const char* raw_key) const {
  for (uint16_t candidates = roles_by_first_byte_[static_cast<unsigned char>(raw_key[0])];
       candidates != 0; candidates &= candidates - 1) {
    const int role = std::countr_zero(candidates);
    const std::string& key = keys_[role];
    // The raw key lies inside the line, so reading key.size() + 1 < 64 bytes from it stays
    // inside line + padding; a shorter key is told apart by its closing quote.
    if (key.size() < simdjson::SIMDJSON_PADDING) {
      if (raw_key[key.size()] == '"' && std::memcmp(raw_key, key.data(), key.size()) == 0) {
        return role;
      }
    } else if (RawKeyLength(raw_key) == key.size() &&
               std::memcmp(raw_key, key.data(), key.size()) == 0) {
      return role;
    }
  }
  return kRoleCount;
}

bool JsonLineParser::LevelIsError(std::string_view level) const {
  if (level.empty()) return false;
  for (const std::string& error_level : rule_.levels) {
    if (EqualsIgnoreAsciiCase(level, error_level)) return true;
  }
  return false;
}

ParseError JsonLineParser::Parse(std::string_view padded_line, ParsedLine* out) {
  out->Reset();
  od::document doc;
  if (simdjson_->parser
          .iterate(padded_line.data(), padded_line.size(),
                   padded_line.size() + simdjson::SIMDJSON_PADDING)
          .get(doc)) {
    return ParseError::kMalformedJson;  // empty, invalid UTF-8, unclosed string, ...
  }
  od::object object;
  if (const simdjson::error_code error = doc.get_object().get(object); error) {
    od::json_type type;
    if (error != simdjson::INCORRECT_TYPE || doc.type().get(type))
      return ParseError::kMalformedJson;
    return ParseError::kNotAnObject;
  }

  ParseError field_error = ParseError::kNone;  // the first field-level rejection
  for (auto field_result : object) {
    if (field_result.error()) return ParseError::kMalformedJson;
    od::field& field = field_result.value_unsafe();  // no copy: the copy costs a store stall
    od::value& value = field.value();
    od::json_type type;
    if (value.type().get(type)) return ParseError::kMalformedJson;

    const int role = MatchRole(field.key().raw());
    if (type == od::json_type::object || type == od::json_type::array) {
      // No field takes a container: check it like an unknown key's value, then it is absent
      // (text fields) or a rejection (status, duration).
      if (CheckUnmappedValue(value, type, 1) != FieldOutcome::kOk) {
        return ParseError::kMalformedJson;
      }
      if (field_error == ParseError::kNone && role == kStatus) field_error = ParseError::kBadStatus;
      if (field_error == ParseError::kNone && role == kDuration) {
        field_error = ParseError::kBadDuration;
      }
      continue;
    }

    FieldOutcome outcome = FieldOutcome::kOk;
    ParseError rejection = ParseError::kNone;
    switch (role) {
      case kTs:
        outcome = ReadTimestamp(value, type, &out->ts_unix_nano);
        break;
      case kLevel:
        outcome = ReadLevel(value, type, &out->level);
        break;
      case kService:
        outcome = ReadOptionalString(value, &out->service);
        break;
      case kRoute:
        outcome = ReadOptionalString(value, &out->route);
        break;
      case kStatus:
        outcome = ReadStatus(value, type, &out->status);
        rejection = ParseError::kBadStatus;
        break;
      case kDuration:
        outcome = ReadDuration(value, type, duration_unit_seconds_, mapping_.duration_unit,
                               &out->duration_seconds);
        rejection = ParseError::kBadDuration;
        break;
      case kMessage:
        outcome = ReadOptionalString(value, &out->message);
        break;
      case kTraceId:
        outcome = ReadOptionalString(value, &out->trace_id);
        break;
      default:
        outcome = CheckUnmappedValue(value, type, 1);
        break;
    }
    if (outcome == FieldOutcome::kMalformed) return ParseError::kMalformedJson;
    if (outcome == FieldOutcome::kBad && field_error == ParseError::kNone) field_error = rejection;
  }
  // On-Demand stops at the object's closing brace; anything but whitespace after it (a second
  // object, a stray bracket) leaves the iterator inside the document.
  const char* location = nullptr;
  if (doc.current_location().get(location) != simdjson::OUT_OF_BOUNDS) {
    return ParseError::kMalformedJson;
  }
  if (field_error != ParseError::kNone) return field_error;

  if (out->service.empty()) out->service = mapping_.default_service;
  if (!out->level.empty()) out->severity_number = SeverityNumberFromLevel(out->level);
  out->is_error = (out->status != 0 && out->status >= rule_.status_min) || LevelIsError(out->level);
  return ParseError::kNone;
}

std::string_view ParseErrorName(ParseError error) {
  switch (error) {
    case ParseError::kNone:
      return "none";
    case ParseError::kMalformedJson:
      return "malformed_json";
    case ParseError::kNotAnObject:
      return "not_an_object";
    case ParseError::kBadDuration:
      return "bad_duration";
    case ParseError::kBadStatus:
      return "bad_status";
  }
  return "unknown";
}

}  // namespace vigil::parse
