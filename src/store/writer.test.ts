import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { settingsWithDefaults } from '../config/defaults.js';
import { silentLogger } from '../core/logger.js';
import { createWriter } from './writer.js';

describe('createWriter (no InfluxDB needed)', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
  it('never contacts InfluxDB until something is flushed, and close() with nothing buffered is quick', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-writer-unit-'));
    dirs.push(dataDir);
    const s = settingsWithDefaults({ influx: { url: 'http://127.0.0.1:9' } });
    const w = await createWriter({ influx: s.influx, spool: s.spool, dataDir, logger: silentLogger() });
    expect(w.stats()).toMatchObject({ written: 0, spooled: 0, influx_up: true, buffered: 0 });
    await w.close();
    expect(() => w.write([])).toThrow(/closed/);
  });
});
