/**
 * The steady-state poll (one GETBULK sized by the last full walk) against a REAL snmpsim agent whose
 * interface table changes between polls: an interface appears (ifNumber 2 → 3), and a row loses its
 * HC counters (the 32-bit octets skipped so far are read after all). One device, one community as the
 * probe sees it: a UDP relay in front of snmpsim swaps the community (same length) to switch the
 * data file answering. Values are static, so each result must EQUAL a fresh probe's full walk.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import dgram from 'node:dgram';
import os from 'node:os';
import path from 'node:path';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { startSnmpsim, type SnmpsimHandle } from '../../helpers/snmpsim.js';
import { freeUdpPorts } from '../../helpers/ports.js';
import { createSnmpProbe } from '../../../src/probes/snmp/index.js';
import type { SnmpResult } from '../../../src/core/types.js';
import { testSite } from './site.js';

interface Iface { index: number; name: string; hc: boolean; noIfX?: boolean }

/** An snmprec file: system group, ifNumber, ifTable and ifXTable rows with static values. */
function snmprec(ifaces: Iface[], sys = { descr: 'RouterOS RB951', uptime: 360000 }): string {
  const lines = [
    `1.3.6.1.2.1.1.1.0|4|${sys.descr}`, '1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.14988.1', `1.3.6.1.2.1.1.3.0|67|${sys.uptime}`, '1.3.6.1.2.1.1.5.0|4|changing',
    `1.3.6.1.2.1.2.1.0|2|${ifaces.length}`,
  ];
  const ifTable: Array<[number, (i: Iface) => string]> = [
    [1, (i) => `2|${i.index}`], [2, (i) => `4|${i.name}`], [5, () => '66|100000000'], [7, () => '2|1'], [8, (i) => `2|${i.index === 1 ? 1 : 2}`],
    [10, (i) => `65|${1000 * i.index}`], [13, () => '65|0'], [14, (i) => `65|${i.index}`], [16, (i) => `65|${2000 * i.index}`], [19, () => '65|0'], [20, () => '65|0'],
  ];
  for (const [col, v] of ifTable) for (const i of ifaces) lines.push(`1.3.6.1.2.1.2.2.1.${col}.${i.index}|${v(i)}`);
  const ifX: Array<[number, (i: Iface) => string | null]> = [
    [1, (i) => `4|${i.name}`], [6, (i) => (i.hc ? `70|${5_000_000_000 * i.index}` : null)], [10, (i) => (i.hc ? `70|${7_000_000_000 * i.index}` : null)], [15, () => '66|100'],
  ];
  for (const [col, v] of ifX) for (const i of ifaces) { const x = i.noIfX ? null : v(i); if (x) lines.push(`1.3.6.1.2.1.31.1.1.1.${col}.${i.index}|${x}`); }
  return `${lines.join('\n')}\n`;
}

const DEVICES: Record<string, Iface[]> = {
  tblaaa: [{ index: 1, name: 'ether1', hc: true }, { index: 2, name: 'wlan1', hc: true }],
  tblbbb: [{ index: 1, name: 'ether1', hc: true }, { index: 2, name: 'wlan1', hc: true }, { index: 7, name: 'ppp0', hc: true }],
  tblccc: [{ index: 1, name: 'ether1', hc: true }, { index: 2, name: 'wlan1', hc: false }],
  // an old router without ifXTable (names from ifDescr, 32-bit counters only)
  tblddd: [{ index: 1, name: 'eth0', hc: false, noIfX: true }, { index: 2, name: 'ppp0', hc: false, noIfX: true }],
};

/** tbleee: tblaaa after a firmware upgrade: rebooted (sysUpTime back to 1 s), a new sysDescr, wlan1 renamed. */
DEVICES.tbleee = [{ index: 1, name: 'ether1', hc: true }, { index: 2, name: 'wlan-guest', hc: true }];
const SYS: Record<string, { descr: string; uptime: number }> = { tbleee: { descr: 'RouterOS RB951 7.16 (upgraded)', uptime: 100 } };

let sim: SnmpsimHandle;
let dir: string;
let relay: dgram.Socket;
let relayPort: number;
let upstream: dgram.Socket;
let serving = 'tblaaa';
let requests = 0;
const requestBytes: number[] = [];
const answerBytes: number[] = [];
let lastRequest = Buffer.alloc(0);
/** An OID as it appears BER-encoded in a request (tag 06, length, 40·1+3 = 0x2b, then one byte per arc < 128). */
const berOid = (oid: string) => { const a = oid.split('.').map(Number); return Buffer.from([0x06, a.length - 1, 40 * a[0]! + a[1]!, ...a.slice(2)]); };

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'pw-snmptbl-'));
  for (const [name, ifaces] of Object.entries(DEVICES)) await writeFile(path.join(dir, `${name}.snmprec`), snmprec(ifaces, SYS[name]));
  sim = await startSnmpsim({ files: Object.keys(DEVICES).map((name) => ({ name, from: path.join(dir, `${name}.snmprec`) })) });
  // The probe always speaks community 'tblaaa'; the relay asks snmpsim for `serving` and swaps it back in the answer.
  [relayPort] = (await freeUdpPorts(1)) as [number];
  relay = dgram.createSocket('udp4');
  upstream = dgram.createSocket('udp4');
  let client: dgram.RemoteInfo | null = null;
  const swap = (m: Buffer, from: string, to: string) => {
    const at = m.indexOf(Buffer.from(from));
    if (at >= 0) Buffer.from(to).copy(m, at);
    return m;
  };
  relay.on('message', (m, r) => { client = r; requests++; requestBytes.push(m.length); lastRequest = Buffer.from(m); upstream.send(swap(m, 'tblaaa', serving), sim.port, '127.0.0.1'); });
  upstream.on('message', (m) => { answerBytes.push(m.length); if (client) relay.send(swap(m, serving, 'tblaaa'), client.port, client.address); });
  await new Promise<void>((r) => relay.bind(relayPort, '127.0.0.1', () => r()));
});

afterAll(async () => {
  relay?.close();
  upstream?.close();
  await sim?.stop();
  await rm(dir, { recursive: true, force: true });
});

const FULL = { system: true, interfaces: true };
const OPTS = { timeout_ms: 1500, retries: 1, max_repetitions: 20 };
const viaRelay = () => testSite('changing', { version: '2c', community: 'tblaaa', port: relayPort });

/** What a fresh probe (a full walk) reads from one of the devices, straight from snmpsim. */
async function fresh(community: string): Promise<SnmpResult> {
  const p = createSnmpProbe(OPTS);
  const r = await p.poll(testSite(`fresh-${community}`, { version: '2c', community, port: sim.port }), FULL);
  p.close();
  return r;
}
const same = (r: SnmpResult) => ({ status: r.status, reason: r.reason, system: r.system, interfaces: r.interfaces });

describe('steady-state polls when the interface table changes (snmpsim)', () => {
  it('an interface appears, then a row loses its HC counters: each poll equals a full walk of the device as it is', async () => {
    const probe = createSnmpProbe({ ...OPTS, full_walk_every: 10 });
    const s = viaRelay();
    const poll = async () => { const before = requests; const r = await probe.poll(s, FULL); return { r, n: requests - before }; };
    try {
      const p1 = await poll();
      const p2 = await poll();
      expect(same(p1.r)).toEqual(same(await fresh('tblaaa')));
      expect(same(p2.r)).toEqual(same(await fresh('tblaaa')));
      expect(p2.n).toBe(1);

      serving = 'tblbbb';
      const p3 = await poll();
      expect(same(p3.r)).toEqual(same(await fresh('tblbbb')));
      expect(p3.r.interfaces!.map((i) => i.name)).toEqual(['ether1', 'wlan1', 'ppp0']);
      // the steady GETBULK saw ifNumber 3 ≠ 2: the columns were finished in the same poll, and the
      // name columns (not in steady polls) read afresh from their start: one more request
      expect(p3.n).toBe(3);
      const p4 = await poll();
      const p5 = await poll();
      expect(same(p4.r)).toEqual(same(await fresh('tblbbb')));
      expect(same(p5.r)).toEqual(same(await fresh('tblbbb')));
      // poll 3 saw the ends of the new table: the next polls are one GETBULK of 3 rows (no full walk)
      expect([p4.n, p5.n]).toEqual([1, 1]);

      serving = 'tblccc';
      const p6 = await poll();
      const want = await fresh('tblccc');
      expect(want.interfaces!.map((i) => [i.name, i.counter_bits, i.in_octets])).toEqual([['ether1', 64, 5_000_000_000n], ['wlan1', 32, 2000n]]);
      expect(same(p6.r)).toEqual(same(want));
      const p7 = await poll();
      const p8 = await poll();
      expect(same(p7.r)).toEqual(same(want));
      expect(same(p8.r)).toEqual(same(want));
      // with a 32-bit-only row the steady poll reads all 14 columns again: still one request
      expect(p8.n).toBe(1);
    } finally {
      serving = 'tblaaa';
      probe.close();
    }
  });

  it('steady polls leave the names and system strings out of the GETBULK yet report them; a reboot reads them afresh', async () => {
    serving = 'tblaaa';
    const probe = createSnmpProbe({ ...OPTS, full_walk_every: 10 });
    try {
      const want = same(await fresh('tblaaa'));
      const sizes: number[] = [];
      const rs: SnmpResult[] = [];
      for (let k = 0; k < 3; k++) {
        const before = requests;
        rs.push(await probe.poll(viaRelay(), FULL));
        if (k > 0) {
          expect(requests - before).toBe(1);
          for (const oid of ['1.3.6.1.2.1.1.1', '1.3.6.1.2.1.1.2', '1.3.6.1.2.1.1.5', '1.3.6.1.2.1.2.2.1.2', '1.3.6.1.2.1.31.1.1.1.1']) {
            expect(lastRequest.includes(berOid(oid)), `steady GETBULK asks for ${oid}`).toBe(false);
          }
          for (const oid of ['1.3.6.1.2.1.1.3', '1.3.6.1.2.1.2.1', '1.3.6.1.2.1.2.2.1.8', '1.3.6.1.2.1.31.1.1.1.6']) {
            expect(lastRequest.includes(berOid(oid)), `steady GETBULK lacks ${oid}`).toBe(true);
          }
        }
        sizes.push(answerBytes.at(-1)!);
      }
      for (const r of rs) expect(same(r)).toEqual(want);
      expect(rs[2]!.system).toMatchObject({ sys_descr: 'RouterOS RB951', sys_name: 'changing', sys_object_id: '1.3.6.1.4.1.14988.1' });
      expect(rs[2]!.interfaces!.map((i) => i.name)).toEqual(['ether1', 'wlan1']);
      // the steady answer lacks sysDescr, sysObjectID, sysName and two name columns × 2 rows (≥ 60 bytes of values alone)
      expect(sizes[2]).toBeLessThan(sizes[1]! + 2); // steady polls: the same size
      expect(sizes[1]).toBeLessThan(sizes[0]!);

      serving = 'tbleee'; // rebooted with new firmware: this poll sees sysUpTime go back …
      const p4 = await probe.poll(viaRelay(), FULL);
      expect(p4.system!.uptime_ticks).toBe(100);
      const p5 = await probe.poll(viaRelay(), FULL); // … and the next one is a full walk
      expect(same(p5)).toEqual(same(await fresh('tbleee')));
      expect(p5.system!.sys_descr).toBe('RouterOS RB951 7.16 (upgraded)');
      expect(p5.interfaces!.map((i) => i.name)).toEqual(['ether1', 'wlan-guest']);
    } finally {
      serving = 'tblaaa';
      probe.close();
    }
  });

  it('an agent without ifXTable: steady polls ask for the ifTable columns only, same result', async () => {
    serving = 'tblddd';
    const probe = createSnmpProbe({ ...OPTS, full_walk_every: 10 });
    try {
      const want = same(await fresh('tblddd'));
      expect(want.interfaces!.map((i) => [i.name, i.counter_bits, i.speed_bps])).toEqual([['eth0', 32, 100e6], ['ppp0', 32, 100e6]]);
      const rs: SnmpResult[] = [];
      const sizes: number[] = [];
      for (let k = 0; k < 3; k++) {
        const before = requests;
        rs.push(await probe.poll(viaRelay(), FULL));
        expect(requests - before).toBe(1);
        sizes.push(requestBytes.at(-1)!);
      }
      for (const r of rs) expect(same(r)).toEqual(want);
      // 10 ifTable columns instead of 14: a smaller request (and a smaller answer)
      expect(sizes[1]).toBeLessThan(sizes[0]! - 4 * 10);
      expect(Math.abs(sizes[2]! - sizes[1]!)).toBeLessThanOrEqual(2); // the random request id: a byte or two
    } finally {
      serving = 'tblaaa';
      probe.close();
    }
  });

  it('v1: steady polls are the GET and one GETNEXT per row (no request just to see the ends), same result; an added row is still seen', async () => {
    const probe = createSnmpProbe({ ...OPTS, full_walk_every: 10 });
    const v1 = () => testSite('changing-v1', { version: '1', community: 'tblaaa', port: relayPort });
    const fresh1 = async (community: string) => {
      const p = createSnmpProbe(OPTS);
      const r = await p.poll(testSite(`fresh1-${community}`, { version: '1', community, port: sim.port }), FULL);
      p.close();
      return same(r);
    };
    const poll = async () => { const before = requests; const r = await probe.poll(v1(), FULL); return { r: same(r), n: requests - before }; };
    try {
      serving = 'tblddd';
      const want = await fresh1('tblddd');
      expect(want.interfaces!.map((i) => [i.name, i.counter_bits])).toEqual([['eth0', 32], ['ppp0', 32]]);
      const [p1, p2, p3] = [await poll(), await poll(), await poll()];
      for (const p of [p1, p2, p3]) expect(p.r).toEqual(want);
      // full: GET + GETNEXTs for 2 rows, the ends, and one noSuchName answer per ifXTable column (this
      // v1 agent's MIB ends before them); steady: GET + 2 GETNEXTs of the ifTable columns only
      expect(p1.n).toBeGreaterThanOrEqual(4);
      expect([p2.n, p3.n]).toEqual([3, 3]);
      serving = 'tblbbb'; // 3 rows: ifNumber changed, the walk goes on to the ends
      const p4 = await poll();
      expect(p4.r).toEqual(await fresh1('tblbbb'));
      expect(p4.r.interfaces!.map((i) => i.name)).toEqual(['ether1', 'wlan1', 'ppp0']);
    } finally {
      serving = 'tblaaa';
      probe.close();
    }
  });
});
