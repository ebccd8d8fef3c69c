import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.js';
import { pickEncoding, TtlCache } from './cache.js';

describe('pickEncoding', () => {
  const cases: Array<[string, string | undefined, string]> = [
    ['a browser', 'gzip, deflate, br', 'br'],
    ['gzip only', 'gzip', 'gzip'],
    ['br refused with q=0', 'br;q=0, gzip', 'gzip'],
    ['br with a q value', 'br;q=0.5', 'br'],
    ['nothing', undefined, 'identity'],
    ['identity asked', 'identity', 'identity'],
    ['a lookalike name is not br', 'brotli-x', 'identity'],
  ];
  for (const [name, header, want] of cases) it(name, () => expect(pickEncoding(header)).toBe(want));
});

describe('TtlCache', () => {
  it('computes once per ttl, shares one computation among concurrent misses', async () => {
    const clock = new ManualClock(0);
    const c = new TtlCache<number>(60_000, clock);
    let n = 0;
    const slow = () => new Promise<number>((r) => setTimeout(() => r(++n), 5));
    expect(await Promise.all([c.get('k', slow), c.get('k', slow), c.get('k', slow)])).toEqual([1, 1, 1]);
    clock.advance(59_999);
    expect(await c.get('k', slow)).toBe(1);
    clock.advance(1);
    expect(await c.get('k', slow)).toBe(2);
    expect(c.computed).toBe(2);
  });
  it('a failed refresh serves the last good value; with none, the error', async () => {
    const clock = new ManualClock(0);
    const c = new TtlCache<string>(1000, clock);
    await c.get('k', () => 'good');
    clock.advance(1000);
    expect(await c.get('k', () => { throw new Error('store down'); })).toBe('good');
    await expect(c.get('other', () => { throw new Error('store down'); })).rejects.toThrow('store down');
  });
});
