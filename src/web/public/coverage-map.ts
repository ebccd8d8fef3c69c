/**
 * The province map on the reviewer's coverage page: communes coloured by the report's classes,
 * each linked to the same period's report of that commune (per site).
 */
import type { Lang, Site } from '../../config/schema.js';
import type { CoverageReport } from '../../api/deps.js';
import { coverageMap, MAP_CLASSES, type MapClass } from '../../reports/map.js';
import { escapeHtml } from '../html.js';
import { classLabel, pt } from './i18n.js';
import type { Db } from '../../store/sqlite.js';
import { BudgetStore, monthOf } from '../../alerting/budget.js';
import { communeKey } from '../../inventory/places.js';
import { budgetSection } from '../../reports/scheduled/content.js';

export function coveragePageMap(report: CoverageReport, sites: readonly Site[], lang: Lang, q: { from: string; to: string }): string | null {
  if (!report.map?.length) return null;
  const m = coverageMap({ sites: report.map }, sites, {
    title: pt(lang, 'map'),
    legend: Object.fromEntries(MAP_CLASSES.map((c) => [c, classLabel(lang, c)])) as Record<MapClass, string>,
    href: (province, commune) => `/coverage?${new URLSearchParams({ from: q.from, to: q.to, group_by: 'site', province, commune })}`,
  });
  if (!m) return null;
  return `<h2>${escapeHtml(pt(lang, 'map'))}</h2>${m.svg}${m.unplaced.length ? `<p class="muted">${escapeHtml(pt(lang, 'not_on_map', { names: m.unplaced.join(', ') }))}</p>` : ''}`;
}

/** The SMS/Zalo spending of the report's months for the communes in it (nothing when none was spent). */
export function coverageSpending(report: CoverageReport, sites: readonly Site[], lang: Lang, db: Db, opts: { tz: string; budget: number }): string {
  if (!report.map?.length) return '';
  const inReport = new Set(report.map.map((m) => m.site));
  const keys = new Set(sites.filter((s) => inReport.has(s.id)).map((s) => communeKey(s)));
  const months = new Set<string>();
  for (let t = report.from; t < report.to; t += 86_400_000) months.add(monthOf(t, opts.tz));
  const store = new BudgetStore(db);
  const rows = [...months].flatMap((m) => store.monthReport(m).filter((r) => keys.has(r.commune)).map((r) => ({ ...r, commune: `${r.commune.split('/').pop()} (${m})` })));
  return rows.length ? budgetSection(lang, rows, opts.budget).html : '';
}
