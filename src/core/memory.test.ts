import { describe, expect, it } from 'vitest';
import { compactHeap, compactIfAbove } from './memory.js';

describe('compactHeap', () => {
  it('runs a full collection that frees what is no longer referenced', () => {
    let garbage: number[][] | null = Array.from({ length: 200 }, () => new Array(10_000).fill(1));
    const before = process.memoryUsage().heapUsed;
    garbage = null;
    const ms = compactHeap();
    expect(ms).not.toBeNull();
    expect(ms!).toBeGreaterThanOrEqual(0);
    // 200 × 10,000 numbers ≈ 16 MB were dropped: the heap in use shrinks by most of it
    expect(before - process.memoryUsage().heapUsed).toBeGreaterThan(8e6);
    expect(garbage).toBeNull();
  });
});

describe('compactIfAbove (the scheduler after each cycle)', () => {
  it('collects only when the RSS is above the budget, and never with a budget of 0', () => {
    const rss = 250e6;
    expect(compactIfAbove(280, rss)).toEqual({ rss_mb: 250, gc_ms: null });
    expect(compactIfAbove(250, rss)).toEqual({ rss_mb: 250, gc_ms: null });
    expect(compactIfAbove(0, 10e9)).toEqual({ rss_mb: 10_000, gc_ms: null });
    const over = compactIfAbove(249, rss);
    expect(over.rss_mb).toBe(250);
    expect(over.gc_ms).not.toBeNull();
  });

  it('measures this process when not told the RSS', () => {
    const { rss_mb, gc_ms } = compactIfAbove(1);
    expect(rss_mb).toBeGreaterThan(10);
    expect(gc_ms).toBeGreaterThanOrEqual(0);
  });
});
