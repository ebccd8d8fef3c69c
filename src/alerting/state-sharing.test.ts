import { describe, expect, it } from 'vitest';
import { settingsWithDefaults } from '../config/defaults.js';
import { initialSiteState, reduceSite, streakCap, type SiteAlertState } from './reducer.js';
import { shareUnchanged } from './state-sharing.js';
import { check, site, T0 } from './testkit.js';

const settings = settingsWithDefaults({});
const INTERVAL = 30_000;
/** What the engine does with each new state it keeps. */
const keep = (prev: SiteAlertState | undefined, next: SiteAlertState) => shareUnchanged(prev, next, streakCap(settings));

describe('state sharing (the engine keeps states between checks)', () => {
  it('a steady site: good streaks stop at the cap, and the parts that did not change are the previous state\'s own objects', () => {
    const s = site('a');
    const ctx = (ts: number) => ({ site: s, settings, now: ts, parentDown: false, inMaintenance: false });
    let st = initialSiteState('a', T0);
    for (let i = 0; i < 10; i++) st = keep(st, reduceSite(st, check('a', { ts: T0 + i * INTERVAL, cycle: i + 1 }), ctx(T0 + i * INTERVAL)).state);
    expect(st.down.ok).toBe(3); // streakCap: max(down_after 2, up_after 2, degraded_after 3)
    expect(st.conditions['high-loss'].good).toBe(3);
    const next = keep(st, reduceSite(st, check('a', { ts: T0 + 10 * INTERVAL, cycle: 11 }), ctx(T0 + 10 * INTERVAL)).state);
    expect(next).not.toBe(st);
    expect(next.last_cycle).toBe(11);
    expect(next.down).toBe(st.down);
    expect(next.conditions).toBe(st.conditions);
    expect(next.alerts).toBe(st.alerts);
    expect(next.transitions).toBe(st.transitions);
    // a change makes fresh parts again: a lossy check touches high-loss only
    const lossy = keep(next, reduceSite(next, check('a', { ts: T0 + 11 * INTERVAL, cycle: 12, received: 2 }), ctx(T0 + 11 * INTERVAL)).state);
    expect(lossy.conditions).not.toBe(next.conditions);
    expect(lossy.conditions['high-loss'].bad).toBe(1);
    expect(lossy.conditions['high-latency']).toBe(next.conditions['high-latency']);
  });
  it('steady sites share one fleet-wide object for their quiet conditions, open alerts and transitions', () => {
    const ctx = (id: string, ts: number) => ({ site: site(id), settings, now: ts, parentDown: false, inMaintenance: false });
    const steady = (id: string, n: number, lossyAt = -1) => {
      let st = initialSiteState(id, T0);
      for (let i = 0; i < n; i++) {
        const ts = T0 + i * INTERVAL;
        st = keep(st, reduceSite(st, check(id, { ts, cycle: i + 1, ...(i === lossyAt ? { received: 2 } : {}) }), ctx(id, ts)).state);
      }
      return st;
    };
    const a = steady('a', 6);
    const b = steady('b', 9);
    expect(a.conditions).toBe(b.conditions);
    expect(a.alerts).toBe(b.alerts);
    expect(a.transitions).toBe(b.transitions);
    expect(Object.isFrozen(a.conditions)).toBe(true);
    // fewer checks than the cap: the conditions are still shared one by one
    const young = steady('c', 2);
    const young2 = steady('d', 2);
    expect(young.conditions['saturation']).toBe(young2.conditions['saturation']);
    expect(young.conditions).not.toBe(a.conditions);
    // a site that had a lossy check keeps its own high-loss condition (its detail explains it)
    const lossy = steady('e', 9, 1);
    expect(lossy.conditions['high-loss'].detail).not.toBe('');
    expect(lossy.conditions['high-loss']).not.toBe(a.conditions['high-loss']);
    expect(lossy.conditions['high-latency']).toBe(a.conditions['high-latency']);
  });
  it('never changes a value: a shared state equals the reducer\'s own', () => {
    const s = site('a');
    let plain = initialSiteState('a', T0);
    let shared = plain;
    for (let i = 0; i < 12; i++) {
      const ts = T0 + i * INTERVAL;
      const c = check('a', { ts, cycle: i + 1, ...(i % 5 === 2 ? { received: 0 } : i % 7 === 3 ? { received: 2 } : {}) });
      const ctx = { site: s, settings, now: ts, parentDown: false, inMaintenance: false };
      plain = reduceSite(plain, c, ctx).state;
      shared = keep(shared, reduceSite(shared, c, ctx).state);
      expect(shared).toEqual(plain);
    }
  });
});
