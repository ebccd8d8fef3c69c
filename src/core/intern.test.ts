import { describe, expect, it } from 'vitest';
import { Interner } from './intern.js';

// Equal strings are === in JavaScript whatever object holds them, so which object is handed out
// cannot be asserted here; what can: one table entry per value, the bound, and the values.
// The memory it saves shows in the benchmark's heap figures.

/** A string equal to `s` but built at run time (a distinct object, as decoding a packet gives). */
const fresh = (s: string) => Buffer.from(s, 'utf8').toString('utf8');

describe('Interner', () => {
  it('keeps one entry per distinct value and returns the value', () => {
    const t = new Interner();
    expect(t.intern(fresh('ether1'))).toBe('ether1');
    expect(t.intern(fresh('ether1'))).toBe('ether1');
    expect(t.intern(fresh('lte1'))).toBe('lte1');
    expect(t.size).toBe(2);
  });
  it('starts over past its bound, so values that never repeat cannot grow it', () => {
    const t = new Interner(3);
    for (let i = 0; i < 3; i++) t.intern(fresh(`v${i}`));
    expect(t.size).toBe(3);
    expect(t.intern(fresh('v3'))).toBe('v3');
    expect(t.size).toBe(1);
    for (let i = 0; i < 1000; i++) t.intern(fresh(`x${i}`));
    expect(t.size).toBeLessThanOrEqual(3);
  });
  it('rejects a bound that is not a positive integer, naming it', () => {
    expect(() => new Interner(0)).toThrow(/max must be a positive integer, got 0/);
  });
});
