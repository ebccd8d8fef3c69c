import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { settingsWithDefaults } from '../config/defaults.js';
import { silentLogger } from '../core/logger.js';
import { createWriter, writerMetrics, type WriterStats } from './writer.js';

const stats: WriterStats = {
  written: 1200, spooled: 300, replayed: 250, dropped: 0, rejected: 2, invalid: 1, buffered: 7, influx_up: true, last_error: null,
  write_latency_ms: { last: 3.5, avg: 4.25, max: 40, count: 12 }, batch_points: { last: 100, avg: 120, max: 500, count: 14 },
  spool: { bytes: 1700, points: 50, records: 1, segments: 1, max_bytes: 4294967296, dropped_points: 0, corrupt_records: 0, truncated_bytes: 0 },
};

describe('writerMetrics', () => {
  const text = writerMetrics(stats);
  const cases: [string, string][] = [
    ['points written', 'pointwatch_store_points_written_total 1200'],
    ['spool depth', 'pointwatch_store_spool_points 50'],
    ['dropped', 'pointwatch_store_points_dropped_total 0'],
    ['latency', 'pointwatch_store_write_latency_ms{stat="avg"} 4.25'],
    ['batch size', 'pointwatch_store_batch_points{stat="max"} 500'],
    ['influx up', 'pointwatch_store_influx_up 1'],
  ];
  for (const [name, line] of cases) it(`exposes ${name}`, () => expect(text.split('\n')).toContain(line));
  it('declares each metric once (HELP + TYPE), ends with a newline', () => {
    expect(text.match(/# TYPE pointwatch_store_write_latency_ms gauge/g)).toHaveLength(1);
    expect(text.endsWith('\n')).toBe(true);
  });
});

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
