/**
 * A real webhook receiver for tests that run the whole service: an HTTP server on 127.0.0.1 that
 * collects every JSON body it is sent (with its path and headers), answers 200, and lets a test
 * wait for the notice it expects.
 *
 * It listens on port 0 unless told a port, so the kernel picks a free loopback port and we hold it
 * from that moment (asking `freeTcpPort()` first and listening after would leave a gap where
 * another socket can take it). Notifier tests that script the provider's answers (errors, 429, slowness) use
 * tests/integration/notifiers/http-recorder.ts instead.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface WebhookDelivery<T> {
  path: string;
  headers: http.IncomingHttpHeaders;
  /** The body as received (what a signature is computed over). */
  raw: string;
  body: T;
  at: number;
}

export interface WebhookReceiver<T> {
  /** `http://127.0.0.1:<port>`: append the path the notifier should POST to. */
  url: string;
  port: number;
  /** Every JSON delivery, in arrival order. */
  deliveries: WebhookDelivery<T>[];
  /** The same deliveries' bodies (a live array: it grows as notices arrive). */
  bodies: T[];
  /** Bodies that were not JSON (answered 400, not in `deliveries`). */
  malformed: string[];
  /** Requests answered 503 by `refuseFirst` (not in `deliveries`). */
  readonly refused: number;
  /**
   * Resolves with the first body (already received or still to come) that matches; rejects after
   * `ms` (default 30 s) naming the notices that did come, and what `context()` says (say, the states).
   */
  waitFor(what: string, match: (body: T) => boolean, ms?: number, context?: () => string): Promise<T>;
  /** Forget what was received so far (the arrays are emptied in place). */
  clear(): void;
  close(): Promise<void>;
}

export interface WebhookOptions {
  /** The status every JSON delivery is answered with (default 200). */
  status?: number;
  /**
   * Listen on this port instead of one the kernel picks: for a receiver that starts after the
   * service (down at first), whose URL had to be in the settings already.
   */
  port?: number;
  /** Answer the first N requests 503 `busy` without collecting them (a receiver that refuses at first). */
  refuseFirst?: number;
}

export async function startWebhook<T = unknown>(opts: WebhookOptions = {}): Promise<WebhookReceiver<T>> {
  const status = opts.status ?? 200;
  const deliveries: WebhookDelivery<T>[] = [];
  const bodies: T[] = [];
  const malformed: string[] = [];
  let refused = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (refused < (opts.refuseFirst ?? 0)) {
        refused++;
        res.writeHead(503).end('busy');
        return;
      }
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: T;
      try {
        body = JSON.parse(raw) as T;
      } catch {
        malformed.push(raw);
        res.writeHead(400).end();
        return;
      }
      deliveries.push({ path: req.url ?? '', headers: req.headers, raw, body, at: Date.now() });
      bodies.push(body);
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let closed: Promise<void> | null = null;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    deliveries,
    bodies,
    malformed,
    get refused() { return refused; },
    async waitFor(what, match, ms = 30_000, context) {
      const end = Date.now() + ms;
      for (;;) {
        const hit = bodies.find(match);
        if (hit !== undefined) return hit;
        if (Date.now() > end) {
          throw new Error(`timed out waiting for ${what}; notices so far ${JSON.stringify(bodies.map(summary))}${context ? `; ${context()}` : ''}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    clear() {
      deliveries.length = 0;
      bodies.length = 0;
      malformed.length = 0;
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      return closed;
    },
  };
}

/** A notice in a timeout message: its event, kind, site and detail (the full body is long). */
function summary(b: unknown): unknown {
  if (!b || typeof b !== 'object') return b;
  const n = b as { event?: unknown; kind?: unknown; site?: { id?: unknown } | null; detail?: unknown };
  return [n.event, n.kind, n.site?.id ?? null, n.detail];
}
