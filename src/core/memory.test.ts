import { describe, expect, it } from 'vitest';
import { collectorFromRuntime, compactIfAbove } from './memory.js';

describe('compactIfAbove (the scheduler after each cycle)', () => {
  it('collects only when the RSS is above the budget, never with a budget of 0 or without a collector', () => {
    let calls = 0;
    const collect = () => { calls++; };
    const rss = 250 * 2 ** 20;
    expect(compactIfAbove(280, collect, rss)).toEqual({ rss_mb: 250, gc_ms: null });
    expect(compactIfAbove(250, collect, rss)).toEqual({ rss_mb: 250, gc_ms: null });
    expect(compactIfAbove(0, collect, 10_000 * 2 ** 20)).toEqual({ rss_mb: 10_000, gc_ms: null });
    expect(compactIfAbove(1, null, rss)).toEqual({ rss_mb: 250, gc_ms: null });
    expect(calls).toBe(0);
    const over = compactIfAbove(249, collect, rss);
    expect(over.rss_mb).toBe(250);
    expect(over.gc_ms).toBeGreaterThanOrEqual(0);
    expect(calls).toBe(1);
  });

  it('MB is MiB, as ps and the bench report it: 281 decimal MB is not over a budget of 280', () => {
    let calls = 0;
    const collect = () => { calls++; };
    expect(compactIfAbove(280, collect, 281e6)).toEqual({ rss_mb: 268, gc_ms: null });
    expect(compactIfAbove(280, collect, 280 * 2 ** 20)).toEqual({ rss_mb: 280, gc_ms: null });
    expect(calls).toBe(0);
    expect(compactIfAbove(280, collect, 280 * 2 ** 20 + 1).gc_ms).not.toBeNull();
    expect(calls).toBe(1);
  });

  it('measures this process when not told the RSS', () => {
    let calls = 0;
    const { rss_mb } = compactIfAbove(1, () => { calls++; });
    expect(rss_mb).toBeGreaterThan(10);
    expect(calls).toBe(1);
  });

  it('takes V8\'s collector only when node exposes it (it never sets a flag itself)', () => {
    const had = (globalThis as { gc?: unknown }).gc;
    try {
      (globalThis as { gc?: unknown }).gc = undefined;
      expect(collectorFromRuntime()).toBeNull();
      const fake = () => undefined;
      (globalThis as { gc?: unknown }).gc = fake;
      expect(collectorFromRuntime()).toBe(fake);
    } finally {
      (globalThis as { gc?: unknown }).gc = had;
    }
  });
});
