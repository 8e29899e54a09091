#include "core/otlp/json/json_field_table.h"

#include <google/protobuf/descriptor.h>

#include <memory>
#include <mutex>
#include <unordered_map>

namespace vigil::otlp {

namespace {

// OTLP/JSON writes these bytes fields as hex instead of base64 (specification, "JSON Protobuf
// Encoding"). Keyed by the field's full name so only the OTLP types are affected.
struct HexId {
  std::string_view full_name;
  size_t bytes;
};
constexpr HexId kHexIds[] = {
    {"opentelemetry.proto.trace.v1.Span.trace_id", 16},
    {"opentelemetry.proto.trace.v1.Span.span_id", 8},
    {"opentelemetry.proto.trace.v1.Span.parent_span_id", 8},
    {"opentelemetry.proto.trace.v1.Span.Link.trace_id", 16},
    {"opentelemetry.proto.trace.v1.Span.Link.span_id", 8},
    {"opentelemetry.proto.logs.v1.LogRecord.trace_id", 16},
    {"opentelemetry.proto.logs.v1.LogRecord.span_id", 8},
    {"opentelemetry.proto.metrics.v1.Exemplar.trace_id", 16},
    {"opentelemetry.proto.metrics.v1.Exemplar.span_id", 8},
};

using TableMap =
    std::unordered_map<const google::protobuf::Descriptor*, std::unique_ptr<JsonFieldTable>>;

}  // namespace

// Builds tables under the registry lock; a separate class so it can reach the private fields.
class JsonFieldTableBuilder {
 public:
  explicit JsonFieldTableBuilder(TableMap* tables) : tables_(tables) {}

  JsonFieldTable* Get(const google::protobuf::Descriptor* type) {
    auto it = tables_->find(type);
    if (it != tables_->end()) return it->second.get();
    // Insert before filling so recursive types (AnyValue -> ArrayValue -> AnyValue) find it.
    std::unique_ptr<JsonFieldTable>& slot = (*tables_)[type];
    slot = std::make_unique<JsonFieldTable>(type);
    JsonFieldTable* t = slot.get();
    t->fields_.reserve(static_cast<size_t>(type->field_count()));
    for (int i = 0; i < type->field_count(); ++i) {
      const google::protobuf::FieldDescriptor* fd = type->field(i);
      JsonField f{.descriptor = fd, .json_name = fd->json_name(), .proto_name = fd->name()};
      if (fd->type() == google::protobuf::FieldDescriptor::TYPE_BYTES && !fd->is_repeated()) {
        f.hex_id_bytes = JsonFieldTable::HexIdBytes(fd->full_name());
      }
      t->fields_.push_back(std::move(f));
    }
    // Children after the vector is complete: Get() may re-enter for this very type.
    for (int i = 0; i < type->field_count(); ++i) {
      const google::protobuf::FieldDescriptor* fd = type->field(i);
      if (fd->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE) {
        t->fields_[static_cast<size_t>(i)].message = Get(fd->message_type());
      }
    }
    return t;
  }

 private:
  TableMap* tables_;
};

const JsonFieldTable& JsonFieldTable::For(const google::protobuf::Descriptor* type) {
  static std::mutex mu;
  static TableMap* tables = new TableMap();  // never destroyed: tables outlive every caller
  std::lock_guard<std::mutex> lock(mu);
  return *JsonFieldTableBuilder(tables).Get(type);
}

const JsonField* JsonFieldTable::Find(std::string_view key) const {
  // A linear scan: OTLP messages have at most ~15 fields and the length check rejects most.
  for (const JsonField& f : fields_) {
    if (f.json_name == key) return &f;
  }
  for (const JsonField& f : fields_) {
    if (f.proto_name == key) return &f;
  }
  return nullptr;
}

const JsonField& JsonFieldTable::Of(const google::protobuf::FieldDescriptor* field) const {
  return fields_[static_cast<size_t>(field->index())];
}

size_t JsonFieldTable::HexIdBytes(std::string_view full_field_name) {
  for (const HexId& id : kHexIds) {
    if (id.full_name == full_field_name) return id.bytes;
  }
  return 0;
}

}  // namespace vigil::otlp
