/**
 * The province map on the reviewer's coverage page: communes coloured by the report's classes,
 * each linked to the same period's report of that commune (per site).
 */
import type { Lang, Site } from '../../config/schema.js';
import type { CoverageReport } from '../../api/deps.js';
import { coverageMap, MAP_CLASSES, type MapClass } from '../../reports/map.js';
import { escapeHtml } from '../html.js';
import { classLabel, pt } from './i18n.js';

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
