/**
 * Disk full under the spool, on a real (tiny) tmpfs: a clear error, and nothing already spooled
 * is damaged. Needs root (mount), as the rest of the integration suite.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Spool, SpoolWriteError } from '../../../src/store/spool.js';
import { createWriter } from '../../../src/store/writer.js';
import { statePoint, type Point } from '../../../src/store/points.js';
import { captureLogger, rng, testSettings, testSites, tmpDir } from './util.js';

const mounts: string[] = [];
/** A fresh 96 KiB tmpfs. */
function smallDisk(): string {
  const mnt = tmpDir('diskfull');
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=96k', 'pwstorefull', mnt]);
  mounts.push(mnt);
  return mnt;
}
afterAll(() => {
  for (const mnt of mounts) {
    execFileSync('umount', ['-l', mnt]); // lazy: a failed test may still hold a file open
    fs.rmSync(mnt, { recursive: true, force: true });
  }
});

const sites = testSites(20);
const r = rng(1);
let seq = 0;
/** Points that do not compress to nothing (random checked_s). */
function batch(n: number): Point[] {
  return Array.from({ length: n }, () => {
    const s = sites[seq % sites.length]!;
    return statePoint(s, 1_763_000_000_000 + seq++, 'UP', Math.round(r() * 1e9) / 1e3);
  });
}

describe('spool on a full disk', () => {
  it('append fails with a clear error; what was spooled stays intact and replays in order', () => {
    const dir = path.join(smallDisk(), 'spool');
    const cap = captureLogger();
    const spool = Spool.open({ dir, maxBytes: 10 * 1024 * 1024, warnRatio: 0.7, logger: cap.logger });
    const ok: number[] = [];
    let error: unknown;
    for (let i = 0; i < 1000 && !error; i++) {
      const b = batch(40);
      try {
        spool.append(b);
        ok.push(...b.map((p) => p.timestamp));
      } catch (err) {
        error = err;
      }
    }
    expect(error).toBeInstanceOf(SpoolWriteError);
    expect(String((error as Error).message)).toMatch(/disk full.*already spooled points are intact/);
    expect(spool.stats().points).toBe(ok.length);
    spool.close();

    const again = Spool.open({ dir, maxBytes: 10 * 1024 * 1024, warnRatio: 0.7, logger: cap.logger });
    expect(again.stats()).toMatchObject({ points: ok.length, truncated_bytes: 0, corrupt_records: 0 });
    const replayed: number[] = [];
    for (let rec = again.peek(); rec; rec = again.peek()) {
      replayed.push(...rec.points.map((p) => p.timestamp));
      again.ack(rec);
    }
    expect(replayed).toEqual(ok);
    again.close();
  });

  it('the writer: flush() rejects, the loss is counted and logged, earlier spooled points survive', async () => {
    const dataDir = path.join(smallDisk(), 'writer');
    const settings = testSettings('http://127.0.0.1:9', 'diskfull', { influx: { batch_size: 40 } });
    const cap = captureLogger();
    const writer = await createWriter({ influx: settings.influx, spool: settings.spool, dataDir, logger: cap.logger, strict: true });
    let failed: unknown;
    for (let i = 0; i < 1000 && !failed; i++) {
      writer.write(batch(40));
      await writer.flush().catch((err) => (failed = err));
    }
    const st = writer.stats();
    expect(failed).toBeInstanceOf(SpoolWriteError);
    expect(st.dropped).toBe(40); // the first batch that did not fit; the loop stops there
    expect(st.spool.points).toBe(st.spooled);
    expect(cap.messages()).toContain('SPOOL WRITE FAILED: points lost');
    await writer.close();
  });
});
