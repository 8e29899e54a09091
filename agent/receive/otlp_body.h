// The OTLP/HTTP body formats the agent's receiver speaks: which Content-Type means which
// encoding, parsing an Export*ServiceRequest from either, and writing answers (the
// Export*ServiceResponse, or a google.rpc.Status for errors) in the request's own encoding,
// as the OTLP/HTTP specification asks. Free functions; stateless and thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/net/http_types.h"
#include "core/status.h"

namespace google::protobuf {
class Message;
}  // namespace google::protobuf

namespace vigil::agent::receive {

enum class BodyFormat { kProtobuf, kJson };

inline constexpr std::string_view kProtobufType = "application/x-protobuf";
inline constexpr std::string_view kJsonType = "application/json";

// "application/x-protobuf" or "application/json" (any case, parameters such as charset
// ignored). Anything else, or nothing, is InvalidArgument saying what is accepted.
Result<BodyFormat> ParseBodyFormat(std::string_view content_type);

// Parses `body` into `out` (cleared first). Errors are InvalidArgument and say what was wrong:
// for protobuf, that the bytes are truncated or not the expected message, or that they decode
// to nothing but unknown fields (garbage that happens to parse); for JSON, the codec's message
// with the JSON path of the bad value.
Status ParseRequest(BodyFormat format, std::string_view body, google::protobuf::Message* out);

// A 200 carrying `message` in `format`.
net::HttpResponse EncodedResponse(BodyFormat format, const google::protobuf::Message& message);

// An error reply whose body is a google.rpc.Status{code, message} in `format` (protobuf, or
// {"code":..,"message":".."} JSON). `rpc_code` is the gRPC code matching the HTTP status.
net::HttpResponse StatusResponse(int http_status, int rpc_code, BodyFormat format,
                                 const std::string& message);

// google.rpc.Code values used by the receiver.
inline constexpr int kRpcInvalidArgument = 3;
inline constexpr int kRpcResourceExhausted = 8;
inline constexpr int kRpcUnimplemented = 12;
inline constexpr int kRpcUnavailable = 14;

}  // namespace vigil::agent::receive
