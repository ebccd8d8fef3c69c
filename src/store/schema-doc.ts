/**
 * The time-series schema as Markdown, generated from src/store/schema.ts (for the README, so people
 * building their own Grafana panels read the same names the code writes).
 *   npx tsx -e "import('./src/store/schema-doc.ts').then(m => process.stdout.write(m.schemaMarkdown()))"
 */
import { FieldType } from 'influx';
import { MEASUREMENTS, ROLLUPS, RP } from './schema.js';

const code = (s: string) => `\`${s}\``;

export function schemaMarkdown(): string {
  const out: string[] = [
    `Database ${code('pointwatch')} (setting ${code('influx.database')}). Retention policies: ${code(RP.raw)} (default, every check), ` +
      `${code(RP.rollup_5m)} and ${code(RP.rollup_1h)} (continuous queries; same measurement and field names, aggregated as shown). ` +
      'Timestamps are the probe start, millisecond precision.',
    '',
    '| measurement | tags | field | type | rollup |',
    '|---|---|---|---|---|',
  ];
  for (const m of Object.values(MEASUREMENTS)) {
    const roll = (ROLLUPS as Record<string, Record<string, string> | undefined>)[m.name] ?? {};
    Object.entries(m.fields).forEach(([f, t], i) => {
      const cells = [i === 0 ? code(m.name) : '', i === 0 ? m.tags.map(code).join(', ') : '', code(f), FieldType[t as FieldType].toLowerCase(), roll[f] ?? '—'];
      out.push(`|${cells.map((c) => (c ? ` ${c} ` : ' ')).join('|')}|`);
    });
  }
  return `${out.join('\n')}\n`;
}
