// ParseOtlpJson: a recursive descent over JsonReader tokens that fills the message through
// protobuf reflection, guided by JsonFieldTable. Number conversions live in json_numbers.h.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <simdjson.h>

#include <string>

#include "core/otlp/json/bytes_text.h"
#include "core/otlp/json/json_field_table.h"
#include "core/otlp/json/json_numbers.h"
#include "core/otlp/json/json_path.h"
#include "core/otlp/json/json_reader.h"
#include "core/otlp/json/otlp_json.h"

namespace vigil::otlp {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;
using Kind = JsonReader::Kind;

// Offset of the first byte that is not valid UTF-8 (called only when validation failed).
size_t FirstBadUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return i;
    if (!simdjson::validate_utf8(s.data() + i, n)) return i;
    i += n;
  }
  return s.size();
}

class JsonToMessage {
 public:
  explicit JsonToMessage(std::string_view json) : r_(json) {}

  Status Run(Message* out) {
    const JsonPath root;
    if (r_.Peek() != Kind::kObject) {
      if (!TypeError(root, "a JSON object", 1)) return Error();
    }
    if (!ParseObject(JsonFieldTable::For(out->GetDescriptor()), out, root, 1)) return Error();
    if (!r_.AtEnd()) {
      r_.Fail("unexpected data after the top-level value");
      return Error();
    }
    return Status::Ok();
  }

 private:
  Status Error() const { return error_.ok() ? r_.error() : error_; }

  bool Fail(const JsonPath& path, std::string_view problem) {
    if (error_.ok()) error_ = Status::InvalidArgument(path.Message(problem));
    return false;
  }

  // The next value has the wrong type. If it is not even valid JSON, that is the error.
  bool TypeError(const JsonPath& path, std::string_view expected, int depth) {
    std::string got = r_.DescribeNext();
    if (!r_.SkipValue(depth, kMaxOtlpJsonDepth)) return false;
    return Fail(path, "expected " + std::string(expected) + ", got " + got);
  }

  bool ParseObject(const JsonFieldTable& table, Message* m, const JsonPath& path, int depth) {
    if (depth > kMaxOtlpJsonDepth) return r_.FailDepth(kMaxOtlpJsonDepth);
    r_.TryConsume('{');
    if (r_.TryConsume('}')) return true;
    do {
      std::string_view key;
      std::string_view raw_key;
      if (!r_.ReadString(&key, &scratch_, &raw_key)) return false;
      if (!r_.Expect(':', "expected ':' after an object key")) return false;
      const JsonField* field = table.Find(key);
      if (field == nullptr) {
        // The specification: receivers ignore unknown fields.
        if (!r_.SkipValue(depth + 1, kMaxOtlpJsonDepth)) return false;
        continue;
      }
      if (!ParseField(*field, m, path.Key(raw_key), depth + 1)) return false;
    } while (r_.TryConsume(','));
    return r_.Expect('}', "expected ',' or '}' in an object");
  }

  bool ParseField(const JsonField& f, Message* m, const JsonPath& path, int depth) {
    const Kind kind = r_.Peek();
    if (kind == Kind::kNull) return r_.ReadLiteral(kind);  // null: the field stays unset
    const FieldDescriptor* fd = f.descriptor;
    const Reflection* refl = m->GetReflection();
    if (!fd->is_repeated()) {
      if (const auto* oneof = fd->real_containing_oneof()) {
        const FieldDescriptor* set = refl->GetOneofFieldDescriptor(*m, oneof);
        if (set != nullptr && set != fd) {
          return Fail(path, "more than one field of oneof '" + oneof->name() + "' is set (" +
                                set->json_name() + " and " + fd->json_name() + ")");
        }
      }
      return ParseValue(f, m, /*repeated=*/false, path, depth);
    }
    if (kind != Kind::kArray) return TypeError(path, "an array", depth);
    if (depth > kMaxOtlpJsonDepth) return r_.FailDepth(kMaxOtlpJsonDepth);
    refl->ClearField(m, fd);  // a repeated key: the last occurrence wins, as for singular keys
    r_.TryConsume('[');
    if (r_.TryConsume(']')) return true;
    int64_t i = 0;
    do {
      const JsonPath element = path.Index(i++);
      if (r_.Peek() == Kind::kNull)
        return TypeError(element, "a value (null in an array)", depth + 1);
      if (!ParseValue(f, m, /*repeated=*/true, element, depth + 1)) return false;
    } while (r_.TryConsume(','));
    return r_.Expect(']', "expected ',' or ']' in an array");
  }

  // One value of field `f` (an element when `repeated`); `depth` is its level if a container.
  bool ParseValue(const JsonField& f, Message* m, bool repeated, const JsonPath& path, int depth) {
    const FieldDescriptor* fd = f.descriptor;
    const Reflection* refl = m->GetReflection();
    const Kind kind = r_.Peek();
    switch (fd->cpp_type()) {
      case FieldDescriptor::CPPTYPE_MESSAGE: {
        if (kind != Kind::kObject) return TypeError(path, "an object", depth);
        Message* child = repeated ? refl->AddMessage(m, fd) : refl->MutableMessage(m, fd);
        if (!repeated) child->Clear();
        return ParseObject(*f.message, child, path, depth);
      }
      case FieldDescriptor::CPPTYPE_STRING: {
        if (kind != Kind::kString) {
          return TypeError(path, f.hex_id_bytes != 0 ? "a hex string" : "a string", depth);
        }
        std::string_view text;
        if (!r_.ReadString(&text, &scratch_)) return false;
        std::string value;
        if (fd->type() == FieldDescriptor::TYPE_BYTES) {
          std::string problem;
          const bool ok = f.hex_id_bytes != 0
                              ? text.empty() || DecodeHexId(text, f.hex_id_bytes, &value, &problem)
                              : DecodeBase64(text, &value, &problem);
          if (!ok) return Fail(path, problem);
        } else {
          value.assign(text);
        }
        repeated ? refl->AddString(m, fd, std::move(value))
                 : refl->SetString(m, fd, std::move(value));
        return true;
      }
      case FieldDescriptor::CPPTYPE_BOOL: {
        if (kind != Kind::kTrue && kind != Kind::kFalse) {
          return TypeError(path, "true or false", depth);
        }
        if (!r_.ReadLiteral(kind)) return false;
        repeated ? refl->AddBool(m, fd, kind == Kind::kTrue)
                 : refl->SetBool(m, fd, kind == Kind::kTrue);
        return true;
      }
      case FieldDescriptor::CPPTYPE_ENUM:
        return ParseEnum(f, m, repeated, path, depth);
      case FieldDescriptor::CPPTYPE_DOUBLE:
      case FieldDescriptor::CPPTYPE_FLOAT:
        return ParseFloating(f, m, repeated, path, depth);
      default:
        return ParseInteger(f, m, repeated, path, depth);
    }
  }

  // Reads a number, or a string holding one, into *text; false after recording a type error.
  bool ReadNumberText(const JsonPath& path, std::string_view expected, int depth,
                      std::string_view* text, bool* quoted) {
    const Kind kind = r_.Peek();
    *quoted = kind == Kind::kString;
    if (kind == Kind::kNumber) return r_.ReadNumber(text);
    if (kind == Kind::kString) return r_.ReadString(text, &scratch_);
    return TypeError(path, expected, depth);
  }

  bool ParseInteger(const JsonField& f, Message* m, bool repeated, const JsonPath& path,
                    int depth) {
    constexpr std::string_view kExpected = "an integer or a decimal string";
    std::string_view text;
    bool quoted = false;
    if (!ReadNumberText(path, kExpected, depth, &text, &quoted)) return false;
    const FieldDescriptor* fd = f.descriptor;
    const Reflection* refl = m->GetReflection();
    const IntegerKind ik = IntegerKindOf(fd->cpp_type());
    std::string problem;
    IntegerValue v;
    if (!ParseIntegerText(text, ik, &v, &problem)) {
      return Fail(path, quoted ? "expected " + std::string(kExpected) + ", got \"" +
                                     std::string(text.substr(0, 40)) + "\" (" + problem + ")"
                               : problem);
    }
    switch (fd->cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT32: {
        const auto x = static_cast<int32_t>(v.s);
        repeated ? refl->AddInt32(m, fd, x) : refl->SetInt32(m, fd, x);
        break;
      }
      case FieldDescriptor::CPPTYPE_UINT32: {
        const auto x = static_cast<uint32_t>(v.u);
        repeated ? refl->AddUInt32(m, fd, x) : refl->SetUInt32(m, fd, x);
        break;
      }
      case FieldDescriptor::CPPTYPE_INT64:
        repeated ? refl->AddInt64(m, fd, v.s) : refl->SetInt64(m, fd, v.s);
        break;
      default:
        repeated ? refl->AddUInt64(m, fd, v.u) : refl->SetUInt64(m, fd, v.u);
        break;
    }
    return true;
  }

  bool ParseFloating(const JsonField& f, Message* m, bool repeated, const JsonPath& path,
                     int depth) {
    constexpr std::string_view kExpected =
        "a number or one of \"NaN\", \"Infinity\", \"-Infinity\"";
    std::string_view text;
    bool quoted = false;
    if (!ReadNumberText(path, kExpected, depth, &text, &quoted)) return false;
    double d = 0;
    std::string problem;
    if (!ParseDoubleText(text, quoted, &d, &problem)) {
      return Fail(path, quoted ? "expected " + std::string(kExpected) + ", got \"" +
                                     std::string(text.substr(0, 40)) + "\""
                               : problem);
    }
    const FieldDescriptor* fd = f.descriptor;
    const Reflection* refl = m->GetReflection();
    if (fd->cpp_type() == FieldDescriptor::CPPTYPE_DOUBLE) {
      repeated ? refl->AddDouble(m, fd, d) : refl->SetDouble(m, fd, d);
    } else {
      const auto x = static_cast<float>(d);
      repeated ? refl->AddFloat(m, fd, x) : refl->SetFloat(m, fd, x);
    }
    return true;
  }

  bool ParseEnum(const JsonField& f, Message* m, bool repeated, const JsonPath& path, int depth) {
    const FieldDescriptor* fd = f.descriptor;
    const auto* type = fd->enum_type();
    const Kind kind = r_.Peek();
    int number = 0;
    if (kind == Kind::kNumber) {
      std::string_view text;
      if (!r_.ReadNumber(&text)) return false;
      IntegerValue v;
      std::string problem;
      if (!ParseIntegerText(text, IntegerKind::kInt32, &v, &problem)) return Fail(path, problem);
      if (type->FindValueByNumber(static_cast<int>(v.s)) == nullptr) {
        return Fail(path, std::to_string(v.s) + " is not a value of enum " + type->name());
      }
      number = static_cast<int>(v.s);
    } else if (kind == Kind::kString) {
      std::string_view name;
      if (!r_.ReadString(&name, &scratch_)) return false;
      const auto* value = type->FindValueByName(std::string(name));
      if (value == nullptr) {
        return Fail(path, "\"" + std::string(name.substr(0, 40)) + "\" is not a value of enum " +
                              type->name());
      }
      number = value->number();
    } else {
      return TypeError(path, "an enum number or name", depth);
    }
    const Reflection* refl = m->GetReflection();
    repeated ? refl->AddEnumValue(m, fd, number) : refl->SetEnumValue(m, fd, number);
    return true;
  }

  JsonReader r_;
  Status error_;
  std::string scratch_;  // decoded text of the string being read
};

}  // namespace

Status ParseOtlpJson(std::string_view json, google::protobuf::Message* out) {
  out->Clear();
  // JSON text is UTF-8 (RFC 8259) and protobuf strings must be too: check everything once here
  // so the tokenizer can copy string bytes without looking at them.
  if (!simdjson::validate_utf8(json.data(), json.size())) {
    return Status::InvalidArgument("not valid UTF-8 at byte " + std::to_string(FirstBadUtf8(json)));
  }
  return JsonToMessage(json).Run(out);
}

}  // namespace vigil::otlp
