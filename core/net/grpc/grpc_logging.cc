#include "core/net/grpc/grpc_logging.h"

#include <grpc/support/log.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <mutex>

namespace vigil::net {
namespace {

// The default logger, held by a pointer that is never deleted: gRPC's threads may log during
// static destruction (see RouteGrpcLogsToSpdlog), when spdlog's registry is already gone.
std::shared_ptr<spdlog::logger>* g_logger = nullptr;

void ToSpdlog(gpr_log_func_args* args) {
  // gRPC reports at ERROR what vigil also turns into a Status (a port in use, a call failed);
  // a warning keeps its detail visible without claiming the program failed.
  const auto level =
      args->severity == GPR_LOG_SEVERITY_ERROR ? spdlog::level::warn : spdlog::level::debug;
  (*g_logger)->log(level, "grpc: {} ({}:{})", args->message, args->file, args->line);
}

}  // namespace

void RouteGrpcLogsToSpdlog() {
  static std::once_flag once;
  std::call_once(once, [] {
    g_logger = new std::shared_ptr<spdlog::logger>(spdlog::default_logger());
    gpr_set_log_function(&ToSpdlog);
  });
}

}  // namespace vigil::net
