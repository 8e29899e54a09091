#!/usr/bin/env node
'use strict';
// Bad OTLP/gRPC calls against a live receiver, made with @grpc/grpc-js (the transport the
// official SDK's gRPC exporters use): garbage protobuf must get INVALID_ARGUMENT with a
// message, an unknown method UNIMPLEMENTED, a message over the limit RESOURCE_EXHAUSTED, and a
// valid (empty) request afterwards must still succeed.
// Usage: node grpc_bad_input.js --target 127.0.0.1:4317 --too-large BYTES
// Prints one line per check; exits non-zero when any check failed.

const grpc = require('@grpc/grpc-js');
const { parseArgs } = require('./lib/otlp');

const args = parseArgs(process.argv.slice(2), { target: '', 'too-large': 0 });
if (!args.target || !args['too-large']) {
  console.error('usage: grpc_bad_input.js --target HOST:PORT --too-large BYTES');
  process.exit(2);
}

const TRACES = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
const client = new grpc.Client(args.target, grpc.credentials.createInsecure(),
  { 'grpc.max_send_message_length': -1 });
const raw = (b) => b;

function call(method, body) {
  return new Promise((resolve) => {
    client.makeUnaryRequest(method, raw, raw, body, new grpc.Metadata(),
      { deadline: Date.now() + 10000 }, (err, resp) => resolve({ err, resp }));
  });
}

const checks = [
  { name: 'garbage protobuf', method: TRACES, body: Buffer.from([0xff, 0xff, 0xff, 0x0a, 0x7f]),
    code: grpc.status.INVALID_ARGUMENT },
  { name: 'unknown method',
    method: '/opentelemetry.proto.collector.profiles.v1development.ProfilesService/Export',
    body: Buffer.alloc(0), code: grpc.status.UNIMPLEMENTED },
  { name: 'message over the limit', method: TRACES, body: Buffer.alloc(args['too-large'], 0x41),
    code: grpc.status.RESOURCE_EXHAUSTED },
  { name: 'valid empty request afterwards', method: TRACES, body: Buffer.alloc(0),
    code: grpc.status.OK },
];

(async () => {
  let failed = 0;
  for (const c of checks) {
    const { err } = await call(c.method, c.body);
    const code = err ? err.code : grpc.status.OK;
    const details = err ? err.details : '';
    const ok = code === c.code && (code === grpc.status.OK || details.length > 0);
    if (!ok) failed++;
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${c.name}: code ${grpc.status[code]} (want ` +
      `${grpc.status[c.code]})${details ? `: ${details}` : ''}`);
  }
  client.close();
  process.exit(failed ? 1 : 0);
})();
