/**
 * Render-once caches for the public pages: a page is rendered at most once per `ttlMs` per key
 * (path + language), concurrent misses share one render (single flight), and the bytes are kept
 * already compressed, so a flood of visitors costs a hash lookup, not a render or a brotli pass.
 */
import { createHash } from 'node:crypto';
import zlib from 'node:zlib';
import type { Clock } from '../../core/clock.js';

export interface CachedPage {
  body: Buffer;
  br: Buffer;
  gzip: Buffer;
  etag: string;
  status: number;
  renderedAt: number;
}

/** A value computed at most once per ttl; a failed refresh keeps serving the last good value. */
export class TtlCache<T> {
  private readonly entries = new Map<string, { value: T; at: number }>();
  private readonly inflight = new Map<string, Promise<T>>();
  /** How many times `compute` ran (the load test reads it). */
  computed = 0;

  constructor(private readonly ttlMs: number, private readonly clock: Clock, private readonly maxEntries = 2000) {}

  async get(key: string, compute: () => Promise<T> | T): Promise<T> {
    const now = this.clock.now();
    const hit = this.entries.get(key);
    if (hit && now - hit.at < this.ttlMs) return hit.value;
    let p = this.inflight.get(key);
    if (!p) {
      p = (async () => {
        this.computed++;
        try {
          const value = await compute();
          if (this.entries.size >= this.maxEntries && !this.entries.has(key)) this.entries.delete(this.entries.keys().next().value as string);
          this.entries.set(key, { value, at: this.clock.now() });
          return value;
        } catch (err) {
          if (hit) return hit.value;
          throw err;
        } finally {
          this.inflight.delete(key);
        }
      })();
      this.inflight.set(key, p);
    }
    return p;
  }
}

export function packPage(html: string, status: number, at: number): CachedPage {
  const body = Buffer.from(html, 'utf8');
  return {
    body,
    br: zlib.brotliCompressSync(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 9 } }),
    gzip: zlib.gzipSync(body, { level: 9 }),
    etag: `"${createHash('sha1').update(body).digest('base64url').slice(0, 22)}"`,
    status,
    renderedAt: at,
  };
}

/** The encoding to send for an Accept-Encoding header: br, gzip or identity. */
export function pickEncoding(header: string | undefined): 'br' | 'gzip' | 'identity' {
  const h = (header ?? '').toLowerCase();
  const ok = (name: string) => new RegExp(`(^|,)\\s*${name}\\s*(;\\s*q=(?!0(\\.0*)?\\s*(,|$))[0-9.]+)?\\s*(,|$)`).test(h);
  if (ok('br')) return 'br';
  if (ok('gzip')) return 'gzip';
  return 'identity';
}
