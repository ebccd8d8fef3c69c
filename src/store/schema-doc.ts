/**
 * The time-series schema as Markdown, generated from src/store/schema.ts (for the README, so people
 * building their own Grafana panels read the same names the code writes).
 *   npx tsx -e "import('./src/store/schema-doc.ts').then(m => process.stdout.write(m.schemaMarkdown()))"
 */
import { FieldType } from 'influx';
import { MEASUREMENTS, ROLLUPS, RP, RP_DAILY, SVC_TAG } from './schema.js';

const code = (s: string) => `\`${s}\``;

export function schemaMarkdown(): string {
  const out: string[] = [
    `Database ${code('pointwatch')} (setting ${code('influx.database')}). Retention policies: ${code(RP.raw)} (default, every check), ` +
      `${code(RP.rollup_5m)} and ${code(RP.rollup_1h)} (continuous queries; same measurement and field names, aggregated as shown), ` +
      `${code(RP_DAILY)} (UTC days, made from ${code(RP.rollup_1h)}: sums of sums, means of hourly means, max of max; ` +
      `${code('interface')} also gets ${code('in_bytes')}/${code('out_bytes')} = sum of hourly mean rates × 3600 / 8; kept as long as ${code(RP.rollup_1h)}). ` +
      `Tag ${code(SVC_TAG)} on ${code('site_state')} and ${code('ping')}: ${code('in <start>-<end> <timezone>')} or ${code('out ...')}, ` +
      'whether the check was inside the service hours of settings.reports when it was written (year reports sum the daily rollup where it matches). ' +
      'Tag `group` only on sites that have one (no empty tag values); points written before the 2025 reform may carry `district` instead, which queries read as the group. Timestamps are the probe start, millisecond precision.',
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
