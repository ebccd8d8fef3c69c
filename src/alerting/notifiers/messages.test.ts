import { describe, expect, it } from 'vitest';
import type { Lang } from '../../core/types.js';
import type { Notice } from '../notice.js';
import {
  formatArea,
  buildEmail, buildSms, buildSubject, buildTelegramHtml, buildText, buildZaloTemplateData, checkZaloMapping,
  detailText, escapeHtml, formatDuration, formatLocalTime, langFor, shortenAtWord, ZNS_TEXT_MAX,
} from './messages.js';
import { smsParts } from './sms-encoding.js';
import { communeWide, firingDown, firingWithCause, hostileName, resolvedNoCause, resolvedPower, upstream } from './testdata/notices.js';

describe('formatLocalTime (Asia/Ho_Chi_Minh unless told)', () => {
  const cases: Array<{ name: string; ms: number; lang: Lang; tz?: string; want: string }> = [
    { name: 'vi, UTC 00:42 is 07:42 in Hà Nội', ms: Date.UTC(2026, 10, 22, 0, 42), lang: 'vi', want: '07:42 ngày 22/11/2026' },
    { name: 'en carries the offset', ms: Date.UTC(2026, 10, 22, 0, 42), lang: 'en', want: '2026-11-22 07:42 GMT+7' },
    { name: 'crosses midnight into the next local day', ms: Date.UTC(2026, 11, 31, 18, 5), lang: 'vi', want: '01:05 ngày 01/01/2027' },
    { name: 'another zone when configured', ms: Date.UTC(2026, 10, 22, 0, 42), lang: 'en', tz: 'Asia/Bangkok', want: '2026-11-22 07:42 GMT+7' },
    { name: 'UTC', ms: Date.UTC(2026, 10, 22, 0, 42), lang: 'vi', tz: 'UTC', want: '00:42 ngày 22/11/2026' },
  ];
  for (const c of cases) it(c.name, () => expect(formatLocalTime(c.ms, c.lang, c.tz)).toBe(c.want));
});

describe('formatDuration', () => {
  const cases: Array<[string, number, Lang, string]> = [
    ['seconds only', 40_000, 'vi', 'dưới 1 phút'],
    ['minutes', 45 * 60_000, 'vi', '45 phút'],
    ['hours and minutes vi', 72 * 60_000, 'vi', '1 giờ 12 phút'],
    ['hours and minutes en', 72 * 60_000, 'en', '1 h 12 min'],
    ['whole hours', 3 * 3_600_000, 'en', '3 h'],
    ['days drop the minutes', (2 * 24 + 3) * 3_600_000 + 5 * 60_000, 'vi', '2 ngày 3 giờ'],
  ];
  for (const [name, ms, lang, want] of cases) it(name, () => expect(formatDuration(ms, lang)).toBe(want));
});

describe('langFor', () => {
  it('uses the recipient language first, then the notice language', () => {
    expect(langFor(firingDown, { lang: 'en' })).toBe('en');
    expect(langFor(firingDown, {})).toBe('vi');
    expect(langFor({ ...firingDown, lang: 'en' })).toBe('en');
  });
});

/** What every full message must carry. */
function mustCarry(text: string, n: Notice, lang: Lang): void {
  expect(text).toContain(n.site ? n.site.name : n.area.commune);
  expect(text).toContain(n.area.commune);
  expect(text).toContain(lang === 'vi' ? '07:42 ngày 22/11/2026' : '2026-11-22 07:42 GMT+7');
  expect(text).toContain(detailText(n, lang));
  expect(text).toContain(n.runbook_url);
  expect(text).toContain(n.ack_url);
}

describe('buildText / buildSubject: the full message', () => {
  const cases: Array<{ name: string; n: Notice; lang: Lang; has: string[]; hasNot?: string[]; subject: string }> = [
    {
      name: 'vi firing without cause',
      n: firingDown, lang: 'vi',
      has: ['[CẢNH BÁO] Điểm Wi-Fi mất kết nối: Nhà văn hoá thôn Bản Lác', 'Địa bàn: xã Chiềng Châu, tỉnh Hoà Bình', 'Trạng thái: Mất kết nối', 'Từ lúc: 07:42 ngày 22/11/2026', 'Chi tiết: không phản hồi: gửi 5 gói, nhận 0 trong 2 lần kiểm tra liên tiếp', 'Hướng dẫn xử lý: https://pw.example.org/runbooks/vi/site-down', 'Xác nhận đã nhận: https://pw.example.org/incidents/17/ack'],
      hasNot: ['Nguyên nhân', 'Kéo dài'],
      subject: '[CẢNH BÁO] Điểm Wi-Fi mất kết nối: Nhà văn hoá thôn Bản Lác, xã Chiềng Châu',
    },
    {
      name: 'en firing with cause',
      n: firingWithCause, lang: 'en',
      has: ['[ALERT] Wi-Fi point down: Nhà văn hoá thôn Bản Lác', 'State: Down', 'Likely cause: power cut (the router rebooted)', 'Area: Chiềng Châu commune, Hoà Bình province'],
      subject: '[ALERT] Wi-Fi point down: Nhà văn hoá thôn Bản Lác, Chiềng Châu commune',
    },
    {
      name: 'vi resolved says how long and the cause',
      n: resolvedPower, lang: 'vi',
      has: ['[ĐÃ KHÔI PHỤC]', 'Trạng thái: Hoạt động', 'Đến lúc: 08:54 ngày 22/11/2026', 'Kéo dài: 1 giờ 12 phút', 'Nguyên nhân (ước đoán): mất điện (thiết bị đã khởi động lại)'],
      subject: '[ĐÃ KHÔI PHỤC] Điểm Wi-Fi mất kết nối: Nhà văn hoá thôn Bản Lác, xã Chiềng Châu (1 giờ 12 phút)',
    },
    {
      name: 'en resolved without a known cause says so',
      n: resolvedNoCause, lang: 'en',
      has: ['[RESOLVED]', 'Lasted: 1 h 12 min', 'Until: 2026-11-22 08:54 GMT+7', 'Likely cause: unknown'],
      subject: '[RESOLVED] Wi-Fi point down: Nhà văn hoá thôn Bản Lác, Chiềng Châu commune (1 h 12 min)',
    },
    {
      name: 'upstream incident lists the affected sites',
      n: upstream, lang: 'vi',
      has: ['Mất đường truyền tuyến trên: UBND xã Chiềng Châu', 'Ảnh hưởng thêm: 2 điểm: Nhà văn hoá thôn Bản Lác, Nhà văn hoá thôn Pom Coọng'],
      subject: '[CẢNH BÁO] Mất đường truyền tuyến trên: UBND xã Chiềng Châu, xã Chiềng Châu',
    },
    {
      name: 'commune-level incident is about the commune',
      n: communeWide, lang: 'en',
      has: ['[ALERT] Power cut suspected: Chiềng Châu commune', 'Detail: 5 of 6 sites down within 3 min (83%, threshold 60%): power cut suspected'],
      subject: '[ALERT] Power cut suspected: Chiềng Châu commune',
    },
    {
      name: 'escalated says to which level',
      n: { ...firingDown, event: 'escalated', level: 'province' }, lang: 'vi',
      has: ['[CHUYỂN CẤP]', 'Chưa ai xác nhận: chuyển lên cấp tỉnh'],
      hasNot: ['huyện'],
      subject: '[CHUYỂN CẤP] Điểm Wi-Fi mất kết nối: Nhà văn hoá thôn Bản Lác, xã Chiềng Châu',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const text = buildText(c.n, c.lang);
      mustCarry(text, c.n, c.lang);
      for (const h of c.has) expect(text).toContain(h);
      for (const h of c.hasNot ?? []) expect(text).not.toContain(h);
      expect(buildSubject(c.n, c.lang)).toBe(c.subject);
    });
  }

  it('two tiers: never a district; the commune\'s kind when the inventory says, no word when it does not; the group stays out', () => {
    const cases: Array<{ area: Notice['area']; lang: Lang; want: string }> = [
      { area: { commune: 'Bác Ái', commune_kind: 'xa', province: 'Khánh Hòa' }, lang: 'vi', want: 'xã Bác Ái, tỉnh Khánh Hòa' },
      { area: { commune: 'Nha Trang', commune_kind: 'phuong', province: 'Khánh Hòa' }, lang: 'vi', want: 'phường Nha Trang, tỉnh Khánh Hòa' },
      { area: { commune: 'Trường Sa', commune_kind: 'dac_khu', province: 'Khánh Hòa' }, lang: 'en', want: 'Trường Sa special zone, Khánh Hòa province' },
      { area: { commune: 'Nha Trang', commune_kind: 'phuong', province: 'Khánh Hòa' }, lang: 'en', want: 'Nha Trang ward, Khánh Hòa province' },
      { area: { commune: 'Kép', province: 'Bắc Ninh', group: 'Lạng Giang (cũ)' }, lang: 'vi', want: 'Kép, tỉnh Bắc Ninh' },
      { area: { commune: 'Phường Tân Định', province: 'Thành phố Hồ Chí Minh' }, lang: 'vi', want: 'Phường Tân Định, Thành phố Hồ Chí Minh' },
    ];
    for (const c of cases) expect(formatArea(c.area, c.lang)).toBe(c.want);
  });

  it('cuts a long affected list and says how many more', () => {
    const many = { ...upstream, affected: Array.from({ length: 14 }, (_, i) => ({ id: `s${i}`, name: `Điểm ${i + 1}` })) };
    expect(buildText(many, 'vi')).toContain('Ảnh hưởng thêm: 14 điểm: Điểm 1, Điểm 2, Điểm 3, Điểm 4, Điểm 5, Điểm 6, Điểm 7, Điểm 8, Điểm 9, Điểm 10 và 4 điểm khác');
  });
});

describe('buildEmail', () => {
  it('has a subject, a text part and an escaped HTML part with both links', () => {
    const m = buildEmail(hostileName, 'vi');
    expect(m.subject).toBe('[CẢNH BÁO] Điểm Wi-Fi mất kết nối: Điểm <b>A</b> & "B", xã Chiềng Châu');
    expect(m.text).toContain('Chi tiết: mất gói 42% (ngưỡng 20%) trong 3 lần kiểm tra liên tiếp');
    expect(m.html).toContain('Điểm &lt;b&gt;A&lt;/b&gt; &amp; &quot;B&quot;');
    expect(m.html).not.toContain('<b>A</b>');
    expect(m.html).toContain('<a href="https://pw.example.org/runbooks/vi/site-down">Hướng dẫn xử lý</a>');
    expect(m.html).toContain('<a href="https://pw.example.org/incidents/17/ack">Xác nhận đã nhận</a>');
    expect(m.html).toContain('mất gói 42% (ngưỡng 20%) trong 3 lần kiểm tra liên tiếp');
  });
});

describe('buildTelegramHtml', () => {
  it('escapes user text so Telegram can parse the entities', () => {
    const html = buildTelegramHtml(hostileName, 'vi');
    expect(html).toBe([
      '<b>[CẢNH BÁO] Điểm Wi-Fi mất kết nối</b>',
      '<b>Điểm &lt;b&gt;A&lt;/b&gt; &amp; &quot;B&quot;</b>',
      'Địa bàn: xã Chiềng Châu, tỉnh Hoà Bình',
      'Trạng thái: Mất kết nối',
      'Từ lúc: 07:42 ngày 22/11/2026',
      'Chi tiết: <code>mất gói 42% (ngưỡng 20%) trong 3 lần kiểm tra liên tiếp</code>',
      '<a href="https://pw.example.org/runbooks/vi/site-down">Hướng dẫn xử lý</a> | <a href="https://pw.example.org/incidents/17/ack">Xác nhận đã nhận</a>',
    ].join('\n'));
  });
  it('only uses the tags Telegram allows, balanced', () => {
    const html = buildTelegramHtml(upstream, 'en');
    const tags = [...html.matchAll(/<\/?([a-z]+)/g)].map((m) => m[1]);
    expect(new Set(tags)).toEqual(new Set(['b', 'code', 'a']));
    for (const t of ['b', 'code', 'a']) expect(html.split(`<${t}`).length).toBe(html.split(`</${t}>`).length);
  });
  it('escapeHtml escapes the five characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});

describe('buildSms: encoding, length, shortening', () => {
  it('Vietnamese with diacritics is UCS-2 and fits in max parts of 67; the kind and the inferred cause stay', () => {
    const s = buildSms(firingWithCause, 'vi', { maxParts: 3 });
    expect(s.encoding).toBe('UCS-2');
    expect(s.part_count).toBeLessThanOrEqual(3);
    expect(s.units).toBeLessThanOrEqual(201);
    expect(s.text).toBe('CẢNH BÁO: Điểm Wi-Fi mất kết nối tại Nhà văn hoá thôn Bản Lác (xã Chiềng Châu) từ 07:42 22/11. Nguyên nhân (ước đoán): mất điện. Xác nhận: https://pw.example.org/incidents/17/ack');
    expect(s.dropped).toEqual(['detail', 'runbook']);
    for (const p of s.parts) expect(p.length).toBeLessThanOrEqual(67);
    expect(s.parts.join('')).toBe(s.text);
  });
  it('gsm7 abbreviates, strips diacritics, is GSM-7 and keeps every field in 2 parts of 153', () => {
    const s = buildSms(firingWithCause, 'vi', { maxParts: 3, encoding: 'gsm7' });
    expect(s.encoding).toBe('GSM-7');
    expect(s.dropped).toEqual([]);
    expect(s.part_count).toBe(2);
    expect(s.text).toBe('CANH BAO: Diem Wi-Fi mat ket noi tai NVH thon Ban Lac (xa Chieng Chau) tu 07:42 22/11. Nguyen nhan (uoc doan): mat dien. khong phan hoi: gui 5 goi, nhan 0 trong 2 lan kiem tra lien tiep. Huong dan: https://pw.example.org/runbooks/vi/site-down Xac nhan: https://pw.example.org/incidents/17/ack');
    for (const p of s.parts) expect(p.length).toBeLessThanOrEqual(153);
  });
  it('a commune update keeps its "folds the alerts already sent" line after the detail is dropped', () => {
    const update = { ...communeWide, folded: [{ incident_id: 3, id: 'a', name: 'NVH thôn Lao Chải', since: communeWide.since, notified_before: true }] };
    const s = buildSms(update, 'vi', { maxParts: 3 });
    expect(s.text).toContain('Cập nhật: gộp 1 cảnh báo đã gửi.');
    expect(s.dropped).toContain('detail');
    expect(s.dropped).not.toContain('folded');
    expect(buildSms(update, 'vi', { maxParts: 1, encoding: 'gsm7' }).text).toContain('Cap nhat: gop 1 canh bao da gui.');
  });
  it('a commune incident names its kind, not only a state', () => {
    const s = buildSms(communeWide, 'vi', { maxParts: 3 });
    expect(s.text.startsWith('CẢNH BÁO: Nghi mất điện tại xã Chiềng Châu từ 07:42 22/11.')).toBe(true);
  });
  it('resolved SMS keeps how long it lasted and the cause', () => {
    const s = buildSms(resolvedPower, 'vi', { maxParts: 3 });
    expect(s.text).toContain('hoạt động lại lúc 08:54 22/11, sau 1 giờ 12 phút');
    expect(s.text).toContain('Nguyên nhân (ước đoán): mất điện');
    expect(s.text).toContain('https://pw.example.org/incidents/17/ack');
  });
  it('two UCS-2 parts: the commune goes before the cause and the site name', () => {
    const short = { ...firingDown, ack_url: 'https://pw.vn/a/17' };
    const s = buildSms(short, 'vi', { maxParts: 2 });
    expect(s.text).toBe('CẢNH BÁO: Điểm Wi-Fi mất kết nối tại Nhà văn hoá thôn Bản Lác (xã Chiềng Châu) từ 07:42 22/11. Xác nhận: https://pw.vn/a/17');
    expect(s.units).toBeLessThanOrEqual(134);
  });
  it('one UCS-2 part: the words are cut, the acknowledge link stays whole', () => {
    const short = { ...firingDown, ack_url: 'https://pw.vn/a/17' };
    const s = buildSms(short, 'vi', { maxParts: 1 });
    expect(s.encoding).toBe('UCS-2');
    expect(s.units).toBeLessThanOrEqual(70);
    expect(s.part_count).toBe(1);
    expect(s.text.startsWith('CẢNH BÁO: Điểm Wi-Fi mất kết nối')).toBe(true);
    expect(s.text.endsWith('... https://pw.vn/a/17')).toBe(true);
  });
  it('one GSM-7 part of 160 fits what one UCS-2 part cannot', () => {
    const short = { ...firingDown, ack_url: 'https://pw.vn/a/17', runbook_url: 'https://pw.vn/r/site-down' };
    const s = buildSms(short, 'en', { maxParts: 1, encoding: 'gsm7' });
    expect(s.encoding).toBe('GSM-7');
    expect(s.units).toBeLessThanOrEqual(160);
    expect(s.text).toBe('ALERT: Wi-Fi point down at NVH thon Ban Lac (Chieng Chau commune) since 07:42 22/11. Runbook: https://pw.vn/r/site-down Ack: https://pw.vn/a/17');
    expect(s.dropped).toEqual(['detail']);
    // Without gsm7 the same message (diacritics, so UCS-2) does not fit one part:
    const ucs = buildSms(short, 'en', { maxParts: 1 });
    expect(ucs.encoding).toBe('UCS-2');
    expect(ucs.dropped).toContain('text');
  });
  it('never exceeds the part budget, whatever the input', () => {
    const huge = { ...firingDown, site: { ...firingDown.site!, name: 'Nhà văn hoá '.repeat(40) }, detail: 'x'.repeat(500) };
    for (const maxParts of [1, 2, 3, 6]) {
      for (const encoding of ['auto', 'gsm7'] as const) {
        const s = buildSms(huge, 'vi', { maxParts, encoding });
        expect(smsParts(s.text)).toBeLessThanOrEqual(maxParts);
      }
    }
  });
});

describe('Zalo template data', () => {
  const mapping = { site: 'ten_diem', commune: 'xa', state: 'trang_thai', since: 'thoi_gian', cause: 'nguyen_nhan', link: 'link' };
  it('maps pointwatch fields to the template parameter names', () => {
    expect(buildZaloTemplateData(resolvedPower, 'vi', mapping)).toEqual({
      ten_diem: 'Nhà văn hoá thôn Bản Lác',
      xa: 'xã Chiềng Châu',
      trang_thai: 'Hoạt động',
      thoi_gian: '07:42 ngày 22/11/2026',
      nguyen_nhan: 'mất điện',
      link: 'https://pw.example.org/incidents/17/ack',
    });
  });
  it('shortens text parameters by rule (abbreviation, then at a word, with an ellipsis) but never a link', () => {
    const long = { ...firingDown, site: { ...firingDown.site!, name: 'Nhà văn hoá thôn Bản Lác Trên Đồi Cao Nhất Xã' }, ack_url: `https://pw.example.org/${'a'.repeat(80)}` };
    const d = buildZaloTemplateData(long, 'vi', mapping);
    expect(d.ten_diem).toBe('NVH thôn Bản Lác Trên Đồi Cao…');
    expect([...d.ten_diem!].length).toBeLessThanOrEqual(ZNS_TEXT_MAX);
    expect(d.link).toBe(long.ack_url);
  });
  it('a name that fits is left whole', () => {
    const d = buildZaloTemplateData({ ...firingDown, site: { ...firingDown.site!, name: 'Nhà văn hóa thôn Phìn Ngan Sản' } }, 'vi', mapping);
    expect(d.ten_diem).toBe('Nhà văn hóa thôn Phìn Ngan Sản');
  });
  it('an unknown cause is written out (ZNS rejects empty parameters)', () => {
    expect(buildZaloTemplateData(firingDown, 'vi', { cause: 'c' })).toEqual({ c: 'chưa rõ' });
  });
  it('check-config names unknown fields in the mapping', () => {
    expect(checkZaloMapping({ site: 'a', sitename: 'b' })).toEqual(['template_params: unknown field "sitename" (known: site, commune, state, since, until, lasted, cause, detail, event, kind, runbook, ack, link)']);
  });
});

describe('shortenAtWord: never mid-word', () => {
  const cases: Array<{ name: string; s: string; max: number; want: string }> = [
    { name: 'fits: unchanged', s: 'Bản Lác', max: 30, want: 'Bản Lác' },
    { name: 'cut falls inside a word: back to the word before', s: 'Điểm thông tin thôn Nậm Khánh', max: 20, want: 'Điểm thông tin thôn…' },
    { name: 'cut falls on a space: the whole words', s: 'một hai ba bốn', max: 8, want: 'một hai…' },
    { name: 'trailing punctuation dropped', s: 'UBND xã, thôn Bản Dền', max: 10, want: 'UBND xã…' },
    { name: 'one long word: cut inside it (nothing better)', s: 'Supercalifragilistic', max: 8, want: 'Superca…' },
    { name: 'ascii ellipsis for GSM-7', s: 'Nha van hoa thon Ban Lac', max: 15, want: 'Nha van hoa...' },
  ];
  for (const c of cases) it(c.name, () => {
    const got = shortenAtWord(c.s, c.max, c.name.includes('GSM-7') ? '...' : '…');
    expect(got).toBe(c.want);
    expect([...got].length).toBeLessThanOrEqual(c.max);
  });
});
