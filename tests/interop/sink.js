#!/usr/bin/env node
'use strict';
// A small loopback OTLP/HTTP backend: accepts POST /v1/traces, /v1/metrics, /v1/logs (protobuf;
// Content-Encoding identity, gzip, deflate, and zstd where this Node has it), decodes each body
// with the official generated codec of @opentelemetry/otlp-transformer and appends it as one
// JSON line to DIR/<signal>.jsonl ({at, encoding, bytes, request}). Answers 200 with an empty
// protobuf Export*ServiceResponse (zero bytes: no partial_success).
// With --count-only (benchmarks) nothing is decoded or written: it counts requests and bytes,
// and counts spans / log records / metrics with a tiny protobuf field walk when it can read the
// body (identity or gzip; a zstd body it cannot read is only counted in bytes).
// GET /stats answers the counters as JSON. Listens on 127.0.0.1 only.
// Usage: node sink.js --port P --dir DIR [--count-only] [--max-bytes N]

const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { decodeRequest, inflate, parseArgs } = require('./lib/otlp');

const args = parseArgs(process.argv.slice(2), { port: 0, dir: '', 'count-only': false,
  'max-bytes': 64 * 1024 * 1024 });
if (!args.port || (!args.dir && !args['count-only'])) {
  console.error('usage: sink.js --port P --dir DIR [--count-only] [--max-bytes N]');
  process.exit(2);
}
const countOnly = args['count-only'];
if (args.dir) fs.mkdirSync(args.dir, { recursive: true });

const SIGNALS = ['traces', 'metrics', 'logs'];
const zero = () => Object.fromEntries(SIGNALS.map((s) => [s, 0]));
const stats = { requests: zero(), items: zero(), bytes: zero(), inflated_bytes: zero(),
  uncounted_requests: zero(), errors: 0, last_error: '' };

// Counts the innermost items of an Export*ServiceRequest without decoding them: field 1
// (resource_*) > field 2 (scope_*) > field 2 (spans / metrics / log_records) in all three
// signals. Throws on malformed input.
function countItems(buf) {
  function varint(state) {
    let result = 0;
    let mul = 1;
    for (;;) {
      if (state.pos >= state.end) throw new Error('truncated varint');
      const b = buf[state.pos++];
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 128;
      if (mul > 2 ** 63) throw new Error('varint too long');
    }
  }
  const WANT = [1, 2, 2];
  function walk(start, end, depth) {
    const st = { pos: start, end };
    let n = 0;
    while (st.pos < end) {
      const tag = varint(st);
      const field = Math.floor(tag / 8);
      const wire = tag & 7;
      if (wire === 0) varint(st);
      else if (wire === 1) st.pos += 8;
      else if (wire === 5) st.pos += 4;
      else if (wire === 2) {
        const len = varint(st);
        if (st.pos + len > end) throw new Error('truncated field');
        if (field === WANT[depth]) n += depth === 2 ? 1 : walk(st.pos, st.pos + len, depth + 1);
        st.pos += len;
      } else throw new Error(`bad wire type ${wire}`);
      if (st.pos > end) throw new Error('truncated field');
    }
    return n;
  }
  return walk(0, buf.length, 0);
}

function itemsOf(signal, request) {
  let n = 0;
  if (signal === 'traces') {
    for (const rs of request.resourceSpans) for (const ss of rs.scopeSpans) n += ss.spans.length;
  } else if (signal === 'logs') {
    for (const rl of request.resourceLogs) for (const sl of rl.scopeLogs) n += sl.logRecords.length;
  } else {
    for (const rm of request.resourceMetrics) for (const sm of rm.scopeMetrics) n += sm.metrics.length;
  }
  return n;
}

const files = {};
function append(signal, line) {
  if (!files[signal]) files[signal] = fs.openSync(path.join(args.dir, `${signal}.jsonl`), 'a');
  fs.writeSync(files[signal], `${line}\n`);
}

function reply(res, code, body, type = 'text/plain') {
  res.writeHead(code, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/stats') {
    return reply(res, 200, JSON.stringify(stats), 'application/json');
  }
  const m = /^\/v1\/(traces|metrics|logs)$/.exec(req.url);
  if (!m) return reply(res, 404, 'not found\n');
  if (req.method !== 'POST') return reply(res, 405, 'POST only\n');
  const signal = m[1];
  const type = (req.headers['content-type'] || '').split(';')[0].trim();
  if (type !== 'application/x-protobuf') {
    stats.errors++;
    stats.last_error = `content-type ${type}`;
    req.resume();
    return reply(res, 415, 'protobuf only\n');
  }
  const chunks = [];
  let size = 0;
  let tooLarge = false;
  req.on('data', (c) => {
    size += c.length;
    if (size > args['max-bytes']) tooLarge = true;
    else chunks.push(c);
  });
  req.on('end', () => {
    if (tooLarge) return reply(res, 413, 'too large\n');
    const raw = Buffer.concat(chunks);
    const encoding = req.headers['content-encoding'] || 'identity';
    stats.requests[signal]++;
    stats.bytes[signal] += raw.length;
    let body;
    try {
      body = inflate(encoding, raw);
    } catch (err) {
      if (countOnly && /zstd/.test(String(encoding))) {
        stats.uncounted_requests[signal]++;
        return reply(res, 200, '', 'application/x-protobuf');
      }
      stats.errors++;
      stats.last_error = `${signal}: ${err.message}`;
      return reply(res, 415, `${err.message}\n`);
    }
    stats.inflated_bytes[signal] += body.length;
    try {
      if (countOnly) {
        stats.items[signal] += countItems(body);
      } else {
        const request = decodeRequest(signal, body);
        stats.items[signal] += itemsOf(signal, request);
        append(signal, JSON.stringify({ at: Date.now(), encoding, bytes: raw.length, request }));
      }
    } catch (err) {
      stats.errors++;
      stats.last_error = `${signal}: ${err.message}`;
      return reply(res, 400, `cannot decode: ${err.message}\n`);
    }
    return reply(res, 200, '', 'application/x-protobuf');
  });
});
server.keepAliveTimeout = 60000;
server.listen(args.port, '127.0.0.1', () => {
  console.log(`sink listening on 127.0.0.1:${server.address().port}` +
    (countOnly ? ' (count only)' : ` writing ${args.dir}`));
});
for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => {
    server.close();
    for (const fd of Object.values(files)) fs.closeSync(fd);
    process.exit(0);
  });
}
