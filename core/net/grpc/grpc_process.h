// Process-wide gRPC set-up shared by GrpcServer and OtlpGrpcExporter: gRPC's own log lines
// (gpr_log) go through spdlog, so they share the programs' format, level and destination, and
// the gRPC library stays initialized until the process exits. Thread-safe; idempotent.
#pragma once

namespace vigil::net {

// The first call installs the log route and takes a gRPC library reference that is never
// released; later calls do nothing. Call before creating any gRPC object.
//
// Why the reference: gRPC tears itself down when its last reference goes, and when that last
// reference is dropped on one of gRPC's own threads (a failed TLS handshake's transport is
// destroyed there, after the server and channel that made it), the teardown runs on a detached
// thread that races the process's exit. Holding one reference for the process's lifetime means
// the teardown never starts.
void InitGrpcProcess();

}  // namespace vigil::net
