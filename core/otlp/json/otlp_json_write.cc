// ToOtlpJson: walks the message through protobuf reflection and appends compact JSON to one
// string, field by field in declaration order, leaving out fields that are not present.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include <charconv>
#include <cmath>
#include <string>

#include "core/otlp/json/bytes_text.h"
#include "core/otlp/json/json_field_table.h"
#include "core/otlp/json/json_path.h"
#include "core/otlp/json/otlp_json.h"
#include "core/text/quote.h"

namespace vigil::otlp {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

template <typename T>
void AppendNumber(T v, std::string* out) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);  // shortest round-trip form
  out->append(buf, r.ptr);
}

template <typename T>
void AppendFloating(T v, std::string* out) {
  if (std::isnan(v)) {
    out->append("\"NaN\"");
  } else if (std::isinf(v)) {
    out->append(v > 0 ? "\"Infinity\"" : "\"-Infinity\"");
  } else {
    AppendNumber(v, out);
  }
}

// 64-bit integers are JSON strings (proto3 JSON), so JavaScript readers keep every digit.
template <typename T>
void AppendQuotedNumber(T v, std::string* out) {
  out->push_back('"');
  AppendNumber(v, out);
  out->push_back('"');
}

class MessageToJson {
 public:
  Result<std::string> Run(const Message& m) {
    if (!WriteMessage(JsonFieldTable::For(m.GetDescriptor()), m, JsonPath(), 1)) return error_;
    return std::move(out_);
  }

 private:
  bool Fail(const JsonPath& path, std::string problem) {
    error_ = Status::InvalidArgument(path.Message(problem));
    return false;
  }

  bool WriteMessage(const JsonFieldTable& table, const Message& m, const JsonPath& path,
                    int depth) {
    if (depth > kMaxOtlpJsonDepth) {
      return Fail(
          path, "message nested deeper than " + std::to_string(kMaxOtlpJsonDepth) + " JSON levels");
    }
    const Reflection* refl = m.GetReflection();
    out_.push_back('{');
    bool first = true;
    for (const JsonField& f : table.fields()) {
      const FieldDescriptor* fd = f.descriptor;
      // HasField is true for set oneof members and `optional` fields even when zero, and for
      // other singular scalars only when they differ from the default: what proto3 JSON omits.
      const int count = fd->is_repeated() ? refl->FieldSize(m, fd) : refl->HasField(m, fd) ? 1 : 0;
      if (count == 0) continue;
      if (!first) out_.push_back(',');
      first = false;
      out_.push_back('"');
      out_.append(f.json_name);
      out_.append("\":");
      const JsonPath child = path.Key(f.json_name);
      if (!fd->is_repeated()) {
        if (!WriteValue(f, m, -1, child, depth + 1)) return false;
        continue;
      }
      if (depth + 1 > kMaxOtlpJsonDepth) {
        return Fail(child, "message nested deeper than " + std::to_string(kMaxOtlpJsonDepth) +
                               " JSON levels");
      }
      out_.push_back('[');
      for (int i = 0; i < count; ++i) {
        if (i > 0) out_.push_back(',');
        if (!WriteValue(f, m, i, child.Index(i), depth + 2)) return false;
      }
      out_.push_back(']');
    }
    out_.push_back('}');
    return true;
  }

  // Writes field `f` of `m`: element `i` of a repeated field, or the singular value if i < 0.
  bool WriteValue(const JsonField& f, const Message& m, int i, const JsonPath& path, int depth) {
    const FieldDescriptor* fd = f.descriptor;
    const Reflection* refl = m.GetReflection();
    const bool rep = i >= 0;
    switch (fd->cpp_type()) {
      case FieldDescriptor::CPPTYPE_MESSAGE:
        return WriteMessage(*f.message,
                            rep ? refl->GetRepeatedMessage(m, fd, i) : refl->GetMessage(m, fd),
                            path, depth);
      case FieldDescriptor::CPPTYPE_STRING: {
        std::string scratch;
        const std::string& s = rep ? refl->GetRepeatedStringReference(m, fd, i, &scratch)
                                   : refl->GetStringReference(m, fd, &scratch);
        if (fd->type() != FieldDescriptor::TYPE_BYTES) {
          text::AppendJsonQuoted(&out_, s);
        } else if (f.hex_id_bytes != 0) {
          if (s.size() != f.hex_id_bytes) {
            return Fail(path, "id of " + std::to_string(s.size()) + " bytes, expected " +
                                  std::to_string(f.hex_id_bytes));
          }
          out_.push_back('"');
          AppendHex(s, &out_);
          out_.push_back('"');
        } else {
          out_.push_back('"');
          AppendBase64(s, &out_);
          out_.push_back('"');
        }
        return true;
      }
      case FieldDescriptor::CPPTYPE_BOOL:
        out_.append((rep ? refl->GetRepeatedBool(m, fd, i) : refl->GetBool(m, fd)) ? "true"
                                                                                   : "false");
        return true;
      case FieldDescriptor::CPPTYPE_ENUM:
        AppendNumber(rep ? refl->GetRepeatedEnumValue(m, fd, i) : refl->GetEnumValue(m, fd), &out_);
        return true;
      case FieldDescriptor::CPPTYPE_INT32:
        AppendNumber(rep ? refl->GetRepeatedInt32(m, fd, i) : refl->GetInt32(m, fd), &out_);
        return true;
      case FieldDescriptor::CPPTYPE_UINT32:
        AppendNumber(rep ? refl->GetRepeatedUInt32(m, fd, i) : refl->GetUInt32(m, fd), &out_);
        return true;
      case FieldDescriptor::CPPTYPE_INT64:
        AppendQuotedNumber(rep ? refl->GetRepeatedInt64(m, fd, i) : refl->GetInt64(m, fd), &out_);
        return true;
      case FieldDescriptor::CPPTYPE_UINT64:
        AppendQuotedNumber(rep ? refl->GetRepeatedUInt64(m, fd, i) : refl->GetUInt64(m, fd), &out_);
        return true;
      case FieldDescriptor::CPPTYPE_DOUBLE:
        AppendFloating(rep ? refl->GetRepeatedDouble(m, fd, i) : refl->GetDouble(m, fd), &out_);
        return true;
      case FieldDescriptor::CPPTYPE_FLOAT:
        AppendFloating(rep ? refl->GetRepeatedFloat(m, fd, i) : refl->GetFloat(m, fd), &out_);
        return true;
    }
    return Fail(path, "unsupported field type");
  }

  std::string out_;
  Status error_;
};

}  // namespace

Result<std::string> ToOtlpJson(const google::protobuf::Message& m) {
  return MessageToJson().Run(m);
}

}  // namespace vigil::otlp
