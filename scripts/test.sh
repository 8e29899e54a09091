#!/usr/bin/env bash
# The full check: dependencies, a RelWithDebInfo build in build/ with the whole ctest suite,
# then an AddressSanitizer + UndefinedBehaviorSanitizer build in build-asan/ running the suite
# again. Exits non-zero if either suite fails (both always run).
# Env: JOBS (default: nproc), SKIP_ASAN=1 to run only the normal suite, BUILD_DIR and
# ASAN_BUILD_DIR to build elsewhere than build/ and build-asan/.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
jobs=${JOBS:-$(nproc)}
export JOBS=$jobs

"$repo/scripts/install-deps.sh"

run_suite() {  # name build_dir cmake-args...
  local name=$1 dir=$2
  shift 2
  echo "=== $name: build ($dir) ==="
  if ! "$repo/scripts/build.sh" "$dir" "$@"; then
    echo "=== $name: BUILD FAILED ==="
    return 1
  fi
  echo "=== $name: ctest ==="
  if ! (cd "$dir" && ctest --output-on-failure -j "$jobs"); then
    # Debian's gRPC 1.51 sometimes trips its own refcount check ("assertion failed: prior > 0",
    # a double free under ASan) while tearing down a failed TLS handshake: about 1 run in 40 of
    # the gRPC TLS tests on a loaded machine. Failed tests get one more run, named loudly; a
    # test that fails twice fails the suite.
    echo "=== $name: re-running the failed tests once ==="
    if ! (cd "$dir" && ctest --rerun-failed --output-on-failure); then
      echo "=== $name: TESTS FAILED ==="
      return 1
    fi
    echo "=== $name: FLAKY: the tests above failed once and passed when re-run ==="
  fi
  echo "=== $name: all tests passed ==="
}

status=0
run_suite normal "${BUILD_DIR:-$repo/build}" -DCMAKE_BUILD_TYPE=RelWithDebInfo || status=1
if [[ ${SKIP_ASAN:-0} != 1 ]]; then
  # Leaks are errors too; halt_on_error keeps the first report readable.
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:abort_on_error=0}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
  run_suite asan+ubsan "${ASAN_BUILD_DIR:-$repo/build-asan}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DVIGIL_SANITIZE=ON -DVIGIL_BUILD_BENCH=OFF || status=1
fi

if [[ $status -eq 0 ]]; then
  echo "test: everything passed"
else
  echo "test: FAILED (see above)"
fi
exit $status
