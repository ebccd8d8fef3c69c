/**
 * Invariants of the reducer over random histories (fast-check): whatever the checks, the clock,
 * the parent and the maintenance windows do, it never throws, an alert is never opened twice
 * nor resolved unopened, and a link that always returns some replies is never DOWN.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { settingsWithDefaults } from '../config/defaults.js';
import { initialSiteState, reduceSite, resettle, sameForRestart, streakCap, type Effect, type SiteAlertState } from './reducer.js';
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

  it('a restart from the state last persisted judges the rest of any history as without the restart', () => {
    // The engine writes a state only when sameForRestart says the last written one differs; a
    // restart then resumes from that one. Whatever the history and wherever the restart falls,
    // every later check must give the same published state, detail and effects. (Time runs
    // forward here: a check stamped before the last one judged is judged at that last time, and
    // only the unpersisted last_ts knows it; after a restart the poller stamps checks anew.)
    // thresholds above 2, so a streak of 1 or 2 still has to count
    const settings = settingsWithDefaults({ alerting: { down_after: 3, up_after: 3, degraded_after: 4, flapping: { window: '10m', transitions: 4 } } });
    const cap = streakCap(settings);
    const s = site('r');
    const stepAt = (st: SiteAlertState, x: StepIn, i: number, ts: number) => {
      const ctx = { site: s, settings, now: ts, parentDown: x.parentDown, inMaintenance: x.maintenance };
      const spec: CheckSpec = {
        ts, cycle: i + 1, received: x.received, rtt: x.rtt, snmp: x.snmp, rebooted: x.rebooted, uptime_s: x.uptime_s,
        ...(x.unknown ? { unknown: x.unknown } : {}),
        ...(x.wanUp === null ? {} : { wan: { oper_up: x.wanUp, in_bps: x.wanLoad * 1e6 } }),
      };
      return x.resettle ? resettle(st, ctx) : reduceSite(st, check(s.id, spec), ctx);
    };
    const view = (r: { state: SiteAlertState; effects: Effect[] }) => ({ state: r.state.state, detail: r.state.detail, since: r.state.since, effects: r.effects });
    // calmer than stepArb: mostly good checks with runs of bad ones, so streaks build up, fire and
    // clear around the restart (pure noise rarely holds a condition long enough to fire)
    const rare = (p: number) => fc.integer({ min: 0, max: 99 }).map((n) => n < p);
    const calm = fc.record({
      received: fc.oneof({ weight: 7, arbitrary: fc.constant(5) }, { weight: 2, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 4 }) }),
      rtt: fc.oneof({ weight: 7, arbitrary: fc.integer({ min: 5, max: 100 }) }, { weight: 3, arbitrary: fc.integer({ min: 400, max: 2000 }) }),
      snmp: fc.constantFrom<'ok' | 'timeout' | 'none'>('ok', 'ok', 'ok', 'timeout', 'none'),
      unknown: rare(5).map((b) => (b ? 'fping failed' : null)),
      rebooted: rare(5),
      uptime_s: fc.option(fc.integer({ min: 0, max: 10_000_000 }), { freq: 3 }),
      wanUp: fc.option(fc.boolean(), { freq: 2 }),
      wanLoad: fc.integer({ min: 0, max: 120 }),
      dt: fc.integer({ min: 1, max: 120_000 }),
      parentDown: rare(10),
      maintenance: rare(10),
      resettle: rare(10),
    });
    fc.assert(fc.property(fc.array(calm, { minLength: 1, maxLength: 80 }), fc.nat(), (steps, at) => {
      const cut = at % steps.length;
      const times: number[] = [];
      let t = T0;
      for (const x of steps) times.push((t += 1 + (Math.abs(x.dt) % 120_000)));
      let live = initialSiteState(s.id, T0);
      let persisted = live;
      let writes = 0;
      for (let i = 0; i < cut; i++) {
        live = stepAt(live, steps[i]!, i, times[i]!).state;
        if (!sameForRestart(persisted, live, cap)) { persisted = live; writes++; }
      }
      let restarted = persisted;
      for (let i = cut; i < steps.length; i++) {
        const a = stepAt(live, steps[i]!, i, times[i]!);
        const b = stepAt(restarted, steps[i]!, i, times[i]!);
        expect(view(b)).toEqual(view(a));
        live = a.state;
        restarted = b.state;
      }
      expect(writes).toBeLessThanOrEqual(cut);
    }), { numRuns: 1000 });
  });

  it('a steady site is persisted once its streaks are counted out, not every check', () => {
    const cap = streakCap(settings);
    const s = site('steady');
    let live = initialSiteState(s.id, T0);
    let persisted = live;
    let writes = 0;
    for (let i = 0; i < 100; i++) {
      const ts = T0 + i * 60_000;
      live = reduceSite(live, check(s.id, { ts, cycle: i + 1 }), { site: s, settings, now: ts, parentDown: false, inMaintenance: false }).state;
      if (!sameForRestart(persisted, live, cap)) { persisted = live; writes++; }
    }
    expect(live.state).toBe('UP');
    expect(writes).toBeLessThanOrEqual(cap + 2);
    // and a change that matters is never skipped
    const down = reduceSite(live, check(s.id, { ts: T0 + 100 * 60_000, cycle: 101, received: 0 }), { site: s, settings, now: T0 + 100 * 60_000, parentDown: false, inMaintenance: false }).state;
    expect(sameForRestart(persisted, down, cap)).toBe(false);
  });

  it('a recovery streak below its threshold is always persisted (DOWN, then 1 and 2 good checks of 3 needed)', () => {
    const settings = settingsWithDefaults({ alerting: { down_after: 3, up_after: 3, degraded_after: 4 } });
    const s = site('rec');
    const states: SiteAlertState[] = [];
    let live = initialSiteState(s.id, T0);
    [5, 0, 0, 0, 0, 5, 5, 5].forEach((received, i) => {
      const ts = T0 + (i + 1) * 60_000;
      live = reduceSite(live, check(s.id, { ts, cycle: i + 1, received }), { site: s, settings, now: ts, parentDown: false, inMaintenance: false }).state;
      states.push(live);
    });
    expect(states.map((x) => x.state)).toEqual(['UP', 'UP', 'UP', 'DOWN', 'DOWN', 'DOWN', 'DOWN', 'UP']);
    // ok=1 and ok=2 look alike (state, detail, uptime_after) but a restart from the first would need one more good check
    expect(sameForRestart(states[5]!, states[6]!, streakCap(settings))).toBe(false);
    // past every threshold, streak counts no longer matter
    expect(sameForRestart({ ...states[7]!, down: { ...states[7]!.down, ok: 9 } }, { ...states[7]!, down: { ...states[7]!.down, ok: 700 } }, streakCap(settings))).toBe(true);
  });
});
