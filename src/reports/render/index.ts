/** One entry for every output format of the coverage report. */
import type { CoverageReport } from '../coverage.js';
import type { GroupBy } from '../run.js';
import type { Lang } from '../../config/schema.js';
import { renderCsv } from './csv.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderTable } from './table.js';
import { renderIncidentsCsv } from './incident-list.js';

export const FORMATS = ['table', 'csv', 'json', 'html', 'incidents-csv'] as const;
export type Format = (typeof FORMATS)[number];

// CSV and JSON keep their machine-facing English names; the printable HTML follows `lang`
const RENDERERS = {
  table: (r, g) => renderTable(r, g),
  csv: (r, g) => renderCsv(r, g),
  json: (r, g) => renderJson(r, g),
  html: (r, g, lang) => renderHtml(r, g, { lang }),
  // the incident list with the outcomes trainees wrote, one row per incident
  'incidents-csv': (r) => renderIncidentsCsv(r),
} satisfies Record<Format, (r: CoverageReport, g: GroupBy, lang: Lang) => string>;

export function renderReport(report: CoverageReport, format: Format, groupBy: GroupBy, lang: Lang = 'en'): string {
  return RENDERERS[format](report, groupBy, lang);
}

export { renderCsv, renderHtml, renderIncidentsCsv, renderJson, renderTable };
export { reportTable, toApiReport, showCell, summaryLines } from './rows.js';
