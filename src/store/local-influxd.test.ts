import { describe, expect, it } from 'vitest';
import { influxdConfig, localInfluxdDir, startInfluxd } from './local-influxd.js';

describe('local influxd', () => {
  it('a missing binary is a clear error (a missing daemon fails the tests, never skips them)', async () => {
    await expect(startInfluxd({ binary: 'no-such-influxd', dir: '/tmp/pw-never-created' })).rejects.toThrow(/influxd not found \(no-such-influxd\): install InfluxDB 1\.x/);
    await expect(startInfluxd({ binary: '/nonexistent/influxd', dir: '/tmp/pw-never-created' })).rejects.toThrow(/influxd not found/);
  });
  it('config: loopback only, RPC port moved, data under the dir, reporting off, CQs every run-interval', () => {
    const c = influxdConfig('/d/x', 18086, 18088, '1s');
    for (const line of ['reporting-disabled = true', 'bind-address = "127.0.0.1:18088"', 'bind-address = "127.0.0.1:18086"', 'dir = "/d/x/meta"', 'wal-dir = "/d/x/wal"', 'run-interval = "1s"', 'log-enabled = false']) {
      expect(c).toContain(line);
    }
    expect(c).not.toMatch(/0\.0\.0\.0|:8086|:8088/);
  });
  it('the demo keeps its data in <data_dir>/influxd', () => expect(localInfluxdDir('.data')).toBe('.data/influxd'));
});
