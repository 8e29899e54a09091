// Termination signals for the programs' main threads: block SIGTERM, SIGINT and SIGHUP in every
// thread (call before any thread starts), then wait for one synchronously on the main thread.
// No async-signal handler runs, so shutdown code is ordinary code.
#pragma once

namespace vigil::cli {

void BlockTerminationSignals();
// Returns the signal number received (SIGTERM, SIGINT or SIGHUP).
int WaitForSignal();

}  // namespace vigil::cli
