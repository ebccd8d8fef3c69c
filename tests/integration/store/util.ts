/** Shared bits of the store integration tests (not a test file). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { siteWithDefaults, settingsWithDefaults } from '../../../src/config/defaults.js';
import { createLogger, type Logger } from '../../../src/core/logger.js';
import type { Settings, Site } from '../../../src/core/types.js';

export function testSites(n: number): Site[] {
  return Array.from({ length: n }, (_, i) =>
    siteWithDefaults({
      id: `site-${String(i).padStart(3, '0')}`, name: `Site ${i}`, kind: i % 2 ? 'info_point' : 'cultural_house',
      province: 'Phú Thọ', group: i < n / 2 ? 'Thanh Sơn' : 'Tân Sơn', commune: `Xã ${i % 3}`,
      host: `127.0.0.${i + 2}`, snmp: false, uplink: i % 3 ? '4g' : 'fibre',
    }),
  );
}

export function testSettings(url: string, database: string, over: { influx?: Partial<Settings['influx']>; spool?: Partial<Settings['spool']> } = {}): Settings {
  return settingsWithDefaults({
    influx: { url, database, batch_size: 500, flush_interval_ms: 100, timeout_ms: 10_000, ...over.influx },
    spool: { ...over.spool },
  });
}

export interface Captured {
  logger: Logger;
  lines(): Record<string, unknown>[];
  messages(): string[];
}

export function captureLogger(): Captured {
  const out: string[] = [];
  const logger = createLogger({ level: 'debug', destination: { write: (s: string) => void out.push(s) } });
  const lines = () => out.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { logger, lines, messages: () => lines().map((l) => String(l.msg)) };
}

export function tmpDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `pw-store-${prefix}-`));
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 20_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v as T;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/** Deterministic pseudo-random numbers (tests must be repeatable). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
