#!/usr/bin/env node
'use strict';
// Compares what send_workload.js sent (its --expect file) with what reached the sink (sink.js
// files) and, optionally, with the collector's Prometheus page:
//  - spans: every span arrived exactly once, unchanged (ids, name, kind, timestamps, attributes
//    of every type, events, links, status, flags), with its resource and scope unchanged;
//  - logs: every record arrived exactly once, unchanged (body of every kind, severity,
//    attributes, trace/span ids, flags, timestamps), with its resource and scope;
//  - metrics: the latest exported point of each series equals the totals that were recorded
//    (counter and up-down totals, gauge last value, histogram count/sum/buckets, exponential
//    histogram count/sum/zero count), exported as CUMULATIVE; and the span-derived
//    http.server.request.duration counts (and .errors) equal the spans sent per
//    service/route/status;
//  - with --prom URL: http_server_request_duration_window_seconds{quantile="0.99"} of every
//    service/route/status is within 1% of the exact (nearest-rank) p99 of the durations sent,
//    and the page's _count and errors_total equal the spans (and those with status >= 500) sent.
// With --wait S the checks are repeated until they pass or S seconds went by (data arrives
// asynchronously); the failures of the last round are printed and the exit code is 1.
// Usage: node check.js --expected FILE --sink DIR [--prom URL] [--wait S] [--only a,b]

const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { b64ToHex, parseArgs } = require('./lib/otlp');

const args = parseArgs(process.argv.slice(2), { expected: '', sink: '', prom: '', wait: 0,
  only: 'spans,logs,metrics,red,p99', tolerance: 0.01 });
if (!args.expected || !args.sink) {
  console.error('usage: check.js --expected FILE --sink DIR [--prom URL] [--wait S] [--only LIST]');
  process.exit(2);
}
const only = new Set(args.only.split(','));
const expected = JSON.parse(fs.readFileSync(args.expected, 'utf8'));

// ---- helpers ----------------------------------------------------------------------------------

function readJsonl(file) {
  if (!fs.existsSync(file)) return [];
  const out = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    try {
      out.push(JSON.parse(line));
    } catch {
      // A line being appended right now: the next round reads it whole.
    }
  }
  return out;
}

// The first path where `a` and `b` differ, or null.
function firstDiff(a, b, where = '') {
  if (a === b) return null;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') {
    return `${where || '.'}: sent ${JSON.stringify(a)}, received ${JSON.stringify(b)}`;
  }
  if (Array.isArray(a) !== Array.isArray(b)) return `${where}: array vs object`;
  if (Array.isArray(a)) {
    if (a.length !== b.length) {
      return `${where}: sent ${a.length} items, received ${b.length}: ` +
        `sent ${JSON.stringify(a).slice(0, 300)}, received ${JSON.stringify(b).slice(0, 300)}`;
    }
    for (let i = 0; i < a.length; i++) {
      const d = firstDiff(a[i], b[i], `${where}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    const d = firstDiff(a[k], b[k], `${where}.${k}`);
    if (d) return d;
  }
  return null;
}

function anyValue(v) {
  if (!v) return undefined;
  if ('stringValue' in v) return v.stringValue;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return v.doubleValue;
  if ('boolValue' in v) return v.boolValue;
  return JSON.stringify(v);
}

// Attribute list -> {key: value} with keys as Prometheus labels spell them (the collector keeps
// point attributes as labels, so "http.route" may come back as "http_route").
function labelMap(attrs) {
  const out = {};
  for (const kv of attrs || []) out[kv.key.replace(/[^A-Za-z0-9_]/g, '_')] = anyValue(kv.value);
  return out;
}
const labelKey = (m) => JSON.stringify(Object.keys(m).sort().map((k) => [k, m[k]]));
const closeTo = (a, b, rel = 1e-9) => Math.abs(a - b) <= rel * Math.max(1, Math.abs(a), Math.abs(b));

function get(url) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { body += c; });
      res.on('end', () => (res.statusCode === 200 ? resolve(body)
        : reject(new Error(`${url}: HTTP ${res.statusCode}`))));
    });
    req.on('timeout', () => req.destroy(new Error(`${url}: timeout`)));
    req.on('error', reject);
  });
}

// ---- the checks ---------------------------------------------------------------------------

// Spans or logs: every expected item exactly once and unchanged, with its resource and scope.
function checkItems(what, sent, received, keyOf) {
  const errors = [];
  const got = new Map();
  let duplicates = 0;
  for (const r of received) {
    const k = keyOf(r);
    if (got.has(k)) duplicates++;
    else got.set(k, r);
  }
  let missing = 0;
  let changed = 0;
  const sentKeys = new Set();
  for (const s of sent) {
    const k = keyOf(s);
    sentKeys.add(k);
    const r = got.get(k);
    if (!r) {
      if (++missing <= 3) errors.push(`${what} ${k}: missing at the sink`);
      continue;
    }
    const d = firstDiff(s, r);
    if (d) {
      if (++changed <= 5) errors.push(`${what} ${k} changed: ${d}`);
    }
  }
  const extra = [...got.keys()].filter((k) => !sentKeys.has(k)).length;
  if (missing) errors.push(`${what}: ${missing} of ${sent.length} missing`);
  if (changed) errors.push(`${what}: ${changed} of ${sent.length} changed`);
  if (duplicates) errors.push(`${what}: ${duplicates} delivered more than once`);
  if (extra) errors.push(`${what}: ${extra} at the sink that were never sent`);
  return { errors, summary: `${what}: ${sent.length} sent, ${got.size} distinct received, ` +
    `${missing} missing, ${changed} changed, ${duplicates} duplicates` };
}

function flattenSpans(lines) {
  const out = [];
  for (const { request } of lines) {
    for (const rs of request.resourceSpans || []) {
      for (const ss of rs.scopeSpans || []) {
        for (const span of ss.spans || []) {
          out.push({ resource: rs.resource, resourceSchemaUrl: rs.schemaUrl, scope: ss.scope,
            scopeSchemaUrl: ss.schemaUrl, span });
        }
      }
    }
  }
  return out;
}

function flattenLogs(lines) {
  const out = [];
  for (const { request } of lines) {
    for (const rl of request.resourceLogs || []) {
      for (const sl of rl.scopeLogs || []) {
        for (const log of sl.logRecords || []) {
          out.push({ resource: rl.resource, resourceSchemaUrl: rl.schemaUrl, scope: sl.scope,
            scopeSchemaUrl: sl.schemaUrl, log });
        }
      }
    }
  }
  return out;
}

const spanKey = (x) => `${b64ToHex(x.span.traceId)}/${b64ToHex(x.span.spanId)}`;
const logKey = (x) => {
  const seq = (x.log.attributes || []).find((kv) => kv.key === 'interop.seq');
  return `seq=${seq ? anyValue(seq.value) : `?${JSON.stringify(x.log.body).slice(0, 40)}`}`;
};

// The latest point of every metric series at the sink: "service|name|labels" -> point info.
function latestPoints(lines) {
  const latest = new Map();
  for (const { request } of lines) {
    for (const rm of request.resourceMetrics || []) {
      const service = anyValue((rm.resource.attributes || []).find((kv) => kv.key === 'service.name')?.value);
      for (const sm of rm.scopeMetrics || []) {
        for (const m of sm.metrics || []) {
          const type = ['sum', 'gauge', 'histogram', 'exponentialHistogram', 'summary'].find((t) => m[t]);
          if (!type) continue;
          for (const p of m[type].dataPoints || []) {
            const labels = labelMap(p.attributes);
            const k = `${service}|${m.name}|${labelKey(labels)}`;
            const prev = latest.get(k);
            if (prev && BigInt(prev.point.timeUnixNano) > BigInt(p.timeUnixNano)) continue;
            latest.set(k, { service, metric: m, type, point: p, labels,
              temporality: m[type].aggregationTemporality, monotonic: m[type].isMonotonic });
          }
        }
      }
    }
  }
  return latest;
}

const numberOf = (p) => ('asInt' in p && p.asInt !== undefined ? Number(p.asInt) : p.asDouble);
const CUMULATIVE = 2;

function checkMetrics(latest) {
  const errors = [];
  let ok = 0;
  for (const e of expected.metrics) {
    const labels = labelMap(Object.entries(e.attributes).map(([key, v]) => ({ key, value: { stringValue: v } })));
    const k = `${e.service}|${e.name}|${labelKey(labels)}`;
    const got = latest.get(k);
    const name = `${e.service} ${e.name}${JSON.stringify(e.attributes)}`;
    if (!got) {
      errors.push(`metric ${name}: no point at the sink`);
      continue;
    }
    const p = got.point;
    const bad = [];
    const temporal = got.type === 'sum' || got.type === 'histogram' || got.type === 'exponentialHistogram';
    if (temporal && got.temporality !== CUMULATIVE) bad.push(`temporality ${got.temporality}, want CUMULATIVE`);
    if (e.kind === 'counter') {
      if (got.type !== 'sum' || !got.monotonic) bad.push(`type ${got.type} (monotonic ${got.monotonic}), want a monotonic sum`);
      if (numberOf(p) !== e.value) bad.push(`value ${numberOf(p)}, sent a total of ${e.value}`);
    } else if (e.kind === 'updown' || e.kind === 'gauge') {
      if (got.type !== 'gauge' && !(got.type === 'sum' && !got.monotonic)) bad.push(`type ${got.type}`);
      if (!closeTo(numberOf(p), e.value)) bad.push(`value ${numberOf(p)}, want ${e.value}`);
    } else if (e.kind === 'histogram') {
      if (got.type !== 'histogram') bad.push(`type ${got.type}, want histogram`);
      else {
        if (Number(p.count) !== e.count) bad.push(`count ${p.count}, want ${e.count}`);
        if (!closeTo(p.sum, e.sum)) bad.push(`sum ${p.sum}, want ${e.sum}`);
        if (firstDiff(e.bounds, p.explicitBounds)) bad.push(`bounds ${JSON.stringify(p.explicitBounds)}`);
        const counts = (p.bucketCounts || []).map(Number);
        if (firstDiff(e.bucketCounts, counts)) bad.push(`buckets ${JSON.stringify(counts)}, want ${JSON.stringify(e.bucketCounts)}`);
      }
    } else if (e.kind === 'exphistogram') {
      if (got.type !== 'exponentialHistogram') bad.push(`type ${got.type}, want exponentialHistogram`);
      else {
        if (Number(p.count) !== e.count) bad.push(`count ${p.count}, want ${e.count}`);
        if (!closeTo(p.sum, e.sum)) bad.push(`sum ${p.sum}, want ${e.sum}`);
        if (Number(p.zeroCount) !== e.zeroCount) bad.push(`zero count ${p.zeroCount}, want ${e.zeroCount}`);
        const inBuckets = [...(p.positive?.bucketCounts || []), ...(p.negative?.bucketCounts || [])]
          .reduce((s, c) => s + Number(c), 0) + Number(p.zeroCount);
        if (inBuckets !== Number(p.count)) bad.push(`buckets hold ${inBuckets}, count says ${p.count}`);
      }
    }
    if (bad.length) errors.push(`metric ${name}: ${bad.join('; ')}`);
    else ok++;
  }
  return { errors, summary: `metrics: ${ok} of ${expected.metrics.length} series equal what was recorded` };
}

// Span-derived request metrics at the sink: one http.server.request.duration series per
// service/route/status holding exactly the spans sent.
function checkRed(latest) {
  const errors = [];
  const durations = new Map();
  const errorCounts = new Map();
  for (const v of latest.values()) {
    const k = `${v.service}|${v.labels.http_route}|${v.labels.http_response_status_code}`;
    if (v.metric.name === 'http.server.request.duration') durations.set(k, v);
    if (v.metric.name === 'http.server.request.errors') errorCounts.set(k, v);
  }
  let ok = 0;
  for (const [k, want] of Object.entries(expected.red)) {
    const got = durations.get(k);
    if (!got) {
      errors.push(`http.server.request.duration ${k}: no point at the sink`);
      continue;
    }
    const errs = errorCounts.get(k);
    const nerrs = errs ? numberOf(errs.point) : 0;
    if (Number(got.point.count) !== want.count) {
      errors.push(`http.server.request.duration ${k}: count ${got.point.count}, sent ${want.count} spans`);
    } else if (nerrs !== want.errors) {
      errors.push(`http.server.request.errors ${k}: ${nerrs}, sent ${want.errors} spans with status >= 500`);
    } else ok++;
  }
  return { errors, summary: `span metrics at the sink: ${ok} of ${Object.keys(expected.red).length} series count every span and error` };
}

// The collector's Prometheus page: p99 within tolerance of the exact p99, _count exact.
async function checkPage() {
  const text = await get(args.prom);
  const q = new Map();
  const counts = new Map();
  const errs = new Map();
  for (const line of text.split('\n')) {
    const m = /^(http_server_request_duration_window_seconds|http_server_request_duration_seconds_count|http_server_request_errors_total)\{(.*)\}\s+(\S+)$/.exec(line);
    if (!m) continue;
    const labels = {};
    for (const lm of m[2].matchAll(/([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[lm[1]] = lm[2];
    const k = `${labels.service_name}|${labels.http_route}|${labels.http_response_status_code}`;
    if (m[1] === 'http_server_request_duration_seconds_count') counts.set(k, Number(m[3]));
    else if (m[1] === 'http_server_request_errors_total') errs.set(k, Number(m[3]));
    else if (labels.quantile === '0.99') q.set(k, Number(m[3]));
  }
  const errors = [];
  let worst = 0;
  let n = 0;
  for (const [k, want] of Object.entries(expected.red)) {
    const c = counts.get(k);
    if (c !== want.count) errors.push(`page ${k}: _count ${c}, sent ${want.count} spans`);
    if ((errs.get(k) || 0) !== want.errors) {
      errors.push(`page ${k}: errors_total ${errs.get(k)}, sent ${want.errors} spans with status >= 500`);
    }
    const p99 = q.get(k);
    if (p99 === undefined || Number.isNaN(p99)) {
      errors.push(`page ${k}: no p99`);
      continue;
    }
    const rel = Math.abs(p99 - want.p99) / want.p99;
    worst = Math.max(worst, rel);
    n++;
    if (rel > args.tolerance) {
      errors.push(`page ${k}: p99 ${p99}, exact ${want.p99} (${(rel * 100).toFixed(3)}%)`);
    }
  }
  return { errors, summary: `prometheus page: ${n} series with a p99; worst p99 relative error ` +
    `${(worst * 100).toFixed(4)}% (limit ${(args.tolerance * 100).toFixed(2)}%)` };
}

async function round() {
  const results = [];
  if (only.has('spans')) {
    results.push(checkItems('span', expected.spans, flattenSpans(readJsonl(path.join(args.sink, 'traces.jsonl'))), spanKey));
  }
  if (only.has('logs')) {
    results.push(checkItems('log', expected.logs, flattenLogs(readJsonl(path.join(args.sink, 'logs.jsonl'))), logKey));
  }
  if (only.has('metrics') || only.has('red')) {
    const latest = latestPoints(readJsonl(path.join(args.sink, 'metrics.jsonl')));
    if (only.has('metrics')) results.push(checkMetrics(latest));
    if (only.has('red')) results.push(checkRed(latest));
  }
  if (only.has('p99') && args.prom) {
    try {
      results.push(await checkPage());
    } catch (err) {
      results.push({ errors: [`prometheus page: ${err.message}`], summary: 'prometheus page: unreadable' });
    }
  }
  return results;
}

async function main() {
  const deadline = Date.now() + args.wait * 1000;
  for (;;) {
    const results = await round();
    const errors = results.flatMap((r) => r.errors);
    if (!errors.length || Date.now() >= deadline) {
      for (const r of results) console.log(r.summary);
      if (errors.length) {
        console.log(`FAILED checks (${errors.length}):`);
        for (const e of errors.slice(0, 40)) console.log(`  ${e}`);
        process.exit(1);
      }
      console.log('all interop checks passed');
      return;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

main().catch((err) => {
  console.error(`check: ${err.stack || err}`);
  process.exit(1);
});
