/** One entry for every output format of the coverage report. */
import type { CoverageReport } from '../coverage.js';
import type { GroupBy } from '../run.js';
import { renderCsv } from './csv.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderTable } from './table.js';

export const FORMATS = ['table', 'csv', 'json', 'html'] as const;
export type Format = (typeof FORMATS)[number];

const RENDERERS = {
  table: (r, g) => renderTable(r, g),
  csv: (r, g) => renderCsv(r, g),
  json: (r, g) => renderJson(r, g),
  html: (r, g) => renderHtml(r, g),
} satisfies Record<Format, (r: CoverageReport, g: GroupBy) => string>;

export function renderReport(report: CoverageReport, format: Format, groupBy: GroupBy): string {
  return RENDERERS[format](report, groupBy);
}

export { renderCsv, renderHtml, renderJson, renderTable };
export { reportTable, toApiReport, showCell, summaryLines } from './rows.js';
