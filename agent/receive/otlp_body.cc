#include "agent/receive/otlp_body.h"

#include <google/protobuf/message.h>
#include <google/protobuf/unknown_field_set.h>

#include <algorithm>
#include <cctype>

#include "core/otlp/json/otlp_json.h"
#include "core/otlp/wire_writer.h"
#include "core/text/quote.h"

namespace vigil::agent::receive {
namespace {

std::string MediaType(std::string_view content_type) {
  std::string_view t = content_type.substr(0, content_type.find(';'));
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
  std::string out(t);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// True when the message has no known field set at all but carries unknown ones: what bytes
// that are not OTLP usually decode to when they happen to be valid protobuf wire format.
bool OnlyUnknownFields(const google::protobuf::Message& m) {
  const google::protobuf::Reflection* r = m.GetReflection();
  std::vector<const google::protobuf::FieldDescriptor*> set;
  r->ListFields(m, &set);
  return set.empty() && !r->GetUnknownFields(m).empty();
}

}  // namespace

Result<BodyFormat> ParseBodyFormat(std::string_view content_type) {
  const std::string media = MediaType(content_type);
  if (media == kProtobufType) return BodyFormat::kProtobuf;
  if (media == kJsonType) return BodyFormat::kJson;
  if (media.empty()) {
    return Status::InvalidArgument(
        "missing Content-Type; send application/x-protobuf or application/json");
  }
  return Status::InvalidArgument("unsupported Content-Type '" + media +
                                 "'; send application/x-protobuf or application/json");
}

Status ParseRequest(BodyFormat format, std::string_view body, google::protobuf::Message* out) {
  const std::string& type = out->GetDescriptor()->name();
  if (format == BodyFormat::kJson) {
    Status s = otlp::ParseOtlpJson(body, out);
    if (!s.ok()) return Status::InvalidArgument("invalid OTLP/JSON " + type + ": " + s.message());
    return Status::Ok();
  }
  out->Clear();
  if (!out->ParseFromArray(body.data(), static_cast<int>(body.size()))) {
    return Status::InvalidArgument("truncated or malformed protobuf " + type + " (" +
                                   std::to_string(body.size()) + " bytes)");
  }
  if (OnlyUnknownFields(*out)) {
    return Status::InvalidArgument("the body (" + std::to_string(body.size()) +
                                   " bytes) holds no " + type +
                                   " field: not OTLP, or another signal's message");
  }
  return Status::Ok();
}

net::HttpResponse EncodedResponse(BodyFormat format, const google::protobuf::Message& message) {
  net::HttpResponse r;
  r.status = 200;
  if (format == BodyFormat::kJson) {
    r.content_type = std::string(kJsonType);
    Result<std::string> json = otlp::ToOtlpJson(message);
    // A response message holds only a count and a text: it always has a JSON form.
    r.body = json.ok() ? std::move(json).value() : "{}";
  } else {
    r.content_type = std::string(kProtobufType);
    message.SerializeToString(&r.body);
  }
  return r;
}

net::HttpResponse StatusResponse(int http_status, int rpc_code, BodyFormat format,
                                 const std::string& message) {
  net::HttpResponse r;
  r.status = http_status;
  if (format == BodyFormat::kJson) {
    r.content_type = std::string(kJsonType);
    r.body =
        "{\"code\":" + std::to_string(rpc_code) + ",\"message\":" + text::JsonQuoted(message) + "}";
  } else {
    r.content_type = std::string(kProtobufType);
    otlp::WireWriter w(&r.body);  // google.rpc.Status: 1 int32 code, 2 string message
    w.Int32(1, rpc_code);
    w.String(2, message);
  }
  return r;
}

}  // namespace vigil::agent::receive
