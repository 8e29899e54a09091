#!/usr/bin/env bash
# Alert-rule conformance suite: vigil's PromQL engine and rule semantics against Prometheus's.
#
# tests/rules/conformance/ holds rule unit-test files in promtool's format (NN_topic.test.yaml,
# each with the rule file it names, NN_topic.rules.yaml or a shared one). Every expected value in
# them is what Prometheus 2.42's own engine computes (Debian's promtool), float for float:
# selectors and matchers, offset, lookback and staleness, rate/irate/increase/delta with
# extrapolation and counter resets, the *_over_time family, histogram_quantile over classic le
# buckets, math and label functions, aggregations, operators and vector matching, number and
# duration literals; and rule semantics: recording-rule chains, error-ratio, latency and
# burn-rate alerts, `for` and keep_firing_for timing step by step, templates ($labels, $value,
# $externalLabels, humanize*, printf), external_labels, group order and limit, the ALERTS and
# ALERTS_FOR_STATE series. Each file's header comment says what it pins down.
#
# For every *.test.yaml this script runs
#   1. `promtool test rules FILE`: must pass, or the file itself is wrong (the reference);
#   2. `vigil-collector test-rules FILE`: must pass, or vigil differs from Prometheus.
# It prints one line per file and the totals, and on any failure names the file and shows both
# tools' output. Exit status 0 only when every file passes under both.
#
# Usage: rules_conformance_test.sh BUILD_DIR
#   PROMTOOL=/path/to/promtool  overrides the reference binary (default: promtool on PATH).
#   ONLY=pattern                 runs only files whose name matches the glob (e.g. ONLY='2*').
#   TIMEOUT=seconds              per tool and file (default 60), so a hang fails that file.
BUILD=$(cd "${1:?usage: rules_conformance_test.sh BUILD_DIR}" && pwd)
WORK=$(mktemp -d /tmp/vigil-rules-conf.XXXXXX)
source "$(dirname "$0")/lib.sh"

SUITE=$(cd "$(dirname "$0")/../rules/conformance" && pwd)
COLLECTOR=$BUILD/collector/vigil-collector
PROMTOOL=${PROMTOOL:-$(command -v promtool || true)}
TIMEOUT=${TIMEOUT:-60}
[ -n "$PROMTOOL" ] && [ -x "$PROMTOOL" ] || fail "promtool not found (apt-get install prometheus)"
[ -x "$COLLECTOR" ] || fail "$COLLECTOR not built"
# An older binary would take the unknown subcommand for a normal start and run as a server.
timeout 10 "$COLLECTOR" --help 2>&1 | grep -q "test-rules" ||
  fail "$COLLECTOR has no test-rules subcommand (rebuild it)"

shopt -s nullglob
FILES=("$SUITE"/${ONLY:-*}.test.yaml)
[ ${#FILES[@]} -gt 0 ] || fail "no *.test.yaml files in $SUITE"

passed=0
failed=()
for f in "${FILES[@]}"; do
  name=$(basename "$f")
  p_rc=0
  v_rc=0
  # Both tools resolve rule_files relative to the test file; run them from the suite directory
  # so their reports name the file the same way.
  (cd "$SUITE" && timeout "$TIMEOUT" "$PROMTOOL" test rules "$name") >"$WORK/$name.promtool" 2>&1 ||
    p_rc=$?
  (cd "$SUITE" && timeout "$TIMEOUT" "$COLLECTOR" test-rules "$name") </dev/null >"$WORK/$name.vigil" 2>&1 ||
    v_rc=$?
  p_res=$([ $p_rc -eq 0 ] && echo pass || echo "FAIL($p_rc)")
  v_res=$([ $v_rc -eq 0 ] && echo pass || echo "FAIL($v_rc)")
  printf '%-44s promtool %-8s vigil %s\n' "$name" "$p_res" "$v_res"
  if [ $p_rc -eq 0 ] && [ $v_rc -eq 0 ]; then
    passed=$((passed + 1))
  else
    failed+=("$name")
  fi
done

echo "rules conformance: ${#FILES[@]} files, $passed passed under both, ${#failed[@]} failed"
if [ ${#failed[@]} -gt 0 ]; then
  for name in "${failed[@]}"; do
    {
      echo "==== $name"
      echo "---- promtool test rules:"
      cat "$WORK/$name.promtool"
      echo "---- vigil-collector test-rules:"
      cat "$WORK/$name.vigil"
    } >&2
  done
  echo "FAIL: ${failed[*]}" >&2
  exit 1
fi
