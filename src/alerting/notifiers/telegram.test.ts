import { describe, expect, it } from 'vitest';
import { reachableUrl, telegramKeyboard } from './telegram.js';

const links = { ack_url: 'https://pw.example.vn/s/17.abc.SIG/ack', outcome_url: 'https://pw.example.vn/s/17.abc.SIG/outcome' };

describe('telegramKeyboard', () => {
  const cases = [
    { name: 'Vietnamese buttons', lang: 'vi' as const, n: links, want: [['Nhận xử lý', links.ack_url], ['Đã xử lý xong', links.outcome_url]] },
    { name: 'English buttons', lang: 'en' as const, n: links, want: [['Take it on', links.ack_url], ['Done: record outcome', links.outcome_url]] },
    { name: 'a notice without an outcome link (stored before the upgrade): one button', lang: 'vi' as const, n: { ack_url: links.ack_url }, want: [['Nhận xử lý', links.ack_url]] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const k = telegramKeyboard(c.n, c.lang)!;
      expect(k.inline_keyboard).toHaveLength(1);
      expect(k.inline_keyboard[0]!.map((b) => [b.text, b.url])).toEqual(c.want);
    });
  }
});

describe('reachableUrl: where Telegram buttons may point', () => {
  it.each([
    ['https://pw.example.vn/s/1.a.b/ack', true],
    ['http://203.0.113.7:8080/s/1', true],
    ['http://127.0.0.1:8080/s/1', false],
    ['http://localhost:8080/s/1', false],
    ['http://10.1.2.3/s/1', false],
    ['http://192.168.1.10/s/1', false],
    ['http://172.20.0.5/s/1', false],
    ['http://172.32.0.5/s/1', true],
    ['http://[::1]:8080/s/1', false],
    ['http://pointwatch/s/1', false],
    ['ftp://pw.example.vn/s/1', false],
    ['not a url', false],
  ])('%s → %s', (url, want) => {
    expect(reachableUrl(url)).toBe(want);
  });
  it('no keyboard at all when the links point to a local address (the message still goes, with its links)', () => {
    expect(telegramKeyboard({ ack_url: 'http://127.0.0.1:8080/s/1.a.b/ack', outcome_url: 'http://127.0.0.1:8080/s/1.a.b/outcome' }, 'vi')).toBeUndefined();
  });
});
