/**
 * What pointwatch relies on from net-snmp, pinned on REAL datagrams (testdata/wire-messages.json:
 * net-snmp 3.29 requests and snmpd 5.9.3 answers captured on loopback), through its public API only:
 * a session whose `dgramModule` is a scripted socket. A net-snmp upgrade that changes the bytes it
 * sends or how it hands back varbinds (getBulk's nesting, Counter64/OctetString as Buffers,
 * TimeTicks as numbers) fails here, not in production.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import snmp from 'net-snmp';
import { peekRequestId } from './udp-pool.js';
import { T, type Vb } from './decode.js';

interface Msg { name: string; direction: 'request' | 'response'; version: string; request_id: number; hex: string }
const MSGS = (JSON.parse(readFileSync(new URL('./testdata/wire-messages.json', import.meta.url), 'utf8')) as { messages: Msg[] }).messages;
const msg = (name: string) => MSGS.find((m) => m.name === name)!;

/** BER INTEGER (tag, length, content) of a non-negative request id, as hex. */
function berIdHex(id: number): string {
  let h = id.toString(16);
  if (h.length % 2) h = `0${h}`;
  if (parseInt(h.slice(0, 2), 16) & 0x80) h = `00${h}`;
  return `02${(h.length / 2).toString(16).padStart(2, '0')}${h}`;
}

/** A socket net-snmp sends through (its public `dgramModule` option): keeps what is sent, delivers what the test injects. */
function scriptedDgram() {
  const sent: Buffer[] = [];
  let onMessage: ((m: Buffer, r: unknown) => void) | null = null;
  const socket = {
    on(ev: string, fn: (...a: never[]) => void) { if (ev === 'message') onMessage = fn as never; return socket; },
    send(buf: Buffer, off: number, len: number, _port: number, _addr: string, cb?: (e: Error | null, n: number) => void) {
      sent.push(Buffer.from(buf.subarray(off, off + len)));
      cb?.(null, len);
    },
    bind: () => socket, ref: () => socket, unref: () => socket, close: () => undefined,
  };
  return { sent, module: { createSocket: () => socket }, deliver: (b: Buffer) => onMessage!(b, { address: '127.0.0.1', port: 161, family: 'IPv4', size: b.length }) };
}

/**
 * Send a request through a real net-snmp session; expect its bytes to be the captured ones (with the
 * session's own request id), answer it with the captured response (re-addressed to that id).
 * Retries while the random id's encoding is not as long as the captured one (ids < 2^23, ~8 %).
 */
async function exchange(version: number, reqName: string, resName: string, send: (s: snmp.Session, cb: (err: unknown, r: unknown) => void) => void): Promise<unknown> {
  const req = msg(reqName);
  const res = msg(resName);
  const capturedId = berIdHex(req.request_id);
  for (let attempt = 0; attempt < 50; attempt++) {
    const d = scriptedDgram();
    const session = snmp.createSession('127.0.0.1', 'public', { version, dgramModule: d.module, timeout: 1000, retries: 0 } as unknown as snmp.SessionOptions);
    const answer = new Promise<unknown>((resolve, reject) => send(session, (err, r) => (err ? reject(err as Error) : resolve(r))));
    const out = d.sent[0]!;
    const id = peekRequestId(out)!;
    const idHex = berIdHex(id);
    if (idHex.length !== capturedId.length) { session.close(); answer.catch(() => undefined); continue; }
    expect(out.toString('hex')).toBe(req.hex.replace(capturedId, idHex));
    d.deliver(Buffer.from(res.hex.replace(capturedId, idHex), 'hex'));
    const r = await answer;
    session.close();
    return r;
  }
  throw new Error('no request id of the captured length in 50 attempts');
}

describe('net-snmp on captured datagrams (public API, scripted socket)', () => {
  it('v1 GET sysUpTime.0: the request bytes, and TimeTicks handed back as a number', async () => {
    const vbs = (await exchange(snmp.Version1, 'v1 get request 0', 'v1 get response 1', (s, cb) => s.get(['1.3.6.1.2.1.1.3.0'], cb))) as Vb[];
    expect(vbs).toEqual([{ oid: '1.3.6.1.2.1.1.3.0', type: T.TimeTicks, value: 8 }]);
  });

  it('v2c GETBULK: the request bytes; non-repeaters flat, then one array per repeated OID; OctetStrings as Buffers', async () => {
    const r = (await exchange(snmp.Version2c, 'v2c getbulk request 2', 'v2c getbulk response 3',
      (s, cb) => s.getBulk(['1.3.6.1.2.1.1.1', '1.3.6.1.2.1.2.2.1.2'], 1, 3, cb))) as Array<Vb | Vb[]>;
    expect(r).toHaveLength(2);
    const sysDescr = r[0] as Vb;
    expect(sysDescr).toMatchObject({ oid: '1.3.6.1.2.1.1.1.0', type: T.OctetString });
    expect(Buffer.isBuffer(sysDescr.value)).toBe(true);
    expect((sysDescr.value as Buffer).toString('utf8')).toMatch(/^Linux /);
    const rows = r[1] as Vb[];
    expect(rows.map((v) => v.oid)).toEqual(['1.3.6.1.2.1.2.2.1.2.1', '1.3.6.1.2.1.2.2.1.2.2', '1.3.6.1.2.1.2.2.1.2.3']);
    expect(rows.map((v) => (v.value as Buffer).toString('utf8'))).toEqual(['lo', 'ifb0', 'ifb1']);
  });

  it('an answer with a request id the session did not send is dropped (the request then times out)', async () => {
    const d = scriptedDgram();
    const session = snmp.createSession('127.0.0.1', 'public', { version: snmp.Version1, dgramModule: d.module, timeout: 50, retries: 0 } as unknown as snmp.SessionOptions);
    const answer = new Promise<unknown>((resolve) => session.get(['1.3.6.1.2.1.1.3.0'], (err) => resolve(err)));
    d.deliver(Buffer.from(msg('v1 get response 1').hex, 'hex')); // the captured id, not this session's
    expect(await answer).toMatchObject({ name: 'RequestTimedOutError' });
    session.close();
  });
});
