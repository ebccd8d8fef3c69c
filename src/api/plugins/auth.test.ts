import { describe, expect, it } from 'vitest';
import { maskCsrf, unmaskCsrf } from './auth.js';

describe('CSRF masking', () => {
  it('round-trips, and never shows the same bytes twice', () => {
    const token = 'p7LHoh8KqaJdIDSU3n4CYu8ij7WeQZ72';
    const a = maskCsrf(token);
    const b = maskCsrf(token);
    expect(a).not.toBe(b);
    expect(a).not.toContain(token);
    expect(unmaskCsrf(a)).toBe(token);
    expect(unmaskCsrf(b)).toBe(token);
  });
  const cases = [
    { name: 'a plain token passes through (API clients send it as given)', v: 'abc', want: 'abc' },
    { name: 'odd masked length gives nothing', v: 'mAA', want: '' },
    { name: 'empty', v: '', want: '' },
  ];
  it.each(cases)('$name', ({ v, want }) => expect(unmaskCsrf(v)).toBe(want));
});
