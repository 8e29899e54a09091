#!/usr/bin/env bash
# Installs vigil's build and test dependencies from Debian packages (Debian 12 / bookworm).
# Idempotent: only missing packages are installed, and `apt-get update` runs only if one is.
# Works as root; otherwise uses sudo.
set -euo pipefail

packages=(
  cmake ninja-build g++ pkg-config ccache
  prometheus-cpp-dev libsimdjson-dev libzstd-dev libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev libprotobuf-dev protobuf-compiler libyaml-cpp-dev libsnappy-dev
  libboost-dev libboost-system-dev libssl-dev zlib1g-dev libbenchmark-dev libgrpc++-dev
  prometheus prometheus-alertmanager jq curl bc
)

# ---- tests/interop: npm packages of the OTLP interop test and span benchmark -----------------
# `npm ci` in tests/interop when node_modules is missing or package-lock.json changed since the
# last install (a hash stamp in node_modules). It must run after the Debian part, which may
# install node and which ends with an early `exit 0` when nothing is missing: hence the EXIT
# trap. Needs node >= 18.19 (the pinned OpenTelemetry JS SDK's minimum).
interop_npm_ci() {
  local rc=$?
  [[ $rc -eq 0 ]] || exit "$rc"
  local dir stamp want
  dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/interop"
  [[ -f "$dir/package-lock.json" ]] || exit 0
  if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number);
      process.exit(a > 18 || (a === 18 && b >= 19) ? 0 : 1)'; then
    echo "install-deps: node $(node --version) is too old for tests/interop (needs >= 18.19)" >&2
    exit 1
  fi
  stamp="$dir/node_modules/.vigil-lock.sha256"
  want=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    echo "install-deps: tests/interop node_modules up to date"
    exit 0
  fi
  echo "install-deps: npm ci in tests/interop"
  if ! (cd "$dir" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error); then
    echo "install-deps: npm ci in tests/interop failed" >&2
    exit 1
  fi
  echo "$want" >"$stamp"
  exit 0
}
trap interop_npm_ci EXIT
# ---- end of tests/interop block ----------------------------------------------------------------

missing=()
for pkg in "${packages[@]}"; do
  # "install ok installed" only: a removed package can leave "deinstall ok config-files".
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done
# node/npm come from anywhere (nvm, NodeSource, Debian): only install Debian's if absent.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all dependencies present"
  exit 0
fi

if [[ $(id -u) -eq 0 ]]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  echo "install-deps: need root or sudo to install: ${missing[*]}" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
