import { describe, expect, it } from 'vitest';
import { parseDuration } from './duration.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500], ['30s', 30_000], ['5m', 300_000], ['12h', 43_200_000], ['400d', 400 * 86_400_000], ['2w', 1_209_600_000],
  ])('%s', (text, ms) => expect(parseDuration(text)).toBe(ms));
  it.each(['', '5', 'm5', '1.5h', '5 minutes', '-3s'])('rejects %j with a clear message', (text) => {
    expect(() => parseDuration(text)).toThrow(/invalid duration .* use a number and a unit/);
  });
});
