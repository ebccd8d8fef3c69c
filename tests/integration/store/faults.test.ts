/**
 * InfluxDB misbehaving, played by real local HTTP servers: hanging (slow), 5xx, 401. The writer
 * must spool, never block for more than the timeout per outage, and say what is wrong.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { createWriter } from '../../../src/store/writer.js';
import { statePoint } from '../../../src/store/points.js';
import { captureLogger, testSettings, testSites, tmpDir } from './util.js';

const servers: http.Server[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const hits = new Map<string, number>();
async function server(handler: http.RequestListener): Promise<string> {
  const s = http.createServer((q, r) => {
    const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
    if (q.url?.startsWith('/write')) hits.set(url, (hits.get(url) ?? 0) + 1);
    handler(q, r);
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

const [site] = testSites(1);
const pts = (n: number, from = 0) => Array.from({ length: n }, (_, i) => statePoint(site!, 1_763_000_000_000 + from + i, 'UP', 30));

const cases: { name: string; handler: http.RequestListener; error: RegExp }[] = [
  { name: 'slow (never answers within timeout_ms)', handler: () => undefined, error: /timed out/i },
  { name: '503 Service Unavailable', handler: (_q, r) => r.writeHead(503).end(), error: /Service Unavailable/ },
  { name: '401 (wrong credentials)', handler: (_q, r) => r.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"authorization failed"}'), error: /401/ },
];

describe('InfluxDB misbehaving', () => {
  for (const c of cases) {
    it(`${c.name}: points are spooled, later batches do not wait, the error is logged without secrets`, async () => {
      const url = await server(c.handler);
      const settings = testSettings(url, 'faults', { influx: { timeout_ms: 400, username: 'pw', password: 'hunter2-secret' } });
      const dataDir = tmpDir('faults');
      dirs.push(dataDir);
      const cap = captureLogger();
      const writer = await createWriter({ influx: settings.influx, spool: settings.spool, dataDir, logger: cap.logger, strict: true, ensureSchema: false });
      writer.write(pts(10));
      await writer.flush();
      for (let i = 1; i <= 5; i++) {
        writer.write(pts(10, i * 10));
        await writer.flush();
      }
      // While down with a backlog, batches go straight to the spool (no request, no timeout per
      // batch); only the replay loop probes, with backoff. The first batch was the one request it saw
      // from the live path, and on a busy machine the probes are fewer, not more.
      await writer.close();
      expect(hits.get(url)).toBeLessThan(6);
      const st = writer.stats();
      expect(st).toMatchObject({ written: 0, spooled: 60, influx_up: false, dropped: 0 });
      expect(st.last_error).toMatch(c.error);
      const warn = cap.lines().find((l) => l.msg === 'InfluxDB unavailable: spooling points to disk')!;
      expect(String(warn.err)).toMatch(c.error);
      expect(JSON.stringify(cap.lines())).not.toContain('hunter2-secret');
    });
  }
});
