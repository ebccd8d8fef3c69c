import { describe, expect, it } from 'vitest';
import type { SiteCheck } from '../core/types.js';
import { CheckEmitter } from './emitter.js';

const check = (site: string, recheck = false): SiteCheck => ({
  site, ts: 1, cycle: 1, recheck, ping: null, snmp: null, uptime_s: null, rebooted: false, rebooted_at: null, interfaces: [], wan: null,
});
const tick = () => new Promise((r) => setTimeout(r, 5));
const ids = (b: SiteCheck[]) => b.map((c) => `${c.site}${c.recheck ? '+' : ''}`);

/** village ← commune ← district: the village's check waits for both ancestors. */
const ancestors = new Map([['village', ['commune', 'district']], ['commune', ['district']]]);

describe('CheckEmitter', () => {
  it('hands checks on in batches as they come, without waiting for the end', async () => {
    const batches: string[][] = [];
    const e = new CheckEmitter({ onCheck: (b) => { batches.push(ids(b)); }, ancestors: new Map() });
    e.push(check('a'));
    e.push(check('b'));
    await tick();
    expect(batches).toEqual([['a', 'b']]);
    e.push(check('a', true));
    await tick();
    expect(batches).toEqual([['a', 'b'], ['a+']]);
    await e.drain();
    expect(e.batches).toBe(2);
  });

  it('holds a child until every ancestor is cleared (ping answered, or its check left)', async () => {
    const batches: string[][] = [];
    const e = new CheckEmitter({ onCheck: (b) => { batches.push(ids(b)); }, ancestors });
    e.push(check('village'));
    e.push(check('village', true));
    await tick();
    expect(batches).toEqual([]);
    e.clear('district'); // its ping answered
    await tick();
    expect(batches).toEqual([]);
    e.push(check('commune')); // the commune router's (failed) check leaves: the village may follow, after it
    await tick();
    expect(batches).toEqual([['commune', 'village', 'village+']]);
    await e.drain();
  });

  it("a site's re-check never overtakes its first check, even when another site is unblocked", async () => {
    const batches: string[][] = [];
    const e = new CheckEmitter({ onCheck: (b) => { batches.push(ids(b)); }, ancestors: new Map([['child', ['parent']]]) });
    e.push(check('child'));
    e.push(check('other'));
    e.push(check('child', true));
    await tick();
    expect(batches).toEqual([['other']]);
    e.clear('parent');
    await tick();
    expect(batches).toEqual([['other'], ['child', 'child+']]);
    await e.drain();
  });

  it('drain() releases what is still held (an ancestor that never cleared) and waits for onCheck', async () => {
    const seen: string[] = [];
    const e = new CheckEmitter({
      onCheck: async (b) => { await tick(); seen.push(...ids(b)); },
      ancestors,
      lingerMs: 10_000,
    });
    e.push(check('village'));
    e.push(check('other'));
    await e.drain();
    expect(seen).toEqual(['village', 'other']);
  });

  it('onCheck calls never overlap', async () => {
    let active = 0;
    let maxActive = 0;
    const e = new CheckEmitter({
      onCheck: async () => { active++; maxActive = Math.max(maxActive, active); await tick(); active--; },
      ancestors: new Map(),
    });
    for (let i = 0; i < 5; i++) { e.push(check(`s${i}`)); await new Promise((r) => setTimeout(r, 1)); }
    await e.drain();
    expect(e.batches).toBeGreaterThan(1);
    expect(maxActive).toBe(1);
  });

  it('an onCheck failure stops later batches and drain() rejects with it', async () => {
    const batches: string[][] = [];
    const e = new CheckEmitter({
      onCheck: (b) => { batches.push(ids(b)); if (b[0]!.site === 'a') throw new Error('store down'); },
      ancestors: new Map(),
    });
    e.push(check('a'));
    await tick();
    e.push(check('b'));
    await expect(e.drain()).rejects.toThrow('store down');
    expect(batches).toEqual([['a']]);
  });
});

describe('CheckEmitter: urgent checks bring the batch forward', () => {
  const failed = (site: string): SiteCheck => ({ ...check(site), recheck: true });
  it('healthy checks wait for the linger; an urgent one takes them all within urgentMs', async () => {
    const batches: string[][] = [];
    const e = new CheckEmitter({
      onCheck: (b) => { batches.push(ids(b)); }, ancestors: new Map(), lingerMs: 10_000, urgentMs: 5, isUrgent: (c) => c.recheck,
    });
    e.push(check('a'));
    e.push(check('b'));
    await new Promise((r) => setTimeout(r, 30));
    expect(batches).toEqual([]); // still lingering
    e.push(failed('c'));
    await new Promise((r) => setTimeout(r, 30));
    expect(batches).toEqual([['a', 'b', 'c+']]);
    e.push(check('d'));
    await new Promise((r) => setTimeout(r, 30));
    expect(batches).toHaveLength(1);
    await e.drain();
    expect(batches).toEqual([['a', 'b', 'c+'], ['d']]);
  });
  it('an urgent child held by its ancestors leaves within urgentMs of their clearing', async () => {
    const batches: string[][] = [];
    const e = new CheckEmitter({
      onCheck: (b) => { batches.push(ids(b)); }, ancestors, lingerMs: 10_000, urgentMs: 5, isUrgent: (c) => c.recheck,
    });
    e.push(failed('village'));
    await new Promise((r) => setTimeout(r, 30));
    expect(batches).toEqual([]);
    e.clear('district');
    e.clear('commune');
    await new Promise((r) => setTimeout(r, 30));
    expect(batches).toEqual([['village+']]);
    await e.drain();
  });
  it('once the urgent check has left, a clearing does not bring healthy held checks forward', async () => {
    const batches: string[][] = [];
    const e = new CheckEmitter({
      onCheck: (b) => { batches.push(ids(b)); }, ancestors, lingerMs: 10_000, urgentMs: 5, isUrgent: (c) => c.recheck,
    });
    e.push(failed('x'));
    e.push(check('village'));
    await new Promise((r) => setTimeout(r, 30));
    expect(batches).toEqual([['x+']]); // the village is held by its ancestors
    e.clear('district');
    e.clear('commune');
    await new Promise((r) => setTimeout(r, 30));
    expect(batches).toEqual([['x+']]); // healthy: waits for the linger
    await e.drain();
    expect(batches).toEqual([['x+'], ['village']]);
  });
});

describe('CheckEmitter: a burst is not held for the whole linger', () => {
  it('maxBatch held checks bring the batch forward', async () => {
    const batches: string[][] = [];
    const e = new CheckEmitter({ onCheck: (b) => { batches.push(ids(b)); }, ancestors: new Map(), lingerMs: 10_000, urgentMs: 5, maxBatch: 3 });
    e.push(check('a'));
    e.push(check('b'));
    await new Promise((r) => setTimeout(r, 30));
    expect(batches).toEqual([]);
    e.push(check('c'));
    await new Promise((r) => setTimeout(r, 30));
    expect(batches).toEqual([['a', 'b', 'c']]);
    await e.drain();
  });
});
