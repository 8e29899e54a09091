// Test helper for the gRPC tests: one blocking unary call through gRPC's generic stub (the raw
// request bytes in, the status and raw response bytes out), the way an OTLP/gRPC SDK calls.
#pragma once

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <future>
#include <string>
#include <utility>
#include <vector>

namespace vigil::net::testing {

struct GrpcCallResult {
  ::grpc::Status status;
  std::string response;
};

struct GrpcCallOptions {
  bool gzip = false;
  std::vector<std::pair<std::string, std::string>> metadata;
  std::chrono::milliseconds deadline{5000};
  int max_send_bytes = -1;  // -1: unlimited
};

inline GrpcCallResult GrpcCall(uint16_t port, const std::string& method, const std::string& body,
                               const GrpcCallOptions& opts = {}) {
  ::grpc::ChannelArguments args;
  args.SetMaxSendMessageSize(opts.max_send_bytes);
  auto channel = ::grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(port),
                                             ::grpc::InsecureChannelCredentials(), args);
  ::grpc::GenericStub stub(channel);
  ::grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + opts.deadline);
  if (opts.gzip) ctx.set_compression_algorithm(GRPC_COMPRESS_GZIP);
  for (const auto& [k, v] : opts.metadata) ctx.AddMetadata(k, v);
  ::grpc::Slice slice(body);
  ::grpc::ByteBuffer request(&slice, 1), response;
  std::promise<::grpc::Status> done;
  stub.UnaryCall(&ctx, method, ::grpc::StubOptions(), &request, &response,
                 [&done](::grpc::Status s) { done.set_value(std::move(s)); });
  GrpcCallResult out;
  out.status = done.get_future().get();
  std::vector<::grpc::Slice> slices;
  if (out.status.ok() && response.Dump(&slices).ok()) {
    for (const auto& s : slices)
      out.response.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  return out;
}

}  // namespace vigil::net::testing
