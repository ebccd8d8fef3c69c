import { afterAll, describe, expect, it } from 'vitest';
import { startInfluxd, type Influxd } from '../../helpers/influxd.js';

describe('tests/helpers/influxd', () => {
  let d: Influxd | undefined;
  afterAll(async () => { await d?.destroy(); });

  it('starts, survives kill -9 + restart on the same port and data dir', async () => {
    d = await startInfluxd();
    const q = (s: string) => fetch(`${d!.url}/query?q=${encodeURIComponent(s)}`, { method: 'POST' }).then((r) => r.json());
    expect((await fetch(`${d.url}/ping`)).status).toBe(204);
    await q('CREATE DATABASE helpertest');
    await d.kill();
    await expect(fetch(`${d.url}/ping`)).rejects.toThrow();
    await d.restart();
    const res = (await q('SHOW DATABASES')) as { results: { series: { values: string[][] }[] }[] };
    expect(res.results[0]!.series[0]!.values.flat()).toContain('helpertest');
  });
});
