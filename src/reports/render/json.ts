/** JSON: the whole CoverageReport (availability null = UNKNOWN), plus the chosen grouping's rows. */
import type { CoverageReport } from '../coverage.js';
import type { GroupBy } from '../run.js';
import { reportTable } from './rows.js';

export function renderJson(report: CoverageReport, groupBy: GroupBy): string {
  return `${JSON.stringify({ group_by: groupBy, ...report, rows: reportTable(report, groupBy).rows }, null, 2)}\n`;
}
