import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { computeCoverage } from '../coverage.js';
import { localDateToUtc } from '../service-hours.js';
import { renderHtml, renderReport } from './index.js';
import { incidentListHtml, renderIncidentsCsv } from './incident-list.js';

const TZ = 'Asia/Ho_Chi_Minh';
const H = 3_600_000;
const FROM = localDateToUtc('2026-03-01', TZ);
const settings = { timezone: TZ, service_hours: { start: '06:00', end: '22:00' }, target_pct: 95, dropped_off_days: 7 };
const sites = [
  { id: 'nvh-a', name: 'Nhà văn hoá <A> & "chợ"', province: 'Lào Cai', district: 'Bát Xát', commune: 'A Mú Sung' },
  { id: 'dtt-b', name: 'Điểm truy cập B', province: 'Lào Cai', district: 'Sa Pa', commune: 'Tả Van' },
];
const report = computeCoverage({
  from: FROM, to: FROM + 24 * H, generatedAt: FROM + 24 * H, settings, sites, buckets: [],
  incidents: [
    { id: 12, site: 'nvh-a', kind: 'site-down', cause: 'power', opened: FROM + 10 * H, resolved: FROM + 14 * H, outcome: { cause_found: 'Mất điện <lưới>', actions: 'Bật lại aptomat', parts: 'Ắc quy UPS', by: 'Minh (signed link)' } },
    { id: 13, site: 'dtt-b', kind: 'site-down', cause: 'link', opened: FROM + 20 * H, resolved: null },
  ],
});

describe('the incident list of the coverage report', () => {
  it('printable HTML: one row per incident with the outcome, escaped, local times', () => {
    const h = incidentListHtml(report);
    expect(h).toContain('<td>12</td><td>Nhà văn hoá &lt;A&gt; &amp; &quot;chợ&quot;<br><span class="muted">A Mú Sung</span></td><td>site-down</td><td>2026-03-01 10:00</td><td>2026-03-01 14:00</td><td>power</td>');
    expect(h).toContain('Mất điện &lt;lưới&gt; — Bật lại aptomat (parts: Ắc quy UPS) · Minh (signed link)');
    expect(h).toContain('<td>open</td><td>link</td><td><span class="muted">no outcome written</span>');
    expect(renderHtml(report, 'site')).toContain('<h2>Incidents and outcomes</h2>');
    expect(incidentListHtml({ ...report, incident_list: [] })).toContain('No incident in the period.');
  });
  it('CSV: BOM, one row per incident, outcome columns', () => {
    const csv = renderIncidentsCsv(report);
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    const rows = parse(csv, { bom: true, columns: true }) as Array<Record<string, string>>;
    expect(rows.map((r) => [r.id, r.site, r.opened, r.resolved, r.cause_found, r.actions, r.parts, r.outcome_by])).toEqual([
      ['12', 'nvh-a', '2026-03-01 10:00', '2026-03-01 14:00', 'Mất điện <lưới>', 'Bật lại aptomat', 'Ắc quy UPS', 'Minh (signed link)'],
      ['13', 'dtt-b', '2026-03-01 20:00', '', '', '', '', ''],
    ]);
    expect(renderReport(report, 'incidents-csv', 'site')).toBe(csv);
  });
});
