#!/usr/bin/env bash
# Configures (Ninja, ccache when present) and builds vigil.
# Usage: scripts/build.sh [BUILD_DIR] [extra cmake args...]
#   BUILD_DIR defaults to build/ under the repository; a relative path is taken from the
#   current directory. Extra args go to the configure step, e.g.
#   scripts/build.sh build-asan -DVIGIL_SANITIZE=ON -DVIGIL_BUILD_BENCH=OFF
# Env: JOBS (default: nproc).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${1:-$repo/build}
if [[ $# -gt 0 ]]; then shift; fi
jobs=${JOBS:-$(nproc)}

launcher=()
if command -v ccache >/dev/null 2>&1; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi

cmake -S "$repo" -B "$build_dir" -G Ninja "${launcher[@]}" "$@"
cmake --build "$build_dir" -j "$jobs"

build_dir=$(cd "$build_dir" && pwd)
echo
echo "build: binaries in $build_dir"
for bin in agent/vigil-agent collector/vigil-collector tools/vigil-loadgen; do
  if [[ -x $build_dir/$bin ]]; then
    echo "  $build_dir/$bin"
  fi
done
echo "  tests: (cd $build_dir && ctest --output-on-failure)"
