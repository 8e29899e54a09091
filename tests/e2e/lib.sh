# Shared helpers for the end-to-end tests: free loopback ports, processes started by the test
# (and only those) killed on exit, polling with a bound, and reading a Prometheus text page.
# Sourced by *_test.sh; expects BUILD (the build directory) and WORK (a scratch directory).

set -euo pipefail

PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]:-}"; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]:-}"; do
    [ -n "$pid" ] && wait "$pid" 2>/dev/null || true
  done
  if [ "${KEEP_WORK:-0}" != 1 ] && [ -n "${WORK:-}" ]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  if [ -n "${WORK:-}" ]; then
    for f in "$WORK"/*.log; do
      [ -f "$f" ] || continue
      echo "---- tail of $f" >&2
      tail -n 30 "$f" >&2
    done
  fi
  exit 1
}

# A loopback port nothing listens on, below the kernel's ephemeral range (so no outgoing
# connection can be holding it) and not handed out before in this run (callers bind later, so
# "nothing listens yet" alone could return the same port twice). Runs in $(...) subshells,
# hence the record in a file.
free_port() {
  local lo=20000 hi p
  hi=$(awk '{print $1 - 1}' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32767)
  [ "$hi" -gt $((lo + 1000)) ] || hi=32767
  while :; do
    p=$((lo + RANDOM % (hi - lo)))
    grep -qx "$p" "$WORK/.ports" 2>/dev/null && continue
    if ! (echo >"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p" >>"$WORK/.ports"
      echo "$p"
      return
    fi
  done
}

# start NAME CMD...: runs CMD in the background with output in $WORK/NAME.log; sets LAST_PID.
start() {
  local name=$1
  shift
  "$@" >"$WORK/$name.log" 2>&1 &
  LAST_PID=$!
  PIDS+=("$LAST_PID")
}

# wait_for SECONDS DESCRIPTION CMD...: polls CMD every 0.2 s until it succeeds or time runs out.
wait_for() {
  local secs=$1 what=$2
  shift 2
  local deadline=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || fail "timed out after ${secs}s waiting for $what"
    sleep 0.2
  done
}

http_ok() { curl -fsS --max-time 2 "$1" >/dev/null; }

# stop_pid PID: SIGTERM, then wait; the exit code is left in STOP_RC. (Not usable as $(...):
# a subshell cannot wait for its parent's children.)
stop_pid() {
  local pid=$1
  STOP_RC=0
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" || STOP_RC=$?
}

# page_values URL FAMILY: prints "labels value" for each sample of FAMILY on a text page, with
# labels rendered as service|route|status (from service_name, http_route,
# http_response_status_code) and, when present, |quantile.
page_values() {
  curl -fsS --max-time 5 "$1" | awk -v fam="$2" '
    index($0, fam "{") == 1 {
      # Label values may hold braces (route templates): the label set ends at the last "} ".
      if (!match($0, /\}[ \t][^ \t]+$/)) next
      lbl = substr($0, length(fam) + 2, RSTART - length(fam) - 2)
      val = $NF
      s = ""; r = ""; c = ""; q = ""
      n = split(lbl, parts, /",/)
      for (i = 1; i <= n; i++) {
        kv = parts[i]; eq = index(kv, "=")
        k = substr(kv, 1, eq - 1); v = substr(kv, eq + 2); sub(/"$/, "", v)
        if (k == "service_name") s = v
        else if (k == "http_route") r = v
        else if (k == "http_response_status_code") c = v
        else if (k == "quantile") q = v
      }
      key = s "|" r "|" c
      if (q != "") key = key "|" q
      print key, val
    }'
}

# truth FILES...: exact per-series figures from the log lines themselves:
# "service|route|status count errors p50 p95 p99" (nearest-rank quantiles, seconds).
truth() {
  cat "$@" | jq -r 'select(.duration_ms != null) |
      [.service, .route, (.status|tostring), .duration_ms, .level] | @tsv' |
    awk -F'\t' '{
      key = $1 "|" $2 "|" $3
      err = ($3 + 0 >= 500 || $5 == "error" || $5 == "fatal" || $5 == "critical" || $5 == "panic") ? 1 : 0
      printf "%s\t%.9f\t%d\n", key, $4 / 1000.0, err
    }' | sort -t$'\t' -k1,1 -k2,2g |
    awk -F'\t' '
      function flush() {
        if (n == 0) return
        printf "%s %d %d %.9f %.9f %.9f\n", key, n, errs, v[rank(0.5)], v[rank(0.95)], v[rank(0.99)]
      }
      function rank(q,   r) { r = int(q * n); if (r < q * n) r++; if (r < 1) r = 1; return r }
      $1 != key { flush(); key = $1; n = 0; errs = 0; delete v }
      { n++; v[n] = $2; errs += $3 }
      END { flush() }'
}

# has_option PROGRAM SECTION KEY: --describe-config lists KEY inside the top-level SECTION (a
# test checks the features it exercises up front, so a missing one fails with its name).
has_option() {
  "$1" --describe-config 2>&1 | awk -v s="$2" -v k="$3" '
    /^[^ #]/ { in_s = (index($0, s ":") == 1) }
    in_s && index($0, "  " k ":") == 1 { found = 1 }
    END { exit !found }'
}

# require_interop PACKAGE: node new enough for the OpenTelemetry SDK pinned in tests/interop,
# and that package installed in tests/interop/node_modules. Expects INTEROP.
require_interop() {
  command -v node >/dev/null || fail "node is not installed (scripts/install-deps.sh)"
  node -e 'const [a, b] = process.versions.node.split(".").map(Number);
    process.exit(a > 18 || (a === 18 && b >= 19) ? 0 : 1)' ||
    fail "node $(node --version) is too old: the OpenTelemetry SDK pinned in tests/interop needs >= 18.19"
  [ -d "$INTEROP/node_modules/$1" ] ||
    fail "tests/interop/node_modules lacks $1: run scripts/install-deps.sh (npm ci in tests/interop)"
}
