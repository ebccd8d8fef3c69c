import { describe, expect, it } from 'vitest';
import { KIND_LABELS, MESSAGES, actorLabel, kindLabel, langFromHeader, t } from './i18n.js';
import { ALERT_KINDS } from '../alerting/notice.js';

describe('langFromHeader', () => {
  const cases = [
    { name: 'absent header → fallback', header: undefined, fallback: 'vi', want: 'vi' },
    { name: 'plain vi', header: 'vi', fallback: 'en', want: 'vi' },
    { name: 'region tag', header: 'en-US,en;q=0.9', fallback: 'vi', want: 'en' },
    { name: 'q ordering', header: 'fr;q=1, en;q=0.5, vi;q=0.8', fallback: 'en', want: 'vi' },
    { name: 'unsupported only → fallback', header: 'fr-FR,de', fallback: 'vi', want: 'vi' },
    { name: 'q=0 excluded', header: 'vi;q=0, en;q=0.1', fallback: 'vi', want: 'en' },
  ] as const;
  it.each(cases)('$name', ({ header, fallback, want }) => expect(langFromHeader(header, fallback)).toBe(want));
});

describe('messages', () => {
  it('both languages have every key, none empty', () => {
    expect(Object.keys(MESSAGES.vi).sort()).toEqual(Object.keys(MESSAGES.en).sort());
    for (const lang of ['vi', 'en'] as const) for (const [k, v] of Object.entries(MESSAGES[lang])) expect(v, `${lang}.${k}`).not.toBe('');
  });
  it('fills placeholders and leaves unknown ones', () => {
    expect(t('en', 'since', { time: '10:00' })).toBe('since 10:00');
    expect(t('vi', 'sites_count', { n: 3 })).toBe('3 điểm');
    expect(t('en', 'since')).toBe('since {time}');
  });
});

describe('alert kind labels', () => {
  it('every alert kind has a label in every language; unknown kinds show their id', () => {
    for (const lang of ['vi', 'en'] as const) for (const k of ALERT_KINDS) expect(KIND_LABELS[lang][k], `${lang}.${k}`).toBeTruthy();
    expect(kindLabel('vi', 'site-down')).toBe('Điểm Wi-Fi mất kết nối');
    expect(kindLabel('en', 'new-kind')).toBe('new-kind');
  });
});

describe('actorLabel', () => {
  it.each([
    { name: 'a signed-in user stays as is', by: 'trainee', lang: 'vi' as const, want: 'trainee' },
    { name: 'a named person through the link, vi', by: 'Minh (signed link)', lang: 'vi' as const, want: 'Minh (qua liên kết trong cảnh báo)' },
    { name: 'a named person through the link, en', by: 'Minh (signed link)', lang: 'en' as const, want: 'Minh (through the alert link)' },
    { name: 'nobody named, vi', by: 'signed link', lang: 'vi' as const, want: 'một người (qua liên kết trong cảnh báo)' },
  ])('$name', ({ by, lang, want }) => {
    expect(actorLabel(lang, by)).toBe(want);
  });
});
