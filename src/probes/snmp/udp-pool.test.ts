import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { peekRequestId, routeKey } from './udp-pool.js';

const wire = JSON.parse(readFileSync(new URL('./testdata/wire-messages.json', import.meta.url), 'utf8')) as {
  messages: Array<{ name: string; direction: string; version: string; request_id: number; hex: string }>;
};

describe('peekRequestId on datagrams captured from net-snmp and snmpd', () => {
  it('covers v1, v2c and v3 requests and answers', () => {
    expect(new Set(wire.messages.map((m) => `${m.version} ${m.direction}`)).size).toBe(6);
  });
  for (const m of wire.messages) {
    it(`${m.name} (v${m.version}): ${m.request_id}`, () => expect(peekRequestId(Buffer.from(m.hex, 'hex'))).toBe(m.request_id));
  }
});

describe('peekRequestId on bytes that are not a message', () => {
  const v2c = Buffer.from(wire.messages.find((m) => m.version === '2c')!.hex, 'hex');
  const cases: Array<[string, Buffer]> = [
    ['empty', Buffer.alloc(0)],
    ['not a SEQUENCE', Buffer.from('0201000401', 'hex')],
    ['garbage the fault tests send', Buffer.from('3082ffff0201', 'hex')],
    ['version 2 (unknown)', Buffer.from('300602010204017a', 'hex')],
    ['cut inside the community', v2c.subarray(0, 9)],
    ['cut before the request id', v2c.subarray(0, 15)],
  ];
  for (const [name, buf] of cases) it(name, () => expect(peekRequestId(buf)).toBeNull());

  it('never throws, whatever the bytes (also every prefix of a real message)', () => {
    for (let i = 0; i <= v2c.length; i++) peekRequestId(v2c.subarray(0, i));
    fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), (a) => { peekRequestId(a); }), { numRuns: 5000 });
  });
});

describe('peekRequestId in place (a send reads the id where the message lies in its buffer)', () => {
  it('a message amid other bytes, and every cut of it, read in place as its own bytes would be', () => {
    fc.assert(
      fc.property(fc.constantFrom(...wire.messages), fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 40 }), (m, before, after) => {
        const msg = Buffer.from(m.hex, 'hex');
        const buf = Buffer.concat([before, msg, after]);
        const at = before.length;
        expect(peekRequestId(buf, at, at + msg.length)).toBe(m.request_id);
        for (let i = 0; i <= msg.length; i += 3) expect(peekRequestId(buf, at, at + i)).toBe(peekRequestId(msg.subarray(0, i)));
      }),
      { numRuns: 300 },
    );
  });
});

describe('routeKey: the address:port the kernel will report as the sender', () => {
  const cases: Array<[string, 'udp4' | 'udp6', string, string | null]> = [
    ['IPv4 literal', 'udp4', '127.0.0.1', '127.0.0.1:161'],
    ['host name: resolved by dgram, own socket', 'udp4', 'localhost', null],
    ['IPv6 loopback', 'udp6', '::1', '::1:161'],
    ['IPv6 long form is compressed like the kernel does', 'udp6', '0:0:0:0:0:0:0:1', '::1:161'],
    ['IPv6 upper case', 'udp6', 'FE80:0:0:0:0:0:0:AB', 'fe80::ab:161'],
    ['IPv6 with a zone: own socket', 'udp6', 'fe80::1%lo', null],
    ['IPv4-mapped IPv6: own socket', 'udp6', '::ffff:127.0.0.1', null],
    ['IPv6 name: own socket', 'udp6', 'ip6-localhost', null],
  ];
  for (const [name, fam, addr, want] of cases) it(name, () => expect(routeKey(fam, addr, 161)).toBe(want));
});

describe('facade listeners (a session registers one per event; the facade is no EventEmitter)', () => {
  it('routes an answer to every message listener, in order; an unknown event is refused by name', async () => {
    const { UdpPool } = await import('./udp-pool.js');
    const dgram = await import('node:dgram');
    const echo = dgram.createSocket('udp4');
    echo.on('message', (m, r) => echo.send(m, r.port, r.address));
    await new Promise<void>((r) => echo.bind(0, '127.0.0.1', r));
    const pool = new UdpPool({ socketsPerFamily: 1 });
    try {
      const f = pool.dgramModule.createSocket('udp4');
      const got: string[] = [];
      const done = new Promise<void>((resolve) => {
        f.on('message', (m) => got.push(`first ${m.toString()}`));
        f.on('message', (m) => { got.push(`second ${m.toString()}`); resolve(); });
      });
      f.send(Buffer.from('ping'), 0, 4, echo.address().port, '127.0.0.1');
      await done;
      expect(got).toEqual(['first ping', 'second ping']);
      expect(() => (f as unknown as { on(e: string, l: () => void): void }).on('listening', () => {})).toThrow(/unsupported event "listening"/);
      const closed = new Promise<void>((resolve) => f.on('close', resolve));
      f.close();
      await closed;
      expect(() => f.close()).toThrow(/Not running/);
    } finally {
      pool.close();
      echo.close();
    }
  });
});

describe('a closed facade (a site session closed: access changed, or the probe closed)', () => {
  it('emits close once, is detached (answers to it are no longer delivered), and the shared socket stays open for the others', async () => {
    const { UdpPool } = await import('./udp-pool.js');
    const dgram = await import('node:dgram');
    const echo = dgram.createSocket('udp4');
    let echoes = 0;
    echo.on('message', (m, r) => { echoes++; echo.send(m, r.port, r.address); });
    await new Promise<void>((r) => echo.bind(0, '127.0.0.1', r));
    const pool = new UdpPool({ socketsPerFamily: 1 });
    try {
      const f = pool.dgramModule.createSocket('udp4');
      const events: string[] = [];
      f.on('message', () => events.push('message'));
      f.on('close', () => events.push('close'));
      const first = new Promise<void>((resolve) => f.on('message', () => resolve()));
      f.send(Buffer.from('a'), 0, 1, echo.address().port, '127.0.0.1');
      await first;
      expect(pool.stats()).toMatchObject({ facades: 1, sockets: 1 });
      f.close();
      expect(pool.stats()).toMatchObject({ facades: 0, sockets: 1 });
      expect(() => f.close()).toThrow(/Not running/); // as a closed dgram socket
      // another facade to the same agent: the closed one gets nothing more
      const g = pool.dgramModule.createSocket('udp4');
      const second = new Promise<void>((resolve) => g.on('message', () => resolve()));
      g.send(Buffer.from('b'), 0, 1, echo.address().port, '127.0.0.1');
      await second;
      await new Promise((r) => setTimeout(r, 20));
      expect(echoes).toBe(2);
      expect(events).toEqual(['message', 'close']);
    } finally {
      pool.close();
      echo.close();
    }
  });
});
