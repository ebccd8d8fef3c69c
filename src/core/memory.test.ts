import { describe, expect, it } from 'vitest';
import { compactHeap } from './memory.js';

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
