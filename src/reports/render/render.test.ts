import { englishWordsIn } from '../../core/english-words.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { computeCoverage, type StateSpan } from '../coverage.js';
import { localDateToUtc } from '../service-hours.js';
import { renderCsv, renderHtml, renderJson, renderTable, reportTable, toApiReport } from './index.js';
import { displayWidth } from './table.js';
import { dataSources } from './rows.js';

const TZ = 'Asia/Ho_Chi_Minh';
const H = 3_600_000;
const FROM = localDateToUtc('2026-03-01', TZ);
const TO = FROM + 24 * H;

function hourly(site: string, down: (h: number) => boolean): StateSpan[] {
  return Array.from({ length: 24 }, (_, h) => ({
    site, start: FROM + h * H, end: FROM + (h + 1) * H, up: down(h) ? 0 : 120, down: down(h) ? 120 : 0,
    unreachable: 0, unknown: 0, maintenance: 0, checked_s: 3600,
  }));
}

const report = computeCoverage({
  from: FROM, to: TO, generatedAt: TO,
  settings: { timezone: TZ, service_hours: { start: '06:00', end: '22:00' }, target_pct: 95, dropped_off_days: 7 },
  sites: [
    { id: 'ubnd-y-ty', name: 'UBND xã Y Tý', province: 'Lào Cai', group: 'Bát Xát', commune: 'Y Tý' },
    { id: 'nvh-a-mu-sung', name: 'Nhà văn hoá <A Mú Sung> & "chợ"', province: 'Lào Cai', group: 'Bát Xát', commune: 'A Mú Sung' },
    { id: 'dtt-ta-van', name: 'Điểm truy cập Tả Van', province: 'Lào Cai', group: 'Sa Pa', commune: 'Tả Van' },
  ],
  buckets: [...hourly('ubnd-y-ty', () => false), ...hourly('nvh-a-mu-sung', (h) => h >= 10 && h < 14)],
  incidents: [{ site: 'nvh-a-mu-sung', cause: 'power', opened: FROM + 10 * H, resolved: FROM + 14 * H }],
  traffic: new Map([['ubnd-y-ty', { in_bytes: 3.5e9, out_bytes: 0.5e9 }]]),
});

describe('CSV', () => {
  const csv = renderCsv(report, 'site');
  it('starts with a UTF-8 BOM so Excel shows Vietnamese', () => {
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(Buffer.from(csv, 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  });
  it('round-trips: one header and one row per site, Vietnamese intact, UNKNOWN for no data', () => {
    const rows = parse(csv, { bom: true, columns: true }) as Array<Record<string, string>>;
    expect(rows).toHaveLength(3);
    const tv = rows.find((r) => r.site === 'dtt-ta-van')!;
    expect(tv.name).toBe('Điểm truy cập Tả Van');
    expect(tv.commune).toBe('Tả Van');
    expect(tv['availability %']).toBe('UNKNOWN');
    expect(rows.find((r) => r.site === 'nvh-a-mu-sung')!['availability %']).toBe('75.00');
    expect(rows.find((r) => r.site === 'nvh-a-mu-sung')!['main cause']).toBe('power');
    expect(rows.find((r) => r.site === 'ubnd-y-ty')!['GB in']).toBe('3.500');
  });
  it('uses CRLF line ends (Excel on Windows)', () => {
    expect(csv).toContain('\r\n');
  });
  it.each([
    { group: 'commune' as const, rows: 3, first: 'A Mú Sung' },
    { group: 'group' as const, rows: 2, first: 'Bát Xát' },
  ])('grouped by $group', ({ group, rows, first }) => {
    const parsed = parse(renderCsv(report, group), { bom: true, columns: true }) as Array<Record<string, string>>;
    expect(parsed).toHaveLength(rows);
    expect(parsed[0]![group]).toBe(first);
  });
});

describe('HTML in Vietnamese (lang vi)', () => {
  const visible = (h: string) => h.replace(/<style[\s\S]*?<\/style>/g, ' ').replace(/<[^>]+>/g, ' ').replace(/&[a-z#0-9]+;/g, ' ');
  for (const group of ['site', 'commune', 'group'] as const) {
    it(`grouped by ${group}: no English word anywhere a person reads`, () => {
      const html = renderHtml(report, group, { lang: 'vi' });
      expect(html).toContain('<html lang="vi">');
      expect(englishWordsIn(visible(html))).toEqual([]);
      // the same report in English does carry them: the check is not vacuous
      expect(englishWordsIn(visible(renderHtml(report, group))).length).toBeGreaterThan(5);
    });
  }
  it('says CHƯA RÕ for no data, the cause and the class in Vietnamese', () => {
    const html = renderHtml(report, 'site', { lang: 'vi' });
    expect(html).toContain('CHƯA RÕ');
    expect(html).toContain('mất điện');
    expect(html).toContain('Báo cáo độ phủ');
  });
});

describe('HTML', () => {
  const html = renderHtml(report, 'commune');
  it('prints on A4 and carries its charts inline', () => {
    expect(html).toMatch(/@page\s*\{\s*size:\s*A4/);
    expect(html.match(/<svg /g)!.length).toBeGreaterThanOrEqual(2);
    expect(html).toContain('<meta charset="utf-8">');
  });
  it('loads nothing from elsewhere (no scripts, links, images, fonts or imports)', () => {
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(/i);
    expect(html).not.toMatch(/(src|href)=/i);
  });
  it('escapes names', () => {
    expect(html).toContain('Nhà văn hoá &lt;A Mú Sung&gt; &amp; &quot;chợ&quot;');
    expect(html).not.toContain('<A Mú Sung>');
  });
  it('shows UNKNOWN, never 0 or 100, for a commune with no data', () => {
    expect(html).toMatch(/Tả Van<\/text><text[^>]*>UNKNOWN \(no data\)/);
  });
});

describe('table', () => {
  const text = renderTable(report, 'site', { columns: ['site', 'name', 'availability_pct', 'class'] });
  it('aligns columns by display width (diacritics take one column)', () => {
    const lines = text.split('\n');
    const header = lines.findIndex((l) => l.startsWith('site'));
    const body = lines.slice(header + 2).filter(Boolean);
    const col = (l: string) => displayWidth(l.slice(0, l.indexOf(l.includes('UNKNOWN') ? 'UNKNOWN' : /\d+\.\d\d/.exec(l)![0])));
    const starts = body.map(col);
    // numeric column right-aligned: the value ends at the same display column
    const ends = body.map((l) => { const m = /(UNKNOWN|\d+\.\d\d)/.exec(l)!; return displayWidth(l.slice(0, m.index + m[0].length)); });
    expect(new Set(ends).size).toBe(1);
    expect(starts.length).toBe(3);
  });
  it('starts with the summary: coverage figure and classes', () => {
    expect(text).toContain('Communes with at least one point meeting the target: 1 of 3');
    expect(text).toContain('Classes: live 1, at risk 1, dropped off 0, unknown 1');
  });
});

describe('JSON and the API shape', () => {
  it('JSON keeps null for UNKNOWN', () => {
    const j = JSON.parse(renderJson(report, 'site'));
    expect(j.sites.find((s: { site: string }) => s.site === 'dtt-ta-van').availability_pct).toBeNull();
    expect(j.rows).toHaveLength(3);
    expect(j.group_by).toBe('site');
  });
  it('toApiReport gives rows with name and availability_pct', () => {
    const api = toApiReport(report, 'commune');
    expect(api.rows.map((r) => [r.name, r.availability_pct])).toEqual([['A Mú Sung', 75], ['Y Tý', 100], ['Tả Van', null]]);
    expect(api.summary.communes_covered).toBe(1);
    expect(reportTable(report, 'group').rows).toHaveLength(2);
  });
});

describe('dataSources (the "data:" of the summary)', () => {
  const D = 86_400_000;
  it.each([
    { name: 'one resolution', r: { resolution: 'rollup_5m' as const }, want: 'rollup_5m' },
    { name: 'no resolution (given buckets)', r: { resolution: null }, want: 'given buckets' },
    {
      name: 'a year split into daily and hourly pieces: longest first, days when whole',
      r: { resolution: 'rollup_1d' as const, sources: [
        { resolution: 'rollup_1h' as const, from: 0, to: 7 * 3_600_000 },
        { resolution: 'rollup_1d' as const, from: 7 * 3_600_000, to: 7 * 3_600_000 + 363 * D },
        { resolution: 'rollup_1h' as const, from: 7 * 3_600_000 + 363 * D, to: 365 * D - 5 * 3_600_000 },
      ] },
      want: 'rollup_1d 363 d + rollup_1h 43 h',
    },
  ])('$name', ({ r, want }) => {
    expect(dataSources(r)).toBe(want);
  });
});
