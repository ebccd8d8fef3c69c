import { describe, expect, it } from 'vitest';
import { wanSaturation } from './saturation.js';

const M = 1e6;

describe('wanSaturation: against the package when given, else the port', () => {
  const cases: Array<{ name: string; wan: { in_bps: number | null; out_bps: number | null; speed_bps: number | null }; bw?: { down_mbps?: number; up_mbps?: number }; want: ReturnType<typeof wanSaturation> }> = [
    { name: 'no package: the port speed', wan: { in_bps: 95 * M, out_bps: 5 * M, speed_bps: 100 * M }, want: { pct: 95, direction: 'down', basis: 'port', capacity_bps: 100 * M } },
    { name: '28 Mbit/s on a 100 Mbit/s port with a 30 Mbit/s package: nearly full', wan: { in_bps: 28 * M, out_bps: 1 * M, speed_bps: 100 * M }, bw: { down_mbps: 30, up_mbps: 30 }, want: { pct: (28 / 30) * 100, direction: 'down', basis: 'contracted', capacity_bps: 30 * M } },
    { name: 'upload is the fuller side of an asymmetric package', wan: { in_bps: 10 * M, out_bps: 4.5 * M, speed_bps: 1000 * M }, bw: { down_mbps: 40, up_mbps: 5 }, want: { pct: 90, direction: 'up', basis: 'contracted', capacity_bps: 5 * M } },
    { name: 'download-only package: upload against the port', wan: { in_bps: 5 * M, out_bps: 90 * M, speed_bps: 100 * M }, bw: { down_mbps: 50 }, want: { pct: 90, direction: 'up', basis: 'port', capacity_bps: 100 * M } },
    { name: 'a 4G modem reporting no speed: the package alone', wan: { in_bps: 9 * M, out_bps: null, speed_bps: 0 }, bw: { down_mbps: 10 }, want: { pct: 90, direction: 'down', basis: 'contracted', capacity_bps: 10 * M } },
    { name: 'no speed and no package: nothing to judge', wan: { in_bps: 9 * M, out_bps: 1 * M, speed_bps: null }, want: null },
    { name: 'no rates yet: nothing to judge', wan: { in_bps: null, out_bps: null, speed_bps: 100 * M }, bw: { down_mbps: 30 }, want: null },
  ];
  it.each(cases)('$name', ({ wan, bw, want }) => {
    const got = wanSaturation(wan, bw);
    if (want === null) expect(got).toBeNull();
    else expect(got).toEqual({ ...want, pct: expect.closeTo(want.pct, 6) });
  });
});
