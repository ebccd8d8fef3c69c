import { describe, expect, it } from 'vitest';
import { csrfMatches, maskCsrf, unmaskCsrf } from './auth.js';

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

describe('csrfMatches (what an unsafe cookie-session request must carry)', () => {
  // a session token that starts with the mask's prefix: one session in 64 (randomBytes → base64url)
  const mToken = 'mP7LHoh8KqaJdIDSU3n4CYu8ij7WeQZ7';
  const token = 'p7LHoh8KqaJdIDSU3n4CYu8ij7WeQZ72';
  it.each([
    { name: 'plain token', given: token, want: true },
    { name: 'masked token', given: maskCsrf(token), want: true },
    { name: 'plain token that starts with m (was refused as a malformed masked one)', given: mToken, want: true, t: mToken },
    { name: 'masked token that starts with m', given: maskCsrf(mToken), want: true, t: mToken },
    { name: 'another token', given: 'q7LHoh8KqaJdIDSU3n4CYu8ij7WeQZ72', want: false },
    { name: 'another token, masked', given: maskCsrf('q7LHoh8KqaJdIDSU3n4CYu8ij7WeQZ72'), want: false },
    { name: 'the masked form of the m-token is not the plain token', given: maskCsrf(mToken), want: false, t: token },
    { name: 'empty', given: '', want: false },
  ])('$name', ({ given, want, t }) => expect(csrfMatches(given, t ?? token)).toBe(want));
});
