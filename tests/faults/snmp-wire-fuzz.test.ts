/**
 * SNMP response handling under malformed packets, at the WIRE: the real SNMP probe (net-snmp)
 * polls simulated routers (v2c and v3) through UDP relays that mutate the routers' real answers:
 * truncated packets, flipped bytes, BER length bytes set to 0x00/0x7f/0x80/0xff, varbind type tags
 * swapped (wrong types), inserted and appended garbage, whole random packets, answers sent twice.
 * Some answers pass untouched so walks go deep and later packets get hit too.
 * Thousands of polls, seeded: each ends with a status (ok / timeout / error / unreachable),
 * within its bound, and nothing throws out of the probe or crashes the process.
 * (Decoder-level fuzz of varbinds: src/probes/snmp/decode.test.ts; fping parser fuzz:
 * src/probes/ping/parse.test.ts; one garbage + one truncated responder:
 * tests/integration/probes/snmp-snmpd.test.ts.)
 * Prints one FAULTS line for the README.
 */
import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Site } from '../../src/config/schema.js';
import { createSnmpProbe } from '../../src/probes/snmp/index.js';
import { createFleet, type Fleet } from '../../src/sim/fleet.js';

const CASES = Number(process.env.PW_FAULTS_SNMP_FUZZ_CASES ?? 2000);
const RELAYS = 40;
const TIMEOUT_MS = 150;

let fleet: Fleet;
interface Relay { sock: dgram.Socket; up: dgram.Socket; port: number; setTarget(t: { host: string; port: number }): void }
const relays: Relay[] = [];
let seed = 20261122;
const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
const int = (n: number) => Math.floor(rand() * n);
const mutations: Record<string, number> = {};

function mutate(pkt: Buffer): Buffer[] {
  const b = Buffer.from(pkt);
  const kinds = ['pass', 'pass', 'truncate', 'flip', 'length', 'type', 'insert', 'append', 'random', 'twice'] as const;
  const kind = kinds[int(kinds.length)]!;
  mutations[kind] = (mutations[kind] ?? 0) + 1;
  switch (kind) {
    case 'pass': return [b];
    case 'truncate': return [b.subarray(0, int(b.length))];
    case 'flip': { for (let k = 1 + int(4); k > 0; k--) { const at = int(b.length); b[at] = b[at]! ^ (1 << int(8)); } return [b]; }
    case 'length': { // a byte after a constructed/primitive tag: usually a BER length
      const tags = [...b.keys()].filter((i) => i + 1 < b.length && [0x30, 0x02, 0x04, 0x06, 0x41, 0x46, 0x43, 0xa2].includes(b[i]!));
      const at = tags.length ? tags[int(tags.length)]! + 1 : int(b.length);
      b[at] = [0x00, 0x7f, 0x80, 0x81, 0x84, 0xff][int(6)]!;
      return [b];
    }
    case 'type': { // varbind value tags swapped: wrong types
      const tags = [...b.keys()].filter((i) => [0x02, 0x04, 0x06, 0x40, 0x41, 0x42, 0x43, 0x44, 0x46, 0x05, 0x80, 0x81, 0x82].includes(b[i]!));
      if (tags.length) b[tags[int(tags.length)]!] = [0x02, 0x04, 0x05, 0x06, 0x40, 0x41, 0x42, 0x43, 0x44, 0x46, 0x80, 0x81, 0x82, 0x30, 0xff][int(15)]!;
      return [b];
    }
    case 'insert': { const at = int(b.length); return [Buffer.concat([b.subarray(0, at), Buffer.from(Array.from({ length: 1 + int(8) }, () => int(256))), b.subarray(at)])]; }
    case 'append': return [Buffer.concat([b, Buffer.from(Array.from({ length: 1 + int(64) }, () => int(256)))])];
    case 'random': return [Buffer.from(Array.from({ length: 1 + int(200) }, () => int(256)))];
    case 'twice': return [b, b];
  }
}

beforeAll(async () => {
  fleet = await createFleet({ sites: 5, basePort: 10_000 + Math.floor(Math.random() * 20_000), loopbackBlock: 86, netns: 'off' });
  for (let i = 0; i < RELAYS; i++) {
    const sock = dgram.createSocket('udp4');
    const up = dgram.createSocket('udp4');
    let client: dgram.RemoteInfo | null = null;
    let target: { host: string; port: number } = { host: '127.0.0.1', port: 1 };
    sock.on('message', (msg, rinfo) => {
      client = rinfo;
      up.send(msg, target.port, target.host);
    });
    up.on('message', (msg) => {
      if (!client) return;
      for (const out of mutate(msg)) sock.send(out, client.port, client.address);
    });
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    await new Promise<void>((r) => up.bind(0, '127.0.0.1', () => r()));
    relays.push({ sock, up, port: sock.address().port, setTarget: (t) => { target = t; } });
  }
}, 60_000);

afterAll(async () => {
  for (const r of relays) { r.sock.close(); r.up.close(); }
  await fleet?.close();
});

describe('SNMP probe against mutated answers on the wire', () => {
  it(`${CASES} polls end with a status, none throws, none hangs`, async () => {
    const v2 = fleet.sites.find((s) => s.snmp && s.snmp.version === '2c')!;
    const v3 = fleet.sites.find((s) => s.snmp && s.snmp.version === '3')!;
    expect(v3, 'the simulator has a v3 router').toBeDefined();
    const probe = createSnmpProbe({ timeout_ms: TIMEOUT_MS, retries: 0, max_repetitions: 10, deadline_ms: 3000 });
    const uncaught: unknown[] = [];
    const onUncaught = (e: unknown) => uncaught.push(e);
    process.on('uncaughtException', onUncaught);
    process.on('unhandledRejection', onUncaught);
    const statuses: Record<string, number> = {};
    const thrown: string[] = [];
    let hung = 0;
    let next = 0;
    const t0 = Date.now();
    const worker = async (k: number) => {
      const relay = relays[k]!;
      for (;;) {
        const c = next++;
        if (c >= CASES) return;
        const real = c % 4 === 3 ? v3 : v2;
        const snmp = real.snmp;
        if (!snmp) throw new Error('simulated site without snmp');
        relay.setTarget({ host: real.host, port: snmp.port ?? 161 });
        const site: Site = { ...real, id: `fuzz-${c}`, host: '127.0.0.1', snmp: { ...snmp, port: relay.port } };
        try {
          const r = await Promise.race([
            probe.poll(site, { system: true, interfaces: c % 3 !== 0 }),
            new Promise<'hung'>((res) => setTimeout(() => res('hung'), 10_000)),
          ]);
          if (r === 'hung') hung++;
          else statuses[r.status] = (statuses[r.status] ?? 0) + 1;
        } catch (err) {
          thrown.push(String(err));
        }
      }
    };
    await Promise.all(relays.map((_, k) => worker(k)));
    await new Promise((r) => setTimeout(r, 300)); // late duplicate answers arrive now
    probe.close();
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onUncaught);
    const packets = Object.values(mutations).reduce((a, b) => a + b, 0);
    process.stdout.write(
      `FAULTS snmp-wire-fuzz: polls=${CASES} answers=${packets} mutated=${packets - (mutations.pass ?? 0)} mutations=${JSON.stringify(mutations).replace(/"/g, '')} ` +
      `statuses=${JSON.stringify(statuses).replace(/"/g, '')} thrown=${thrown.length} hung=${hung} uncaught=${uncaught.length} seconds=${((Date.now() - t0) / 1000).toFixed(1)}\n`,
    );
    expect(thrown.slice(0, 5)).toEqual([]);
    expect(uncaught.map(String).slice(0, 5)).toEqual([]);
    expect(hung).toBe(0);
    expect(Object.values(statuses).reduce((a, b) => a + b, 0)).toBe(CASES);
    expect(statuses.ok ?? 0, 'some answers passed untouched: the relays work').toBeGreaterThan(0);
    expect((statuses.error ?? 0) + (statuses.timeout ?? 0), 'the mutations did break answers').toBeGreaterThan(CASES / 10);
  }, 300_000);
});
