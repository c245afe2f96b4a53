#!/usr/bin/env node
// Tiny TCP client and server used by scripts/record-netns.ts inside its network namespaces.
// Plain Node ESM, no dependencies. Every mode is bounded in count and in time.
//
//   node scripts/netns-client.mjs connect HOST PORT COUNT TIMEOUT_MS
//       COUNT sequential connection attempts to HOST:PORT (the kernel picks each source port).
//       Prints one JSON line per attempt on stdout:
//         {"host","port","attempt","outcome","handshake","localPort","ms","bytesIn","bytesOut","error"}
//       outcome: "connected" (handshake done; then "ping\n" is sent and the reply read until the
//       server closes), or the errno code the connect failed with (ECONNREFUSED, EHOSTUNREACH,
//       EACCES, ENETUNREACH, ETIMEDOUT, ...), or "timeout" when TIMEOUT_MS passed before the
//       connect finished (the socket is then destroyed, which sends nothing on the wire).
//       handshake: true when the connect event fired (an attempt reset after the handshake reports
//       outcome ECONNRESET with handshake true). localPort: the kernel-chosen source port, known as
//       soon as the SYN is sent (null if the socket never got one). Exit status 0 when every attempt
//       was made and reported (whatever its outcome), 1 on a bug, 2 on bad arguments.
//
//   node scripts/netns-client.mjs serve PORT[,PORT...] [LIFETIME_MS]
//       Listens on [::] (dual stack) on each port; each accepted connection reads up to a newline
//       (or 64 bytes), answers "pong\n" and closes (the server sends the first FIN). Prints
//       {"listening":[ports]} once every listener is up, then one JSON line per connection.
//       Exits after LIFETIME_MS (default 600000) or on SIGTERM/SIGINT.
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

const MAX_COUNT = 1000;
const MAX_TIMEOUT_MS = 120_000;

function usage(msg) {
  if (msg) process.stderr.write(`netns-client: ${msg}\n`);
  process.stderr.write('usage: netns-client.mjs connect HOST PORT COUNT TIMEOUT_MS\n' + '       netns-client.mjs serve PORT[,PORT...] [LIFETIME_MS]\n');
  process.exit(2);
}

function intArg(value, name, min, max) {
  if (!/^\d+$/.test(value ?? '')) usage(`${name} must be an integer, got '${value}'`);
  const n = Number(value);
  if (n < min || n > max) usage(`${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

function emit(obj) {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
}

/** One attempt: resolves with its report, never rejects, never outlives timeoutMs by much. */
function attempt(host, port, timeoutMs) {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const ms = () => Number((process.hrtime.bigint() - started) / 1000n) / 1000;
    const report = {
      host,
      port,
      outcome: null,
      handshake: false,
      localPort: null,
      ms: 0,
      bytesIn: 0,
      bytesOut: 0,
      error: null,
    };
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      report.ms = ms();
      notePort();
      resolve(report);
    };
    const sock = net.connect({ host, port });
    // The source port is bound when the SYN leaves; record it as soon as it is known.
    const notePort = () => {
      if (report.localPort === null && typeof sock.localPort === 'number') report.localPort = sock.localPort;
    };
    // net.connect() to an IP literal issues connect(2) from a nextTick queued before this one:
    // the port is bound by then, and the socket is still open even if the kernel already
    // refused (a refusal is only seen on the next event-loop turn).
    process.nextTick(notePort);
    const timer = setTimeout(() => {
      notePort();
      if (!report.handshake) report.outcome = 'timeout';
      else report.error = 'exchange-timeout';
      sock.destroy();
      // 'close' follows destroy(); finish there so the socket is really gone.
    }, timeoutMs);
    sock.on('connect', () => {
      notePort();
      report.handshake = true;
      report.outcome = 'connected';
      sock.write('ping\n');
    });
    sock.on('data', (chunk) => {
      report.bytesIn += chunk.length;
    });
    sock.on('error', (err) => {
      notePort();
      const code = err.code ?? err.message;
      if (!report.handshake) report.outcome = code;
      else if (report.bytesIn === 0 && code === 'ECONNRESET') report.outcome = 'ECONNRESET';
      else report.error = code;
    });
    sock.on('close', () => {
      report.bytesOut = sock.bytesWritten;
      if (report.outcome === null) report.outcome = 'closed';
      finish();
    });
  });
}

async function connectMode(args) {
  if (args.length !== 4) usage('connect takes HOST PORT COUNT TIMEOUT_MS');
  const [host, portS, countS, timeoutS] = args;
  if (net.isIP(host) === 0) usage(`HOST must be an IP address, got '${host}'`);
  const port = intArg(portS, 'PORT', 1, 65535);
  const count = intArg(countS, 'COUNT', 1, MAX_COUNT);
  const timeoutMs = intArg(timeoutS, 'TIMEOUT_MS', 1, MAX_TIMEOUT_MS);
  const seenPorts = new Set();
  for (let i = 1; i <= count; i++) {
    const r = await attempt(host, port, timeoutMs);
    const reused = r.localPort !== null && seenPorts.has(r.localPort);
    if (r.localPort !== null) seenPorts.add(r.localPort);
    emit({ attempt: i, ...r, reusedLocalPort: reused });
    // Let the last FIN/ACK of an accepted connection leave before the next SYN: keeps the
    // capture readable (one conversation after the other).
    await sleep(50);
  }
}

async function serveMode(args) {
  if (args.length < 1 || args.length > 2) usage('serve takes PORT[,PORT...] [LIFETIME_MS]');
  const ports = args[0].split(',').map((p) => intArg(p, 'PORT', 1, 65535));
  const lifetimeMs = args[1] === undefined ? 600_000 : intArg(args[1], 'LIFETIME_MS', 1, 3_600_000);
  const servers = [];
  const stop = (code) => {
    for (const s of servers) s.close();
    process.exit(code);
  };
  process.on('SIGTERM', () => stop(0));
  process.on('SIGINT', () => stop(0));
  setTimeout(() => stop(0), lifetimeMs).unref();
  for (const port of ports) {
    const server = net.createServer((sock) => {
      const peer = { remoteAddress: sock.remoteAddress, remotePort: sock.remotePort, localPort: port };
      let buf = '';
      let answered = false;
      sock.setTimeout(5000, () => sock.destroy());
      sock.on('data', (chunk) => {
        buf += chunk.toString('latin1');
        if (!answered && (buf.includes('\n') || buf.length >= 64)) {
          answered = true;
          sock.end('pong\n');
        }
      });
      sock.on('error', (err) => emit({ connection: peer, error: err.code ?? err.message }));
      sock.on('close', () => emit({ connection: peer, received: buf.length, answered }));
    });
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '::', port, ipv6Only: false }, resolve);
    });
    servers.push(server);
  }
  emit({ listening: ports });
}

const [mode, ...rest] = process.argv.slice(2);
try {
  if (mode === 'connect') await connectMode(rest);
  else if (mode === 'serve') await serveMode(rest);
  else if (mode === '-h' || mode === '--help') {
    process.stdout.write('usage: netns-client.mjs connect HOST PORT COUNT TIMEOUT_MS\n' + '       netns-client.mjs serve PORT[,PORT...] [LIFETIME_MS]\n');
  } else usage(mode ? `unknown mode '${mode}'` : 'missing mode');
} catch (err) {
  process.stderr.write(`netns-client: ${err?.stack ?? err}\n`);
  process.exit(1);
}
