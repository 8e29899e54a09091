#!/usr/bin/env bash
# Installs vigil's build and test dependencies from Debian packages (Debian 12 / bookworm).
# Idempotent: only missing packages are installed, and `apt-get update` runs only if one is.
# Works as root; otherwise uses sudo.
set -euo pipefail

packages=(
  cmake ninja-build g++ pkg-config ccache
  prometheus-cpp-dev libsimdjson-dev libzstd-dev libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev libprotobuf-dev protobuf-compiler libyaml-cpp-dev libsnappy-dev
  libboost-dev libboost-system-dev libssl-dev zlib1g-dev libbenchmark-dev
  prometheus prometheus-alertmanager jq curl
)

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
