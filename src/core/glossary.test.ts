import { describe, expect, it } from 'vitest';
import { ALERT_KINDS } from '../alerting/notice.js';
import { LANGS } from '../config/schema.js';
import { SITE_STATES } from '../store/schema.js';
import { CAUSE_NAMES, EVENT_NAMES, formatConfigDuration, formatDuration, KIND_NAMES, STATE_NAMES } from './glossary.js';
import { englishWordsIn } from './english-words.js';

describe('glossary: every state, kind, cause and event has every language', () => {
  const tables: Array<[string, Record<string, Record<string, string>>, readonly string[]]> = [
    ['states', STATE_NAMES, SITE_STATES],
    ['alert kinds', KIND_NAMES, ALERT_KINDS],
    ['causes', CAUSE_NAMES, ['power', 'link', 'unknown']],
    ['events', EVENT_NAMES, ['firing', 'resolved', 'escalated']],
  ];
  for (const [name, table, ids] of tables) {
    it(`${name}: complete, non-empty, no two ids with one name`, () => {
      expect(Object.keys(table).sort()).toEqual([...ids].sort());
      for (const lang of LANGS) {
        const words = ids.map((id) => table[id]![lang]);
        for (const [i, w] of words.entries()) expect(w?.trim(), `${ids[i]}.${lang}`).toBeTruthy();
        expect(new Set(words.map((w) => w!.toLowerCase())).size, `${name} in ${lang}`).toBe(words.length);
      }
    });
    it(`${name}: the Vietnamese words carry no English`, () => {
      for (const id of ids) expect(englishWordsIn(table[id]!.vi!), id).toEqual([]);
    });
  }
  it('DEGRADED is "Suy giảm", and "Chập chờn" is the flapping alert only', () => {
    expect(STATE_NAMES.DEGRADED.vi).toBe('Suy giảm');
    expect(KIND_NAMES.flapping.vi).toBe('Chập chờn');
    const all = [...Object.values(STATE_NAMES), ...Object.entries(KIND_NAMES).filter(([k]) => k !== 'flapping').map(([, v]) => v)];
    for (const w of all) expect(w.vi).not.toMatch(/chập chờn/i);
  });
});

describe('durations in the reader language', () => {
  const cases: Array<[string, number, 'vi' | 'en', string]> = [
    ['4 minutes vi', 4 * 60_000, 'vi', '4 phút'],
    ['4 minutes en', 4 * 60_000, 'en', '4 min'],
    ['2 h 15 min vi', 135 * 60_000, 'vi', '2 giờ 15 phút'],
    ['2 h 15 min en', 135 * 60_000, 'en', '2 h 15 min'],
    ['under a minute', 59_000, 'vi', 'dưới 1 phút'],
    ['days drop the minutes', (26 * 60 + 5) * 60_000, 'en', '1 d 2 h'],
  ];
  for (const [name, ms, lang, want] of cases) it(name, () => expect(formatDuration(ms, lang)).toBe(want));
  const cfg: Array<[string, 'vi' | 'en', string]> = [['3m', 'vi', '3 phút'], ['30m', 'en', '30 min'], ['2h', 'vi', '2 giờ'], ['45s', 'vi', '45 giây'], ['1d', 'en', '1 d']];
  for (const [text, lang, want] of cfg) it(`config duration ${text} (${lang})`, () => expect(formatConfigDuration(text, lang)).toBe(want));
});
