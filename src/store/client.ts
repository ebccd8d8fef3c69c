/**
 * The one place an InfluxDB client is configured (the composition root calls createInflux once and
 * passes the client on). The declared schema (src/store/schema.ts) is handed to node-influx, which
 * then refuses undeclared tag and field names and coerces values to the declared types.
 */
import { InfluxDB, type IPoolOptions, type ISchemaOptions } from 'influx';
import type { Settings } from '../core/types.js';
import { MEASUREMENTS } from './schema.js';

export type InfluxSettings = Settings['influx'];

export function influxSchemas(database: string): ISchemaOptions[] {
  return Object.values(MEASUREMENTS).map((m) => ({
    measurement: m.name,
    database,
    tags: [...m.tags],
    fields: { ...m.fields },
  }));
}

/**
 * node-influx would take a failing host out of its pool for up to 10 s (exponential backoff) and
 * answer "No host available" meanwhile. The writer does its own backoff and spools, so the pool
 * never disables the host: recovery is seen on the very next attempt.
 */
const noBackoff: NonNullable<IPoolOptions['backoff']> = { getDelay: () => 0, next: () => noBackoff, reset: () => noBackoff };

export function createInflux(cfg: InfluxSettings): InfluxDB {
  const u = new URL(cfg.url);
  const protocol = u.protocol.replace(':', '');
  if (protocol !== 'http' && protocol !== 'https') throw new Error(`influx.url: unsupported protocol '${u.protocol}' (use http or https)`);
  return new InfluxDB({
    hosts: [{ host: u.hostname, port: Number(u.port || (protocol === 'https' ? 443 : 80)), protocol, path: u.pathname === '/' ? '' : u.pathname.replace(/\/$/, '') }],
    database: cfg.database,
    username: cfg.username,
    password: cfg.password,
    schema: influxSchemas(cfg.database),
    pool: { maxRetries: 0, requestTimeout: cfg.timeout_ms, backoff: noBackoff },
  });
}

/** The part of node-influx's (unexported) connection pool that `writePoints` itself uses to send. */
interface InfluxPool {
  discard(options: { body: string | Buffer; method: 'POST'; path: string; query: Record<string, string>; auth?: string }): Promise<void>;
}

/**
 * POST a line-protocol body to `/write` through the client's own pool: what node-influx's
 * `writePoints` does once it has built its text (same host, timeout and retry settings, same
 * error objects: a 4xx/5xx rejects with a RequestError carrying `res.statusCode`). The text comes
 * from line-protocol.ts. Throws at once if node-influx no longer has the pool this relies on
 * (a dependency upgrade then fails every writer test, not production).
 */
export function writeLines(
  influx: InfluxDB, body: string | Buffer,
  opts: { database: string; retentionPolicy: string; precision: 'ms'; username?: string; password?: string },
): Promise<void> {
  const pool = (influx as unknown as { _pool?: Partial<InfluxPool> })._pool;
  if (typeof pool?.discard !== 'function') throw new Error('node-influx: the client has no connection pool to write through (library changed?)');
  return pool.discard({
    body,
    method: 'POST',
    path: '/write',
    query: { db: opts.database, precision: opts.precision, rp: opts.retentionPolicy },
    ...(typeof opts.username === 'string' ? { auth: `${opts.username}:${opts.password ?? ''}` } : {}),
  });
}

export interface RawResponse {
  results: { statement_id?: number; error?: string; series?: { name: string; tags?: Record<string, string>; columns: string[]; values?: unknown[][] }[] }[];
}

/**
 * Run one or more InfluxQL statements that change things (CREATE, ALTER, DROP, SELECT ... INTO):
 * InfluxDB 1.x wants those as POST. Throws when any statement reports an error.
 */
export async function exec(influx: InfluxDB, statement: string, opts: { database?: string; placeholders?: Record<string, string | number> } = {}): Promise<RawResponse> {
  const res = (await influx.queryRaw(statement, { method: 'POST', database: opts.database, placeholders: opts.placeholders })) as RawResponse;
  const err = res.results.find((r) => r.error);
  if (err) throw new Error(`InfluxDB: ${err.error} (in: ${statement.slice(0, 200)})`);
  return res;
}
