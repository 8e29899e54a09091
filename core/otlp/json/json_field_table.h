// JsonFieldTable: what OTLP/JSON needs to know about one message type's fields (the JSON and
// proto names a key may use, which bytes fields are hex trace/span ids, the child table of
// message fields). Tables are built once per type, for every type reachable from the first one
// asked for, and live for the whole program; For() is thread-safe and the tables are immutable.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace google::protobuf {
class Descriptor;
class FieldDescriptor;
}  // namespace google::protobuf

namespace vigil::otlp {

class JsonFieldTable;

struct JsonField {
  const google::protobuf::FieldDescriptor* descriptor;
  std::string json_name;        // lowerCamelCase, used on output
  std::string_view proto_name;  // snake_case, also accepted on input
  // For the OTLP trace/span id fields: the id's size in bytes (16 or 8), written as hex.
  // 0 for every other field.
  size_t hex_id_bytes = 0;
  const JsonFieldTable* message = nullptr;  // for message-typed fields
};

class JsonFieldTable {
 public:
  // The table for `type`, built on first use.
  static const JsonFieldTable& For(const google::protobuf::Descriptor* type);

  const google::protobuf::Descriptor* type() const { return type_; }
  const std::vector<JsonField>& fields() const { return fields_; }
  // The field a JSON key names (its json name or its proto name), or nullptr.
  const JsonField* Find(std::string_view key) const;
  // The entry for a field of this type (by field index).
  const JsonField& Of(const google::protobuf::FieldDescriptor* field) const;

  // Size in bytes (16 or 8) of the OTLP id field with this full name, 0 if it is not one.
  static size_t HexIdBytes(std::string_view full_field_name);

  explicit JsonFieldTable(const google::protobuf::Descriptor* type) : type_(type) {}

 private:
  friend class JsonFieldTableBuilder;

  const google::protobuf::Descriptor* type_;
  std::vector<JsonField> fields_;  // in the descriptor's field order (index())
};

}  // namespace vigil::otlp
