// Test helper: a real Alertmanager (Debian's /usr/bin/prometheus-alertmanager) on a free
// loopback port, with clustering off, a throw-away storage directory and a config routing
// everything to one receiver that notifies nobody. Start() waits until /-/ready answers 200;
// the destructor kills the process by its PID and removes the directory. One owner thread.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/net/event_loop.h"
#include "core/status.h"
#include "tests/exporters/alertmanager/sync_http.h"

namespace vigil::testing {

inline constexpr char kAlertmanagerBinary[] = "/usr/bin/prometheus-alertmanager";

class AlertmanagerProcess {
 public:
  static bool Installed() { return ::access(kAlertmanagerBinary, X_OK) == 0; }

  // `loop` (running) is used to poll readiness.
  static Result<std::unique_ptr<AlertmanagerProcess>> Start(net::EventLoop& loop) {
    std::unique_ptr<AlertmanagerProcess> p(new AlertmanagerProcess());
    char tmpl[] = "/tmp/vigil-am-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) return Status::Internal("mkdtemp failed");
    p->dir_ = tmpl;
    std::ofstream(p->dir_ + "/alertmanager.yml") << "route:\n"
                                                    "  receiver: blackhole\n"
                                                    "receivers:\n"
                                                    "  - name: blackhole\n";
    p->port_ = FreeLoopbackPort();
    std::vector<std::string> args = {
        kAlertmanagerBinary,
        "--web.listen-address=127.0.0.1:" + std::to_string(p->port_),
        "--cluster.listen-address=",
        "--storage.path=" + p->dir_ + "/data",
        "--config.file=" + p->dir_ + "/alertmanager.yml",
        "--log.level=warn",
    };
    const std::string log = p->dir_ + "/alertmanager.log";
    // Everything the child needs is prepared before fork: the test has threads running, so
    // the child may only make async-signal-safe calls.
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    p->pid_ = ::fork();
    if (p->pid_ < 0) return Status::Internal("fork failed");
    if (p->pid_ == 0) {
      if (log_fd >= 0) {
        ::dup2(log_fd, 1);
        ::dup2(log_fd, 2);
      }
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    if (log_fd >= 0) ::close(log_fd);
    // Ready once the HTTP API answers; the process exiting early means a bad start.
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < end) {
      int wstatus = 0;
      if (::waitpid(p->pid_, &wstatus, WNOHANG) == p->pid_) {
        p->pid_ = -1;
        return Status::Internal("alertmanager exited at start; see " + log);
      }
      auto r = SyncGet(loop, p->url(), "/-/ready");
      if (r.ok() && r->status == 200) return p;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return Status::DeadlineExceeded("alertmanager not ready after 10s; see " + log);
  }

  ~AlertmanagerProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (!dir_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
    }
  }
  AlertmanagerProcess(const AlertmanagerProcess&) = delete;
  AlertmanagerProcess& operator=(const AlertmanagerProcess&) = delete;

  uint16_t port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  AlertmanagerProcess() = default;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  std::string dir_;
};

}  // namespace vigil::testing
