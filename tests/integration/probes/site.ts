/** Test sites for the probe integration tests (loopback only). */
import { Writable } from 'node:stream';
import { siteWithDefaults } from '../../../src/config/defaults.js';
import { createLogger, type Logger } from '../../../src/core/logger.js';
import type { Site } from '../../../src/core/types.js';

export function testSite(id: string, snmp: unknown, extra: Record<string, unknown> = {}): Site {
  return siteWithDefaults({
    id, name: id, kind: 'other', province: 'P', commune: 'C', host: '127.0.0.1', snmp, ...extra,
  });
}

/** A real pino logger writing into a string, to grep for secrets. */
export function capturingLogger(): { logger: Logger; text: () => string } {
  let buf = '';
  const dest = new Writable({ write(chunk, _enc, cb) { buf += String(chunk); cb(); } });
  return { logger: createLogger({ level: 'debug', destination: dest }), text: () => buf };
}

export const jsonBig = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));
