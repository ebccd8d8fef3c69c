/**
 * The web app on a REAL influxd holding 7 days of push reports with LTE figures for site a2
 * (written by the real writer from the checks the push route makes), for the site page's 4G
 * section: tests/integration/api/web-lte.test.ts (through inject) and tests/e2e/site-lte.test.ts
 * (in chromium at phone width).
 *
 * Every 5 minutes up to NOW: RSRP −95 … −104 dBm and SINR 4 … 13 dB in a 10-report cycle, 1.5 MB
 * used per report, quota left; the newest report (NOW − 5 min) says RSRP −98, RSRQ −11.5,
 * SINR 7, Viettel, band B3, and the package used up. 24 h = 288 reports (432 MB), 7 days 2,016 (3,024 MB).
 */
import fs from 'node:fs';
import { expect } from 'vitest';
import { startInfluxd, type Influxd } from '../../helpers/influxd.js';
import { settingsWithDefaults } from '../../../src/config/defaults.js';
import { createLogger } from '../../../src/core/logger.js';
import type { SiteCheck } from '../../../src/core/types.js';
import { createWriter } from '../../../src/store/writer.js';
import { createReader } from '../../../src/store/reader.js';
import { createInflux } from '../../../src/store/client.js';
import { pointsForCheck } from '../../../src/store/points.js';
import { historyAdapter } from '../../../src/api/adapters.js';
import { fleet, makeFixture, NOW, type Fixture } from './fixtures.js';

export const STEP = 5 * 60_000;
export const DAY = 86_400_000;
export const REPORTS_7D = (7 * DAY) / STEP;
export const USED_PER_REPORT = 1.5e6;

/** The report k (0 = the oldest, 7 days ago; REPORTS_7D − 1 = the newest, NOW − 5 min). */
export function report(k: number): SiteCheck {
  const ts = NOW - 7 * DAY + k * STEP;
  const newest = k === REPORTS_7D - 1;
  const lte = newest
    ? { rsrp_dbm: -98, rsrq_db: -11.5, sinr_db: 7, rssi_dbm: -70, cell_id: 1715004, enb_id: 6699, operator: 'Viettel', band: 'B3' }
    : { rsrp_dbm: -95 - (k % 10), rsrq_db: -10 - (k % 4), sinr_db: 4 + (k % 10), rssi_dbm: -68, cell_id: 1715004, enb_id: 6699, operator: 'Viettel', band: 'B3' };
  return {
    site: 'a2', ts, cycle: k + 1, recheck: false, ping: null, snmp: null, uptime_s: 1000 + k * 300, rebooted: false, rebooted_at: null,
    interfaces: [], wan: null,
    push: { status: 'ok', late_s: 0.4, interval_s: 300, covers_s: 300, lte, data_used_bytes: USED_PER_REPORT, quota_exhausted: newest },
  };
}

export interface LteFixture {
  f: Fixture;
  influxd: Influxd;
  close(): Promise<void>;
}

export async function startLteFixture(): Promise<LteFixture> {
  const influxd = await startInfluxd();
  const influxSettings = settingsWithDefaults({ influx: { url: influxd.url, database: 'web_lte', flush_interval_ms: 50 } });
  const site = fleet().sites.find((s) => s.id === 'a2')!;
  const dataDir = fs.mkdtempSync('/tmp/pwweb-lte-');
  const writer = await createWriter({ influx: influxSettings.influx, spool: influxSettings.spool, dataDir, logger: createLogger({ level: 'silent' }), strict: true });
  for (let k = 0; k < REPORTS_7D; k++) writer.write(pointsForCheck(site, report(k)));
  await writer.flush();
  expect(writer.stats()).toMatchObject({ written: REPORTS_7D * 2, rejected: 0, dropped: 0 }); // push + lte per report
  await writer.close();
  fs.rmSync(dataDir, { recursive: true, force: true });

  const influx = createInflux(influxSettings.influx);
  const reader = createReader(influx, influxSettings.influx);
  const f = await makeFixture({
    passwords: true,
    settings: { auth: { session_ttl: '12h', login_attempts_per_minute: 1000 } },
    deps: () => ({ history: historyAdapter(reader, async () => (await influx.ping(1000)).every((h) => h.online)) }),
  });
  return {
    f, influxd,
    async close() {
      await f.close();
      await influxd.destroy();
    },
  };
}
