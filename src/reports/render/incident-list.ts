/**
 * The report's incident list (what happened at which site, and the outcome the trainee wrote),
 * for the printable HTML and as its own CSV (`report coverage --format incidents-csv`).
 */
import { stringify } from 'csv-stringify/sync';
import type { Lang } from '../../config/schema.js';
import type { CoverageReport, IncidentListEntry } from '../coverage.js';
import { causeLabel } from './words.js';

/** The printable section's words, vi and en (the CSV keeps stable English column keys). */
const WORDS: Record<Lang, { title: string; none: string; site: string; alert: string; opened: string; resolved: string; cause: string; outcome: string; open: string; no_outcome: string; parts: string }> = {
  vi: { title: 'Sự cố và kết quả xử lý', none: 'Không có sự cố trong kỳ.', site: 'điểm', alert: 'cảnh báo', opened: 'bắt đầu', resolved: 'khôi phục', cause: 'nguyên nhân (ước đoán)', outcome: 'kết quả xử lý', open: 'chưa khôi phục', no_outcome: 'chưa ghi kết quả', parts: 'thiết bị thay' },
  en: { title: 'Incidents and outcomes', none: 'No incident in the period.', site: 'site', alert: 'alert', opened: 'opened', resolved: 'resolved', cause: 'cause (inferred)', outcome: 'outcome', open: 'open', no_outcome: 'no outcome written', parts: 'parts' },
};
export const INCIDENT_LIST_TITLE: Record<Lang, string> = { vi: WORDS.vi.title, en: WORDS.en.title };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** `2026-11-20 08:00` in the report's time zone. */
export function localTime(ms: number | null, tz: string): string {
  if (ms === null) return '';
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-GB', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(ms).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

const outcomeText = (e: IncidentListEntry, lang: Lang) => (e.outcome ? `${e.outcome.cause_found} — ${e.outcome.actions}${e.outcome.parts ? ` (${WORDS[lang].parts}: ${e.outcome.parts})` : ''} · ${e.outcome.by}` : '');

export function incidentListHtml(report: CoverageReport, lang: Lang = 'en'): string {
  const w = WORDS[lang];
  const list = report.incident_list ?? [];
  if (!list.length) return `<p class="muted">${esc(w.none)}</p>`;
  const tz = report.settings.timezone;
  const rows = list.map((e) => `<tr><td>${e.id ?? ''}</td><td>${esc(e.name)}<br><span class="muted">${esc(e.commune)}</span></td><td>${esc(e.kind ?? '')}</td><td>${esc(localTime(e.opened, tz))}</td><td>${esc(e.resolved === null ? w.open : localTime(e.resolved, tz))}</td><td>${esc(causeLabel(lang, e.cause))}</td><td>${esc(outcomeText(e, lang)) || `<span class="muted">${esc(w.no_outcome)}</span>`}</td></tr>`).join('');
  return `<table class="incidents"><thead><tr><th>#</th><th>${esc(w.site)}</th><th>${esc(w.alert)}</th><th>${esc(w.opened)}</th><th>${esc(w.resolved)}</th><th>${esc(w.cause)}</th><th>${esc(w.outcome)}</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** One row per incident, UTF-8 with BOM (Excel), local times. */
export function renderIncidentsCsv(report: CoverageReport): string {
  const tz = report.settings.timezone;
  const records = (report.incident_list ?? []).map((e) => ({
    id: e.id ?? '', site: e.site, name: e.name, commune: e.commune, kind: e.kind ?? '', opened: localTime(e.opened, tz), resolved: localTime(e.resolved, tz), cause: e.cause,
    cause_found: e.outcome?.cause_found ?? '', actions: e.outcome?.actions ?? '', parts: e.outcome?.parts ?? '', outcome_by: e.outcome?.by ?? '',
  }));
  const columns = ['id', 'site', 'name', 'commune', 'kind', 'opened', 'resolved', 'cause', 'cause_found', 'actions', 'parts', 'outcome_by'];
  return stringify(records, { bom: true, header: true, columns, record_delimiter: 'windows' });
}
