/**
 * Captures REAL SNMP datagrams for the unit tests of src/probes/snmp (udp-pool.ts peekRequestId,
 * walk.ts out-of-order handling) into src/probes/snmp/testdata/:
 *   - wire-messages.json: requests net-snmp sent (v1 GET, v2c GETBULK, v3 discovery + authPriv GET)
 *     and snmpd's answers, each with the request id net-snmp registered for it;
 *   - snmpd-bulk-out-of-order.json: a 2-column GETBULK whose answer snmpd 5.9 mixes up: a view shows
 *     ifIndex 1..4 of the ifTable (the bench fleet's view) and max-repetitions is 5 (rows seen + 1, what
 *     a walk sized by its last poll asks). Seen on this machine with ifIndex 1..4 + one more interface.
 * Run: `npx tsx tests/integration/probes/capture-wire-fixtures.ts` (root, Debian snmpd).
 */
import dgram from 'node:dgram';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import snmp from 'net-snmp';
import { startSnmpd } from '../../helpers/snmpd.js';
import { freeUdpPorts } from '../../helpers/ports.js';

const OUT = fileURLToPath(new URL('../../../src/probes/snmp/testdata/', import.meta.url));

interface Captured { name: string; direction: 'request' | 'response'; version: string; request_id: number; hex: string }
const captured: Captured[] = [];

/** A dgram module that records every datagram a session sends and receives. */
function recordingDgram(label: string, version: string, session: () => { reqs: Record<string, unknown> }) {
  return {
    createSocket(type: 'udp4' | 'udp6') {
      const s = dgram.createSocket(type);
      let lastId = 0;
      const origSend = s.send.bind(s) as (...a: unknown[]) => void;
      (s as unknown as { send: unknown }).send = (buf: Buffer, off: number, len: number, port: number, addr: string, cb: (e: Error | null, n: number) => void) => {
        origSend(buf, off, len, port, addr, (e: Error | null, n: number) => {
          cb(e, n);
          const ids = Object.keys(session().reqs).map(Number);
          lastId = ids[ids.length - 1]!;
          captured.push({ name: `${label} request ${captured.length}`, direction: 'request', version, request_id: lastId, hex: buf.subarray(off, off + len).toString('hex') });
        });
      };
      s.on('message', (m: Buffer) => captured.push({ name: `${label} response ${captured.length}`, direction: 'response', version, request_id: lastId, hex: m.toString('hex') }));
      return s;
    },
  };
}

const [port] = await freeUdpPorts(1);
const agent = await startSnmpd({
  ports: [port!],
  communities: ['public'],
  v3Users: [{ name: 'pwpriv', authProtocol: 'SHA', authKey: 'authpass123', privProtocol: 'AES', privKey: 'privpass123' }],
  extraConf: [
    // the bench fleet's view (tests/bench/fleet.ts viewLines(4)): ifTable rows 1..4 only
    'view four included .1.3.6.1.2.1.1', 'view four included .1.3.6.1.2.1.2.1',
    ...[1, 2, 3, 4].map((i) => `view four included .1.3.6.1.2.1.2.2.1.1.${i} ff:a0`),
    'rocommunity viewfour default -V four',
  ],
});
const call = <T>(fn: (cb: (e: unknown, r: T) => void) => void) => new Promise<T>((res, rej) => fn((e, r) => (e ? rej(e) : res(r))));
try {
  // 1) wire messages
  let s1: ReturnType<typeof snmp.createSession>;
  s1 = snmp.createSession('127.0.0.1', 'public', { port, version: snmp.Version1, dgramModule: recordingDgram('v1 get', '1', () => s1 as never) } as never);
  await call((cb) => s1.get(['1.3.6.1.2.1.1.3.0'], cb));
  s1.close();
  let s2: ReturnType<typeof snmp.createSession>;
  s2 = snmp.createSession('127.0.0.1', 'public', { port, version: snmp.Version2c, dgramModule: recordingDgram('v2c getbulk', '2c', () => s2 as never) } as never);
  await call((cb) => s2.getBulk(['1.3.6.1.2.1.1.1', '1.3.6.1.2.1.2.2.1.2'], 1, 3, cb));
  s2.close();
  let s3: ReturnType<typeof snmp.createV3Session>;
  const user = { name: 'pwpriv', level: snmp.SecurityLevel.authPriv, authProtocol: snmp.AuthProtocols.sha, authKey: 'authpass123', privProtocol: snmp.PrivProtocols.aes, privKey: 'privpass123' };
  s3 = snmp.createV3Session('127.0.0.1', user as never, { port, version: snmp.Version3, dgramModule: recordingDgram('v3 authPriv get', '3', () => s3 as never) } as never);
  await call((cb) => s3.get(['1.3.6.1.2.1.1.5.0'], cb));
  s3.close();
  writeFileSync(`${OUT}wire-messages.json`, `${JSON.stringify({
    source: 'net-snmp 3.29 (npm) requests and snmpd 5.9.3 (Debian 12) answers on loopback; request_id = the id net-snmp registered (v3: msgID)',
    captured: new Date().toISOString(),
    messages: captured,
  }, null, 1)}\n`);
  console.log(`wrote wire-messages.json (${captured.length} datagrams)`);

  // 2) the out-of-order GETBULK
  const s4 = snmp.createSession('127.0.0.1', 'viewfour', { port, version: snmp.Version2c });
  const ifNumber = (await call<Array<{ value: number }>>((cb) => s4.get(['1.3.6.1.2.1.2.1.0'], cb as never)))[0]!.value;
  const cols = ['1.3.6.1.2.1.2.2.1.2', '1.3.6.1.2.1.2.2.1.5'];
  const vbs = await call<Array<Array<{ oid: string; type: number; value: unknown }>>>((cb) => s4.getBulk(cols, 0, 5, cb as never));
  s4.close();
  const enc = (vb: { oid: string; type: number; value: unknown }) => ({ oid: vb.oid, type: vb.type, value: Buffer.isBuffer(vb.value) ? { hex: vb.value.toString('hex') } : vb.value });
  writeFileSync(`${OUT}snmpd-bulk-out-of-order.json`, `${JSON.stringify({
    source: `snmpd 5.9.3 (Debian 12), v2c, a view showing ifIndex 1..4 of this machine's ${ifNumber} interfaces; GETBULK of ifDescr and ifSpeed, max-repetitions 5`,
    captured: new Date().toISOString(),
    ifNumber,
    columns: Object.fromEntries(cols.map((c, j) => [c, (vbs[j] ?? []).map(enc)])),
  }, null, 1)}\n`);
  console.log(`wrote snmpd-bulk-out-of-order.json: ${vbs.map((col) => col.map((v) => v.oid.split('.').slice(-2).join('.')).join(' ')).join(' | ')}`);
} finally {
  await agent.stop();
}
