import { describe, expect, it } from 'vitest';
import { ancestors, descendants, parentCycles, topoOrder } from './graph.js';

const s = (id: string, parent?: string) => ({ id, parent });

describe('parent graph', () => {
  const chain = [s('leaf', 'hub'), s('hub', 'pop'), s('pop'), s('other', 'hub')];
  const byId = new Map(chain.map((x) => [x.id, x]));
  it('lists ancestors nearest first', () => {
    expect(ancestors(byId, 'leaf')).toEqual(['hub', 'pop']);
    expect(ancestors(byId, 'pop')).toEqual([]);
  });
  it('lists descendants', () => {
    expect(descendants(chain, 'hub').sort()).toEqual(['leaf', 'other']);
  });
  it('orders parents before children', () => {
    const order = topoOrder(chain).map((x) => x.id);
    expect(order.indexOf('pop')).toBeLessThan(order.indexOf('hub'));
    expect(order.indexOf('hub')).toBeLessThan(order.indexOf('leaf'));
  });
  it.each([
    { name: 'no cycle', sites: chain, want: [] },
    { name: 'self loop', sites: [s('a', 'a')], want: [['a', 'a']] },
    { name: 'three-cycle reported once', sites: [s('a', 'b'), s('b', 'c'), s('c', 'a'), s('d', 'a')], want: [['a', 'b', 'c', 'a']] },
  ])('cycles: $name', ({ sites, want }) => {
    expect(parentCycles(sites)).toEqual(want);
  });
  it('ancestors stop at a cycle instead of looping', () => {
    const cyc = new Map([s('a', 'b'), s('b', 'a')].map((x) => [x.id, x]));
    expect(ancestors(cyc, 'a')).toEqual(['b']);
  });
});
