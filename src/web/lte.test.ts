import { describe, expect, it } from 'vitest';
import { settingsWithDefaults } from '../config/defaults.js';
import { weakSignal } from '../alerting/reducer.js';
import type { LteFigures } from '../core/types.js';
import type { Series } from '../api/deps.js';
import { lastReading, lteQuality, quotaState } from './lte.js';

const TH = settingsWithDefaults({}).thresholds.lte; // rsrp −110, rsrq −15, sinr 0

describe('lteQuality', () => {
  const cases: Array<{ name: string; lte: LteFigures; want: ReturnType<typeof lteQuality> }> = [
    { name: 'strong everywhere is good', lte: { rsrp_dbm: -85, rsrq_db: -8, sinr_db: 18 }, want: 'good' },
    { name: 'exactly the good margin is good', lte: { rsrp_dbm: -90, rsrq_db: -10, sinr_db: 13 }, want: 'good' },
    { name: 'one figure under the margin is fair', lte: { rsrp_dbm: -85, rsrq_db: -8, sinr_db: 12 }, want: 'fair' },
    { name: 'exactly at the weak limit is fair (the alert says below)', lte: { rsrp_dbm: -110, rsrq_db: -15, sinr_db: 0 }, want: 'fair' },
    { name: 'one figure below its limit is poor', lte: { rsrp_dbm: -80, rsrq_db: -8, sinr_db: -1 }, want: 'poor' },
    { name: 'RSRP alone, strong', lte: { rsrp_dbm: -75 }, want: 'good' },
    { name: 'RSRP alone, weak', lte: { rsrp_dbm: -115 }, want: 'poor' },
    { name: 'only RSSI: nothing to judge', lte: { rssi_dbm: -70 }, want: null },
  ];
  it.each(cases)('$name', ({ lte, want }) => {
    expect(lteQuality(lte, TH)).toBe(want);
    // the page and the weak-signal alert never disagree
    expect(lteQuality(lte, TH) === 'poor').toBe(weakSignal(lte, TH)?.bad === true);
  });
  it('follows configured thresholds', () => {
    expect(lteQuality({ rsrp_dbm: -100 }, { ...TH, rsrp_dbm: -95 })).toBe('poor');
    expect(lteQuality({ rsrp_dbm: -100 }, { ...TH, rsrp_dbm: -125 })).toBe('good');
  });
});

const series = (what: 'lte' | 'push', points: Array<[number, Record<string, number | string | null>]>): Series => ({
  what, from: 0, to: 1000, fields: [], points: points.map(([t, values]) => ({ t, values })),
});

describe('lastReading', () => {
  it('the newest point with a signal figure, skipping points with none; the text fields kept', () => {
    const s = series('lte', [[1, { rsrp_dbm: -90, operator: 'VNPT' }], [2, { rsrp_dbm: -97, sinr_db: 7, operator: 'Viettel', band: 'B3', cell_id: 5 }], [3, { rssi_dbm: -60, rsrp_dbm: null }]]);
    expect(lastReading(s)).toEqual({ ts: 2, rsrp_dbm: -97, sinr_db: 7, operator: 'Viettel', band: 'B3', cell_id: 5 });
  });
  it('falls back to the next series (24 h empty → 7 days); null when none has one', () => {
    expect(lastReading(series('lte', []), series('lte', [[9, { sinr_db: 3 }]]))).toEqual({ ts: 9, sinr_db: 3 });
    expect(lastReading(series('lte', []), null)).toBeNull();
  });
});

describe('quotaState', () => {
  it('the last flag and the data used summed', () => {
    expect(quotaState(series('push', [[1, { quota_exhausted: 0, data_used_bytes: 10 }], [2, { quota_exhausted: 1, data_used_bytes: 5 }], [3, { quota_exhausted: null, data_used_bytes: null }]])))
      .toEqual({ exhausted: true, at: 2, usedBytes: 15 });
  });
  it('never said: nulls', () => {
    expect(quotaState(series('push', [[1, { received: 0 }]]))).toEqual({ exhausted: null, at: null, usedBytes: null });
  });
});
