import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createLineWriter, InfluxUnavailableError, InfluxWriteError } from './http-write.js';

interface Seen { method: string; url: string; auth: string | undefined; body: string; socket: number }

/** A stand-in InfluxDB on loopback: records each request and answers with `reply`. */
async function fakeInflux(reply: (req: http.IncomingMessage, res: http.ServerResponse) => void) {
  const seen: Seen[] = [];
  const sockets = new Map<unknown, number>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => { body += c; });
    req.on('end', () => {
      if (!sockets.has(req.socket)) sockets.set(req.socket, sockets.size);
      seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, body, socket: sockets.get(req.socket)! });
      reply(req, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

const OPTS = { database: 'pw', retentionPolicy: 'raw', precision: 'ms' } as const;
const closers: Array<() => unknown> = [];
afterEach(async () => { for (const c of closers.splice(0)) await c(); });

describe('createLineWriter (InfluxDB 1.x POST /write)', () => {
  it('posts the body as it is, with db, precision, rp and basic auth, and reuses one connection', async () => {
    const srv = await fakeInflux((_q, res) => { res.writeHead(204); res.end(); });
    closers.push(srv.close);
    const w = createLineWriter({ url: `${srv.url}/base/`, username: 'pw', password: 's3cret', timeout_ms: 2000 });
    closers.push(w.close);
    await w.write('ping,site=a up=1i 1', OPTS);
    await w.write(Buffer.from('ping,site=b up=0i 2'), OPTS);
    expect(srv.seen.map((s) => s.body)).toEqual(['ping,site=a up=1i 1', 'ping,site=b up=0i 2']);
    expect(srv.seen[0]).toMatchObject({ method: 'POST', url: '/base/write?db=pw&precision=ms&rp=raw', auth: `Basic ${Buffer.from('pw:s3cret').toString('base64')}` });
    expect(srv.seen.map((s) => s.socket)).toEqual([0, 0]); // keep-alive
  });

  it('a 400 partial write rejects with the status and InfluxDB\'s text (what the writer counts as dropped)', async () => {
    const msg = '{"error":"partial write: field type conflict: input field \\"up\\" on measurement \\"ping\\" is type float, already exists as type integer dropped=1"}';
    const srv = await fakeInflux((_q, res) => { res.writeHead(400, { 'content-type': 'application/json' }); res.end(msg); });
    closers.push(srv.close);
    const w = createLineWriter({ url: srv.url, timeout_ms: 2000 });
    closers.push(w.close);
    const err = await w.write('x', OPTS).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InfluxWriteError);
    expect((err as InfluxWriteError).res.statusCode).toBe(400);
    expect((err as Error).message).toBe(`A 400 Bad Request error occurred: ${msg}`);
    expect(srv.seen[0]!.auth).toBeUndefined();
  });

  it('a 5xx, a timeout and a refused connection reject as unavailable (no retry)', async () => {
    const srv = await fakeInflux((q, res) => {
      if (q.url!.includes('db=slow')) return; // never answers
      res.writeHead(503); res.end('busy');
    });
    closers.push(srv.close);
    const w = createLineWriter({ url: srv.url, timeout_ms: 150 });
    closers.push(w.close);
    const e5 = await w.write('x', OPTS).catch((e: unknown) => e);
    expect(e5).toBeInstanceOf(InfluxUnavailableError);
    expect((e5 as Error).message).toMatch(/503/);
    const et = await w.write('x', { ...OPTS, database: 'slow' }).catch((e: unknown) => e);
    expect(et).toMatchObject({ name: 'InfluxUnavailableError', message: 'Request timed out' });
    expect(srv.seen).toHaveLength(2);
    const dead = createLineWriter({ url: 'http://127.0.0.1:9', timeout_ms: 500 });
    closers.push(dead.close);
    await expect(dead.write('x', OPTS)).rejects.toMatchObject({ name: 'InfluxUnavailableError', code: 'ECONNREFUSED' });
  });

  it('refuses a URL that is not http or https', () => {
    expect(() => createLineWriter({ url: 'udp://127.0.0.1:8089', timeout_ms: 1 })).toThrow(/unsupported protocol/);
  });
});
