// Routes gRPC's own log lines (gpr_log) through spdlog, so they share the programs' format,
// level and destination instead of gRPC's stderr format. Process-wide; thread-safe.
#pragma once

namespace vigil::net {

// Installs the route once; later calls do nothing. GrpcServer and OtlpGrpcExporter call it.
void RouteGrpcLogsToSpdlog();

}  // namespace vigil::net
