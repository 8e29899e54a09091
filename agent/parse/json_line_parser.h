// JsonLineParser turns one JSON log line into a ParsedLine, using simdjson On-Demand in place
// (no copy of the line). One per pipeline thread: not thread-safe; it reuses its simdjson parser
// and string buffer, which is where the ParsedLine's unescaped strings live until the next Parse.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "agent/parse/parsed_line.h"

namespace vigil::parse {

class JsonLineParser {
 public:
  JsonLineParser(FieldMapping mapping, ErrorRule rule);
  ~JsonLineParser();
  JsonLineParser(JsonLineParser&&) noexcept;
  JsonLineParser& operator=(JsonLineParser&&) noexcept;

  // Parses `padded_line` (one line, without its newline) into *out, which is reset first.
  // The caller guarantees that padded_line.size() + simdjson::SIMDJSON_PADDING (64) bytes are
  // readable from padded_line.data(). Only top-level keys are looked at. Values of other keys
  // are checked structurally and, for literals, lexically, but not decoded.
  //
  // Field shapes: service/route/level/message/trace_id are strings (any other type counts as
  // absent; a numeric level is read as a pino level, 30 = "info"); status is an integer or a
  // numeric string in [100, 999], else kBadStatus; duration is a non-negative number in
  // FieldMapping::duration_unit or a string with units, else kBadDuration; ts is an RFC 3339
  // string or an epoch number (unreadable timestamps are left absent, not an error). null is
  // absent everywhere; an empty service is replaced by FieldMapping::default_service. A key that
  // occurs twice: the last one wins. An empty name in the FieldMapping disables that field.
  // Malformed JSON wins over kBadDuration / kBadStatus when both apply. *out is meaningful only
  // when kNone is returned.
  ParseError Parse(std::string_view padded_line, ParsedLine* out);

  const FieldMapping& mapping() const { return mapping_; }

 private:
  struct Simdjson;  // the simdjson parser; kept out of this header to keep includers light
  enum Role { kTs, kLevel, kService, kRoute, kStatus, kDuration, kMessage, kTraceId, kRoleCount };

  // The Role whose name equals, byte for byte, the raw (still escaped) key starting at
  // `raw_key` (just after its opening quote), or kRoleCount.
  int MatchRole(const char* raw_key) const;
  bool LevelIsError(std::string_view level) const;

  FieldMapping mapping_;
  ErrorRule rule_;
  double duration_unit_seconds_;
  std::array<std::string, kRoleCount> keys_;  // mapping_'s key names, by Role; "" = unused
  // Bit r set in roles_by_first_byte_[c]: keys_[r] starts with byte c. Most keys of a line
  // have no candidate at all and cost one load.
  std::array<uint16_t, 256> roles_by_first_byte_{};
  std::unique_ptr<Simdjson> simdjson_;
};

}  // namespace vigil::parse
