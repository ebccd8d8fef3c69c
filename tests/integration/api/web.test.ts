/**
 * The server-rendered web UI through app.inject(): the form login (with its CSRF cookie), every
 * page, the forms (CSRF, redirects), language choice, escaping, page weight, the "database down"
 * banner, and no secret or external resource in any page.
 */
import { englishWordsIn } from '../../../src/core/english-words.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { bigFleet, makeFixture, NOW, SECRETS, type Fixture } from './fixtures.js';

let f: Fixture;
const pages: string[] = [];

async function get(url: string, cookie: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  const r = await f.app.inject({ url, headers: { cookie, ...headers } });
  pages.push(r.body);
  return r;
}
async function post(url: string, cookie: string, form: Record<string, string>, app = f.app): Promise<LightMyRequestResponse> {
  const opts: InjectOptions = { method: 'POST', url, headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(form).toString() };
  const r = await app.inject(opts);
  pages.push(r.body);
  return r;
}
const hidden = (body: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(body)?.[1] ?? '';

/** Sign in through the form, as a browser would. Returns the session cookie and the page CSRF token. */
async function webLogin(name: string, password: string, app = f.app, headers: Record<string, string> = {}) {
  const page = await app.inject({ url: '/login', headers });
  const lc = page.cookies.find((c) => c.name === 'pw_login')!;
  const loginCookie = `pw_login=${lc.value}`;
  const res = await post('/login', loginCookie, { username: name, password, _csrf: hidden(page.body, '_csrf'), next: '/board' }, app);
  const sc = res.cookies.find((c) => c.name === 'pw_session');
  const cookie = sc ? `pw_session=${sc.value}` : '';
  const board = cookie ? await app.inject({ url: '/board', headers: { cookie, ...headers } }) : null;
  return { res, cookie, csrf: board ? hidden(board.body, '_csrf') : '', loginCookie, loginCsrf: hidden(page.body, '_csrf') };
}

beforeAll(async () => {
  f = await makeFixture({ passwords: true, settings: { auth: { session_ttl: '12h', login_attempts_per_minute: 1000 } } });
});
afterAll(async () => {
  await f.close();
});
beforeEach(() => {
  f.incidents.reset();
  f.history.down = false;
});

describe('sign-in', () => {
  it('the form carries a CSRF token bound to a signed cookie; a good sign-in redirects to the board', async () => {
    const { res, cookie, csrf } = await webLogin('op', 'op-pass-123');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/board');
    const c = res.cookies.find((x) => x.name === 'pw_session')!;
    expect(c).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(cookie).not.toBe('');
    expect(csrf.length).toBeGreaterThan(20);
  });
  it('without the login cookie, or with another token, the form is refused (403)', async () => {
    const page = await f.app.inject('/login');
    const token = hidden(page.body, '_csrf');
    expect((await post('/login', '', { username: 'op', password: 'op-pass-123', _csrf: token })).statusCode).toBe(403);
    const lc = `pw_login=${page.cookies.find((c) => c.name === 'pw_login')!.value}`;
    expect((await post('/login', lc, { username: 'op', password: 'op-pass-123', _csrf: 'forged-token' })).statusCode).toBe(403);
  });
  it('a wrong password re-renders the form with one message and 401', async () => {
    const { res } = await webLogin('op', 'nope-nope');
    expect(res.statusCode).toBe(401);
    expect(res.body).toContain('Sai tên đăng nhập hoặc mật khẩu.');
    expect(res.cookies.find((c) => c.name === 'pw_session')).toBeUndefined();
  });
  it('pages redirect to the sign-in page when there is no session (a Bearer token is for the API only)', async () => {
    const r = await f.app.inject('/board');
    expect(r.statusCode).toBe(303);
    expect(r.headers.location).toBe('/login?next=%2Fboard');
    const t = await f.app.inject({ url: '/incidents/1', headers: { authorization: `Bearer ${f.tokens.op}` } });
    expect(t.statusCode).toBe(303);
    // a form posted after the session ended comes back to the board, not to a POST-only URL
    const p = await post('/incidents/1/ack', '', { _csrf: 'x', note: 'late' });
    expect(p.statusCode).toBe(303);
    expect(p.headers.location).toBe('/login?next=%2Fboard');
  });
  it('next is only ever a local path', async () => {
    const page = await f.app.inject('/login?next=//evil.example/x');
    expect(hidden(page.body, 'next')).toBe('/board');
    const lang = await f.app.inject('/lang/en?next=https://evil.example/');
    expect(lang.headers.location).toBe('/board');
  });
  it('sign-out needs the CSRF token and ends the session', async () => {
    const { cookie, csrf } = await webLogin('op', 'op-pass-123');
    expect((await post('/logout', cookie, { _csrf: 'wrong' })).statusCode).toBe(403);
    const out = await post('/logout', cookie, { _csrf: csrf });
    expect(out.statusCode).toBe(303);
    expect((await get('/board', cookie)).statusCode).toBe(303);
  });
});

describe('status board', () => {
  it('shows my communes only, grouped by commune, worst first, with colour and text label', async () => {
    const { cookie } = await webLogin('reviewer', 'reviewer-pass-1');
    const r = await get('/board', cookie);
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    const b = r.body;
    expect(b).toContain('Xã An');
    expect(b).toContain('Xã Bình');
    expect(b).not.toContain('Xã Cát');
    // Xã An holds a DOWN site: its group comes before Xã Bình (MAINTENANCE worst)
    expect(b.indexOf('<h2>Xã An')).toBeLessThan(b.indexOf('<h2>Xã Bình'));
    // inside Xã An: DOWN a1, then DEGRADED a3, then UP a2
    const pos = (id: string) => b.indexOf(`href="/sites/${id}"`);
    expect(pos('a1')).toBeLessThan(pos('a3'));
    expect(pos('a3')).toBeLessThan(pos('a2'));
    expect(b).toMatch(/<span class="badge" style="background:#c62828">Mất kết nối<\/span>/);
    // since when, in local time (a1 DOWN since 08:00 Vietnam time, 2 h ago)
    expect(b).toContain('từ 20/11 08:00 (2 giờ)');
    // what happened, in Vietnamese (from the structured condition), never the engine's English
    expect(b).toContain('mất gói 42% (ngưỡng 20%) trong 3 lần kiểm tra liên tiếp');
    expect(b).toContain('không phản hồi: gửi 5 gói, nhận 0 trong 2 lần kiểm tra liên tiếp');
    expect(b).not.toContain('loss_pct');
  });
  it('escapes site names', async () => {
    const { cookie } = await webLogin('admin', 'admin-pass-1');
    const b = (await get('/board', cookie)).body;
    expect(b).toContain('Nhà văn hóa thôn 2 &lt;b&gt;');
    expect(b).not.toContain('thôn 2 <b>');
  });
  it('for 40 sites weighs under 50 KB, with no script, font, image or stylesheet to fetch', async () => {
    const g = await makeFixture({ passwords: true, fleet: bigFleet(40) });
    try {
      const { cookie } = await webLogin('admin', 'admin-pass-1', g.app);
      const r = await g.app.inject({ url: '/board', headers: { cookie } });
      expect(r.statusCode).toBe(200);
      expect((r.body.match(/href="\/sites\//g) ?? []).length).toBe(40);
      const bytes = Buffer.byteLength(r.body);
      expect(bytes).toBeLessThan(50 * 1024);
      const gz = await g.app.inject({ url: '/board', headers: { cookie, 'accept-encoding': 'gzip' } });
      expect(gz.headers['content-encoding']).toBe('gzip');
      const transferred = gz.rawPayload.length;
      expect(transferred).toBeLessThan(bytes / 3);
      console.log(`status board, 40 sites: ${bytes} bytes, ${transferred} bytes gzip`);
      expect(r.body).not.toMatch(/<script|<link |<img |@import|url\(|src=/i);
      expect(r.headers['content-security-policy']).toBe("default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
      expect(r.headers['cache-control']).toBe('no-store');
      for (const s of ['community-SECRET-s001', 'community-SECRET-s040']) expect(r.body).not.toContain(s);
    } finally {
      await g.close();
    }
  });
  it('when the history store is down the board still renders, with a clear banner', async () => {
    const { cookie } = await webLogin('op', 'op-pass-123');
    expect((await get('/board', cookie)).body).not.toContain('class="banner"');
    f.history.down = true;
    const r = await get('/board', cookie);
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('<p class="banner" role="alert">Cơ sở dữ liệu lịch sử không phản hồi.');
    expect(r.body).toContain('href="/sites/a1"');
  });
});

describe('language', () => {
  it('defaults from Accept-Language, then follows the switch link for this user', async () => {
    const { cookie } = await webLogin('trainee', 'trainee-pass-1');
    expect((await get('/board', cookie, { 'accept-language': 'en-GB,en;q=0.9' })).body).toContain('<h1>Status board</h1>');
    expect((await get('/board', cookie)).body).toContain('<h1>Bảng trạng thái</h1>'); // settings default: vi
    const sw = await get('/lang/en?next=%2Fincidents', cookie);
    expect(sw.statusCode).toBe(303);
    expect(sw.headers.location).toBe('/incidents');
    // stored for the user: English even when the browser prefers Vietnamese, in a new session too
    expect((await get('/board', cookie, { 'accept-language': 'vi' })).body).toContain('<h1>Status board</h1>');
    const again = await webLogin('trainee', 'trainee-pass-1');
    expect((await get('/board', again.cookie, { 'accept-language': 'vi' })).body).toContain('<html lang="en">');
    await get('/lang/vi', cookie);
    expect((await get('/board', cookie)).body).toContain('<html lang="vi">');
  });
  it('the sign-in page follows Accept-Language and the pw_lang cookie', async () => {
    expect((await f.app.inject({ url: '/login', headers: { 'accept-language': 'en' } })).body).toContain('<h1>Sign in</h1>');
    expect((await f.app.inject({ url: '/login', headers: { 'accept-language': 'en', cookie: 'pw_lang=vi' } })).body).toContain('<h1>Đăng nhập</h1>');
    expect((await f.app.inject('/lang/fr')).statusCode).toBe(400);
  });
});

describe('site page', () => {
  it('shows state, since when, last reboot, and four inline SVG charts', async () => {
    const { cookie } = await webLogin('op', 'op-pass-123');
    const r = await get('/sites/a2', cookie, { 'accept-language': 'en' });
    expect(r.statusCode).toBe(200);
    const b = r.body;
    expect(b).toContain('<h1>Điểm thông tin xã An</h1>');
    expect(b).toMatch(/<span class="badge"[^>]*>Up<\/span> since 19\/11 04:00/);
    expect(b).toContain('<dt>Last reboot</dt><dd>15/11/2026 10:00</dd>'); // 5 days of uptime before NOW
    expect((b.match(/<svg /g) ?? []).length).toBe(4);
    expect(b).toContain('Last 24 hours');
    expect(b).toContain('Last 7 days');
    expect(b).toContain('lte1: in 2.5 / out 0.6 Mbit/s');
    expect(b).not.toContain('<script');
    expect(f.history.calls).toBeGreaterThanOrEqual(4);
  });
  it('a down site lists its open incident', async () => {
    const { cookie } = await webLogin('op', 'op-pass-123');
    expect((await get('/sites/a1', cookie)).body).toContain('href="/incidents/1"');
  });
  it('with the history store down, renders from the last known state with a banner and no charts', async () => {
    const { cookie } = await webLogin('op', 'op-pass-123');
    f.history.down = true;
    const r = await get('/sites/a1', cookie, { 'accept-language': 'en' });
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('The history database is not answering. Showing the last known state');
    expect(r.body).toMatch(/>Down<\/span> since 20\/11 08:00/);
    expect(r.body).not.toContain('<svg');
  });
  it('outside my scope is a 404 page; unknown ids too', async () => {
    const { cookie } = await webLogin('op', 'op-pass-123');
    const out = await get('/sites/c1', cookie);
    expect(out.statusCode).toBe(404);
    expect(out.headers['content-type']).toMatch(/text\/html/);
    expect(out.body).not.toContain('Nhà văn hóa Cát');
    expect((await get('/sites/nope', cookie)).statusCode).toBe(404);
    expect((await get('/incidents/2', cookie)).statusCode).toBe(404);
    expect((await get('/no-such-page', cookie)).statusCode).toBe(404);
  });
});

describe('incidents pages', () => {
  it('the list shows open incidents first; the toggle shows resolved ones', async () => {
    const { cookie } = await webLogin('reviewer', 'reviewer-pass-1');
    const open = (await get('/incidents', cookie)).body;
    expect(open).toContain('href="/incidents/1"');
    expect(open).not.toContain('href="/incidents/3"');
    const all = (await get('/incidents?status=all', cookie)).body;
    expect(all.indexOf('href="/incidents/1"')).toBeLessThan(all.indexOf('href="/incidents/3"'));
  });
  it('a trainee acknowledges with a note and ticks runbook steps, each recorded with who and when', async () => {
    const { cookie, csrf } = await webLogin('trainee', 'trainee-pass-1');
    const page = (await get('/incidents/1', cookie)).body;
    expect(page).toContain('action="/incidents/1/ack"');
    expect((page.match(/<li class="" id="step-/g) ?? []).length).toBe(10);
    expect(page).toContain('id="step-10"');
    expect(page).toContain('<strong>'); // the runbook's Markdown, rendered
    expect(page).toContain('Nhà văn hóa thôn 1'); // {{site}} filled in

    const ack = await post('/incidents/1/ack', cookie, { _csrf: csrf, note: 'Đang đến <nhà văn hóa>' });
    expect(ack.statusCode).toBe(303);
    expect(ack.headers.location).toBe('/incidents/1');
    const step = await post('/incidents/1/steps', cookie, { _csrf: csrf, done: '1', note_1: 'đèn nguồn tắt', at: '1' });
    expect(step.statusCode).toBe(303);
    expect(step.headers.location).toBe('/incidents/1#step-1');

    const after = (await get('/incidents/1', cookie)).body;
    expect(after).toContain('trainee đã nhận lúc 20/11 10:00: <q>Đang đến &lt;nhà văn hóa&gt;</q>');
    expect(after).not.toContain('action="/incidents/1/ack"');
    expect(after).toMatch(/<li class="done" id="step-1">[\s\S]*?trainee làm lúc 20\/11 10:00: <q>đèn nguồn tắt<\/q>/);
    // the box stays ticked (unticking it and saving undoes the step)
    expect(after).toMatch(/id="step-1"><label><input type="checkbox" name="done" value="1" checked>/);
    expect(after).toMatch(/id="step-2"><label><input type="checkbox" name="done" value="2">/);
    expect(f.auth.auditLog(2).items.map((a) => a.action)).toEqual(['runbook.step_done', 'incident.acknowledge']);
    expect(after).toMatch(/<summary>Nhật ký các bước \(1 mục\)<\/summary><ol><li>20\/11 10:00 · trainee · bước 1 ☑: <q>đèn nguồn tắt<\/q><\/li><\/ol>/);
  });
  it('forms without or with a wrong CSRF token are refused and change nothing', async () => {
    const { cookie } = await webLogin('op', 'op-pass-123');
    expect((await post('/incidents/1/ack', cookie, { note: 'x' })).statusCode).toBe(400);
    const wrong = await post('/incidents/1/ack', cookie, { _csrf: 'x'.repeat(32), note: 'x' });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.headers['content-type']).toMatch(/text\/html/);
    expect((await post('/incidents/1/steps', cookie, { _csrf: 'nope', done: '1' })).statusCode).toBe(403);
    expect((await post('/incidents/1/outcome', cookie, { _csrf: 'nope', cause_found: 'x', actions: 'y' })).statusCode).toBe(403);
    expect(f.incidents.items[0]!.acknowledged_by).toBeNull();
    expect(f.incidents.steps(1)).toEqual([]);
  });
  it('a reviewer reads the runbook but gets no forms; posting anyway is 403', async () => {
    const { cookie, csrf } = await webLogin('reviewer', 'reviewer-pass-1');
    const page = (await get('/incidents/1', cookie, { 'accept-language': 'en' })).body;
    expect(page).toContain('Your role can only read.');
    expect(page).not.toContain('action="/incidents/1/ack"');
    expect(page).not.toContain('action="/incidents/1/steps"');
    expect(page).toContain('Call the key holder at the site');
    expect((await post('/incidents/1/ack', cookie, { _csrf: csrf })).statusCode).toBe(403);
  });
  it('bad form values are 400 pages naming the field', async () => {
    const { cookie, csrf } = await webLogin('op', 'op-pass-123');
    const r = await post('/incidents/1/steps', cookie, { _csrf: csrf, done: 'one' });
    expect(r.statusCode).toBe(400);
    expect(r.body).toContain('Các bước đã làm: “one” không phải một bước của danh sách này (từ 1 đến 10).');
    expect((await post('/incidents/1/steps', cookie, { _csrf: csrf, done: '11' })).statusCode).toBe(400);
    const extra = await post('/incidents/1/steps', cookie, { _csrf: csrf, done: '1', extra: 'x' });
    expect(extra.statusCode).toBe(400);
    expect(extra.body).toContain('extra');
    const noCause = await post('/incidents/1/outcome', cookie, { _csrf: csrf, cause_found: '  ', actions: 'thay nguồn' });
    expect(noCause.statusCode).toBe(400);
    expect(noCause.body).toContain('cause_found');
    expect(f.incidents.steps(1)).toEqual([]);
    expect(f.incidents.outcome(1)).toBeNull();
  });
});

describe('maintenance page', () => {
  it('an operator creates a window in local time and deletes it; a trainee sees no form', async () => {
    const { cookie, csrf } = await webLogin('op', 'op-pass-123');
    const page = (await get('/maintenance', cookie)).body;
    expect(page).toContain('planned power cut (EVN)');
    expect(page).not.toContain('fibre works'); // Huyện Hai: outside op's scope
    const c = await post('/maintenance', cookie, { _csrf: csrf, sites: 'a2, a3', communes: '', groups: '', start: '2026-11-21T08:00', end: '2026-11-21T11:30', reason: 'Thay ắc quy' });
    expect(c.statusCode).toBe(303);
    const w = f.incidents.win.find((x) => x.reason === 'Thay ắc quy')!;
    expect(w).toMatchObject({ sites: ['a2', 'a3'], communes: [], start: Date.UTC(2026, 10, 21, 1, 0), end: Date.UTC(2026, 10, 21, 4, 30), created_by: 'op' });
    expect((await get('/maintenance', cookie)).body).toContain('21/11/2026 08:00');
    expect((await post(`/maintenance/${w.id}/delete`, cookie, { _csrf: csrf })).statusCode).toBe(303);
    expect(f.incidents.win.find((x) => x.id === w.id)).toBeUndefined();

    const t = await webLogin('trainee', 'trainee-pass-1');
    expect((await get('/maintenance', t.cookie)).body).not.toContain('action="/maintenance"');
  });
  it('bad dates and out-of-scope targets are refused', async () => {
    const { cookie, csrf } = await webLogin('op', 'op-pass-123');
    const base = { _csrf: csrf, sites: 'a2', start: '2026-11-21T08:00', end: '2026-11-21T09:00', reason: 'x' };
    const bad = await post('/maintenance', cookie, { ...base, start: '21/11/2026' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('start');
    expect((await post('/maintenance', cookie, { ...base, sites: 'c1' })).statusCode).toBe(404);
    expect((await post('/maintenance', cookie, { ...base, end: '2026-11-21T07:00' })).statusCode).toBe(400);
  });
});

describe('coverage page', () => {
  it('renders the report as a table and inline SVG bars, over my scope', async () => {
    const { cookie } = await webLogin('reviewer', 'reviewer-pass-1');
    f.coverageCalls.length = 0;
    const r = await get('/coverage?from=2026-11-01&to=2026-11-15&group_by=commune', cookie);
    expect(r.statusCode).toBe(200);
    expect(f.coverageCalls[0]).toEqual({ from: Date.UTC(2026, 9, 31, 17), to: Date.UTC(2026, 10, 15, 17), group_by: 'commune', sites: ['a1', 'a2', 'a3', 'b1', 'b2'] });
    expect(r.body).toContain('<svg');
    expect(r.body).toContain('91.5%');
    expect(r.body).toMatch(/<th>phút mất kết nối<\/th>/);
    expect(r.body).toContain('<td>có nguy cơ</td>');
    expect(r.body).toContain('<td>mất điện</td>');
  });
  it('is fully Vietnamese in vi, and English in en', async () => {
    const { cookie } = await webLogin('reviewer', 'reviewer-pass-1');
    const vi = await get('/coverage?from=2026-11-01&to=2026-11-15&group_by=commune', cookie, { 'accept-language': 'vi' });
    const text = vi.body.replace(/<style[\s\S]*?<\/style>/g, ' ').replace(/<[^>]+>/g, ' ');
    expect(englishWordsIn(text)).toEqual([]);
    expect(text).toContain('tổng hợp 1 giờ');
    const en = await get('/coverage?from=2026-11-01&to=2026-11-15&group_by=commune', cookie, { 'accept-language': 'en' });
    expect(en.body).toContain('<th>downtime min</th>');
  });
  it('defaults to the last 30 days; a bad date is 400; the store down gives a banner, not a crash', async () => {
    const { cookie } = await webLogin('admin', 'admin-pass-1');
    const d = await get('/coverage', cookie);
    expect(d.statusCode).toBe(200);
    expect(d.body).toContain('value="2026-10-21"');
    expect((await get('/coverage?from=2026-13-01', cookie)).statusCode).toBe(400);
    f.history.down = true;
    const down = await get('/coverage', cookie);
    expect(down.statusCode).toBe(200);
    expect(down.body).toContain('class="banner"');
  });
});

describe('every page', () => {
  it('never carried a secret, a password hash or a token', () => {
    const all = pages.join('\n');
    expect(pages.length).toBeGreaterThan(40);
    for (const s of SECRETS) expect(all).not.toContain(s);
    expect(all).not.toMatch(/scrypt\$/);
    for (const t of Object.values(f.tokens)) expect(all).not.toContain(t);
    expect(NOW).toBeGreaterThan(0);
  });
});
