/**
 * A writer process for the kill -9 test (run with `node --import tsx`, not a test file).
 * Usage: spool-child.ts <dataDir> <influx url> <base ts>
 * Writes batches of 100 `ping` points with timestamps base, base+1, ... (ms) to a writer whose
 * InfluxDB is down, so every batch is spooled; after each flush() resolves it prints `acked <n>`:
 * n points are acknowledged (fsync'd in the spool). Runs until killed.
 */
import { settingsWithDefaults } from '../../../src/config/defaults.js';
import { silentLogger } from '../../../src/core/logger.js';
import { createWriter } from '../../../src/store/writer.js';

const [dataDir, url, base] = process.argv.slice(2);
const settings = settingsWithDefaults({ influx: { url, database: 'killtest', batch_size: 100, flush_interval_ms: 60_000, timeout_ms: 500 } });
const writer = await createWriter({ influx: settings.influx, spool: settings.spool, dataDir: dataDir!, logger: silentLogger(), strict: true });
const tags = { site: 'kill-site', commune: 'c', group: 'd', province: 'p', kind: 'other', uplink: 'fibre' };
let n = 0;
for (;;) {
  const batch = Array.from({ length: 100 }, (_, i) => ({
    measurement: 'ping' as const, tags, fields: { up: 1, sent: 3, received: 3, loss_pct: 0, rtt_avg_ms: (n + i) % 97 }, timestamp: Number(base) + n + i,
  }));
  writer.write(batch);
  await writer.flush();
  n += batch.length;
  process.stdout.write(`acked ${n}\n`);
}
