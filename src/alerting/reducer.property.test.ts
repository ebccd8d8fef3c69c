/**
 * Invariants of the reducer over random histories (fast-check): whatever the checks, the clock,
 * the parent and the maintenance windows do, it never throws, an alert is never opened twice
 * nor resolved unopened, and a link that always returns some replies is never DOWN.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { settingsWithDefaults } from '../config/defaults.js';
import { initialSiteState, reduceSite, resettle, type SiteAlertState } from './reducer.js';
import { check, site, T0, type CheckSpec } from './testkit.js';

const settings = settingsWithDefaults({ alerting: { flapping: { window: '10m', transitions: 4 } } });

const stepArb = fc.record({
  received: fc.integer({ min: 0, max: 5 }),
  rtt: fc.integer({ min: 1, max: 2000 }),
  snmp: fc.constantFrom<'ok' | 'timeout' | 'none'>('ok', 'timeout', 'none'),
  unknown: fc.option(fc.constant('fping failed'), { freq: 8 }),
  rebooted: fc.boolean(),
  uptime_s: fc.option(fc.integer({ min: 0, max: 10_000_000 }), { freq: 3 }),
  wanUp: fc.option(fc.boolean(), { freq: 2 }),
  wanLoad: fc.integer({ min: 0, max: 120 }),
  dt: fc.integer({ min: -7_200_000, max: 120_000 }),
  parentDown: fc.boolean(),
  maintenance: fc.boolean(),
  resettle: fc.boolean(),
});
type StepIn = typeof stepArb extends fc.Arbitrary<infer T> ? T : never;

function play(steps: StepIn[], s = site('p')) {
  let st: SiteAlertState = initialSiteState(s.id, T0);
  let ts = T0;
  const open = new Set<string>();
  const problems: string[] = [];
  let sawDown = false;
  steps.forEach((x, i) => {
    ts += x.dt;
    const ctx = { site: s, settings, now: ts, parentDown: x.parentDown, inMaintenance: x.maintenance };
    const spec: CheckSpec = {
      ts, cycle: i + 1, received: x.received, rtt: x.rtt, snmp: x.snmp, rebooted: x.rebooted, uptime_s: x.uptime_s,
      ...(x.unknown ? { unknown: x.unknown } : {}),
      ...(x.wanUp === null ? {} : { wan: { oper_up: x.wanUp, in_bps: x.wanLoad * 1e6 } }),
    };
    const r = x.resettle ? resettle(st, ctx) : reduceSite(st, check(s.id, spec), ctx);
    for (const e of r.effects) {
      if (e.type === 'open') {
        if (open.has(e.kind)) problems.push(`step ${i}: ${e.kind} opened twice`);
        open.add(e.kind);
      }
      if (e.type === 'resolve') {
        if (!open.has(e.kind)) problems.push(`step ${i}: ${e.kind} resolved but not open`);
        open.delete(e.kind);
      }
    }
    if (new Set(Object.keys(r.state.alerts)).size !== open.size || ![...open].every((k) => k in r.state.alerts)) {
      problems.push(`step ${i}: latch ${Object.keys(r.state.alerts).join(',')} != opened ${[...open].join(',')}`);
    }
    if (r.state.since < st.since && r.state.state !== st.state) problems.push(`step ${i}: since went back`);
    if (r.state.state === 'DOWN') sawDown = true;
    st = r.state;
  });
  return { problems, sawDown, st };
}

describe('reducer invariants (random histories)', () => {
  it('never throws; alerts open once and resolve only when open; the latch matches', () => {
    fc.assert(fc.property(fc.array(stepArb, { maxLength: 80 }), (steps) => {
      expect(play(steps).problems).toEqual([]);
    }), { numRuns: 300 });
  });

  it('a link that always returns at least one reply is never DOWN', () => {
    fc.assert(fc.property(fc.array(stepArb.map((x) => ({ ...x, received: Math.max(1, x.received), unknown: null })), { maxLength: 80 }), (steps) => {
      const r = play(steps);
      expect(r.sawDown).toBe(false);
      expect(r.st.alerts['site-down']).toBeUndefined();
    }), { numRuns: 300 });
  });

  it('silent inside maintenance: nothing opens while every step is in a window', () => {
    fc.assert(fc.property(fc.array(stepArb.map((x) => ({ ...x, maintenance: true })), { maxLength: 60 }), (steps) => {
      const s = site('m');
      let st = initialSiteState(s.id, T0);
      let ts = T0;
      steps.forEach((x, i) => {
        ts += Math.abs(x.dt) % 120_000;
        const ctx = { site: s, settings, now: ts, parentDown: x.parentDown, inMaintenance: true };
        const r = reduceSite(st, check(s.id, { ts, cycle: i + 1, received: x.received }), ctx);
        expect(r.effects.filter((e) => e.type === 'open')).toEqual([]);
        expect(r.state.state).toBe('MAINTENANCE');
        st = r.state;
      });
    }), { numRuns: 200 });
  });
});
