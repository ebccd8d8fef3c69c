/**
 * The time-series schema as Markdown, generated from src/store/schema.ts (for the README, so people
 * building their own Grafana panels read the same names the code writes).
 *   npx tsx -e "import('./src/store/schema-doc.ts').then(m => process.stdout.write(m.schemaMarkdown()))"
 */
import { FieldType } from 'influx';
import { MEASUREMENTS, ROLLUPS, RP } from './schema.js';

export function schemaMarkdown(): string {
  const out: string[] = [
    `Database \`pointwatch\` (setting \`influx.database\`). Retention policies: \`${RP.raw}\` (default, every check), ` +
      `\`${RP.rollup_5m}\` and \`${RP.rollup_1h}\` (continuous queries; same measurement and field names, aggregated as shown). ` +
      'Timestamps are the probe start, millisecond precision.',
    '',
    '| measurement | tags | field | type | rollup |',
    '|---|---|---|---|---|',
  ];
  for (const m of Object.values(MEASUREMENTS)) {
    const roll = (ROLLUPS as Record<string, Record<string, string> | undefined>)[m.name] ?? {};
    Object.entries(m.fields).forEach(([f, t], i) => {
      XX ? m.tags.map((x) => `\`${x}\``).join(', ') : ''} | \`${f}\` | ${FieldType[t as FieldType].toLowerCase()} | ${roll[f] ?? '—'} |`);
    });
  }
  return `${out.join('\n')}\n`;
}
