/**
 * A self-contained HTML report that prints well on A4: @page CSS, inline SVG charts (availability
 * per commune or group against the target, cause split), no external resources (no fonts,
 * scripts, images or stylesheets from elsewhere).
 */
import type { AreaCoverage, CoverageReport } from '../coverage.js';
import { CAUSES } from '../causes.js';
import type { GroupBy } from '../run.js';
import { reportTable, showCell, summaryLines } from './rows.js';
import type { Lang } from '../../config/schema.js';
import { causeLabel, classLabel, columnLabel, REPORT_TEXT } from './words.js';
import { INCIDENT_LIST_TITLE, incidentListHtml } from './incident-list.js';

export const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

const CAUSE_COLOURS: Record<(typeof CAUSES)[number], string> = { power: '#d97706', link: '#dc2626', unknown: '#6b7280' };
const CLASS_COLOURS = { live: '#16a34a', at_risk: '#f59e0b', dropped_off: '#dc2626', unknown: '#9ca3af' } as const;

/** Horizontal bars: one per area, availability 0-100 %, a dashed line at the target. UNKNOWN drawn as a grey label. */
export function availabilityChart(areas: readonly AreaCoverage[], target: number, title: string, lang: Lang = 'en'): string {
  const rowH = 16, labelW = 170, barW = 420, top = 24, w = labelW + barW + 60;
  const h = top + areas.length * rowH + 24;
  const x = (pct: number) => labelW + (barW * pct) / 100;
  const bars = areas.map((a, i) => {
    const y = top + i * rowH;
    const label = `<text x="${labelW - 6}" y="${y + 11}" text-anchor="end" font-size="10">${esc(a.name)}</text>`;
    if (a.availability_pct === null) {
      return `${label}<text x="${labelW + 4}" y="${y + 11}" font-size="10" fill="#6b7280">${esc(REPORT_TEXT[lang].unknown_no_data)}</text>`;
    }
    const colour = a.availability_pct >= target ? '#16a34a' : a.availability_pct >= target - 10 ? '#f59e0b' : '#dc2626';
    return `${label}<rect x="${labelW}" y="${y + 2}" width="${(barW * a.availability_pct) / 100}" height="${rowH - 4}" fill="${colour}"><title>${esc(a.name)}: ${a.availability_pct.toFixed(2)}%</title></rect>` +
      `<text x="${x(a.availability_pct) + 4}" y="${y + 11}" font-size="9">${a.availability_pct.toFixed(1)}%</text>`;
  }).join('');
  const axis = [0, 25, 50, 75, 100].map((p) => `<line x1="${x(p)}" x2="${x(p)}" y1="${top - 4}" y2="${h - 20}" stroke="#e5e7eb"/><text x="${x(p)}" y="${h - 8}" font-size="9" text-anchor="middle">${p}%</text>`).join('');
  const targetLine = `<line x1="${x(target)}" x2="${x(target)}" y1="${top - 6}" y2="${h - 20}" stroke="#111827" stroke-dasharray="4 3"/><text x="${x(target)}" y="${top - 8}" font-size="9" text-anchor="middle">${esc(REPORT_TEXT[lang].target)} ${target}%</text>`;
  return `<figure><svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${esc(title)}" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="sans-serif">${axis}${bars}${targetLine}</svg><figcaption>${esc(title)}</figcaption></figure>`;
}

/** One stacked bar of downtime minutes by cause, with a legend. */
export function causeChart(causeMin: Record<(typeof CAUSES)[number], number>, title: string, lang: Lang = 'en'): string {
  const words = REPORT_TEXT[lang];
  const total = CAUSES.reduce((t, c) => t + causeMin[c], 0);
  const w = 600, barW = 560, h = 60;
  if (total <= 0) return `<figure><p class="muted">${esc(words.no_incident_period)}</p><figcaption>${esc(title)}</figcaption></figure>`;
  let x = 20;
  const parts = CAUSES.map((c) => {
    const bw = (barW * causeMin[c]) / total;
    const r = `<rect x="${x}" y="8" width="${bw}" height="20" fill="${CAUSE_COLOURS[c]}"><title>${esc(causeLabel(lang, c))}: ${causeMin[c].toFixed(0)} ${words.min}</title></rect>`;
    x += bw;
    return r;
  }).join('');
  const legend = CAUSES.map((c, i) => `<rect x="${20 + i * 180}" y="38" width="10" height="10" fill="${CAUSE_COLOURS[c]}"/><text x="${34 + i * 180}" y="47" font-size="10">${esc(causeLabel(lang, c))}: ${causeMin[c].toFixed(0)} ${words.min} (${((100 * causeMin[c]) / total).toFixed(0)}%)</text>`).join('');
  return `<figure><svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${esc(title)}" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="sans-serif">${parts}${legend}</svg><figcaption>${esc(title)}</figcaption></figure>`;
}

/** Columns left out of the printed table (they are in the CSV/JSON). */
const HTML_DROPPED = new Set(['province', 'group', 'no_data_min', 'power_min', 'link_min', 'unknown_cause_min', 'traffic_gb_in', 'traffic_gb_out', 'sites_known']);

const CSS = `
@page { size: A4 portrait; margin: 14mm 12mm; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans", "DejaVu Sans", Arial, sans-serif; font-size: 10pt; color: #111827; margin: 0; }
h1 { font-size: 15pt; margin: 0 0 4pt; } h2 { font-size: 12pt; margin: 14pt 0 6pt; break-after: avoid; }
.muted { color: #6b7280; }
.stats { display: flex; gap: 8pt; flex-wrap: wrap; margin: 8pt 0; }
.stat { border: 1px solid #d1d5db; border-radius: 4pt; padding: 4pt 8pt; min-width: 28mm; }
.stat b { display: block; font-size: 14pt; }
figure { margin: 6pt 0; break-inside: avoid; } figcaption { font-size: 8pt; color: #6b7280; }
svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; width: 100%; font-size: 7pt; table-layout: fixed; }
th { font-weight: 600; hyphens: auto; }
th, td { border: 1px solid #e5e7eb; padding: 1.5pt 2pt; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
thead { display: table-header-group; } tr { break-inside: avoid; }
.cls-live { color: #15803d; } .cls-at_risk { color: #b45309; } .cls-dropped_off { color: #b91c1c; font-weight: bold; } .cls-unknown { color: #6b7280; }
@media print { .noprint { display: none; } }
`;

/** The printable report; `lang: 'vi'` makes every word Vietnamese (default en). `map`: an inline SVG province map (src/reports/map.ts); `extra`: an HTML section appended (e.g. the SMS/Zalo spending). */
export function renderHtml(report: CoverageReport, groupBy: GroupBy, opts: { title?: string; lang?: Lang; map?: string; extra?: string } = {}): string {
  const t = report.total;
  const lang = opts.lang ?? 'en';
  const w = REPORT_TEXT[lang];
  const title = opts.title ?? w.title;
  const [period, ...summary] = summaryLines(report, lang);
  // a province without groups charts its communes however many there are
  const byCommune = report.communes.length <= 40 || report.groups.length === 0;
  const chartAreas = byCommune ? report.communes : report.groups;
  const chartTitle = w.availability_by(byCommune ? 'commune' : 'group', report.settings.target_pct);
  const full = reportTable(report, groupBy, lang);
  // A4 portrait holds ~16 columns: the full detail is in the CSV and JSON
  const table = { ...full, columns: full.columns.filter((c) => !HTML_DROPPED.has(c.key)) };
  const cls = Object.entries(t.classes).map(([k, v]) => `<div class="stat"><span class="cls-${k}">${esc(lang === 'en' ? k.replace('_', ' ') : classLabel(lang, k))}</span><b style="color:${CLASS_COLOURS[k as keyof typeof CLASS_COLOURS]}">${v}</b></div>`).join('');
  const worst = t.worst.length
    ? `<table><thead><tr>${['site', 'name', 'commune', 'availability_pct', 'down_min', 'main_cause'].map((k) => `<th>${esc(columnLabel(lang, k))}</th>`).join('')}</tr></thead><tbody>${t.worst.map((x) => `<tr><td>${esc(x.site)}</td><td>${esc(x.name)}</td><td>${esc(x.commune)}</td><td class="num">${x.availability_pct.toFixed(2)}</td><td class="num">${x.down_min.toFixed(0)}</td><td>${esc(causeLabel(lang, x.main_cause ?? null))}</td></tr>`).join('')}</tbody></table>`
    : `<p class="muted">${esc(w.all_meet)}</p>`;
  const weight = (key: string, numeric?: boolean) => (key === 'worst' ? 5 : key === 'name' ? 3 : numeric ? 1 : 2);
  const totalW = table.columns.reduce((t, c) => t + weight(c.key, c.numeric), 0);
  const cols = table.columns.map((c) => `<col style="width:${((100 * weight(c.key, c.numeric)) / totalW).toFixed(2)}%">`).join('');
  const head = table.columns.map((c) => `<th>${esc(c.header)}</th>`).join('');
  const body = table.rows.map((r) => `<tr>${table.columns.map((c) => {
    const v = showCell(c.key, r[c.key] ?? null, lang);
    const klass = c.key === 'class' ? ` class="cls-${esc(String(r[c.key] ?? ''))}"` : c.numeric ? ' class="num"' : '';
    return `<td${klass}>${esc(v)}</td>`;
  }).join('')}</tr>`).join('');
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title><style>${CSS}</style></head>
<body>
<h1>${esc(title)}</h1>
<p class="muted">${esc(period!)}</p>
<div class="stats">
<div class="stat">${esc(columnLabel(lang, 'sites'))}<b>${t.sites}</b></div>
<div class="stat">${esc(w.meeting_target)}<b>${t.sites_meeting_target}</b></div>
<div class="stat">${esc(w.availability)}<b>${t.availability_pct === null ? esc(w.unknown) : `${t.availability_pct.toFixed(1)}%`}</b></div>
<div class="stat">${esc(w.communes_covered)}<b>${t.communes_covered} / ${t.communes}</b></div>
${cls}
</div>
${summary.map((l) => `<p>${esc(l)}</p>`).join('\n')}
${opts.map ? `<figure class="map">${opts.map}</figure>` : ''}
<h2>${esc(w.availability.charAt(0).toUpperCase() + w.availability.slice(1))}</h2>
${availabilityChart(chartAreas, report.settings.target_pct, chartTitle, lang)}
<h2>${esc(w.downtime_by_cause)}</h2>
${causeChart(t.cause_min, w.cause_chart, lang)}
<h2>${esc(w.needing_action)}</h2>
${worst}
<h2>${esc(INCIDENT_LIST_TITLE[lang])}</h2>
${incidentListHtml(report, lang)}
<h2>${esc(w.by(groupBy))}</h2>
<table><colgroup>${cols}</colgroup><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>
${opts.extra ?? ''}
<p class="muted">${esc(w.formula)} ${esc(w.generated)} ${esc(new Date(report.generated_at).toISOString())}.</p>
</body></html>
`;
}
