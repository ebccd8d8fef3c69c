/** CSV for spreadsheets: UTF-8 WITH BOM so Excel shows Vietnamese correctly; one row per site/area. */
import { stringify } from 'csv-stringify/sync';
import type { CoverageReport } from '../coverage.js';
import type { GroupBy } from '../run.js';
import { reportTable, showCell } from './rows.js';

export function renderCsv(report: CoverageReport, groupBy: GroupBy): string {
  const t = reportTable(report, groupBy);
  const records = t.rows.map((r) => Object.fromEntries(t.columns.map((c) => [c.key, showCell(c.key, r[c.key] ?? null)])));
  return stringify(records, { bom: true, header: true, columns: t.columns.map((c) => ({ key: c.key, header: c.header })), record_delimiter: 'windows' });
}
