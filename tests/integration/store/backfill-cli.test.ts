/** `pointwatch backfill-rollups` end to end: real CLI process, real influxd. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInfluxd, type Influxd } from '../../helpers/influxd.js';
import { createInflux, exec } from '../../../src/store/client.js';
import { createWriter } from '../../../src/store/writer.js';
import { statePoint } from '../../../src/store/points.js';
import { Command } from 'commander';
import { register } from '../../../src/cli/backfill-rollups.js';
import { InputError } from '../../../src/core/errors.js';
import { captureLogger, testSettings, testSites, tmpDir } from './util.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
let influxd: Influxd;
const dirs: string[] = [];
beforeAll(async () => {
  influxd = await startInfluxd();
});
afterAll(async () => {
  await influxd?.destroy();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'backfill-rollups', ...args], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, POINTWATCH_INFLUX_URL: influxd.url, POINTWATCH_INFLUX_DATABASE: 'cli_bf', ...env }, timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('pointwatch backfill-rollups', () => {
  it('recomputes the rollups of the range and reports progress', async () => {
    const settings = testSettings(influxd.url, 'cli_bf');
    const dataDir = tmpDir('cli');
    dirs.push(dataDir);
    const w = await createWriter({ influx: settings.influx, spool: settings.spool, dataDir, logger: captureLogger().logger, strict: true });
    const base = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 5 * 3_600_000; // within raw retention
    const [site] = testSites(1);
    w.write(Array.from({ length: 240 }, (_, i) => statePoint(site!, base + i * 30_000, i % 4 === 0 ? 'DOWN' : 'UP', 30)));
    await w.flush();
    await w.close();

    const r = cli(['--from', new Date(base).toISOString(), '--to', new Date(base + 2 * 3_600_000).toISOString(), '--chunk', '1h']);
    expect(r.err).toMatch(/\[\s*8\/20\] .* site_state 1h/);
    // 2 hours × (12 five-minute + 1 one-hour) site_state points, then the daily rollup of the UTC
    // day(s) they fall in (4 more queries, 1 or 2 points); the other measurements are empty.
    const days = Math.floor((base + 2 * 3_600_000 - 1) / 86_400_000) - Math.floor(base / 86_400_000) + 1;
    expect(r.out).toMatch(new RegExp(`^backfilled .*: 20 queries, ${26 + days} rollup points written`));
    expect(r.code).toBe(0);
    const influx = createInflux(settings.influx);
    const res = await exec(influx, 'SELECT "down", "up", "checked_s" FROM "cli_bf"."rollup_1h"."site_state"', { database: 'cli_bf' });
    expect(res.results[0]!.series![0]!.values!.map((v) => v.slice(1))).toEqual([[30, 90, 3600], [30, 90, 3600]]);
  });

  // Bad input is checked in-process (a CLI process costs seconds of start-up): same register(), same errors.
  const bad: { name: string; args: string[]; err: RegExp }[] = [
    { name: 'a --from that is not a date', args: ['--from', 'yesterday', '--to', '2026-11-21'], err: /--from: 'yesterday' is not an ISO 8601/ },
    { name: '--to before --from', args: ['--from', '2026-11-21', '--to', '2026-11-20'], err: /--to \(2026-11-20\) must be after --from/ },
    { name: 'a chunk that is not whole hours', args: ['--from', '2026-11-20', '--to', '2026-11-21', '--chunk', '90m'], err: /--chunk: .*whole number of hours/ },
  ];
  for (const c of bad) {
    it(`bad input: ${c.name} → InputError (exit 2)`, async () => {
      const program = new Command('pointwatch').exitOverride();
      register(program);
      const err = await program.parseAsync(['node', 'pointwatch', 'backfill-rollups', ...c.args]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InputError);
      expect((err as Error).message).toMatch(c.err);
    });
  }

  it('InfluxDB unreachable → exit 1 with the URL, not a stack', () => {
    const r = cli(['--from', '2026-11-20', '--to', '2026-11-21'], { POINTWATCH_INFLUX_URL: 'http://127.0.0.1:9' });
    expect(r.err).toMatch(/^pointwatch: InfluxDB at http:\/\/127\.0\.0\.1:9 \(database cli_bf\): connect ECONNREFUSED/m);
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(r.code).toBe(1);
  });
});
