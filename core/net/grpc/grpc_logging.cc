#include "core/net/grpc/grpc_logging.h"

#include <grpc/support/log.h>
#include <spdlog/spdlog.h>

#include <mutex>

namespace vigil::net {
namespace {

void ToSpdlog(gpr_log_func_args* args) {
  // gRPC reports at ERROR what vigil also turns into a Status (a port in use, a call failed);
  // a warning keeps its detail visible without claiming the program failed.
  const auto level =
      args->severity == GPR_LOG_SEVERITY_ERROR ? spdlog::level::warn : spdlog::level::debug;
  spdlog::log(level, "grpc: {} ({}:{})", args->message, args->file, args->line);
}

}  // namespace

void RouteGrpcLogsToSpdlog() {
  static std::once_flag once;
  std::call_once(once, [] { gpr_set_log_function(&ToSpdlog); });
}

}  // namespace vigil::net
