#!/usr/bin/env node
'use strict';
// Load generator for bench/spans_throughput.sh: encodes a few distinct OTLP span batches once
// (the official generated codec; server spans of 10 services x 20 routes with the usual HTTP
// attributes) and POSTs them as fast as it can over keep-alive connections, until --requests
// were accepted or --seconds went by. A 429/503 answer is back-pressure: the same batch is sent
// again after Retry-After (capped at 1 s) and counted as a retry. Prints one JSON line:
// {requests, spans, bytes, retries, errors, seconds, spans_per_second, cpu_seconds}.
// Usage: node span_loadgen.js --url http://127.0.0.1:4318 [--spans-per-request 1000]
//        [--requests N] [--seconds S] [--concurrency C] [--batches K] [--gzip]

const http = require('node:http');
const zlib = require('node:zlib');
const { encodeRequest, prng, parseArgs } = require('./lib/otlp');

const args = parseArgs(process.argv.slice(2), { url: '', 'spans-per-request': 1000,
  requests: 2000, seconds: 30, concurrency: 4, batches: 8, gzip: false, seed: 1 });
if (!args.url) {
  console.error('usage: span_loadgen.js --url http://HOST:PORT [--spans-per-request N] ' +
    '[--requests N] [--seconds S] [--concurrency C] [--batches K] [--gzip]');
  process.exit(2);
}
const target = new URL('/v1/traces', args.url);
const rand = prng(args.seed);
const bytes = (n) => Buffer.from(Array.from({ length: n }, () => Math.floor(rand() * 256)));
const str = (key, v) => ({ key, value: { stringValue: v } });
const int = (key, v) => ({ key, value: { intValue: v } });

function batch() {
  const nowNs = BigInt(Date.now()) * 1_000_000n;
  const byService = new Map();
  for (let i = 0; i < args['spans-per-request']; i++) {
    const service = `svc-${Math.floor(rand() * 10)}`;
    const route = `/api/v1/resource${Math.floor(rand() * 20)}/{id}`;
    const r = rand();
    const status = r < 0.02 ? 500 : r < 0.06 ? 404 : 200;
    const durNs = BigInt(Math.round(1e6 * Math.pow(2000, rand())));
    const start = nowNs - BigInt(Math.floor(rand() * 1e9));
    const span = {
      traceId: bytes(16), spanId: bytes(8), parentSpanId: rand() < 0.5 ? bytes(8) : undefined,
      name: `GET ${route}`, kind: 2,
      startTimeUnixNano: start.toString(), endTimeUnixNano: (start + durNs).toString(),
      attributes: [str('http.request.method', 'GET'), str('http.route', route),
        int('http.response.status_code', status), str('url.scheme', 'https'),
        str('server.address', `${service}.internal`), int('server.port', 8443),
        str('user_agent.original', 'Mozilla/5.0 (X11; Linux x86_64) loadgen'),
        str('network.protocol.version', '1.1')],
      status: { code: status >= 500 ? 2 : 0, message: status >= 500 ? 'internal error' : '' },
      flags: 0x101,
    };
    if (!byService.has(service)) byService.set(service, []);
    byService.get(service).push(span);
  }
  const resourceSpans = [...byService.entries()].map(([service, spans]) => ({
    resource: { attributes: [str('service.name', service), str('service.version', '1.0.0'),
      str('host.name', 'bench-host'), str('telemetry.sdk.language', 'nodejs')] },
    scopeSpans: [{ scope: { name: 'bench', version: '1.0.0' }, spans }],
  }));
  let body = Buffer.from(encodeRequest('traces', { resourceSpans }));
  if (args.gzip) body = zlib.gzipSync(body);
  return body;
}

const bodies = Array.from({ length: args.batches }, batch);
const agent = new http.Agent({ keepAlive: true, maxSockets: args.concurrency });
const stats = { requests: 0, spans: 0, bytes: 0, retries: 0, errors: 0, last_error: '' };
const t0 = process.hrtime.bigint();
const deadline = Date.now() + args.seconds * 1000;
let issued = 0;

function post(body) {
  return new Promise((resolve) => {
    const headers = { 'Content-Type': 'application/x-protobuf', 'Content-Length': body.length };
    if (args.gzip) headers['Content-Encoding'] = 'gzip';
    const req = http.request(target, { method: 'POST', agent, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ code: res.statusCode, retryAfter: res.headers['retry-after'] }));
    });
    req.setTimeout(30000, () => req.destroy(new Error('timeout')));
    req.on('error', (err) => resolve({ code: 0, error: err.message }));
    req.end(body);
  });
}

async function worker(w) {
  while (Date.now() < deadline && issued < args.requests) {
    const body = bodies[(issued++ + w) % bodies.length];
    for (;;) {
      const r = await post(body);
      if (r.code === 200) {
        stats.requests++;
        stats.spans += args['spans-per-request'];
        stats.bytes += body.length;
        break;
      }
      if ((r.code === 503 || r.code === 429) && Date.now() < deadline) {
        stats.retries++;
        const wait = Math.min(1000, 1000 * (Number(r.retryAfter) || 0.05));
        await new Promise((res) => setTimeout(res, wait));
        continue;
      }
      stats.errors++;
      stats.last_error = r.error || `HTTP ${r.code}`;
      if (stats.errors > 20) throw new Error(`too many errors, last: ${stats.last_error}`);
      break;
    }
  }
}

Promise.all(Array.from({ length: args.concurrency }, (_, w) => worker(w)))
  .then(() => {
    stats.seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    stats.spans_per_second = Math.round(stats.spans / stats.seconds);
    const cpu = process.cpuUsage();
    stats.cpu_seconds = (cpu.user + cpu.system) / 1e6;
    console.log(JSON.stringify(stats));
    agent.destroy();
  })
  .catch((err) => {
    console.error(`span_loadgen: ${err.message}`);
    console.log(JSON.stringify(stats));
    process.exit(1);
  });
