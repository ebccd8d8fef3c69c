/**
 * A notice's signed link (`/s/<token>`) through app.inject(): it opens THAT incident's runbook
 * page without signing in, acknowledges, ticks steps and records the outcome (audited as done
 * through the link), also after recovery within the grace period; it opens nothing else (another
 * incident, a page, the API), and an expired, forged or revoked link opens nothing at all.
 * Also: the plain links for a signed-in user, and the board's "problems only" filter.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { makeFixture, NOW, type Fixture } from './fixtures.js';
import { hidden, incidentToken, postForm, webLogin as login } from './web-kit.js';

let f: Fixture;
const DAY = 86_400_000;

const token = (id: number, expiresAt?: number, secret?: string) => incidentToken(f, id, expiresAt, secret);
async function get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return f.app.inject({ url, headers });
}
const post = (url: string, form: Record<string, string | string[]>, headers: Record<string, string> = {}) => postForm(f.app, url, form, headers);
const webLogin = (name: string, password: string) => login(f.app, name, password);

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

describe('a signed link opens one incident without signing in', () => {
  it('the runbook page: facts filled in, forms posting to the link, no JavaScript, under 50 KB, in Vietnamese', async () => {
    const t = token(1);
    const r = await get(`/s/${t}`);
    expect(r.statusCode).toBe(200);
    expect(r.headers['referrer-policy']).toBe('no-referrer');
    const b = r.body;
    expect(Buffer.byteLength(b)).toBeLessThan(50_000);
    expect(b).not.toMatch(/<script|javascript:|\son[a-z]+=/i);
    expect(b).toContain('<html lang="vi">');
    expect(b).toContain('#1 Điểm Wi-Fi mất kết nối');
    expect(b).toContain('<strong>Nhà văn hóa thôn 1</strong>');
    expect(b).toContain('<dt>Nguyên nhân (ước đoán)</dt><dd>chưa rõ</dd>');
    expect(b).toContain('<dt>Từ lúc</dt><dd>20/11/2026 08:00</dd>');
    expect(b).toContain('Mở từ liên kết trong cảnh báo: chỉ dùng cho sự cố này, đến 27/11/2026 10:00');
    for (const form of ['ack', 'steps', 'outcome']) expect(b).toContain(`action="/s/${t}/${form}"`);
    expect((b.match(/type="checkbox" name="done"/g) ?? []).length).toBe(10);
    expect(b).not.toContain('name="_csrf"');
    expect(b).not.toContain('href="/board"'.replace('/board', '/incidents')); // no navigation for a visitor
    expect(b).not.toContain('action="/logout"');
  });

  it('acknowledge, two steps and an outcome through the link: recorded and audited as done through the link', async () => {
    const t = token(1);
    const ack = await post(`/s/${t}/ack`, { name: 'Minh', note: 'Đang đến' });
    expect(ack.statusCode).toBe(303);
    expect(ack.headers.location).toBe(`/s/${t}`);
    const nameCookie = ack.cookies.find((c) => c.name === 'pw_link_name')!;
    expect(nameCookie).toMatchObject({ value: 'Minh', path: '/s', httpOnly: true });
    const steps = await post(`/s/${t}/steps`, { done: ['1', '2'], note_2: 'UPS kêu bíp', at: '2' }, { cookie: `pw_link_name=${nameCookie.value}` });
    expect(steps.statusCode).toBe(303);
    expect(steps.headers.location).toBe(`/s/${t}#step-2`);
    const out = await post(`/s/${t}/outcome`, { cause_found: 'Mất điện lưới', actions: 'Bật lại aptomat', parts: '' }, { cookie: `pw_link_name=${nameCookie.value}` });
    expect(out.statusCode).toBe(303);
    expect(out.headers.location).toBe(`/s/${t}#outcome`);

    expect(f.incidents.items[0]).toMatchObject({ acknowledged_by: 'Minh (signed link)', ack_note: 'Đang đến' });
    expect(f.incidents.steps(1).map((s) => [s.step, s.done, s.by, s.note])).toEqual([[1, true, 'Minh (signed link)', null], [2, true, 'Minh (signed link)', 'UPS kêu bíp']]);
    expect(f.incidents.outcome(1)).toMatchObject({ cause_found: 'Mất điện lưới', actions: 'Bật lại aptomat', parts: null, by: 'Minh (signed link)', via: 'link' });
    const audit = f.auth.auditLog(4).items.map((a) => [a.user, a.action, a.target, a.detail]);
    expect(audit).toEqual([
      ['Minh (signed link)', 'incident.outcome', 'incident:1', 'via signed link, incident 1: cause found: Mất điện lưới; done: Bật lại aptomat'],
      ['Minh (signed link)', 'runbook.step_done', 'incident:1', 'via signed link, incident 1: step 2: UPS kêu bíp'],
      ['Minh (signed link)', 'runbook.step_done', 'incident:1', 'via signed link, incident 1: step 1'],
      ['Minh (signed link)', 'incident.acknowledge', 'incident:1', 'via signed link, incident 1: Đang đến'],
    ]);
    const page = (await get(`/s/${t}`, { cookie: `pw_link_name=${nameCookie.value}` })).body;
    expect(page).toContain('Minh (qua liên kết trong cảnh báo) đã nhận lúc 20/11 10:00');
    expect(page).toMatch(/id="step-2"><label><input type="checkbox" name="done" value="2" checked>/);
    expect(page).toContain('<dt>Nguyên nhân tìm thấy</dt><dd>Mất điện lưới</dd>');
    expect(page).toContain('name="name" maxlength="100" autocomplete="name" value="Minh"'); // remembered
    expect(page).not.toContain(`action="/s/${t}/ack"`);
    expect(page).not.toContain('signed link'); // stored language-neutral, shown in the reader's language
  });

  it('a second tap on acknowledge just shows the page again (the first one counts)', async () => {
    const t = token(1);
    expect((await post(`/s/${t}/ack`, { name: 'Minh' })).statusCode).toBe(303);
    const again = await post(`/s/${t}/ack`, { name: 'Lan' });
    expect(again.statusCode).toBe(303);
    expect(again.headers.location).toBe(`/s/${t}`);
    expect(f.incidents.items[0]!.acknowledged_by).toBe('Minh (signed link)');
  });

  it('a GET of the acknowledge or outcome link only opens the form (never acts)', async () => {
    const t = token(1);
    const audited = f.auth.auditLog(1).total;
    for (const what of ['ack', 'outcome']) {
      const r = await get(`/s/${t}/${what}`);
      expect(r.statusCode).toBe(303);
      expect(r.headers.location).toBe(`/s/${t}#${what}`);
    }
    expect(f.incidents.items[0]!.acknowledged_by).toBeNull();
    expect(f.auth.auditLog(1).total).toBe(audited);
  });

  it('after recovery: acknowledge and outcome still work within the grace period, then the record closes', async () => {
    // incident 3 was resolved 28 h before NOW
    const t = token(3, NOW + 10 * DAY);
    const page = (await get(`/s/${t}`)).body;
    expect(page).toContain('Điểm đã hoạt động lại. Bạn vẫn có thể ghi lại việc đã làm đến 26/11/2026 06:00');
    expect((await post(`/s/${t}/ack`, {})).statusCode).toBe(303);
    expect(f.incidents.items[2]!.acknowledged_by).toBe('signed link');
    expect((await post(`/s/${t}/outcome`, { cause_found: 'Cáp quang bị chuột cắn', actions: 'Gọi nhà mạng, thay đoạn cáp', parts: 'Dây nhảy quang 5 m' })).statusCode).toBe(303);
    expect(f.incidents.outcome(3)).toMatchObject({ parts: 'Dây nhảy quang 5 m', by: 'signed link' });

    f.clock.set(NOW - 28 * 3_600_000 + 7 * DAY + 1000); // just past resolved + 7 days
    const late = await post(`/s/${t}/outcome`, { cause_found: 'x', actions: 'y' });
    expect(late.statusCode).toBe(409);
    expect(late.body).toContain('Sự cố đã khôi phục quá thời hạn ghi nhận'); // said in the reader's language
    expect(late.body).toContain(`href="/s/${t}"`);
    expect((await post(`/s/${t}/steps`, { done: '1' })).statusCode).toBe(409);
    const closed = (await get(`/s/${t}`)).body;
    expect(closed).toContain('Sự cố đã khôi phục quá thời hạn ghi nhận');
    expect(closed).not.toContain('<form method="post" action="/s/');
    expect(closed).toContain('Cáp quang bị chuột cắn'); // the outcome stays visible
    expect(f.incidents.outcome(3)!.cause_found).toBe('Cáp quang bị chuột cắn');
  });

  it('opens nothing else: not another incident, not a page, not the API', async () => {
    const t = token(1);
    const [id, exp, sig] = t.split('.');
    // the same signature on another incident (2 is even outside the trainee's commune)
    for (const other of [`2.${exp}.${sig}`, `3.${exp}.${sig}`]) {
      const r = await get(`/s/${other}`);
      expect(r.statusCode).toBe(404);
      expect(r.body).toContain('Liên kết không hợp lệ hoặc đã bị thu hồi');
      expect((await post(`/s/${other}/ack`, {})).statusCode).toBe(404);
    }
    expect(id).toBe('1');
    // the token as a credential anywhere else
    for (const url of ['/board', '/incidents', '/incidents/1', '/incidents/2', `/incidents/2?t=${t}`, '/coverage', '/maintenance']) {
      const r = await get(url, { cookie: `pw_session=${t}` });
      expect(r.statusCode, url).toBe(303);
      expect(r.headers.location, url).toMatch(/^\/login/);
    }
    for (const url of ['/api/v1/incidents', '/api/v1/incidents/1', '/api/v1/sites']) {
      expect((await get(url, { authorization: `Bearer ${t}` })).statusCode, url).toBe(401);
    }
    expect((await post('/incidents/1/ack', { note: 'x' }, { cookie: `pw_session=${t}` })).statusCode).toBe(400); // no _csrf, no session
    expect((await post(`/incidents/1/ack`, { _csrf: 'x', note: 'x' }, { cookie: `pw_session=${t}` })).statusCode).toBe(303); // → login
    expect((await get(`/s/${t}/steps`)).statusCode).toBe(404); // no other route under the link
    expect(f.incidents.items.every((i) => i.acknowledged_by === null)).toBe(true);
  });

  const refused: Array<{ name: string; url: () => string; status: number; text: string }> = [
    { name: 'expired', url: () => `/s/${token(1, NOW - 1000)}`, status: 410, text: 'Liên kết đã hết hạn' },
    { name: 'signed with another secret', url: () => `/s/${token(1, NOW + DAY, 'another-secret-0123456789abcdef0123')}`, status: 404, text: 'Liên kết không hợp lệ' },
    { name: 'tampered expiry', url: () => `/s/${token(1).replace(/\.[0-9a-z]+\./, '.zzzzzz.')}`, status: 404, text: 'Liên kết không hợp lệ' },
    { name: 'garbage', url: () => '/s/%3Cscript%3E', status: 404, text: 'Liên kết không hợp lệ' },
    { name: 'too long', url: () => `/s/${'1'.repeat(300)}`, status: 414, text: '' },
  ];
  it.each(refused)('$name: $status, and nothing is shown or changed', async ({ url, status, text }) => {
    const r = await get(url());
    expect(r.statusCode).toBe(status);
    expect(r.body).toContain(text);
    expect(r.body).not.toContain('Nhà văn hóa thôn 1');
    expect(r.body).not.toContain('<script>');
    const p = await post(`${url()}/ack`, { note: 'x' });
    expect(p.statusCode).toBe(status);
    expect(f.incidents.items[0]!.acknowledged_by).toBeNull();
  });

  it('revoked when the incident is deleted', async () => {
    const t = token(1);
    expect((await get(`/s/${t}`)).statusCode).toBe(200);
    f.incidents.items = f.incidents.items.filter((i) => i.id !== 1);
    const r = await get(`/s/${t}`);
    expect(r.statusCode).toBe(404);
    expect(r.body).toContain('Liên kết không hợp lệ hoặc đã bị thu hồi');
  });

  it('bad form input through the link is a 400 naming the field; nothing is written', async () => {
    const t = token(1);
    const noActions = await post(`/s/${t}/outcome`, { cause_found: 'x', actions: '   ' });
    expect(noActions.statusCode).toBe(400);
    expect(noActions.body).toContain('actions');
    const extra = await post(`/s/${t}/ack`, { note: 'x', by: 'admin' });
    expect(extra.statusCode).toBe(400);
    expect(extra.body).toContain('by');
    const longName = await post(`/s/${t}/ack`, { name: 'x'.repeat(101) });
    expect(longName.statusCode).toBe(400);
    expect(longName.body).toContain('name');
    expect((await post(`/s/${t}/steps`, { done: '42' })).statusCode).toBe(400);
    expect(f.incidents.items[0]!.acknowledged_by).toBeNull();
    expect(f.incidents.steps(1)).toEqual([]);
    expect(f.incidents.outcome(1)).toBeNull();
  });
});

describe('the plain links for a signed-in user of the commune', () => {
  it('open the same page; acknowledge / outcome links open the forms; the outcome is recorded with CSRF', async () => {
    const { cookie, csrf } = await webLogin('trainee', 'trainee-pass-1');
    expect((await get('/incidents/1/ack', { cookie })).headers.location).toBe('/incidents/1#ack');
    expect((await get('/incidents/1/outcome', { cookie })).headers.location).toBe('/incidents/1#outcome');
    const page = (await get('/incidents/1', { cookie })).body;
    for (const form of ['ack', 'steps', 'outcome']) expect(page).toContain(`action="/incidents/1/${form}"`);
    const o = await post('/incidents/3/outcome', { _csrf: csrf, cause_found: 'Nhiễu sóng 4G', actions: 'Dời ăng-ten' }, { cookie });
    expect(o.statusCode).toBe(404); // incident 3 is in another commune (Xã Bình)
    const ok = await post('/incidents/1/outcome', { _csrf: csrf, cause_found: 'Mất điện', actions: 'Chờ có điện' }, { cookie });
    expect(ok.statusCode).toBe(303);
    expect(f.incidents.outcome(1)).toMatchObject({ by: 'trainee', via: 'session' });
    expect(f.auth.auditLog(1).items[0]).toMatchObject({ user: 'trainee', action: 'incident.outcome', detail: 'cause found: Mất điện; done: Chờ có điện' });
    expect((await get('/incidents/1', { cookie })).body).toContain('<dt>Đã làm gì</dt><dd>Chờ có điện</dd>');
    // and in the coverage report's incident list
    const cov = (await get('/coverage', { cookie })).body;
    expect(cov).toMatch(/<tr id="incident-1"><td><a href="\/incidents\/1">#1<\/a><\/td>[\s\S]*?<strong>Mất điện<\/strong><br>Chờ có điện<br><span class="muted">trainee<\/span>/);
  });
  it('a user outside the commune gets 404 with the plain link; the reviewer reads without forms', async () => {
    const other = await webLogin('op2', 'op2-pass-123');
    expect((await get('/incidents/1', { cookie: other.cookie })).statusCode).toBe(404);
    const rev = await webLogin('reviewer', 'reviewer-pass-1');
    const page = (await get('/incidents/1', { cookie: rev.cookie })).body;
    expect(page).not.toContain('action="/incidents/1/outcome"');
    expect((await post('/incidents/1/outcome', { _csrf: rev.csrf, cause_found: 'x', actions: 'y' }, { cookie: rev.cookie })).statusCode).toBe(403);
    expect((await post('/incidents/1/steps', { _csrf: rev.csrf, done: '1' }, { cookie: rev.cookie })).statusCode).toBe(403);
    expect((await post('/incidents/1/steps', { _csrf: rev.csrf }, { cookie: rev.cookie })).statusCode).toBe(403); // even an empty form
  });
  it('old notices\' /runbooks/<lang>/<kind> links open the runbook for a signed-in user', async () => {
    const { cookie } = await webLogin('trainee', 'trainee-pass-1');
    const r = await get('/runbooks/vi/site-down', { cookie });
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('Hướng dẫn chung');
    expect((await get('/runbooks/vi/site-down')).headers.location).toBe('/login?next=%2Frunbooks%2Fvi%2Fsite-down');
    expect((await get('/runbooks/vi/nope', { cookie })).statusCode).toBe(404);
  });
});

describe('the board on a phone: problems first, healthy sites hidden on demand', () => {
  it('?show=problems hides UP and maintenance sites and says how many; the link goes back', async () => {
    const { cookie } = await webLogin('admin', 'admin-pass-1');
    const all = (await get('/board', { cookie })).body;
    expect(all).toContain('href="/board?show=problems">Chỉ xem điểm có sự cố</a>');
    expect(all).toContain('Điểm thông tin xã An'); // a2 is UP
    const names = (b: string) => [...b.matchAll(/class="name" href="\/sites\/([a-z0-9]+)"/g)].map((m) => m[1]);
    expect(names(all)[0]).toMatch(/^(a1|c1)$/); // worst first
    const problems = (await get('/board?show=problems', { cookie })).body;
    expect(names(problems).sort()).toEqual(['a1', 'a3', 'c1', 'c2']);
    expect(problems).toContain('Đã ẩn 3 điểm đang hoạt động hoặc đang bảo trì theo lịch.');
    expect(problems).toContain('href="/board">Xem tất cả các điểm</a>');
    expect(problems).not.toMatch(/<script/);
    expect((await get('/board?show=everything', { cookie })).statusCode).toBe(400);
  });
});
