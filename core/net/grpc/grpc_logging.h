// Routes gRPC's own log lines (gpr_log) through spdlog, so they share the programs' format,
// level and destination instead of gRPC's stderr format. Process-wide; thread-safe.
#pragma once

namespace vigil::net {

// Installs the route once; later calls do nothing. GrpcServer and OtlpGrpcExporter call it
// before creating any gRPC object.
//
// gRPC's threads can still log while the process exits: the last transport of a failed TLS
// handshake is destroyed on gRPC's callback thread, after the server and channel that made it,
// and gRPC's own teardown may then run on a detached thread. The route therefore logs through a
// logger reference that is never released, so it never reaches spdlog's registry after static
// destruction has freed it.
void RouteGrpcLogsToSpdlog();

}  // namespace vigil::net
