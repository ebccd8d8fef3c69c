import { describe, expect, it } from 'vitest';
import type { PingResult, SiteCheck, SnmpResult } from '../core/types.js';
import { isCleanCheck, spreadTickMs } from './index.js';

const ping = (p: Partial<PingResult> = {}): PingResult => ({
  site: 's', ts: 1, status: 'ok', sent: 5, received: 5, loss_pct: 0, rtt_min_ms: 1, rtt_avg_ms: 2, rtt_max_ms: 3, jitter_ms: 0.5, ...p,
});
const snmp = (status: SnmpResult['status']): SnmpResult => ({ site: 's', ts: 1, duration_ms: 3, status });
const check = (c: Partial<SiteCheck> = {}): SiteCheck => ({
  site: 's', ts: 1, cycle: 1, recheck: false, ping: ping(), snmp: snmp('ok'), uptime_s: 100, rebooted: false, rebooted_at: null, interfaces: [], wan: null, ...c,
});

describe('isCleanCheck: which checks may wait for a big batch (the others go to alerting within EMIT_URGENT_MS)', () => {
  const cases: Array<[string, SiteCheck, boolean]> = [
    ['every ping answered, SNMP ok', check(), true],
    ['ping only site (no SNMP)', check({ snmp: null }), true],
    ['every ping lost', check({ ping: ping({ status: 'unreachable', received: 0, loss_pct: 100 }) }), false],
    ['some loss (a degraded condition may fire)', check({ ping: ping({ received: 4, loss_pct: 20 }) }), false],
    ['SNMP timed out', check({ snmp: snmp('timeout') }), false],
    ['SNMP error', check({ snmp: snmp('error') }), false],
    ['a re-check', check({ recheck: true }), false],
    ['a reboot', check({ rebooted: true, rebooted_at: 1 }), false],
    ['not checked (ping probe error)', check({ unknown: 'fping failed', ping: ping({ status: 'error' }) }), false],
    ['no ping this cycle', check({ ping: null }), false],
  ];
  for (const [name, c, want] of cases) it(name, () => expect(isCleanCheck(c)).toBe(want));
});

describe('spreadTickMs: a spread window in about 30 groups, 100 ms to 1 s apart', () => {
  const cases: Array<[number, number]> = [[0, 100], [1200, 100], [6000, 200], [15_000, 500], [30_000, 1000], [60_000, 1000], [600_000, 1000]];
  for (const [w, want] of cases) it(`${w} ms → ${want} ms`, () => expect(spreadTickMs(w)).toBe(want));
});
