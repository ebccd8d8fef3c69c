import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import snmp from 'net-snmp';
import { BerError, decodeResponse, encodeRequest, oidContent, PDU } from './ber.js';
import { T } from './decode.js';

interface Msg { name: string; request_id: number; hex: string }
const MSGS = (JSON.parse(readFileSync(new URL('./testdata/wire-messages.json', import.meta.url), 'utf8')) as { messages: Msg[] }).messages;
const hex = (name: string) => Buffer.from(MSGS.find((m) => m.name === name)!.hex, 'hex');

describe('ber: requests byte for byte as net-snmp sends them (captured datagrams)', () => {
  it('v1 GET sysUpTime.0', () => {
    const m = MSGS.find((x) => x.name === 'v1 get request 0')!;
    expect(encodeRequest(0, 'public', PDU.get, m.request_id, 0, 0, ['1.3.6.1.2.1.1.3.0']).toString('hex')).toBe(m.hex);
  });
  it('v2c GETBULK, 1 non-repeater, 3 repetitions', () => {
    const m = MSGS.find((x) => x.name === 'v2c getbulk request 2')!;
    expect(encodeRequest(1, 'public', PDU.getBulk, m.request_id, 1, 3, ['1.3.6.1.2.1.1.1', '1.3.6.1.2.1.2.2.1.2']).toString('hex')).toBe(m.hex);
  });
  it('long messages (lengths past 127 and 255 bytes) decode back to what was asked', () => {
    const oids = Array.from({ length: 40 }, (_, i) => `1.3.6.1.2.1.31.1.1.1.6.${i * 1000 + 1}`);
    const buf = encodeRequest(1, 'a-long-community-name', PDU.getBulk, 123456789, 0, 20, oids);
    expect(buf.length).toBeGreaterThan(256);
    const back = decodeResponse(buf); // a request has the same shape as a response
    expect(back).toMatchObject({ version: 1, pdu: PDU.getBulk, requestId: 123456789, errorStatus: 0, errorIndex: 20 });
    expect(back.varbinds.map((v) => v.oid)).toEqual(oids);
    expect(back.community.toString()).toBe('a-long-community-name');
  });
  it('refuses what is not an OID', () => {
    for (const bad of ['', '1', '1.3.', 'a.b', '1..3', '1.3.6.99999999999']) expect(() => oidContent(bad), bad).toThrow(BerError);
  });
});

describe('ber: answers decoded as net-snmp decodes them (captured snmpd answers)', () => {
  it('v1 GET answer: TimeTicks as a number', () => {
    const r = decodeResponse(hex('v1 get response 1'));
    expect(r).toMatchObject({ version: 0, pdu: PDU.response, requestId: 25588999, errorStatus: 0, errorIndex: 0 });
    expect(r.varbinds).toEqual([{ oid: '1.3.6.1.2.1.1.3.0', type: T.TimeTicks, value: 8 }]);
  });
  it('v2c GETBULK answer: the same varbinds net-snmp\'s own decoder gives', async () => {
    const buf = hex('v2c getbulk response 3');
    const ours = decodeResponse(buf).varbinds;
    // net-snmp's reading of the same bytes, through its public API (a session whose socket we script)
    let onMessage: ((m: Buffer) => void) | null = null;
    let sentId = 0;
    const sock = {
      on(ev: string, fn: (m: Buffer) => void) { if (ev === 'message') onMessage = fn; return sock; },
      send(b: Buffer, o: number, l: number, _p: number, _a: string, cb: (e: null, n: number) => void) { sentId = decodeResponse(Buffer.from(b.subarray(o, o + l))).requestId; cb(null, l); },
      bind: () => sock, ref: () => sock, unref: () => sock, close: () => undefined,
    };
    const session = snmp.createSession('127.0.0.1', 'public', { version: snmp.Version2c, dgramModule: { createSocket: () => sock }, timeout: 1000, retries: 0 } as unknown as snmp.SessionOptions);
    const theirs = await new Promise<unknown[]>((resolve, reject) => {
      session.get(Array.from({ length: ours.length }, (_, i) => `1.3.6.1.${i}`), (err, vbs) => (err ? reject(err) : resolve(vbs as unknown[])));
      // the captured id (4 bytes) replaced by the session's, in 4 bytes (ids are below 10^8)
      const patched = Buffer.from(buf.toString('hex').replace('0204034c06ef', `0204${sentId.toString(16).padStart(8, '0')}`), 'hex');
      onMessage!(patched);
    });
    session.close();
    expect(ours).toEqual(theirs);
    expect(ours[0]).toMatchObject({ oid: '1.3.6.1.2.1.1.1.0', type: T.OctetString });
    expect((ours[1]!.value as Buffer).toString()).toBe('lo');
  });
  it('error-status and error-index, exceptions as null, every value type pointwatch reads', () => {
    // built by hand: Response, error-status 2 (noSuchName) at index 1; Counter64, Gauge32, IpAddress, OID, noSuchObject, endOfMibView
    const vb = (oid: string, tag: number, content: number[]) => {
      const o = [...oidContent(oid)];
      const inner = [0x06, o.length, ...o, tag, content.length, ...content];
      return [0x30, inner.length, ...inner];
    };
    const vbs = [
      ...vb('1.3.6.1.2.1.31.1.1.1.6.1', 0x46, [0x01, 0x00, 0x00, 0x00, 0x00]), ...vb('1.3.6.1.2.1.2.2.1.5.1', 0x42, [0x00, 0xff, 0xff, 0xff, 0xff]),
      ...vb('1.3.6.1.2.1.4.20.1.1.1', 0x40, [10, 0, 0, 1]), ...vb('1.3.6.1.2.1.1.2.0', 0x06, [...oidContent('1.3.6.1.4.1.14988.1')]),
      ...vb('1.3.6.1.2.1.1.9.0', 0x80, []), ...vb('1.3.6.1.2.1.1.10.0', 0x82, []), ...vb('1.3.6.1.2.1.2.2.1.8.1', 0x02, [0xff]),
    ];
    const pdu = [0x02, 1, 7, 0x02, 1, 2, 0x02, 1, 1, 0x30, 0x81, vbs.length, ...vbs];
    const msg = [0x02, 1, 1, 0x04, 1, 0x70, 0xa2, 0x81, pdu.length, ...pdu];
    const r = decodeResponse(Buffer.from([0x30, 0x81, msg.length, ...msg]));
    expect(r).toMatchObject({ requestId: 7, errorStatus: 2, errorIndex: 1 });
    expect(r.varbinds.map((v) => [v.type, Buffer.isBuffer(v.value) ? (v.value as Buffer).toString('hex') : v.value])).toEqual([
      [T.Counter64, '0100000000'], [T.Gauge32, 0xffffffff], [T.IpAddress, '10.0.0.1'], [T.OID, '1.3.6.1.4.1.14988.1'],
      [T.NoSuchObject, null], [T.EndOfMibView, null], [T.Integer, -1],
    ]);
  });
  it('anything cut short or corrupted throws BerError, never anything else', () => {
    const whole = hex('v2c getbulk response 3');
    for (let n = 0; n < whole.length; n++) expect(() => decodeResponse(whole.subarray(0, n)), `cut at ${n}`).toThrow(BerError);
    fc.assert(fc.property(fc.integer({ min: 0, max: whole.length - 1 }), fc.integer({ min: 0, max: 255 }), (at, byte) => {
      const b = Buffer.from(whole);
      b[at] = byte;
      try { decodeResponse(b); } catch (err) { return err instanceof BerError; }
      return true;
    }), { numRuns: 3000 });
  });
});
