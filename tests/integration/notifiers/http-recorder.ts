/**
 * A real local HTTP server for notifier tests: records every request (method, path, headers, the
 * RAW body) and answers from a script, so each test checks requests against the provider's
 * documented API and plays the provider's answers (errors, 429, slowness) in order.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  raw: Buffer;
  text: string;
  json: unknown;
  at: number;
}

export interface Reply {
  status?: number;
  json?: unknown;
  body?: string;
  headers?: Record<string, string>;
  /** Wait this long before answering (a slow provider). */
  delayMs?: number;
  /** Never answer (the socket stays open until the server closes). */
  hang?: boolean;
}

export type Responder = (req: Recorded, n: number) => Reply;

export interface Recorder {
  url: string;
  port: number;
  requests: Recorded[];
  /** Replace the answering script. */
  respond(r: Responder | Reply[]): void;
  close(): Promise<void>;
}

export async function startRecorder(initial: Responder | Reply[] = () => ({ status: 200, json: { ok: true } })): Promise<Recorder> {
  const requests: Recorded[] = [];
  let responder: Responder = toResponder(initial);
  const open = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const text = raw.toString('utf8');
      let json: unknown;
      try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
      const rec: Recorded = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, raw, text, json, at: Date.now() };
      requests.push(rec);
      const reply = responder(rec, requests.length);
      if (reply.hang) { open.add(res); return; }
      const send = () => {
        const body = reply.json !== undefined ? JSON.stringify(reply.json) : (reply.body ?? '');
        res.writeHead(reply.status ?? 200, { 'content-type': reply.json !== undefined ? 'application/json' : 'text/plain', ...reply.headers });
        res.end(body);
      };
      if (reply.delayMs) { open.add(res); setTimeout(() => { open.delete(res); if (!res.destroyed) send(); }, reply.delayMs); } else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    respond(r) { responder = toResponder(r); },
    close: () => new Promise<void>((resolve) => {
      for (const res of open) res.destroy();
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function toResponder(r: Responder | Reply[]): Responder {
  if (typeof r === 'function') return r;
  return (_req, n) => r[Math.min(n - 1, r.length - 1)] ?? { status: 200 };
}

/** A clock whose sleeps are recorded and instant (backoff in tests without waiting). */
export function recordingClock(): { now: () => number; sleep: (ms: number) => Promise<void>; sleeps: number[] } {
  const sleeps: number[] = [];
  return { now: () => Date.now(), sleep: async (ms) => { sleeps.push(ms); }, sleeps };
}
