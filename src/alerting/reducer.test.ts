import { describe, expect, it } from 'vitest';
import { settingsWithDefaults } from '../config/defaults.js';
import type { Site } from '../config/schema.js';
import type { SiteStateName } from '../store/schema.js';
import { initialSiteState, reduceSite, resettle, type Effect, type SiteAlertState } from './reducer.js';
import { check, site, T0, type CheckSpec } from './testkit.js';

const settings = settingsWithDefaults({}); // down_after 2, up_after 2, degraded_after 3, flapping 6 in 30m
const INTERVAL = 30_000;

/** One step of a scenario: a check (or a resettle without a check), and the context at that moment. */
interface Step extends CheckSpec {
  parentDown?: boolean;
  maintenance?: boolean;
  /** Judge again without a check (ancestor recovered, window ended). */
  resettle?: boolean;
  /** Milliseconds after the previous step (default 30 s; the fast re-check uses 3 s). */
  after?: number;
}

function show(e: Effect): string {
  switch (e.type) {
    case 'transition': return `${e.from}->${e.to}`;
    case 'open': return `open ${e.kind}: ${e.detail}`;
    case 'resolve': return `resolve ${e.kind} (${e.cause})`;
    case 'flapping': return `flapping: ${e.detail}`;
    case 'reboot': return 'reboot';
  }
}

function run(steps: Step[], s: Site = site('a')) {
  let st: SiteAlertState = initialSiteState(s.id, T0 - 1);
  let ts = T0;
  const timeline: Array<{ state: SiteStateName; detail: string; effects: string[] }> = [];
  steps.forEach((step, i) => {
    if (i > 0) ts += step.after ?? (step.recheck ? 3000 : INTERVAL);
    const ctx = { site: s, settings, now: ts, parentDown: step.parentDown ?? false, inMaintenance: step.maintenance ?? false };
    const r = step.resettle ? resettle(st, ctx) : reduceSite(st, check(s.id, { ts, cycle: i + 1, ...step }), ctx);
    st = r.state;
    timeline.push({ state: st.state, detail: st.detail, effects: r.effects.map(show) });
  });
  const all = timeline.flatMap((t) => t.effects);
  return { st, timeline, all, states: timeline.map((t) => t.state) };
}

const up: Step = {};
const down: Step = { received: 0 };
const recheckDown: Step = { received: 0, recheck: true };
const times = (n: number, s: Step): Step[] => Array.from({ length: n }, () => ({ ...s }));

describe('reduceSite: DOWN and UP', () => {
  const cases: Array<{ name: string; steps: Step[]; states: SiteStateName[]; effects: string[][] }> = [
    {
      name: 'DOWN confirmed within two checks: the check and its fast re-check',
      steps: [up, down, recheckDown],
      states: ['UP', 'UP', 'DOWN'],
      effects: [['UNKNOWN->UP'], [], ['UP->DOWN', 'open site-down: no ping reply: 5 sent, 0 received, 2 checks']],
    },
    {
      name: 'one lost check that the re-check contradicts is not an outage',
      steps: [up, down, { recheck: true }, up],
      states: ['UP', 'UP', 'UP', 'UP'],
      effects: [['UNKNOWN->UP'], [], [], []],
    },
    {
      name: 'recovers only after up_after good checks, and says so once',
      steps: [up, down, recheckDown, up, up, up],
      states: ['UP', 'UP', 'DOWN', 'DOWN', 'UP', 'UP'],
      effects: [['UNKNOWN->UP'], [], ['UP->DOWN', 'open site-down: no ping reply: 5 sent, 0 received, 2 checks'], [], ['DOWN->UP', 'resolve site-down (link)'], []],
    },
    {
      name: 'a failure during recovery keeps it DOWN and restarts the count',
      steps: [down, recheckDown, up, down, up, up],
      states: ['UNKNOWN', 'DOWN', 'DOWN', 'DOWN', 'DOWN', 'UP'],
      effects: [[], ['UNKNOWN->DOWN', 'open site-down: no ping reply: 5 sent, 0 received, 2 checks'], [], [], [], ['DOWN->UP', 'resolve site-down (link)']],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = run(c.steps);
      expect(r.states).toEqual(c.states);
      expect(r.timeline.map((t) => t.effects)).toEqual(c.effects);
    });
  }
});

describe('reduceSite: lossy links are DEGRADED, never DOWN', () => {
  it('30% loss on a 4G link for an hour: DEGRADED with its reason, never DOWN', () => {
    const r = run(times(120, { sent: 10, received: 7 }));
    expect(r.states).not.toContain('DOWN');
    expect(r.all.filter((e) => e.startsWith('open'))).toEqual(['open high-loss: loss_pct 30 > 20 for 3 checks']);
    expect(r.states.slice(0, 3)).toEqual(['UP', 'UP', 'DEGRADED']);
    expect(r.st.state).toBe('DEGRADED');
    expect(r.st.detail).toBe('loss_pct 30 > 20 for 120 checks');
  });
  it('80% loss (one reply in five) is still up', () => {
    const r = run(times(10, { received: 1 }));
    expect(r.states).not.toContain('DOWN');
    expect(r.st.detail).toBe('loss_pct 80 > 20 for 10 checks');
  });
  it('loss under the uplink threshold is UP (25% on 3G, limit 25)', () => {
    const r = run(times(10, { sent: 4, received: 3 }), site('a', { uplink: '3g' }));
    expect(r.st.state).toBe('UP');
    expect(r.all).toEqual(['UNKNOWN->UP']);
  });

  const degraded: Array<{ name: string; step: Step; site?: Site; open: string }> = [
    { name: 'latency over the 4G threshold', step: { rtt: 450 }, open: 'open high-latency: rtt_avg_ms 450 > 300 for 3 checks' },
    { name: 'SNMP silent while ping answers', step: { snmp: 'timeout' }, open: 'open snmp-unreachable: snmp timeout while ping answers for 3 checks' },
    { name: 'WAN interface down', step: { wan: { oper_up: false } }, open: 'open wan-interface-down: wan ether1 oper down for 3 checks' },
    { name: 'WAN saturated', step: { wan: { in_bps: 95e6 } }, open: 'open saturation: saturation_pct 95 > 90 on wan ether1 for 3 checks' },
    {
      name: 'WAN saturated against the 30 Mbit/s package, not the 100 Mbit/s port', step: { wan: { in_bps: 28e6 } }, site: site('b', { bandwidth: { down_mbps: 30 } }),
      open: 'open saturation: saturation_pct 93.3 > 90 on wan ether1 (down 30 Mbit/s contracted) for 3 checks',
    },
    { name: '6% loss on fibre (limit 5)', step: { sent: 50, received: 47 }, site: site('f', { uplink: 'fibre' }), open: 'open high-loss: loss_pct 6 > 5 for 3 checks' },
  ];
  for (const c of degraded) {
    it(`DEGRADED after degraded_after checks: ${c.name}; cleared after up_after good ones`, () => {
      const clear: Step = { wan: {} };
      const r = run([...times(3, c.step), clear, clear], c.site);
      expect(r.states).toEqual(['UP', 'UP', 'DEGRADED', 'DEGRADED', 'UP']);
      expect(r.timeline[2]!.effects).toEqual(['UP->DEGRADED', c.open]);
      expect(r.timeline[4]!.effects).toEqual(['DEGRADED->UP', `resolve ${c.open.split(' ')[1]!.replace(':', '')} (unknown)`]);
    });
  }
  it('a ping-only site never has an SNMP alert', () => {
    const r = run(times(5, { snmp: 'none' }), site('p', { snmp: false }));
    expect(r.all).toEqual(['UNKNOWN->UP']);
  });
});

describe('reduceSite: flapping', () => {
  it('is notified once, then quiet until it settles', () => {
    const flip: Step[] = [];
    for (let i = 0; i < 12; i++) flip.push(down, recheckDown, up, up); // 24 transitions in 24 min
    const r = run([up, ...flip, ...times(70, up)]);
    const opens = r.all.filter((e) => e.startsWith('open'));
    // the first outages are real alerts; the sixth change in 30 min opens flapping; nothing more opens
    expect(opens).toEqual([
      'open site-down: no ping reply: 5 sent, 0 received, 2 checks',
      'open site-down: no ping reply: 5 sent, 0 received, 2 checks',
      'open site-down: no ping reply: 5 sent, 0 received, 2 checks',
      'open flapping: 6 state changes in 30m',
    ]);
    expect(r.all.filter((e) => e.startsWith('flapping'))).toEqual(['flapping: 6 state changes in 30m']);
    expect(r.all.filter((e) => e === 'resolve flapping (unknown)')).toHaveLength(1);
    // every opened site-down got its resolve
    expect(r.all.filter((e) => e.startsWith('resolve site-down'))).toHaveLength(3);
    expect(r.st.flapping).toBe(false);
  });
  it('a site still down when flapping settles gets its alert then', () => {
    const flip: Step[] = [];
    for (let i = 0; i < 4; i++) flip.push(down, recheckDown, up, up);
    const r = run([up, ...flip, ...times(70, down)]);
    const opens = r.all.filter((e) => e.startsWith('open'));
    expect(opens.at(-1)).toMatch(/^open site-down: no ping reply: 5 sent, 0 received, \d+ checks$/);
    expect(r.all.indexOf('resolve flapping (unknown)')).toBeLessThan(r.all.lastIndexOf(opens.at(-1)!));
    expect(r.st.alerts['site-down']).toBeDefined();
  });
});

describe('reduceSite: parents, maintenance, unknown', () => {
  it('behind a DOWN parent: UNREACHABLE and silent; parent back while child still down → child alert at once', () => {
    const r = run([up, { ...down, parentDown: true }, { ...recheckDown, parentDown: true }, { ...down, parentDown: true }, { resettle: true }]);
    expect(r.states).toEqual(['UP', 'UNREACHABLE', 'UNREACHABLE', 'UNREACHABLE', 'DOWN']);
    expect(r.timeline.slice(1, 4).flatMap((t) => t.effects)).toEqual(['UP->UNREACHABLE']);
    expect(r.timeline[4]!.effects).toEqual(['UNREACHABLE->DOWN', 'open site-down: no ping reply: 5 sent, 0 received, 3 checks']);
  });
  it('behind a DOWN parent but still answering: judged on its own', () => {
    const r = run([up, { ...up, parentDown: true }]);
    expect(r.states).toEqual(['UP', 'UP']);
  });
  it('resolved notice never lost: an open alert resolves even when the parent is down or a window is on', () => {
    const behindParent = run([down, recheckDown, { ...down, parentDown: true }, { ...up, parentDown: true }, { ...up, parentDown: true }]);
    expect(behindParent.all).toEqual(['UNKNOWN->DOWN', 'open site-down: no ping reply: 5 sent, 0 received, 2 checks', 'DOWN->UNREACHABLE', 'UNREACHABLE->UP', 'resolve site-down (link)']);
    const inWindow = run([down, recheckDown, { ...down, maintenance: true }, { ...up, maintenance: true }, { ...up, maintenance: true }]);
    expect(inWindow.all.filter((e) => e.startsWith('open') || e.startsWith('resolve'))).toEqual(['open site-down: no ping reply: 5 sent, 0 received, 2 checks', 'resolve site-down (link)']);
    expect(inWindow.st.state).toBe('MAINTENANCE');
  });
  it('maintenance: silent while down; still down when the window ends → alert then', () => {
    const r = run([up, { ...down, maintenance: true }, { ...recheckDown, maintenance: true }, ...times(5, { ...down, maintenance: true }), down]);
    expect(r.states.slice(1, 8)).toEqual(Array(7).fill('MAINTENANCE'));
    expect(r.all.filter((e) => e.startsWith('open'))).toEqual(['open site-down: no ping reply: 5 sent, 0 received, 8 checks']);
    expect(r.timeline[8]!.effects).toContain('MAINTENANCE->DOWN');
  });
  it('UNKNOWN when the poller could not check: no alert, streaks untouched', () => {
    const r = run([up, down, { unknown: 'fping exited with code 3' }, recheckDown]);
    expect(r.states).toEqual(['UP', 'UP', 'UNKNOWN', 'DOWN']);
    expect(r.timeline[2]!.detail).toBe('not checked: fping exited with code 3');
    expect(r.timeline[3]!.effects).toEqual(['UNKNOWN->DOWN', 'open site-down: no ping reply: 5 sent, 0 received, 2 checks']);
  });
  it('UNKNOWN for a ping error and for a check with no data', () => {
    const r = run([{ pingError: 'name did not resolve' }]);
    expect(r.st.state).toBe('UNKNOWN');
    expect(r.st.detail).toBe('ping error: name did not resolve');
    const st0 = initialSiteState('a', T0);
    const noData = reduceSite(st0, { ...check('a', { ts: T0 }), ping: null, snmp: null }, { site: site('a'), settings, now: T0, parentDown: false, inMaintenance: false });
    expect(noData.state.state).toBe('UNKNOWN');
    expect(noData.state.detail).toBe('no data');
  });
});

describe('reduceSite: cause of an outage', () => {
  const cases: Array<{ name: string; recovery: Step[]; cause: string }> = [
    { name: 'the router rebooted (sysUpTime went back) → power', recovery: [{ rebooted: true, uptime_s: 40 }, { uptime_s: 70 }], cause: 'power' },
    { name: 'uptime shorter than the outage, reboot not flagged → power', recovery: [{ uptime_s: 100 }, { uptime_s: 130 }], cause: 'power' },
    { name: 'uptime spans the outage → link', recovery: [{ uptime_s: 3 * 86_400 }, { uptime_s: 3 * 86_400 + 30 }], cause: 'link' },
    { name: 'no SNMP answer after the outage → unknown', recovery: [{ snmp: 'none' }, { snmp: 'none' }], cause: 'unknown' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      // failed at T0, confirmed 3 s later, 10 minutes of outage
      const r = run([down, recheckDown, ...times(20, down), ...c.recovery]);
      expect(r.all.filter((e) => e.startsWith('resolve'))).toEqual([`resolve site-down (${c.cause})`]);
    });
  }
  it('a ping-only site recovers with cause unknown', () => {
    const r = run([down, recheckDown, { snmp: 'none' }, { snmp: 'none' }], site('p', { snmp: false }));
    expect(r.all.at(-1)).toBe('resolve site-down (unknown)');
  });
});

describe('reduceSite: time', () => {
  it('a clock jumping backwards neither crashes nor fires twice', () => {
    const r = run([up, down, { ...recheckDown, after: -3_600_000 }, { ...down, after: -60_000 }, up, up]);
    expect(r.all.filter((e) => e.startsWith('open'))).toHaveLength(1);
    expect(r.all.filter((e) => e.startsWith('resolve'))).toHaveLength(1);
    // durations never negative: the state's since never goes back
    expect(r.st.since).toBeGreaterThanOrEqual(T0);
  });
  it('the same check delivered twice is judged once', () => {
    const s = site('a');
    const ctx = { site: s, settings, now: T0, parentDown: false, inMaintenance: false };
    const c1 = check('a', { ts: T0, cycle: 1, received: 0 });
    const c2 = check('a', { ts: T0 + 3000, cycle: 1, recheck: true, received: 0 });
    const a = reduceSite(initialSiteState('a', T0), c1, ctx);
    const b = reduceSite(a.state, c2, ctx);
    const again = reduceSite(b.state, c2, ctx);
    expect(b.effects.map(show)).toContain('open site-down: no ping reply: 5 sent, 0 received, 2 checks');
    expect(again.effects).toEqual([]);
  });
  it('never mutates the previous state (it is persisted as is)', () => {
    const prev = initialSiteState('a', T0);
    const copy = structuredClone(prev);
    reduceSite(prev, check('a', { received: 0 }), { site: site('a'), settings, now: T0, parentDown: false, inMaintenance: false });
    expect(prev).toEqual(copy);
  });
  it('a steady site: good streaks stop at the cap, and its state then stops changing', () => {
    const s = site('a');
    const ctx = (ts: number) => ({ site: s, settings, now: ts, parentDown: false, inMaintenance: false });
    let st = initialSiteState('a', T0);
    for (let i = 0; i < 10; i++) st = reduceSite(st, check('a', { ts: T0 + i * INTERVAL, cycle: i + 1 }), ctx(T0 + i * INTERVAL)).state;
    expect(st.down.ok).toBe(3); // streakCap: max(down_after 2, up_after 2, degraded_after 3)
    expect(st.conditions['high-loss'].good).toBe(3);
    const next = reduceSite(st, check('a', { ts: T0 + 10 * INTERVAL, cycle: 11 }), ctx(T0 + 10 * INTERVAL)).state;
    expect(next.last_cycle).toBe(11);
    expect({ ...next, last_cycle: 0, last_ts: 0 }).toEqual({ ...st, last_cycle: 0, last_ts: 0 });
  });
  it('never mutates any earlier state over a history of outages, losses and recoveries (parts are shared)', () => {
    const s = site('a');
    const steps: Step[] = [up, up, up, up, down, recheckDown, down, up, up, up, { received: 2 }, { received: 2 }, { received: 2 }, { received: 2 }, up, up, up, up, down, up, up];
    let st = initialSiteState('a', T0);
    const seen: Array<{ state: SiteAlertState; copy: SiteAlertState }> = [];
    steps.forEach((step, i) => {
      const ts = T0 + i * INTERVAL;
      seen.push({ state: st, copy: structuredClone(st) });
      st = reduceSite(st, check('a', { ts, cycle: i + 1, ...step }), { site: s, settings, now: ts, parentDown: false, inMaintenance: false }).state;
    });
    for (const { state, copy } of seen) expect(state).toEqual(copy);
  });
  it('reports a reboot seen while up', () => {
    const r = run([up, { rebooted: true, uptime_s: 20 }]);
    expect(r.timeline[1]!.effects).toEqual(['reboot']);
  });
});
