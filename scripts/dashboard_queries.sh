#!/usr/bin/env bash
# Runs every panel query of a Grafana dashboard against a live Prometheus and fails if any
# returns nothing: proof that the dashboard's PromQL matches what the collector exports.
#
# Usage: scripts/dashboard_queries.sh DASHBOARD_JSON PROM_URL [RANGE_SECONDS]
#        scripts/dashboard_queries.sh --print DASHBOARD_JSON [RANGE_SECONDS]
#   DASHBOARD_JSON  e.g. dashboards/vigil-red.json
#   PROM_URL        e.g. http://127.0.0.1:9090
#   RANGE_SECONDS   window substituted for $__rate_interval (default 60 -> "60s")
#   --print         only print the substituted queries, one a line (no Prometheus needed)
#
# Template variables: $service/$route (any spelling: $x, ${x}, ${x:regex}) become ".*",
# $__rate_interval / $__interval / $__range become RANGE_SECONDS. ${datasource} does not occur
# in expressions (it selects the datasource) and is left alone.
# Output: one line per query, "OK <series> <expr>"; exit 1 on the first query with an empty
# result or an error (printing the query and Prometheus's answer), 2 on bad usage.
# Needs jq and curl.
set -euo pipefail

usage() {
  sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

print_only=0
if [[ ${1:-} == --print ]]; then
  print_only=1
  shift
  [[ $# -ge 1 && $# -le 2 ]] || usage
  dashboard=$1
  range=${2:-60}
else
  [[ $# -ge 2 && $# -le 3 ]] || usage
  dashboard=$1
  prom_url=${2%/}
  range=${3:-60}
fi
[[ -r $dashboard ]] || { echo "dashboard_queries: cannot read '$dashboard'" >&2; exit 2; }
[[ $range =~ ^[1-9][0-9]*$ ]] || { echo "dashboard_queries: RANGE_SECONDS must be a positive integer, got '$range'" >&2; exit 2; }
for tool in jq curl; do
  command -v "$tool" >/dev/null || { echo "dashboard_queries: '$tool' not found (scripts/install-deps.sh installs it)" >&2; exit 2; }
done

# Panels may sit inside rows (.panels[].panels[]); hidden targets are still checked.
if ! exprs=$(jq -r '[.panels[]? | recurse(.panels[]?) | .targets[]? | select(.expr != null) | .expr] | .[]' "$dashboard"); then
  echo "dashboard_queries: $dashboard is not valid dashboard JSON" >&2
  exit 2
fi
if [[ -z $exprs ]]; then
  echo "dashboard_queries: $dashboard has no panel queries" >&2
  exit 1
fi

substitute() {
  sed -E \
    -e 's/\$\{(service|route)(:[a-z]+)?\}/.*/g' \
    -e 's/\$(service|route)\b/.*/g' \
    -e "s/\\\$\\{?__(rate_interval|interval|range)\\}?/${range}s/g"
}

count=0
while IFS= read -r raw; do
  query=$(printf '%s\n' "$raw" | substitute)
  if [[ $print_only == 1 ]]; then
    printf '%s\n' "$query"
    continue
  fi
  if ! answer=$(curl -sS --max-time 30 --get "$prom_url/api/v1/query" --data-urlencode "query=$query" 2>&1); then
    echo "FAIL (request failed) $query" >&2
    echo "  $answer" >&2
    exit 1
  fi
  status=$(jq -r '.status // "unparsable"' <<<"$answer" 2>/dev/null || echo unparsable)
  if [[ $status != success ]]; then
    echo "FAIL (status $status) $query" >&2
    echo "  $answer" >&2
    exit 1
  fi
  series=$(jq -r '.data.result | length' <<<"$answer")
  if [[ $series -eq 0 ]]; then
    echo "FAIL (empty result) $query" >&2
    exit 1
  fi
  printf 'OK %4d series  %s\n' "$series" "$query"
  count=$((count + 1))
done <<<"$exprs"
[[ $print_only == 1 ]] || echo "dashboard_queries: all $count queries returned data"
