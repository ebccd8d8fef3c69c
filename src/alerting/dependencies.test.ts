import { describe, expect, it } from 'vitest';
import { settingsWithDefaults } from '../config/defaults.js';
import type { SiteCheck } from '../core/types.js';
import { affectedBy, buildGraph, descendantsOf, downAncestor, evaluateBatch, isAncestorDown } from './dependencies.js';
import type { SiteAlertState } from './reducer.js';
import { check, site, T0, type CheckSpec } from './testkit.js';

const settings = settingsWithDefaults({});
// hub ── relay ── leaf
//    └── school
// lone
const sites = [site('leaf', { parent: 'relay' }), site('relay', { parent: 'hub' }), site('hub'), site('school', { parent: 'hub' }), site('lone')];
const graph = buildGraph(sites);
const ctxFor = () => ({ settings, now: T0, inMaintenance: false });

function batch(prev: Map<string, SiteAlertState>, ts: number, specs: Record<string, CheckSpec>, cycle: number) {
  // children listed first on purpose: the evaluation must still go parents first
  const checks: SiteCheck[] = Object.entries(specs).reverse().map(([id, s]) => check(id, { ts, cycle, ...s }));
  return evaluateBatch(graph, prev, checks, ctxFor, ts);
}
const opens = (r: ReturnType<typeof batch>) => r.effects.filter((e) => e.effect.type === 'open').map((e) => `${e.site} ${e.effect.type === 'open' ? e.effect.kind : ''}`);
const resolves = (r: ReturnType<typeof batch>) => r.effects.filter((e) => e.effect.type === 'resolve').map((e) => e.site);

describe('parent graph', () => {
  it('knows ancestors, descendants and parents-first order', () => {
    expect(graph.ancestors.get('leaf')).toEqual(['relay', 'hub']);
    expect(descendantsOf(graph, 'hub')).toEqual(['relay', 'school', 'leaf']);
    expect(graph.rank.get('hub')!).toBeLessThan(graph.rank.get('relay')!);
    expect(graph.rank.get('relay')!).toBeLessThan(graph.rank.get('leaf')!);
  });
});

describe('parent graph with a cycle (refused at load; never a hang here)', () => {
  it('ends chains at the cycle and still judges every site', () => {
    const g = buildGraph([site('x', { parent: 'y' }), site('y', { parent: 'x' }), site('z', { parent: 'missing' })]);
    expect(g.ancestors.get('x')).toEqual(['y']);
    expect(descendantsOf(g, 'x')).toEqual(['y']);
    expect(g.ancestors.get('z')).toEqual([]);
    const r = evaluateBatch(g, new Map(), [check('x', { received: 0 }), check('y', { received: 0 }), check('z')], ctxFor, T0);
    expect(r.perCheck.map((p) => p.site).sort()).toEqual(['x', 'y', 'z']);
  });
});

describe('evaluateBatch', () => {
  const allUp = { hub: {}, relay: {}, leaf: {}, school: {}, lone: {} };
  const hubDown = { hub: { received: 0 }, relay: { received: 0 }, leaf: { received: 0 }, school: { received: 0 }, lone: {} };

  function outage() {
    let st = batch(new Map(), T0, allUp, 1).states;
    const first = batch(st, T0 + 30_000, hubDown, 2);
    st = first.states;
    const second = batch(st, T0 + 33_000, hubDown, 2);
    return { first, second };
  }

  it('a DOWN parent raises one alert; every child is UNREACHABLE and silent', () => {
    const { first, second } = outage();
    expect(opens(first)).toEqual([]);
    expect(opens(second)).toEqual(['hub site-down']);
    for (const id of ['relay', 'leaf', 'school']) expect(second.states.get(id)!.state).toBe('UNREACHABLE');
    expect(second.states.get('lone')!.state).toBe('UP');
    expect(isAncestorDown(graph, 'leaf', second.states)).toBe(true);
    expect(downAncestor(graph, 'leaf', second.states)).toBe('hub');
    expect(affectedBy(graph, 'hub', second.states).sort()).toEqual(['leaf', 'relay', 'school']);
  });

  it('parent back with a child still down: the child gets its own alert in the same batch', () => {
    const { second } = outage();
    const back = { hub: {}, relay: { received: 0 }, leaf: { received: 0 }, school: {}, lone: {} };
    const b1 = batch(second.states, T0 + 60_000, back, 3);
    expect(opens(b1)).toEqual([]); // hub needs up_after=2 good checks
    const b2 = batch(b1.states, T0 + 90_000, back, 4);
    expect(resolves(b2)).toEqual(['hub']);
    // relay is down on its own: one alert, for relay; leaf stays behind relay, silent
    expect(opens(b2)).toEqual(['relay site-down']);
    expect(b2.states.get('leaf')!.state).toBe('UNREACHABLE');
    expect(b2.states.get('school')!.state).toBe('UP');
  });

  it('parent back and no check for the child in this batch: the child is judged again at once', () => {
    const { second } = outage();
    const b1 = batch(second.states, T0 + 60_000, { hub: {} }, 3);
    const b2 = batch(b1.states, T0 + 90_000, { hub: {} }, 4);
    expect(b2.resettled.sort()).toEqual(['leaf', 'relay', 'school']);
    // relay, leaf and school were failing when last checked: now that hub is up, relay is
    // judged DOWN on its own (one alert) and keeps leaf UNREACHABLE
    expect(opens(b2)).toEqual(['relay site-down', 'school site-down']);
    expect(b2.states.get('leaf')!.state).toBe('UNREACHABLE');
  });

  it('does not mutate the previous states', () => {
    const prev = batch(new Map(), T0, allUp, 1).states;
    const snapshot = structuredClone([...prev]);
    batch(prev, T0 + 30_000, hubDown, 2);
    expect([...prev]).toEqual(snapshot);
  });
});
