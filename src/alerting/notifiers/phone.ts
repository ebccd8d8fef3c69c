/**
 * Vietnamese phone numbers for Zalo ZNS and SMS gateways (pure).
 * Accepts what people type in the inventory: `0912 345 678`, `0912.345.678`, `+84 912 345 678`, `84912345678`.
 */

export type PhoneFormat = 'international' | 'e164' | 'national';

/**
 * `0912 345 678` → `84912345678` (international form without `+`, as ZNS wants it).
 * Returns null when the input is not a plausible Vietnamese number (9–10 digits after the country code).
 */
export function normalizeVnPhone(input: string): string | null {
  const trimmed = input.trim();
  if (!/^\+?[0-9][0-9 .\-()]*$/.test(trimmed)) return null;
  const digits = trimmed.replace(/[^0-9]/g, '');
  let national: string;
  if (trimmed.startsWith('+')) {
    if (!digits.startsWith('84')) return null;
    national = digits.slice(2);
  } else if (digits.startsWith('0')) {
    national = digits.slice(1);
  } else if (digits.startsWith('84') && digits.length >= 11) {
    national = digits.slice(2);
  } else {
    return null;
  }
  if (national.startsWith('0')) return null; // +84 0912…: a typo we refuse to guess about
  if (national.length < 9 || national.length > 10) return null;
  return `84${national}`;
}

/** Render an international `84…` number in the format a gateway expects. */
export function formatPhone(international: string, format: PhoneFormat): string {
  switch (format) {
    case 'international':
      return international;
    case 'e164':
      return `+${international}`;
    case 'national':
      return `0${international.slice(2)}`;
  }
}
