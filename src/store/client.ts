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
