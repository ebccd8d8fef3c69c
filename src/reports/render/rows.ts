/**
 * A CoverageReport as flat rows (one per site, commune or group) with labelled columns:
 * the shape the table, CSV and HTML renderers and the API share.
 */
import type { AreaCoverage, CoverageReport, SiteCoverage } from '../coverage.js';
import type { GroupBy } from '../run.js';
import { localParts } from '../service-hours.js';
import type { Lang } from '../../config/schema.js';
import { causeLabel, classLabel, columnLabel, REPORT_TEXT } from './words.js';

export type Cell = string | number | null;
export interface Column {
  key: string;
  header: string;
  /** Right-align in tables. */
  numeric?: boolean;
}
export interface ReportTable {
  columns: Column[];
  rows: Array<Record<string, Cell>>;
}

const SITE_COLUMNS: Column[] = [
  { key: 'site', header: 'site' },
  { key: 'name', header: 'name' },
  { key: 'commune', header: 'commune' },
  { key: 'group', header: 'group' },
  { key: 'province', header: 'province' },
  { key: 'availability_pct', header: 'availability %', numeric: true },
  { key: 'class', header: 'class' },
  { key: 'down_min', header: 'downtime min', numeric: true },
  { key: 'unreachable_min', header: 'unreachable min (parent)', numeric: true },
  { key: 'unknown_min', header: 'unknown min', numeric: true },
  { key: 'maintenance_min', header: 'maintenance min', numeric: true },
  { key: 'no_data_min', header: 'no data min', numeric: true },
  { key: 'incidents', header: 'incidents', numeric: true },
  { key: 'mttr_min', header: 'MTTR min', numeric: true },
  { key: 'power_min', header: 'power min', numeric: true },
  { key: 'link_min', header: 'link min', numeric: true },
  { key: 'unknown_cause_min', header: 'unknown cause min', numeric: true },
  { key: 'main_cause', header: 'main cause' },
  { key: 'median_rtt_ms', header: 'median RTT ms', numeric: true },
  { key: 'median_loss_pct', header: 'median loss %', numeric: true },
  { key: 'traffic_gb_in', header: 'GB in', numeric: true },
  { key: 'traffic_gb_out', header: 'GB out', numeric: true },
];

const AREA_COLUMNS = (level: 'commune' | 'group'): Column[] => [
  { key: 'name', header: level },
  ...(level === 'commune' ? [{ key: 'group', header: 'group' }] : []),
  { key: 'province', header: 'province' },
  { key: 'sites', header: 'sites', numeric: true },
  { key: 'sites_known', header: 'sites with data', numeric: true },
  { key: 'sites_meeting_target', header: 'sites meeting target', numeric: true },
  { key: 'availability_pct', header: 'availability %', numeric: true },
  ...(level === 'group' ? [
    { key: 'communes', header: 'communes', numeric: true },
    { key: 'communes_covered', header: 'communes covered', numeric: true },
  ] : []),
  { key: 'coverage_pct', header: 'coverage %', numeric: true },
  { key: 'live', header: 'live', numeric: true },
  { key: 'at_risk', header: 'at risk', numeric: true },
  { key: 'dropped_off', header: 'dropped off', numeric: true },
  { key: 'unknown', header: 'unknown', numeric: true },
  { key: 'down_min', header: 'downtime min', numeric: true },
  { key: 'incidents', header: 'incidents', numeric: true },
  { key: 'power_min', header: 'power min', numeric: true },
  { key: 'link_min', header: 'link min', numeric: true },
  { key: 'unknown_cause_min', header: 'unknown cause min', numeric: true },
  { key: 'traffic_gb_in', header: 'GB in', numeric: true },
  { key: 'traffic_gb_out', header: 'GB out', numeric: true },
  { key: 'worst', header: 'worst sites (main cause)' },
];

function siteRow(s: SiteCoverage): Record<string, Cell> {
  return {
    site: s.site, name: s.name, commune: s.commune, group: s.group, province: s.province,
    availability_pct: s.availability_pct, class: s.class, down_min: s.down_min, unreachable_min: s.unreachable_min,
    unknown_min: s.unknown_min, maintenance_min: s.maintenance_min, no_data_min: s.no_data_min, incidents: s.incidents,
    mttr_min: s.mttr_min, power_min: s.cause_min.power, link_min: s.cause_min.link, unknown_cause_min: s.cause_min.unknown,
    main_cause: s.main_cause, median_rtt_ms: s.median_rtt_ms, median_loss_pct: s.median_loss_pct,
    traffic_gb_in: s.traffic_gb_in, traffic_gb_out: s.traffic_gb_out,
  };
}

function areaRow(a: AreaCoverage, lang: Lang): Record<string, Cell> {
  return {
    name: a.name, group: a.group, province: a.province, sites: a.sites, sites_known: a.sites_known,
    sites_meeting_target: a.sites_meeting_target, availability_pct: a.availability_pct, communes: a.communes,
    communes_covered: a.communes_covered, coverage_pct: a.coverage_pct, live: a.classes.live, at_risk: a.classes.at_risk,
    dropped_off: a.classes.dropped_off, unknown: a.classes.unknown, down_min: a.down_min, incidents: a.incidents,
    power_min: a.cause_min.power, link_min: a.cause_min.link, unknown_cause_min: a.cause_min.unknown,
    traffic_gb_in: a.traffic_gb_in, traffic_gb_out: a.traffic_gb_out,
    worst: a.worst.map((w) => `${w.site} ${w.availability_pct.toFixed(1)}% (${causeLabel(lang, w.main_cause ?? null)})`).join('; '),
  };
}

/** The table in `lang` (headers; en keeps the names CSV and JSON users know). */
export function reportTable(report: CoverageReport, groupBy: GroupBy, lang: Lang = 'en'): ReportTable {
  const labelled = (cols: Column[]) => (lang === 'en' ? cols : cols.map((c) => ({ ...c, header: columnLabel(lang, c.key === 'name' && groupBy !== 'site' ? groupBy : c.key) })));
  if (groupBy === 'site') return { columns: labelled(SITE_COLUMNS), rows: report.sites.map(siteRow) };
  const areas = groupBy === 'commune' ? report.communes : report.groups;
  return { columns: labelled(AREA_COLUMNS(groupBy)), rows: areas.map((a) => areaRow(a, lang)) };
}

/** How a cell is shown to a person: availability null is UNKNOWN (CHƯA RÕ), never blank or 0. */
export function showCell(key: string, v: Cell, lang: Lang = 'en'): string {
  if (v === null) return key === 'availability_pct' || key === 'coverage_pct' ? REPORT_TEXT[lang].unknown : '';
  if (key === 'class' && typeof v === 'string') return classLabel(lang, v);
  if (key === 'main_cause' && typeof v === 'string') return causeLabel(lang, v);
  if (typeof v === 'number') {
    if (key.endsWith('_pct')) return v.toFixed(2);
    if (key.startsWith('traffic_gb')) return v.toFixed(3);
    if (key.endsWith('_min') || key.endsWith('_ms')) return Number.isInteger(v) ? String(v) : v.toFixed(1);
    return String(v);
  }
  return v;
}

/** `YYYY-MM-DD HH:MM` on the wall clock of `tz`. */
export function localTime(t: number, tz: string): string {
  const p = localParts(t, tz);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${p.y}-${two(p.m)}-${two(p.d)} ${two(p.hh)}:${two(p.mm)}`;
}

/** Where the figures came from: `rollup_1h`, or `rollup_1d 363 d + rollup_1h 31 h` when the period was split. */
const ROLLUP_VI: Record<string, string> = { rollup_5m: 'tổng hợp 5 phút', rollup_1h: 'tổng hợp 1 giờ', rollup_1d: 'tổng hợp 1 ngày', raw: 'dữ liệu gốc' };

export function dataSources(report: Pick<CoverageReport, 'resolution' | 'sources'>, lang: Lang = 'en'): string {
  const name = (r: string) => (lang === 'vi' ? ROLLUP_VI[r] ?? r : r);
  if (!report.sources || report.sources.length === 0) return report.resolution ? name(report.resolution) : lang === 'vi' ? 'dữ liệu được cung cấp' : 'given buckets';
  const total = new Map<string, number>();
  for (const s of report.sources) total.set(s.resolution, (total.get(s.resolution) ?? 0) + (s.to - s.from));
  const u = lang === 'vi' ? { d: 'ngày', h: 'giờ' } : { d: 'd', h: 'h' };
  const dur = (ms: number) => (ms >= 2 * 86_400_000 && ms % 86_400_000 === 0 ? `${ms / 86_400_000} ${u.d}` : `${Math.round(ms / 3_600_000)} ${u.h}`);
  return [...total].sort((a, b) => b[1] - a[1]).map(([r, ms]) => `${name(r)} ${dur(ms)}`).join(' + ');
}

/** The summary lines every format starts with. */
export function summaryLines(report: CoverageReport, lang: Lang = 'en'): string[] {
  const t = report.total;
  const w = REPORT_TEXT[lang];
  const pct = (x: number | null, d = 2) => (x === null ? w.unknown : `${x.toFixed(d)}%`);
  const s = report.settings;
  return [
    w.period(localTime(report.from, s.timezone), localTime(report.to, s.timezone), s.timezone, s.service_hours.start, s.service_hours.end, s.target_pct, dataSources(report, lang)),
    w.sites_line(t.sites, t.sites_known, t.sites_meeting_target, pct(t.availability_pct)),
    w.communes_line(t.communes_covered, t.communes, pct(t.coverage_pct, 1)),
    w.classes_line(t.classes.live, t.classes.at_risk, t.classes.dropped_off, t.classes.unknown),
  ];
}

/** The API's generic shape (src/api/deps.ts CoverageReport): rows with `name` and `availability_pct`. */
export function toApiReport(report: CoverageReport, groupBy: GroupBy) {
  const table = reportTable(report, groupBy);
  return {
    from: report.from,
    to: report.to,
    group_by: groupBy,
    target_pct: report.settings.target_pct,
    rows: table.rows.map((r) => ({ ...r, name: String(r.name ?? ''), availability_pct: r.availability_pct as number | null })),
    summary: {
      sites: report.total.sites,
      sites_known: report.total.sites_known,
      sites_meeting_target: report.total.sites_meeting_target,
      availability_pct: report.total.availability_pct,
      communes: report.total.communes,
      communes_covered: report.total.communes_covered,
      coverage_pct: report.total.coverage_pct,
      ...report.total.classes,
      resolution: report.resolution,
    },
  };
}
