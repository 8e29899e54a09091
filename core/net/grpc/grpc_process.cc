#include "core/net/grpc/grpc_process.h"

#include <grpc/grpc.h>
#include <grpc/support/log.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <mutex>

namespace vigil::net {
namespace {

// The default logger, held by a pointer that is never deleted: gRPC's threads outlive static
// destruction (see InitGrpcProcess), and spdlog's registry is destroyed then.
std::shared_ptr<spdlog::logger>* g_logger = nullptr;

void ToSpdlog(gpr_log_func_args* args) {
  // gRPC reports at ERROR what vigil also turns into a Status (a port in use, a call failed);
  // a warning keeps its detail visible without claiming the program failed.
  const auto level =
      args->severity == GPR_LOG_SEVERITY_ERROR ? spdlog::level::warn : spdlog::level::debug;
  (*g_logger)->log(level, "grpc: {} ({}:{})", args->message, args->file, args->line);
}

}  // namespace

void InitGrpcProcess() {
  static std::once_flag once;
  std::call_once(once, [] {
    g_logger = new std::shared_ptr<spdlog::logger>(spdlog::default_logger());
    gpr_set_log_function(&ToSpdlog);
    grpc_init();  // never matched by grpc_shutdown(): see the header
  });
}

}  // namespace vigil::net
