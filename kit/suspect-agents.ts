/**
 * The two processes the suspect-reset scenarios (kit/suspect-scenarios.ts) run inside their
 * namespaces, through tsx:
 *   suspect-agents.ts client PLAN_JSON         the connects of one family, one JSON report a line
 *   suspect-agents.ts attack IFACE PLAN_JSON   the injector: forged RSTs answering the client's SYNs
 * RW_ATTACK_DEBUG=1 makes the attacker print every frame it sees (on stderr).
 */
import { createSocket } from 'node:dgram';
import { createRequire } from 'node:module';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { ethernet, tcp4, tcp6 } from './craft.js';
import { ADDON, DISCARD_PORT, FILLER_BYTES, type AttackPlan, type AttackReport, type ClientReport, type Step } from './suspect-scenarios.js';
import { sleep } from './wait.js';

const SELF = fileURLToPath(import.meta.url);

// ------------------------------------------------------------------------------------------------
// The client (runs in the client namespace)
// ------------------------------------------------------------------------------------------------

function connectOnce(host: string, port: number, timeoutMs: number): Promise<ClientReport> {
  return new Promise((done) => {
    const report: ClientReport = { host, port, outcome: 'timeout', handshake: false, localPort: null };
    const sock = net.connect({ host, port });
    const note = () => {
      if (report.localPort === null && typeof sock.localPort === 'number') report.localPort = sock.localPort;
    };
    process.nextTick(note);
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    let finished = false;
    function finish(outcome: string): void {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      note();
      report.outcome = outcome;
      sock.destroy();
      done(report);
    }
    sock.on('connect', () => {
      report.handshake = true;
      note();
      sock.end('ping\n');
    });
    sock.on('data', () => undefined);
    sock.on('close', () => finish(report.handshake ? 'connected' : report.outcome));
    sock.on('error', (err: NodeJS.ErrnoException) => finish(err.code ?? err.message));
  });
}

async function clientMode(planJson: string): Promise<void> {
  const plan = JSON.parse(planJson) as Step[];
  for (const step of plan) {
    for (let i = 0; i < step.count; i++) {
      if (step.fill) {
        const udp = createSocket(step.host.includes(':') ? 'udp6' : 'udp4');
        for (let k = 0; k < step.fill; k++) await new Promise<void>((r) => udp.send(Buffer.alloc(FILLER_BYTES), DISCARD_PORT, step.host, () => r()));
        udp.close();
      }
      const report = await connectOnce(step.host, step.port, 5000);
      process.stdout.write(`${JSON.stringify(report)}\n`);
      // Let the late answers (a SYN-ACK after a forged RST, FINs) pass before the next connect.
      await sleep(step.fill ? 400 : 50);
    }
  }
}

// ------------------------------------------------------------------------------------------------
// The attacker (runs in r1, on its client-side interface)
// ------------------------------------------------------------------------------------------------

function ipText(b: Uint8Array, off: number, six: boolean): string {
  if (!six) return `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
  const g: string[] = [];
  for (let i = 0; i < 16; i += 2) g.push(((b[off + i] << 8) | b[off + i + 1]).toString(16));
  return g.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}

async function attackMode(iface: string, planJson: string): Promise<void> {
  const plan = JSON.parse(planJson) as AttackPlan;
  const addon = createRequire(import.meta.url)(ADDON) as {
    open(o: object): { handle: unknown; data: ArrayBuffer; records: ArrayBuffer };
    setFilter(h: unknown, f: string): void;
    start(h: unknown, onBatch: (n: number) => void, onFault: (r: string, m: string) => void): void;
    inject(h: unknown, frame: Uint8Array): number;
    close(h: unknown): void;
    RECORD_FIELDS: number;
  };
  const cap = addon.open({ interfaceName: iface, snaplen: 256, promiscuous: false, immediate: true, bufferBytes: 1 << 20, timeoutMs: 10, maxBatchFrames: 64 });
  const ports = Object.keys(plan.ports).map(Number);
  // No `inbound` in the filter: with it this libpcap/kernel loses the first matching frame after
  // the capture starts (seen here with libpcap 1.10.3 on Linux 6.18); frames from the client are
  // told by their source MAC address instead.
  addon.setFilter(cap.handle, `tcp and (${ports.map((p) => `dst port ${p}`).join(' or ')})`);
  const clientMac = Uint8Array.from(plan.clientMac.split(':').map((h) => parseInt(h, 16)));
  const answered = new Set<string>();
  let seqBase = 0x10000000;
  addon.start(
    cap.handle,
    (frames) => {
      const data = new Uint8Array(cap.data);
      const rec = new Uint32Array(cap.records);
      for (let i = 0; i < frames; i++) {
        const off = rec[i * addon.RECORD_FIELDS];
        const len = rec[i * addon.RECORD_FIELDS + 1];
        const f = data.subarray(off, off + len);
        if (process.env.RW_ATTACK_DEBUG) process.stderr.write(`frame ${len} ${Buffer.from(f.subarray(0, 60)).toString('hex')}\n`);
        if (clientMac.some((b, k) => f[6 + k] !== b)) continue;
        const etherType = (f[12] << 8) | f[13];
        const six = etherType === 0x86dd;
        if (!six && etherType !== 0x0800) continue;
        const ipOff = 14;
        if (six && f[ipOff + 6] !== 6) continue;
        const tcpOff = six ? ipOff + 40 : ipOff + (f[ipOff] & 0x0f) * 4;
        if (!six && f[ipOff + 9] !== 6) continue;
        const flags = f[tcpOff + 13];
        if ((flags & 0x12) !== 0x02) continue; // SYN without ACK
        const src = ipText(f, six ? ipOff + 8 : ipOff + 12, six);
        const dst = ipText(f, six ? ipOff + 24 : ipOff + 16, six);
        const sport = (f[tcpOff] << 8) | f[tcpOff + 1];
        const dport = (f[tcpOff + 2] << 8) | f[tcpOff + 3];
        const isn = ((f[tcpOff + 4] << 24) | (f[tcpOff + 5] << 16) | (f[tcpOff + 6] << 8) | f[tcpOff + 7]) >>> 0;
        const p = plan.ports[String(dport)];
        // One answer per tuple: the client kernel re-sends its SYN about 10 ms after a RST+ACK
        // with an unacceptable ack (tcp_rcv_synsent_state_process), and that one goes through.
        const tuple = `${src} ${sport} ${dst} ${dport}`;
        if (!p || answered.has(tuple)) continue;
        answered.add(tuple);
        seqBase = (seqBase + 0x01000000) >>> 0;
        let injected = 0;
        for (let k = 0; k < p.count; k++) {
          const o = {
            src: dst,
            dst: src,
            sport: dport,
            dport: sport,
            flags: 'R.',
            seq: (seqBase + k * p.seqStep) >>> 0,
            ack: (isn + p.ackOffset) >>> 0,
            win: 0,
          };
          const ip = six ? tcp6({ ...o, hopLimit: p.ttl }) : tcp4({ ...o, ttl: p.ttl, df: true });
          addon.inject(cap.handle, ethernet(ip, { src: plan.ownMac, dst: plan.clientMac, padTo: 60 }));
          injected++;
        }
        const report: AttackReport = { family: six ? 6 : 4, client: src, clientPort: sport, server: dst, serverPort: dport, isn, injected };
        process.stdout.write(`${JSON.stringify({ attack: report })}\n`);
      }
    },
    (reason, message) => {
      process.stdout.write(`${JSON.stringify({ fault: { reason, message } })}\n`);
      process.exit(1);
    },
  );
  process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
  const stop = () => {
    addon.close(cap.handle);
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  setTimeout(stop, 300_000);
}

const [mode, ...rest] = process.argv.slice(2);
if (process.argv[1] === SELF) {
  if (mode === 'client') await clientMode(rest[0]);
  else if (mode === 'attack') await attackMode(rest[0], rest[1]);
  else {
    process.stderr.write(`suspect-agents: unknown mode '${mode}' (client or attack; kit/suspect-scenarios.ts runs them)\n`);
    process.exitCode = 2;
  }
}
