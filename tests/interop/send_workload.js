#!/usr/bin/env node
'use strict';
// Sends a known, deterministic workload to an OTLP/HTTP endpoint (vigil-agent's receiver) with
// the official OpenTelemetry JS SDK and its OTLP protobuf exporters, and writes what was sent to
// a JSON file for check.js:
//  - spans: server spans of a few services/routes with explicit start/end times, http.route and
//    http.response.status_code, ERROR statuses, events, links, child client spans, attributes of
//    every AnyValue type; recorded exactly as the SDK serialized them (the exporters are wrapped);
//  - metrics: counter, up-down counter, gauge, explicit-bucket histogram and exponential
//    histogram with known values, once with cumulative and once with delta temporality (two
//    meter providers, told apart by service.name); recorded as the totals they must add up to;
//  - logs: every body kind, every severity, attributes of every kind, trace context; recorded
//    exactly as serialized.
// Usage: node send_workload.js --url http://127.0.0.1:4318 --expect FILE [--spans N] [--seed S]
//        [--logs N] [--protocol http/protobuf|grpc]
// With --protocol grpc the SDK's OTLP/gRPC exporters (@grpc/grpc-js) send to --url instead
// (http://HOST:PORT meaning plaintext gRPC, e.g. http://127.0.0.1:4317).
// Exits non-zero (with the reason) when any export failed.

const fs = require('node:fs');
const api = require('@opentelemetry/api');
const { SeverityNumber } = require('@opentelemetry/api-logs');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const { BasicTracerProvider, BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { LoggerProvider, BatchLogRecordProcessor } = require('@opentelemetry/sdk-logs');
const { MeterProvider, PeriodicExportingMetricReader, AggregationType } =
  require('@opentelemetry/sdk-metrics');
const { AggregationTemporalityPreference } = require('@opentelemetry/exporter-metrics-otlp-http');
const { ProtobufTraceSerializer, ProtobufLogsSerializer } =
  require('@opentelemetry/otlp-transformer');
const { decodeRequest, prng, nearestRank, parseArgs } = require('./lib/otlp');

const args = parseArgs(process.argv.slice(2), { url: '', expect: '', spans: 3000, logs: 240,
  seed: 7, protocol: 'http/protobuf' });
if (args.protocol !== 'http/protobuf' && args.protocol !== 'grpc') {
  console.error(`--protocol must be http/protobuf or grpc, got ${args.protocol}`);
  process.exit(2);
}
const grpc = args.protocol === 'grpc';
const exporterKind = grpc ? 'grpc' : 'proto';
const { OTLPTraceExporter } = require(`@opentelemetry/exporter-trace-otlp-${exporterKind}`);
const { OTLPLogExporter } = require(`@opentelemetry/exporter-logs-otlp-${exporterKind}`);
const { OTLPMetricExporter } = require(`@opentelemetry/exporter-metrics-otlp-${exporterKind}`);
if (!args.url || !args.expect) {
  console.error('usage: send_workload.js --url http://HOST:PORT --expect FILE [--spans N] ' +
    '[--logs N] [--seed S]');
  process.exit(2);
}
const base = args.url.replace(/\/+$/, '');
// OTLP/HTTP exporters take the signal's URL; gRPC ones the server's address.
const signalUrl = (path) => (grpc ? base : `${base}${path}`);
const rand = prng(args.seed);
const failures = [];
api.diag.setLogger(new api.DiagConsoleLogger(), api.DiagLogLevel.WARN);

// ---- exporters that record exactly what they send ------------------------------------------

// Wraps an SDK exporter: each batch is also serialized with the SDK's own serializer (the same
// bytes the exporter sends) and decoded into `sink`; a failed export is remembered.
function recording(inner, serializer, signal, sink) {
  return {
    export(items, done) {
      sink.push(decodeRequest(signal, serializer.serializeRequest(items)));
      inner.export(items, (result) => {
        if (result.code !== 0) {
          failures.push(`${signal} export failed: ${result.error ? result.error.message : 'unknown'}`);
        }
        done(result);
      });
    },
    shutdown: () => inner.shutdown(),
    forceFlush: () => (inner.forceFlush ? inner.forceFlush() : Promise.resolve()),
  };
}

// Metric exporters keep their own selectors; only failures are recorded (the expected metric
// values are computed from what was recorded, below).
function checkedMetrics(inner) {
  return {
    export(metrics, done) {
      inner.export(metrics, (result) => {
        if (result.code !== 0) {
          failures.push(`metrics export failed: ${result.error ? result.error.message : 'unknown'}`);
        }
        done(result);
      });
    },
    selectAggregationTemporality: (t) => inner.selectAggregationTemporality(t),
    selectAggregation: (t) => inner.selectAggregation(t),
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush(),
  };
}

// ---- deterministic ids ------------------------------------------------------------------------

function hex(n, bytes) {
  let s = '';
  for (let i = 0; i < bytes; i++) s += Math.floor(rand() * 256).toString(16).padStart(2, '0');
  // All-zero ids are invalid; the random source makes them practically impossible, but be sure.
  return /^0+$/.test(s) ? '1'.padStart(bytes * 2, '0') : s;
}
const idGenerator = { generateTraceId: () => hex(0, 16), generateSpanId: () => hex(0, 8) };

// ---- time ---------------------------------------------------------------------------------

// All timestamps are integer nanoseconds from one base, handed to the SDK as HrTime [s, ns].
const BASE_NS = BigInt(Math.floor(Date.now() / 1000) - 60) * 1_000_000_000n;
const hr = (ns) => [Number(ns / 1_000_000_000n), Number(ns % 1_000_000_000n)];

// ---- traces ---------------------------------------------------------------------------------

const SERVICES = {
  checkout: ['/cart', '/checkout/{id}', '/pay'],
  catalog: ['/items', '/items/{sku}'],
  auth: ['/login'],
};
const sentTraces = [];
const durations = {}; // "service|route|status" -> [seconds]
const traceProviders = {};
for (const service of Object.keys(SERVICES)) {
  const exporter = new OTLPTraceExporter({ url: signalUrl('/v1/traces'), compression: 'gzip',
    timeoutMillis: 20000 });
  traceProviders[service] = new BasicTracerProvider({
    resource: resourceFromAttributes({
      'service.name': service,
      'service.version': '1.4.2',
      'service.instance.id': `${service}-0`,
      'deployment.environment.name': 'interop',
      'interop.resource.int': 42,
      'interop.resource.double': 1.5,
      'interop.resource.bool': false,
      'interop.resource.array': ['a', 'b'],
      'interop.resource.kvlist': { zone: 'z1', rack: 7, nested: { ok: true } },
      'interop.resource.bytes': new Uint8Array([0, 1, 2, 254, 255]),
    }),
    idGenerator,
    spanProcessors: [new BatchSpanProcessor(
      recording(exporter, ProtobufTraceSerializer, 'traces', sentTraces),
      { maxExportBatchSize: 400, maxQueueSize: 1_000_000, scheduledDelayMillis: 200 })],
  });
}

function statusFor(r) {
  if (r < 0.08) return 500;
  if (r < 0.15) return 404;
  return 200;
}

let previous = null; // context of the previous server span, for links
let nsCursor = BASE_NS;
const serviceNames = Object.keys(SERVICES);
for (let i = 0; i < args.spans; i++) {
  const service = serviceNames[i % serviceNames.length];
  const routes = SERVICES[service];
  const route = routes[Math.floor(rand() * routes.length)];
  const status = statusFor(rand());
  // Log-uniform between 1 ms and 3 s, whole microseconds.
  const durUs = Math.round(1000 * Math.pow(3000, rand()));
  const startNs = nsCursor;
  nsCursor += 7_919_000n; // spans overlap freely; starts are distinct
  const endNs = startNs + BigInt(durUs) * 1000n;
  const key = `${service}|${route}|${status}`;
  (durations[key] = durations[key] || []).push(durUs / 1e6);

  const tracer = traceProviders[service].getTracer('interop-tracer', '1.2.3',
    { schemaUrl: 'https://opentelemetry.io/schemas/1.26.0' });
  const attributes = {
    'http.request.method': i % 4 === 0 ? 'POST' : 'GET',
    'http.route': route,
    'http.response.status_code': status,
    'url.path': route.replace('{id}', String(i)).replace('{sku}', `sku-${i}`),
    'interop.seq': i,
  };
  if (i % 5 === 0) {
    Object.assign(attributes, {
      'interop.bool': i % 10 === 0,
      'interop.double': i + 0.125,
      'interop.int.big': 9007199254740991,
      'interop.int.negative': -1234567890123,
      'interop.array.string': ['x', 'y', ''],
      'interop.array.int': [1, -2, 3],
      'interop.array.double': [0.5, -1.25],
      'interop.array.bool': [true, false],
      'interop.string.empty': '',
    });
  }
  const links = [];
  if (previous && i % 7 === 0) {
    links.push({ context: previous, attributes: { 'link.kind': 'previous', 'link.n': i } });
  }
  const span = tracer.startSpan(`${attributes['http.request.method']} ${route}`, {
    kind: api.SpanKind.SERVER, startTime: hr(startNs), attributes, links,
  });
  if (i % 5 === 0) {
    // The JS trace API accepts only primitive and homogeneous-array attribute values; maps and
    // bytes are valid OTLP AnyValues nevertheless (other SDKs send them), so they are put on the
    // span object directly and the official encoder serializes them as kvlist / bytes.
    span.attributes['interop.kvlist'] = { a: 'b', n: 3, d: 2.5, f: false, inner: { list: [1, 'two'] } };
    span.attributes['interop.bytes'] = new Uint8Array([i & 0xff, 0, 0xff, 0x10]);
    span.attributes['interop.array.mixed'] = ['s', 1, 1.5, true];
  }
  if (i % 3 === 0) {
    span.addEvent('cache.miss', { 'cache.key': `k${i}`, 'cache.hit': false, 'cache.size': i },
      hr(startNs + 1000n));
  }
  if (status === 500) {
    span.addEvent('exception', { 'exception.type': 'Error', 'exception.message': `boom ${i}` },
      hr(endNs - 1000n));
    span.setStatus({ code: api.SpanStatusCode.ERROR, message: `internal error ${i}` });
  } else if (i % 5 === 1) {
    span.setStatus({ code: api.SpanStatusCode.OK });
  }
  if (i % 10 === 0) {
    // A child client span: parent id, same trace, a kind that is not a request.
    const ctx = api.trace.setSpan(api.ROOT_CONTEXT, span);
    const child = tracer.startSpan('SELECT items', {
      kind: api.SpanKind.CLIENT, startTime: hr(startNs + 500n),
      attributes: { 'db.system.name': 'postgresql', 'db.response.returned_rows': i },
    }, ctx);
    child.end(hr(endNs - 500n));
  }
  span.end(hr(endNs));
  previous = span.spanContext();
}

// ---- logs -----------------------------------------------------------------------------------

const sentLogs = [];
const logExporter = new OTLPLogExporter({ url: signalUrl('/v1/logs'), timeoutMillis: 20000 });
const loggerProvider = new LoggerProvider({
  resource: resourceFromAttributes({
    'service.name': 'interop-logs',
    'service.instance.id': 'logs-0',
    'interop.resource.kvlist': { k: 'v' },
  }),
  processors: [new BatchLogRecordProcessor(
    recording(logExporter, ProtobufLogsSerializer, 'logs', sentLogs),
    { maxExportBatchSize: 100, maxQueueSize: 100_000, scheduledDelayMillis: 200 })],
});
const logger = loggerProvider.getLogger('interop-logger', '0.9.0',
  { schemaUrl: 'https://opentelemetry.io/schemas/1.26.0' });
const SEVERITIES = [
  [SeverityNumber.TRACE, 'TRACE'], [SeverityNumber.DEBUG2, 'DEBUG2'], [SeverityNumber.INFO, 'INFO'],
  [SeverityNumber.WARN, 'WARN'], [SeverityNumber.ERROR, 'ERROR'], [SeverityNumber.FATAL4, 'FATAL4'],
  [SeverityNumber.UNSPECIFIED, ''],
];
const BODIES = [
  (i) => `request ${i} finished`,
  (i) => i * 1000 + 7,
  (i) => i + 0.5,
  (i) => i % 2 === 0,
  (i) => new Uint8Array([i & 0xff, 1, 2, 3]),
  (i) => ['text', i, 2.5, false, { inner: 'map' }],
  (i) => ({ msg: 'structured', seq: i, ok: true, ratio: 0.75, tags: ['a', 'b'], raw: new Uint8Array([9]) }),
  () => undefined, // no body
  () => '',
];
for (let i = 0; i < args.logs; i++) {
  const [severityNumber, severityText] = SEVERITIES[i % SEVERITIES.length];
  const record = {
    timestamp: hr(BASE_NS + BigInt(i) * 1_000_003n),
    observedTimestamp: hr(BASE_NS + BigInt(i) * 1_000_003n + 250_000n),
    severityNumber,
    severityText,
    body: BODIES[i % BODIES.length](i),
    attributes: {
      'interop.seq': i,
      'interop.string': `s${i}`,
      'interop.double': i / 8 + 0.0625,
      'interop.bool': i % 3 === 0,
      'interop.array': [i, 'mixed', true],
      'interop.kvlist': { a: i, b: { c: 'deep' } },
      'interop.bytes': new Uint8Array([0xde, 0xad, i & 0xff]),
    },
  };
  if (i % 2 === 0) {
    const sc = { traceId: hex(0, 16), spanId: hex(0, 8),
      traceFlags: i % 4 === 0 ? api.TraceFlags.SAMPLED : api.TraceFlags.NONE };
    record.context = api.trace.setSpanContext(api.ROOT_CONTEXT, sc);
  }
  if (i % 6 === 0) record.eventName = 'interop.event';
  logger.emit(record);
}

// ---- metrics --------------------------------------------------------------------------------

const expectedMetrics = [];
function addExpected(e) {
  const k = JSON.stringify([e.service, e.name, e.attributes]);
  const found = expectedMetrics.find((m) => JSON.stringify([m.service, m.name, m.attributes]) === k);
  if (found) return found;
  expectedMetrics.push(e);
  return e;
}
const BOUNDS = [5, 10, 25, 50, 100, 250, 500, 1000];
const meterProviders = [];
const recorders = [];
for (const [flavor, temporality] of [['cumulative', AggregationTemporalityPreference.CUMULATIVE],
  ['delta', AggregationTemporalityPreference.DELTA]]) {
  const service = `interop-metrics-${flavor}`;
  const exporter = new OTLPMetricExporter({ url: signalUrl('/v1/metrics'),
    temporalityPreference: temporality, timeoutMillis: 20000 });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': service, 'service.instance.id': `${flavor}-0` }),
    views: [{ instrumentName: 'interop.payload.size',
      aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM, options: { maxSize: 160 } } }],
    // Exports happen only when forced (main() forces one midway and one at the end), so both
    // flavors really send two points per series: cumulative ones the agent turns into deltas,
    // and deltas the collector adds up.
    readers: [new PeriodicExportingMetricReader({ exporter: checkedMetrics(exporter),
      exportIntervalMillis: 3_600_000, exportTimeoutMillis: 20000 })],
  });
  meterProviders.push(provider);
  const meter = provider.getMeter('interop-meter', '2.0.0');
  const counter = meter.createCounter('interop.requests', { unit: '{request}', description: 'requests' });
  const updown = meter.createUpDownCounter('interop.queue.depth', { unit: '{item}' });
  const gauge = meter.createGauge('interop.temperature', { unit: 'Cel' });
  const hist = meter.createHistogram('interop.latency', { unit: 'ms',
    advice: { explicitBucketBoundaries: BOUNDS } });
  const exp = meter.createHistogram('interop.payload.size', { unit: 'By' });

  // Records `n` values per attribute set, adding them to the expectations.
  recorders.push((n) => {
    for (const method of ['GET', 'POST']) {
      const attrs = { method };
      const c = addExpected({ service, name: 'interop.requests', kind: 'counter', attributes: attrs, value: 0 });
      const u = addExpected({ service, name: 'interop.queue.depth', kind: 'updown', attributes: attrs, value: 0 });
      const g = addExpected({ service, name: 'interop.temperature', kind: 'gauge', attributes: attrs, value: null });
      const h = addExpected({ service, name: 'interop.latency', kind: 'histogram', attributes: attrs,
        count: 0, sum: 0, bounds: BOUNDS, bucketCounts: new Array(BOUNDS.length + 1).fill(0) });
      const x = addExpected({ service, name: 'interop.payload.size', kind: 'exphistogram',
        attributes: attrs, count: 0, sum: 0, zeroCount: 0 });
      for (let k = 0; k < n; k++) {
        const inc = 1 + Math.floor(rand() * 5);
        counter.add(inc, attrs); c.value += inc;
        const d = Math.floor(rand() * 11) - 4; // -4..6
        updown.add(d, attrs); u.value += d;
        const t = Math.round(rand() * 4000) / 100 - 5; // -5..35, two decimals
        gauge.record(t, attrs); g.value = t;
        const ms = Math.round(Math.pow(2000, rand()) * 100) / 100; // 1..2000
        hist.record(ms, attrs); h.count++; h.sum += ms;
        let b = BOUNDS.findIndex((bound) => ms <= bound);
        if (b < 0) b = BOUNDS.length;
        h.bucketCounts[b]++;
        const size = k % 25 === 0 ? 0 : Math.floor(Math.pow(1e6, rand()));
        exp.record(size, attrs); x.count++; x.sum += size;
        if (size === 0) x.zeroCount++;
      }
    }
  });
}

// ---- flush everything and write the expectations ---------------------------------------------

async function main() {
  const started = Date.now();
  for (const record of recorders) record(120);
  await Promise.all(meterProviders.map((p) => p.forceFlush()));
  for (const record of recorders) record(80);
  await Promise.all(meterProviders.map((p) => p.forceFlush()));
  await Promise.all(Object.values(traceProviders).map((p) => p.forceFlush()));
  await loggerProvider.forceFlush();
  await Promise.all(Object.values(traceProviders).map((p) => p.shutdown()));
  await loggerProvider.shutdown();
  await Promise.all(meterProviders.map((p) => p.shutdown()));

  const spans = [];
  for (const req of sentTraces) {
    for (const rs of req.resourceSpans) {
      for (const ss of rs.scopeSpans) {
        for (const span of ss.spans) {
          spans.push({ resource: rs.resource, resourceSchemaUrl: rs.schemaUrl, scope: ss.scope,
            scopeSchemaUrl: ss.schemaUrl, span });
        }
      }
    }
  }
  const logs = [];
  for (const req of sentLogs) {
    for (const rl of req.resourceLogs) {
      for (const sl of rl.scopeLogs) {
        for (const log of sl.logRecords) {
          logs.push({ resource: rl.resource, resourceSchemaUrl: rl.schemaUrl, scope: sl.scope,
            scopeSchemaUrl: sl.schemaUrl, log });
        }
      }
    }
  }
  const red = {};
  for (const [key, list] of Object.entries(durations)) {
    const sorted = [...list].sort((a, b) => a - b);
    red[key] = { count: sorted.length, errors: key.endsWith('|500') ? sorted.length : 0,
      p50: nearestRank(sorted, 0.5), p95: nearestRank(sorted, 0.95), p99: nearestRank(sorted, 0.99) };
  }
  const expected = { seed: args.seed, spans, logs, metrics: expectedMetrics, red };
  fs.writeFileSync(args.expect, JSON.stringify(expected));
  const serverSpans = args.spans;
  console.log(`sent ${spans.length} spans (${serverSpans} server), ${logs.length} log records, ` +
    `${expectedMetrics.length} metric series in ${Date.now() - started} ms`);
  if (spans.length !== serverSpans + Math.ceil(serverSpans / 10)) {
    failures.push(`the SDK exported ${spans.length} spans, expected ${serverSpans + Math.ceil(serverSpans / 10)}`);
  }
  if (logs.length !== args.logs) failures.push(`the SDK exported ${logs.length} of ${args.logs} log records`);
  if (failures.length) {
    console.error(`FAILED exports:\n  ${[...new Set(failures)].join('\n  ')}`);
    process.exit(1);
  }
}

main().catch((err) => {
  console.error(`send_workload: ${err.stack || err}`);
  process.exit(1);
});
