/**
 * InfluxDB 1.x `POST /write` of a ready line-protocol body, over node:http(s) with a keep-alive
 * Agent: the writer's only network path. node-influx stays for queries and admin (reader,
 * retention); its writePoints rebuilds the text point by point, and the body here comes from
 * line-protocol.ts (pinned byte for byte to node-influx's text by line-protocol.test.ts).
 *
 * Failures keep node-influx's shapes, which the writer classifies: a status ≥ 300 (below 500)
 * rejects with `res.statusCode` and "A <code> <text> error occurred: <body>"; a 5xx, a timeout and a
 * socket error reject as "unavailable" (no retry here: the writer spools and retries).
 */
import http from 'node:http';
import https from 'node:https';

export interface LineWriteTarget {
  url: string;
  username?: string;
  password?: string;
  timeout_ms: number;
}

export interface LineWriteOptions { database: string; retentionPolicy: string; precision: 'ms' | 's' | 'u' | 'n' }

export type WriteLines = (body: string | Buffer, opts: LineWriteOptions) => Promise<void>;

/** A 4xx (or 3xx) answer: `res.statusCode` as node-influx's RequestError has it. */
export class InfluxWriteError extends Error {
  override name = 'InfluxWriteError';
  constructor(readonly res: { statusCode: number; statusMessage: string }, body: string) {
    super(`A ${res.statusCode} ${res.statusMessage} error occurred: ${body}`);
  }
}

/** InfluxDB did not answer usefully (5xx, timeout, connection refused): the batch is spooled. */
export class InfluxUnavailableError extends Error {
  override name = 'InfluxUnavailableError';
  constructor(message: string, readonly code?: string) { super(message); }
}

/** A writer of line-protocol bodies to one InfluxDB, reusing its connections; `close()` drops them. */
export function createLineWriter(target: LineWriteTarget): { write: WriteLines; close(): void } {
  const u = new URL(target.url);
  const secure = u.protocol === 'https:';
  if (!secure && u.protocol !== 'http:') throw new Error(`influx.url: unsupported protocol '${u.protocol}' (use http or https)`);
  const mod = secure ? https : http;
  const agent = new mod.Agent({ keepAlive: true, maxSockets: 4 });
  const base = u.pathname === '/' ? '' : u.pathname.replace(/\/$/, '');
  const auth = typeof target.username === 'string'
    ? `Basic ${Buffer.from(`${target.username}:${target.password ?? ''}`).toString('base64')}`
    : undefined;

  function write(body: string | Buffer, opts: LineWriteOptions): Promise<void> {
    const q = new URLSearchParams({ db: opts.database, precision: opts.precision, rp: opts.retentionPolicy });
    const payload = typeof body === 'string' ? Buffer.from(body) : body;
    return new Promise<void>((resolve, reject) => {
      const req = mod.request({
        agent, hostname: u.hostname, port: u.port || (secure ? 443 : 80), method: 'POST', path: `${base}/write?${q}`,
        headers: { 'content-length': payload.length, ...(auth ? { authorization: auth } : {}) },
        timeout: target.timeout_ms,
      }, (res) => {
        const status = res.statusCode ?? 0;
        if (status < 300) { res.resume(); res.on('end', resolve); return; }
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => { text += chunk; });
        res.on('end', () => {
          if (status >= 500) reject(new InfluxUnavailableError(`InfluxDB answered ${status} ${res.statusMessage ?? ''}: ${text}`.trim()));
          else reject(new InfluxWriteError({ statusCode: status, statusMessage: res.statusMessage ?? '' }, text));
        });
      });
      req.on('timeout', () => req.destroy(new InfluxUnavailableError('Request timed out', 'ETIMEDOUT')));
      req.on('error', (err: NodeJS.ErrnoException) => reject(err instanceof InfluxUnavailableError ? err : new InfluxUnavailableError(err.message, err.code)));
      req.end(payload);
    });
  }

  return { write, close: () => agent.destroy() };
}
