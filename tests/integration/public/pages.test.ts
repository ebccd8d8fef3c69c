/**
 * The public status pages through app.inject() on the EXAMPLE configuration (real contacts,
 * hosts, communities and notifier secrets in it): every public route in both languages is
 * scanned for anything from the config that must stay private and for anything that looks like
 * an address, a phone number or an e-mail; size, no script, the words of the page's language,
 * what the page shows, and the render-once cache (ETag, 304, bounded renders).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import type { Inventory, Settings } from '../../../src/config/schema.js';
import { publicStatsFor } from '../../../src/web/public/routes.js';
import { slug } from '../../../src/web/public/model.js';
import { responseContractProblems } from '../../../src/api/route-contract.js';
import type { Fixture } from '../api/fixtures.js';
import { publicFixture } from './fixture.js';
let f: Fixture;
let inventory: Inventory;
let settings: Settings;
const responses: Array<{ url: string; text: string }> = [];

/** Every string in the configuration that must never be public. */
function privateNeedles(s: Settings, inv: Inventory): string[] {
  const out = new Set<string>();
  const secretKey = /secret|password|token|key|community|auth_value|^host$|^url$|chat_id|^to$|^from$/;
  const walk = (v: unknown, k = '') => {
    if (typeof v === 'string' && secretKey.test(k) && v.length >= 4) out.add(v);
    else if (Array.isArray(v)) v.forEach((x) => walk(x, k));
    else if (v && typeof v === 'object') for (const [kk, vv] of Object.entries(v)) walk(vv, kk);
  };
  walk(s);
  for (const site of inv.sites) {
    if (site.host) out.add(site.host);
    if (site.snmp) walk(site.snmp);
  }
  const contacts = [...inv.sites.flatMap((x) => x.contacts), ...inv.areas.flatMap((a) => a.contacts)];
  for (const c of contacts) {
    for (const v of [c.phone, c.zalo, c.email, c.telegram_chat_id]) if (v) out.add(v);
    if (c.phone) out.add(c.phone.replace(/\D/g, ''));
  }
  out.add(f.deps.sessionSecret);
  return [...out].filter((x) => x.length >= 4);
}

const PATTERNS: Array<[string, RegExp]> = [
  ['IPv4 address', /\b(?:\d{1,3}\.){3}\d{1,3}\b/],
  ['e-mail address', /[\w.+-]+@[\w-]+\.[\w.-]+/],
  ['phone number', /(?:\+?84|\b0)(?:[ .-]?\d){8,10}\b/],
  ['tel: link', /href="tel:/],
  ['mailto: link', /mailto:/],
];

async function get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  const r = await f.app.inject({ url, headers });
  responses.push({ url, text: `${JSON.stringify(r.headers)}\n${r.body}` });
  return r;
}

beforeAll(async () => {
  ({ f, inventory } = await publicFixture());
  settings = f.deps.settings;
});
afterAll(async () => f?.close());

function publicUrls(): string[] {
  const urls = ['/public', '/public/lao-cai'];
  for (const c of new Set(inventory.sites.filter((s) => s.province === 'Lào Cai').map((s) => s.commune))) urls.push(`/public/lao-cai/${slug(c)}`);
  return urls;
}

describe('public status pages', () => {
  it('every page answers in both languages: server-rendered, no script, under 50 KB, in the asked language', async () => {
    const urls = publicUrls();
    expect(urls.length).toBeGreaterThan(8);
    for (const url of urls) {
      for (const lang of ['vi', 'en'] as const) {
        const r = await get(`${url}?lang=${lang}`);
        expect(r.statusCode, url).toBe(200);
        expect(r.headers['content-type']).toMatch(/text\/html/);
        expect(r.body).toContain(`<html lang="${lang}">`);
        expect(r.body).not.toMatch(/<script|<link |<img |https?:\/\/(?!www\.w3\.org)/i);
        expect(Buffer.byteLength(r.body), `${url} ${lang}`).toBeLessThan(50 * 1024);
        expect(r.headers['set-cookie']).toBeUndefined();
        if (lang === 'vi') {
          // English words of the page's own vocabulary must not leak into the Vietnamese page
          for (const w of ['since', 'Last 30 days', 'available', 'Power cut', 'Maintenance', 'points working', 'Updated', 'no data', ' d ', ' min)']) expect(r.body, `${url}: "${w}"`).not.toContain(w);
        } else {
          for (const w of ['từ ', 'ngày qua', 'hoạt động ', 'Cắt điện</td>', 'Bảo trì', 'Cập nhật']) expect(r.body, `${url}: "${w}"`).not.toContain(w);
        }
      }
    }
  });

  it('the commune page shows each point, its state and since when, its 30-day bar, and what is planned ahead', async () => {
    const r = await get('/public/lao-cai/ta-van?lang=vi');
    const sites = inventory.sites.filter((s) => s.commune === 'Tả Van');
    for (const s of sites) expect(r.body).toContain(s.name.replace(/&/g, '&amp;'));
    expect((r.body.match(/<svg class="bar"/g) ?? []).length).toBe(sites.length);
    expect(r.body).toContain('Mất kết nối'); // a DOWN point in vi
    expect(r.body).toMatch(/từ \d\d\/\d\d \d\d:\d\d \(\d+ (ngày|giờ)/);
    expect(r.body).toContain('Cắt điện');
    expect(r.body).toContain('Cắt điện lưới theo lịch EVN, hỏi … hoặc …'); // phone and e-mail cut out of the reason
    expect(r.body).toContain('Thay bộ định tuyến …');
    expect(r.body).not.toContain('far ahead'); // 30 days away: past the 7 days shown
    expect(r.body).toMatch(/hoạt động \d+\.\d%/);
  });

  it('the province page has the map: one linked dot per commune to its public page, coloured by class', async () => {
    const r = await get('/public/lao-cai?lang=en');
    const communes = [...new Set(inventory.sites.filter((s) => s.province === 'Lào Cai').map((s) => s.commune))];
    const links = [...r.body.matchAll(/<a href="(\/public\/lao-cai\/[a-z0-9-]+)\?lang=en"><title>/g)].map((m) => m[1]);
    expect(new Set(links).size).toBe(communes.length);
    for (const c of communes) expect(links).toContain(`/public/lao-cai/${slug(c)}`);
    const dot = (c: string) => new RegExp(`lao-cai/${slug(c)}\\?lang=en"><title>[^<]*</title><circle [^>]*fill="([^"]+)"`).exec(r.body)?.[1];
    expect(dot('Si Ma Cai')).toBe('#c62828'); // dropped off
    expect(dot('Bản Hồ')).toBe('#e0a000'); // at risk
    expect(dot('Y Tý')).toBe('#2e7d32'); // live
  });

  it('every public route declares its answer (the API contract check, with public pages on)', () => {
    expect(f.app.pw.routes.filter((r) => r.url.startsWith('/public')).length).toBeGreaterThanOrEqual(3);
    expect(responseContractProblems(f.app.pw.routes)).toEqual([]);
  });

  it('areas that are not public, and unknown ones, answer 404', async () => {
    for (const url of ['/public/ha-giang', '/public/lao-cai/nowhere', '/public/x/y', '/public/lao-cai/ta-van/extra']) {
      const r = await get(url);
      expect(r.statusCode, url).toBe(404);
    }
  });

  it('never shows a host, address, SNMP setting, contact, token or secret: every public response scanned', async () => {
    // 304s and compressed answers are part of "every response": fetch them too (decompressed by inject? no: scan the identity ones)
    for (const url of publicUrls()) for (const lang of ['vi', 'en']) await get(`${url}?lang=${lang}`, { 'accept-encoding': 'identity' });
    const needles = privateNeedles(settings, inventory);
    expect(needles.length).toBeGreaterThan(40);
    let scanned = 0;
    for (const { url, text: raw } of responses) {
      scanned++;
      // the example's v2c community is "public", also this route's name and a Cache-Control word: mask those two uses only
      const text = raw.replace(/(\/|%2F)public\b/g, '/ROUTE').replace(/"cache-control":"public,/g, '"cache-control":"PUB,');
      for (const n of needles) expect(text.includes(n) ? n : null, `${url} contains a private value`).toBeNull();
      for (const [what, re] of PATTERNS) expect(re.exec(text)?.[0] ?? null, `${url}: ${what}`).toBeNull();
    }
    expect(scanned).toBeGreaterThan(40);
    console.log(`public leak scan: ${scanned} responses, ${needles.length} private values and ${PATTERNS.length} patterns, 0 found`);
  });

  it('renders once per page and language per cache_s: ETag, 304, pre-compressed, and a re-render after the TTL', async () => {
    const stats = publicStatsFor(f.deps);
    const url = '/public/lao-cai/y-ty?lang=vi';
    await get(url);
    const before = stats.renders;
    const answers = await Promise.all(Array.from({ length: 200 }, () => f.app.inject({ url, headers: { 'accept-encoding': 'br, gzip' } })));
    expect(stats.renders).toBe(before);
    expect(new Set(answers.map((a) => a.headers.etag)).size).toBe(1);
    expect(answers[0]!.headers['content-encoding']).toBe('br');
    expect(answers[0]!.headers['cache-control']).toBe(`public, max-age=${settings.public.cache_s}`);
    const etag = answers[0]!.headers.etag as string;
    const nm = await get(url, { 'if-none-match': etag });
    expect(nm.statusCode).toBe(304);
    f.clock.advance(settings.public.cache_s * 1000 + 1);
    await get(url);
    expect(stats.renders).toBe(before + 1);
  });
});
