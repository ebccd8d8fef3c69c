/**
 * A refused form, through the real fastify app: the page comes back in the reader's language
 * (from the locale, never the API's English), names the field by the label the form shows, and
 * holds what was typed, so a trainee on a weak link does not lose a long outcome note. Nothing is
 * written. Covers the signed link's three forms, the signed-in incident forms, sign-in,
 * maintenance, the coverage form, and the plain error pages.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { englishWordsIn } from '../../../src/core/english-words.js';
import { makeFixture, NOW, type Fixture } from './fixtures.js';
import { hidden, incidentToken, postForm, webLogin as login } from './web-kit.js';

let f: Fixture;

const token = (id: number, expiresAt?: number) => incidentToken(f, id, expiresAt);
const post = (url: string, form: Record<string, string | string[]>, headers: Record<string, string> = {}) => postForm(f.app, url, form, headers);
const webLogin = (name: string, password: string) => login(f.app, name, password);

/** What a reader sees: no markup, no style, and not the runbook (the province's own Markdown, config/runbooks). */
function ourWords(html: string): string {
  return html
    .replace(/<style[\s\S]*?<\/style>/g, ' ')
    .replace(/<h2>(Hướng dẫn xử lý|Runbook): [\s\S]*?(?=<section id="outcome">)/, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ');
}
const textarea = (html: string, name: string) => new RegExp(`<textarea [^>]*name="${name}"[^>]*>([\\s\\S]*?)</textarea>`).exec(html)?.[1];
const input = (html: string, name: string) => new RegExp(`<input [^>]*name="${name}"[^>]*value="([^"]*)"`).exec(html)?.[1];

// What a trainee types on site: long, and not something to type twice over a weak link.
const CAUSE = 'Sét đánh đêm qua làm nhảy cầu dao tổng của nhà văn hóa, bộ nguồn của bộ định tuyến bị cháy. '.repeat(12).trim();

beforeAll(async () => {
  f = await makeFixture({ passwords: true, settings: { auth: { session_ttl: '12h', login_attempts_per_minute: 1000 } } });
});
afterAll(async () => {
  await f.close();
});
beforeEach(() => {
  f.incidents.reset();
  f.clock.set(NOW);
});

describe('the outcome form through the alert link', () => {
  it('a blank "what was done": 400, a Vietnamese page naming the field, every typed text kept, no English word, nothing written', async () => {
    const t = token(1);
    const r = await post(`/s/${t}/outcome`, { name: 'Minh', cause_found: CAUSE, actions: '   ', parts: 'bộ nguồn 12V' });
    expect(r.statusCode).toBe(400);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.headers['referrer-policy']).toBe('no-referrer');
    expect(r.body).toContain('<html lang="vi">');
    // said at the top (the form is far down on a phone) with the way there, and again at the form
    expect(r.body).toContain('<p class="banner err" role="alert">Đã làm gì: không được để trống. <a href="#outcome">Đến biểu mẫu</a></p>');
    expect(r.body).toContain('<p class="banner err" role="alert">Đã làm gì: không được để trống. Nội dung bạn đã nhập vẫn được giữ trong biểu mẫu.</p>');
    expect(textarea(r.body, 'cause_found')).toBe(CAUSE);
    expect(input(r.body, 'parts')).toBe('bộ nguồn 12V');
    expect(input(r.body, 'name')).toBe('Minh'); // (every form's name field: the first is the acknowledge form's)
    expect(r.body).toContain(`action="/s/${t}/outcome"`); // the form posts to the link again
    expect(englishWordsIn(ourWords(r.body))).toEqual([]);
    expect(f.incidents.outcome(1)).toBeNull();
  });

  it('a note longer than the form takes: it comes back whole, with how long it was and the limit', async () => {
    const t = token(1);
    const actions = 'Thay bộ nguồn, cắm lại SIM, gọi nhà mạng kiểm tra gói cước; chờ 5 phút rồi thử lại. '.repeat(60);
    const r = await post(`/s/${t}/outcome`, { cause_found: CAUSE, actions });
    expect(r.statusCode).toBe(400);
    expect(r.body).toContain(`Đã làm gì: quá dài (${[...actions].length} ký tự; tối đa 4000).`);
    expect(textarea(r.body, 'actions')).toBe(actions);
    expect(textarea(r.body, 'cause_found')).toBe(CAUSE);
    expect(englishWordsIn(ourWords(r.body))).toEqual([]);
    expect(f.incidents.outcome(1)).toBeNull();
  });

  it('in English for an English reader', async () => {
    const r = await post(`/s/${token(1)}/outcome`, { cause_found: '', actions: 'replaced the power supply' }, { 'accept-language': 'en' });
    expect(r.statusCode).toBe(400);
    expect(r.body).toContain('<html lang="en">');
    expect(r.body).toContain('Cause found: cannot be left blank.');
    expect(textarea(r.body, 'actions')).toBe('replaced the power supply');
  });

  it('a link that does not open the incident answers as always (410 expired), whatever the form said', async () => {
    const r = await post(`/s/${token(1, NOW - 1000)}/outcome`, { cause_found: CAUSE, actions: '' });
    expect(r.statusCode).toBe(410);
    expect(r.body).toContain('Liên kết đã hết hạn');
    expect(r.body).not.toContain('Nhà văn hóa thôn 1');
  });

  it('the acknowledge and checklist forms keep their note, name and ticks', async () => {
    const t = token(1);
    const ack = await post(`/s/${t}/ack`, { name: 'M'.repeat(101), note: 'đang đi, 20 phút nữa đến' });
    expect(ack.statusCode).toBe(400);
    expect(ack.body).toContain('Tên của bạn: quá dài (101 ký tự; tối đa 100).');
    expect(textarea(ack.body, 'note')).toBe('đang đi, 20 phút nữa đến');
    expect(englishWordsIn(ourWords(ack.body))).toEqual([]);

    const steps = await post(`/s/${t}/steps`, { name: 'Minh', done: ['1', '42'], note_1: 'đèn nguồn tắt, cả nhà mất điện' });
    expect(steps.statusCode).toBe(400);
    expect(steps.body).toContain('Các bước đã làm: “42” không phải một bước của danh sách này (từ 1 đến 10). <a href="#steps">Đến biểu mẫu</a>');
    expect(steps.body).toMatch(/id="step-1"><label><input type="checkbox" name="done" value="1" checked>/);
    expect(input(steps.body, 'note_1')).toBe('đèn nguồn tắt, cả nhà mất điện');
    expect(englishWordsIn(ourWords(steps.body))).toEqual([]);
    expect(f.incidents.items[0]!.acknowledged_by).toBeNull();
    expect(f.incidents.steps(1)).toEqual([]);
  });

  it('a field the form does not have is named as sent', async () => {
    const r = await post(`/s/${token(1)}/ack`, { note: 'x', by: 'admin' });
    expect(r.statusCode).toBe(400);
    expect(r.body).toContain('Biểu mẫu gửi một mục không có (by). Hãy mở lại trang.');
  });
});

describe('the signed-in forms', () => {
  it('the outcome form on /incidents/1: Vietnamese, kept text, and a fresh form token to send it again', async () => {
    const { cookie, csrf } = await webLogin('op', 'op-pass-123');
    const r = await post('/incidents/1/outcome', { _csrf: csrf, cause_found: CAUSE, actions: '' }, { cookie });
    expect(r.statusCode).toBe(400);
    expect(r.body).toContain('Đã làm gì: không được để trống.');
    expect(textarea(r.body, 'cause_found')).toBe(CAUSE);
    expect(englishWordsIn(ourWords(r.body))).toEqual([]);
    // sending the kept text with the token of the page that came back works
    const again = await post('/incidents/1/outcome', { _csrf: hidden(r.body, '_csrf'), cause_found: CAUSE, actions: 'thay bộ nguồn' }, { cookie });
    expect(again.statusCode).toBe(303);
    expect(f.incidents.outcome(1)).toMatchObject({ cause_found: CAUSE, actions: 'thay bộ nguồn' });
  });

  it('an expired form token (403): the page comes back with the text kept, nothing written', async () => {
    const { cookie } = await webLogin('op', 'op-pass-123');
    const r = await post('/incidents/1/outcome', { _csrf: 'x'.repeat(40), cause_found: CAUSE, actions: 'thay bộ nguồn' }, { cookie });
    expect(r.statusCode).toBe(403);
    expect(r.body).toContain('Biểu mẫu đã hết hạn. Hãy kiểm tra nội dung đã nhập rồi bấm nút lần nữa.');
    expect(textarea(r.body, 'cause_found')).toBe(CAUSE);
    expect(textarea(r.body, 'actions')).toBe('thay bộ nguồn');
    expect(f.incidents.outcome(1)).toBeNull();
  });

  it('outside the user\'s communes the refused form shows nothing of the incident', async () => {
    const { cookie, csrf } = await webLogin('op', 'op-pass-123');
    const r = await post('/incidents/2/outcome', { _csrf: csrf, cause_found: 'x', actions: 'y'.repeat(4001) }, { cookie });
    expect(r.statusCode).toBe(400);
    expect(r.body).toContain('Đã làm gì: quá dài (4001 ký tự; tối đa 4000).');
    expect(r.body).not.toContain('Nhà văn hóa Cát');
    expect(r.body).not.toContain('<textarea');
  });

  it('sign-in: a user name too long comes back kept (never the password), with a fresh form; an expired form too', async () => {
    const page = await f.app.inject({ url: '/login' });
    const lc = `pw_login=${page.cookies.find((c) => c.name === 'pw_login')!.value}`;
    const long = await post('/login', { username: 'n'.repeat(65), password: 'secret-typed', _csrf: hidden(page.body, '_csrf'), next: '/incidents' }, { cookie: lc });
    expect(long.statusCode).toBe(400);
    expect(long.body).toContain('Tên đăng nhập: quá dài (65 ký tự; tối đa 64).');
    expect(input(long.body, 'username')).toBe('n'.repeat(65));
    expect(long.body).not.toContain('secret-typed');
    expect(hidden(long.body, 'next')).toBe('/incidents');
    expect(englishWordsIn(ourWords(long.body))).toEqual([]);

    const stale = await post('/login', { username: 'op', password: 'op-pass-123', _csrf: 'stale-token' }, { cookie: lc });
    expect(stale.statusCode).toBe(403);
    expect(stale.body).toContain('Biểu mẫu đã hết hạn.');
    expect(input(stale.body, 'username')).toBe('op');
    // the fresh form works
    const fresh = `pw_login=${stale.cookies.find((c) => c.name === 'pw_login')!.value}`;
    const ok = await post('/login', { username: 'op', password: 'op-pass-123', _csrf: hidden(stale.body, '_csrf') }, { cookie: fresh });
    expect(ok.statusCode).toBe(303);
  });

  it('maintenance: a bad date, an end before the start, an unknown site; each names the field, the form comes back filled in', async () => {
    const { cookie, csrf } = await webLogin('op', 'op-pass-123');
    const base = { _csrf: csrf, sites: 'a2', communes: '', groups: '', start: '2026-11-21T08:00', end: '2026-11-21T09:00', reason: 'Thay ắc quy bộ lưu điện' };
    const cases = [
      { form: { ...base, start: '21/11/2026' }, status: 400, text: 'Bắt đầu: không phải ngày giờ hợp lệ.' },
      { form: { ...base, end: '2026-11-21T07:00' }, status: 400, text: 'Kết thúc: phải sau Bắt đầu.' },
      // (the whole list is named: which of them is outside the user's area is not said)
      { form: { ...base, sites: 'a2, c1' }, status: 404, text: 'Mã điểm (cách nhau bằng dấu phẩy): không có “a2, c1” trong khu vực của bạn.' },
      { form: { ...base, sites: '' }, status: 400, text: 'Hãy nhập ít nhất một điểm, xã hoặc cụm.' },
    ];
    for (const c of cases) {
      const r = await post('/maintenance', c.form, { cookie });
      expect(r.statusCode, c.text).toBe(c.status);
      expect(r.body, c.text).toContain(c.text);
      expect(input(r.body, 'reason'), c.text).toBe('Thay ắc quy bộ lưu điện');
      expect(input(r.body, 'start'), c.text).toBe(c.form.start);
      expect(input(r.body, 'sites'), c.text).toBe(c.form.sites);
      // (the list of windows above the form holds what people wrote, in any language)
      expect(englishWordsIn(ourWords(r.body.replace(/<table>[\s\S]*?<\/table>/, ''))), c.text).toEqual([]);
    }
    expect(f.incidents.win.find((w) => w.reason === 'Thay ắc quy bộ lưu điện')).toBeUndefined();
  });

  it('the coverage form: a bad date comes back with the form as typed', async () => {
    const { cookie } = await webLogin('reviewer', 'reviewer-pass-1');
    const r = await f.app.inject({ url: '/coverage?from=2026-13-01&to=2026-11-15', headers: { cookie } });
    expect(r.statusCode).toBe(400);
    expect(r.body).toContain('Từ: không phải ngày hợp lệ (năm-tháng-ngày).');
    expect(input(r.body, 'from')).toBe('2026-13-01');
    expect(englishWordsIn(ourWords(r.body))).toEqual([]);
    const bad = await f.app.inject({ url: '/coverage?group_by=village', headers: { cookie } });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Nhóm theo: giá trị này không hợp lệ.');
  });
});

describe('plain error pages say it in the reader\'s language', () => {
  const cases = [
    { name: 'no such page', url: '/no-such-page', status: 404, vi: 'Không tìm thấy, hoặc nằm ngoài khu vực của bạn.', en: 'Not found, or outside your area.' },
    { name: 'a site outside the scope', url: '/sites/c1', status: 404, vi: 'Không tìm thấy, hoặc nằm ngoài khu vực của bạn.', en: 'Not found, or outside your area.' },
    { name: 'a bad filter', url: '/board?show=everything', status: 400, vi: 'Chỉ xem điểm có sự cố: giá trị này không hợp lệ.', en: 'Problems only: this value is not accepted.' },
  ];
  it.each(cases)('$name', async ({ url, status, vi, en }) => {
    const { cookie } = await webLogin('op', 'op-pass-123');
    const v = await f.app.inject({ url, headers: { cookie, 'accept-language': 'vi' } });
    expect(v.statusCode).toBe(status);
    expect(v.body).toContain(vi);
    expect(englishWordsIn(ourWords(v.body))).toEqual([]);
    const e = await f.app.inject({ url, headers: { cookie, 'accept-language': 'en' } });
    expect(e.body).toContain(en);
  });
  it('a role that may not act: 403 in Vietnamese', async () => {
    const { cookie, csrf } = await webLogin('reviewer', 'reviewer-pass-1');
    const r = await post('/incidents/1/ack', { _csrf: csrf }, { cookie });
    expect(r.statusCode).toBe(403);
    expect(r.body).toContain('Vai trò của bạn không được phép làm việc này.');
    expect(englishWordsIn(ourWords(r.body))).toEqual([]);
  });
});
