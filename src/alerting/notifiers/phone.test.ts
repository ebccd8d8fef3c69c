import { describe, expect, it } from 'vitest';
import { formatPhone, normalizeVnPhone } from './phone.js';

describe('normalizeVnPhone', () => {
  const cases: Array<[string, string, string | null]> = [
    ['national mobile', '0912345678', '84912345678'],
    ['with spaces', '0912 345 678', '84912345678'],
    ['with dots', '0912.345.678', '84912345678'],
    ['with dashes', '091-234-5678', '84912345678'],
    ['+84 form', '+84912345678', '84912345678'],
    ['+84 with spaces', '+84 912 345 678', '84912345678'],
    ['already international', '84912345678', '84912345678'],
    ['landline with 10 digits after 0', '02183851234', '842183851234'],
    ['+84 then 0 is a typo we refuse', '+840912345678', null],
    ['another country', '+33612345678', null],
    ['too short', '091234', null],
    ['too long', '091234567890', null],
    ['letters', '09123abc78', null],
    ['empty', '', null],
  ];
  for (const [name, input, want] of cases) it(name, () => expect(normalizeVnPhone(input)).toBe(want));
});

describe('formatPhone', () => {
  it('renders each gateway format', () => {
    expect(formatPhone('84912345678', 'international')).toBe('84912345678');
    expect(formatPhone('84912345678', 'e164')).toBe('+84912345678');
    expect(formatPhone('84912345678', 'national')).toBe('0912345678');
  });
});
