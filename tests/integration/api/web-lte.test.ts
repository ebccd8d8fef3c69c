/**
 * The site page's 4G section on a REAL influxd (push reports with LTE figures written by the
 * real writer, read back by the real reader): the last reading with its quality in one word
 * (the weak-signal alert's thresholds), the figures, the network, the data package and the data
 * used, RSRP and SINR charts over 24 hours and 7 days with the weak line; Vietnamese with no
 * English word, and English for an English reader. The API serves the same series.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { englishWordsIn } from '../../../src/core/english-words.js';
import { bearer, NOW } from './fixtures.js';
import { DAY, REPORTS_7D, startLteFixture, type LteFixture } from './lte-fixture.js';

let x: LteFixture;

beforeAll(async () => {
  x = await startLteFixture();
});
afterAll(async () => {
  await x?.close();
});

async function session(name: string, password: string) {
  const r = await x.f.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: name, password } });
  return `pw_session=${r.cookies.find((c) => c.name === 'pw_session')!.value}`;
}
const visible = (html: string) => html.replace(/<style[\s\S]*?<\/style>/g, ' ').replace(/<title>[\s\S]*?<\/title>/g, ' ').replace(/<[^>]+>/g, ' ');
const lteSection = (html: string) => /<section id="lte">[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';

describe('the site page shows the 4G figures', () => {
  it('in Vietnamese: the last reading in one word, its figures, the package, the data used, four charts; no English', async () => {
    const cookie = await session('op', 'op-pass-123');
    const r = await x.f.app.inject({ url: '/sites/a2', headers: { cookie, 'accept-language': 'vi' } });
    expect(r.statusCode).toBe(200);
    const sec = lteSection(r.body);
    expect(sec).not.toBe('');
    const text = visible(sec).replace(/\s+/g, ' ');
    expect(text).toContain('Sóng di động (4G)');
    // RSRP −98 and RSRQ −11.5 are above the weak limits (−110, −15) but under "good" (−90, −10): fair
    expect(text).toContain('Chất lượng sóng Sóng trung bình đo lúc 20/11 09:55');
    expect(text).toContain('RSRP (dBm) -98');
    expect(text).toContain('RSRQ (dB) -11,5');
    expect(text).toContain('SINR (dB) 7');
    expect(sec).toContain('<dt title="Cường độ tín hiệu RSRP (dBm)">RSRP (dBm)</dt>');
    expect(text).toContain('Nhà mạng Viettel · Băng tần B3');
    expect(text).toContain('Mã trạm phát (cell) 1715004 (eNB 6699)');
    expect(text).toContain('Gói cước 4G đã hết dung lượng (thiết bị báo lúc 20/11 09:55)');
    expect(text).toContain('Dữ liệu di động đã dùng 432 MB trong 24 giờ qua · 3 GB trong 7 ngày qua');
    expect(text).toContain('Sóng yếu: dưới các ngưỡng gây cảnh báo sóng 4G yếu (RSRP -110 dBm, RSRQ -15 dB, SINR 0 dB).');
    // RSRP and SINR over 24 h and 7 d, each with its weak line, each drawn
    const charts = sec.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
    expect(charts).toHaveLength(4);
    for (const c of charts) expect(c).toMatch(/<path d="M[^"]{200,}"/);
    expect(charts.filter((c) => c.includes('>yếu dưới -110<'))).toHaveLength(2);
    expect(charts.filter((c) => c.includes('>yếu dưới 0<'))).toHaveLength(2);
    expect(englishWordsIn(visible(r.body))).toEqual([]);
    // a weak link: the whole page with its eight charts stays small (and goes compressed)
    expect(Buffer.byteLength(r.body)).toBeLessThan(60_000);
  });

  it('in English for an English reader', async () => {
    const cookie = await session('op', 'op-pass-123');
    const r = await x.f.app.inject({ url: '/sites/a2', headers: { cookie, 'accept-language': 'en' } });
    const text = visible(lteSection(r.body)).replace(/\s+/g, ' ');
    expect(text).toContain('Signal Fair signal measured 20/11 09:55');
    expect(text).toContain('RSRQ (dB) -11.5');
    expect(text).toContain('4G data package used up (as reported 20/11 09:55)');
    expect(text).toContain('432 MB in the last 24 hours · 3 GB in the last 7 days');
  });

  it('a site with no 4G figure and no push report has no 4G section', async () => {
    const cookie = await session('op', 'op-pass-123');
    const r = await x.f.app.inject({ url: '/sites/a3', headers: { cookie } });
    expect(r.statusCode).toBe(200);
    expect(r.body).not.toContain('id="lte"');
  });

  it('the API serves the lte and push series the page drew (raw over 24 h, 5-minute means over 7 days)', async () => {
    const h = bearer(x.f.tokens.op!);
    const day = (await x.f.app.inject({ url: `/api/v1/sites/a2/history?what=lte&from=${NOW - DAY}&to=${NOW}`, headers: h })).json() as { points: Array<{ t: number; values: Record<string, unknown> }> };
    expect(day.points).toHaveLength(288);
    expect(day.points.at(-1)).toEqual({ t: NOW - 5 * 60_000, values: { rsrp_dbm: -98, rsrq_db: -11.5, sinr_db: 7, rssi_dbm: -70, cell_id: 1715004, enb_id: 6699, operator: 'Viettel', band: 'B3' } });
    const week = (await x.f.app.inject({ url: `/api/v1/sites/a2/history?what=lte&from=${NOW - 7 * DAY}&to=${NOW}`, headers: h })).json() as { points: unknown[] };
    expect(week.points).toHaveLength(REPORTS_7D);
    const push = (await x.f.app.inject({ url: `/api/v1/sites/a2/history?what=push&from=${NOW - DAY}&to=${NOW}`, headers: h })).json() as { points: Array<{ values: Record<string, unknown> }> };
    expect(push.points).toHaveLength(288);
    expect(push.points.at(-1)!.values).toEqual({ received: 1, late_s: 0.4, data_used_bytes: 1.5e6, quota_exhausted: 1 });
  });
});
