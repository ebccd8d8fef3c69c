/** Terminal table: fixed-width columns (by display width, so Vietnamese diacritics line up). */
import type { CoverageReport } from '../coverage.js';
import type { GroupBy } from '../run.js';
import { reportTable, showCell, summaryLines } from './rows.js';

/** Display width: combining marks take no column (NFC first, so precomposed letters count once). */
export function displayWidth(s: string): number {
  return [...s.normalize('NFC').replace(/\p{M}/gu, '')].length;
}

const pad = (s: string, w: number, right: boolean) => {
  const fill = ' '.repeat(Math.max(0, w - displayWidth(s)));
  return right ? fill + s : s + fill;
};

export function renderTable(report: CoverageReport, groupBy: GroupBy, opts: { columns?: string[] } = {}): string {
  const t = reportTable(report, groupBy);
  const cols = opts.columns ? t.columns.filter((c) => opts.columns!.includes(c.key)) : t.columns;
  const cells = t.rows.map((r) => cols.map((c) => showCell(c.key, r[c.key] ?? null)));
  const widths = cols.map((c, i) => Math.max(displayWidth(c.header), ...cells.map((row) => displayWidth(row[i]!))));
  const line = (vals: string[]) => vals.map((v, i) => pad(v, widths[i]!, !!cols[i]!.numeric)).join('  ').trimEnd();
  const out = [...summaryLines(report), '', line(cols.map((c) => c.header)), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const row of cells) out.push(line(row));
  return `${out.join('\n')}\n`;
}
